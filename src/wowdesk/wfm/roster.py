"""The weekly roster solver: plain dataclasses in, plain dataclasses out (pure).

``solve_roster(problem, progress=None, target_gap=None)`` runs stage 1 (the pooled
covering LP/MILP, ``roster_cover``: the lower bound on paid hours) in a thread and, beside
it, stage 2: a covering greedy roster of named agents in seconds (``roster_assign``),
redundant shifts dropped and large-neighbourhood search with CP-SAT (``roster_improve``);
then it counts coverage from the shifts themselves (``roster_model.coverage_of``).
``violations`` lists every broken hard rule of a roster (the tests' oracle; a service can
use it on a roster edited by hand). See docs/wfm.md, "Roster solver".
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import threading
import time

from wowdesk.wfm.roster_assign import greedy, greedy_cover
from wowdesk.wfm.roster_cover import (
    CoverResult,
    Prepared,
    bound_hours,
    combined_bound,
    prepare,
    solve_cover,
)
from wowdesk.wfm.roster_improve import Cover, drop_redundant, lns, objective
from wowdesk.wfm.roster_model import (
    AgentSpec,
    BreakRule,
    Candidate,
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

log = logging.getLogger(__name__)

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
    cover_share: float = 0.9,
    use_plan: bool = True,
    lns_workers: int | None = None,
) -> Roster:
    """Solve within ``problem.time_limit_seconds``. Stage 1 (the pooled LP/MILP: the lower
    bound) runs in a thread with up to ``cover_share`` of the time; beside it, stage 2
    builds a roster with the covering greedy, drops redundant shifts and improves it by
    large-neighbourhood search until the time is up. With ``use_plan``, once stage 1 is done
    its plan handed to named agents (completed by the covering greedy) replaces the
    incumbent if that is better. With ``target_gap`` (e.g. 0.01) the search stops at the
    first roster with no agent short (or no more than stage 1's plan) within that gap of the
    bound. ``lns_workers``: CP-SAT workers per search round (default 1: one worker with the
    LP relaxation at every node proves the rounds optimal far sooner than a portfolio)."""
    began = time.monotonic()
    deadline = began + problem.time_limit_seconds
    if lns_workers is None:
        lns_workers = LNS_WORKERS
    step = problem.interval_minutes
    prep = prepare(problem)
    prepared_s = time.monotonic() - began
    box: dict[str, CoverResult] = {}

    failed: list[BaseException] = []

    def stage_1() -> None:
        try:
            box["cover"] = solve_cover(
                prep, time_limit=max(1.0, problem.time_limit_seconds * cover_share - prepared_s)
            )
        except BaseException as exc:  # re-raised in the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=stage_1, name="roster-stage-1", daemon=True)
    thread.start()
    assign_began = time.monotonic()
    chosen = greedy_cover(prep)
    cover = Cover(prep, chosen)
    drop_redundant(prep, chosen, cover)
    times: dict[str, float] = {"first_solution": time.monotonic() - began}
    log: list[dict[str, float]] = []
    state = {"stage_1_reported": 0.0}

    component_bounds: dict[frozenset[str], float] = {}

    def bound() -> float:
        done = box.get("cover")
        return combined_bound(done, component_bounds) if done is not None else 0.0

    def record() -> bool:
        """Log the incumbent; True once the target is met."""
        now = time.monotonic() - began
        short = cover.short()
        paid = sum(c.paid_intervals(problem.horizon) for cs in chosen.values() for c in cs)
        lb = bound_hours(prep, bound(), short) * 60 / step
        gap = (paid - lb) / lb if lb > 0 else 0.0
        entry = {
            "stage": 2.0, "seconds": round(now, 3), "hours": paid * step / 60,
            "short": float(short), "gap": gap, "lower_bound_hours": lb * step / 60,
        }  # fmt: skip
        log.append(entry)
        if short == 0 and "first_full_coverage" not in times:
            times["first_full_coverage"] = now
        if progress is not None:
            progress(dict(entry))
        done = box.get("cover")
        if (
            target_gap is not None
            and done is not None
            and short <= done.short
            and gap <= target_gap
            and "target_gap" not in times
        ):
            times["target_gap"] = now
            return True
        return False

    def on_improve() -> bool:
        if "cover" in box and not state["stage_1_reported"]:
            state["stage_1_reported"] = 1.0
            _report_stage_1(progress, box["cover"], began)
            if use_plan and box["cover"].plan:
                _try_plan(
                    prep, box["cover"], chosen, cover, deadline - _finish_margin(problem),
                    problem.seed + 2, lns_workers,
                )  # fmt: skip
        return record()

    def before_round() -> bool:
        # once nothing is short, or after a share of the time, the search waits for the
        # bound instead of taking the cores from it (on a loaded machine the LP did not
        # finish beside the search), then goes on with the time left
        waited = time.monotonic() - began >= SEARCH_BEFORE_BOUND * problem.time_limit_seconds
        if thread.is_alive() and (waited or cover.short() == 0):
            thread.join(timeout=max(0.0, deadline - _finish_margin(problem) - time.monotonic()))
            return "cover" in box and on_improve()
        return False

    stop = on_improve()
    if not stop:
        lns(
            prep, chosen, cover, deadline=deadline - _finish_margin(problem),
            on_improve=on_improve, seed=problem.seed,
            workers=lns_workers, before_round=before_round, component_bounds=component_bounds,
        )  # fmt: skip
    assign_s = time.monotonic() - assign_began
    thread.join(timeout=max(0.0, deadline - time.monotonic()))
    if failed:
        raise failed[0]
    done = box.get("cover")
    if done is None:  # stage 1 still running at the deadline: no bound but the demand's
        done = CoverResult("lp: not finished", 0.0, 0.0, None, 0, {}, {}, 0.0)
    elif not state["stage_1_reported"]:
        _report_stage_1(progress, done, began)
        if use_plan and done.plan:
            _try_plan(
                prep, done, chosen, cover, deadline - _finish_margin(problem),
                problem.seed + 2, lns_workers,
            )  # fmt: skip
            if not record() and time.monotonic() < deadline - _finish_margin(problem):
                lns(
                    prep, chosen, cover, deadline=deadline - _finish_margin(problem),
                    on_improve=record, seed=problem.seed + 1, workers=lns_workers,
                    component_bounds=component_bounds,
                )  # fmt: skip
            assign_s = time.monotonic() - assign_began
    done.lower_bound = combined_bound(done, component_bounds)
    return _roster(prep, chosen, done, log, times, prepared_s, assign_s, began)


# CP-SAT workers per search round: one worker with linearization level 2 solved this
# problem's neighbourhoods (4–24 agents) to optimality in 0.1–2 s where a portfolio of 2–4
# workers had not closed the gap in 10 s (measured on the bench instance, docs/wfm.md)
LNS_WORKERS = 1

# the share of the time limit the search runs beside an unfinished stage 1 before it waits
SEARCH_BEFORE_BOUND = 0.4


def _finish_margin(problem: RosterProblem) -> float:
    """Time kept for counting the coverage of the result (about 1 s at 600 agents)."""
    return min(2.0, 0.02 * problem.time_limit_seconds)


def _report_stage_1(progress: Progress | None, cover: CoverResult, began: float) -> None:
    if progress is not None:
        progress({"stage": 1.0, "seconds": time.monotonic() - began,
                  "lower_bound_hours": cover.lower_bound_hours})  # fmt: skip


def _try_plan(
    prep: Prepared,
    stage_1: CoverResult,
    chosen: dict[int, list[Candidate]],
    cover: Cover,
    deadline: float | None = None,
    seed: int = 0,
    workers: int = 1,
) -> None:
    """Replace the incumbent by stage 1's plan handed to named agents, if that is better.
    When the plan has fewer paid hours but agents short, it is first repaired by the search
    (at most ``PLAN_REPAIR_SHARE`` of the time left to ``deadline``): the incumbent is
    replaced as soon as the repaired plan has no more agents short and a lower objective."""
    planned = greedy_cover(prep, greedy(prep, stage_1))
    other = Cover(prep, planned)
    drop_redundant(prep, planned, other)
    incumbent = objective(prep, chosen, cover.short())
    short = cover.short()
    horizon = prep.problem.horizon

    def better() -> bool:  # never more agents short than the incumbent
        return other.short() <= short and objective(prep, planned, other.short()) < incumbent

    def paid(roster: dict[int, list[Candidate]]) -> int:
        return sum(c.paid_intervals(horizon) for cs in roster.values() for c in cs)

    if not better() and deadline is not None and paid(planned) < paid(chosen):
        left = deadline - time.monotonic()
        log.debug("plan: %d paid, %d short; repair for %.1f s", paid(planned), other.short(),
                  PLAN_REPAIR_SHARE * left)  # fmt: skip
        lns(
            prep, planned, other, deadline=time.monotonic() + PLAN_REPAIR_SHARE * left,
            on_improve=better, seed=seed, workers=workers,
        )  # fmt: skip
    if better():  # every touched interval allocated once (not once per agent)
        agent_ids = {*chosen, *planned}
        cover.replace_many((a, chosen.get(a, []), planned.get(a, [])) for a in agent_ids)
        for agent_id in agent_ids:
            chosen[agent_id] = planned.get(agent_id, [])


# the share of the time left that the search may spend repairing stage 1's plan
PLAN_REPAIR_SHARE = 0.8


def _roster(
    prep: Prepared,
    chosen: dict[int, list[Candidate]],
    cover: CoverResult,
    log: list[dict[str, float]],
    times: dict[str, float],
    prep_seconds: float,
    assign_seconds: float,
    began: float,
) -> Roster:
    problem = prep.problem
    shifts = [to_shift(problem, a, c) for a, cs in sorted(chosen.items()) for c in cs]
    shifts.sort(key=lambda s: (s.start, s.agent_id))
    coverage, short, over = coverage_of(problem, shifts)
    step_h = problem.interval_minutes / 60
    hours = sum(c.paid_intervals(problem.horizon) for cs in chosen.values() for c in cs)
    hours_h = hours * step_h
    lb = bound_hours(prep, cover.lower_bound, sum(short.values()))
    seconds = {
        "prepare": prep_seconds,
        "cover": cover.seconds,
        "assign": assign_seconds,
        "total": time.monotonic() - began,
        **times,
    }
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
        statuses={"cover": cover.status, "assign": "lns"},
        seconds=seconds,
        progress=log,
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
        if agent.not_before is not None and shifts[0].start < agent.not_before:
            found.append(f"agent {agent_id}: {shifts[0].start} before {agent.not_before}")
        days = sorted({s.local_day for s in shifts} | agent.worked_before)
        run = 1
        for a_day, b_day in itertools.pairwise(days):
            run = run + 1 if (b_day - a_day).days == 1 else 1
            if run > agent.max_days_in_row and b_day not in agent.worked_before:
                found.append(f"agent {agent_id}: {run} days in a row to {b_day}")
        for s in shifts:
            if any(s.start < u1 and u0 < s.end for u0, u1 in agent.unavailable):
                found.append(f"agent {agent_id}: shift at {s.start} in time off")
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
