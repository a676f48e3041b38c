"""The API of the composer: ``cc``/``bcc`` on ``POST /conversations/{id}/replies`` and
``POST /conversations/{id}/forward``; each role of each of two brands, and the other
brand's ids."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Inbox, Message, OutboxMessage
from wowdesk.core.audit import AuditLog
from wowdesk.core.models import Agent, Brand, Role

ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


def email_conversation(brand: Brand) -> Conversation:
    inbox = Inbox.objects.filter(brand=brand, channel="email").first()
    if inbox is None:
        inbox = conversations.create_inbox(
            brand_id=brand.pk, name="Mail", channel="email", address=f"help@{brand.slug}.test"
        )
    return quick_conversation(brand, inbox=inbox)


@pytest.mark.parametrize("role", ROLES)
def test_reply_with_copies(
    role: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    for home, away in ((brand, other_brand), (other_brand, brand)):
        api = make_api(make_agent(role, brands=[home]))
        mine, theirs = email_conversation(home), email_conversation(away)
        r = api.post(
            f"/conversations/{mine.pk}/replies",
            {"body": "Copied", "cc": ["A@Example.com"], "bcc": ["b@example.com"]},
        )
        assert r.status_code == 201, r.content
        assert (r.json()["cc"], r.json()["bcc"]) == (["a@example.com"], ["b@example.com"])
        stored = Message.objects.get(pk=r.json()["id"])
        assert (stored.meta["cc"], stored.meta["bcc"]) == (["a@example.com"], ["b@example.com"])
        refused = api.post(f"/conversations/{theirs.pk}/replies", {"body": "x", "cc": ["a@b.co"]})
        assert refused.status_code == 403
        assert not Message.objects.filter(conversation=theirs, direction=Direction.OUT).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cc": ["nope"]}, "cc"),
        ({"bcc": ["a@b.co", "x@"]}, "bcc"),
        ({"cc": ["a@b.co"], "private": True}, "cc"),
        ({"cc": [f"p{i}@x.com" for i in range(21)]}, "cc"),
        ({"cc": "a@b.co"}, "cc"),
        ({"bcc": [1, 2]}, "bcc"),
    ],
)
def test_bad_copies_are_refused_naming_the_field(
    body: dict[str, object], field: str, brand: Brand, api: ApiClient
) -> None:
    conversation = email_conversation(brand)
    r = api.post(f"/conversations/{conversation.pk}/replies", {"body": "Hello", **body})
    assert 400 <= r.status_code < 500, r.content
    assert field in r.content.decode()
    assert not Message.objects.filter(
        conversation=conversation, direction__in=(Direction.OUT, Direction.NOTE)
    ).exists()


def test_copies_on_a_chat_conversation_are_refused(brand: Brand, api: ApiClient) -> None:
    chat = quick_conversation(brand, channel="chat")
    r = api.post(f"/conversations/{chat.pk}/replies", {"body": "Hi", "bcc": ["a@b.co"]})
    assert r.status_code == 422 and r.json()["field"] == "bcc"


@pytest.mark.parametrize("role", ROLES)
def test_forward(
    role: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    for home, away in ((brand, other_brand), (other_brand, brand)):
        me = make_agent(role, brands=[home])
        api = make_api(me)
        mine, theirs = email_conversation(home), email_conversation(away)
        r = api.post(
            f"/conversations/{mine.pk}/forward", {"to": "Ops@Partner.example", "note": "FYI"}
        )
        assert r.status_code == 202, r.content
        assert r.json()["to"] == "ops@partner.example"
        line = Message.objects.get(pk=r.json()["id"])
        assert line.direction == Direction.ACTIVITY and line.conversation_id == mine.pk
        assert line.meta["forward"]["note"] == "FYI"
        assert OutboxMessage.objects.filter(message=line, channel="email").exists()
        assert AuditLog.objects.filter(
            action="conversation.forward", actor=me, brand_id=home.pk
        ).exists()
        seen = api.get(f"/conversations/{mine.pk}").json()["messages"]
        assert any(m["body"].startswith("Forwarded to ops@partner.example") for m in seen)
        other = api.post(f"/conversations/{theirs.pk}/forward", {"to": "x@y.co"})
        assert other.status_code == 403
        assert not Message.objects.filter(conversation=theirs, meta__has_key="forward").exists()


@pytest.mark.parametrize("to", ["nobody", "a@", "@b.co", "a b@c.co", "a@b.co, c@d.co"])
def test_forward_to_a_bad_address(to: str, brand: Brand, api: ApiClient) -> None:
    conversation = email_conversation(brand)
    r = api.post(f"/conversations/{conversation.pk}/forward", {"to": to})
    assert r.status_code == 422 and r.json()["field"] == "to"
    assert not OutboxMessage.objects.filter(message__conversation=conversation).exists()


def test_forward_needs_a_brand_email_inbox(brand: Brand, api: ApiClient) -> None:
    chat = quick_conversation(brand, channel="chat")
    r = api.post(f"/conversations/{chat.pk}/forward", {"to": "a@b.co"})
    assert r.status_code == 422 and "no email inbox" in r.json()["detail"]
    assert api.post("/conversations/999999/forward", {"to": "a@b.co"}).status_code == 404
    assert (
        ApiClient(None).post(f"/conversations/{chat.pk}/forward", {"to": "a@b.co"}).status_code
        == 401
    )
