"""The supervisor board's tiles: small blocks other apps add beside the live queue.

A tile is a template rendered on ``/supervisor/`` with the context its function returns for
the signed-in supervisor (``None`` hides it). Tiles are registered once, from the owning
app's ``register()``, in ``order`` (smaller first). The function runs on every refresh of
the board: it must use a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

TileContext = Callable[[HttpRequest], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Tile:
    key: str
    template: str
    order: int
    context: TileContext


_TILES: dict[str, Tile] = {}


def register_tile(key: str, template: str, context: TileContext, *, order: int = 100) -> None:
    """Add (or replace) the board tile ``key``."""
    _TILES[key] = Tile(key, template, order, context)


def tiles_for(request: HttpRequest) -> list[dict[str, Any]]:
    """The tiles to show, each as ``{"key", "template", "ctx"}``."""
    shown = []
    for tile in sorted(_TILES.values(), key=lambda t: (t.order, t.key)):
        ctx = tile.context(request)
        if ctx is None:
            continue
        shown.append({"key": tile.key, "template": tile.template, "ctx": ctx})
    return shown
