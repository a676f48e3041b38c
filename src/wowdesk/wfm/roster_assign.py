"""Stage 2 of the roster, its building blocks: greedy rosters of named agents and the
per-agent hard rules as CP-SAT constraints (pure).

``greedy_cover`` walks the week and, at the first interval a queue is short, gives the
latest-starting shift that covers it to an agent speaking the fewest languages, then with
the fewest hours, who can take it under every hard rule; ``greedy`` hands a stage-1 plan's
shifts to named agents. ``_agent_rules`` states one agent's hard rules over Boolean
``z[a, c]`` (agent ``a`` works candidate ``c``): one shift per local day, rest (at most one
of the shifts whose ``[start, end + rest)`` holds a given start: a clique per start point,
which forbids overlaps and short rests across days), weekly hours, days in a row (every
window of ``max + 1`` local days), nights, and the week's shift count the days-in-a-row
limit leaves. ``roster_improve`` uses them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

from ortools.sat.python import cp_model

from wowdesk.wfm.roster_cover import CoverResult, Prepared
from wowdesk.wfm.roster_model import AgentSpec, Candidate, coverage_of, to_shift


def _rest_intervals(agent: AgentSpec, step: int) -> int:
    return math.ceil(agent.min_rest_hours * 60 / step)


def _worked(c: Candidate) -> int:
    return c.end - c.start - c.break_len


class _Agent:
    """One agent's bookkeeping for the greedy warm start."""

    def __init__(self, spec: AgentSpec, prep: Prepared) -> None:
        self.spec = spec
        self.rest = _rest_intervals(spec, prep.problem.interval_minutes)
        self.hours_cap = math.floor(spec.max_hours_per_week * 60 / prep.problem.interval_minutes)
        self.max_days = prep.max_days(spec)
        self.hours = 0
        self.nights = 0
        self.shifts: list[Candidate] = []
        self.days: set[dt.date] = set()

    def fits(self, c: Candidate) -> bool:
        s = self.spec
        if c.local_day in self.days or self.hours + _worked(c) > self.hours_cap:
            return False
        if c.night and self.nights >= s.max_nights:
            return False
        for o in self.shifts:
            if not (c.start >= o.end + self.rest or o.start >= c.end + self.rest):
                return False
        days = self.days | {c.local_day}
        run = best = 1
        for a, b in itertools.pairwise(sorted(days | s.worked_before)):
            run = run + 1 if (b - a).days == 1 else 1
            best = max(best, run)
        return best <= s.max_days_in_row and len(days) <= self.max_days

    def take(self, c: Candidate) -> None:
        self.shifts.append(c)
        self.days.add(c.local_day)
        self.hours += _worked(c)
        self.nights += int(c.night)


def greedy(prep: Prepared, cover: CoverResult) -> dict[int, list[Candidate]]:
    """Hand the stage-1 plan's shifts to named agents of the group, earliest first, each to
    the agent with the fewest hours who can still take it under every hard rule."""
    chosen: dict[int, list[Candidate]] = {}
    for gkey, members in prep.groups.items():
        book = [_Agent(a, prep) for a in members]
        owned = {a.spec.id: set(prep.agent_candidates[a.spec.id]) for a in book}
        wanted = sorted(
            (c for c, n in cover.plan.get(gkey, {}).items() for _ in range(int(n))),
            key=lambda c: (c.start, c.end),
        )
        for c in wanted:
            able = [a for a in book if c in owned[a.spec.id] and a.fits(c)]
            if able:
                min(able, key=lambda a: (a.hours, a.spec.id)).take(c)
        for a in book:
            chosen[a.spec.id] = sorted(a.shifts, key=lambda c: c.start)
    return chosen


