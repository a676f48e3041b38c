"""Tests: a recorder for every event (the ``event_log`` fixture in tests/conftest.py).

Each event gets a listener here, run in the emitter's transaction, that appends
``(event, payload)`` to ``LOG``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wowdesk.core.events import Event

LOG: list[tuple[Event, dict[str, Any]]] = []


def _recorder(event: Event) -> Callable[..., None]:
    def record(**payload: Any) -> None:
        LOG.append((event, payload))

    return record


def path(event: Event) -> str:
    return f"{__name__}.on_{event.value.replace('.', '_')}"


for _event in Event:
    globals()[path(_event).rsplit(".", 1)[1]] = _recorder(_event)


def of(event: Event) -> list[dict[str, Any]]:
    """The payloads recorded for ``event``, in order."""
    return [payload for seen, payload in LOG if seen == event]
