"""The roster solver: DST, small instances with a known optimum, follow-the-sun, and the
hard rules and coverage of every returned roster (property tests)."""

from __future__ import annotations

import datetime as dt
import random
import time
from types import SimpleNamespace
from typing import cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wowdesk.wfm.roster import (
    AgentSpec,
    BreakRule,
    LocalWindow,
    Requirement,
    Roster,
    RosterProblem,
    Shift,
    ShiftPattern,
    _try_plan,
    local_to_utc,
    solve_roster,
    violations,
)
from wowdesk.wfm.roster_assign import greedy, greedy_cover
from wowdesk.wfm.roster_cover import combined_bound, prepare, solve_cover
from wowdesk.wfm.roster_improve import (
    Cover,
    _apply,
    _solve_neighbourhood,
    drop_redundant,
    lns,
    objective,
)
from wowdesk.wfm.roster_model import Candidate, candidates_for, coverage_of, to_shift

NO_BREAK = BreakRule(minutes=0)
UTC = dt.UTC


def _agent(i: int, zone: str = "UTC", langs: tuple[str, ...] = ("en",), **kw: object) -> AgentSpec:
    kw.setdefault("patterns", (ShiftPattern(dt.time(8, 0), 8.0),))
    return AgentSpec(id=i, time_zone=zone, languages=frozenset(langs), **kw)  # type: ignore[arg-type]


