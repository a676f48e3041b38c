"""Roster input and output: plain dataclasses, the time grid and candidate shifts (pure).

Times: the week is a grid of UTC intervals starting at ``week_start`` 00:00 UTC. Agents'
patterns, availability and preferences are local wall clock in their site's IANA zone; a
shift is "start at this local wall time, end ``wall_hours`` later on the local wall clock",
converted to UTC with ``zoneinfo``, so a 22:00–06:00 shift across a DST change has its real
length (7 h or 9 h). Starts and ends are snapped up to the UTC grid.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.UTC


@dataclass(frozen=True)
class Requirement:
    """``agents`` needed on ``queue`` (a language, or ``language/channel``) in interval
    ``interval`` (index from ``week_start`` 00:00 UTC)."""

    queue: str
    interval: int
    agents: int

    @property
    def language(self) -> str:
        return self.queue.split("/", 1)[0]


@dataclass(frozen=True)
class ShiftPattern:
    """A shift start (local wall clock) and its wall-clock length in hours."""

    start: dt.time
    wall_hours: float


@dataclass(frozen=True)
class LocalWindow:
    """A local wall-clock window; ``weekday`` 0 = Monday, ``None`` = every day. An ``end``
    at or before ``start`` runs past midnight."""

    start: dt.time
    end: dt.time
    weekday: int | None = None
    weight: int = 1  # for preferences: the cost of a shift outside every preferred window


@dataclass(frozen=True)
class BreakRule:
    """An unpaid break of ``minutes`` for shifts of at least ``min_shift_hours``, placed
    mid-shift, anywhere within ``window_minutes`` around the middle (on the grid)."""

    min_shift_hours: float = 6.0
    minutes: int = 30
    window_minutes: int = 60


@dataclass(frozen=True)
class AgentSpec:
    """A named agent and their hard rules (availability empty = always available)."""

    id: int
    time_zone: str
    languages: frozenset[str]
    patterns: tuple[ShiftPattern, ...]
    max_hours_per_week: float = 40.0
    min_rest_hours: float = 11.0
    max_days_in_row: int = 5
    max_nights: int = 7
    availability: tuple[LocalWindow, ...] = ()
    preferences: tuple[LocalWindow, ...] = ()
    days_off: frozenset[dt.date] = frozenset()  # local dates with no shift start
    # What came before the week and what is taken out of it (aware UTC datetimes):
    # no shift starts before ``not_before`` (the rest after last week's last shift), none
    # touches an ``unavailable`` span (approved time off), and ``worked_before`` (local dates
    # before the week with a shift) count towards the days in a row.
    not_before: dt.datetime | None = None
    unavailable: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    worked_before: frozenset[dt.date] = frozenset()


@dataclass
class RosterProblem:
    week_start: dt.date
    agents: list[AgentSpec]
    requirements: list[Requirement]
    interval_minutes: int = 30
    days: int = 7
    breaks: BreakRule = field(default_factory=BreakRule)
    night_start: dt.time = dt.time(0, 0)  # a shift touching [night_start, night_end) local
    night_end: dt.time = dt.time(5, 0)  # wall clock is a night shift
    time_limit_seconds: float = 60.0
    workers: int = 8
    seed: int = 0

    @property
    def horizon(self) -> int:
        return self.days * 24 * 60 // self.interval_minutes

    @property
    def origin(self) -> dt.datetime:
        return dt.datetime.combine(self.week_start, dt.time(0, 0), tzinfo=UTC)

    def at(self, index: int) -> dt.datetime:
        return self.origin + dt.timedelta(minutes=index * self.interval_minutes)

    def index_of(self, moment: dt.datetime) -> int:
        """The grid index at or after an aware ``moment``."""
        minutes = (moment - self.origin).total_seconds() / 60
        return math.ceil(minutes / self.interval_minutes - 1e-9)


@dataclass(frozen=True)
class Shift:
    agent_id: int
    start: dt.datetime  # aware, UTC
    end: dt.datetime
    breaks: tuple[tuple[dt.datetime, dt.datetime], ...]
    local_day: dt.date
    night: bool

    @property
    def paid_hours(self) -> float:
        worked = self.end - self.start
        for b_start, b_end in self.breaks:
            worked -= b_end - b_start
        return worked.total_seconds() / 3600


@dataclass
class Roster:
    shifts: list[Shift]
    coverage: dict[tuple[str, int], int]  # (queue, interval) -> agents serving it
    short: dict[tuple[str, int], int]  # (queue, interval) -> agents missing (> 0 only)
    short_intervals: int  # queue×interval cells below requirement
    short_agent_intervals: int  # the sum of what is missing
    over_hours: float  # agent hours present beyond what the requirements use
    hours: float  # paid hours inside the week
    lower_bound_hours: float
    gap: float | None  # (hours − lower bound) / lower bound
    statuses: dict[str, str]
    seconds: dict[str, float]
    progress: list[dict[str, float]] = field(default_factory=list)


Progress = Callable[[dict[str, float]], None]


# -- candidate shifts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A concrete shift on the grid: ``[start, end)`` with ``breaks`` (grid indices).
    ``cover`` lists the intervals inside the week it is present (not on break)."""

    time_zone: str
    local_day: dt.date
    pattern: ShiftPattern
    start: int
    end: int
    break_at: int | None  # first interval of the break
    break_len: int
    night: bool

    def covers(self, horizon: int) -> range | list[int]:
        lo, hi = max(self.start, 0), min(self.end, horizon)
        if self.break_at is None:
            return range(lo, hi)
        b0, b1 = self.break_at, self.break_at + self.break_len
        return [t for t in range(lo, hi) if not b0 <= t < b1]

    def paid_intervals(self, horizon: int) -> int:
        return len(self.covers(horizon))


