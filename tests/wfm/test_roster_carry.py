"""A week's roster starts where the last week ended: the rest still owed, the days already
worked in a row, and approved time off bind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wowdesk.core.models import Agent, Brand, Role
from wowdesk.wfm import roster as R
from wowdesk.wfm import roster_services
from wowdesk.wfm.models import (
    RequestKind,
    RequestStatus,
    Roster,
    RosterShift,
    RosterStatus,
    ShiftRequest,
)
from wowdesk.wfm.roster import violations

WEEK = dt.date(2027, 1, 4)  # a Monday
UTC = dt.UTC


def at(day: int, hour: float) -> dt.datetime:
    return dt.datetime.combine(WEEK, dt.time(), UTC) + dt.timedelta(days=day, hours=hour)


def _agent(make_agent: Callable[..., Agent], brand: Brand, name: str, **kw: object) -> Agent:
    return make_agent(
        Role.AGENT, brands=[brand], languages=("de",), timezone="UTC", name=name, **kw
    )


def test_the_week_before_and_time_off_bind_the_next_roster(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    night = _agent(make_agent, brand, "Nia")  # last week's roster: Sunday 20:00 – Monday 04:00
    weekly = _agent(make_agent, brand, "Wes", shifts=["mon-sun 08:00-16:00"])  # every day
    away = _agent(make_agent, brand, "Ada")  # time off on Wednesday
    fresh = _agent(make_agent, brand, "Fay")
    last = Roster.objects.create(
        brand=brand, week_start=WEEK - dt.timedelta(days=7), status=RosterStatus.PUBLISHED
    )
    for d in (-5, -4, -3, -2, -1):  # Wednesday to Sunday, 20:00–04:00
        RosterShift.objects.create(
            roster=last, agent=night, start=at(d, 20), end=at(d + 1, 4), language="de"
        )
    ShiftRequest.objects.create(
        brand=brand,
        agent=away,
        kind=RequestKind.TIME_OFF,
        status=RequestStatus.APPROVED,
        start=at(2, 0),
        end=at(3, 0),
    )
    people = [night, weekly, away, fresh]
    carry = roster_services.carry_into(people, WEEK, 11)
    assert carry[night.pk].not_before == at(0, 15)  # 04:00 + 11 h
    assert carry[night.pk].worked_before == {WEEK - dt.timedelta(days=i) for i in range(1, 6)}
    assert carry[weekly.pk].not_before == at(0, 3)  # Sunday 16:00 + 11 h
    assert len(carry[weekly.pk].worked_before) == 7
    assert carry[away.pk].unavailable == ((at(2, 0), at(3, 0)),)
    assert carry[fresh.pk] == roster_services.Carry()
    # the same queries for 4 agents as for 1
    with CaptureQueriesContext(connection) as four:
        roster_services.carry_into(people, WEEK, 11)
    with CaptureQueriesContext(connection) as one:
        roster_services.carry_into([fresh], WEEK, 11)
    assert len(four) == len(one)

    # a roster asking for one German agent 06:00–14:00 every day
    need = [
        {"language": "de", "interval_start": at(d, h / 2).isoformat(), "agents": 1}
        for d in range(7)
        for h in range(12, 28)
    ]
    row = roster_services.create_roster(
        None,
        brand.pk,
        week_start=WEEK,
        requirements=need,
        agent_ids=[p.pk for p in people],
        rules={"shift_hours": [8], "start_hours": [6]},
        time_limit_seconds=10,
        enqueue=False,
    )
    problem = roster_services.problem_of(row)
    row = roster_services.solve(row.pk)
    shifts = list(RosterShift.objects.filter(roster=row))
    by = {p.pk: [s for s in shifts if s.agent_id == p.pk] for p in people}
    # Nia rests until Monday 15:00 and has worked five days in a row: not Monday
    # Wes worked all last week: not Monday either (and his rest ends at 03:00)
    assert all(s.start.date() != WEEK for s in by[night.pk] + by[weekly.pk])
    # Ada is off on Wednesday
    assert all(s.start.date() != WEEK + dt.timedelta(days=2) for s in by[away.pk])
    monday = [s.agent_id for s in shifts if s.start.date() == WEEK]
    assert monday and set(monday) <= {away.pk, fresh.pk}
    assert row.status == RosterStatus.SOLVED, row.error
    assert row.result["coverage"]["short_intervals"] == 0
    # every shift keeps the rest and the time off the problem carried
    stored = R.Roster(
        shifts=[R.Shift(s.agent_id, s.start, s.end, (), s.start.date(), False) for s in shifts],
        coverage={},
        short={},
        short_intervals=0,
        short_agent_intervals=0,
        over_hours=0.0,
        hours=0.0,
        lower_bound_hours=0.0,
        gap=None,
        statuses={},
        seconds={},
    )
    said = [v for v in violations(problem, stored) if "not one of their shifts" not in v]
    assert said == []
