"""The in-transaction listeners: one per public event, each writing a delivery row per
active webhook of the event's brand that subscribed to it (``services.queue``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wowdesk.core.events import PUBLIC, Event


def path_for(event: Event) -> str:
    return f"{__name__}.on_{event.value.replace('.', '_')}"


def _listener(event: Event) -> Callable[..., None]:
    def on_event(**payload: Any) -> None:
        from wowdesk.webhooks.services import queue

        queue(event, payload)

    on_event.__name__ = on_event.__qualname__ = f"on_{event.value.replace('.', '_')}"
    return on_event


for _event in PUBLIC:
    globals()[f"on_{_event.value.replace('.', '_')}"] = _listener(_event)
