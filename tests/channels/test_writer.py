"""Group commit (channels/writer.py, ``ingest.store_batch``): the items of a burst are
stored in one transaction, each in its own savepoint, and each sender gets its own answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import transaction

from tests.conftest import inbound
from wowdesk.channels import ingest
from wowdesk.channels.models import EnvelopeStatus, InboundEnvelope
from wowdesk.channels.schema import InboundIn
from wowdesk.channels.writer import run_jobs, writer
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.models import Brand


def _pending(brand: Brand, external_id: str, **over: Any) -> ingest.Pending:
    item = InboundIn.model_validate(inbound(external_id, **over))
    return ingest.Pending.of(brand.pk, item, ingest.validate(brand.pk, item), "en")


def test_one_batch_each_item_on_its_own(brand: Brand, monkeypatch: pytest.MonkeyPatch) -> None:
    deliver = ingest._deliver

    def sometimes_on_fire(brand_id: int, item: InboundIn, *args: Any) -> Message:
        if "fire" in item.body:
            raise RuntimeError("on fire")
        return deliver(brand_id, item, *args)

    monkeypatch.setattr(ingest, "_deliver", sometimes_on_fire)
    items = [
        _pending(brand, "b-1"),
        _pending(brand, "b-1"),  # the same item twice in one batch
        _pending(brand, "b-2", body="The warehouse is on fire"),
        _pending(brand, "b-3", body="And a follow-up from Ana"),
    ]
    first, repeat, failed, follow_up = ingest.store_batch(items)

    assert isinstance(first, ingest.IngestResult) and not first.duplicate
    assert isinstance(repeat, ingest.IngestResult) and repeat.duplicate
    assert (repeat.message_id, repeat.conversation_id) == (first.message_id, first.conversation_id)
    assert isinstance(failed, ingest.IngestResult)
    assert (failed.status, failed.message_id) == (EnvelopeStatus.FAILED, None)
    assert isinstance(follow_up, ingest.IngestResult)
    assert follow_up.conversation_id == first.conversation_id  # saw the first, same batch
    assert InboundEnvelope.objects.count() == 3
    assert InboundEnvelope.objects.get(external_id="b-2").status == EnvelopeStatus.FAILED
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(direction="in").count() == 2


def test_a_job_that_fails_to_prepare_fails_alone(brand: Brand) -> None:
    class Broken(ingest.PendingJob):
        def prepare(self, memo: dict[Any, Any]) -> ingest.Pending:
            raise ValueError("cannot")

    good = ingest.PendingJob(_pending(brand, "p-1"))
    broken = Broken(_pending(brand, "p-2"))
    run_jobs([broken, good])
    with pytest.raises(ValueError, match="cannot"):
        broken.future.result(timeout=0)
    assert good.future.result(timeout=0).status == EnvelopeStatus.PROCESSED
    assert list(InboundEnvelope.objects.values_list("external_id", flat=True)) == ["p-1"]


def test_a_batch_that_fails_is_stored_one_by_one(
    brand: Brand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL an error outside the savepoints aborts the batch's transaction: the
    items are then stored on their own, so one item's fault stays its own."""
    store = ingest.store_batch

    def no_batches(items: list[ingest.Pending]) -> Any:
        if len(items) > 1:
            raise RuntimeError("the batch failed")
        if items[0].item.external_id == "bad":
            raise RuntimeError("this one is bad")
        return store(items)

    monkeypatch.setattr(ingest, "store_batch", no_batches)
    jobs = [ingest.PendingJob(_pending(brand, x)) for x in ("ok-1", "bad", "ok-2")]
    run_jobs(jobs)
    assert jobs[0].future.result(timeout=0).status == EnvelopeStatus.PROCESSED
    with pytest.raises(RuntimeError, match="this one is bad"):
        jobs[1].future.result(timeout=0)
    assert jobs[2].future.result(timeout=0).status == EnvelopeStatus.PROCESSED


def test_a_cancelled_job_is_not_stored(brand: Brand) -> None:
    cancelled = ingest.PendingJob(_pending(brand, "gone"))
    kept = ingest.PendingJob(_pending(brand, "kept"))
    assert cancelled.future.cancel()  # the caller gave up before the writer took it
    run_jobs([cancelled, kept])
    assert kept.future.result(timeout=0).status == EnvelopeStatus.PROCESSED
    assert list(InboundEnvelope.objects.values_list("external_id", flat=True)) == ["kept"]


