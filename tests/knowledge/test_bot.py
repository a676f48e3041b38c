"""The answer bot end to end: inbound customer messages through the real ingest pipeline,
the bot's listener and task, routing, and the knowledge base rows the bot answers from.
The intent model and the search are replaced at their edge (``intents.classify``,
``search.search_articles``) by a fixed table, so the bot's own rules are what is tested."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import post_inbound, unique
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Inbox, Message, Status
from wowdesk.core.events import Event, Phase, listen, listeners, unlisten
from wowdesk.core.models import Agent, Brand, Presence, Role
from wowdesk.knowledge import bot_services, bot_texts, intents, search
from wowdesk.knowledge.models import Article, ArticleStatus, BotSession
from wowdesk.routing import services as routing

RETURN_EN = "How to return an item"
RETURN_ES = "Cómo devolver un artículo"


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


@pytest.fixture
def articles(brand: Brand) -> dict[str, Article]:
    en = Article.objects.create(
        brand=brand,
        language="en",
        title=RETURN_EN,
        slug="return-an-item",
        body="Open your orders, choose the item and press Return. Refunds take 5 days.",
        status=ArticleStatus.PUBLISHED,
        intent="return_item",
    )
    es = Article.objects.create(
        brand=brand,
        translation_of=en,
        language="es",
        title=RETURN_ES,
        slug="devolver-un-articulo",
        body="Abra sus pedidos, elija el artículo y pulse Devolver. El reembolso tarda 5 días.",
        status=ArticleStatus.PUBLISHED,
        intent="return_item",
        source_version=1,
    )
    return {"en": en, "es": es}


@pytest.fixture
def knowledge(monkeypatch: pytest.MonkeyPatch, articles: dict[str, Article]) -> list[str]:
    """The intent model knows "return_item" (returns/devolver) with high confidence, is
    unsure of anything else; the search finds nothing. Returns the texts classified."""
    asked: list[str] = []

    def classify(brand_id: int, text: str, language: str | None = None) -> intents.IntentResult:
        asked.append(text)
        low = text.lower()
        if any(w in low for w in ("devolver", "return", "zurückgeben", "retourner")):
            return intents.IntentResult("return_item", 0.94, False, articles["en"].pk)
        if "weather" in low or "tiempo" in low:
            return intents.IntentResult(None, 0.1, True, None)
        return intents.IntentResult("shipping_time", 0.41, False, None)

    def search_articles(brand_id: int, query: str, **_: Any) -> list[search.Hit]:
        return []

    monkeypatch.setattr(intents, "classify", classify)
    monkeypatch.setattr(search, "search_articles", search_articles)
    return asked


def bot_inbox(brand: Brand, channel: str, mode: str) -> Inbox:
    return conversations.create_inbox(
        brand_id=brand.pk,
        name=f"{channel} {unique('i')}",
        channel=channel,
        is_default=True,
        answer_bot=mode,
        address=f"{unique('help')}@example.com" if channel == "email" else "",
    )


def run_bot_tasks() -> list[str]:
    """Run the bot's queued tasks as the worker would (each once)."""
    done = []
    for row in DBTaskResult.objects.filter(task_path__endswith="answer_task").order_by("pk"):
        done.append(bot_services.handle_message(*row.args_kwargs["args"]))
        row.delete()
    return done


def write(brand: Brand, inbox: Inbox, body: str, *, email: str, **over: Any) -> int:
    result = post_inbound(
        brand,
        channel=inbox.channel,
        inbox=inbox.pk,
        body=body,
        subject="",
        **{"from": {"name": "Lucía", "email": email}},
        **over,
    )
    assert result.conversation_id is not None
    return result.conversation_id


def thread(conversation_id: int, direction: str) -> list[Message]:
    return list(
        Message.objects.filter(conversation_id=conversation_id, direction=direction).order_by("id")
    )


@pytest.fixture
def online_agent(make_agent: Callable[..., Agent]) -> Agent:
    agent = make_agent(Role.AGENT, languages=["es", "en"])
    routing.set_presence(agent, Presence.ONLINE, actor=agent)
    return agent


# --- answering in the customer's language, per channel -------------------------------------


