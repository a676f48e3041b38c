"""Stage 1 of the roster: the pooled covering MILP (HiGHS through ``scipy.optimize.milp``).

Agents are pooled into groups of one site (time zone) and one set of languages: inside a
group agents are interchangeable for coverage. Variables: ``x[g, c]`` how many agents of
group ``g`` work candidate shift ``c`` (integer); ``y[g, q, t]`` how many of the group's
present agents serve queue ``q`` in interval ``t`` (only for groups that could serve more
than one queue: a multilingual agent counts for one queue at a time); ``s[q, t]`` agents
short. Objective: paid intervals + a heavy penalty per short agent-interval. Constraints:
coverage per queue×interval, the allocation bound per group×interval, and the group's
pooled hard rules (shifts a day ≤ agents available that day, hours ≤ the sum of their
weekly maxima, shifts ≤ the sum of their working days, nights ≤ the sum of their night
limits). It relaxes stage 2 (every roster of named agents is a solution), so its dual bound
bounds the paid hours of every roster with the same shortfall from below (pure).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix

from wowdesk.wfm.roster_model import (
    AgentSpec,
    Candidate,
    RosterProblem,
    candidates_for,
    demand_table,
)

GroupKey = tuple[str, frozenset[str]]
# above this many shift columns the MILP is skipped: the LP gives the bound, and its
# rounding the plan (HiGHS found no useful incumbent in 100 s at 23,590 columns here)
MILP_MAX_COLUMNS = 5000


@dataclass
class Prepared:
    """What both stages share: candidates, groups, demand."""

    problem: RosterProblem
    agent_candidates: dict[int, list[Candidate]]
    groups: dict[GroupKey, list[AgentSpec]]
    group_candidates: dict[GroupKey, list[Candidate]]
    demand: dict[tuple[str, int], int]
    queues_of_language: dict[str, list[str]]
    penalty: int  # objective units (intervals) per short agent-interval
    group_queues: dict[GroupKey, list[str]] = field(default_factory=dict)
    # language -> the languages linked to it through agents speaking both (a component of
    # the problem: its cells can only be served by its agents, who serve no other cells)
    components: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def short_weight(self) -> int:
        """The search's weight of a short agent-interval: a whole week of one agent (far
        above ``penalty``), so the search fills every cell before it saves hours."""
        return max(self.penalty, self.problem.horizon)

    def allocating(self, key: GroupKey) -> bool:
        """Whether the group could serve more than one queue (needs ``y`` variables)."""
        return len(self.group_queues[key]) > 1

    def max_days(self, agent: AgentSpec) -> int:
        """Working days a week the days-in-a-row limit leaves."""
        run = max(agent.max_days_in_row, 0)
        days = self.problem.days
        return min(days, days - days // (run + 1)) if run < days else days


def prepare(problem: RosterProblem) -> Prepared:
    cache: dict[tuple[object, ...], list[Candidate]] = {}
    agent_candidates: dict[int, list[Candidate]] = {}
    groups: dict[GroupKey, list[AgentSpec]] = {}
    for agent in problem.agents:
        key = (
            agent.time_zone,
            agent.patterns,
            agent.availability,
            agent.days_off,
            agent.not_before,
            agent.unavailable,
        )
        if key not in cache:
            cache[key] = candidates_for(problem, agent)
        agent_candidates[agent.id] = cache[key]
        groups.setdefault((agent.time_zone, agent.languages), []).append(agent)
    group_candidates: dict[GroupKey, list[Candidate]] = {}
    for gkey, members in groups.items():
        seen: dict[Candidate, None] = {}
        for agent in members:
            for c in agent_candidates[agent.id]:
                seen.setdefault(c, None)
        group_candidates[gkey] = sorted(seen, key=lambda c: (c.start, c.end, c.break_at or 0))
    demand = demand_table(problem)
    queues_of_language: dict[str, list[str]] = {}
    for q, _ in demand:
        lang = q.split("/", 1)[0]
        if q not in queues_of_language.setdefault(lang, []):
            queues_of_language[lang].append(q)
    longest = max((c.end - c.start for cs in group_candidates.values() for c in cs), default=1)
    prepared = Prepared(
        problem, agent_candidates, groups, group_candidates, demand, queues_of_language,
        penalty=2 * longest + 1,
    )  # fmt: skip
    prepared.components = _components(
        [a.languages for a in problem.agents] + [frozenset({lang}) for lang in queues_of_language]
    )
    for gkey in groups:
        prepared.group_queues[gkey] = sorted(
            q for lang in gkey[1] for q in queues_of_language.get(lang, [])
        )
    return prepared


def _components(sets: list[frozenset[str]]) -> dict[str, frozenset[str]]:
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for langs in sets:
        first, *rest = sorted(langs) or [""]
        root(first)
        for other in rest:
            parent[root(other)] = root(first)
    members: dict[str, set[str]] = {}
    for lang in list(parent):
        members.setdefault(root(lang), set()).add(lang)
    return {lang: frozenset(members[root(lang)]) for lang in parent if lang}


@dataclass
class CoverResult:
    status: str
    lower_bound: float  # objective units (intervals + penalty × short)
    lower_bound_hours: float
    objective: float | None
    short: int  # agent-intervals short in the stage-1 plan
    plan: dict[GroupKey, dict[Candidate, float]]  # shifts per group (integer if MILP)
    lp_plan: dict[GroupKey, dict[Candidate, float]]
    seconds: float
    lp_value: float = 0.0  # the LP's optimum (0: not solved)
    # the LP optimum's objective per component (the LP separates by component, so each
    # part is that component's own LP optimum)
    lp_parts: dict[frozenset[str], float] = field(default_factory=dict)


def solve_cover(prep: Prepared, time_limit: float = 60.0, mip_gap: float = 0.002) -> CoverResult:
    began = time.monotonic()
    problem = prep.problem
    horizon = problem.horizon
    problem.interval_minutes / 60
    cost: list[float] = []
    integral: list[int] = []
    upper: list[float] = []
    x_index: list[tuple[GroupKey, Candidate]] = []
    # presence terms per (group, t): column indices
    presence: dict[tuple[GroupKey, int], list[int]] = {}
    group_cols: dict[GroupKey, range] = {}
    for gkey, cands in prep.group_candidates.items():
        members = prep.groups[gkey]
        owners: dict[Candidate, int] = {}
        for agent in members:
            for c in prep.agent_candidates[agent.id]:
                owners[c] = owners.get(c, 0) + 1
        for c in cands:
            col = len(cost)
            x_index.append((gkey, c))
            cost.append(c.paid_intervals(horizon))
            integral.append(1)
            upper.append(owners[c])
            for t in c.covers(horizon):
                presence.setdefault((gkey, t), []).append(col)
        group_cols[gkey] = range(len(cost) - len(cands), len(cost))
    n_x = len(cost)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def row(entries: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(lo)
        for col, v in entries:
            rows.append(r)
            cols.append(col)
            vals.append(v)
        lo.append(low)
        hi.append(high)

    # coverage and allocation
    cover_terms: dict[tuple[str, int], list[tuple[int, float]]] = {}
    short_cols: dict[tuple[str, int], int] = {}
    for (q, t), need in prep.demand.items():
        short_cols[(q, t)] = len(cost)
        cost.append(prep.penalty)
        integral.append(0)
        upper.append(need)
        cover_terms[(q, t)] = [(short_cols[(q, t)], 1.0)]
    for gkey in prep.groups:
        queues = prep.group_queues[gkey]
        if not queues:
            continue
        for t in range(horizon):
            terms = presence.get((gkey, t))
            if not terms:
                continue
            wanted = [q for q in queues if (q, t) in prep.demand]
            if not wanted:
                continue
            if not prep.allocating(gkey):
                cover_terms[(wanted[0], t)].extend((col, 1.0) for col in terms)
                continue
            alloc: list[tuple[int, float]] = []
            for q in wanted:
                col = len(cost)
                cost.append(0.0)
                integral.append(0)
                upper.append(prep.demand[(q, t)])
                cover_terms[(q, t)].append((col, 1.0))
                alloc.append((col, 1.0))
            row(alloc + [(col, -1.0) for col in terms], -np.inf, 0.0)
    for (q, t), entries in cover_terms.items():
        row(entries, prep.demand[(q, t)], np.inf)
    # pooled hard rules per group
    step_min = problem.interval_minutes
    for gkey, members in prep.groups.items():
        cols_of = group_cols[gkey]
        by_day: dict[dt.date, list[int]] = {}
        for i in cols_of:
            by_day.setdefault(x_index[i][1].local_day, []).append(i)
        for day, day_cols in by_day.items():
            able = sum(
                1 for a in members if any(c.local_day == day for c in prep.agent_candidates[a.id])
            )
            row([(i, 1.0) for i in day_cols], -np.inf, able)
        hours_cap = sum(math.floor(a.max_hours_per_week * 60 / step_min) for a in members)
        row([(i, _worked(x_index[i][1])) for i in cols_of], -np.inf, hours_cap)
        row([(i, 1.0) for i in cols_of], -np.inf, sum(prep.max_days(a) for a in members))
        nights = [i for i in cols_of if x_index[i][1].night]
        if nights:
            row([(i, 1.0) for i in nights], -np.inf, sum(a.max_nights for a in members))
    n = len(cost)
    if n == 0:  # no shift to work and nothing required: nothing to solve, 0 bounds it
        return CoverResult("lp: empty", 0.0, 0.0, 0.0, 0, {}, {}, time.monotonic() - began)
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(lo), n))
    constraints = LinearConstraint(matrix, np.array(lo), np.array(hi))
    bounds = Bounds(np.zeros(n), np.array(upper, dtype=float))
    c_vec = np.array(cost, dtype=float)
    lp = linprog(
        c_vec,
        bounds=np.column_stack([np.zeros(n), np.array(upper, dtype=float)]),
        method="highs-ipm",
        options={"time_limit": time_limit},
        **_as_ub(matrix, np.array(lo), np.array(hi)),
    )
    remaining = time_limit - (time.monotonic() - began)
    res = None
    if n_x <= MILP_MAX_COLUMNS and remaining > 0.5:
        res = milp(
            c_vec,
            constraints=constraints,
            bounds=bounds,
            integrality=np.array(integral),
            options={"time_limit": remaining, "mip_rel_gap": mip_gap, "presolve": True},
        )
    # only a solved LP bounds anything (an interrupted interior point is not a bound)
    lp_value = float(lp.fun) if lp.status == 0 else 0.0
    bound = lp_value
    if res is not None and getattr(res, "mip_dual_bound", None) is not None:
        bound = max(bound, float(res.mip_dual_bound))
    lp_parts: dict[frozenset[str], float] = {}
    if lp.status == 0:
        for i, (gkey, _) in enumerate(x_index):
            if not gkey[1]:
                continue
            part = prep.components[next(iter(gkey[1]))]
            lp_parts[part] = lp_parts.get(part, 0.0) + c_vec[i] * lp.x[i]
        for (q, _), col in short_cols.items():
            part = prep.components[q.split("/", 1)[0]]
            lp_parts[part] = lp_parts.get(part, 0.0) + c_vec[col] * lp.x[col]
    plan: dict[GroupKey, dict[Candidate, float]] = {}
    lp_plan: dict[GroupKey, dict[Candidate, float]] = {}
    short = 0
    objective = None
    source = res.x if res is not None and res.x is not None else None
    if source is not None:
        objective = float(res.fun)  # type: ignore[union-attr]
        short = round(sum(source[c] for c in short_cols.values()))
        for i in range(n_x):
            if source[i] > 0.5:
                gkey, cand = x_index[i]
                plan.setdefault(gkey, {})[cand] = round(source[i])
    if lp.x is not None:
        for i in range(n_x):
            if lp.x[i] > 1e-6:
                gkey, cand = x_index[i]
                lp_plan.setdefault(gkey, {})[cand] = float(lp.x[i])
        if source is None:  # no MILP (too big) or no incumbent in time: round the LP
            short = math.ceil(sum(lp.x[c] for c in short_cols.values()) - 1e-6)
            for gkey, fractions in lp_plan.items():
                rounded = {c: math.floor(v + 0.5) for c, v in fractions.items()}
                plan[gkey] = {c: v for c, v in rounded.items() if v > 0}
    lb_hours = bound_hours(prep, bound, short)
    return CoverResult(
        status=f"milp: {res.message}"
        if res is not None and source is not None
        else f"lp: {lp.message}",
        lower_bound=bound,
        lower_bound_hours=lb_hours,
        objective=objective,
        short=short,
        plan=plan,
        lp_plan=lp_plan,
        seconds=time.monotonic() - began,
        lp_value=lp_value,
        lp_parts=lp_parts,
    )


def combined_bound(cover: CoverResult, component_bounds: dict[frozenset[str], float]) -> float:
    """Stage 1's bound, raised by exact bounds of components (e.g. CP-SAT's dual bound of a
    component solved whole, in the same objective units): the LP separates by component,
    so its optimum minus a component's part plus that component's own bound still bounds
    every roster."""
    raised = cover.lp_value
    if raised > 0:
        for part, value in component_bounds.items():
            if part in cover.lp_parts:
                # less a tolerance: the parts are sums of floats
                raised += max(0.0, value - cover.lp_parts[part] - 1e-6 * max(1.0, value))
    return max(cover.lower_bound, raised)


def bound_hours(prep: Prepared, bound: float, short: int) -> float:
    """A lower bound on the paid hours of any roster ``short`` agent-intervals short.

    Every roster costs ``hours + penalty × short ≥ bound`` (stage 1 relaxes stage 2), and
    every served agent-interval is a distinct paid one (nobody serves two queues at once)."""
    step_h = prep.problem.interval_minutes / 60
    served = sum(prep.demand.values()) - short
    return max(bound - prep.penalty * short, served, 0.0) * step_h


def _worked(c: Candidate) -> int:
    """Intervals worked (paid) in the whole shift, also past the week's end."""
    return c.end - c.start - c.break_len


def _as_ub(matrix: csr_matrix, lo: np.ndarray, hi: np.ndarray) -> dict[str, object]:
    """``lo <= A x <= hi`` as ``A_ub x <= b_ub`` for ``linprog`` (rows with one finite side)."""
    from scipy.sparse import vstack

    upper = np.isfinite(hi)
    lower = np.isfinite(lo)
    a_ub = vstack([matrix[upper], -matrix[lower]]).tocsr()
    return {"A_ub": a_ub, "b_ub": np.concatenate([hi[upper], -lo[lower]])}
