"""The conversation's context panel: sections other parts of the workspace add.

A panel is a template rendered in the side panel of an open conversation, below the
conversation's own properties, with the context its function returns (``None`` hides the
panel for that conversation). Panels are registered once, in ``WebConfig.ready``, in
``order`` (smaller first). The function runs on every open of a conversation: it must use
a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from wowdesk.conversations.models import Conversation

PanelContext = Callable[[HttpRequest, Conversation], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    order: int
    context: PanelContext | None


_PANELS: dict[str, Panel] = {}


def register_panel(
    key: str, template: str, *, order: int = 100, context: PanelContext | None = None
) -> None:
    """Add (or replace) the panel ``key``."""
    _PANELS[key] = Panel(key, template, order, context)


def panels_for(request: HttpRequest, conversation: Conversation) -> list[dict[str, Any]]:
    """The panels to show for ``conversation``, each as ``{"key", "template", "ctx"}``."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        ctx = panel.context(request, conversation) if panel.context else {}
        if ctx is None:
            continue
        shown.append({"key": panel.key, "template": panel.template, "ctx": ctx})
    return shown
