"""Stage 2 of the roster: named agents on shifts (OR-Tools CP-SAT), with a greedy warm
start from the stage-1 plan (pure).

Variables: ``z[a, c]`` agent ``a`` works candidate ``c`` (only the candidates the stage-1
plan uses for the agent's group, all break positions of them, and the same shift an hour
earlier or later); ``y[g, q, t]`` as in stage 1 (a group's present agents split over its
queues: a multilingual agent is counted for one queue at a time, without a variable per
agent×language×interval; agents of one group are interchangeable, so any group-level
split is realisable by named agents); ``s[q, t]`` agents short. Hard rules per agent: one
shift per local day, rest (at most one of the shifts whose ``[start, end + rest)`` holds a
given start: a clique per start point, which forbids overlaps and short rests across days),
weekly hours, days in a row (every window of ``max + 1`` local days), nights. Objective:
paid intervals + penalty × short + preference costs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from wowdesk.wfm.roster_cover import CoverResult, GroupKey, Prepared, bound_hours
from wowdesk.wfm.roster_model import AgentSpec, Candidate, coverage_of, preference_cost, to_shift


@dataclass
class AssignResult:
    status: str
    chosen: dict[int, list[Candidate]]
    objective: float | None
    best_bound: float | None
    short: int
    first_solution_seconds: float | None
    first_full_seconds: float | None  # first roster with no agent short
    target_seconds: float | None  # first roster within the target gap
    progress: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    greedy_seconds: float = 0.0
    greedy_short: int = 0


def _rest_intervals(agent: AgentSpec, step: int) -> int:
    return math.ceil(agent.min_rest_hours * 60 / step)


def _worked(c: Candidate) -> int:
    return c.end - c.start - c.break_len


def _options(
    prep: Prepared, cover: CoverResult, agent: AgentSpec, gkey: GroupKey
) -> list[Candidate]:
    """The agent's candidates near the stage-1 plan of their group."""
    planned = set(cover.plan.get(gkey, {})) | set(cover.lp_plan.get(gkey, {}))
    spans = {(c.start, c.end) for c in planned}
    shift = 60 // prep.problem.interval_minutes
    near = spans | {(a + d, b + d) for a, b in spans for d in (-shift, shift)}
    return [c for c in prep.agent_candidates[agent.id] if (c.start, c.end) in near]


def _near(prep: Prepared, agent: AgentSpec, shifts: list[Candidate]) -> set[Candidate]:
    """The agent's candidates starting within two hours of one of their hinted shifts."""
    reach = 120 // prep.problem.interval_minutes
    starts = [c.start for c in shifts]
    near = {
        c for c in prep.agent_candidates[agent.id] if any(abs(c.start - s) <= reach for s in starts)
    }
    return near | set(shifts)


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
        days = sorted(self.days | {c.local_day})
        run = best = 1
        for a, b in itertools.pairwise(days):
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


class _Recorder(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_solution: Callable[[_Recorder], None]) -> None:
        super().__init__()
        self._on_solution = on_solution

    def on_solution_callback(self) -> None:
        self._on_solution(self)


