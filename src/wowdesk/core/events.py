"""Domain events, their typed payloads, and the registry of who listens to each.

The core names the events and carries them; it knows no listener. Each app registers its
own listeners in its ``AppConfig.ready`` (Chatwoot's listeners, owned by the app that
reacts). ``wowdesk listeners`` and docs/events.md show the whole table.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.db import transaction
from django.utils.module_loading import import_string

from wowdesk.core.event_payloads import (
    AlertRaised,
    ConversationCreated,
    ConversationUpdated,
    CustomerCreated,
    CustomerErasing,
    CustomerMerged,
    CustomerRestricted,
    CustomerUpdated,
    EnvelopeFailed,
    FollowUpChanged,
    GrantChanged,
    InboxCreated,
    MessageAnnotated,
    MessageCreated,
    MessageDeliveryChanged,
    OutboundQueued,
    ReviewCreated,
    SlaChanged,
    SurveyAnswered,
)
from wowdesk.core.jobs import app_of
from wowdesk.core.queue_thread import QueueThread

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


class Event(StrEnum):
    """Every state change the house announces. The public ones (``PUBLIC``) are what
    integrators may subscribe to (webhooks, automation rules); the others are internal
    hand-offs between apps."""

    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_UPDATED = "conversation.updated"
    MESSAGE_CREATED = "message.created"
    MESSAGE_DELIVERY_CHANGED = "message.delivery_changed"
    MESSAGE_ANNOTATED = "message.annotated"
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    CUSTOMER_MERGED = "customer.merged"
    ALERT_RAISED = "alert.raised"
    SLA_WARNING = "sla.warning"
    SLA_BREACHED = "sla.breached"
    SURVEY_ANSWERED = "survey.answered"
    FOLLOWUP_CREATED = "followup.created"
    FOLLOWUP_UPDATED = "followup.updated"
    GRANT_CREATED = "grant.created"
    GRANT_DECIDED = "grant.decided"
    CUSTOMER_RESTRICTED = "customer.restricted"
    CUSTOMER_ERASING = "customer.erasing"
    REVIEW_CREATED = "review.created"
    # internal hand-offs
    INBOX_CREATED = "inbox.created"
    OUTBOUND_QUEUED = "outbound.queued"
    ENVELOPE_FAILED = "envelope.failed"


PAYLOADS: dict[Event, type] = {
    Event.CONVERSATION_CREATED: ConversationCreated,
    Event.CONVERSATION_UPDATED: ConversationUpdated,
    Event.MESSAGE_CREATED: MessageCreated,
    Event.MESSAGE_DELIVERY_CHANGED: MessageDeliveryChanged,
    Event.MESSAGE_ANNOTATED: MessageAnnotated,
    Event.CUSTOMER_CREATED: CustomerCreated,
    Event.CUSTOMER_UPDATED: CustomerUpdated,
    Event.CUSTOMER_MERGED: CustomerMerged,
    Event.ALERT_RAISED: AlertRaised,
    Event.SLA_WARNING: SlaChanged,
    Event.SLA_BREACHED: SlaChanged,
    Event.SURVEY_ANSWERED: SurveyAnswered,
    Event.FOLLOWUP_CREATED: FollowUpChanged,
    Event.FOLLOWUP_UPDATED: FollowUpChanged,
    Event.GRANT_CREATED: GrantChanged,
    Event.GRANT_DECIDED: GrantChanged,
    Event.CUSTOMER_RESTRICTED: CustomerRestricted,
    Event.CUSTOMER_ERASING: CustomerErasing,
    Event.REVIEW_CREATED: ReviewCreated,
    Event.INBOX_CREATED: InboxCreated,
    Event.OUTBOUND_QUEUED: OutboundQueued,
    Event.ENVELOPE_FAILED: EnvelopeFailed,
}

PUBLIC: tuple[Event, ...] = (
    Event.CONVERSATION_CREATED,
    Event.CONVERSATION_UPDATED,
    Event.MESSAGE_CREATED,
    Event.MESSAGE_DELIVERY_CHANGED,
    Event.MESSAGE_ANNOTATED,
    Event.CUSTOMER_CREATED,
    Event.CUSTOMER_UPDATED,
    Event.CUSTOMER_MERGED,
    Event.ALERT_RAISED,
    Event.SLA_WARNING,
    Event.SLA_BREACHED,
    Event.SURVEY_ANSWERED,
    Event.FOLLOWUP_CREATED,
    Event.FOLLOWUP_UPDATED,
)


class PayloadError(TypeError):
    """An emitter gave an event a payload that is not the event's type."""