def local_to_utc(day: dt.date, at: dt.time, zone: str, plus_hours: float = 0.0) -> dt.datetime:
    """The UTC moment of local wall clock ``day at`` + ``plus_hours`` of wall clock.

    Wall-clock arithmetic first, then the zone: 22:00 + 8 h is 06:00 the next day whatever
    DST did in between. A wall time that does not exist (spring forward) maps forward."""
    wall = dt.datetime.combine(day, at) + dt.timedelta(hours=plus_hours)
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def in_window(local: dt.datetime, end_local: dt.datetime, window: LocalWindow) -> bool:
    """Whether the local span [local, end_local] lies within ``window`` starting on the
    span's start day (or, for windows past midnight, the day before)."""
    for base in (local.date(), local.date() - dt.timedelta(days=1)):
        if window.weekday is not None and base.weekday() != window.weekday:
            continue
        w0 = dt.datetime.combine(base, window.start)
        w1 = dt.datetime.combine(base, window.end)
        if w1 <= w0:
            w1 += dt.timedelta(days=1)
        if w0 <= local and end_local <= w1:
            return True
    return False


def _touches_night(start: dt.datetime, end: dt.datetime, n0: dt.time, n1: dt.time) -> bool:
    day = start.date() - dt.timedelta(days=1)
    while dt.datetime.combine(day, n0) < end:
        w0 = dt.datetime.combine(day, n0)
        w1 = dt.datetime.combine(day, n1)
        if w1 <= w0:
            w1 += dt.timedelta(days=1)
        if w0 < end and start < w1:
            return True
        day += dt.timedelta(days=1)
    return False


def candidates_for(problem: RosterProblem, agent: AgentSpec) -> list[Candidate]:
    """Every grid shift ``agent`` may work this week: their patterns on each local day
    whose start falls in the week, within their availability, not on a day off, not before
    ``not_before`` and clear of ``unavailable``; one candidate per break position."""
    step = problem.interval_minutes
    horizon = problem.horizon
    rule = problem.breaks
    out: list[Candidate] = []
    first = problem.week_start - dt.timedelta(days=1)
    for d in range(problem.days + 2):
        day = first + dt.timedelta(days=d)
        if day in agent.days_off:
            continue
        for pattern in agent.patterns:
            start_utc = local_to_utc(day, pattern.start, agent.time_zone)
            end_utc = local_to_utc(day, pattern.start, agent.time_zone, pattern.wall_hours)
            start, end = problem.index_of(start_utc), problem.index_of(end_utc)
            if not 0 <= start < horizon or end <= start:
                continue
            if agent.not_before is not None and start < problem.index_of(agent.not_before):
                continue
            if any(problem.at(start) < u1 and u0 < problem.at(end) for u0, u1 in agent.unavailable):
                continue
            local0 = dt.datetime.combine(day, pattern.start)
            local1 = local0 + dt.timedelta(hours=pattern.wall_hours)
            if agent.availability and not any(
                in_window(local0, local1, w) for w in agent.availability
            ):
                continue
            night = _touches_night(local0, local1, problem.night_start, problem.night_end)
            length = end - start
            if length * step >= rule.min_shift_hours * 60 and rule.minutes > 0:
                blen = max(1, math.ceil(rule.minutes / step))
                mid = start + (length - blen) // 2
                reach = rule.window_minutes // 2 // step
                positions = sorted(
                    {
                        p
                        for p in range(mid - reach, mid + reach + 1)
                        if start + 1 <= p and p + blen <= end - 1
                    }
                ) or [mid]
                for p in positions:
                    out.append(Candidate(agent.time_zone, day, pattern, start, end, p, blen, night))
            else:
                out.append(Candidate(agent.time_zone, day, pattern, start, end, None, 0, night))
    return out