def solve_assign(
    prep: Prepared,
    cover: CoverResult,
    time_limit: float,
    workers: int = 8,
    target_gap: float | None = None,
    progress: Callable[[dict[str, float]], None] | None = None,
) -> AssignResult:
    began = time.monotonic()
    problem = prep.problem
    horizon = problem.horizon
    step = problem.interval_minutes
    model = cp_model.CpModel()
    z: dict[tuple[int, Candidate], cp_model.IntVar] = {}
    presence: dict[tuple[GroupKey, int], list[cp_model.IntVar]] = {}
    cost_terms: list[cp_model.LinearExprT] = []
    cost_coefs: list[int] = []
    paid_terms: list[tuple[cp_model.IntVar, int]] = []
    planless = not cover.plan
    # the plan greedy leaves cells short (the plan's own shortfall, shifts no agent could
    # take); the covering greedy then completes it so the hint is a full-coverage roster
    # take whichever of it and the plan-free greedy leaves fewer agent-intervals short (at
    # full size the plan's rounding loses so much that the plan-free one often wins)
    hint = greedy_cover(prep)
    if not planless:
        filled = greedy_cover(prep, greedy(prep, cover))
        if _short(prep, filled) < _short(prep, hint):
            hint = filled
    greedy_seconds = time.monotonic() - began
    for gkey, members in prep.groups.items():
        for agent in members:
            if planless:
                options = _near(prep, agent, hint.get(agent.id, []))
            else:
                options = set(_options(prep, cover, agent, gkey)) | set(hint.get(agent.id, []))
            opts = sorted(options, key=lambda c: (c.start, c.end, c.break_at or 0))
            vars_ = []
            for c in opts:
                v = model.new_bool_var("")
                z[(agent.id, c)] = v
                vars_.append((c, v))
                for t in c.covers(horizon):
                    presence.setdefault((gkey, t), []).append(v)
                paid = c.paid_intervals(horizon)
                pref = preference_cost(agent, c)
                cost_terms.append(v)
                cost_coefs.append(paid + pref)
                paid_terms.append((v, paid))
            _agent_rules(model, agent, prep, vars_)
    short_vars: dict[tuple[str, int], cp_model.IntVar] = {}
    cover_exprs: dict[tuple[str, int], list[cp_model.IntVar]] = {}
    for (q, t), need in prep.demand.items():
        s = model.new_int_var(0, need, "")
        short_vars[(q, t)] = s
        cover_exprs[(q, t)] = [s]
        cost_terms.append(s)
        cost_coefs.append(prep.penalty)
    alloc: dict[tuple[GroupKey, str, int], cp_model.IntVar] = {}
    for gkey, members in prep.groups.items():
        queues = prep.group_queues[gkey]
        for t in range(horizon):
            terms = presence.get((gkey, t))
            wanted = [q for q in queues if (q, t) in prep.demand] if terms else []
            if not terms or not wanted:
                continue
            if not prep.allocating(gkey):
                cover_exprs[(wanted[0], t)].extend(terms)
                continue
            split = []
            for q in wanted:
                y = model.new_int_var(0, min(len(members), prep.demand[(q, t)]), "")
                alloc[(gkey, q, t)] = y
                cover_exprs[(q, t)].append(y)
                split.append(y)
            model.add(sum(split) <= sum(terms))
    for (q, t), terms in cover_exprs.items():
        model.add(sum(terms) >= prep.demand[(q, t)])
    model.minimize(cp_model.LinearExpr.weighted_sum(cost_terms, cost_coefs))
    greedy_short = _hint(model, prep, hint, z, short_vars, alloc, presence)

    # the greedy roster keeps every hard rule and is the fallback result: when it covers
    # everything, a full-coverage roster exists from then on
    full_at = greedy_seconds if greedy_short == 0 else None
    record: dict[str, float | None] = {"first": None, "full": full_at, "target": None}
    log: list[dict[str, float]] = []
    lock = threading.Lock()
    short_list = list(short_vars.values())

    def on_solution(cb: _Recorder) -> None:
        now = time.monotonic() - began
        short = sum(cb.value(s) for s in short_list)
        paid = sum(cb.value(v) * p for v, p in paid_terms)
        lb = bound_hours(prep, cover.lower_bound, short) * 60 / step  # in intervals
        gap = (paid - lb) / lb if lb > 0 else 0.0
        entry = {
            "seconds": round(now, 3),
            "objective": cb.objective_value,
            "bound": cb.best_objective_bound,
            "hours": paid * step / 60,
            "short": float(short),
            "gap": gap,
        }
        with lock:
            log.append(entry)
            record["first"] = record["first"] if record["first"] is not None else now
            if short == 0 and record["full"] is None:
                record["full"] = now
            if (
                target_gap is not None
                and short <= cover.short
                and gap <= target_gap
                and record["target"] is None
            ):
                record["target"] = now
                cb.stop_search()
        if progress is not None:
            progress({"stage": 2.0, **entry})

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(1.0, time_limit - (time.monotonic() - began))
    solver.parameters.num_workers = max(8, workers)
    solver.parameters.random_seed = problem.seed
    status = solver.solve(model, _Recorder(on_solution))
    name = solver.status_name(status)
    chosen: dict[int, list[Candidate]] = {}
    objective = bound = None
    short = 0
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        objective, bound = solver.objective_value, solver.best_objective_bound
        short = sum(solver.value(s) for s in short_list)
        for (agent_id, c), v in z.items():
            if solver.value(v):
                chosen.setdefault(agent_id, []).append(c)
    else:  # no solution in time: the greedy roster (it keeps every hard rule)
        chosen = hint
    return AssignResult(
        status=name,
        chosen={a: sorted(cs, key=lambda c: c.start) for a, cs in chosen.items()},
        objective=objective,
        best_bound=bound,
        short=short,
        first_solution_seconds=record["first"],
        first_full_seconds=record["full"],
        target_seconds=record["target"],
        progress=log,
        seconds=time.monotonic() - began,
        greedy_seconds=greedy_seconds,
        greedy_short=greedy_short,
    )


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
        first = days[0]
        span = (days[-1] - first).days + 1
        worked = [by_day.get(first + dt.timedelta(days=i), []) for i in range(span)]
        for i in range(span - run):
            window = [v for day in worked[i : i + run + 1] for v in day]
            if len(window) > run:
                model.add(sum(window) <= run)
        model.add(sum(v for _, v in options) <= prep.max_days(agent))


