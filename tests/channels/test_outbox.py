"""Replies go out through an outbox row written in the reply's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import ApiClient
from tests.factories import make_conversation, make_reply, outbox_of
from wowdesk.channels import adapters, outbox
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Message, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent, Brand


@pytest.fixture
def conversation(brand: Brand) -> Conversation:
    return make_conversation(brand)


@pytest.fixture
def email_conversation(brand: Brand) -> Conversation:
    conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")
    return make_conversation(brand, channel="email", inbox="Mail")


def test_reply_queues_and_delivery_is_enqueued_after_commit(
    api: ApiClient,
    conversation: Conversation,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/conversations/{conversation.pk}/replies", {"body": "On it!"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["direction"] == "out"
    assert data["delivery"] == "queued"
    row = OutboxMessage.objects.get()
    assert row.message_id == data["id"]
    assert row.status == OutboxStatus.QUEUED
    assert row.channel == "api"
    assert row.brand_id == conversation.brand_id
    task = DBTaskResult.objects.get(task_path__endswith="deliver_outbox_task")
    assert task.args_kwargs["args"] == [row.pk]


def test_reply_and_outbox_row_commit_together(
    api: ApiClient, conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If anything in the reply's transaction fails, neither the message nor the outbox
    row exists: no reply sent that the thread does not show, and no shown reply unsent."""

    seen: list[int] = []

    def fail_after_queueing(*args: Any, **kwargs: Any) -> None:
        seen.append(OutboxMessage.objects.count())
        raise RuntimeError("crash after the outbox row was written")

    # add_reply's emits run after the outbox row is written, inside the same transaction
    monkeypatch.setattr("wowdesk.conversations.services.emit", fail_after_queueing)
    with pytest.raises(RuntimeError):
        api.post(f"/conversations/{conversation.pk}/replies", {"body": "On it!"})
    assert seen == [1]  # the row was there, inside the transaction
    assert OutboxMessage.objects.count() == 0
    assert not Message.objects.filter(direction="out").exists()
    conversation.refresh_from_db()
    assert conversation.first_response_at is None
    assert conversation.message_count == 1


