"""The weekly roster solver: plain dataclasses in, plain dataclasses out (pure).

``solve_roster(problem, progress=None, target_gap=None)`` runs stage 1 (the pooled
covering MILP, ``roster_cover``: the lower bound on paid hours and a shift plan per site
and language group) and stage 2 (named agents with CP-SAT, ``roster_assign``), then counts
coverage from the shifts themselves (``roster_model.coverage_of``). ``violations`` lists
every broken hard rule of a roster (the tests' oracle; a service can use it on a roster
edited by hand). See docs/wfm.md, "Roster".
"""

from __future__ import annotations

import datetime as dt
import itertools
import time

from wowdesk.wfm.roster_assign import AssignResult, solve_assign
from wowdesk.wfm.roster_cover import CoverResult, Prepared, bound_hours, prepare, solve_cover
from wowdesk.wfm.roster_model import (
    AgentSpec,
    BreakRule,
    LocalWindow,
    Progress,
    Requirement,
    Roster,
    RosterProblem,
    Shift,
    ShiftPattern,
    coverage_of,
    in_window,
    local_to_utc,
    to_shift,
)

__all__ = [
    "AgentSpec",
    "BreakRule",
    "LocalWindow",
    "Progress",
    "Requirement",
    "Roster",
    "RosterProblem",
    "Shift",
    "ShiftPattern",
    "local_to_utc",
    "solve_roster",
    "violations",
]


def solve_roster(
    problem: RosterProblem,
    progress: Progress | None = None,
    target_gap: float | None = None,
    cover_share: float = 0.4,
    use_plan: bool = True,
) -> Roster:
    """Solve within ``problem.time_limit_seconds``: up to ``cover_share`` of it for stage 1,
    the rest for stage 2 (``use_plan=False``: stage 2 starts from the plan-free greedy, as
    it does when stage 1 found no plan in time). With ``target_gap`` (e.g. 0.01) stage 2
    stops at the first roster with the stage-1 shortfall and a gap at or under it."""
    began = time.monotonic()
    prep = prepare(problem)
    prepared_s = time.monotonic() - began
    cover = solve_cover(prep, time_limit=max(1.0, problem.time_limit_seconds * cover_share))
    if not use_plan:
        cover.plan, cover.lp_plan = {}, {}
    if progress is not None:
        progress({"stage": 1.0, "seconds": time.monotonic() - began,
                  "lower_bound_hours": cover.lower_bound_hours})  # fmt: skip
    remaining = problem.time_limit_seconds - (time.monotonic() - began)
    assign = solve_assign(
        prep, cover, time_limit=max(1.0, remaining), workers=problem.workers,
        target_gap=target_gap, progress=progress,
    )  # fmt: skip
    return _roster(prep, prep_seconds=prepared_s, cover=cover, assign=assign, began=began)


def _roster(
    prep: Prepared,
    prep_seconds: float,
    cover: CoverResult,
    assign: AssignResult,
    began: float,
) -> Roster:
    problem = prep.problem
    shifts = [to_shift(problem, a, c) for a, cs in sorted(assign.chosen.items()) for c in cs]
    shifts.sort(key=lambda s: (s.start, s.agent_id))
    coverage, short, over = coverage_of(problem, shifts)
    step_h = problem.interval_minutes / 60
    hours = sum(c.paid_intervals(problem.horizon) for cs in assign.chosen.values() for c in cs)
    hours_h = hours * step_h
    lb = bound_hours(prep, cover.lower_bound, sum(short.values()))
    offset = 0.0 if assign.first_solution_seconds is None else prep_seconds + cover.seconds
    seconds = {
        "prepare": prep_seconds,
        "cover": cover.seconds,
        "assign": assign.seconds,
        "total": time.monotonic() - began,
    }
    for name, value in (
        ("first_solution", assign.first_solution_seconds),
        ("first_full_coverage", assign.first_full_seconds),
        ("target_gap", assign.target_seconds),
    ):
        if value is not None:
            seconds[name] = value + offset
    return Roster(
        shifts=shifts,
        coverage=coverage,
        short=short,
        short_intervals=len(short),
        short_agent_intervals=sum(short.values()),
        over_hours=over,
        hours=hours_h,
        lower_bound_hours=lb,
        gap=(hours_h - lb) / lb if lb > 0 else None,
        statuses={"cover": cover.status, "assign": assign.status},
        seconds=seconds,
        progress=[{**p, "seconds": p["seconds"] + offset} for p in assign.progress],
    )


def violations(problem: RosterProblem, roster: Roster) -> list[str]:
    """Every hard rule a roster breaks, in words (empty: it keeps them all)."""
    agents = {a.id: a for a in problem.agents}
    found: list[str] = []
    by_agent: dict[int, list[Shift]] = {}
    for s in roster.shifts:
        by_agent.setdefault(s.agent_id, []).append(s)
    for agent_id, shifts in by_agent.items():
        agent = agents[agent_id]
        shifts.sort(key=lambda s: s.start)
        for a, b in itertools.pairwise(shifts):
            rest = (b.start - a.end).total_seconds() / 3600
            if rest < agent.min_rest_hours - 1e-9:
                found.append(f"agent {agent_id}: {rest:.1f} h rest before {b.start}")
            if a.local_day == b.local_day:
                found.append(f"agent {agent_id}: two shifts on {a.local_day}")
        worked = sum(s.paid_hours for s in shifts)
        if worked > agent.max_hours_per_week + 1e-9:
            found.append(f"agent {agent_id}: {worked} h > {agent.max_hours_per_week}")
        if sum(s.night for s in shifts) > agent.max_nights:
            found.append(f"agent {agent_id}: more than {agent.max_nights} nights")
        days = sorted({s.local_day for s in shifts})
        run = 1
        for a_day, b_day in itertools.pairwise(days):
            run = run + 1 if (b_day - a_day).days == 1 else 1
            if run > agent.max_days_in_row:
                found.append(f"agent {agent_id}: {run} days in a row to {b_day}")
        for s in shifts:
            if s.local_day in agent.days_off:
                found.append(f"agent {agent_id}: shift on day off {s.local_day}")
            if not _allowed(agent, s, problem.interval_minutes):
                found.append(f"agent {agent_id}: {s.start} is not one of their shifts")
    return found


def _allowed(agent: AgentSpec, shift: Shift, step_minutes: int) -> bool:
    """The shift is one of the agent's patterns on its local day, inside availability."""
    for p in agent.patterns:
        start = local_to_utc(shift.local_day, p.start, agent.time_zone)
        end = local_to_utc(shift.local_day, p.start, agent.time_zone, p.wall_hours)
        if abs((start - shift.start).total_seconds()) >= step_minutes * 60:
            continue
        if abs((end - shift.end).total_seconds()) >= step_minutes * 60:
            continue
        local0 = dt.datetime.combine(shift.local_day, p.start)
        local1 = local0 + dt.timedelta(hours=p.wall_hours)
        if not agent.availability or any(in_window(local0, local1, w) for w in agent.availability):
            return True
    return False