def preference_cost(agent: AgentSpec, cand: Candidate) -> int:
    """0 inside one of the agent's preferred windows (or with none), else the least weight."""
    if not agent.preferences:
        return 0
    local0 = dt.datetime.combine(cand.local_day, cand.pattern.start)
    local1 = local0 + dt.timedelta(hours=cand.pattern.wall_hours)
    if any(in_window(local0, local1, w) for w in agent.preferences):
        return 0
    return min(w.weight for w in agent.preferences)


def to_shift(problem: RosterProblem, agent_id: int, cand: Candidate) -> Shift:
    breaks: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    if cand.break_at is not None:
        breaks = ((problem.at(cand.break_at), problem.at(cand.break_at + cand.break_len)),)
    return Shift(
        agent_id, problem.at(cand.start), problem.at(cand.end), breaks, cand.local_day, cand.night
    )


# -- coverage counted from shifts ---------------------------------------------------------


def demand_table(problem: RosterProblem) -> dict[tuple[str, int], int]:
    table: dict[tuple[str, int], int] = {}
    for r in problem.requirements:
        if r.agents > 0 and 0 <= r.interval < problem.horizon:
            table[(r.queue, r.interval)] = table.get((r.queue, r.interval), 0) + r.agents
    return table


def present_agents(problem: RosterProblem, shifts: Iterable[Shift]) -> dict[int, list[int]]:
    """interval -> ids of agents present (on shift, not on break)."""
    out: dict[int, list[int]] = {}
    step = dt.timedelta(minutes=problem.interval_minutes)
    for s in shifts:
        t = max(problem.index_of(s.start), 0)
        end = min(problem.index_of(s.end), problem.horizon)
        for i in range(t, end):
            moment = problem.at(i)
            if any(b0 <= moment and moment + step <= b1 for b0, b1 in s.breaks):
                continue
            out.setdefault(i, []).append(s.agent_id)
    return out


def allocate(
    supply: dict[frozenset[str], int], demand: dict[str, int]
) -> dict[tuple[frozenset[str], str], int]:
    """A maximum allocation of present agents (counted per language set) to the queues'
    demand, each agent to one queue of a language they speak: a maximum flow source →
    language set (agents present) → queue (if the set speaks its language) → sink (demand)."""
    groups = [g for g, n in supply.items() if n > 0]
    queues = [q for q, n in demand.items() if n > 0]
    if not groups or not queues:
        return {}
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    n_g = len(groups)
    sink = 1 + n_g + len(queues)
    edges: list[tuple[int, int, int]] = []
    for i, g in enumerate(groups):
        edges.append((0, 1 + i, supply[g]))
        for j, q in enumerate(queues):
            if q.split("/", 1)[0] in g:
                edges.append((1 + i, 1 + n_g + j, supply[g]))
    for j, q in enumerate(queues):
        edges.append((1 + n_g + j, sink, demand[q]))
    rows, cols, caps = (list(column) for column in zip(*edges, strict=True))
    graph = csr_matrix(
        (np.array(caps, dtype=np.int32), (np.array(rows), np.array(cols))),
        shape=(sink + 1, sink + 1),
    )
    flow = maximum_flow(graph, 0, sink).flow.tocoo()
    out: dict[tuple[frozenset[str], str], int] = {}
    for r, c, v in zip(flow.row, flow.col, flow.data, strict=True):
        if v > 0 and 1 <= r <= n_g and n_g < c < sink:
            out[(groups[r - 1], queues[c - 1 - n_g])] = int(v)
    return out


def coverage_of(
    problem: RosterProblem, shifts: Sequence[Shift]
) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], int], float]:
    """Coverage per (queue, interval) counted from the shifts (a maximum allocation of the
    agents present to the queues they can serve), the shortfalls, and over-staffed hours."""
    languages = {a.id: a.languages for a in problem.agents}
    demand = demand_table(problem)
    by_interval: dict[int, dict[str, int]] = {}
    for (q, t), n in demand.items():
        by_interval.setdefault(t, {})[q] = n
    coverage: dict[tuple[str, int], int] = {}
    short: dict[tuple[str, int], int] = {}
    spare = 0
    present = present_agents(problem, shifts)
    for t in range(problem.horizon):
        supply: dict[frozenset[str], int] = {}
        for agent_id in present.get(t, []):
            supply[languages[agent_id]] = supply.get(languages[agent_id], 0) + 1
        need = by_interval.get(t, {})
        flow = allocate(supply, need)
        used = 0
        for (_, q), n in flow.items():
            coverage[(q, t)] = coverage.get((q, t), 0) + n
            used += n
        spare += sum(supply.values()) - used
        for q, n in need.items():
            if coverage.get((q, t), 0) < n:
                short[(q, t)] = n - coverage.get((q, t), 0)
    return coverage, short, spare * problem.interval_minutes / 60
