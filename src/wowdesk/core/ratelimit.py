"""Rate limits for what strangers and integrations send: per chat visitor, per API token.

One algorithm, GCRA (the generic cell rate algorithm, a leaky bucket kept as a single
timestamp per key): ``count`` per ``period`` seconds, all of them at once if they like,
then one every ``period / count`` seconds. Two stores with the same arithmetic:

- embedded mode (one server process): a dictionary in the process, under a lock;
- cluster mode (``WOWDESK_REDIS_URL``): one Lua script in Redis, so that every server
  process counts against the same budget.

A refusal raises :class:`RateLimited` (HTTP 429 with ``Retry-After``; the chat socket
answers an error frame with ``retry_after``). A rate of 0 turns a limit off.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from wowdesk.core.errors import ServiceError


class RateLimited(ServiceError):
    status = 429

    def __init__(self, message: str, *, retry_after: float, field: str | None = None):
        super().__init__(message, field=field, code="rate_limited")
        self.retry_after = max(1, math.ceil(retry_after))


EPSILON = 1e-9


@dataclass(frozen=True)
class Rate:
    """``count`` per ``period`` seconds; ``count`` 0: no limit."""

    count: int
    period: float

    @property
    def off(self) -> bool:
        return self.count <= 0 or self.period <= 0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0


def gcra(tat: float | None, now: float, rate: Rate) -> tuple[Decision, float | None]:
    """One hit against a key whose theoretical arrival time is ``tat``: the decision and
    the key's new ``tat`` (None: unchanged). Pure; both stores apply exactly this."""
    interval = rate.period / rate.count
    tolerance = rate.period - interval
    start = now if tat is None or tat < now else tat
    if start - now > tolerance + EPSILON:  # (sums of intervals round)
        return Decision(False, start - now - tolerance), None
    return Decision(True), start + interval


class Store(Protocol):
    def hit(self, key: str, rate: Rate) -> Decision: ...


class MemoryStore:
    """The embedded mode's store: one process, its threads share it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.tats: dict[str, float] = {}

    def hit(self, key: str, rate: Rate) -> Decision:
        with self.lock:
            now = self.clock()
            decision, tat = gcra(self.tats.get(key), now, rate)
            if tat is not None:
                self.tats[key] = tat
            if len(self.tats) > 100_000:  # forget keys whose bucket has drained
                self.tats = {k: t for k, t in self.tats.items() if t > now}
            return decision


# KEYS[1]: the key; ARGV: now, interval, tolerance (seconds, as strings).
# Returns {1, "0"} when allowed, {0, retry_after} when not.
_SCRIPT = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
if tat - now > tolerance + 1e-9 then
  return {0, tostring(tat - now - tolerance)}
end
tat = tat + interval
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil((tat - now) * 1000) + 1000)
return {1, '0'}
"""


class RedisStore:
    """The cluster's store: every server process counts in the same Redis keys. The
    clock is each host's wall clock (hosts of a cluster keep time with NTP)."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.script = self.client.register_script(_SCRIPT)
        self.clock = clock

    def hit(self, key: str, rate: Rate) -> Decision:
        interval = rate.period / rate.count
        allowed, retry = self.script(
            keys=[f"wowdesk:rate:{key}"],
            args=[repr(self.clock()), repr(interval), repr(rate.period - interval)],
        )
        return Decision(bool(int(allowed)), float(retry))


_store: list[Any] = [None, None]  # [store, the redis url it was made for]
_store_lock = threading.Lock()


def store() -> Store:
    """The store for this process's mode (made once; tests may swap it with ``use``)."""
    url = settings.CONFIG.redis_url
    with _store_lock:
        if _store[0] is None or _store[1] != url:
            _store[0] = RedisStore(url) if url else MemoryStore()
            _store[1] = url
        current: Store = _store[0]
        return current


def use(new: Store | None) -> None:
    """Replace the store (tests); None: make the mode's own on next use."""
    with _store_lock:
        _store[0] = new
        _store[1] = settings.CONFIG.redis_url if new is not None else None


def check(key: str, rate: Rate, *, field: str | None = None) -> None:
    """Count one hit for ``key``; raises RateLimited when its budget is spent."""
    if rate.off:
        return
    decision = store().hit(key, rate)
    if not decision.allowed:
        raise RateLimited(
            _("Too many requests: try again in %(s)s s.")
            % {"s": max(1, math.ceil(decision.retry_after))},
            retry_after=decision.retry_after,
            field=field,
        )


def chat_rate() -> Rate:
    """Messages per chat visitor: ``WOWDESK_CHAT_RATE`` per 10 seconds."""
    return Rate(settings.CONFIG.chat_rate, 10.0)


def inbound_rate() -> Rate:
    """Inbound items per API token: ``WOWDESK_INBOUND_RATE`` per second."""
    return Rate(settings.CONFIG.inbound_rate, 1.0)


def token_key(token: str) -> str:
    """A token's key in the store (its SHA-256, never the token)."""
    import hashlib

    return "token:" + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]