def _keys(kind: Any) -> tuple[frozenset[str], frozenset[str]]:
    required: frozenset[str] = kind.__required_keys__
    return required, required | kind.__optional_keys__


# Each event's required and allowed payload keys, read once from its TypedDict.
_KEYS: dict[Event, tuple[frozenset[str], frozenset[str]]] = {
    event: _keys(kind) for event, kind in PAYLOADS.items()
}


def check_payload(event: Event, payload: dict[str, Any]) -> None:
    """Raise ``PayloadError`` unless the payload's keys are the event's type's: every
    required key, and no key the type does not name."""
    required, allowed = _KEYS[event]
    keys = payload.keys()
    if not (required <= keys and keys <= allowed):
        raise PayloadError(
            f"{event}: payload keys {sorted(keys)}; required {sorted(required)}, "
            f"allowed {sorted(allowed)}"
        )


class Phase(StrEnum):
    """When a listener runs.

    ``transaction``: at once, inside the emitter's transaction (its writes commit or roll
    back with the change: a webhook delivery row, a rewrite another app owns).
    ``commit``: after the transaction commits, in one transaction with the event's other
    such listeners, each in a savepoint; dropped on rollback.
    ``batch``: after commit, given a list of payloads (``wowdesk serve`` gathers the
    events of a few milliseconds into one call; elsewhere a list of one).
    """

    TRANSACTION = "transaction"
    COMMIT = "commit"
    BATCH = "batch"


@dataclass(frozen=True)
class Listener:
    event: Event
    phase: Phase
    path: str  # dotted path of the function, imported at first call

    @property
    def app(self) -> str:
        return app_of(self.path)


_registry: dict[tuple[Event, Phase], list[str]] = {}
# The listeners' functions, imported at their first call (emptied when the registry
# changes): no import_string on the path of every event.
_resolved: dict[str, Callable[..., Any]] = {}


def _resolve(path: str) -> Callable[..., Any]:
    listener = _resolved.get(path)
    if listener is None:
        listener = _resolved[path] = import_string(path)
    return listener


def listen(event: Event, path: str, *, phase: Phase = Phase.COMMIT) -> None:
    """Register a listener (by its dotted path). Apps call this from ``AppConfig.ready``;
    registering the same one twice is a no-op."""
    paths = _registry.setdefault((Event(event), Phase(phase)), [])
    if path not in paths:
        paths.append(path)
    _resolved.clear()


def unlisten(event: Event, path: str, *, phase: Phase = Phase.COMMIT) -> None:
    paths = _registry.get((Event(event), Phase(phase)), [])
    if path in paths:
        paths.remove(path)
    _resolved.clear()


def listeners(event: Event, phase: Phase = Phase.COMMIT) -> list[str]:
    return list(_registry.get((event, phase), []))


def listener_table() -> list[Listener]:
    """Who listens to what, in event order, then phase, then registration order."""
    rows: list[Listener] = []
    for event in Event:
        for phase in Phase:
            rows.extend(Listener(event, phase, path) for path in _registry.get((event, phase), []))
    return rows


@contextlib.contextmanager
def isolated(*keep: str) -> Iterator[None]:
    """Tests: only the listeners whose dotted path starts with one of ``keep`` run inside
    the block (none when ``keep`` is empty)."""
    saved = {key: list(paths) for key, paths in _registry.items()}
    for paths in _registry.values():
        paths[:] = [p for p in paths if p.startswith(keep)] if keep else []
    _resolved.clear()
    try:
        yield
    finally:
        _registry.clear()
        _registry.update(saved)
        _resolved.clear()


def emit(event: Event, **payload: Any) -> None:
    """Announce a change: its ``transaction`` listeners run now, in the caller's
    transaction; its ``commit`` and ``batch`` listeners once the transaction commits
    (dropped on rollback, so nothing announces data that does not exist).

    The ``commit`` listeners of one event run in one transaction (one write lock on
    SQLite), each in its own savepoint: one failing is logged and does not undo the others.
    """
    check_payload(event, payload)
    for path in _registry.get((event, Phase.TRANSACTION), ()):
        _resolve(path)(**payload)
    paths = _registry.get((event, Phase.COMMIT))
    if paths:
        transaction.on_commit(_dispatch(event, list(paths), payload))
    if _registry.get((event, Phase.BATCH)):
        transaction.on_commit(lambda: batcher.submit(event, payload))


