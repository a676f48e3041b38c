"""Group commit for inbound items: one thread per server process stores them in batches.

Every inbound item is one write transaction. On SQLite only one writer works at a time,
so under a burst the request threads queued on the write lock and each commit paid its
own ``BEGIN IMMEDIATE``, its own WAL write and its own lock hand-over (with the GIL
hand-over of every statement in between): that, not the work, set the pace. Here the
items of a burst are taken by one thread, ``wowdesk-ingest``, and stored in one
transaction, each in its own savepoint (``ingest.store_batch``): an item that fails rolls
back alone, and nobody is answered before the commit that keeps their item.

Callers wait on a :class:`~concurrent.futures.Future`. A caller already inside a
transaction (it holds the write lock on SQLite; a test's transaction) stores inline
instead, as does the CLI, where no writer thread runs: the writer's own batch function
(``run_jobs``) in the caller's thread, with a batch of one. Tests that commit for real
(``transactional_db``) run this thread, as ``wowdesk serve`` does (tests/conftest.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

from django.db import close_old_connections, connection

from wowdesk.core.queue_thread import QueueThread

log = logging.getLogger(__name__)

Reaction = tuple[Any, dict[str, Any]]  # (core.events.Event, payload)
# How late the reactions to stored items (routing, SLA clocks) may run while items keep
# arriving, and how many are run at once at most. A run costs some ten queries whatever
# its size (the roster, the settings, the policies): at 300 items a second, a quarter of
# a second per run costs a third of what a tenth did (bench/ingest.py), and an assignment
# a quarter of a second late under a burst is not one a person notices.
REACTION_DELAY = 0.25
# The reactions run at once when no item came for this long: a lone message is routed
# within a few milliseconds; under a burst senders answered a moment ago send again within
# a millisecond or two, and waiting for the gap keeps their reactions together.
IDLE_GAP = 0.01
REACTION_BATCH = 500


class Job(Protocol):
    """A unit of work for the writer: ``prepare`` runs first, outside the transaction
    (checks that only read); it returns what to store (a ``Pending``) or the final answer."""

    future: Future[Any]

    def prepare(self, memo: dict[Any, Any]) -> Any: ...


class IngestWriter(QueueThread[Job]):
    """Group commit: one thread takes the queued jobs in batches and stores each batch in
    one transaction (``run_jobs``). ``store``/``pending``: what a batch's prepared items
    are and how they are written (by default inbound items, ``ingest.store_batch``)."""

    thread_name = "wowdesk-ingest"
    what = "inbound items"

    def __init__(
        self,
        max_batch: int = 64,
        *,
        store: Callable[[list[Any]], list[Any]] | None = None,
        pending: type | None = None,
    ) -> None:
        super().__init__()
        self.max_batch = max_batch
        self.store = store
        self.pending = pending

    def accepts(self) -> bool:
        """May the calling thread hand its item over (rather than store it inline)?"""
        return (
            self.running
            and threading.current_thread() is not self._thread
            and not connection.in_atomic_block
        )

    def submit(self, job: Job) -> Future[Any]:
        self._put(job)
        return job.future

    def _take(self, timeout: float | None = None) -> list[Job] | None:
        """The next batch; [] when ``timeout`` passed with nothing queued; None once
        stopped with nothing left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._ready:
            while not self._queue:
                if self._stop.is_set():
                    return None
                if deadline is None:
                    self._ready.wait()
                else:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return []
                    self._ready.wait(left)
            n = min(len(self._queue), self.max_batch)
            return [self._queue.popleft() for _ in range(n)]

    def _loop(self) -> None:
        from wowdesk.core.events import batcher

        reactions: list[Reaction] = []
        since = 0.0
        while True:
            # No waiting to fill a batch: what arrives while one batch is stored is the
            # next batch, so a single item is stored at once and a burst in few commits.
            # With reactions pending, wait only until they are due (IDLE_GAP, the delay).
            timeout = None
            if reactions:
                timeout = max(0.0, min(IDLE_GAP, since + REACTION_DELAY - time.monotonic()))
            batch = self._take(timeout)
            if batch is None:  # stopped, and nothing left
                batcher.run_collected(reactions)
                connection.close()
                return
            if batch:
                if not reactions:
                    since = time.monotonic()
                reactions += self._store(batch)
            # The reactions of several batches at once (one read of the roster for all of
            # them), but never more than REACTION_DELAY late, and at once when no item
            # came for IDLE_GAP.
            if reactions and (
                not batch
                or time.monotonic() - since >= REACTION_DELAY
                or len(reactions) >= REACTION_BATCH
            ):
                batcher.run_collected(reactions)  # logs its own failures
                reactions = []

    def _store(self, batch: list[Job]) -> list[Reaction]:
        """Store a batch; its reactions, to run later."""
        try:
            close_old_connections()
            return run_jobs(batch, react=False, store=self.store, pending=self.pending)
        except BaseException as exc:  # never let the thread die with callers waiting
            log.exception("storing %d %s failed", len(batch), self.what)
            for job in batch:
                _settle(job.future, exc)
            return []


def _settle(future: Future[Any], outcome: Any) -> None:
    """Answer a job (a caller that gave up, a cancelled future, is skipped)."""
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def run_jobs(
    jobs: list[Job],
    *,
    react: bool = True,
    store: Callable[[list[Any]], list[Any]] | None = None,
    pending: type | None = None,
) -> list[Reaction]:
    """Prepare every job, store those that need it in one transaction, answer them all;
    then run the reactions to the batch's new messages (routing, SLA clocks) in this
    thread, after the answers (``react=False``: return them, for the caller to run): they
    take the write lock too, and here they wait for no one and nobody waits for them.
    ``memo`` lets the jobs of a batch share what they read (a token, a default inbox):
    fresh for every batch. ``store`` writes a list of prepared items (instances of
    ``pending``) in one transaction and answers each; by default inbound items."""
    from wowdesk.channels.ingest import Pending, store_batch
    from wowdesk.core.events import batcher

    store = store or store_batch
    kind = pending or Pending
    memo: dict[Any, Any] = {}
    waiting: list[tuple[Job, Any]] = []
    for job in jobs:
        # Running from here on: a caller who gives up can no longer cancel it mid-batch.
        if not job.future.set_running_or_notify_cancel():
            continue
        try:
            prepared = job.prepare(memo)
        except Exception as exc:
            _settle(job.future, exc)
            continue
        if isinstance(prepared, kind):
            waiting.append((job, prepared))
        else:
            _settle(job.future, prepared)
    if not waiting:
        return []
    with batcher.collecting() as reactions:
        items = [p for _, p in waiting]
        try:
            outcomes: list[Any] = store(items)
        except Exception:
            if len(items) == 1:
                raise
            # The whole batch was rolled back (on PostgreSQL one bad item aborts the
            # transaction): store each on its own, so one item's fault stays its own.
            log.exception("storing a batch of %d failed; storing them one by one", len(items))
            outcomes = [_alone(p, store) for p in items]
    for (job, _), outcome in zip(waiting, outcomes, strict=True):
        _settle(job.future, outcome)
    if not react:
        return reactions
    batcher.run_collected(reactions)
    return []


def _alone(item: Any, store: Callable[[list[Any]], list[Any]]) -> Any:
    try:
        return store([item])[0]
    except Exception as exc:
        return exc


writer = IngestWriter()
