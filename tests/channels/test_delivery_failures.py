"""A reply that cannot be delivered reaches the person it concerns: the reason is named
from the first failed attempt (and translated), the message says retrying then failed,
the conversation is marked, a supervisor alert is raised, the author is told live, and a
Retry puts it back in the queue (its author, the assignee or a supervisor only)."""

from __future__ import annotations

import dataclasses
import smtplib
import socket
import ssl
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ApiClient
from tests.factories import make_conversation, make_reply, outbox_of
from wowdesk.channels import adapters, failures, outbox
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, OutboxMessage, OutboxStatus
from wowdesk.core.alerts import message as alert_message
from wowdesk.core.errors import Forbidden
from wowdesk.core.models import Agent, Alert, AlertKind, AuditLog, Brand, Role


def _closed_port() -> int:
    """A local port nobody listens on: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dead_relay(settings: Any) -> int:
    port = _closed_port()
    settings.CONFIG = dataclasses.replace(
        settings.CONFIG, email_host="127.0.0.1", email_port=port, email_timeout=5.0
    )
    return port


@pytest.fixture
def email_conversation(brand: Brand) -> Conversation:
    conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")
    return make_conversation(brand, channel="email", inbox="Mail")


# --- the reason, from the exception ---------------------------------------------------------


def _wrapped(
    cause: BaseException, outer: type[Exception] = adapters.TransientSendError
) -> Exception:
    try:
        try:
            raise cause
        except BaseException as exc:
            raise outer(f"{type(exc).__name__}: {exc}") from exc
    except Exception as wrapped:
        return wrapped


@pytest.mark.parametrize(
    ("cause", "kind"),
    [
        (ConnectionRefusedError(111, "Connection refused"), failures.REFUSED),
        (socket.gaierror(-2, "Name or service not known"), failures.DNS),
        (TimeoutError("timed out"), failures.TIMEOUT),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), failures.AUTH),
        (smtplib.SMTPResponseException(554, b"message refused"), failures.REJECTED),
        (smtplib.SMTPResponseException(451, b"try later"), failures.BUSY),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no such user")}), failures.REJECTED),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (450, b"greylisted")}), failures.BUSY),
        (smtplib.SMTPConnectError(421, b"too many connections"), failures.BUSY),
        (ssl.SSLError(1, "wrong version number"), failures.TLS),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), failures.NETWORK),
        (ConnectionResetError(104, "Connection reset by peer"), failures.NETWORK),
        (httpx.ConnectTimeout("timed out"), failures.TIMEOUT),
        (httpx.ReadTimeout("timed out"), failures.TIMEOUT),
        (httpx.ConnectError("connection failed"), failures.NETWORK),
        (ValueError("something odd"), failures.UNKNOWN),
    ],
)
def test_each_cause_is_named(cause: BaseException, kind: str) -> None:
    assert failures.classify(_wrapped(cause), "email") == kind


def test_the_cause_under_a_library_error_is_found() -> None:
    """httpx wraps the socket error: the refusal underneath still names it."""
    inner = _wrapped(ConnectionRefusedError(111, "Connection refused"), httpx.ConnectError)
    outer = _wrapped(inner, adapters.TransientSendError)
    assert failures.classify(outer, "social") == failures.REFUSED


@pytest.mark.parametrize(
    ("error", "channel", "kind"),
    [
        (
            adapters.PermanentSendError("no address", kind=failures.NO_ADDRESS),
            "email",
            "no_address",
        ),
        (
            adapters.PermanentSendError("the inbox needs a bot_token", kind="setup"),
            "social",
            "setup",
        ),
        (adapters.PermanentSendError("400 chat not found"), "social", failures.API),
        (adapters.TransientSendError("429 too many requests"), "social", failures.API),
        (adapters.PermanentSendError("mailbox does not exist"), "email", failures.UNKNOWN),
    ],
)
def test_adapter_errors_without_a_network_cause(error: Exception, channel: str, kind: str) -> None:
    assert failures.classify(error, channel) == kind


def test_every_reason_is_translated() -> None:
    for kind in failures.KINDS:
        for channel in ("email", "social"):
            with translation.override("en"):
                english = failures.reason(kind, channel)
            with translation.override("zh-hans"):
                chinese = failures.reason(kind, channel)
            assert english and chinese and english != chinese, (kind, channel)


# --- a real SMTP relay that refuses the connection ------------------------------------------


def test_a_refused_relay_says_retrying_then_failed_marks_and_alerts(
    agent: Agent, email_conversation: Conversation, dead_relay: int
) -> None:
    reply = make_reply(email_conversation, agent)
    row = outbox.deliver(outbox_of(reply).pk)
    assert row.status == OutboxStatus.QUEUED
    assert outbox.state(row) == "retrying"
    assert row.error_kind == failures.REFUSED
    assert "refused" in row.last_error.lower()  # the server's own words kept for the API
    email_conversation.refresh_from_db()
    assert email_conversation.delivery_issue == "retrying"
    assert not Alert.objects.exists()

    for _ in range(outbox.MAX_ATTEMPTS - 1):
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
        row = outbox.deliver(row.pk)
    assert row.status == OutboxStatus.FAILED
    assert outbox.state(row) == "failed"
    assert row.error_kind == failures.REFUSED
    email_conversation.refresh_from_db()
    assert email_conversation.delivery_issue == "failed"

    alert = Alert.objects.get()
    assert alert.kind == AlertKind.DELIVERY_FAILED
    assert alert.conversation_id == email_conversation.pk
    assert alert.message_id == reply.pk
    with translation.override("en"):
        assert alert_message(alert) == (
            f"A reply in conversation #{email_conversation.number} could not be delivered: "
            "connection refused by the mail server"
        )
    with translation.override("zh-hans"):
        chinese = alert_message(alert)
    assert f"#{email_conversation.number}" in chinese and "connection" not in chinese

    outbox.retry_failed(row, actor=agent)
    row.refresh_from_db()
    assert row.status == OutboxStatus.QUEUED and row.attempts == 0 and row.error_kind == ""
    email_conversation.refresh_from_db()
    assert email_conversation.delivery_issue == ""
    assert AuditLog.objects.filter(action="outbox.retry", object_id=str(row.pk)).exists()


def test_the_flag_stays_while_another_reply_is_failed(
    agent: Agent, email_conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(adapters.ADAPTERS, "email")
    first = outbox.deliver(outbox_of(make_reply(email_conversation, agent, "one")).pk)
    second = outbox.deliver(outbox_of(make_reply(email_conversation, agent, "two")).pk)
    assert first.error_kind == second.error_kind == failures.NO_ADAPTER
    email_conversation.refresh_from_db()
    assert email_conversation.delivery_issue == "failed"
    outbox.retry_failed(first, actor=agent)
    email_conversation.refresh_from_db()
    assert email_conversation.delivery_issue == "failed"  # the second is still undelivered
    outbox.retry_failed(second, actor=agent)
    email_conversation.refresh_from_db()
    assert email_conversation.delivery_issue == ""


def test_a_delivered_reply_clears_nothing_it_should_not(
    agent: Agent, brand: Brand, email_conversation: Conversation
) -> None:
    """An API-channel reply goes out at once: sent, no flag, no alert."""
    api_conversation = make_conversation(brand)
    row = outbox.deliver(outbox_of(make_reply(api_conversation, agent)).pk)
    assert outbox.state(row) == "sent"
    api_conversation.refresh_from_db()
    assert api_conversation.delivery_issue == ""
    assert not Alert.objects.exists()


# --- events after each change, pushed to the workspace ---------------------------------------


def test_each_change_is_pushed_and_the_author_is_told(
    agent: Agent,
    email_conversation: Conversation,
    dead_relay: int,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from wowdesk.web import live

    pushed: list[tuple[str, str, dict[str, Any]]] = []
    monkeypatch.setattr(
        live, "publish", lambda group, kind, **data: pushed.append((group, kind, data))
    )
    reply = make_reply(email_conversation, agent)
    row_id = outbox_of(reply).pk
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliver(row_id)
    assert (
        f"conversation.{email_conversation.pk}",
        "message.delivery",
        {
            "message_id": reply.pk,
            "conversation_id": email_conversation.pk,
            "state": "retrying",
        },
    ) in pushed
    assert any(
        g == f"brand.{email_conversation.brand_id}" and k == "message.delivery"
        for g, k, _ in pushed
    )
    assert not [p for p in pushed if p[1] == "delivery.failed"]  # not failed yet

    pushed.clear()
    OutboxMessage.objects.filter(pk=row_id).update(attempts=outbox.MAX_ATTEMPTS - 1)
    OutboxMessage.objects.filter(pk=row_id).update(next_attempt_at=reply.created_at)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliver(row_id)
    told = [p for p in pushed if p[1] == "delivery.failed"]
    assert told == [
        (
            f"agent.{agent.pk}",
            "delivery.failed",
            {
                "number": email_conversation.number,
                "outbox_id": row_id,
                "message_id": reply.pk,
                "conversation_id": email_conversation.pk,
                "state": "failed",
            },
        )
    ]


# --- who may retry -----------------------------------------------------------------------------


@pytest.fixture
def failed_row(
    agent: Agent, email_conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> OutboxMessage:
    monkeypatch.delitem(adapters.ADAPTERS, "email")
    return outbox.deliver(outbox_of(make_reply(email_conversation, agent)).pk)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("author", 200),
        ("colleague", 403),
        ("assignee", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("other_agent", 403),
        ("other_supervisor", 403),
        ("other_admin", 403),
    ],
)
def test_retry_endpoint_per_role_and_brand(
    who: str,
    status: int,
    agent: Agent,
    other_brand: Brand,
    email_conversation: Conversation,
    failed_row: OutboxMessage,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    people = {
        "author": agent,
        "colleague": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "other_agent": make_agent(Role.AGENT, brands=[other_brand]),
        "other_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand]),
        "other_admin": make_agent(Role.ADMIN, brands=[other_brand]),
    }
    if who == "assignee":
        people["assignee"] = make_agent(Role.AGENT)
        conversations.update_conversation(
            email_conversation, actor=None, assignee_id=people["assignee"].pk
        )
    response = make_api(people[who]).post(f"/outbox/{failed_row.pk}/retry")
    assert response.status_code == status, response.content
    failed_row.refresh_from_db()
    if status == 200:
        assert response.json()["state"] == "queued"
        assert failed_row.status == OutboxStatus.QUEUED
    else:
        assert failed_row.status == OutboxStatus.FAILED


def test_the_service_refuses_a_stranger(
    failed_row: OutboxMessage, make_agent: Callable[..., Agent]
) -> None:
    with pytest.raises(Forbidden):
        outbox.retry_failed(failed_row, actor=make_agent(Role.AGENT))


# --- the API shows the state and the reason ---------------------------------------------------


def test_api_shows_state_and_reason_in_the_requests_language(
    api: ApiClient, email_conversation: Conversation, failed_row: OutboxMessage
) -> None:
    data = api.get(f"/conversations/{email_conversation.pk}").json()
    out = next(m for m in data["messages"] if m["direction"] == "out")
    assert out["delivery"] == "failed"
    assert out["delivery_state"] == "failed"
    assert out["delivery_reason"] == "this channel cannot send replies"
    listed = api.get("/outbox", status="failed").json()
    assert [(o["id"], o["error_kind"], o["state"]) for o in listed] == [
        (failed_row.pk, failures.NO_ADAPTER, "failed")
    ]
    zh = api.client.get(
        f"/api/v1/conversations/{email_conversation.pk}",
        headers={**api._headers(), "Accept-Language": "zh-Hans"},
    ).json()
    out_zh = next(m for m in zh["messages"] if m["direction"] == "out")
    assert out_zh["delivery_reason"] and out_zh["delivery_reason"] != out["delivery_reason"]


def test_a_bounce_after_sending_fails_marks_and_tells_the_author(
    agent: Agent,
    email_conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """The relay took the mail; a delivery report comes back later: the same state, mark,
    alert and notice as a failed attempt."""
    from wowdesk.channels.email.parse import DeliveryReport
    from wowdesk.channels.email.services import record_bounce
    from wowdesk.web import live

    pushed: list[tuple[str, str]] = []
    monkeypatch.setattr(live, "publish", lambda group, kind, **data: pushed.append((group, kind)))
    reply = make_reply(email_conversation, agent)
    OutboxMessage.objects.filter(message=reply).update(status=OutboxStatus.SENT)
    report = DeliveryReport(
        action="failed", status="5.1.1", recipient="ana@example.com", diagnostic="User unknown"
    )
    with django_capture_on_commit_callbacks(execute=True):
        record_bounce(reply, report, raw_mail_id=0)
    row = outbox_of(reply)
    assert row.status == OutboxStatus.FAILED
    assert row.error_kind == failures.BOUNCED
    assert "5.1.1" in row.last_error
    email_conversation.refresh_from_db()
    assert email_conversation.delivery_issue == "failed"
    assert Alert.objects.get().kind == AlertKind.DELIVERY_FAILED
    assert (f"agent.{agent.pk}", "delivery.failed") in pushed


def test_api_lists_conversations_by_delivery_issue_with_true_totals(
    api: ApiClient, brand: Brand, failed_row: OutboxMessage, email_conversation: Conversation
) -> None:
    others = [make_conversation(brand, subject=f"Lamp {i}") for i in range(3)]
    Conversation.objects.filter(pk=others[0].pk).update(delivery_issue="retrying")
    failed = api.get("/conversations", delivery_issue="failed").json()
    assert [c["id"] for c in failed["items"]] == [email_conversation.pk]
    assert failed["total"] == 1 and failed["items"][0]["delivery_issue"] == "failed"
    retrying = api.get("/conversations", delivery_issue="retrying").json()
    assert [c["id"] for c in retrying["items"]] == [others[0].pk]
    either = api.get("/conversations", delivery_issue="any").json()
    assert either["total"] == 2
    fine = api.get("/conversations", delivery_issue="none").json()
    assert {c["id"] for c in fine["items"]} == {c.pk for c in others[1:]}
    assert fine["total"] == 2
    # with a search, the total still counts only what the filter keeps
    searched = api.get("/conversations", delivery_issue="none", q="lamp").json()
    assert searched["total"] == len(searched["items"]) == 2
    assert api.get("/conversations", delivery_issue="bad").status_code == 422


# --- classify never fails, whatever the chain ---------------------------------------------------

_CAUSES = st.sampled_from(
    [
        ConnectionRefusedError(111, "refused"),
        socket.gaierror(-2, "unknown"),
        TimeoutError("slow"),
        smtplib.SMTPResponseException(550, b"no"),
        smtplib.SMTPResponseException(421, b"later"),
        ssl.SSLError(1, "bad"),
        OSError("down"),
        ValueError("odd"),
        RuntimeError("odd"),
    ]
)


@given(
    causes=st.lists(_CAUSES, min_size=1, max_size=4),
    channel=st.sampled_from(["email", "social", "chat", "api", ""]),
    kind=st.text(max_size=12),
)
def test_classify_always_names_a_known_kind(
    causes: list[BaseException], channel: str, kind: str
) -> None:
    """Any chain of causes, any channel, any ``kind`` an adapter sets: a known kind, and a
    non-empty reason for it."""
    error: BaseException = adapters.TransientSendError("x", kind=kind)
    for cause in causes:
        error.__cause__ = type(cause)(*cause.args)
        error = error.__cause__
    top = adapters.TransientSendError("top", kind=kind)
    top.__cause__ = error
    found = failures.classify(top, channel)
    assert found in failures.KINDS
    assert failures.reason(found, channel)
    assert failures.reason(kind, channel)  # an unknown code still reads as a sentence


@pytest.mark.django_db(transaction=True)
def test_a_bounce_outside_any_transaction_is_recorded(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    """The mail thread records bounces with no transaction open (PostgreSQL refuses a
    row lock outside one: the service opens its own)."""
    from wowdesk.channels.email.parse import DeliveryReport
    from wowdesk.channels.email.services import record_bounce

    conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")
    conversation = make_conversation(brand, channel="email", inbox="Mail")
    reply = make_reply(conversation, make_agent(Role.AGENT))
    OutboxMessage.objects.filter(message=reply).update(status=OutboxStatus.SENT)
    record_bounce(reply, DeliveryReport(action="failed", status="5.1.1"), raw_mail_id=0)
    assert outbox_of(reply).error_kind == failures.BOUNCED
    conversation.refresh_from_db()
    assert conversation.delivery_issue == "failed"