def _hours(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 3600


def test_a_berlin_night_shift_across_dst_lasts_its_real_length() -> None:
    # the nights into the last Sundays of March and October 2027
    spring = dt.date(2027, 3, 27)
    autumn = dt.date(2027, 10, 30)
    for day, real in ((spring, 7.0), (autumn, 9.0), (dt.date(2027, 6, 5), 8.0)):
        start = local_to_utc(day, dt.time(22, 0), "Europe/Berlin")
        end = local_to_utc(day, dt.time(22, 0), "Europe/Berlin", 8.0)
        assert _hours(start, end) == real
    # and the candidate on the grid has that many intervals, and is a night shift
    problem = RosterProblem(week_start=dt.date(2027, 3, 22), agents=[], requirements=[])
    problem.breaks = NO_BREAK
    berlin = _agent(1, "Europe/Berlin", patterns=(ShiftPattern(dt.time(22, 0), 8.0),))
    saturday = [c for c in candidates_for(problem, berlin) if c.local_day == spring]
    assert len(saturday) == 1 and saturday[0].end - saturday[0].start == 14
    assert saturday[0].night
    assert problem.at(saturday[0].start) == dt.datetime(2027, 3, 27, 21, 0, tzinfo=UTC)


def test_one_shift_is_the_optimum_for_one_block_of_demand() -> None:
    week = dt.date(2027, 1, 4)
    need = [Requirement("en", t, 1) for t in range(16, 32)]  # Monday 08:00–16:00 UTC
    problem = RosterProblem(week, [_agent(1), _agent(2)], need, breaks=NO_BREAK)
    problem.time_limit_seconds = 10
    roster = solve_roster(problem)
    assert [(s.start, s.end) for s in roster.shifts] == [
        (dt.datetime(2027, 1, 4, 8, tzinfo=UTC), dt.datetime(2027, 1, 4, 16, tzinfo=UTC))
    ]
    assert roster.hours == 8.0 and roster.lower_bound_hours == 8.0 and roster.gap == 0.0
    assert roster.short_intervals == 0 and roster.over_hours == 0.0
    assert violations(problem, roster) == []


def test_a_bilingual_agent_counts_for_one_queue_at_a_time() -> None:
    week = dt.date(2027, 1, 4)
    need = [Requirement(q, t, 1) for q in ("de", "en") for t in range(16, 32)]
    problem = RosterProblem(week, [_agent(1, langs=("de", "en"))], need, breaks=NO_BREAK)
    problem.time_limit_seconds = 10
    roster = solve_roster(problem)
    assert len(roster.shifts) == 1
    assert roster.short_intervals == 16  # one of the two queues each interval, not both
    for t in range(16, 32):
        assert roster.coverage.get(("de", t), 0) + roster.coverage.get(("en", t), 0) == 1


def test_a_break_is_unpaid_and_covered_by_a_second_agent() -> None:
    week = dt.date(2027, 1, 4)
    need = [Requirement("en", t, 1) for t in range(16, 34)]  # 08:00–17:00
    rule = BreakRule(min_shift_hours=6, minutes=30, window_minutes=0)
    agents = [
        _agent(1, patterns=(ShiftPattern(dt.time(8, 0), 9.0),)),
        _agent(2, patterns=(ShiftPattern(dt.time(12, 0), 1.0),)),
    ]
    problem = RosterProblem(week, agents, need, breaks=rule)
    problem.time_limit_seconds = 10
    roster = solve_roster(problem)
    assert roster.short_intervals == 0 and violations(problem, roster) == []
    nine = next(s for s in roster.shifts if s.agent_id == 1)
    assert nine.paid_hours == 8.5 and nine.breaks[0][0] == dt.datetime(2027, 1, 4, 12, tzinfo=UTC)
    assert roster.hours == 9.5 and roster.lower_bound_hours == 9.5


def test_sydney_and_new_york_cover_one_language_around_the_clock() -> None:
    week = dt.date(2027, 1, 25)  # no DST change in either zone that week
    patterns = tuple(ShiftPattern(dt.time(h, 0), 8.0) for h in range(6, 15))
    agents = [
        _agent(i, zone, patterns=patterns, max_nights=0)
        for i, zone in enumerate(["Australia/Sydney"] * 6 + ["America/New_York"] * 6, start=1)
    ]
    problem = RosterProblem(week, agents, [], breaks=NO_BREAK)
    problem.requirements = [Requirement("en", t, 1) for t in range(problem.horizon)]
    problem.time_limit_seconds = 20
    roster = solve_roster(problem)
    assert roster.short_intervals == 0, roster.short
    assert solve_roster(problem, use_plan=False).short_intervals == 0  # the greedy path too
    assert violations(problem, roster) == []
    assert {s.agent_id <= 6 for s in roster.shifts} == {True, False}  # both sites work
    assert 168.0 <= roster.lower_bound_hours <= roster.hours


def test_the_oracle_sees_a_short_rest_and_too_many_hours() -> None:
    week = dt.date(2027, 1, 4)
    agent = _agent(1, patterns=(ShiftPattern(dt.time(8, 0), 8.0), ShiftPattern(dt.time(0, 0), 8.0)))
    agent = AgentSpec(**{**agent.__dict__, "max_hours_per_week": 10.0})
    problem = RosterProblem(week, [agent], [])

    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime(2027, 1, 4 + day, hour, tzinfo=UTC)

    shifts = [
        Shift(1, at(0, 8), at(0, 16), (), dt.date(2027, 1, 4), False),
        Shift(1, at(1, 0), at(1, 8), (), dt.date(2027, 1, 5), True),
    ]
    roster = Roster(shifts, {}, {}, 0, 0, 0.0, 16.0, 0.0, None, {}, {})
    found = violations(problem, roster)
    assert any("rest" in f for f in found) and any("> 10.0" in f for f in found)


# -- property tests ------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/New_York"]
LANGS = ["en", "de", "ja"]


@st.composite
def problems(draw: st.DrawFn) -> RosterProblem:
    n_agents = draw(st.integers(1, 5))
    agents = []
    for i in range(1, n_agents + 1):
        starts = draw(st.lists(st.integers(0, 23), min_size=1, max_size=3, unique=True))
        lengths = draw(st.lists(st.sampled_from([4.0, 6.5, 8.0, 10.0]), min_size=1, max_size=2))
        patterns = tuple(ShiftPattern(dt.time(h, 0), length) for h in starts for length in lengths)
        langs = draw(st.lists(st.sampled_from(LANGS), min_size=1, max_size=2, unique=True))
        availability: tuple[LocalWindow, ...] = ()
        if draw(st.booleans()):
            availability = (LocalWindow(dt.time(draw(st.integers(0, 12)), 0), dt.time(23, 0)),)
        agents.append(
            AgentSpec(
                id=i,
                time_zone=draw(st.sampled_from(ZONES)),
                languages=frozenset(langs),
                patterns=patterns,
                max_hours_per_week=draw(st.sampled_from([8.0, 16.0, 24.0])),
                min_rest_hours=draw(st.sampled_from([8.0, 11.0, 14.0])),
                max_days_in_row=draw(st.integers(1, 3)),
                max_nights=draw(st.integers(0, 2)),
                availability=availability,
                days_off=frozenset({dt.date(2027, 3, 27 + draw(st.integers(0, 2)))}),
            )
        )
    problem = RosterProblem(dt.date(2027, 3, 27), agents, [], days=3)  # across Berlin's DST
    problem.interval_minutes = draw(st.sampled_from([30, 60]))
    cells = draw(
        st.lists(
            st.tuples(
                st.sampled_from(LANGS), st.integers(0, problem.horizon - 1), st.integers(1, 2)
            ),
            max_size=40,
        )
    )
    problem.requirements = [Requirement(q, t, n) for q, t, n in cells]
    problem.time_limit_seconds = 1
    return problem


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.booleans())
def test_every_roster_keeps_the_hard_rules_and_counts_coverage_from_its_shifts(
    problem: RosterProblem, use_plan: bool
) -> None:
    roster = solve_roster(problem, use_plan=use_plan)
    assert violations(problem, roster) == []
    coverage, short, over = coverage_of(problem, roster.shifts)
    assert coverage == roster.coverage and short == roster.short and over == roster.over_hours
    assert roster.short_intervals == len(short)
    assert roster.lower_bound_hours <= roster.hours + 1e-6
    speaks = {a.id: a.languages for a in problem.agents}
    for t in range(problem.horizon):
        moment = problem.at(t)
        present = [
            s.agent_id
            for s in roster.shifts
            if s.start <= moment < s.end and not any(b0 <= moment < b1 for b0, b1 in s.breaks)
        ]
        served = {q: n for (q, i), n in roster.coverage.items() if i == t}
        assert sum(served.values()) <= len(present)  # nobody counted twice
        for q, n in served.items():
            assert n <= sum(1 for a in present if q in speaks[a])


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_the_covering_greedy_completes_the_plan_greedy_without_breaking_a_rule(
    problem: RosterProblem,
) -> None:
    prep = prepare(problem)
    base = greedy(prep, solve_cover(prep, time_limit=1.0))
    filled = greedy_cover(prep, base)

    def shifts(chosen: dict[int, list[Candidate]]) -> list[Shift]:
        return [to_shift(problem, a, c) for a, cs in chosen.items() for c in cs]

    for a, cs in base.items():
        assert set(cs) <= set(filled[a])  # the start roster is kept
    roster = cast(Roster, SimpleNamespace(shifts=shifts(filled)))
    assert violations(problem, roster) == []
    short_before = sum(coverage_of(problem, shifts(base))[1].values())
    assert sum(coverage_of(problem, shifts(filled))[1].values()) <= short_before


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(problems())
def test_the_repaired_plan_replaces_the_incumbent_only_when_better_and_keeps_the_rules(
    problem: RosterProblem,
) -> None:
    prep = prepare(problem)
    chosen = greedy_cover(prep)
    cover = Cover(prep, chosen)
    drop_redundant(prep, chosen, cover)
    cost = objective(prep, chosen, cover.short())
    stage_1 = solve_cover(prep, time_limit=1.0)
    _try_plan(prep, stage_1, chosen, cover, deadline=time.monotonic() + 2.0)
    assert objective(prep, chosen, cover.short()) <= cost
    assert cover.short() == sum(coverage_of(problem, _shifts_of(problem, chosen))[1].values())
    assert _keeps_rules(problem, chosen)


