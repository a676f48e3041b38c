"""One after-commit listener per event a rule may run on (``services.run_rules``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wowdesk.automations.rules import EVENTS
from wowdesk.core.events import Event, when

SUPPORTED = EVENTS


def path_for(event: Event) -> str:
    return f"{__name__}.on_{event.value.replace('.', '_')}"


def _listener(event: Event) -> Callable[..., None]:
    def wanted(**payload: Any) -> bool:
        from wowdesk.automations.services import has_rules

        return has_rules(event, payload)

    @when(wanted)
    def on_event(**payload: Any) -> None:
        from wowdesk.automations.services import run_rules

        run_rules(event, payload)

    on_event.__name__ = on_event.__qualname__ = f"on_{event.value.replace('.', '_')}"
    return on_event


for _name in SUPPORTED:
    globals()[f"on_{_name.replace('.', '_')}"] = _listener(Event(_name))
