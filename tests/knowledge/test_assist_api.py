"""Knowledge for agents, the API: suggestions for a conversation (per role × two brands,
the customer's language, the other brand's articles and macros never), the "Solved it"
boost, uses and proposed edits (docs/knowledge-assist.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from tests.conftest import ApiClient
from tests.knowledge.assist_data import article, conversation
from wowdesk.conversations.models import Macro
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import assist
from wowdesk.knowledge.models import ArticleStatus, Proposal, SuggestionUse
from wowdesk.knowledge.search import Hit

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]
LAMP = "My lamp X200 arrived broken, I want a refund for the X200"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def two_brands(brand: Brand, other_brand: Brand) -> dict[str, Any]:
    mine = article(brand, "Refund for a broken X200", "Send a photo of the X200; we refund.")
    article(
        mine.brand,
        "Reembolso de una X200 rota",
        "Envíe una foto de la X200.",
        language="es",
        translation_of=mine,
    )
    theirs = article(other_brand, "Globex X200 refunds", "X200 refund at Globex.")
    return {
        "mine": mine,
        "theirs": theirs,
        "conv": conversation(brand, LAMP, language="en"),
        "other_conv": conversation(other_brand, LAMP, language="en"),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side", ["brand", "other_brand"])
def test_every_role_of_a_brand_gets_its_own_suggestions_only(
    role: str,
    side: str,
    request: pytest.FixtureRequest,
    two_brands: dict[str, Any],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    home = request.getfixturevalue(side)
    api = make_api(make_agent(role, brands=[home]))
    own, foreign = (
        (two_brands["conv"], two_brands["other_conv"])
        if side == "brand"
        else (two_brands["other_conv"], two_brands["conv"])
    )
    r = api.get(f"/conversations/{own.pk}/suggestions")
    assert r.status_code == 200, r.content
    body = r.json()
    ids = {a["id"] for a in body["articles"]}
    expected = two_brands["mine"] if side == "brand" else two_brands["theirs"]
    unexpected = two_brands["theirs"] if side == "brand" else two_brands["mine"]
    assert expected.pk in ids
    assert unexpected.pk not in ids and unexpected.source_id not in {
        a["source_id"] for a in body["articles"]
    }
    # the other brand's conversation does not exist for this agent
    assert api.get(f"/conversations/{foreign.pk}/suggestions").status_code == 404
    assert api.get("/conversations/999999/suggestions").status_code == 404


def test_without_a_token_nothing(anon_api: ApiClient, two_brands: dict[str, Any]) -> None:
    assert anon_api.get(f"/conversations/{two_brands['conv'].pk}/suggestions").status_code == 401


def test_article_comes_in_the_customers_language_when_translated(
    brand: Brand, api: ApiClient
) -> None:
    source = article(brand, "Reset the X200", "Hold the X200 button for ten seconds.")
    spanish = article(
        brand,
        "Reiniciar la X200",
        "Mantenga pulsado el botón **diez** segundos.",
        language="es",
        translation_of=source,
    )
    article(
        brand, "X200 zurücksetzen", "Halten Sie die Taste.", language="de", translation_of=source
    )
    # a draft translation is never shown
    german_only = article(brand, "X200 Garantie", "Die X200 hat zwei Jahre Garantie.")
    article(
        brand,
        "Garantía X200",
        "Borrador.",
        language="es",
        translation_of=german_only,
        status=ArticleStatus.DRAFT,
    )
    conv = conversation(brand, "Mi X200 no enciende, ¿cómo la reinicio?", language="es")
    body = api.get(f"/conversations/{conv.pk}/suggestions").json()
    by_source = {a["source_id"]: a for a in body["articles"]}
    assert body["language"] == "es"
    assert by_source[source.pk]["id"] == spanish.pk
    assert by_source[source.pk]["language"] == "es"
    assert by_source[source.pk]["text"] == "Mantenga pulsado el botón diez segundos."
    # no published Spanish row: the source
    assert by_source[german_only.pk]["id"] == german_only.pk


def test_internal_articles_are_suggested_to_agents_without_a_link(
    brand: Brand, api: ApiClient
) -> None:
    internal = article(
        brand, "X200 refund desk notes", "Refund the X200 in the ERP.", internal=True
    )
    conv = conversation(brand, LAMP)
    found = {
        a["id"]: a for a in api.get(f"/conversations/{conv.pk}/suggestions").json()["articles"]
    }
    assert found[internal.pk]["internal"] is True
    assert found[internal.pk]["url"] == ""


def test_no_customer_message_no_suggestions(brand: Brand, api: ApiClient) -> None:
    conv = conversation(brand, LAMP)
    conv_messages = conv.messages.all()
    conv_messages.update(direction="out")
    body = api.get(f"/conversations/{conv.pk}/suggestions").json()
    assert body == {"message_id": None, "language": "", "articles": [], "macros": []}


def test_suggestions_follow_the_latest_customer_message(brand: Brand, api: ApiClient) -> None:
    from wowdesk.conversations import services as conversations

    lamp = article(brand, "X200 refunds", "Refund for the X200.")
    login = article(brand, "Password reset Zq9", "Reset the Zq9 password from the login page.")
    conv = conversation(brand, LAMP)
    first = api.get(f"/conversations/{conv.pk}/suggestions").json()
    assert lamp.pk in {a["id"] for a in first["articles"]}
    conversations.append_incoming(
        conv,
        conv.customer,
        conversations.IncomingMessage(body="Also my Zq9 password reset fails", channel="api"),
    )
    second = api.get(f"/conversations/{conv.pk}/suggestions").json()
    assert second["message_id"] != first["message_id"]
    assert login.pk in {a["id"] for a in second["articles"]}


@pytest.mark.parametrize(
    "reply",
    ["2", "necesito más ayuda", "I need more help", "talk to a person", "转人工", "sí", "1"],
)
def test_a_short_answer_to_the_bot_keeps_the_question_before_it(
    brand: Brand, api: ApiClient, reply: str
) -> None:
    """After the bot's answer the customer writes "2" or "talk to a person": the agent who
    gets the conversation needs articles for the question, not for "2"."""
    from wowdesk.conversations import services as conversations

    lamp = article(brand, "X200 refunds", "Refund for the X200.")
    conv = conversation(brand, LAMP)
    asked = api.get(f"/conversations/{conv.pk}/suggestions").json()
    conversations.append_incoming(
        conv, conv.customer, conversations.IncomingMessage(body=reply, channel="api")
    )
    after = api.get(f"/conversations/{conv.pk}/suggestions").json()
    assert after["message_id"] == asked["message_id"]
    assert lamp.pk in {a["id"] for a in after["articles"]}


def test_a_long_message_that_asks_for_a_person_is_still_searched(
    brand: Brand, api: ApiClient
) -> None:
    from wowdesk.conversations import services as conversations

    article(brand, "X200 refunds", "Refund for the X200.")
    login = article(brand, "Password reset Zq9", "Reset the Zq9 password from the login page.")
    conv = conversation(brand, LAMP)
    first = api.get(f"/conversations/{conv.pk}/suggestions").json()
    text = "I want to talk to a person: my Zq9 password reset fails every time"
    conversations.append_incoming(
        conv, conv.customer, conversations.IncomingMessage(body=text, channel="api")
    )
    second = api.get(f"/conversations/{conv.pk}/suggestions").json()
    assert second["message_id"] != first["message_id"]
    assert login.pk in {a["id"] for a in second["articles"]}


def test_a_very_long_message_is_searched_by_its_start(brand: Brand, api: ApiClient) -> None:
    lamp = article(brand, "X200 refunds", "Refund for the X200.")
    conv = conversation(brand, LAMP + " " + "blah " * 40_000)
    body = api.get(f"/conversations/{conv.pk}/suggestions").json()
    assert lamp.pk in {a["id"] for a in body["articles"]}


def test_computed_once_per_customer_message(
    brand: Brand, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wowdesk.conversations import services as conversations
    from wowdesk.knowledge import search

    row = article(brand, "X200 refunds", "Refund for the X200.")
    calls: list[str] = []

    def counted(brand_id: int, query: str, **kw: Any) -> list[Hit]:
        calls.append(query)
        return [Hit(row.pk, row.pk, row.title, "en", 1.0, "")]

    monkeypatch.setattr(search, "search_articles", counted)
    conv = conversation(brand, LAMP)
    for _ in range(3):
        assert api.get(f"/conversations/{conv.pk}/suggestions").status_code == 200
    assert calls == [LAMP]
    conversations.append_incoming(
        conv, conv.customer, conversations.IncomingMessage(body="And the X100?", channel="api")
    )
    api.get(f"/conversations/{conv.pk}/suggestions")
    api.get(f"/conversations/{conv.pk}/suggestions")
    assert calls == [LAMP, "And the X100?"]


# --- macros ---------------------------------------------------------------------------------


def test_macros_ranked_by_the_message_and_of_the_brand_only(
    brand: Brand, other_brand: Brand, api: ApiClient
) -> None:
    refund = Macro.objects.create(
        brand=brand,
        name="Refund for a broken item",
        body="Sorry your item arrived broken; we will refund you in full.",
    )
    password = Macro.objects.create(
        brand=brand, name="Password reset", body="You can reset your password on the login page."
    )
    foreign = Macro.objects.create(
        brand=other_brand,
        name="Refund for a broken item",
        body="Sorry your item arrived broken; we will refund you in full.",
    )
    conv = conversation(brand, "My order arrived broken and I want my money back")
    macros = api.get(f"/conversations/{conv.pk}/suggestions").json()["macros"]
    assert macros and macros[0]["id"] == refund.pk
    assert foreign.pk not in {m["id"] for m in macros}
    assert password.pk not in {m["id"] for m in macros}  # unrelated: under the threshold
    assert all(m["score"] >= assist.MACRO_MIN_SIMILARITY for m in macros)


# --- the "Solved it" boost ------------------------------------------------------------------


def test_boost_rule_is_bounded() -> None:
    assert assist.boosted(1.0, 0) == 1.0
    assert assist.boosted(1.0, 1) == pytest.approx(1.1)
    assert assist.boosted(1.0, 5) == pytest.approx(1.5)
    assert assist.boosted(1.0, 50) == pytest.approx(1.5)  # capped
    assert assist.boosted(0.0, 5) == 0.0  # never brings in what does not match
    assert assist.boosted(2.0, -3) == 2.0


@pytest.mark.parametrize(
    ("scores", "marks", "first"),
    [
        ((1.0, 0.9), (0, 2), 1),  # 0.9 × 1.2 = 1.08 > 1.0: the solved one first
        ((1.0, 0.9), (0, 0), 0),  # no marks: the search's order
        ((1.0, 0.5), (0, 40), 0),  # 0.5 × 1.5 = 0.75 < 1.0: a weak match stays below
        ((1.0, 0.9), (3, 3), 0),  # the same marks: the search's order
    ],
)
def test_solved_marks_lift_an_article(
    scores: tuple[float, float],
    marks: tuple[int, int],
    first: int,
    brand: Brand,
    agent: Agent,
    api: ApiClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wowdesk.knowledge import search

    rows = [article(brand, f"Article {i}", f"Body {i}") for i in range(2)]
    hits = [
        Hit(row.pk, row.pk, row.title, "en", score, row.body)
        for row, score in zip(rows, scores, strict=True)
    ]
    monkeypatch.setattr(search, "search_articles", lambda *a, **k: list(hits))
    earlier = conversation(brand, "an earlier question")
    for row, n in zip(rows, marks, strict=True):
        for _ in range(n):
            SuggestionUse.objects.create(
                brand=brand, conversation=earlier, article=row, agent=agent, action="solved"
            )
    conv = conversation(brand, "a question")
    found = api.get(f"/conversations/{conv.pk}/suggestions").json()["articles"]
    assert [a["id"] for a in found] == [rows[first].pk, rows[1 - first].pk]
    assert [a["solved"] for a in found] == [marks[first], marks[1 - first]]


def test_a_mark_through_the_api_changes_the_next_answer(
    brand: Brand, agent: Agent, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wowdesk.knowledge import search

    rows = [article(brand, f"Article {i}", f"Body {i}") for i in range(2)]
    hits = [
        Hit(rows[0].pk, rows[0].pk, "a", "en", 1.0, ""),
        Hit(rows[1].pk, rows[1].pk, "b", "en", 0.95, ""),
    ]
    monkeypatch.setattr(search, "search_articles", lambda *a, **k: list(hits))
    conv = conversation(brand, "a question")
    before = api.get(f"/conversations/{conv.pk}/suggestions").json()["articles"]
    assert before[0]["id"] == rows[0].pk
    # a mark on a translation counts for its source (the article in any language)
    spanish = article(brand, "Artículo 1", "Cuerpo 1", language="es", translation_of=rows[1])
    r = api.post(
        f"/conversations/{conv.pk}/suggestions/uses", {"action": "solved", "article_id": spanish.pk}
    )
    assert r.status_code == 201, r.content
    after = api.get(f"/conversations/{conv.pk}/suggestions").json()["articles"]
    assert after[0]["id"] == rows[1].pk and after[0]["solved"] == 1


# --- uses -----------------------------------------------------------------------------------


def test_uses_are_kept_with_the_message_and_a_repeated_solved_is_one(
    brand: Brand, agent: Agent, api: ApiClient
) -> None:
    row = article(brand, "X200 refunds", "Refund for the X200.")
    macro = Macro.objects.create(brand=brand, name="Thanks", body="Thank you!")
    conv = conversation(brand, LAMP)
    message_id = conv.messages.get().pk
    for body in (
        {"action": "inserted", "article_id": row.pk},
        {"action": "inserted", "article_id": row.pk},
        {"action": "solved", "article_id": row.pk},
        {"action": "solved", "article_id": row.pk},
        {"action": "inserted", "macro_id": macro.pk},
    ):
        r = api.post(f"/conversations/{conv.pk}/suggestions/uses", body)
        assert r.status_code == 201, r.content
        assert r.json()["message_id"] == message_id
    uses = list(SuggestionUse.objects.values_list("action", "article_id", "macro_id", "agent_id"))
    assert sorted(uses, key=str) == sorted(
        [
            ("inserted", row.pk, None, agent.pk),
            ("inserted", row.pk, None, agent.pk),
            ("solved", row.pk, None, agent.pk),
            ("inserted", None, macro.pk, agent.pk),
        ],
        key=str,
    )


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"action": "solved"}, 422, "article_id"),
        ({"action": "liked", "article_id": 1}, 422, None),
        ({"action": "solved", "article_id": 999999}, 404, "article_id"),
        ({"action": "solved", "macro_id": 999999}, 404, "macro_id"),
        ({"action": "solved", "article_id": "x"}, 422, None),
    ],
)
def test_bad_uses_are_refused(
    body: dict[str, Any], status: int, field: str | None, brand: Brand, api: ApiClient
) -> None:
    conv = conversation(brand, LAMP)
    r = api.post(f"/conversations/{conv.pk}/suggestions/uses", body)
    assert r.status_code == status, r.content
    if field:
        assert field in r.content.decode()
    assert not SuggestionUse.objects.exists()


def test_the_other_brands_article_or_macro_is_not_a_use(
    brand: Brand, other_brand: Brand, api: ApiClient
) -> None:
    conv = conversation(brand, LAMP)
    theirs = article(other_brand, "Globex", "Globex body")
    macro = Macro.objects.create(brand=other_brand, name="Theirs", body="x")
    for body in (
        {"action": "solved", "article_id": theirs.pk},
        {"action": "inserted", "macro_id": macro.pk},
    ):
        assert api.post(f"/conversations/{conv.pk}/suggestions/uses", body).status_code == 404
    other_conv = conversation(other_brand, LAMP)
    mine = article(brand, "Mine", "Mine")
    r = api.post(
        f"/conversations/{other_conv.pk}/suggestions/uses",
        {"action": "solved", "article_id": mine.pk},
    )
    assert r.status_code == 404
    assert not SuggestionUse.objects.exists()


# --- proposed edits -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side", ["brand", "other_brand"])
def test_every_role_proposes_edits_in_its_brand_only(
    role: str,
    side: str,
    request: pytest.FixtureRequest,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    home = request.getfixturevalue(side)
    away = other_brand if side == "brand" else brand
    agent = make_agent(role, brands=[home])
    api = make_api(agent)
    own = article(home, "Returns", "Return within 30 days.")
    foreign = article(away, "Returns", "Return within 30 days.")
    conv = conversation(home, "Can I return it after 40 days?")
    r = api.post(
        f"/kb/articles/{own.pk}/proposals",
        {"body": "Say 60 days for members.", "conversation_id": conv.pk},
    )
    assert r.status_code == 201, r.content
    proposal = Proposal.objects.get(pk=r.json()["id"])
    assert (proposal.kind, proposal.status, proposal.article_id, proposal.conversation_id) == (
        "edit",
        "open",
        own.pk,
        conv.pk,
    )
    assert (proposal.brand_id, proposal.proposed_by_id, proposal.title, proposal.language) == (
        home.pk,
        agent.pk,
        "Returns",
        "en",
    )
    assert api.post(f"/kb/articles/{foreign.pk}/proposals", {"body": "x"}).status_code == 404
    other_conv = conversation(away, "question")
    r = api.post(
        f"/kb/articles/{own.pk}/proposals", {"body": "x", "conversation_id": other_conv.pk}
    )
    assert r.status_code == 404 and "conversation_id" in r.content.decode()
    assert Proposal.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "body"),
        ({"body": ""}, 422, "body"),
        ({"body": "   \n "}, 422, "body"),
        ({"body": "x" * 50_001}, 422, "body"),
        ({"body": "ok", "title": "t" * 301}, 422, "title"),
        ({"body": "a\x00b"}, 400, "body"),
        ({"body": "ok", "conversation_id": 999999}, 404, "conversation_id"),
        ({"body": "ok", "conversation_id": "abc"}, 422, "conversation_id"),
    ],
)
def test_bad_proposals_are_refused_naming_the_field(
    body: dict[str, Any], status: int, field: str, brand: Brand, api: ApiClient
) -> None:
    row = article(brand, "Returns", "Return within 30 days.")
    r = api.post(f"/kb/articles/{row.pk}/proposals", body)
    assert r.status_code == status, r.content
    assert field in r.content.decode()
    assert not Proposal.objects.exists()


def test_no_proposal_for_a_missing_or_archived_article(brand: Brand, api: ApiClient) -> None:
    assert api.post("/kb/articles/999999/proposals", {"body": "x"}).status_code == 404
    archived = article(brand, "Old", "Old.", status=ArticleStatus.ARCHIVED)
    r = api.post(f"/kb/articles/{archived.pk}/proposals", {"body": "x"})
    assert r.status_code == 422 and "article" in r.content.decode()
    assert not Proposal.objects.exists()


def test_a_proposed_title_and_a_translation_keep_their_language(
    brand: Brand, api: ApiClient
) -> None:
    source = article(brand, "Returns", "Return within 30 days.")
    spanish = article(
        brand, "Devoluciones", "Devolución en 30 días.", language="es", translation_of=source
    )
    r = api.post(
        f"/kb/articles/{spanish.pk}/proposals",
        {"body": "Devolución en 60 días.", "title": "Devoluciones (socios)"},
    )
    assert r.status_code == 201
    assert (r.json()["language"], r.json()["title"]) == ("es", "Devoluciones (socios)")