@pytest.mark.parametrize("channel", ["chat", "email", "api", "social"])
def test_answers_in_spanish_from_the_spanish_translation(
    brand: Brand,
    knowledge: list[str],
    articles: dict[str, Article],
    commits: Callable[[], Any],
    channel: str,
) -> None:
    inbox = bot_inbox(brand, channel, "when_no_agent")
    with commits():
        cid = write(
            brand,
            inbox,
            "Hola, ¿cómo puedo devolver un artículo que compré la semana pasada?",
            email="lucia@example.com",
        )
    with commits():
        assert run_bot_tasks() == ["answered"]
    out = thread(cid, Direction.OUT)
    assert len(out) == 1
    answer = out[0]
    assert answer.author_id is None
    assert RETURN_ES in answer.body and RETURN_EN not in answer.body
    assert bot_texts.FOLLOW_UP["es"] in answer.body
    assert answer.meta["bot"]["article_id"] == articles["es"].pk
    assert answer.meta["bot"]["intent"] == "return_item"
    assert answer.meta["bot"]["confidence"] == pytest.approx(0.94)
    assert answer.channel == channel
    assert answer.outbox.status in ("queued", "sent", "failed")  # an ordinary outbound reply
    session = BotSession.objects.get(conversation_id=cid)
    assert session.outcome == BotSession.Outcome.PENDING
    assert session.article_id == articles["es"].pk
    assert session.language == "es"
    conversation = Conversation.objects.get(pk=cid)
    assert conversation.bot_holds and conversation.assignee_id is None


def test_falls_back_to_the_source_language_without_a_translation(
    brand: Brand, knowledge: list[str], articles: dict[str, Article], commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(
            brand,
            inbox,
            "Bonjour, comment retourner un article que j'ai acheté la semaine dernière ?",
            email="jean@example.com",
        )
    with commits():
        run_bot_tasks()
    answer = thread(cid, Direction.OUT)[0]
    assert RETURN_EN in answer.body
    assert bot_texts.FOLLOW_UP["fr"] in answer.body  # the bot speaks French around it


# --- hand-over -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("¿Cuánto tarda el envío a Canarias normalmente?", "low_confidence"),
        ("What is the weather like in Lisbon tomorrow?", "out_of_scope"),
        ("¿Qué tiempo hace mañana en Madrid?", "out_of_scope"),
    ],
)
def test_below_threshold_hands_over_with_a_summary_and_routes(
    brand: Brand,
    knowledge: list[str],
    online_agent: Agent,
    commits: Callable[[], Any],
    text: str,
    reason: str,
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, text, email="ana@example.com")
    conversation = Conversation.objects.get(pk=cid)
    assert conversation.bot_holds and conversation.assignee_id is None  # held, not routed
    with commits():
        assert run_bot_tasks() == ["handed_over"]
    note = thread(cid, Direction.NOTE)[-1]
    assert note.meta["bot"]["reason"] == reason
    assert text[:40] in note.body
    assert "confidence" in note.body
    session = BotSession.objects.get(conversation_id=cid)
    assert session.outcome == BotSession.Outcome.HANDED_OVER
    assert session.handover_reason == reason
    conversation.refresh_from_db()
    assert not conversation.bot_holds
    assert conversation.assignee_id == online_agent.pk  # routed like any other


def test_hand_over_at_night_queues_the_conversation(
    brand: Brand, knowledge: list[str], commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "email", "when_no_agent")
    with commits():
        cid = write(brand, inbox, "¿Cuánto tarda el envío a Canarias?", email="x@example.com")
    with commits():
        run_bot_tasks()
    activities = [m.meta.get("routing") for m in thread(cid, Direction.ACTIVITY)]
    assert "waiting" in activities  # in the queue, said so, as any unassigned conversation
    assert Conversation.objects.get(pk=cid) in routing.waiting_queue(brand.pk)


@pytest.mark.parametrize(
    "ask",
    [
        "I want to talk to a person",
        "Quiero hablar con una persona, por favor",
        "Ich möchte mit einem Menschen sprechen",
        "Je voudrais parler à une personne",
        "转人工",
        "担当者と話したいです",
        "أريد التحدث إلى شخص",
        "Saya mau bicara dengan orang",
    ],
)
def test_talk_to_a_person_in_many_languages(
    brand: Brand, knowledge: list[str], commits: Callable[[], Any], ask: str
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, "How do I return an item I bought?", email="p@example.com")
    with commits():
        assert run_bot_tasks() == ["answered"]
    with commits():
        write(brand, inbox, ask, email="p@example.com", conversation_id=cid)
    with commits():
        assert run_bot_tasks() == ["handed_over"]
    session = BotSession.objects.get(conversation_id=cid)
    assert session.handover_reason == "asked_for_person"
    assert not Conversation.objects.get(pk=cid).bot_holds


