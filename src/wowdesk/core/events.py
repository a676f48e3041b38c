"""Domain events and the explicit list of who listens to each (Chatwoot's dispatcher).

Listeners run after the transaction commits and are dropped on rollback, so a push, an
email or a task never announces data that does not exist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class Event(StrEnum):
    MESSAGE_CREATED = "message.created"
    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_UPDATED = "conversation.updated"
    OUTBOUND_QUEUED = "outbound.queued"
    ENVELOPE_FAILED = "envelope.failed"


# One place shows who reacts to what. Later capabilities (intelligence, routing, realtime,
# surveys, analytics) add their listener here.
LISTENERS: dict[Event, list[str]] = {
    Event.MESSAGE_CREATED: [
        "wowdesk.routing.sla.on_message_created",
        "wowdesk.routing.services.on_message_created",
    ],
    Event.CONVERSATION_CREATED: [],
    Event.CONVERSATION_UPDATED: [
        "wowdesk.routing.sla.on_conversation_updated",
        "wowdesk.routing.services.on_conversation_updated",
    ],
    Event.OUTBOUND_QUEUED: ["wowdesk.channels.outbox.on_outbound_queued"],
    Event.ENVELOPE_FAILED: ["wowdesk.channels.ingest.on_envelope_failed"],
}


def emit(event: Event, **payload: Any) -> None:
    """Call every listener of ``event`` once the current transaction commits.

    The listeners of one event run in one transaction (one write lock on SQLite), each
    in its own savepoint: one failing is logged and does not undo the others.
    """
    paths = LISTENERS.get(event, [])
    if paths:
        transaction.on_commit(_dispatch(event, paths, payload))


def _dispatch(event: Event, paths: list[str], payload: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        with transaction.atomic():
            for path in paths:
                listener: Callable[..., None] = import_string(path)
                try:
                    with transaction.atomic():
                        listener(**payload)
                except Exception:  # a listener's failure must not break the others
                    log.exception("listener %s failed for %s", path, event)

    return run
