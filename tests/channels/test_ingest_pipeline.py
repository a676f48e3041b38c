"""Stored before processing: a failure leaves the envelope, marked, and it is processed
exactly once when tried again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from tests.conftest import ApiClient, inbound
from wowdesk.channels import ingest
from wowdesk.channels.models import EnvelopeStatus, InboundEnvelope
from wowdesk.channels.tasks import sweep
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Brand
from wowdesk.customers.models import Customer


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("the database of customers is on fire")


@pytest.fixture
def failing() -> Iterator[pytest.MonkeyPatch]:
    """Processing fails until ``failing.undo()`` (its own patch only)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(ingest, "_deliver", _boom)
    yield patch
    patch.undo()


def test_failure_keeps_the_envelope_marked(
    api: ApiClient,
    failing: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post("/inbound", inbound("f-1"))
    assert response.status_code == 202, response.content
    data = response.json()
    assert data["status"] == "failed"
    assert data["message_id"] is None
    assert data["conversation_id"] is None
    envelope = InboundEnvelope.objects.get()
    assert envelope.status == EnvelopeStatus.FAILED
    assert envelope.error == "RuntimeError: the database of customers is on fire"
    assert envelope.attempts == 1
    assert envelope.message_id is None
    assert envelope.payload["external_id"] == "f-1"
    # nothing half-written
    assert Message.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert Customer.objects.count() == 0
    # a retry is scheduled after commit, deferred by the backoff
    assert len(callbacks) == 1
    task = DBTaskResult.objects.get(task_path__endswith="process_envelope_task")
    assert task.args_kwargs["args"] == [envelope.pk]
    assert task.run_after > envelope.received_at


def test_processing_again_processes_exactly_once(
    api: ApiClient, failing: pytest.MonkeyPatch
) -> None:
    api.post("/inbound", inbound("f-1"))
    envelope = InboundEnvelope.objects.get()
    failing.undo()

    done = ingest.process(envelope.pk)
    assert done.status == EnvelopeStatus.PROCESSED
    assert done.attempts == 2
    assert done.error == ""
    assert done.processed_at is not None
    message = Message.objects.get()
    assert done.message_id == message.pk
    assert done.conversation_id_cache == message.conversation_id

    again = ingest.process(envelope.pk)
    assert again.status == EnvelopeStatus.PROCESSED
    assert again.attempts == 2
    assert Message.objects.count() == 1
    assert Conversation.objects.get().message_count == 1

    # and the same delivery again answers with the same ids, storing nothing
    response = api.post("/inbound", inbound("f-1"))
    assert response.json()["message_id"] == message.pk
    assert response.json()["duplicate"] is True
    assert Message.objects.count() == 1


def test_the_same_item_delivered_again_retries_a_failed_envelope(
    api: ApiClient, failing: pytest.MonkeyPatch
) -> None:
    api.post("/inbound", inbound("f-1"))
    failing.undo()
    response = api.post("/inbound", inbound("f-1"))
    assert response.status_code == 202
    assert response.json()["status"] == "processed"
    assert response.json()["duplicate"] is True
    assert response.json()["message_id"] == Message.objects.get().pk
    assert InboundEnvelope.objects.get().attempts == 2


def test_sweeper_retries_due_envelopes(
    api: ApiClient, failing: pytest.MonkeyPatch, brand: Brand
) -> None:
    api.post("/inbound", inbound("f-1"))
    envelope = InboundEnvelope.objects.get()
    failing.undo()
    # not due yet: received just now
    assert ingest.retry_due_envelopes() == 0
    assert Message.objects.count() == 0
    later = envelope.received_at + dt.timedelta(minutes=5)
    assert ingest.retry_due_envelopes(now=later) == 1
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED
    assert Message.objects.count() == 1
    assert ingest.retry_due_envelopes(now=later) == 0


def test_sweep_picks_up_a_stored_but_unprocessed_envelope(brand: Brand) -> None:
    """An envelope left ``received`` (stored by an older version, or a channel that
    stores now and processes later) is processed by the sweep."""
    from wowdesk.channels.schema import InboundIn

    item = InboundIn.model_validate(inbound("crash-1"))
    envelope = InboundEnvelope.objects.create(
        brand=brand,
        channel=item.channel,
        external_id=item.external_id,
        payload=item.model_dump(mode="json", by_alias=True),
    )
    InboundEnvelope.objects.filter(pk=envelope.pk).update(
        received_at=envelope.received_at - dt.timedelta(minutes=1)
    )
    done = sweep()
    assert (done["envelopes"], done["outbox"]) == (1, 0)
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED
    assert Message.objects.get().external_id == "crash-1"


def test_gives_up_after_max_attempts(
    api: ApiClient,
    failing: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    api.post("/inbound", inbound("f-1"))
    envelope = InboundEnvelope.objects.get()
    for _ in range(ingest.MAX_ATTEMPTS - 2):
        ingest.process(envelope.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        last = ingest.process(envelope.pk)
    assert last.attempts == ingest.MAX_ATTEMPTS
    assert last.status == EnvelopeStatus.FAILED
    assert callbacks == []  # no more retries scheduled: parked for a person
    far = envelope.received_at + dt.timedelta(days=1)
    assert ingest.retry_due_envelopes(now=far) == 0


def test_a_rule_failure_rejects_for_good(api: ApiClient) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise InvalidInput("No such conversation in this brand.", field="conversation_id")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest, "_deliver", refuse)
        response = api.post("/inbound", inbound("r-1"))
    assert response.status_code == 422
    assert response.json()["field"] == "conversation_id"
    envelope = InboundEnvelope.objects.get()
    assert envelope.status == EnvelopeStatus.REJECTED
    assert "conversation_id" in envelope.error
    assert ingest.process(envelope.pk).status == EnvelopeStatus.REJECTED
    assert Message.objects.count() == 0


@pytest.mark.parametrize(("attempts", "seconds"), [(0, 10), (1, 10), (2, 20), (4, 80), (30, 3600)])
def test_retry_delay(attempts: int, seconds: int) -> None:
    assert ingest.retry_delay(attempts) == dt.timedelta(seconds=seconds)
