"""The ingest hot path: its statement count is pinned, the prepared statements write what
the ORM would, a race on the first message of a channel makes one inbox, and routing and
SLA reactions are batched (core.events) when a background thread runs them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from tests.conftest import inbound
from wowdesk.channels.ingest import ingest
from wowdesk.channels.models import EnvelopeStatus, InboundEnvelope
from wowdesk.channels.schema import InboundIn
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Inbox, Message
from wowdesk.core import events, fastsql
from wowdesk.core.models import Brand
from wowdesk.customers.models import Customer, Identity
from wowdesk.webhooks.services import subscriptions

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_batch_listeners() -> Iterator[None]:
    """Count only the request's own statements (routing and SLA run after commit)."""
    keep = [lst.path for lst in events.listener_table() if lst.phase != events.Phase.BATCH]
    with events.isolated(*keep):
        yield


@pytest.fixture
def bare_events() -> Iterator[None]:
    """No listener but the ones the test registers."""
    with events.isolated():
        yield


def _item(external_id: str, **over: Any) -> InboundIn:
    return InboundIn.model_validate(inbound(external_id, **over))


def _statements(fn: Any) -> list[str]:
    with CaptureQueriesContext(connection) as q:
        fn()
    skip = ("SAVEPOINT", "RELEASE", "ROLLBACK")
    return [x["sql"] for x in q.captured_queries if not x["sql"].startswith(skip)]


def test_statement_count_is_pinned(brand: Brand, no_batch_listeners: None) -> None:
    conversations.default_inbox(brand.pk, "api")
    subscriptions.table()  # webhook subscriptions: read once per process and change
    first = _statements(lambda: ingest(brand.pk, _item("q-1")))
    # inbox, envelope, identity lookup, customer, identity, number, conversation, message,
    # envelope update
    assert len(first) == 9, first
    follow_up = _statements(lambda: ingest(brand.pk, _item("q-2")))
    # inbox, envelope, identity lookup, open conversation, message, conversation update,
    # envelope update
    assert len(follow_up) == 7, follow_up
    repeat = _statements(lambda: ingest(brand.pk, _item("q-2")))
    # inbox, the refused insert, the first envelope, its conversation's number
    assert len(repeat) == 4, repeat


def test_prepared_rows_read_back_like_orm_rows(brand: Brand, no_batch_listeners: None) -> None:
    result = ingest(brand.pk, _item("p-1", meta={"k": ["v", 1]}, sent_at="2026-01-02T03:04:05Z"))
    message = Message.objects.get(pk=result.message_id)
    assert message.direction == Direction.IN
    assert message.meta["k"] == ["v", 1]
    assert (
        message.sent_at is not None and message.sent_at.isoformat() == "2026-01-02T03:04:05+00:00"
    )
    assert message.created_at.tzinfo is not None
    conversation = Conversation.objects.get(pk=result.conversation_id)
    assert (conversation.message_count, conversation.number) == (1, result.number)
    assert conversation.waiting_since == conversation.last_message_at is not None
    customer = Customer.objects.get(pk=conversation.customer_id)
    assert customer.email == "ana@example.com" and customer.language == "en"
    assert Identity.objects.filter(customer=customer, kind="email").count() == 1
    envelope = InboundEnvelope.objects.get(pk=result.envelope_id)
    assert envelope.status == EnvelopeStatus.PROCESSED and envelope.message_id == message.pk
    # what fastsql reads equals what the ORM reads
    (again,) = fastsql.select(Message, "id = %s", [message.pk])
    assert {f.attname: getattr(again, f.attname) for f in Message._meta.concrete_fields} == {
        f.attname: getattr(message, f.attname) for f in Message._meta.concrete_fields
    }
    follow = ingest(brand.pk, _item("p-2", body="And the bulb is missing."))
    conversation.refresh_from_db()
    assert follow.conversation_id == conversation.pk and conversation.message_count == 2