def test_nothing_is_enqueued_when_the_reply_rolls_back(
    api: ApiClient,
    conversation: Conversation,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(f"/conversations/{conversation.pk}/replies", {"body": "  "})
    assert response.status_code == 422
    assert response.json()["field"] == "body"
    assert callbacks == []
    assert OutboxMessage.objects.count() == 0


def test_deliver_api_channel_marks_sent(
    api: ApiClient, agent: Agent, conversation: Conversation
) -> None:
    message = make_reply(conversation, agent)
    row = outbox.deliver(outbox_of(message).pk)
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 1
    assert row.sent_at is not None
    assert row.last_error == ""
    message.refresh_from_db()
    assert message.sent_at == row.sent_at
    # twice is safe
    again = outbox.deliver(row.pk)
    assert again.status == OutboxStatus.SENT
    assert again.attempts == 1
    shown = api.get(f"/conversations/{conversation.pk}").json()["messages"][-1]
    assert shown["delivery"] == "sent"
    assert shown["sent_at"] is not None


def test_channel_without_adapter_fails_with_a_clear_reason(
    api: ApiClient,
    agent: Agent,
    email_conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(adapters.ADAPTERS, "email")  # as if email had no adapter
    message = make_reply(email_conversation, agent)
    row = outbox.deliver(outbox_of(message).pk)
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 1
    assert row.last_error == "no outbound adapter for channel 'email' is configured"
    message.refresh_from_db()
    assert message.sent_at is None
    shown = api.get(f"/conversations/{email_conversation.pk}").json()["messages"][-1]
    assert shown["delivery"] == "failed"
    assert "no outbound adapter" in shown["delivery_error"]
    failed = api.get("/outbox", status="failed").json()
    assert [o["id"] for o in failed] == [row.pk]
    assert failed[0]["conversation_id"] == email_conversation.pk
    assert failed[0]["last_error"] == row.last_error
    assert api.get("/outbox", status="sent").json() == []


class Flaky:
    calls = 0

    def send(self, message: Message) -> dict[str, str]:
        Flaky.calls += 1
        raise ConnectionError("mail server busy")


class Refusing:
    def send(self, message: Message) -> dict[str, str]:
        raise adapters.PermanentSendError("mailbox does not exist")


def test_transient_errors_retry_with_backoff_then_park(
    agent: Agent,
    email_conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    monkeypatch.setitem(adapters.ADAPTERS, "email", f"{__name__}.Flaky")
    row_id = outbox_of(make_reply(email_conversation, agent)).pk
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = outbox.deliver(row_id)
    assert row.status == OutboxStatus.QUEUED
    assert row.attempts == 1
    assert row.last_error == "ConnectionError: mail server busy"
    assert row.next_attempt_at >= before + dt.timedelta(seconds=30)
    assert callbacks  # the next attempt is scheduled after commit
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_outbox_task").count() == 1
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        row = outbox.deliver(row_id)
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert row.status == OutboxStatus.FAILED
    assert "mail server busy" in row.last_error


def test_permanent_error_fails_at_once(
    agent: Agent, email_conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(adapters.ADAPTERS, "email", f"{__name__}.Refusing")
    row = outbox.deliver(outbox_of(make_reply(email_conversation, agent)).pk)
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 1
    assert row.last_error == "mailbox does not exist"


def test_retry_endpoint(
    api: ApiClient,
    agent: Agent,
    email_conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    monkeypatch.delitem(adapters.ADAPTERS, "email")  # as if email had no adapter
    row = outbox.deliver(outbox_of(make_reply(email_conversation, agent)).pk)
    assert row.status == OutboxStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(f"/outbox/{row.pk}/retry")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "queued"
    assert data["attempts"] == 0
    assert data["id"] == row.pk
    assert data["state"] == "queued"
    # delivery is enqueued again after commit
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_outbox_task").count() == 1
    assert callbacks
    # now a channel adapter exists: it goes out
    monkeypatch.setitem(adapters.ADAPTERS, "email", "wowdesk.channels.adapters.ApiAdapter")
    assert outbox.deliver(row.pk).status == OutboxStatus.SENT
    # only failed rows can be retried
    response = api.post(f"/outbox/{row.pk}/retry")
    assert response.status_code == 422
    assert response.json()["field"] == "outbox_id"
    assert api.post("/outbox/999999/retry").status_code == 404


def test_sweeper_delivers_forgotten_rows(agent: Agent, conversation: Conversation) -> None:
    row = outbox_of(make_reply(conversation, agent))
    assert outbox.deliver_due() == 0  # not due: the task has 30 s to do it
    later = timezone.now() + dt.timedelta(minutes=1)
    assert outbox.deliver_due(now=later) == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (20, 3600)])
def test_backoff(attempts: int, seconds: int) -> None:
    assert outbox.backoff(attempts) == dt.timedelta(seconds=seconds)


@pytest.mark.django_db(transaction=True)
def test_in_wowdesk_serve_a_reply_is_sent_by_a_thread_of_its_process(
    brand: Brand, agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No task row per reply: after the commit a sender thread delivers it; a row whose
    process stopped first is the sweeper's (tests/channels/test_nothing_lost.py)."""
    import time

    from django.db import connection, transaction

    monkeypatch.setenv("WOWDESK_SERVING", "1")
    conversation = make_conversation(brand)
    threads: list[tuple[str, bool]] = []
    real = adapters.ApiAdapter.send

    def watched(self: adapters.ApiAdapter, message: Message) -> dict[str, str]:
        import threading

        threads.append((threading.current_thread().name, connection.in_atomic_block))
        return real(self, message)

    monkeypatch.setattr(adapters.ApiAdapter, "send", watched)
    with transaction.atomic():
        replies = [make_reply(conversation, agent, f"Answer {i}") for i in range(3)]
        assert threads == []  # nothing is sent before the commit
    rows = [outbox_of(r).pk for r in replies]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and OutboxMessage.objects.filter(
        pk__in=rows, status=OutboxStatus.SENT
    ).count() < len(rows):
        time.sleep(0.05)
    assert set(OutboxMessage.objects.filter(pk__in=rows).values_list("status", flat=True)) == {
        OutboxStatus.SENT
    }
    assert len(threads) == 3
    assert all(name.startswith("wowdesk-outbox") and not atomic for name, atomic in threads)
    assert not DBTaskResult.objects.filter(task_path__endswith="deliver_outbox_task").exists()
