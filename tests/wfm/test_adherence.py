"""Real-time adherence: the schedule (dated shifts less breaks, weekly shifts elsewhere)
against presence, per agent and for the brand, through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ApiClient
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing import services as routing
from wowdesk.routing.models import PresenceSpan
from wowdesk.routing.shifts import merge_schedule, parse_shifts, scheduled_spans
from wowdesk.wfm import adherence as A

DAY = datetime(2026, 11, 30, tzinfo=UTC)  # a Monday in the past


def h(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


def test_adherence_counts_scheduled_time_online() -> None:
    sched = [(h(8), h(12)), (h(12.5), h(16))]  # a break 12:00–12:30
    presence = [("online", h(8.25), h(11)), ("away", h(11), h(11.5)), ("online", h(11.5), None)]
    r = A.adherence(sched, presence, start=DAY, end=h(24), now=h(17))
    assert r.scheduled_minutes == 450
    # online 8:15–11:00 and 11:30–17:00; adherent: 8:15–11:00, 11:30–12:00, 12:30–16:00
    assert r.adherent_minutes == 165 + 30 + 210
    assert r.adherence == pytest.approx(405 / 450)
    kinds = [(e.kind, e.start, e.end) for e in r.exceptions]
    assert ("absent", h(8), h(8.25)) in kinds
    assert ("away", h(11), h(11.5)) in kinds
    assert ("unscheduled", h(12), h(12.5)) in kinds  # online through the break
    assert ("unscheduled", h(16), h(17)) in kinds
    assert r.scheduled_now is False and r.presence_now == "online"
    assert r.in_adherence_now is False  # online though not scheduled


def test_only_the_past_counts_and_nothing_scheduled_gives_no_share() -> None:
    r = A.adherence([(h(8), h(16))], [("online", h(8), None)], start=DAY, end=h(24), now=h(10))
    assert r.scheduled_minutes == 120 and r.adherence == 1.0 and r.in_adherence_now
    empty = A.adherence([], [], start=DAY, end=h(24), now=h(10))
    assert empty.adherence is None and empty.in_adherence_now


spans = st.lists(st.tuples(st.integers(0, 23 * 60), st.integers(1, 300)), max_size=6)


@settings(max_examples=150)
@given(sched=spans, online=spans, now=st.integers(0, 24 * 60))
def test_adherence_is_a_share_and_adds_up(
    sched: list[tuple[int, int]], online: list[tuple[int, int]], now: int
) -> None:
    s = [(DAY + timedelta(minutes=a), DAY + timedelta(minutes=a + n)) for a, n in sched]
    o = [("online", DAY + timedelta(minutes=a), DAY + timedelta(minutes=a + n)) for a, n in online]
    r = A.adherence(s, o, start=DAY, end=h(24), now=DAY + timedelta(minutes=now))
    assert r.adherent_minutes <= min(r.scheduled_minutes, r.online_minutes) + 1e-6
    if r.adherence is not None:
        assert 0 <= r.adherence <= 1
    missed = sum(
        (e.end - e.start).total_seconds() / 60 for e in r.exceptions if e.kind != "unscheduled"
    )
    # every scheduled minute is adherent or an exception (exceptions under a minute dropped)
    assert abs(r.scheduled_minutes - r.adherent_minutes - missed) <= len(s) + len(o) + 1


def test_the_schedule_is_the_published_week_and_the_weekly_shifts_elsewhere() -> None:
    weekly = parse_shifts(["mon-sun 09:00-17:00"])
    week = (DAY, DAY + timedelta(days=7))
    sched = merge_schedule({}, week, [(h(6), h(14), [(h(10), h(10.5))])], now=DAY)
    monday = scheduled_spans(sched, weekly, "UTC", DAY, h(24))
    assert monday == [(h(6), h(10)), (h(10.5), h(14))]
    tuesday = scheduled_spans(sched, weekly, "UTC", h(24), h(48))
    assert tuesday == []  # rostered week, no shift that day
    next_monday = scheduled_spans(sched, weekly, "UTC", h(24 * 7), h(24 * 8))
    assert next_monday == [(h(24 * 7 + 9), h(24 * 7 + 17))]


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_the_adherence_page_data_per_role_of_two_brands(
    role: str,
    make_agent: Callable[..., Agent],
    make_api: Callable[..., ApiClient],
    brand: Brand,
    other_brand: Brand,
) -> None:
    worker = make_agent(Role.AGENT, brands=[brand], timezone="UTC", name="Ana")
    stranger = make_agent(Role.AGENT, brands=[other_brand], timezone="UTC", name="Zed")
    routing.publish_schedule(worker, (DAY, DAY + timedelta(days=7)), [(h(8), h(16), [])])
    PresenceSpan.objects.create(agent=worker, presence="online", start=h(8.5), end=h(15))
    PresenceSpan.objects.create(agent=stranger, presence="online", start=h(8), end=None)
    caller = make_api(make_agent(role, brands=[brand]))
    r = caller.get("/wfm/adherence", date="2026-11-30", tz="UTC")
    if role == Role.AGENT:
        assert r.status_code == 403
        return
    assert r.status_code == 200, r.content
    rows = {a["name"]: a for a in r.json()["agents"]}
    assert "Zed" not in rows
    ana = rows["Ana"]
    assert ana["scheduled_minutes"] == 480 and ana["adherent_minutes"] == 390
    assert ana["adherence"] == pytest.approx(390 / 480)
    assert caller.get("/wfm/adherence", brand=other_brand.pk).status_code == 403
    assert caller.get("/wfm/adherence", tz="Mars/Base").status_code == 422
