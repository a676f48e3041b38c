"""A published roster's dated shifts decide "on shift" inside their window (breaks off
shift), the weekly shifts elsewhere; presence changes are kept as spans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.core.models import Agent
from wowdesk.routing import services
from wowdesk.routing.models import PresenceSpan
from wowdesk.routing.shifts import merge_schedule, scheduled_now

MONDAY = datetime(2026, 12, 14, tzinfo=UTC)
WEEK = (MONDAY, MONDAY + timedelta(days=7))


def _shift(
    day: int, h0: int, h1: int, brk: int | None = None
) -> tuple[datetime, datetime, list[tuple[datetime, datetime]]]:
    s = MONDAY + timedelta(days=day, hours=h0)
    e = MONDAY + timedelta(days=day, hours=h1)
    breaks = (
        [
            (
                MONDAY + timedelta(days=day, hours=brk),
                MONDAY + timedelta(days=day, hours=brk, minutes=30),
            )
        ]
        if brk is not None
        else []
    )
    return s, e, breaks


def test_inside_the_window_the_dated_shifts_decide_and_a_break_is_off() -> None:
    sched = merge_schedule({}, WEEK, [_shift(0, 8, 16, brk=12)], now=MONDAY)
    assert scheduled_now(sched, MONDAY + timedelta(hours=9)) is True
    assert scheduled_now(sched, MONDAY + timedelta(hours=12, minutes=10)) is False  # break
    assert scheduled_now(sched, MONDAY + timedelta(hours=16)) is False  # half-open
    assert scheduled_now(sched, MONDAY + timedelta(days=2, hours=9)) is False  # day off
    assert scheduled_now(sched, MONDAY - timedelta(hours=1)) is None  # outside: weekly
    assert scheduled_now({}, MONDAY) is None
    assert scheduled_now({"windows": [["bad"]], "shifts": 3}, MONDAY) is None


def test_publishing_the_same_week_again_replaces_it_and_old_weeks_fade() -> None:
    first = merge_schedule({}, WEEK, [_shift(0, 8, 16)], now=MONDAY)
    again = merge_schedule(first, WEEK, [_shift(1, 10, 18)], now=MONDAY)
    assert len(again["windows"]) == 1 and len(again["shifts"]) == 1
    assert scheduled_now(again, MONDAY + timedelta(hours=9)) is False
    assert scheduled_now(again, MONDAY + timedelta(days=1, hours=11)) is True
    later = merge_schedule(
        again,
        (WEEK[0] + timedelta(days=28), WEEK[1] + timedelta(days=28)),
        [],
        now=MONDAY + timedelta(days=28),
    )
    assert len(later["windows"]) == 1  # the old week ended more than 14 days ago


@settings(max_examples=100)
@given(
    shifts=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 20), st.integers(1, 4)), max_size=8
    ),
    probe=st.integers(-24 * 60, 8 * 24 * 60),
)
def test_on_shift_is_being_inside_a_shift_of_the_window(
    shifts: list[tuple[int, int, int]], probe: int
) -> None:
    spans = [_shift(d, h, h + n) for d, h, n in shifts]
    sched = merge_schedule({}, WEEK, spans, now=MONDAY)
    at = MONDAY + timedelta(minutes=probe)
    expected = None if not WEEK[0] <= at < WEEK[1] else any(s <= at < e for s, e, _ in spans)
    assert scheduled_now(sched, at) is expected


def test_routing_follows_the_published_schedule(make_agent: Callable[..., Agent]) -> None:
    agent = make_agent(shifts=["mon-sun 00:00-24:00"])  # weekly: always on
    services.publish_schedule(agent, WEEK, [_shift(0, 8, 16, brk=12)])
    agent.refresh_from_db()
    assert services.on_shift(agent, MONDAY + timedelta(hours=9)) is True
    assert services.on_shift(agent, MONDAY + timedelta(hours=12, minutes=5)) is False
    assert services.on_shift(agent, MONDAY + timedelta(days=3)) is False  # not rostered
    assert services.on_shift(agent, MONDAY + timedelta(days=8)) is True  # weekly again


def test_presence_changes_are_kept_as_spans(make_agent: Callable[..., Agent]) -> None:
    agent = make_agent()
    services.set_presence(agent, "online")
    services.set_presence(agent, "away")
    services.set_presence(agent, "away")  # no change, no span
    spans = list(PresenceSpan.objects.filter(agent=agent).order_by("start", "id"))
    assert [s.presence for s in spans] == ["online", "away"]
    assert spans[0].end == spans[1].start and spans[1].end is None
    found = services.presence_spans([agent.pk], spans[0].start, spans[1].start + timedelta(hours=1))
    assert [p for p, _, _ in found[agent.pk]] == ["online", "away"]