def test_first_messages_racing_make_one_default_inbox(
    brand: Brand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request created the inbox between our look-up and our insert."""
    real_select = fastsql.select
    calls = {"n": 0}

    def select_missing_once(model: Any, *args: Any, **kwargs: Any) -> Any:
        if model is Inbox and calls["n"] == 0:
            calls["n"] += 1
            Inbox.objects.create(brand=brand, channel="chat", name="Chat", is_default=True)
            return []
        return real_select(model, *args, **kwargs)

    monkeypatch.setattr(fastsql, "select", select_missing_once)
    inbox = conversations.default_inbox(brand.pk, "chat")
    assert inbox.name == "Chat" and Inbox.objects.filter(brand=brand, channel="chat").count() == 1


@pytest.fixture
def running_batcher() -> Iterator[events.Batcher]:
    batcher = events.Batcher(window=0.01)
    batcher.start()
    yield batcher
    batcher.stop()


@pytest.mark.django_db(transaction=True)  # the batch runs in its own thread's transaction
def test_batcher_hands_a_burst_to_the_listener_at_once(
    monkeypatch: pytest.MonkeyPatch, running_batcher: events.Batcher, bare_events: None
) -> None:
    seen: list[int] = []
    done = threading.Event()

    def listener(payloads: list[dict[str, Any]]) -> None:
        seen.append(len(payloads))
        if sum(seen) == 30:
            done.set()

    monkeypatch.setattr(events, "import_string", lambda path: listener)
    events.listen(events.Event.MESSAGE_CREATED, "x", phase=events.Phase.BATCH)
    for n in range(30):
        running_batcher.submit(events.Event.MESSAGE_CREATED, {"n": n})
    assert done.wait(10)
    assert sum(seen) == 30
    assert len(seen) < 30  # batched, not one call per event


def test_batcher_runs_inline_when_no_thread(
    monkeypatch: pytest.MonkeyPatch, bare_events: None
) -> None:
    calls: list[list[dict[str, Any]]] = []
    monkeypatch.setattr(events, "import_string", lambda path: calls.append)
    events.listen(events.Event.MESSAGE_CREATED, "x", phase=events.Phase.BATCH)
    events.Batcher().submit(events.Event.MESSAGE_CREATED, {"n": 1})
    assert calls == [[{"n": 1}]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.no_ingest_writer  # eight threads each writing inline: the lock, not batching
def test_writers_of_one_process_queue_on_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight threads write at once: each write transaction went through our lock, none
    fails with "database is locked", none is lost."""
    if connection.vendor != "sqlite":
        pytest.skip("the writer lock is the SQLite backend's")
    from wowdesk.core.sqlite.base import DatabaseWrapper

    taken = {"n": 0}
    real_take = DatabaseWrapper._take_write_lock

    def counting_take(self: DatabaseWrapper) -> None:
        real_take(self)
        taken["n"] += 1  # counted while holding the lock: no race

    monkeypatch.setattr(DatabaseWrapper, "_take_write_lock", counting_take)
    brand = Brand.objects.create(name="Lockstep", slug="lockstep")
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for k in range(10):
                ingest(brand.pk, _item(f"t{n}-{k}", **{"from": {"email": f"c{n}@example.com"}}))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert InboundEnvelope.objects.filter(brand=brand).count() == 80
    assert Message.objects.filter(brand=brand, direction=Direction.IN).count() == 80
    assert Conversation.objects.filter(brand=brand).count() == 8
    assert taken["n"] >= 80  # one per ingested item at least


@pytest.mark.django_db(transaction=True)
def test_the_writer_lock_is_released_on_rollback_and_close() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the writer lock is the SQLite backend's")
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        Brand.objects.create(name="Gone", slug="gone")
        raise RuntimeError
    assert not connection._holds_write_lock  # type: ignore[attr-defined]
    got = threading.Event()

    def other() -> None:
        with transaction.atomic():
            Brand.objects.create(name="Next", slug="next")
        got.set()
        connections.close_all()

    t = threading.Thread(target=other)
    t.start()
    t.join(10)
    assert got.is_set()
    assert list(Brand.objects.filter(slug__in=["gone", "next"]).values_list("slug", flat=True)) == [
        "next"
    ]