# -- improving a roster: redundant shifts, large-neighbourhood search -----------------------


def _shifts_of(problem: RosterProblem, chosen: dict[int, list[Candidate]]) -> list[Shift]:
    return [to_shift(problem, a, c) for a, cs in chosen.items() for c in cs]


def _keeps_rules(problem: RosterProblem, chosen: dict[int, list[Candidate]]) -> bool:
    roster = cast(Roster, SimpleNamespace(shifts=_shifts_of(problem, chosen)))
    return violations(problem, roster) == []


def test_a_shift_nobody_needs_is_dropped_and_a_needed_one_kept() -> None:
    week = dt.date(2027, 1, 4)
    need = [Requirement("en", t, 1) for t in range(16, 32)]
    problem = RosterProblem(week, [_agent(1), _agent(2), _agent(3)], need, breaks=NO_BREAK)
    prep = prepare(problem)
    monday = next(c for c in prep.agent_candidates[1] if c.start == 16)
    chosen = {1: [monday], 2: [monday], 3: []}
    cover = Cover(prep, chosen)
    assert drop_redundant(prep, chosen, cover) == 1
    assert sum(len(cs) for cs in chosen.values()) == 1 and cover.short() == 0
    assert coverage_of(problem, _shifts_of(problem, chosen))[1] == {}


