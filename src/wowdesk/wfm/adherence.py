"""Real-time adherence: an agent's schedule against what they did.

Pure (no Django). Inputs are spans in UTC: the scheduled spans (shifts less breaks) and the
presence spans (``online``, ``away``, ``offline``; the open one ends at ``now``). Over a
period (a day, up to ``now``):

* **adherence** — the share of scheduled time the agent was online (the industry's
  "schedule adherence"; being online when not scheduled does not raise it);
* **conformance** — online time over scheduled time (above 1: worked more than planned);
* **exceptions** — the spans out of adherence: scheduled but not online (``absent``, or
  ``away``), online but not scheduled (``unscheduled``), at least ``min_minutes`` long;
* **now** — scheduled now? online now? in adherence now?
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Exception_:
    start: datetime
    end: datetime
    kind: str  # absent | away | unscheduled


@dataclass(frozen=True)
class Adherence:
    scheduled_minutes: float
    online_minutes: float
    adherent_minutes: float
    adherence: float | None  # None: nothing scheduled
    conformance: float | None
    scheduled_now: bool
    presence_now: str
    in_adherence_now: bool
    exceptions: list[Exception_] = field(default_factory=list)


def _merge(spans: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _intersect(x: Sequence[Span], y: Sequence[Span]) -> list[Span]:
    out, i, j = [], 0, 0
    while i < len(x) and j < len(y):
        a, b = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if a < b:
            out.append((a, b))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return out


def _minus(x: Sequence[Span], y: Sequence[Span]) -> list[Span]:
    out = []
    for a, b in x:
        pieces = [(a, b)]
        for c, d in y:
            nxt = []
            for p, q in pieces:
                if d <= p or c >= q:
                    nxt.append((p, q))
                    continue
                if p < c:
                    nxt.append((p, c))
                if d < q:
                    nxt.append((d, q))
            pieces = nxt
        out.extend(pieces)
    return out


def _minutes(spans: Sequence[Span]) -> float:
    return sum((b - a).total_seconds() for a, b in spans) / 60.0


def clip(spans: Sequence[Span], start: datetime, end: datetime) -> list[Span]:
    return [(max(a, start), min(b, end)) for a, b in spans if b > start and a < end]


def adherence(
    scheduled: Sequence[Span],
    presence: Sequence[tuple[str, datetime, datetime | None]],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    min_minutes: float = 1.0,
) -> Adherence:
    """Adherence over ``[start, min(end, now))``; see the module text."""
    stop = min(end, now)
    if stop < start:
        stop = start
    sched = _merge(clip(scheduled, start, stop))
    by_state: dict[str, list[Span]] = {}
    current = "offline"
    for state, a, b in presence:
        b_ = b if b is not None else now
        if a <= now and (b is None or b > now):
            current = state
        by_state.setdefault(state, []).append((a, b_))
    online = _merge(clip(by_state.get("online", []), start, stop))
    away = _merge(clip(by_state.get("away", []), start, stop))
    adherent = _intersect(sched, online)
    scheduled_min = _minutes(sched)
    online_min = _minutes(online)
    adherent_min = _minutes(adherent)
    gaps = _minus(sched, online)
    exceptions = [
        Exception_(a, b, "away" if _intersect([(a, b)], away) else "absent")
        for a, b in gaps
        if (b - a) >= timedelta(minutes=min_minutes)
    ]
    exceptions += [
        Exception_(a, b, "unscheduled")
        for a, b in _minus(online, sched)
        if (b - a) >= timedelta(minutes=min_minutes)
    ]
    exceptions.sort(key=lambda e: e.start)
    scheduled_now = any(a <= now < b for a, b in scheduled)
    return Adherence(
        scheduled_minutes=round(scheduled_min, 1),
        online_minutes=round(online_min, 1),
        adherent_minutes=round(adherent_min, 1),
        adherence=round(adherent_min / scheduled_min, 4) if scheduled_min else None,
        conformance=round(online_min / scheduled_min, 4) if scheduled_min else None,
        scheduled_now=scheduled_now,
        presence_now=current,
        in_adherence_now=scheduled_now == (current == "online"),
        exceptions=exceptions,
    )