def _hint(
    model: cp_model.CpModel,
    prep: Prepared,
    chosen: dict[int, list[Candidate]],
    z: dict[tuple[int, Candidate], cp_model.IntVar],
    short_vars: dict[tuple[str, int], cp_model.IntVar],
    alloc: dict[tuple[GroupKey, str, int], cp_model.IntVar],
    presence: dict[tuple[GroupKey, int], list[cp_model.IntVar]],
) -> int:
    """A complete hint: the greedy shifts, a greedy split of multilingual groups, shorts."""
    on = {(a, c) for a, cs in chosen.items() for c in cs}
    for chosen_key, v in z.items():
        model.add_hint(v, 1 if chosen_key in on else 0)
    horizon = prep.problem.horizon
    present: dict[tuple[GroupKey, int], int] = {}
    group_of = {a.id: g for g, ms in prep.groups.items() for a in ms}
    for a, cs in chosen.items():
        for c in cs:
            for t in c.covers(horizon):
                key = (group_of[a], t)
                present[key] = present.get(key, 0) + 1
    left = dict(prep.demand)
    for gkey in prep.groups:
        if prep.allocating(gkey):
            continue
        for q in prep.group_queues[gkey]:
            for t in range(horizon):
                if (q, t) in left:
                    left[(q, t)] = max(0, left[(q, t)] - present.get((gkey, t), 0))
    # multilingual groups: fewest languages first, then the queue that misses most
    for gkey in sorted((g for g in prep.groups if prep.allocating(g)), key=lambda g: len(g[1])):
        for t in range(horizon):
            free = present.get((gkey, t), 0)
            queues = [q for q in prep.group_queues[gkey] if (gkey, q, t) in alloc]
            for q in sorted(queues, key=lambda q: -left.get((q, t), 0)):
                take = min(free, left.get((q, t), 0))
                model.add_hint(alloc[(gkey, q, t)], take)
                left[(q, t)] -= take
                free -= take
    for cell, s in short_vars.items():
        model.add_hint(s, left[cell])
    return sum(left.values())
