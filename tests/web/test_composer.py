"""The composer's endpoints through Django's test client: the colleagues to @mention, the
translation preview, forwarding, and CC/BCC on a reply; each for an agent, a supervisor
and an administrator of each of two brands, and with the other brand's ids."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from tests.factories import quick_conversation
from tests.intelligence.translation_servers import FakeLibreTranslate
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Inbox, Message, OutboxMessage
from wowdesk.core.audit import AuditLog
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.intelligence.translate import DatabaseTranslationCache, reset_provider
from wowdesk.intelligence.translation import provider_from_settings
from wowdesk.web.composer import initials, language_name, split_addresses

ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@pytest.fixture
def login(db: None) -> Callable[[Agent], Client]:
    def make(agent: Agent) -> Client:
        client = Client()
        client.force_login(agent.user)
        return client

    return make


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate() as server:
        reset_provider(
            provider_from_settings(
                "libretranslate", server.url, timeout=5, cache=DatabaseTranslationCache()
            )
        )
        yield server
    reset_provider(None)


@pytest.fixture
def no_provider() -> Iterator[None]:
    reset_provider(provider_from_settings("none"))
    yield
    reset_provider(None)


def email_conversation(brand: Brand) -> Conversation:
    inbox = Inbox.objects.filter(
        brand=brand, channel="email"
    ).first() or conversations.create_inbox(
        brand_id=brand.pk,
        name=f"Mail {brand.slug}",
        channel="email",
        address=f"help@{brand.slug}.test",
    )
    return quick_conversation(brand, inbox=inbox)


def test_initials_and_address_lists() -> None:
    assert initials("Ana Lima") == "AL"
    assert initials("bo") == "B"
    assert initials("Jean Luc Picard") == "JP"
    assert initials("  ") == "?"
    assert initials("李 小龙") == "李小"
    assert split_addresses(" a@x.com, b@y.org;c@z.net\n d@w.io ") == [
        "a@x.com",
        "b@y.org",
        "c@z.net",
        "d@w.io",
    ]
    assert split_addresses("   ") == []
    assert language_name("de") == "German"
    assert language_name("zh") == "Simplified Chinese"
    assert language_name("pt-BR") == "Brazilian Portuguese"
    assert language_name("tlh") == "tlh"


# --- @mention: the colleagues of the conversation's brand ---------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_mentions_list_the_brands_colleagues_only(
    role: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
) -> None:
    for home, away in ((brand, other_brand), (other_brand, brand)):
        me = make_agent(role, brands=[home], name=f"Me {home.slug} {role}")
        mate = make_agent(Role.AGENT, brands=[home], name=f"Zoë {home.slug} Mate")
        both = make_agent(Role.SUPERVISOR, brands=[home, away], name=f"Ada Both {home.slug}")
        stranger = make_agent(Role.ADMIN, brands=[away], name=f"Stranger {away.slug}")
        gone = make_agent(Role.AGENT, brands=[home], name=f"Gone {home.slug}")
        gone.is_active = False
        gone.save(update_fields=["is_active"])
        mine, theirs = quick_conversation(home), quick_conversation(away)
        client = login(me)
        r = client.get(f"/inbox/c/{mine.pk}/mentions/")
        assert r.status_code == 200
        people = r.json()
        ids = [p["id"] for p in people]
        assert mate.pk in ids and both.pk in ids
        assert me.pk not in ids and stranger.pk not in ids and gone.pk not in ids
        assert [p["name"] for p in people] == sorted(p["name"] for p in people)
        by_id = {p["id"]: p for p in people}
        assert by_id[mate.pk] == {"id": mate.pk, "name": mate.display_name, "initials": "ZM"}
        # the other brand's conversation is simply not there
        assert client.get(f"/inbox/c/{theirs.pk}/mentions/").status_code == 404
        assert client.get("/inbox/c/999999/mentions/").status_code == 404


def test_mentions_need_a_signed_in_agent(brand: Brand) -> None:
    conversation = quick_conversation(brand)
    r = Client().get(f"/inbox/c/{conversation.pk}/mentions/")
    assert r.status_code in (302, 403) and not r.content.startswith(b"[")


# --- the translation preview ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_preview_translation_in_the_customers_language(
    role: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
    libre: FakeLibreTranslate,
) -> None:
    for home, away in ((brand, other_brand), (other_brand, brand)):
        me = make_agent(role, brands=[home], languages=("en",))
        mine, theirs = quick_conversation(home), quick_conversation(away)
        Conversation.objects.filter(pk__in=[mine.pk, theirs.pk]).update(language="zh")
        client = login(me)
        page = client.get(f"/inbox/c/{mine.pk}/")
        assert b'id="preview-translation"' in page.content
        r = client.post(
            f"/inbox/c/{mine.pk}/preview-translation/", {"body": "Your order arrives tomorrow."}
        )
        assert r.status_code == 200
        assert r.json()["available"] is True
        assert r.json()["text"] == "您的订单明天送达。"
        assert r.json()["target_language"] == "zh"
        refused = client.post(f"/inbox/c/{mine.pk}/preview-translation/", {"body": "  "})
        assert refused.status_code == 422 and refused.json()["field"] == "body"
        other = client.post(f"/inbox/c/{theirs.pk}/preview-translation/", {"body": "Hello"})
        assert other.status_code == 404
        assert client.get(f"/inbox/c/{mine.pk}/preview-translation/").status_code == 405


def test_preview_is_offered_only_when_needed_and_configured(
    brand: Brand,
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
    libre: FakeLibreTranslate,
) -> None:
    me = make_agent(Role.AGENT, languages=("en", "de"))
    conversation = quick_conversation(brand)
    client = login(me)
    for language, offered in (("de", False), ("en", False), ("zh", True), ("", False)):
        Conversation.objects.filter(pk=conversation.pk).update(language=language)
        page = client.get(f"/inbox/c/{conversation.pk}/")
        assert (b'id="preview-translation"' in page.content) is offered, language
    reset_provider(provider_from_settings("none"))
    Conversation.objects.filter(pk=conversation.pk).update(language="zh")
    assert b'id="preview-translation"' not in client.get(f"/inbox/c/{conversation.pk}/").content


def test_preview_without_a_provider_says_so(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client], no_provider: None
) -> None:
    conversation = quick_conversation(brand)
    Conversation.objects.filter(pk=conversation.pk).update(language="zh")
    r = login(agent).post(f"/inbox/c/{conversation.pk}/preview-translation/", {"body": "Hi"})
    assert r.status_code == 200
    assert r.json()["available"] is False and r.json()["text"] == ""
    assert "no translation available" in r.json()["detail"]


def test_the_composer_sends_the_translation_or_the_original(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client], libre: FakeLibreTranslate
) -> None:
    conversation = quick_conversation(brand)
    Conversation.objects.filter(pk=conversation.pk).update(language="zh")
    client = login(agent)
    url = f"/inbox/c/{conversation.pk}/reply/"
    text = "Your order arrives tomorrow."
    assert client.post(url, {"body": text, "translate_to": "zh"}).status_code == 302
    sent = Message.objects.filter(conversation=conversation, direction=Direction.OUT).latest("id")
    assert (sent.body, sent.language) == ("您的订单明天送达。", "zh")
    assert sent.meta["original_body"] == text
    assert client.post(url, {"body": text, "translate_to": ""}).status_code == 302
    original = Message.objects.filter(conversation=conversation, direction=Direction.OUT).latest(
        "id"
    )
    assert original.body == text and "original_body" not in original.meta
    # a note is never translated
    assert client.post(url, {"body": text, "translate_to": "zh", "mode": "note"}).status_code == 302
    note = Message.objects.filter(conversation=conversation, direction=Direction.NOTE).get()
    assert note.body == text


def test_send_translated_without_a_provider_is_refused_and_nothing_written(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client], no_provider: None
) -> None:
    conversation = quick_conversation(brand)
    r = login(agent).post(
        f"/inbox/c/{conversation.pk}/reply/", {"body": "We are on it.", "translate_to": "de"}
    )
    assert r.status_code == 422
    assert "We are on it." in r.content.decode()  # the draft is kept
    assert not Message.objects.filter(conversation=conversation, direction=Direction.OUT).exists()


# --- CC and BCC on an email reply ----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_cc_and_bcc_are_stored_on_an_email_reply(
    role: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
) -> None:
    for home, away in ((brand, other_brand), (other_brand, brand)):
        me = make_agent(role, brands=[home])
        mine, theirs = email_conversation(home), email_conversation(away)
        client = login(me)
        page = client.get(f"/inbox/c/{mine.pk}/")
        assert b'id="composer-cc"' in page.content and b'id="composer-bcc"' in page.content
        r = client.post(
            f"/inbox/c/{mine.pk}/reply/",
            {"body": "Copied.", "cc": "Bo@Example.com, cy@example.org", "bcc": "boss@acme.test"},
        )
        assert r.status_code == 302
        sent = Message.objects.filter(conversation=mine, direction=Direction.OUT).get()
        assert sent.meta["cc"] == ["bo@example.com", "cy@example.org"]
        assert sent.meta["bcc"] == ["boss@acme.test"]
        assert OutboxMessage.objects.filter(message=sent).exists()
        other = client.post(f"/inbox/c/{theirs.pk}/reply/", {"body": "x", "cc": "a@b.co"})
        assert other.status_code == 404
        assert not Message.objects.filter(conversation=theirs, direction=Direction.OUT).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cc", "not-an-address"),
        ("cc", "a@b.co, two@@x.com"),
        ("bcc", "boss@"),
        ("bcc", "@example.com"),
        ("cc", "a b@x.com"),
        ("cc", ", ".join(f"p{i}@x.com" for i in range(21))),
    ],
)
def test_a_bad_copy_address_is_refused_naming_the_field(
    field: str, value: str, brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    conversation = email_conversation(brand)
    r = login(agent).post(f"/inbox/c/{conversation.pk}/reply/", {"body": "Hello", field: value})
    assert r.status_code == 422
    label = {"cc": "Cc", "bcc": "Bcc"}[field]
    assert f"{label}: " in r.content.decode()
    assert not Message.objects.filter(conversation=conversation, direction=Direction.OUT).exists()


def test_copies_only_on_email_and_never_on_a_note(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    chat = quick_conversation(brand, channel="chat")
    client = login(agent)
    assert b'id="composer-cc"' not in client.get(f"/inbox/c/{chat.pk}/").content
    r = client.post(f"/inbox/c/{chat.pk}/reply/", {"body": "Hi", "cc": "a@b.co"})
    assert r.status_code == 422 and "Cc: " in r.content.decode()
    with pytest.raises(conversations.InvalidInput) as refused:
        conversations.add_reply(
            email_conversation(brand), author=agent, body="n", private=True, bcc=["a@b.co"]
        )
    assert refused.value.field == "bcc"
    # the web form's note ignores the (hidden) copy fields
    mail = email_conversation(brand)
    r = client.post(f"/inbox/c/{mail.pk}/reply/", {"body": "n", "mode": "note", "cc": "a@b.co"})
    assert r.status_code == 302
    assert "cc" not in Message.objects.get(conversation=mail, direction=Direction.NOTE).meta


# --- forwarding ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_forward_from_the_workspace(
    role: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
) -> None:
    for home, away in ((brand, other_brand), (other_brand, brand)):
        me = make_agent(role, brands=[home], name=f"Fwd {home.slug} {role}")
        mine, theirs = email_conversation(home), email_conversation(away)
        client = login(me)
        r = client.post(
            f"/inbox/c/{mine.pk}/forward/", {"to": "Supplier@Parts.example", "note": "See below"}
        )
        assert r.status_code == 302
        line = Message.objects.get(
            conversation=mine, direction=Direction.ACTIVITY, meta__has_key="forward"
        )
        assert line.meta["forward"]["to"] == "supplier@parts.example"
        assert line.meta["forward"]["note"] == "See below"
        assert line.body == f"Forwarded to supplier@parts.example by {me.display_name}"
        assert OutboxMessage.objects.get(message=line).channel == "email"
        log = AuditLog.objects.get(action="conversation.forward", brand_id=home.pk, actor=me)
        assert log.after["to"] == "supplier@parts.example"
        page = client.get(f"/inbox/c/{mine.pk}/").content.decode()
        assert "Forwarded to supplier@parts.example" in page
        assert client.post(f"/inbox/c/{theirs.pk}/forward/", {"to": "x@y.co"}).status_code == 404
        assert not Message.objects.filter(conversation=theirs, meta__has_key="forward").exists()


@pytest.mark.parametrize("to", ["", "nobody", "a@", "two@@x.com", "x" * 400 + "@x.com"])
def test_forward_to_a_bad_address_is_refused(
    to: str, brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    conversation = email_conversation(brand)
    r = login(agent).post(f"/inbox/c/{conversation.pk}/forward/", {"to": to})
    assert r.status_code == 422
    assert "Forward to: " in r.content.decode()
    assert not OutboxMessage.objects.filter(message__conversation=conversation).exists()
    assert not AuditLog.objects.filter(action="conversation.forward").exists()


def test_forward_without_an_email_inbox_says_why(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    conversation = quick_conversation(brand, channel="chat")
    r = login(agent).post(f"/inbox/c/{conversation.pk}/forward/", {"to": "a@b.co"})
    assert r.status_code == 422
    assert "no email inbox" in r.content.decode()
    assert not Message.objects.filter(conversation=conversation, meta__has_key="forward").exists()
