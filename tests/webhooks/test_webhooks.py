"""Signed outgoing webhooks: every public event reaches a real receiver with a valid
signature, a failed delivery is retried, another brand's events never go out, and a
webhook that keeps failing is disabled with an alert for the brand's admins."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import ApiClient, inbound
from tests.factories import make_conversation, make_customer, outbox_of
from tests.webhooks.conftest import Receiver
from wowdesk.channels import outbox
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Message
from wowdesk.core import events
from wowdesk.core.events import PUBLIC, Event
from wowdesk.core.models import Agent, Alert, AlertKind, Brand, Role
from wowdesk.webhooks import services
from wowdesk.webhooks.models import DeliveryStatus, Webhook, WebhookAttempt, WebhookDelivery

ALL = [e.value for e in PUBLIC]


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    def run() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return run


def verify(secret: str, request: Any) -> bool:
    stamp = request.headers["X-Wowdesk-Timestamp"]
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + request.raw, hashlib.sha256)
    return hmac.compare_digest(
        request.headers["X-Wowdesk-Signature"], f"sha256={expected.hexdigest()}"
    )


def send_all() -> None:
    services.deliver_due()


def create(api: ApiClient, url: str, events: list[str] = ALL, **more: Any) -> dict[str, Any]:
    response = api.post("/webhooks", {"url": url, "events": events, **more})
    assert response.status_code == 201, response.content
    data: dict[str, Any] = response.json()
    return data


# --- every public event, signed -------------------------------------------------------


def test_real_actions_reach_the_receiver_signed(
    admin_api: ApiClient, admin: Agent, brand: Brand, receiver: Receiver, commits: Any
) -> None:
    hook = create(admin_api, receiver.url)
    with commits():
        response = admin_api.post("/inbound", inbound("w-1", body="My order never came"))
    assert response.status_code == 202, response.content
    conversation_id = response.json()["conversation_id"]
    with commits():
        patched = admin_api.patch(f"/conversations/{conversation_id}", {"priority": "high"})
    assert patched.status_code == 200, patched.content
    with commits():
        reply = admin_api.post(f"/conversations/{conversation_id}/replies", {"body": "On it"})
    assert reply.status_code == 201, reply.content
    with commits():
        outbox.deliver(outbox_of(Message.objects.get(pk=reply.json()["id"])).pk)
    send_all()

    got = receiver.events()
    for name in (
        "conversation.created",
        "message.created",
        "conversation.updated",
        "message.delivery_changed",
    ):
        assert name in got, got
    assert all(verify(hook["secret"], r) for r in receiver.requests)
    for r in receiver.requests:
        body = r.json
        assert set(body) == {"id", "event", "created_at", "brand_id", "data"}
        assert body["brand_id"] == brand.pk
        assert body["id"] == r.headers["X-Wowdesk-Delivery"]
        assert body["event"] == r.headers["X-Wowdesk-Event"]
        assert abs(int(r.headers["X-Wowdesk-Timestamp"]) - timezone.now().timestamp()) < 3600
    incoming = next(
        r.json
        for r in receiver.requests
        if r.json["event"] == "message.created" and r.json["data"]["direction"] == "in"
    )
    assert incoming["data"]["message"]["body"] == "My order never came"
    assert incoming["data"]["message"]["conversation_id"] == conversation_id
    assert incoming["data"]["conversation"]["number"] >= 1
    updated = next(r.json for r in receiver.requests if r.json["event"] == "conversation.updated")
    assert updated["data"]["changes"] == {"priority": "high"}
    assert updated["data"]["conversation"]["priority"] == "high"
    ids = [r.headers["X-Wowdesk-Delivery"] for r in receiver.requests]
    assert len(set(ids)) == len(ids)
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == len(ids)


def _emit_cases(brand: Brand) -> dict[str, dict[str, Any]]:
    conversation = make_conversation(brand)
    message = conversation.messages.first()
    assert message is not None
    customer = make_customer(brand)
    other = make_customer(brand)
    alert = Alert.objects.create(brand=brand, kind=AlertKind.MOOD_DROP, text="Mood dropped")
    sla = {
        "conversation_id": conversation.pk,
        "target": "first_response",
        "due_at": "2030-01-01T00:00:00+00:00",
    }
    return {
        "message.annotated": {
            "message_id": message.pk,
            "conversation_id": conversation.pk,
            "fields": {"emotion_label": "angry"},
        },
        "customer.created": {"customer_id": customer.pk},
        "customer.updated": {"customer_id": customer.pk, "changes": {"name": "Ana"}},
        "customer.merged": {"customer_id": customer.pk, "merged_id": other.pk},
        "alert.raised": {"alert_id": alert.pk, "kind": alert.kind},
        "sla.warning": sla,
        "sla.breached": sla,
    }


@pytest.mark.parametrize(
    "event",
    [
        "message.annotated",
        "customer.created",
        "customer.updated",
        "customer.merged",
        "alert.raised",
        "sla.warning",
        "sla.breached",
    ],
)
def test_emitted_events_reach_the_receiver_signed(
    event: str, admin_api: ApiClient, brand: Brand, receiver: Receiver, commits: Any
) -> None:
    """Events whose emitters live in other apps, announced with ``events.emit``."""
    payload = _emit_cases(brand)[event]
    hook = create(admin_api, receiver.url, [event])
    with commits(), transaction.atomic():
        events.emit(Event(event), brand_id=brand.pk, **payload)
    send_all()
    assert receiver.events() == [event]
    (request,) = receiver.requests
    assert verify(hook["secret"], request)
    assert not verify("another secret", request)
    data = request.json["data"]
    for key, value in payload.items():
        assert data[key] == value
    if event.startswith("customer."):
        assert data["customer"]["id"] == payload["customer_id"]
    if event == "alert.raised":
        assert data["alert"]["kind"] == AlertKind.MOOD_DROP
    if event.startswith(("sla.", "message.")):
        assert data["conversation"]["id"] == payload["conversation_id"]


def test_only_subscribed_events_are_sent(
    admin_api: ApiClient, brand: Brand, receiver: Receiver, commits: Any
) -> None:
    create(admin_api, receiver.url, ["conversation.updated"])
    with commits():
        conversation = make_conversation(brand)
        conversations.update_conversation(conversation, actor=None, priority="urgent")
    send_all()
    assert receiver.events() == ["conversation.updated"]


# --- brands ---------------------------------------------------------------------------


def test_another_brands_webhook_gets_nothing(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    receiver: Receiver,
    commits: Any,
) -> None:
    other_admin = make_api(make_agent(Role.ADMIN, brands=[other_brand]))
    create(other_admin, receiver.url)
    with commits():
        conversation = make_conversation(brand)
        conversations.update_conversation(conversation, actor=None, priority="high", tags=["x"])
        with transaction.atomic():
            for event, payload in _emit_cases(brand).items():
                events.emit(Event(event), brand_id=brand.pk, **payload)
    send_all()
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_no_query_when_the_brand_has_no_webhook(
    brand: Brand, other_brand: Brand, admin_api: ApiClient, receiver: Receiver
) -> None:
    payload = {"conversation_id": 1, "brand_id": brand.pk}
    services.queue(Event.CONVERSATION_CREATED, payload)  # loads the table once
    with CaptureQueriesContext(connection) as q:
        for _ in range(5):
            services.queue(Event.CONVERSATION_CREATED, payload)
    assert len(q.captured_queries) == 0
    # A webhook (of this brand, for another event): the table reloads once, then no query.
    create(admin_api, receiver.url, ["message.created"])
    services.queue(Event.CONVERSATION_CREATED, payload)
    with CaptureQueriesContext(connection) as q:
        services.queue(Event.CONVERSATION_CREATED, payload)
        services.queue(Event.CONVERSATION_CREATED, {**payload, "brand_id": other_brand.pk})
    assert len(q.captured_queries) == 0
    # Subscribed: one insert.
    with CaptureQueriesContext(connection) as q:
        rows = services.queue(
            Event.MESSAGE_CREATED,
            {"message_id": 1, "conversation_id": 1, "brand_id": brand.pk, "direction": "in"},
        )
    assert len(rows) == 1
    assert len(q.captured_queries) == 1


def test_delivery_rows_roll_back_with_the_event(
    admin_api: ApiClient, brand: Brand, receiver: Receiver
) -> None:
    create(admin_api, receiver.url)
    conversation = make_conversation(brand)
    before = WebhookDelivery.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        conversations.update_conversation(conversation, actor=None, priority="low")
        assert WebhookDelivery.objects.count() == before + 1
        raise RuntimeError("undo")
    assert WebhookDelivery.objects.count() == before


# --- retries, disabling ----------------------------------------------------------------


def _due_now() -> None:
    WebhookDelivery.objects.exclude(next_attempt_at=None).update(next_attempt_at=timezone.now())


@pytest.mark.parametrize("failure", [500, 404, 302, 503])
def test_a_failed_delivery_is_retried_with_the_same_id(
    failure: int, admin_api: ApiClient, brand: Brand, receiver: Receiver, commits: Any
) -> None:
    hook = create(admin_api, receiver.url, ["conversation.updated"])
    receiver.answers = [failure]
    conversation = make_conversation(brand)
    with commits():
        conversations.update_conversation(conversation, actor=None, priority="high")
    send_all()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code == failure
    assert delivery.next_attempt_at is not None
    wait = delivery.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=1) < wait <= dt.timedelta(minutes=1)
    send_all()  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    _due_now()
    send_all()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    first, second = receiver.requests
    assert first.headers["X-Wowdesk-Delivery"] == second.headers["X-Wowdesk-Delivery"]
    assert first.raw == second.raw
    assert verify(hook["secret"], second)
    codes = list(WebhookAttempt.objects.order_by("id").values_list("status_code", flat=True))
    assert codes == [failure, 200]
    listed = admin_api.get(f"/webhooks/{hook['id']}/deliveries").json()
    assert [a["status_code"] for a in listed[0]["attempt_log"]] == [failure, 200]
    assert Webhook.objects.get().failure_count == 0


def test_unreachable_and_timeouts_are_retried(
    admin_api: ApiClient, brand: Brand, monkeypatch: pytest.MonkeyPatch, commits: Any
) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nobody listens there
    create(admin_api, f"http://127.0.0.1:{port}/x", ["conversation.updated"])
    conversation = make_conversation(brand)
    with commits():
        conversations.update_conversation(conversation, actor=None, priority="high")
    send_all()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code is None
    assert "Connect" in delivery.last_error


def test_a_slow_receiver_times_out_and_is_retried(
    admin_api: ApiClient,
    brand: Brand,
    receiver: Receiver,
    commits: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "TIMEOUT", 0.2)
    create(admin_api, receiver.url, ["conversation.updated"])
    receiver.delay = 1.0
    conversation = make_conversation(brand)
    with commits():
        conversations.update_conversation(conversation, actor=None, priority="high")
    send_all()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_error == "timeout"
    assert delivery.last_status_code is None
    receiver.delay = 0.0
    _due_now()
    send_all()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_backoff_grows_then_gives_up(
    admin_api: ApiClient, brand: Brand, receiver: Receiver, commits: Any
) -> None:
    create(admin_api, receiver.url, ["conversation.updated"])
    receiver.answers = [500] * services.MAX_ATTEMPTS
    conversation = make_conversation(brand)
    with commits():
        conversations.update_conversation(conversation, actor=None, priority="high")
    waits = []
    for _ in range(services.MAX_ATTEMPTS):
        send_all()
        d = WebhookDelivery.objects.get()
        if d.next_attempt_at is not None:
            waits.append(d.next_attempt_at - timezone.now())
        _due_now()
    d = WebhookDelivery.objects.get()
    assert d.status == DeliveryStatus.FAILED
    assert d.attempts == services.MAX_ATTEMPTS
    assert waits == sorted(waits)
    assert len(waits) == len(services.BACKOFF)


def test_failing_webhook_is_disabled_and_admins_alerted(
    admin_api: ApiClient,
    brand: Brand,
    receiver: Receiver,
    commits: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "DISABLE_AFTER", 3)
    hook = create(admin_api, receiver.url, ["conversation.updated"])
    receiver.answers = [500] * 10
    conversation = make_conversation(brand)
    with commits():
        for priority in ("high", "low", "urgent"):
            conversations.update_conversation(conversation, actor=None, priority=priority)
    send_all()
    row = Webhook.objects.get()
    assert not row.active
    assert row.failure_count == 3
    alert = Alert.objects.get(kind=AlertKind.WEBHOOK_DISABLED)
    assert alert.brand_id == brand.pk
    assert receiver.url in str(alert)
    # Disabled: no more rows, and the queued ones are not sent.
    with commits():
        conversations.update_conversation(conversation, actor=None, priority="normal")
    assert WebhookDelivery.objects.count() == 3
    # Enabled again: the failure count starts afresh.
    response = admin_api.patch(f"/webhooks/{hook['id']}", {"active": True})
    assert response.status_code == 200
    assert response.json()["failure_count"] == 0
    assert response.json()["active"] is True


def test_redeliver_sends_again(
    admin_api: ApiClient, brand: Brand, receiver: Receiver, commits: Any
) -> None:
    hook = create(admin_api, receiver.url, ["conversation.updated"])
    conversation = make_conversation(brand)
    with commits():
        conversations.update_conversation(conversation, actor=None, priority="high")
    send_all()
    delivery = WebhookDelivery.objects.get()
    with commits():
        response = admin_api.post(f"/webhooks/{hook['id']}/deliveries/{delivery.pk}/redeliver")
    assert response.status_code == 202, response.content
    send_all()
    assert len(receiver.requests) == 2
    assert receiver.requests[0].raw == receiver.requests[1].raw
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_enqueued_after_commit(
    admin_api: ApiClient, brand: Brand, receiver: Receiver, commits: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    create(admin_api, receiver.url, ["conversation.updated"])
    conversation = make_conversation(brand)
    with commits():
        conversations.update_conversation(conversation, actor=None, priority="high")
    delivery = WebhookDelivery.objects.get()
    task = DBTaskResult.objects.get(task_path__endswith="deliver_webhook_task")
    assert task.args_kwargs["args"] == [delivery.pk]


# --- input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "http://",
        "example.com/hook",
        "",
        "https://exa mple.com/",
        "http://x/" + "a" * 2001,
    ],
)
def test_only_http_urls(admin_api: ApiClient, url: str) -> None:
    response = admin_api.post("/webhooks", {"url": url, "events": ["message.created"]})
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == "url"
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "names, bad",
    [
        (["message.created", "message.deleted"], "message.deleted"),
        (["inbox.created"], "inbox.created"),
        (["outbound.queued"], "outbound.queued"),
        (["MESSAGE.CREATED"], "MESSAGE.CREATED"),
        ([], None),
    ],
)
def test_only_public_events(admin_api: ApiClient, names: list[str], bad: str | None) -> None:
    response = admin_api.post("/webhooks", {"url": "https://example.com/h", "events": names})
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "events"
    if bad:
        assert bad in response.json()["detail"]
    hook = create(admin_api, "https://example.com/h", ["message.created"])
    response = admin_api.patch(f"/webhooks/{hook['id']}", {"events": names})
    assert response.status_code == 400
    assert Webhook.objects.get().events == ["message.created"]


def test_secret_shown_once(admin_api: ApiClient) -> None:
    hook = create(admin_api, "https://example.com/h", ["message.created"], description="CRM")
    assert len(hook["secret"]) == 64
    listed = admin_api.get("/webhooks").json()
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in admin_api.get(f"/webhooks/{hook['id']}").json()
    assert hook["secret"] not in admin_api.get(f"/webhooks/{hook['id']}").content.decode()