def test_a_bilingual_shift_is_dropped_only_when_another_agent_can_take_its_queue() -> None:
    # de and en need one agent each; agents: de+en, en, de+en. One of the three is not
    # needed, whichever queue the flow first gave it; two are.
    week = dt.date(2027, 1, 4)
    need = [Requirement(q, t, 1) for q in ("de", "en") for t in range(16, 32)]
    agents = [_agent(1, langs=("de", "en")), _agent(2), _agent(3, langs=("de", "en"))]
    problem = RosterProblem(week, agents, need, breaks=NO_BREAK)
    prep = prepare(problem)
    monday = next(c for c in prep.agent_candidates[1] if c.start == 16)
    for order in ([1, 2, 3], [3, 2, 1], [2, 1, 3]):
        chosen = {i: [monday] for i in order}
        cover = Cover(prep, chosen)
        assert drop_redundant(prep, chosen, cover) == 1
        assert cover.short() == 0
        assert coverage_of(problem, _shifts_of(problem, chosen))[1] == {}
        kept = {i for i, cs in chosen.items() if cs}
        assert kept & {1, 3}  # German needs a German speaker


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(problems(), st.integers(0, 3))
def test_dropping_redundant_shifts_and_the_search_keep_every_rule_and_never_lose_coverage(
    problem: RosterProblem, seed: int
) -> None:
    prep = prepare(problem)
    chosen = greedy_cover(prep)
    short_before = sum(coverage_of(problem, _shifts_of(problem, chosen))[1].values())
    cover = Cover(prep, chosen)
    assert cover.short() == short_before
    drop_redundant(prep, chosen, cover)
    short_dropped = sum(coverage_of(problem, _shifts_of(problem, chosen))[1].values())
    assert cover.short() == short_dropped == short_before
    assert _keeps_rules(problem, chosen)
    cost = objective(prep, chosen, cover.short())
    lns(prep, chosen, cover, deadline=time.monotonic() + 2.0, seed=seed, max_agents=3)
    short_after = sum(coverage_of(problem, _shifts_of(problem, chosen))[1].values())
    assert short_after <= cover.short() <= short_before  # the flows kept are a lower count
    assert _keeps_rules(problem, chosen)
    assert objective(prep, chosen, cover.short()) <= cost