def test_asking_for_a_person_first_hands_over_without_answering(
    brand: Brand, knowledge: list[str], commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, "Quiero hablar con una persona", email="q@example.com")
    with commits():
        assert run_bot_tasks() == ["handed_over"]
    assert knowledge == []  # nothing classified: the customer asked for a person
    assert [m.meta["bot"].get("handover") for m in thread(cid, Direction.OUT)] == [True]


@pytest.mark.parametrize("reply", ["2", "necesito más ayuda", "No me ayudó", "mehr Hilfe"])
def test_more_help_hands_over(
    brand: Brand, knowledge: list[str], commits: Callable[[], Any], reply: str
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, "¿Cómo puedo devolver un pedido?", email="m@example.com")
    with commits():
        run_bot_tasks()
    with commits():
        write(brand, inbox, reply, email="m@example.com", conversation_id=cid)
    with commits():
        assert run_bot_tasks() == ["handed_over"]
    assert BotSession.objects.get(conversation_id=cid).handover_reason == "more_help"


@pytest.mark.parametrize(
    ("language", "answered", "note"),
    [
        ("en", "confidence {c} · article #{a}", "confidence {c}<"),
        ("zh-hans", "置信度 {c} · 文章 #{a}", "置信度 {c}<"),
    ],
)
def test_agents_see_the_answer_with_its_article_and_the_hand_over_note_without_one(
    brand: Brand,
    knowledge: list[str],
    commits: Callable[[], Any],
    make_agent: Callable[..., Agent],
    language: str,
    answered: str,
    note: str,
) -> None:
    from django.test import Client

    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, "¿Cómo puedo devolver un pedido?", email="m@example.com")
    with commits():
        run_bot_tasks()
    with commits():
        write(brand, inbox, "2", email="m@example.com", conversation_id=cid)
    with commits():
        run_bot_tasks()
    session = BotSession.objects.get(conversation_id=cid)
    c = Client()
    c.cookies["django_language"] = language
    c.force_login(make_agent(Role.AGENT, brands=[brand]).user)
    page = c.get(f"/inbox/c/{cid}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    conf = f"{session.confidence:.2f}"
    assert answered.format(c=conf, a=session.article_id) in page
    assert note.format(c=conf) in page
    assert "#—" not in page


def test_a_second_unanswerable_question_hands_over(
    brand: Brand, knowledge: list[str], commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, "¿Cómo puedo devolver un pedido?", email="s@example.com")
    with commits():
        run_bot_tasks()
    with commits():
        write(brand, inbox, "¿Y cuánto tarda el envío?", email="s@example.com", conversation_id=cid)
    with commits():
        assert run_bot_tasks() == ["handed_over"]
    session = BotSession.objects.get(conversation_id=cid)
    assert session.handover_reason == "second_question"
    assert len(session.tried) == 2 and session.tried[0]["answered"]
    note = thread(cid, Direction.NOTE)[-1]
    assert "#" in note.body and "cuánto tarda" in note.body


# --- resolution: confirmed and no return ------------------------------------------------------


@pytest.mark.parametrize("reply", ["1", "that helped", "¡Sí!", "me ayudó", "有帮助"])
def test_that_helped_confirms_and_resolves(
    brand: Brand, knowledge: list[str], commits: Callable[[], Any], reply: str
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, "How can I return an item?", email="h@example.com")
    with commits():
        run_bot_tasks()
    with commits():
        write(brand, inbox, reply, email="h@example.com", conversation_id=cid)
    with commits():
        assert run_bot_tasks() == ["confirmed"]
    session = BotSession.objects.get(conversation_id=cid)
    assert session.outcome == BotSession.Outcome.CONFIRMED
    conversation = Conversation.objects.get(pk=cid)
    assert conversation.status == Status.RESOLVED and not conversation.bot_holds


def test_no_return_within_24_hours_resolves_apart_from_confirmed(
    brand: Brand, knowledge: list[str], commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        quiet = write(brand, inbox, "How can I return an item?", email="a@example.com")
        back = write(brand, inbox, "Can I return my order?", email="b@example.com")
    with commits():
        run_bot_tasks()
    later = timezone.now() + dt.timedelta(hours=23)
    assert bot_services.expire_answered(later) == 0  # not yet 24 hours
    # one customer writes again (the bot has not read it yet): not "no return"
    write(brand, inbox, "hmm", email="b@example.com", conversation_id=back)
    with commits():
        assert bot_services.expire_answered(timezone.now() + dt.timedelta(hours=25)) == 1
    assert BotSession.objects.get(conversation_id=quiet).outcome == "no_return"
    assert Conversation.objects.get(pk=quiet).status == Status.RESOLVED
    assert BotSession.objects.get(conversation_id=back).outcome == "pending"
    stats = bot_services.stats({brand.pk}, None, None)
    assert (stats["no_return"], stats["confirmed"], stats["pending"]) == (1, 0, 1)
    assert stats["resolution_rate"] == 1.0 and stats["no_return_rate"] == 1.0


# --- when the bot stays silent --------------------------------------------------------------


def test_when_no_agent_with_an_agent_on_shift_is_silent(
    brand: Brand, knowledge: list[str], online_agent: Agent, commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "chat", "when_no_agent")
    with commits():
        cid = write(brand, inbox, "¿Cómo puedo devolver un pedido?", email="n@example.com")
    assert run_bot_tasks() == []
    assert not BotSession.objects.filter(conversation_id=cid).exists()
    assert Conversation.objects.get(pk=cid).assignee_id == online_agent.pk


def test_when_no_agent_with_an_agent_off_shift_answers(
    brand: Brand, knowledge: list[str], make_agent: Callable[..., Agent], commits: Callable[[], Any]
) -> None:
    agent = make_agent(Role.AGENT, shifts=["mon-sun 00:00-00:01"])
    routing.set_presence(agent, Presence.ONLINE, actor=agent)
    assert routing.available_agents(brand.pk) == []
    inbox = bot_inbox(brand, "chat", "when_no_agent")
    with commits():
        cid = write(brand, inbox, "¿Cómo puedo devolver un pedido?", email="o@example.com")
    with commits():
        assert run_bot_tasks() == ["answered"]
    assert Conversation.objects.get(pk=cid).bot_holds


def test_bot_off_costs_no_query(
    brand: Brand, knowledge: list[str], commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "chat", "off")
    with commits():
        cid = write(brand, inbox, "first", email="z@example.com")
    path = "wowdesk.knowledge.bot.on_message_created"

    def follow_up() -> int:
        with CaptureQueriesContext(connection) as queries, commits():
            write(
                brand,
                inbox,
                "¿Cómo puedo devolver un pedido?",
                email="z@example.com",
                conversation_id=cid,
            )
        return len(queries)

    follow_up()  # caches warm
    with_bot = follow_up()
    registered = listeners(Event.MESSAGE_CREATED, Phase.COMMIT)
    unlisten(Event.MESSAGE_CREATED, path, phase=Phase.COMMIT)
    try:
        without = follow_up()
    finally:  # put every listener back in its order (docs/events.md shows the order)
        for other in registered:
            unlisten(Event.MESSAGE_CREATED, other, phase=Phase.COMMIT)
        for other in registered:
            listen(Event.MESSAGE_CREATED, other, phase=Phase.COMMIT)
    assert with_bot == without
    assert not BotSession.objects.exists() and run_bot_tasks() == []


def test_a_message_handled_twice_is_answered_once(
    brand: Brand, knowledge: list[str], commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, "How can I return an item?", email="i@example.com")
    message_id = thread(cid, Direction.IN)[0].pk
    with commits():
        run_bot_tasks()
        assert bot_services.handle_message(message_id) == "seen"
    # the same delivery again: ingest stores it once, the bot reads nothing new
    with commits():
        post_inbound(
            brand,
            channel="chat",
            inbox=inbox.pk,
            external_id="dup-1",
            body="Can I return it?",
            **{"from": {"name": "I", "email": "i@example.com"}},
            conversation_id=cid,
        )
        post_inbound(
            brand,
            channel="chat",
            inbox=inbox.pk,
            external_id="dup-1",
            body="Can I return it?",
            **{"from": {"name": "I", "email": "i@example.com"}},
            conversation_id=cid,
        )
    with commits():
        assert run_bot_tasks() == ["answered"]
    assert len([m for m in thread(cid, Direction.OUT) if "article_id" in m.meta["bot"]]) == 2


def test_routing_does_not_assign_while_the_bot_holds(
    brand: Brand, knowledge: list[str], online_agent: Agent, commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, "How can I return an item?", email="r@example.com")
    with commits():
        run_bot_tasks()
        assert routing.route_waiting(brand.pk) == 0
        routing.tick()
        conversation = Conversation.objects.get(pk=cid)
        assert routing.route(conversation) is None
    conversation = Conversation.objects.get(pk=cid)
    assert conversation.assignee_id is None and conversation.bot_holds
    assert conversation not in routing.waiting_queue(brand.pk)


def test_a_conversation_handed_over_is_not_taken_again(
    brand: Brand, knowledge: list[str], commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, "talk to a person", email="t@example.com")
    with commits():
        run_bot_tasks()
    with commits():
        write(brand, inbox, "How can I return an item?", email="t@example.com", conversation_id=cid)
    assert run_bot_tasks() == []
    assert BotSession.objects.filter(conversation_id=cid).count() == 1


def test_an_assigned_conversation_is_left_to_its_agent(
    brand: Brand, knowledge: list[str], online_agent: Agent, commits: Callable[[], Any]
) -> None:
    inbox = bot_inbox(brand, "chat", "off")
    with commits():
        cid = write(brand, inbox, "hello", email="w@example.com")
    assert Conversation.objects.get(pk=cid).assignee_id == online_agent.pk
    conversations.update_inbox(inbox, actor=None, answer_bot="always")
    with commits():
        write(brand, inbox, "How can I return an item?", email="w@example.com", conversation_id=cid)
    assert run_bot_tasks() == []


def test_an_agent_who_takes_a_held_conversation_ends_the_bot_without_resolving(
    brand: Brand,
    knowledge: list[str],
    make_agent: Callable[..., Agent],
    commits: Callable[[], Any],
) -> None:
    agent = make_agent(Role.AGENT)
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        first = write(brand, inbox, "How can I return an item?", email="k1@example.com")
        second = write(brand, inbox, "Can I return my lamp?", email="k2@example.com")
    with commits():
        run_bot_tasks()
    # an agent replies on the first, another assigns the second
    with commits():
        conversations.add_reply(Conversation.objects.get(pk=first), author=agent, body="Hi!")
        conversations.update_conversation(
            Conversation.objects.get(pk=second), actor=agent, assignee_id=agent.pk
        )
    with commits():
        write(brand, inbox, "1", email="k2@example.com", conversation_id=second)
    with commits():
        assert run_bot_tasks() == ["taken"]
        assert bot_services.expire_answered(timezone.now() + dt.timedelta(hours=25)) == 0
    for cid in (first, second):
        session = BotSession.objects.get(conversation_id=cid)
        assert (session.outcome, session.handover_reason) == ("handed_over", "taken_by_agent")
        conversation = Conversation.objects.get(pk=cid)
        assert conversation.status == Status.OPEN and not conversation.bot_holds


def test_the_agent_sees_the_bot_as_author_with_its_confidence_and_article(
    brand: Brand,
    knowledge: list[str],
    articles: dict[str, Article],
    commits: Callable[[], Any],
    make_agent: Callable[..., Agent],
) -> None:
    from django.test import Client

    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        cid = write(brand, inbox, "Hola, ¿cómo puedo devolver un artículo?", email="eva@x.org")
    with commits():
        run_bot_tasks()
    agent = make_agent(Role.AGENT)
    client = Client()
    client.force_login(agent.user)
    page = client.get(f"/inbox/c/{cid}/").content.decode()
    assert "Answer bot" in page
    assert f'data-bot-article="{articles["es"].pk}"' in page
    assert 'data-bot-confidence="0.94' in page


def test_a_blocked_customer_gets_the_template_not_the_bot(
    brand: Brand, knowledge: list[str], make_agent: Callable[..., Agent], commits: Callable[[], Any]
) -> None:
    from wowdesk.customers import services as customers
    from wowdesk.customers.models import Customer

    boss = make_agent(Role.SUPERVISOR)
    inbox = bot_inbox(brand, "chat", "always")
    with commits():
        first = write(brand, inbox, "How can I return an item?", email="rude@example.com")
    with commits():
        run_bot_tasks()
    customer = Customer.objects.get(conversations__pk=first)
    customers.set_restriction(boss, customer, level="blocked", reason="Threats")
    with commits():
        cid = write(brand, inbox, "Can I return my lamp?", email="rude@example.com")
    assert run_bot_tasks() == []
    assert (
        not BotSession.objects.filter(conversation_id=cid).exclude(conversation_id=first).exists()
    )
