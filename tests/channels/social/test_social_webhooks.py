"""Social webhooks end to end with recorded payloads in each network's documented format."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.channels.social.conftest import payload, payload_bytes
from wowdesk.channels.models import EnvelopeStatus, InboundEnvelope
from wowdesk.channels.social.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    hub_signature,
    sign,
)
from wowdesk.conversations.models import Conversation, Inbox, Message
from wowdesk.customers.models import Customer, Identity

pytestmark = pytest.mark.django_db

MakeInbox = Callable[..., Inbox]


def url(inbox: Inbox) -> str:
    return f"/hooks/social/{inbox.pk}"


def post_meta(client: Client, inbox: Inbox, raw: bytes, secret: str = "meta-app-secret") -> Any:
    return client.post(
        url(inbox),
        raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": hub_signature(secret, raw)},
    )


def post_telegram(client: Client, inbox: Inbox, raw: bytes, token: str = "tg-secret_123") -> Any:
    return client.post(
        url(inbox),
        raw,
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": token},
    )


def post_generic(client: Client, inbox: Inbox, raw: bytes, secret: str = "generic-secret") -> Any:
    ts = int(time.time())
    return client.post(
        url(inbox),
        raw,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(secret, raw, ts), TIMESTAMP_HEADER: str(ts)},
    )


# --- WhatsApp ----------------------------------------------------------------------------


def test_whatsapp_verification_handshake(client: Client, social_inbox: MakeInbox) -> None:
    inbox = social_inbox("whatsapp")
    handshake = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    ok = client.get(url(inbox), {**handshake, "hub.verify_token": "meatyhamhock"})
    assert ok.status_code == 200
    assert ok.content == b"1158201444"
    wrong = client.get(url(inbox), {**handshake, "hub.verify_token": "nope"})
    assert wrong.status_code == 403


def test_whatsapp_message_lands_once_on_the_customer(
    client: Client, social_inbox: MakeInbox
) -> None:
    inbox = social_inbox("whatsapp")
    raw = payload_bytes("whatsapp_text.json")
    first = post_meta(client, inbox, raw)
    again = post_meta(client, inbox, raw)  # Meta re-delivers until it gets a 200

    assert first.status_code == 200, first.content
    [result] = first.json()["results"]
    assert result["duplicate"] is False
    assert again.json()["results"][0]["duplicate"] is True
    assert again.json()["results"][0]["message_id"] == result["message_id"]
    message = Message.objects.get()
    assert message.channel == "social"
    assert message.body == "Does it come in another color?"
    assert message.external_id.startswith("whatsapp:wamid.")
    assert message.meta["social"]["reply_to"] == "16505551234"
    assert message.conversation.inbox_id == inbox.pk
    customer = Customer.objects.get()
    assert customer.name == "Sheena Nelson"
    handles = set(Identity.objects.values_list("kind", "value"))
    assert handles == {("social", "whatsapp:16505551234"), ("phone", "+16505551234")}


def test_whatsapp_image_and_status_updates(client: Client, social_inbox: MakeInbox) -> None:
    inbox = social_inbox("whatsapp")
    image = post_meta(client, inbox, payload_bytes("whatsapp_image.json"))
    status = post_meta(client, inbox, payload_bytes("whatsapp_status.json"))
    assert image.status_code == 200 and status.status_code == 200
    assert status.json() == {"received": 0, "results": []}
    message = Message.objects.get()
    assert message.body == "[image] The shade is cracked"
    assert message.meta["social"]["extra"]["media"]["id"] == "1003383421387256"


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, 403)],
)
def test_whatsapp_bad_signature_stores_nothing(
    client: Client, social_inbox: MakeInbox, headers: dict[str, str], status: int
) -> None:
    inbox = social_inbox("whatsapp")
    raw = payload_bytes("whatsapp_text.json")
    response = client.post(url(inbox), raw, content_type="application/json", headers=headers)
    assert response.status_code == status
    wrong_secret = post_meta(client, inbox, raw, secret="another-app")
    assert wrong_secret.status_code == 403
    assert InboundEnvelope.objects.count() == 0 and Message.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"object": "instagram", "entry": []}',
        b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",'
        b' "value": {"messages": [{"id": "wamid.1", "type": "text"}]}}]}]}',
        # JSON only Python reads (core/input.py): kept raw and refused, never stored parsed
        b'{"object": "whatsapp_business_account", "entry": [{"id": NaN}]}',
        b'{"object": "whatsapp_business_account", "entry": [{"id": 1e999}]}',
        b'{"object": "whatsapp_business_account", "entry": ' + b"[" * 100 + b"]" * 100 + b"}",
    ],
)
def test_whatsapp_malformed_body_is_kept_with_the_reason(
    client: Client, social_inbox: MakeInbox, raw: bytes
) -> None:
    inbox = social_inbox("whatsapp")
    response = post_meta(client, inbox, raw)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed"
    envelope = InboundEnvelope.objects.get(pk=response.json()["envelope_id"])
    assert envelope.status == EnvelopeStatus.REJECTED
    assert envelope.payload["raw"] == raw.decode()
    assert envelope.error
    # the same bad body again is kept once
    assert post_meta(client, inbox, raw).json()["envelope_id"] == envelope.pk
    assert Message.objects.count() == 0


# --- Telegram ----------------------------------------------------------------------------


def test_telegram_update_with_secret_token(client: Client, social_inbox: MakeInbox) -> None:
    inbox = social_inbox("telegram")
    raw = payload_bytes("telegram_message.json")
    assert post_telegram(client, inbox, raw, token="wrong").status_code == 403
    assert post_telegram(client, inbox, raw, token="").status_code == 401
    assert InboundEnvelope.objects.count() == 0
    response = post_telegram(client, inbox, raw)
    assert response.status_code == 200, response.content
    photo = post_telegram(client, inbox, payload_bytes("telegram_photo.json"))
    member = post_telegram(client, inbox, payload_bytes("telegram_member.json"))
    assert member.json()["received"] == 0
    assert post_telegram(client, inbox, raw).json()["results"][0]["duplicate"] is True

    messages = list(Message.objects.order_by("id"))
    assert [m.body for m in messages] == [
        "My order #4521 has not arrived yet",
        "[photo] This is the box it came in",
    ]
    assert photo.json()["results"][0]["conversation_id"] == messages[0].conversation_id
    assert messages[0].external_id == "telegram:1111111:1365"
    assert messages[0].meta["social"]["reply_to"] == "1111111"
    customer = Customer.objects.get()
    assert customer.name == "Test Firstname Test Lastname"
    assert Identity.objects.get().value == "telegram:1111111"


# --- Messenger ---------------------------------------------------------------------------


def test_messenger_messages_postbacks_and_echoes(client: Client, social_inbox: MakeInbox) -> None:
    inbox = social_inbox("messenger")
    ok = client.get(
        url(inbox),
        {"hub.mode": "subscribe", "hub.challenge": "42", "hub.verify_token": "meatyhamhock"},
    )
    assert ok.content == b"42"
    text = post_meta(client, inbox, payload_bytes("messenger_text.json"))
    mixed = post_meta(client, inbox, payload_bytes("messenger_echo_and_postback.json"))
    assert text.status_code == 200 and mixed.status_code == 200
    assert mixed.json()["received"] == 1  # the echo of our reply and the receipt are skipped
    bodies = list(Message.objects.order_by("id").values_list("body", flat=True))
    assert bodies == ["hello, world!", "Talk to a person"]
    conversation = Conversation.objects.get()
    assert conversation.customer.identities.get().value == "messenger:2345678901234567"


# --- generic -----------------------------------------------------------------------------


def test_generic_signed_webhook(client: Client, social_inbox: MakeInbox) -> None:
    inbox = social_inbox("generic")
    raw = payload_bytes("generic.json")
    assert post_generic(client, inbox, raw, secret="x").status_code == 403
    unsigned = client.post(url(inbox), raw, content_type="application/json")
    assert unsigned.status_code == 401
    response = post_generic(client, inbox, raw)
    assert response.status_code == 200, response.content
    message = Message.objects.get()
    assert message.external_id == "line:468789577898262530"
    assert message.sender is not None and message.sender.name == "Brown"
    assert message.meta["social"]["network"] == "line"
    assert post_generic(client, inbox, raw).json()["results"][0]["duplicate"] is True


def test_a_message_the_core_refuses_is_parked_not_lost(
    client: Client, social_inbox: MakeInbox
) -> None:
    inbox = social_inbox("generic")
    body: dict[str, Any] = payload("generic.json")
    body["network"] = "n" * 30
    body["user"]["id"] = "x" * 295  # "network:id" is longer than an identity can be

    response = post_generic(client, inbox, json.dumps(body).encode())
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["status"] == EnvelopeStatus.REJECTED and result["error"]
    envelope = InboundEnvelope.objects.get()
    assert envelope.status == EnvelopeStatus.REJECTED
    assert Message.objects.count() == 0


def test_inboxes_of_other_channels_or_networks_are_404(
    client: Client, social_inbox: MakeInbox, brand: Any
) -> None:
    from wowdesk.conversations import services as conversations

    mail = conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")
    assert client.post(url(mail), b"{}", content_type="application/json").status_code == 404
    odd = social_inbox("generic")
    odd.settings["network"] = "myspace"
    odd.save(update_fields=["settings"])
    assert client.post(url(odd), b"{}", content_type="application/json").status_code == 404