def test_the_search_lets_an_idle_bilingual_agent_take_over_an_english_shift() -> None:
    # German 08–12, English 12–20 on Monday. The German+English agent works 08–16 (the
    # German needs them; 12–16 they are free for English), the English agent 12–20. With
    # the bilingual agent's free hours counted, the English agent's 16–20 shift is enough.
    week = dt.date(2027, 1, 4)
    need = [Requirement("de", t, 1) for t in range(16, 24)]
    need += [Requirement("en", t, 1) for t in range(24, 40)]
    late = (ShiftPattern(dt.time(12, 0), 8.0), ShiftPattern(dt.time(16, 0), 4.0))
    agents = [_agent(1, langs=("de", "en")), _agent(2, patterns=late)]
    problem = RosterProblem(week, agents, need, breaks=NO_BREAK)
    prep = prepare(problem)
    chosen = {
        1: [next(c for c in prep.agent_candidates[1] if c.start == 16)],
        2: [next(c for c in prep.agent_candidates[2] if c.start == 24)],
    }
    cover = Cover(prep, chosen)
    for t in range(24, 32):  # the maximum flow the English agent serves English, the other idle
        cover.flow[t] = {(frozenset({"en"}), "en"): 1}
    assert cover.short() == 0
    result = _solve_neighbourhood(prep, chosen, cover, [agents[1]], 5.0, 1, random.Random(0))
    assert result is not None
    new, improved, optimal, _ = result
    assert improved and optimal
    assert [(c.start, c.end) for c in new[2]] == [(32, 40)]
    assert _apply(prep, chosen, cover, [agents[1]], new)
    assert cover.short() == 0 and _keeps_rules(problem, chosen)
    assert coverage_of(problem, _shifts_of(problem, chosen))[1] == {}


def test_the_search_fills_an_empty_roster_under_the_rules() -> None:
    # demand 08:00–16:00 every day of a week, 4 days in a row at most: no agent can work all
    # seven days, two can; the search starts from nobody on shift
    week = dt.date(2027, 1, 4)
    patterns = (ShiftPattern(dt.time(8, 0), 8.0), ShiftPattern(dt.time(12, 0), 8.0))
    agents = [_agent(i, patterns=patterns, max_days_in_row=4) for i in (1, 2, 3)]
    need = [Requirement("en", d * 48 + t, 1) for d in range(7) for t in range(16, 32)]
    problem = RosterProblem(week, agents, need, breaks=NO_BREAK)
    prep = prepare(problem)
    chosen: dict[int, list[Candidate]] = {1: [], 2: [], 3: []}
    cover = Cover(prep, chosen)
    assert cover.short() == 7 * 16
    lns(prep, chosen, cover, deadline=time.monotonic() + 8.0, max_agents=2)
    assert cover.short() == 0 and _keeps_rules(problem, chosen)
    assert coverage_of(problem, _shifts_of(problem, chosen))[1] == {}
    assert sum(len(cs) for cs in chosen.values()) == 7  # one 8-hour shift a day


def test_progress_reports_stage_1_and_every_incumbent() -> None:
    week = dt.date(2027, 1, 4)
    need = [Requirement("en", t, 1) for t in range(16, 32)]
    problem = RosterProblem(week, [_agent(1), _agent(2)], need, breaks=NO_BREAK)
    problem.time_limit_seconds = 5
    seen: list[dict[str, float]] = []
    roster = solve_roster(problem, progress=seen.append)
    assert {p["stage"] for p in seen} == {1.0, 2.0}
    assert seen[-1]["hours"] == roster.hours == 8.0
    assert roster.progress and roster.progress[-1]["short"] == 0


def test_languages_linked_by_an_agent_are_one_component() -> None:
    week = dt.date(2027, 1, 4)
    agents = [
        _agent(1, langs=("de", "en")),
        _agent(2, langs=("en", "fr")),
        _agent(3, langs=("ja",)),
    ]
    need = [Requirement(q, 16, 1) for q in ("de", "ja", "ko")]
    prep = prepare(RosterProblem(week, agents, need, breaks=NO_BREAK))
    assert prep.components["de"] == prep.components["fr"] == frozenset({"de", "en", "fr"})
    assert prep.components["ja"] == frozenset({"ja"})
    assert prep.components["ko"] == frozenset({"ko"})  # nobody speaks it


