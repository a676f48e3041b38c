"""Voice webhooks end to end: signed call events → customer, conversation, call log,
screen-pop on the agent's channel-layer group."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.channels.voice.conftest import TWILIO_TOKEN, Listener, payload, post_signed
from wowdesk.channels.models import EnvelopeStatus, InboundEnvelope
from wowdesk.channels.voice.events import twilio_signature
from wowdesk.conversations.models import Conversation, Inbox, Message
from wowdesk.core.models import Agent, Brand, Presence, Role
from wowdesk.core.realtime import agent_group, brand_group
from wowdesk.customers.models import Customer, Identity
from wowdesk.customers.services import Contact, resolve_customer

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def events_url(inbox: Inbox, kind: str = "events") -> str:
    return f"/hooks/voice/{inbox.pk}/{kind}"


def online(agent: Agent) -> Agent:
    Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
    agent.refresh_from_db()
    return agent


def pops(listener: Listener) -> list[dict[str, Any]]:
    return [m for m in listener.received() if m["type"] == "call.ringing"]


def test_ringing_creates_the_caller_logs_the_call_and_pops_up_on_agents_on_shift(
    client: Client,
    voice_inbox: Inbox,
    agent: Agent,
    make_agent: Callable[..., Agent],
    listen: Callable[..., Listener],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    online(agent)
    offline = make_agent(Role.AGENT)
    on_duty = listen(agent_group(agent.pk))
    off_duty = listen(agent_group(offline.pk))

    with django_capture_on_commit_callbacks(execute=True):
        response = post_signed(client, events_url(voice_inbox), payload("generic_ringing.json"))

    assert response.status_code == 202, response.content
    data = response.json()
    assert data["event"] == "ringing" and data["duplicate"] is False
    customer = Customer.objects.get()
    assert customer.phone == "+49301234567"  # "030 1234567" in the inbox's region (DE)
    assert customer.name == "Ana Lima"
    conversation = Conversation.objects.get(pk=data["conversation_id"])
    assert conversation.inbox_id == voice_inbox.pk and conversation.customer_id == customer.pk
    message = Message.objects.get(pk=data["message_id"])
    assert message.channel == "voice"
    assert message.external_id == "pbx-7781:ringing"
    assert "+49301234567" in message.body
    assert message.meta["call"]["id"] == "pbx-7781"

    [pop] = pops(on_duty)
    assert pop == {
        "type": "call.ringing",
        "call_id": "pbx-7781",
        "conversation_id": conversation.pk,
        "customer_id": customer.pk,
        "customer_name": "Ana Lima",
        "phone": "+49301234567",
        "url": pop["url"],
    }
    assert str(conversation.pk) in pop["url"]
    assert pops(off_duty) == []


def test_a_known_caller_is_found_by_number_however_it_is_written(
    client: Client,
    brand: Brand,
    voice_inbox: Inbox,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    known, _created = resolve_customer(brand.pk, Contact(name="Ana", phone="+49 30 1234567"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_signed(client, events_url(voice_inbox), payload("generic_ringing.json"))
    assert response.status_code == 202
    assert Customer.objects.count() == 1
    conversation = Conversation.objects.get(pk=response.json()["conversation_id"])
    assert conversation.customer_id == known.pk


def test_without_an_agent_on_shift_the_pop_goes_to_the_brand(
    client: Client,
    brand: Brand,
    voice_inbox: Inbox,
    listen: Callable[..., Listener],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    board = listen(brand_group(brand.pk))
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, events_url(voice_inbox), payload("generic_ringing.json"))
    [pop] = pops(board)
    assert pop["call_id"] == "pbx-7781"


def test_a_whole_call_is_logged_once_with_duration_recording_and_transcript(
    client: Client,
    voice_inbox: Inbox,
    agent: Agent,
    listen: Callable[..., Listener],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    answering = listen(agent_group(agent.pk))
    with django_capture_on_commit_callbacks(execute=True):
        ring = post_signed(client, events_url(voice_inbox), payload("generic_ringing.json"))
        answer = post_signed(client, events_url(voice_inbox), payload("generic_answered.json"))
        ended = post_signed(client, events_url(voice_inbox), payload("generic_ended.json"))
        # the phone system retries (a timeout on its side): nothing new is stored
        again = post_signed(client, events_url(voice_inbox), payload("generic_ended.json"))

    assert [r.status_code for r in (ring, answer, ended, again)] == [202] * 4
    conversation_id = ring.json()["conversation_id"]
    assert {r.json()["conversation_id"] for r in (answer, ended, again)} == {conversation_id}
    assert again.json()["duplicate"] is True
    assert again.json()["message_id"] == ended.json()["message_id"]

    conversation = Conversation.objects.get(pk=conversation_id)
    assert conversation.assignee_id == agent.pk  # extension 201 took the call
    logs = Message.objects.filter(conversation=conversation, channel="voice", direction="in")
    assert sorted(m.meta["call"]["event"] for m in logs) == ["answered", "ended", "ringing"]
    end = logs.get(external_id="pbx-7781:ended")
    assert end.meta["call"]["duration"] == 185
    assert end.meta["call"]["recording_url"] == "https://pbx.example.com/recordings/pbx-7781.wav"
    assert "3 min 5 s" in end.body
    assert "https://pbx.example.com/recordings/pbx-7781.wav" in end.body
    assert "a new one is on its way" in end.body
    assert InboundEnvelope.objects.filter(external_id="pbx-7781:ended").count() == 1
    # the answering agent got the pop when they picked up
    assert [p["conversation_id"] for p in pops(answering)] == [conversation_id]


@pytest.mark.parametrize(
    ("mangle", "status"),
    [
        ({"signature": "sha256=" + "0" * 64}, 403),
        ({"secret": "not-the-secret"}, 403),
        ({"timestamp": int(time.time()) - 3600}, 403),  # a replay an hour later
        ({"signature": ""}, 401),
    ],
)
def test_a_bad_signature_is_refused_and_nothing_is_stored(
    client: Client, voice_inbox: Inbox, mangle: dict[str, Any], status: int
) -> None:
    response = post_signed(
        client, events_url(voice_inbox), payload("generic_ringing.json"), **mangle
    )
    assert response.status_code == status
    assert response.json()["code"] == "bad_signature"
    assert InboundEnvelope.objects.count() == 0
    assert Customer.objects.count() == 0


def test_a_malformed_body_with_a_good_signature_is_kept_raw_with_the_reason(
    client: Client, voice_inbox: Inbox
) -> None:
    body = b'{"event": "exploded", "call_id": "x"'
    response = post_signed(client, events_url(voice_inbox), body)
    assert response.status_code == 400
    envelope = InboundEnvelope.objects.get(pk=response.json()["envelope_id"])
    assert envelope.status == EnvelopeStatus.REJECTED
    assert envelope.payload["raw"] == body.decode()
    assert "malformed" in envelope.error
    # a valid JSON body that is not an event: kept too, with what is wrong
    response = post_signed(client, events_url(voice_inbox), {"event": "exploded", "call_id": "x"})
    assert response.status_code == 400
    assert "event must be one of" in response.json()["detail"]
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"event": "ringing", "call_id": "c-1", "from": "+4930123", "duration": NaN}',
        b'{"event": "ringing", "call_id": "c-1", "from": "+4930123", "duration": 1e999}',
        b'{"event": "ringing", "call_id": "c-1", "x": ' + b"[" * 100 + b"]" * 100 + b"}",
    ],
)
def test_json_only_python_reads_is_kept_raw_and_refused(
    client: Client, voice_inbox: Inbox, body: bytes
) -> None:
    """NaN, 1e999 or nesting past 32 levels (core/input.py): kept raw with the reason, never
    stored as a parsed event (PostgreSQL's JSON has no NaN)."""
    response = post_signed(client, events_url(voice_inbox), body)
    assert response.status_code == 400
    envelope = InboundEnvelope.objects.get(pk=response.json()["envelope_id"])
    assert envelope.status == EnvelopeStatus.REJECTED
    assert envelope.payload["raw"] == body.decode()
    assert Message.objects.count() == 0 and Customer.objects.count() == 0


def test_unknown_inbox_is_404(client: Client, voice_inbox: Inbox) -> None:
    response = post_signed(client, f"/hooks/voice/{voice_inbox.pk + 999}/events", {})
    assert response.status_code == 404


# --- Twilio ----------------------------------------------------------------------------


def post_twilio(
    client: Client, inbox: Inbox, params: dict[str, str], *, token: str = TWILIO_TOKEN
) -> Any:
    url = f"http://testserver/hooks/voice/{inbox.pk}/twilio"
    signature = twilio_signature(token, url, params.items())
    return client.post(
        url,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


def test_twilio_call_from_ring_to_recording(
    client: Client,
    voice_inbox: Inbox,
    agent: Agent,
    listen: Callable[..., Listener],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    online(agent)
    alice = listen(agent_group(agent.pk))
    with django_capture_on_commit_callbacks(execute=True):
        ring = post_twilio(client, voice_inbox, payload("twilio_incoming_call.json"))
        answered = post_twilio(client, voice_inbox, payload("twilio_dial_answered.json"))
        done = post_twilio(client, voice_inbox, payload("twilio_status_completed.json"))
        recording = post_twilio(client, voice_inbox, payload("twilio_recording.json"))
        retry = post_twilio(client, voice_inbox, payload("twilio_status_completed.json"))

    assert ring.status_code == 200 and ring["Content-Type"].startswith("text/xml")
    assert b"<Client>alice</Client>" in ring.content  # the inbox's TwiML for a ringing call
    for response in (answered, done, recording, retry):
        assert response.status_code == 200, response.content
        assert b"<Response>" in response.content

    conversation = Conversation.objects.get()
    assert conversation.customer.phone == "+14158675309"
    assert conversation.assignee_id == agent.pk  # client:alice answered
    sid = "CA5bb2f6e2f5f9f4b1c2d3e4f5a6b7c8d9"
    logs = {m.external_id: m for m in Message.objects.filter(channel="voice", direction="in")}
    assert set(logs) == {f"{sid}:{k}" for k in ("ringing", "answered", "ended", "recording")}
    assert logs[f"{sid}:ended"].meta["call"]["duration"] == 185
    assert logs[f"{sid}:ended"].meta["call"]["outcome"] == "completed"
    recording_url = payload("twilio_recording.json")["RecordingUrl"]
    assert logs[f"{sid}:recording"].meta["call"]["recording_url"] == recording_url
    assert recording_url in logs[f"{sid}:recording"].body
    # the recording callback has no From: the caller is the call's, not a new customer
    assert logs[f"{sid}:recording"].sender_id == conversation.customer_id
    assert Customer.objects.count() == 1
    pushed = pops(alice)
    assert pushed and all(p["call_id"] == sid for p in pushed)


def test_twilio_refuses_a_wrong_token_or_tampered_parameters(
    client: Client, voice_inbox: Inbox
) -> None:
    params = payload("twilio_incoming_call.json")
    assert post_twilio(client, voice_inbox, params, token="wrong").status_code == 403
    url = f"http://testserver/hooks/voice/{voice_inbox.pk}/twilio"
    signature = twilio_signature(TWILIO_TOKEN, url, params.items())
    tampered = {**params, "From": "+15005550006"}
    response = client.post(
        url,
        urlencode(tampered),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403
    unsigned = client.post(url, urlencode(params), content_type="application/x-www-form-urlencoded")
    assert unsigned.status_code == 401
    assert InboundEnvelope.objects.count() == 0 and Customer.objects.count() == 0


def test_twilio_behind_a_proxy_checks_the_public_url(client: Client, voice_inbox: Inbox) -> None:
    voice_inbox.settings["public_base_url"] = "https://desk.example.com"
    voice_inbox.save(update_fields=["settings"])
    params = payload("twilio_incoming_call.json")
    public = f"https://desk.example.com/hooks/voice/{voice_inbox.pk}/twilio"
    signature = twilio_signature(TWILIO_TOKEN, public, params.items())
    response = client.post(
        f"/hooks/voice/{voice_inbox.pk}/twilio",
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 200, response.content
    assert Identity.objects.filter(kind="phone", value="+14158675309").exists()


# --- Asterisk ARI ----------------------------------------------------------------------


def test_asterisk_ari_events_log_the_call(
    client: Client,
    voice_inbox: Inbox,
    agent: Agent,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    url = events_url(voice_inbox, "asterisk")
    with django_capture_on_commit_callbacks(execute=True):
        codes = [
            post_signed(client, url, payload(name)).status_code
            for name in (
                "asterisk_stasis_start.json",
                "asterisk_state_up.json",
                "asterisk_recording_finished.json",
                "asterisk_destroyed.json",
            )
        ]
        ignored = post_signed(client, url, {"type": "ChannelVarset", "variable": "X"})
    assert codes == [202] * 4
    assert ignored.json() == {"status": "ignored"}
    conversation = Conversation.objects.get()
    assert conversation.customer.phone == "+493012345678"
    assert conversation.assignee_id == agent.pk  # connected line 201
    ended = Message.objects.get(external_id="1746540180.42:ended")
    assert ended.meta["call"]["duration"] == 185  # channel lifetime 14:03:00 → 14:06:05
    recording = Message.objects.get(external_id="1746540180.42:recording")
    assert recording.meta["call"]["recording_url"] == (
        "https://pbx.example.com/ari/recordings/stored/call-1746540180.42/file"
    )
