"""Domain events and the explicit list of who listens to each (Chatwoot's dispatcher).

Listeners run after the transaction commits and are dropped on rollback, so a push, an
email or a task never announces data that does not exist.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string

from wowdesk.core.queue_thread import QueueThread

log = logging.getLogger(__name__)


class Event(StrEnum):
    MESSAGE_CREATED = "message.created"
    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_UPDATED = "conversation.updated"
    OUTBOUND_QUEUED = "outbound.queued"
    ENVELOPE_FAILED = "envelope.failed"
    DELIVERY_CHANGED = "delivery.changed"


# One place shows who reacts to what. Later capabilities (intelligence, routing, realtime,
# surveys, analytics) add their listener here.
LISTENERS: dict[Event, list[str]] = {
    Event.MESSAGE_CREATED: ["wowdesk.web.live.on_message_created"],
    Event.CONVERSATION_CREATED: [],
    Event.CONVERSATION_UPDATED: [
        "wowdesk.routing.sla.on_conversation_updated",
        "wowdesk.routing.services.on_conversation_updated",
        "wowdesk.web.live.on_conversation_updated",
    ],
    Event.OUTBOUND_QUEUED: ["wowdesk.channels.outbox.on_outbound_queued"],
    Event.ENVELOPE_FAILED: ["wowdesk.channels.ingest.on_envelope_failed"],
    Event.DELIVERY_CHANGED: ["wowdesk.web.live.on_delivery_changed"],
}


# Listeners that take a list of payloads. In ``wowdesk serve`` a background thread hands
# them every such event of the last few milliseconds at once (one read of the roster for
# fifty new conversations instead of fifty), which keeps them off the ingest request;
# elsewhere (tests, the CLI, ``wowdesk worker``) they run at commit with a list of one.
# Nothing depends on the in-memory queue surviving a crash: the routing tick serves every
# waiting conversation and the SLA sweep starts clocks that were missed.
BATCH_LISTENERS: dict[Event, list[str]] = {
    Event.MESSAGE_CREATED: [
        "wowdesk.routing.sla.on_messages_created",
        "wowdesk.routing.services.on_messages_created",
    ],
}


def emit(event: Event, **payload: Any) -> None:
    """Call every listener of ``event`` once the current transaction commits.

    The listeners of one event run in one transaction (one write lock on SQLite), each
    in its own savepoint: one failing is logged and does not undo the others.
    """
    paths = LISTENERS.get(event, [])
    if paths:
        transaction.on_commit(_dispatch(event, paths, payload))
    if event in BATCH_LISTENERS:
        transaction.on_commit(lambda: batcher.submit(event, payload))


def outside_transaction(listener: Callable[..., None]) -> Callable[..., None]:
    """Mark a listener that writes nothing (a push): it runs without taking a transaction,
    which on SQLite is the write lock, on the path of every message."""
    listener.outside_transaction = True  # type: ignore[attr-defined]
    return listener


def _dispatch(event: Event, paths: list[str], payload: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        listeners = [(path, import_string(path)) for path in paths]
        heavy = [(p, f) for p, f in listeners if not getattr(f, "outside_transaction", False)]
        light = [(p, f) for p, f in listeners if getattr(f, "outside_transaction", False)]
        _in_one_transaction(event, [(p, functools.partial(f, **payload)) for p, f in heavy])
        _call_each(event, [(p, functools.partial(f, **payload)) for p, f in light])

    return run


def run_batch(event: Event, payloads: list[dict[str, Any]]) -> None:
    """Every batch listener of ``event`` over ``payloads``, in one transaction."""
    paths = BATCH_LISTENERS.get(event, [])
    _in_one_transaction(
        event, [(path, functools.partial(import_string(path), payloads)) for path in paths]
    )


def _in_one_transaction(event: Event, calls: list[tuple[str, Callable[[], None]]]) -> None:
    """The calls in one transaction (one write lock on SQLite), each in a savepoint.
    Listeners run after a commit: their failing to run at all (the database away a
    moment) is logged, never raised into what was committed; the sweeps catch up."""
    if not calls:
        return
    try:
        with transaction.atomic():
            _call_each(event, calls, savepoint=True)
    except Exception:
        log.exception("listeners of %s could not run", event)


def _call_each(
    event: Event, calls: list[tuple[str, Callable[[], None]]], *, savepoint: bool = False
) -> None:
    """Each call; one failing is logged and does not stop the others."""
    for path, call in calls:
        try:
            with transaction.atomic() if savepoint else contextlib.nullcontext():
                call()
        except Exception:
            log.exception("listener %s failed for %s", path, event)


class Batcher(QueueThread[tuple[Event, dict[str, Any]]]):
    """Collects batch events for a background thread; runs them inline when none runs."""

    thread_name = "wowdesk-events"

    def __init__(self, window: float = 0.02, max_batch: int = 200) -> None:
        super().__init__()
        self.window = window
        self.max_batch = max_batch
        self._local = threading.local()

    def submit(self, event: Event, payload: dict[str, Any]) -> None:
        collected: list[tuple[Event, dict[str, Any]]] | None = getattr(
            self._local, "collected", None
        )
        if collected is not None:
            collected.append((event, payload))
            return
        if not self.running:
            run_batch(event, [payload])
            return
        self._put((event, payload))

    def _after_stop(self) -> None:
        # Stopped: what is still queued runs here; later events run inline.
        self.drain()

    @contextlib.contextmanager
    def collecting(self) -> Iterator[list[tuple[Event, dict[str, Any]]]]:
        """Keep the events this thread submits in a list, for ``run_collected`` later
        (the ingest writer runs its batch's reactions itself, after the answers)."""
        previous = getattr(self._local, "collected", None)
        collected: list[tuple[Event, dict[str, Any]]] = []
        self._local.collected = collected
        try:
            yield collected
        finally:
            self._local.collected = previous

    def run_collected(self, collected: list[tuple[Event, dict[str, Any]]]) -> None:
        if collected:
            self._run(collected)

    def drain(self) -> None:
        """Run everything queued now, in this thread."""
        while True:
            batch = self._take()
            if not batch:
                return
            self._run(batch)

    def _take(self) -> list[tuple[Event, dict[str, Any]]]:
        with self._ready:
            n = min(len(self._queue), self.max_batch)
            return [self._queue.popleft() for _ in range(n)]

    def _loop(self) -> None:
        from django.db import close_old_connections

        while not self._stop.is_set():
            with self._ready:
                while not self._queue and not self._stop.is_set():
                    self._ready.wait(1.0)
            # Let a burst gather: one batch instead of many.
            deadline = time.monotonic() + self.window
            while len(self._queue) < self.max_batch and time.monotonic() < deadline:
                time.sleep(self.window / 4)
            batch = self._take()
            if batch:
                close_old_connections()
                self._run(batch)

    @staticmethod
    def _run(batch: list[tuple[Event, dict[str, Any]]]) -> None:
        by_event: dict[Event, list[dict[str, Any]]] = {}
        for event, payload in batch:
            by_event.setdefault(event, []).append(payload)
        for event, payloads in by_event.items():
            run_batch(event, payloads)  # logs its failures: the sweeps catch up


batcher = Batcher()