def test_a_component_solved_whole_raises_the_bound_and_it_still_holds() -> None:
    # one German agent, demand 08:00–10:00 and 12:00–14:00 on Monday with 8-hour shifts at
    # 06:00 or 08:00 with a break at the middle: the LP may take fractions of shifts; the
    # component's exact bound is one whole shift
    week = dt.date(2027, 1, 4)
    patterns = (ShiftPattern(dt.time(6, 0), 8.0), ShiftPattern(dt.time(8, 0), 8.0))
    agents = [_agent(1, langs=("de",), patterns=patterns), _agent(2, langs=("en",))]
    need = [Requirement("de", t, 1) for t in (*range(16, 20), *range(24, 28))]
    need += [Requirement("en", t, 1) for t in range(16, 32)]
    problem = RosterProblem(week, agents, need, breaks=BreakRule(minutes=30, window_minutes=0))
    problem.time_limit_seconds = 10
    roster = solve_roster(problem)
    assert violations(problem, roster) == []
    assert roster.lower_bound_hours <= roster.hours
    prep = prepare(problem)
    stage_1 = solve_cover(prep, time_limit=5)
    bounds = {frozenset({"de"}): stage_1.lp_parts[frozenset({"de"})] + 3.0}
    assert combined_bound(stage_1, bounds) >= stage_1.lp_value + 3.0 - 1e-3
    assert combined_bound(stage_1, {}) == stage_1.lower_bound


def test_the_week_before_and_time_off_bind_the_roster() -> None:
    week = dt.date(2027, 1, 4)  # a Monday
    # demand every day 08:00–16:00 UTC; three agents who could each cover any day
    need = [Requirement("en", d * 48 + t, 1) for d in range(7) for t in range(16, 32)]
    late = dt.datetime(2027, 1, 3, 23, tzinfo=UTC)  # last week's shift ended Sunday 23:00
    tired = frozenset(week - dt.timedelta(days=i) for i in range(1, 6))  # Wed–Sun worked
    off = ((dt.datetime(2027, 1, 6, tzinfo=UTC), dt.datetime(2027, 1, 7, tzinfo=UTC)),)
    agents = [
        _agent(1, not_before=late + dt.timedelta(hours=11)),  # rest until Monday 10:00
        _agent(2, worked_before=tired),  # 5 days in a row already: not Monday
        _agent(3, unavailable=off),  # time off on Wednesday
    ]
    problem = RosterProblem(week, agents, need, breaks=NO_BREAK, time_limit_seconds=10)
    # the candidates: no Monday 08:00 for agent 1, none on Wednesday for agent 3
    prep_days = {a.id: {c.local_day for c in candidates_for(problem, a)} for a in agents}
    assert week not in prep_days[1] and week in prep_days[2]
    assert dt.date(2027, 1, 6) not in prep_days[3]
    roster = solve_roster(problem)
    assert violations(problem, roster) == []
    monday = [s.agent_id for s in roster.shifts if s.local_day == week]
    assert monday == [3]  # 1 still resting, 2 would work a sixth day in a row
    wednesday = [s.agent_id for s in roster.shifts if s.local_day == dt.date(2027, 1, 6)]
    assert wednesday and 3 not in wednesday
    assert roster.short_intervals == 0
    # the oracle sees each rule broken
    bad = SimpleNamespace(
        shifts=[
            to_shift(problem, 1, c)
            for c in candidates_for(problem, _agent(1))
            if c.local_day == week
        ]
        + [
            to_shift(problem, 2, c)
            for c in candidates_for(problem, _agent(2))
            if c.local_day == week
        ]
        + [
            to_shift(problem, 3, c)
            for c in candidates_for(problem, _agent(3))
            if c.local_day == dt.date(2027, 1, 6)
        ]
    )
    said = " | ".join(violations(problem, cast(Roster, bad)))
    assert "before" in said and "days in a row" in said and "time off" in said