def greedy_cover(
    prep: Prepared, start: dict[int, list[Candidate]] | None = None
) -> dict[int, list[Candidate]]:
    """A roster without a plan (or completing ``start``, e.g. the plan greedy's roster, whose
    shifts are kept and counted first): walk the week; at the first interval a queue is short, give
    the shift that starts latest at or before it (and covers it) to the agent who speaks the
    fewest languages, then has the fewest hours, and can take it under every hard rule. An
    agent's presence serves the queue that called them, else another of their languages
    that is short then."""
    horizon = prep.problem.horizon
    left = dict(prep.demand)
    books = {a.id: _Agent(a, prep) for a in prep.problem.agents}
    for agent_id, cs in (start or {}).items():
        for c in sorted(cs, key=lambda c: c.start):
            books[agent_id].take(c)
            _serve(prep, left, books[agent_id].spec, c, None)
    speakers: dict[str, list[_Agent]] = {}
    for book in books.values():
        for lang in book.spec.languages:
            speakers.setdefault(lang, []).append(book)
    # per (language, interval): every (agent, shift covering it), latest start first, then
    # agents with fewer languages (sorted once; the first that fits wins)
    options: dict[tuple[str, int], list[tuple[int, int, int, Candidate]]] = {}
    for lang, books_ in speakers.items():
        if lang not in prep.queues_of_language:
            continue
        for book in books_:
            for c in prep.agent_candidates[book.spec.id]:
                for t in c.covers(horizon):
                    options.setdefault((lang, t), []).append(
                        (-c.start, len(book.spec.languages), book.spec.id, c)
                    )
    for entries in options.values():
        entries.sort(key=lambda e: e[:3])
    cells = sorted(prep.demand, key=lambda k: (k[1], k[0]))
    for q, t in cells:
        lang = q.split("/", 1)[0]
        while left[(q, t)] > 0:
            best = next(
                ((books[e[2]], e[3]) for e in options.get((lang, t), []) if books[e[2]].fits(e[3])),
                None,
            )
            if best is None:
                break
            book, c = best
            book.take(c)
            _serve(prep, left, book.spec, c, q)
    return {i: sorted(b.shifts, key=lambda c: c.start) for i, b in books.items()}


def _short(prep: Prepared, chosen: dict[int, list[Candidate]]) -> int:
    shifts = [to_shift(prep.problem, a, c) for a, cs in chosen.items() for c in cs]
    return sum(coverage_of(prep.problem, shifts)[1].values())


def _serve(
    prep: Prepared, left: dict[tuple[str, int], int], agent: AgentSpec, c: Candidate, q: str | None
) -> None:
    """Count one shift's presence against what is left: the queue ``q`` that called the
    agent first, else the first other queue of their group short then."""
    for u in c.covers(prep.problem.horizon):
        if q is not None and left.get((q, u), 0) > 0:
            left[(q, u)] -= 1
            continue
        for other in prep.group_queues.get((agent.time_zone, agent.languages), []):
            if left.get((other, u), 0) > 0:
                left[(other, u)] -= 1
                break


def _agent_rules(
    model: cp_model.CpModel,
    agent: AgentSpec,
    prep: Prepared,
    options: list[tuple[Candidate, cp_model.IntVar]],
) -> None:
    if not options:
        return
    step = prep.problem.interval_minutes
    rest = _rest_intervals(agent, step)
    by_day: dict[dt.date, list[cp_model.IntVar]] = {}
    for c, v in options:
        by_day.setdefault(c.local_day, []).append(v)
    for vs in by_day.values():
        if len(vs) > 1:
            model.add_at_most_one(vs)
    for point in sorted({c.start for c, _ in options}):
        clique = [v for c, v in options if c.start <= point < c.end + rest]
        if len(clique) > 1:
            model.add_at_most_one(clique)
    cap = math.floor(agent.max_hours_per_week * 60 / step)
    model.add(sum(v * _worked(c) for c, v in options) <= cap)
    nights = [v for c, v in options if c.night]
    if len(nights) > agent.max_nights:
        model.add(sum(nights) <= agent.max_nights)
    days = sorted(by_day)
    if days:
        run = agent.max_days_in_row
        # days worked before the week are fixed: they use up the windows they fall in
        first = min([days[0], *agent.worked_before])
        span = (days[-1] - first).days + 1
        dates = [first + dt.timedelta(days=i) for i in range(span)]
        worked = [by_day.get(d, []) for d in dates]
        fixed = [int(d in agent.worked_before) for d in dates]
        for i in range(span - run):
            window = [v for day in worked[i : i + run + 1] for v in day]
            room = run - sum(fixed[i : i + run + 1])
            if len(window) > room:
                model.add(sum(window) <= max(room, 0))
        model.add(sum(v for _, v in options) <= prep.max_days(agent))