def test_nul_characters_are_dropped_from_meta_at_any_depth() -> None:
    item = InboundIn.model_validate(inbound("nul", meta={"a\x00b": ["c\x00", {"d": "\x00e"}]}))
    assert item.meta == {"ab": ["c", {"d": "e"}]}


@pytest.fixture
def running_writer(transactional_db: None) -> Iterator[None]:
    writer.start()
    yield
    writer.stop()


def test_a_burst_is_stored_in_few_commits(
    running_writer: None, brand: Brand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the writer stores one batch, the items that arrive wait and go in the next."""
    store = ingest.store_batch
    release = threading.Event()
    batches: list[tuple[str, int]] = []

    def recording(items: list[ingest.Pending]) -> Any:
        batches.append((threading.current_thread().name, len(items)))
        if len(batches) == 1:
            release.wait(10)  # hold the first batch until the others are queued
        return store(items)

    monkeypatch.setattr(ingest, "store_batch", recording)

    def send(n: int) -> ingest.IngestResult:
        try:
            item = InboundIn.model_validate(
                inbound(f"burst-{n}", **{"from": {"email": f"c{n}@example.com"}})
            )
            return ingest.ingest(brand.pk, item)
        finally:
            from django.db import connection

            connection.close()

    with ThreadPoolExecutor(12) as pool:
        first = pool.submit(send, 0)
        while not batches:
            threading.Event().wait(0.005)
        rest = [pool.submit(send, n) for n in range(1, 12)]
        while len(writer._queue) < 11:
            threading.Event().wait(0.005)
        release.set()
        results = [first.result(10)] + [f.result(10) for f in rest]

    assert batches == [("wowdesk-ingest", 1), ("wowdesk-ingest", 11)]
    assert len({r.message_id for r in results}) == 12
    assert all(r.status == EnvelopeStatus.PROCESSED for r in results)
    assert InboundEnvelope.objects.count() == 12


def test_reactions_of_a_burst_run_together_once_the_items_stop(
    running_writer: None, brand: Brand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Senders that wait for each answer empty the queue after every batch: the reactions
    still wait (up to REACTION_DELAY) and run once no item came for IDLE_GAP."""
    from wowdesk.channels import writer as writer_module
    from wowdesk.core.events import batcher

    runs: list[int] = []
    ran = threading.Event()

    def record(reactions: list[Any]) -> None:
        if reactions:
            runs.append(len(reactions))
            ran.set()

    monkeypatch.setattr(writer_module, "IDLE_GAP", 3.0)
    monkeypatch.setattr(writer_module, "REACTION_DELAY", 60.0)
    monkeypatch.setattr(batcher, "run_collected", record)
    for n in range(3):  # one after the other, each answered before the next is sent
        item = InboundIn.model_validate(inbound(f"r-{n}", **{"from": {"email": f"r{n}@x.org"}}))
        assert ingest.ingest(brand.pk, item).status == EnvelopeStatus.PROCESSED
        assert runs == []  # not yet: the next item came within the gap
    assert ran.wait(10)
    assert runs == [3]  # one run, for the three messages


def test_inside_a_transaction_the_item_is_stored_inline(
    running_writer: None, brand: Brand, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ingest.store_batch
    threads: list[str] = []

    def recording(items: list[ingest.Pending]) -> Any:
        threads.append(threading.current_thread().name)
        return store(items)

    monkeypatch.setattr(ingest, "store_batch", recording)
    item = InboundIn.model_validate(inbound("inline-1"))
    with transaction.atomic():  # the writer would wait for this transaction's lock
        result = ingest.ingest(brand.pk, item)
    assert threads == [threading.current_thread().name]
    assert result.status == EnvelopeStatus.PROCESSED


def test_busy_is_seen_by_every_process_of_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Emotion scoring waits while any server process takes items (core.jobs.busy)."""
    import os
    import time

    monkeypatch.setattr(ingest, "_last_ingest", [0.0])
    monkeypatch.setattr(ingest, "_last_touch", [0.0])
    ingest._note_busy()
    assert ingest.busy()
    ingest._last_ingest[0] = 0.0  # as another process sees it: only the file
    assert ingest.busy()
    past = time.time() - 10
    os.utime(ingest._busy_file(), (past, past))
    assert not ingest.busy()