def emit_many(event: Event, payloads: list[dict[str, Any]]) -> None:
    """Announce many changes of one kind at once (a bulk action): as ``emit`` for each
    payload, in order, except that after the commit the ``commit`` listeners of all of
    them run in one transaction (each call in its own savepoint) and the ``batch``
    listeners get them as one list."""
    for payload in payloads:
        check_payload(event, payload)
    for payload in payloads:
        for path in _registry.get((event, Phase.TRANSACTION), ()):
            _resolve(path)(**payload)
    paths = _registry.get((event, Phase.COMMIT))
    if paths and payloads:
        transaction.on_commit(_dispatch_many(event, list(paths), list(payloads)))
    if _registry.get((event, Phase.BATCH)) and payloads:
        transaction.on_commit(lambda: batcher.submit_many(event, list(payloads)))


def _dispatch_many(
    event: Event, paths: list[str], payloads: list[dict[str, Any]]
) -> Callable[[], None]:
    def run() -> None:
        listeners = [(path, _resolve(path)) for path in paths]
        heavy: list[tuple[str, Callable[[], None]]] = []
        light: list[tuple[str, Callable[[], None]]] = []
        for p, f in listeners:
            wanted = [payload for payload in payloads if _wanted(p, f, payload)]
            whole = getattr(f, "many", None)
            if whole is not None and wanted:
                calls = [(p, functools.partial(whole, wanted))]
            else:
                calls = [(p, functools.partial(f, **payload)) for payload in wanted]
            (light if getattr(f, "outside_transaction", False) else heavy).extend(calls)
        _in_one_transaction(event, heavy)
        _call_each(event, light)

    return run


def outside_transaction(listener: Callable[..., None]) -> Callable[..., None]:
    """Mark a listener that writes nothing (a push): it runs without taking a transaction,
    which on SQLite is the write lock, on the path of every message."""
    listener.outside_transaction = True  # type: ignore[attr-defined]
    return listener


def when(wanted: Callable[..., bool]) -> Callable[[F], F]:
    """Mark a ``commit`` listener with a cheap test of its payload (keyword arguments,
    like the listener's; no query while nothing changed, e.g. a ``BrandCache``), asked
    after the commit, outside any transaction. When it says no, the listener is not
    called, and when no other listener of the event writes, no transaction is opened (on
    SQLite the write lock, on the path of every message). A test that fails lets the
    listener run (its own failure is logged)."""

    def mark(listener: F) -> F:
        listener.wanted = wanted  # type: ignore[attr-defined]
        return listener

    return mark


def many(whole: Callable[[list[dict[str, Any]]], None]) -> Callable[[F], F]:
    """Mark a ``commit`` listener with its form for many payloads at once (a list, in
    order; each one wanted by the listener's ``when`` test): ``emit_many`` calls that once
    instead of the listener per payload. It must do what the listener does for each."""

    def mark(listener: F) -> F:
        listener.many = whole  # type: ignore[attr-defined]
        return listener

    return mark


def _wanted(path: str, listener: Callable[..., None], payload: dict[str, Any]) -> bool:
    test = getattr(listener, "wanted", None)
    if test is None:
        return True
    try:
        return bool(test(**payload))
    except Exception:
        log.exception("the test of listener %s failed", path)
        return True


def _dispatch(event: Event, paths: list[str], payload: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        listeners = [(path, _resolve(path)) for path in paths]
        listeners = [(p, f) for p, f in listeners if _wanted(p, f, payload)]
        heavy = [(p, f) for p, f in listeners if not getattr(f, "outside_transaction", False)]
        light = [(p, f) for p, f in listeners if getattr(f, "outside_transaction", False)]
        _in_one_transaction(event, [(p, functools.partial(f, **payload)) for p, f in heavy])
        _call_each(event, [(p, functools.partial(f, **payload)) for p, f in light])

    return run


def run_batch(event: Event, payloads: list[dict[str, Any]]) -> None:
    """Every batch listener of ``event`` over ``payloads``, in one transaction."""
    paths = _registry.get((event, Phase.BATCH), [])
    _in_one_transaction(
        event, [(path, functools.partial(_resolve(path), payloads)) for path in paths]
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

    def submit_many(self, event: Event, payloads: list[dict[str, Any]]) -> None:
        """``submit`` for each payload; run inline, they are one batch."""
        collected: list[tuple[Event, dict[str, Any]]] | None = getattr(
            self._local, "collected", None
        )
        if collected is not None:
            collected.extend((event, p) for p in payloads)
            return
        if not self.running:
            run_batch(event, payloads)
            return
        for payload in payloads:
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
