"""Deferred work (email) and the pooled requirement of one language's channels.

Pure (numpy; no Django).

**Deferred work.** An email does not wait on a line: it is answered within a response
window (hours), so it is staffed by its workload spread over that window, not by Erlang.
This is the "deferred" or "back-office" workload of workforce-management practice: the
work arriving in an interval (contacts × handle time) must be worked off before its
deadline, and the staff an interval needs is what the backlog due by then asks for.

:func:`deferred_agents` simulates the backlog interval by interval. The work arriving in
interval ``t`` is due by the end of interval ``t + k − 1`` with ``k = max(1,
⌊response / interval⌋)`` — counted from the start of ``t``, so every contact of ``t`` is
answered within the window whatever its minute of arrival —, and by the end of the
horizon at the latest. An agent works ``interval × occupancy_cap`` seconds of it per
interval, oldest (earliest due) first. Interval ``s`` gets the larger of

* ``⌈open work due by s / capacity⌉`` — just enough whole agents for the deadlines, and
* ``⌊all open work / capacity⌋`` — as many agents as the open work keeps busy the whole
  interval,

so busy hours work their email as it comes (the requirement follows the arrivals, where
the roster has people anyway), while a trickle (0.05 emails a half hour at night) waits
until its deadline or until it makes an agent's full interval. Every item is done within
its window; no agent is staffed beyond the deadlines' need unless the open work keeps
them busy all the interval; what the last agent has left over works ahead on the next
oldest items.

**Pooled requirement of a language** (:func:`pooled_language_requirement`). An agent
serves every channel of their language, so the language's immediate channels (chat,
phone, … anything not deferred) are one queue: Erlang C on their summed offered load
with the contact-weighted handle time. An exponential service time with the mean
handle time is an approximation of a mix of handle times, so the answer is kept between
the largest single channel's own requirement and the sum of the channels' own
requirements (pooling never needs more than staffing the channels apart, nor fewer than
the busiest one alone). The deferred channels' backlog is planned on top, as one
workload (each channel with its own window), rounded up once.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wowdesk.wfm import erlang as E

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Channels whose contacts are deferred work by default (``conversations`` channel values).
DEFERRED_CHANNELS = frozenset({"email"})
# The response window when the brand sets none for the channel.
DEFAULT_RESPONSE_SECONDS = 4 * 3600.0
_EPS = 1e-9


@dataclass(frozen=True)
class Queue:
    """One channel of a language: contacts per interval and their handle time; a deferred
    channel also has its response window."""

    contacts: Sequence[float] | FloatArray
    aht_seconds: float
    response_seconds: float = DEFAULT_RESPONSE_SECONDS


@dataclass(frozen=True)
class DeferredPlan:
    """Per interval: the workload (agents of work arriving, fractional), the agents the
    lazy plan staffs, the contacts still open at the end of the interval, and the longest
    response of the contacts that arrived in it (from the start of that interval; 0 when
    none arrived — or less than a nanosecond of work, which is not planned)."""

    workload: FloatArray
    agents: IntArray
    backlog_contacts: FloatArray
    latest_response_seconds: FloatArray


def _check(contacts: ArrayLike, interval_seconds: float, aht_seconds: float) -> FloatArray:
    return E.checked_contacts(contacts, interval_seconds, aht_seconds).ravel()


def due_offset(interval_seconds: float, response_seconds: float) -> int:
    """Intervals after its own by whose end an interval's work is due (0: the same one)."""
    if response_seconds <= 0 or not math.isfinite(response_seconds):
        raise E.StaffingError("the response window must be more than zero seconds")
    return max(1, int(response_seconds // interval_seconds + _EPS)) - 1


def _plan(
    work: Sequence[FloatArray],
    offsets: Sequence[int],
    capacity: float,
) -> tuple[IntArray, list[FloatArray], list[FloatArray]]:
    """The lazy plan for several streams of work (agent-seconds per interval), each due
    ``offsets[i]`` intervals after arrival; returns the agents per interval, each stream's
    work still open at the end of each interval and the interval in which each interval's
    work was finished (−1 for none)."""
    n = len(work[0]) if work else 0
    agents = np.zeros(n, dtype=np.int64)
    open_: list[FloatArray] = [np.zeros(n) for _ in work]
    finished: list[FloatArray] = [np.full(n, -1.0) for _ in work]
    # items: [due, arrival interval, stream, work left]; earliest due first
    items: deque[list[float]] = deque()
    for s in range(n):
        arriving = [
            [float(min(s + offsets[i], n - 1)), float(s), float(i), float(w[s])]
            for i, w in enumerate(work)
            if w[s] > _EPS
        ]
        if arriving:
            merged = sorted([*items, *arriving], key=lambda it: (it[0], it[1], it[2]))
            items = deque(merged)
        due_now = sum(it[3] for it in items if it[0] <= s)
        open_now = sum(it[3] for it in items)
        k = max(
            math.ceil(due_now / capacity - _EPS) if due_now > _EPS else 0,
            math.floor(open_now / capacity + _EPS),
        )
        agents[s] = k
        left = k * capacity
        while items and left > _EPS:
            it = items[0]
            done = min(it[3], left)
            it[3] -= done
            left -= done
            if it[3] <= _EPS:
                items.popleft()
                stream, at = int(it[2]), int(it[1])
                finished[stream][at] = s
        for it in items:
            open_[int(it[2])][s] += it[3]
    return agents, open_, finished


def deferred_agents(
    contacts: ArrayLike,
    interval_seconds: float,
    aht_seconds: float,
    response_seconds: float = DEFAULT_RESPONSE_SECONDS,
    occupancy_cap: float = 1.0,
) -> DeferredPlan:
    """Agents per interval for deferred work (see the module text)."""
    if not 0.0 < occupancy_cap <= 1.0:
        raise E.StaffingError("the occupancy cap is a share above 0 and at most 1")
    c = _check(contacts, interval_seconds, aht_seconds)
    offset = due_offset(interval_seconds, response_seconds)
    capacity = interval_seconds * occupancy_cap
    work = c * aht_seconds
    agents, open_, finished = _plan([work], [offset], capacity)
    idx = np.arange(len(c), dtype=np.float64)
    latest = np.where(finished[0] >= 0, (finished[0] - idx + 1.0) * interval_seconds, 0.0)
    return DeferredPlan(
        workload=work / capacity,
        agents=agents,
        backlog_contacts=open_[0] / aht_seconds,
        latest_response_seconds=latest,
    )


@dataclass(frozen=True)
class LanguageRequirement:
    """Per interval: the agents of the pooled immediate channels, the extra agents of the
    deferred backlog, and their sum (the language's requirement)."""

    immediate: IntArray
    deferred: IntArray
    agents: IntArray


def immediate_alone(
    queue: Queue,
    *,
    interval_seconds: float,
    target: E.Target,
    model: E.Model = "erlang_c",
    patience_seconds: float | None = None,
    occupancy_cap: float = 1.0,
) -> IntArray:
    """One immediate channel's own requirement (Erlang)."""
    c = _check(queue.contacts, interval_seconds, queue.aht_seconds)
    return E.staff(
        c,
        interval_seconds=interval_seconds,
        aht_seconds=queue.aht_seconds,
        target=target,
        model=model,
        patience_seconds=patience_seconds,
        occupancy_cap=occupancy_cap,
    ).agents


def pooled_language_requirement(
    immediate_queues: Mapping[str, Queue],
    deferred_queues: Mapping[str, Queue],
    *,
    interval_seconds: float,
    target: E.Target,
    model: E.Model = "erlang_c",
    patience_seconds: float | None = None,
    occupancy_cap: float = 1.0,
) -> LanguageRequirement:
    """Agents per interval for one language whose agents serve all its channels (see the
    module text)."""
    queues = [*immediate_queues.values(), *deferred_queues.values()]
    if not queues:
        raise E.StaffingError("a language needs at least one channel")
    lengths = {len(np.asarray(q.contacts).ravel()) for q in queues}
    if len(lengths) > 1:
        raise E.StaffingError("every channel needs the same number of intervals")
    n = lengths.pop()
    kw = {
        "interval_seconds": interval_seconds,
        "target": target,
        "model": model,
        "patience_seconds": patience_seconds,
        "occupancy_cap": occupancy_cap,
    }
    immediate = np.zeros(n, dtype=np.int64)
    if immediate_queues:
        alone = np.vstack(
            [immediate_alone(q, **kw) for q in immediate_queues.values()]  # type: ignore[arg-type]
        )
        counts = np.vstack(
            [_check(q.contacts, interval_seconds, q.aht_seconds) for q in immediate_queues.values()]
        )
        ahts = np.array([q.aht_seconds for q in immediate_queues.values()])
        volume = float(counts.sum())
        aht = float((counts.sum(axis=1) * ahts).sum() / volume) if volume > 0 else ahts.mean()
        # the summed offered load, as contacts of the mean handle time
        load = (counts * ahts[:, None]).sum(axis=0)
        pooled = E.staff(load / aht, aht_seconds=aht, **kw).agents  # type: ignore[arg-type]
        immediate = np.clip(pooled, alone.max(axis=0), alone.sum(axis=0)).astype(np.int64)
    deferred = np.zeros(n, dtype=np.int64)
    if deferred_queues:
        capacity = interval_seconds * occupancy_cap
        work = [
            _check(q.contacts, interval_seconds, q.aht_seconds) * q.aht_seconds
            for q in deferred_queues.values()
        ]
        offsets = [
            due_offset(interval_seconds, q.response_seconds) for q in deferred_queues.values()
        ]
        deferred, _open, _finished = _plan(work, offsets, capacity)
    return LanguageRequirement(
        immediate=immediate, deferred=deferred, agents=(immediate + deferred).astype(np.int64)
    )
