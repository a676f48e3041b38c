"""The contract of ``POST /api/v1/inbound``: stored first, exactly once, then processed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ApiClient, inbound
from wowdesk.channels.models import InboundEnvelope
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Inbox, Message
from wowdesk.core.models import Brand
from wowdesk.customers.models import Customer, Identity


def counts() -> dict[str, int]:
    return {
        "envelopes": InboundEnvelope.objects.count(),
        "customers": Customer.objects.count(),
        "identities": Identity.objects.count(),
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "inboxes": Inbox.objects.count(),
    }


def post(api: ApiClient, body: dict[str, Any]) -> Any:
    return api.post("/inbound", body)


def test_accepted_with_ids(api: ApiClient, brand: Brand) -> None:
    response = post(api, inbound("m-1"))
    assert response.status_code == 202, response.content
    data = response.json()
    assert set(data) >= {"message_id", "conversation_id", "number", "status", "duplicate"}
    assert data["status"] == "processed"
    assert data["duplicate"] is False
    message = Message.objects.get(pk=data["message_id"])
    assert message.conversation_id == data["conversation_id"]
    assert message.direction == Direction.IN
    assert message.external_id == "m-1"
    assert message.body.startswith("Hello, the lamp")
    conversation = message.conversation
    assert conversation.brand_id == brand.pk
    assert conversation.number == data["number"] == 1
    assert conversation.subject == "My lamp arrived broken"
    assert conversation.customer.email == "ana@example.com"
    assert conversation.customer.name == "Ana Lima"
    assert conversation.inbox.channel == "api"
    assert conversation.message_count == 1
    assert conversation.waiting_since is not None
    envelope = InboundEnvelope.objects.get()
    assert envelope.status == "processed"
    assert envelope.attempts == 1
    assert envelope.message_id == message.pk
    assert envelope.payload["from"]["email"] == "ana@example.com"


def test_same_external_id_same_ids_nothing_new(api: ApiClient) -> None:
    first = post(api, inbound("abc"))
    assert first.status_code == 202, first.content
    before = counts()
    again = post(api, inbound("abc", body="a different body, same id"))
    assert again.status_code == 202
    assert again.json()["message_id"] == first.json()["message_id"]
    assert again.json()["conversation_id"] == first.json()["conversation_id"]
    assert again.json()["duplicate"] is True
    assert counts() == before
    assert Message.objects.get().body.startswith("Hello, the lamp")


def test_same_external_id_on_another_channel_is_another_item(api: ApiClient) -> None:
    a = post(api, inbound("same", channel="api")).json()
    b = post(api, inbound("same", channel="web")).json()
    assert a["message_id"] != b["message_id"]
    assert InboundEnvelope.objects.count() == 2


def test_follow_up_joins_the_open_conversation(api: ApiClient) -> None:
    first = post(api, inbound("m-1")).json()
    second = post(api, inbound("m-2", subject="", body="Any news?")).json()
    assert second["conversation_id"] == first["conversation_id"]
    assert second["message_id"] != first["message_id"]
    conversation = Conversation.objects.get(pk=first["conversation_id"])
    assert conversation.message_count == 2
    assert conversation.subject == "My lamp arrived broken"
    assert Customer.objects.count() == 1


def test_follow_up_by_email_case_joins(api: ApiClient) -> None:
    first = post(api, inbound("m-1")).json()
    sender = {"name": "Ana", "email": "  ANA@Example.COM "}
    second = post(api, inbound("m-2", **{"from": sender})).json()
    assert second["conversation_id"] == first["conversation_id"]


@pytest.mark.parametrize("status", ["pending", "snoozed"])
def test_follow_up_joins_and_reopens_a_waiting_conversation(api: ApiClient, status: str) -> None:
    first = post(api, inbound("m-1")).json()
    conversation = Conversation.objects.get(pk=first["conversation_id"])
    conversations.update_conversation(conversation, actor=None, status=status)
    second = post(api, inbound("m-2")).json()
    assert second["conversation_id"] == first["conversation_id"]
    conversation.refresh_from_db()
    assert conversation.status == "open"


def test_resolved_conversation_is_not_joined(api: ApiClient) -> None:
    first = post(api, inbound("m-1")).json()
    conversation = Conversation.objects.get(pk=first["conversation_id"])
    conversations.update_conversation(conversation, actor=None, status="resolved")
    second = post(api, inbound("m-2", subject="Another thing")).json()
    assert second["conversation_id"] != first["conversation_id"]
    assert second["number"] == 2
    conversation.refresh_from_db()
    assert conversation.status == "resolved"
    new = Conversation.objects.get(pk=second["conversation_id"])
    assert new.customer_id == conversation.customer_id
    assert new.subject == "Another thing"


def test_follow_up_on_another_inbox_is_another_conversation(api: ApiClient, brand: Brand) -> None:
    first = post(api, inbound("m-1")).json()  # creates the brand's default API inbox
    conversations.create_inbox(brand_id=brand.pk, name="Shop", channel="api")
    second = post(api, inbound("m-2", inbox="Shop")).json()
    assert second["conversation_id"] != first["conversation_id"]
    assert Conversation.objects.get(pk=second["conversation_id"]).inbox.name == "Shop"


def test_inbox_by_id(api: ApiClient, brand: Brand) -> None:
    inbox = conversations.create_inbox(brand_id=brand.pk, name="Shop", channel="api")
    data = post(api, inbound("m-1", inbox=inbox.pk)).json()
    assert Conversation.objects.get(pk=data["conversation_id"]).inbox_id == inbox.pk
    data = post(api, inbound("m-2", inbox=str(inbox.pk))).json()
    assert Conversation.objects.get(pk=data["conversation_id"]).inbox_id == inbox.pk


def test_conversation_id_joins_that_conversation(api: ApiClient) -> None:
    first = post(api, inbound("m-1")).json()
    conversation = Conversation.objects.get(pk=first["conversation_id"])
    conversations.update_conversation(conversation, actor=None, status="resolved")
    # another sender, explicitly into this conversation (e.g. a cc'd colleague)
    body = inbound("m-2", conversation_id=conversation.pk, **{"from": {"email": "bo@example.com"}})
    second = post(api, body).json()
    assert second["conversation_id"] == conversation.pk
    conversation.refresh_from_db()
    assert conversation.status == "open"  # a message on a resolved conversation reopens it
    assert conversation.resolved_at is None
    assert conversation.message_count == 2
    message = Message.objects.get(pk=second["message_id"])
    assert message.sender is not None
    assert message.sender.email == "bo@example.com"


def test_subject_defaults_to_first_line_of_body(api: ApiClient) -> None:
    long_line = "x" * 120
    data = post(api, inbound("m-1", subject="  ", body=f"\n{long_line}\nsecond line")).json()
    subject = Conversation.objects.get(pk=data["conversation_id"]).subject
    assert subject == "x" * 79 + "…"


def test_phone_and_handle_senders(api: ApiClient) -> None:
    by_phone = post(api, inbound("p-1", **{"from": {"phone": "+49 30 123456"}})).json()
    again = post(api, inbound("p-2", **{"from": {"phone": "+49 (30) 123-456"}})).json()
    assert by_phone["conversation_id"] == again["conversation_id"]
    chat = post(api, inbound("c-1", channel="chat", **{"from": {"handle": "@Visitor42"}})).json()
    identity = Identity.objects.get(kind="chat")
    assert identity.value == "visitor42"
    assert Conversation.objects.get(pk=chat["conversation_id"]).inbox.channel == "chat"


def test_html_is_sanitised(api: ApiClient) -> None:
    html = (
        '<p onclick="steal()">Hi <b>there</b><script>alert(1)</script>'
        '<a href="javascript:alert(2)">x</a><img src="https://e.x/i.png" onerror="x()">'
        "<iframe src='https://evil'></iframe></p>"
    )
    data = post(api, inbound("h-1", html=html)).json()
    stored = Message.objects.get(pk=data["message_id"]).html
    assert "<b>there</b>" in stored
    assert "<script" not in stored
    assert "alert(1)" not in stored
    assert "onclick" not in stored
    assert "onerror" not in stored
    assert "javascript:" not in stored
    assert "<iframe" not in stored
    assert 'src="https://e.x/i.png"' in stored


def test_plain_body_is_escaped_as_html(api: ApiClient) -> None:
    data = post(api, inbound("t-1", body="1 < 2 & <script>x</script>\n\nbye")).json()
    message = Message.objects.get(pk=data["message_id"])
    assert message.html == "<p>1 &lt; 2 &amp; &lt;script&gt;x&lt;/script&gt;</p><p>bye</p>"
    assert message.body == "1 < 2 & <script>x</script>\n\nbye"


def _without(key: str) -> Any:
    def drop(body: dict[str, Any]) -> dict[str, Any]:
        body.pop(key)
        return body

    return drop


MALFORMED: list[tuple[str, Any, str]] = [
    ("missing from", _without("from"), "from"),
    ("from without address", lambda b: {**b, "from": {"name": "Ana"}}, "from"),
    ("bad email", lambda b: {**b, "from": {"email": "not-an-email"}}, "from.email"),
    ("email with spaces", lambda b: {**b, "from": {"email": "a b@example.com"}}, "from.email"),
    ("bad phone", lambda b: {**b, "from": {"phone": "12"}}, "from.phone"),
    ("national phone", lambda b: {**b, "from": {"phone": "030 123456"}}, "from.phone"),
    ("bad handle", lambda b: {**b, "from": {"handle": "two words"}}, "from.handle"),
    ("from is a string", lambda b: {**b, "from": "ana@example.com"}, "from"),
    ("blank body", lambda b: {**b, "body": "   \n "}, "body"),
    ("missing body", _without("body"), "body"),
    ("body not text", lambda b: {**b, "body": {"text": "hi"}}, "body"),
    ("unknown channel", lambda b: {**b, "channel": "pigeon"}, "channel"),
    ("missing external_id", _without("external_id"), "external_id"),
    ("blank external_id", lambda b: {**b, "external_id": "  "}, "external_id"),
    ("control char in external_id", lambda b: {**b, "external_id": "a\nb"}, "external_id"),
    ("bad conversation_id", lambda b: {**b, "conversation_id": 999999}, "conversation_id"),
    ("negative conversation_id", lambda b: {**b, "conversation_id": -1}, "conversation_id"),
    ("text conversation_id", lambda b: {**b, "conversation_id": "abc"}, "conversation_id"),
    ("unknown inbox name", lambda b: {**b, "inbox": "Nope"}, "inbox"),
    ("unknown inbox id", lambda b: {**b, "inbox": 987654}, "inbox"),
    ("bad sent_at", lambda b: {**b, "sent_at": "yesterday"}, "sent_at"),
    ("body too long", lambda b: {**b, "body": "x" * 200_001}, "body"),
]


@pytest.mark.parametrize(("label", "mutate", "field"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_is_422_naming_the_field_and_stores_nothing(
    api: ApiClient, label: str, mutate: Any, field: str
) -> None:
    before = counts()
    response = post(api, mutate(inbound("bad-1")))
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["field"] == field, data
    assert data["detail"]
    assert counts() == before


def test_malformed_json_is_a_4xx(api: ApiClient) -> None:
    response = api.client.post(
        "/api/v1/inbound",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()
    assert InboundEnvelope.objects.count() == 0


def test_inbox_of_another_brand_is_unknown(api: ApiClient, other_brand: Brand) -> None:
    inbox = conversations.create_inbox(brand_id=other_brand.pk, name="Theirs", channel="api")
    before = counts()
    for ref in (inbox.pk, "Theirs"):
        response = post(api, inbound("x-1", inbox=ref))
        assert response.status_code == 422
        assert response.json()["field"] == "inbox"
    assert counts() == before


def test_envelope_list_for_supervisors(
    api: ApiClient, make_agent: Any, make_api: Any, brand: Brand
) -> None:
    post(api, inbound("m-1"))
    sup = make_api(make_agent("supervisor"))
    data = sup.get("/inbound").json()
    assert data["total"] == 1
    item = data["items"][0]
    assert item["external_id"] == "m-1"
    assert item["status"] == "processed"
    assert item["brand_id"] == brand.pk
    assert sup.get("/inbound", status="failed").json()["total"] == 0
    assert sup.get("/inbound", status="bogus").status_code == 422


def test_nul_characters_are_dropped(api: ApiClient) -> None:
    """PostgreSQL cannot store NUL in text; it means nothing in a message anyway."""
    body = inbound(
        "nul-1",
        subject="Lamp\x00",
        body="Hel\x00lo",
        html="<p>x\x00</p>",
        **{"from": {"name": "A\x00na", "email": "ana@example.com\x00"}},
    )
    data = api.post("/inbound", body).json()
    message = Message.objects.get(pk=data["message_id"])
    assert message.body == "Hello"
    assert message.html == "<p>x</p>"
    assert message.conversation.subject == "Lamp"
    assert message.conversation.customer.name == "Ana"
    assert message.conversation.customer.email == "ana@example.com"
    assert "\x00" not in str(InboundEnvelope.objects.get().payload)
    only_nul = api.post("/inbound", inbound("nul-2", body="\x00"))
    assert only_nul.status_code == 422
    assert only_nul.json()["field"] == "body"
