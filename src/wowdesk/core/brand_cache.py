"""A per-process table of brand → rows, loaded in one query and dropped when it changes.

The listeners on the path of every message (webhook deliveries, automation rules) ask it
whether a brand has anything for an event; the answer costs no query while nothing
changed. The owning service calls ``changed()`` on every write: this process drops its
copy at once (and again after the commit, so a copy read before the commit is not kept),
and the version number in Django's cache (Redis in cluster mode) moves on, which the other
processes notice within ``check_every`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


class BrandCache(Generic[T]):
    def __init__(
        self, key: str, load: Callable[[], dict[int, T]], *, check_every: float = 1.0
    ) -> None:
        self.key = f"wowdesk:brand-cache:{key}"
        self._load = load
        self.check_every = check_every
        self._lock = threading.Lock()
        self._table: dict[int, T] | None = None
        self._version: int | None = None
        self._checked = 0.0

    def _shared_version(self) -> int:
        value = cache.get(self.key)
        return int(value) if value is not None else 0

    def table(self) -> dict[int, T]:
        now = time.monotonic()
        table = self._table
        if table is not None and now - self._checked < self.check_every:
            return table
        version = self._shared_version()
        with self._lock:
            if self._table is None or version != self._version:
                self._table = self._load()
                self._version = version
            self._checked = now
            return self._table

    def get(self, brand_id: int) -> T | None:
        return self.table().get(brand_id)

    def clear(self) -> None:
        """Drop this process's copy (tests, and after a change)."""
        with self._lock:
            self._table = None

    def changed(self) -> None:
        """The rows changed: every process reloads before its next answer."""
        self._bump()
        transaction.on_commit(self._bump)

    def _bump(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # no version yet
            cache.set(self.key, 1, timeout=None)
        self.clear()
