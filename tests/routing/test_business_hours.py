"""Business time: opening hours, holidays, DST, and the SLA clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.routing.business_hours import (
    ALWAYS_OPEN,
    Calendar,
    SlaClock,
    SlaState,
    add_business_time,
    business_seconds_between,
    is_open,
    parse_hours,
)
from wowdesk.routing.shifts import ScheduleError

BERLIN = "Europe/Berlin"
TORONTO = "America/Toronto"
MANILA = "Asia/Manila"
ZONES = [
    BERLIN,
    TORONTO,
    MANILA,
    "UTC",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Asia/Kolkata",
]
HOUR = 3600.0

OFFICE = Calendar.build(BERLIN, ["mon-fri 09:00-17:00"])
BAVARIA = Calendar.from_holidays(BERLIN, {"mon-fri": [["09:00", "17:00"]]}, "DE", "BY", [2026])


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def local(tz: str, y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=ZoneInfo(tz))


def berlin(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return local(BERLIN, y, mo, d, h, mi, s)


# --- opening hours -------------------------------------------------------------------------


def test_parse_hours_forms_agree() -> None:
    as_site = parse_hours({"mon-fri": [["08:00", "18:00"]], "Sat": ["10:00-14:00"]})
    as_specs = parse_hours(["mon-fri 08:00-18:00", "sat 10:00-14:00"])
    assert as_site == as_specs
    assert as_site == ((((480, 1080),),) * 5) + (((600, 840),), ())


def test_empty_hours_mean_around_the_clock() -> None:
    assert parse_hours({}) == parse_hours([]) == parse_hours(["  "]) == ALWAYS_OPEN
    assert Calendar.build("UTC").around_the_clock
    assert not Calendar.build("UTC", holidays=[date(2026, 1, 1)]).around_the_clock


def test_hours_past_midnight_go_on_into_the_next_day() -> None:
    hours = parse_hours({"fri": [["22:00", "06:00"]], "sun": [["20:00", "24:00"]]})
    assert hours[4] == ((1320, 1440),)
    assert hours[5] == ((0, 360),)
    assert hours[6] == ((1200, 1440),)
    assert hours[0] == ()
    assert parse_hours(["sun 23:00-01:00"])[0] == ((0, 60),)


def test_overlapping_hours_merge() -> None:
    assert parse_hours(["mon 09:00-12:00", "mon 11:00-13:00", "mon 13:00-14:00"])[0] == (
        (540, 840),
    )


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"mon": [["09:00"]]}, "write them as a start and an end"),
        ({"mon": ["09:00"]}, "write them as a start and an end"),
        ({"mon": [["09:00", "09:00"]]}, "start and end at the same time"),
        ({"monnday": [["09:00", "17:00"]]}, "'monnday' is not a day"),
        ({"mon": [["9", "17:00"]]}, "'9' is not a time of day"),
        (["weekdays 09:00-17:00"], "'weekdays' is not a day"),
    ],
)
def test_bad_hours_say_what_is_wrong(hours: object, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_hours(hours)  # type: ignore[arg-type]


def test_calendar_validates() -> None:
    with pytest.raises(ScheduleError, match="Unknown time zone"):
        Calendar("Europe/Nowhere")
    with pytest.raises(ValueError, match="7 weekdays"):
        Calendar("UTC", ALWAYS_OPEN[:6])
    with pytest.raises(ValueError, match="out of range"):
        Calendar("UTC", (((600, 500),), *ALWAYS_OPEN[1:]))


def test_calendars_are_values() -> None:
    a = Calendar.build(BERLIN, {"mon": [["09:00", "12:00"], ["11:00", "17:00"]]})
    b = Calendar.build(BERLIN, ["mon 09:00-17:00"])
    assert a == b and hash(a) == hash(b)
    assert len({a, b, OFFICE}) == 2


# --- holidays ------------------------------------------------------------------------------


def test_holidays_from_the_holidays_package() -> None:
    assert date(2026, 12, 25) in BAVARIA.holidays
    assert date(2026, 1, 6) in BAVARIA.holidays  # Epiphany: Bavaria only
    berlin_state = Calendar.from_holidays(BERLIN, {}, "de", "BE", 2026)
    assert date(2026, 1, 6) not in berlin_state.holidays
    assert date(2026, 3, 8) in berlin_state.holidays  # Women's Day: Berlin only
    assert berlin_state.hours == ALWAYS_OPEN
    assert Calendar.from_holidays(BERLIN, {}, None).holidays == frozenset()


def test_unknown_country_or_subdivision() -> None:
    with pytest.raises(ScheduleError, match="No holiday calendar for the country 'XX'"):
        Calendar.from_holidays(BERLIN, {}, "XX", None, [2026])
    with pytest.raises(ScheduleError, match="DE has no subdivision 'ZZ'"):
        Calendar.from_holidays(BERLIN, {}, "DE", "ZZ", [2026])


def test_a_holiday_closes_the_day() -> None:
    # Thursday 24 December 16:00 → Monday 28 December 10:00: Friday 25th is Christmas
    assert business_seconds_between(
        BAVARIA, berlin(2026, 12, 24, 16), berlin(2026, 12, 28, 10)
    ) == (2 * HOUR)
    assert business_seconds_between(OFFICE, berlin(2026, 12, 24, 16), berlin(2026, 12, 28, 10)) == (
        10 * HOUR
    )
    assert add_business_time(BAVARIA, berlin(2026, 12, 24, 16), 2 * HOUR) == utc(2026, 12, 28, 9)
    assert not is_open(BAVARIA, berlin(2026, 12, 25, 10))
    assert is_open(OFFICE, berlin(2026, 12, 25, 10))


def test_easter_weeks() -> None:
    # Good Friday 3 April and Easter Monday 6 April 2026: two four-day weeks
    start = berlin(2026, 3, 30, 9)
    assert add_business_time(BAVARIA, start, 64 * HOUR) == berlin(2026, 4, 10, 17)
    assert business_seconds_between(BAVARIA, start, berlin(2026, 4, 10, 17)) == 64 * HOUR
    assert (
        business_seconds_between(BAVARIA, start, berlin(2026, 5, 4, 9))
        == (
            5 * 8 * 5 - 3 * 8  # five weeks less Good Friday, Easter Monday and 1 May
        )
        * HOUR
    )


def test_a_holiday_also_closes_hours_after_midnight() -> None:
    nights = Calendar.build(BERLIN, ["mon-fri 22:00-06:00"], holidays=[date(2026, 1, 13)])
    # Monday 22-24 counts; Tuesday (a holiday) is closed all day; Wednesday 00-06 counts
    assert business_seconds_between(nights, berlin(2026, 1, 12, 20), berlin(2026, 1, 14, 7)) == (
        8 * HOUR
    )


def test_manila_holidays() -> None:
    cal = Calendar.from_holidays(MANILA, ["mon-fri 09:00-18:00"], "PH", None, [2026, 2027])
    # Tuesday 29 December 17:00: one hour, then Rizal Day, New Year's Eve and Day, a weekend
    start = local(MANILA, 2026, 12, 29, 17)
    due = add_business_time(cal, start, 2 * HOUR)
    assert due == local(MANILA, 2027, 1, 4, 10) == utc(2027, 1, 4, 2)
    assert business_seconds_between(cal, start, due) == 2 * HOUR


# --- counting and adding ---------------------------------------------------------------------


def test_business_seconds_between() -> None:
    assert business_seconds_between(OFFICE, berlin(2026, 1, 12, 10), berlin(2026, 1, 12, 15)) == (
        5 * HOUR
    )
    # Friday 16:00 → Monday 10:00
    assert business_seconds_between(OFFICE, berlin(2026, 1, 16, 16), berlin(2026, 1, 19, 10)) == (
        2 * HOUR
    )
    # any zone in, same answer
    assert (
        business_seconds_between(
            OFFICE, local(TORONTO, 2026, 1, 16, 10), local(MANILA, 2026, 1, 19, 17)
        )
        == 2 * HOUR
    )
    assert business_seconds_between(OFFICE, berlin(2026, 1, 12, 15), berlin(2026, 1, 12, 10)) == 0
    assert business_seconds_between(OFFICE, berlin(2026, 1, 17, 10), berlin(2026, 1, 18, 20)) == 0
    # a year: 52 weeks and 2 days (Thursday 1 Jan 2026 → 1 Jan 2027) of 8 h days
    year = business_seconds_between(OFFICE, berlin(2026, 1, 1), berlin(2027, 1, 1))
    assert year == (52 * 5 + 1) * 8 * HOUR  # 2026 has 261 weekdays


def test_add_business_time() -> None:
    monday_4pm = berlin(2026, 1, 12, 16)
    assert add_business_time(OFFICE, monday_4pm, 2 * HOUR) == berlin(2026, 1, 13, 10)
    # a target running out at closing is due at closing, not next morning
    assert add_business_time(OFFICE, monday_4pm, HOUR) == berlin(2026, 1, 12, 17)
    # from outside the hours the clock starts at the next opening
    assert add_business_time(OFFICE, berlin(2026, 1, 17, 11), 90) == berlin(2026, 1, 19, 9, 1, 30)
    assert add_business_time(OFFICE, berlin(2026, 1, 17, 11), 0) == berlin(2026, 1, 17, 11)
    # Friday 16:00 + 2 h before the spring change → Monday 10:00 CEST
    assert add_business_time(OFFICE, berlin(2026, 3, 27, 16), 2 * HOUR) == utc(2026, 3, 30, 8)
    result = add_business_time(OFFICE, berlin(2026, 1, 12, 16), 1)
    assert result.tzinfo is UTC


def test_add_business_time_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_time(OFFICE, berlin(2026, 1, 12, 16), -1)
    never = Calendar(BERLIN, ((),) * 7)
    with pytest.raises(ValueError, match="never open"):
        add_business_time(never, berlin(2026, 1, 12, 16), 1)
    assert business_seconds_between(never, berlin(2026, 1, 1), berlin(2026, 2, 1)) == 0
    with pytest.raises(ValueError, match="aware"):
        business_seconds_between(OFFICE, datetime(2026, 1, 1), berlin(2026, 2, 1))


def test_around_the_clock_is_real_time() -> None:
    cal = Calendar(BERLIN)
    # Saturday noon → Sunday noon across the spring change: 23 real hours
    assert business_seconds_between(cal, berlin(2026, 3, 28, 12), berlin(2026, 3, 29, 12)) == (
        23 * HOUR
    )
    assert add_business_time(cal, berlin(2026, 3, 28, 12), 24 * HOUR) == berlin(2026, 3, 29, 13)


@pytest.mark.parametrize(
    ("tz", "hours", "day", "expected_hours"),
    [
        (BERLIN, "sun 00:00-24:00", date(2026, 3, 29), 23),
        (BERLIN, "sun 00:00-24:00", date(2026, 10, 25), 25),
        (BERLIN, "sun 01:00-04:00", date(2026, 3, 29), 2),  # 02:00-03:00 never happens
        (BERLIN, "sun 01:00-04:00", date(2026, 10, 25), 4),  # 02:00-03:00 happens twice
        (BERLIN, "sun 02:00-03:00", date(2026, 3, 29), 0),
        (TORONTO, "sun 00:00-03:00", date(2026, 3, 8), 2),
        (TORONTO, "sun 00:00-03:00", date(2026, 11, 1), 4),
        (MANILA, "sun 00:00-24:00", date(2026, 3, 29), 24),
        (MANILA, "sun 00:00-24:00", date(2026, 10, 25), 24),
    ],
)
def test_dst_days(tz: str, hours: str, day: date, expected_hours: int) -> None:
    cal = Calendar.build(tz, [hours])
    z = ZoneInfo(tz)
    start = datetime(day.year, day.month, day.day, tzinfo=z) - timedelta(days=1)
    end = start + timedelta(days=3)
    assert business_seconds_between(cal, start, end) == expected_hours * HOUR


def test_add_across_dst_weeks() -> None:
    sundays = Calendar.build(BERLIN, ["sun 00:00-24:00"])
    # 22 March (24 h), 29 March (23 h: spring forward), then 1 h of 5 April
    assert add_business_time(sundays, berlin(2026, 3, 22), 48 * HOUR) == berlin(2026, 4, 5, 1)
    # 18 October (24 h), 25 October (25 h: fall back), then 1 h of 1 November
    assert add_business_time(sundays, berlin(2026, 10, 18), 50 * HOUR) == berlin(2026, 11, 1, 1)


def test_is_open() -> None:
    assert is_open(OFFICE, berlin(2026, 1, 12, 9))
    assert not is_open(OFFICE, berlin(2026, 1, 12, 17))
    assert not is_open(OFFICE, berlin(2026, 1, 17, 12))
    assert is_open(Calendar("UTC"), utc(2026, 1, 17, 3))
    nights = Calendar.build(BERLIN, ["fri 22:00-06:00"])
    assert is_open(nights, berlin(2026, 1, 17, 5))  # Saturday 05:00


# --- properties ----------------------------------------------------------------------------


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    days = []
    for _ in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, 1440), max_size=4)))
        days.append(tuple(zip(cuts[::2], cuts[1::2], strict=False)))
    if not any(days):
        days[draw(st.integers(0, 6))] = ((540, 1020),)
    holidays = draw(
        st.frozensets(st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 12, 31)))
    )
    return Calendar(draw(st.sampled_from(ZONES)), tuple(days), holidays)


instants = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
dst_nights = st.sampled_from(
    [
        utc(2026, 3, 28, 20),
        utc(2026, 10, 24, 20),
        utc(2026, 3, 8, 3),
        utc(2026, 11, 1, 2),
        utc(2026, 4, 4, 12),
        utc(2026, 9, 5, 12),
        utc(2026, 3, 7, 23),
    ]
).flatmap(lambda t: st.integers(0, 36 * 60).map(lambda m: t + timedelta(minutes=m)))
starts = st.one_of(instants, dst_nights)
durations = st.floats(min_value=0, max_value=60 * 24 * HOUR, allow_nan=False)


def reference_seconds(cal: Calendar, start: datetime, end: datetime) -> float:
    """Day by day with no shortcuts: every day's intervals, clipped."""
    total = 0.0
    day = start.astimezone(ZoneInfo(cal.tz)).date() - timedelta(days=1)
    while datetime(day.year, day.month, day.day, tzinfo=UTC) < end + timedelta(days=2):
        for lo, hi in cal.intervals_on(day):
            lo, hi = max(lo, start), min(hi, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


@settings(max_examples=200, deadline=None)
@given(calendars(), starts, durations)
def test_add_and_between_are_inverses(cal: Calendar, start: datetime, seconds: float) -> None:
    due = add_business_time(cal, start, seconds)
    assert due >= start
    assert abs(business_seconds_between(cal, start, due) - seconds) < 1e-3
    if seconds > 0.01:  # and it is the first such instant
        assert business_seconds_between(cal, start, due - timedelta(milliseconds=1)) < seconds


@settings(max_examples=200, deadline=None)
@given(calendars(), starts, st.floats(0, 50), st.floats(0, 50))
def test_between_is_additive_and_never_negative(
    cal: Calendar, a: datetime, days_1: float, days_2: float
) -> None:
    b = a + timedelta(days=days_1)
    c = b + timedelta(days=days_2)
    ab, bc, ac = (business_seconds_between(cal, x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert ab >= 0 and bc >= 0
    assert abs(ab + bc - ac) < 1e-3
    assert business_seconds_between(cal, c, a) == 0
    assert ab <= (b - a).total_seconds() + 1e-6


@settings(max_examples=150, deadline=None)
@given(calendars(), starts, st.floats(0, 40))
def test_between_matches_the_plain_day_walk(cal: Calendar, a: datetime, days: float) -> None:
    b = a + timedelta(days=days)
    assert abs(business_seconds_between(cal, a, b) - reference_seconds(cal, a, b)) < 1e-3


@settings(max_examples=100, deadline=None)
@given(calendars(), starts, durations, durations)
def test_add_is_monotonic(cal: Calendar, start: datetime, x: float, y: float) -> None:
    lo, hi = sorted((x, y))
    assert add_business_time(cal, start, lo) <= add_business_time(cal, start, hi)


# --- the SLA clock -------------------------------------------------------------------------

MONDAY_4PM = berlin(2026, 1, 12, 16)  # office closes at 17:00


def clock(**kwargs: object) -> SlaClock:
    args: dict[str, object] = {
        "calendar": OFFICE,
        "started_at": MONDAY_4PM,
        "target_seconds": 4 * HOUR,
    }
    args.update(kwargs)
    return SlaClock(**args)  # type: ignore[arg-type]


def test_sla_clock_runs_in_business_hours() -> None:
    c = clock()
    assert c.warn_at() == berlin(2026, 1, 13, 11)  # 75 %: 1 h Monday + 2 h Tuesday
    assert c.due_at() == berlin(2026, 1, 13, 12)

    s = c.status(berlin(2026, 1, 12, 16, 30))
    assert (s.state, s.elapsed, s.remaining, s.fraction) == (SlaState.OK, 1800, 12600, 0.125)
    assert not s.paused and s.due_at == berlin(2026, 1, 13, 12)

    assert c.elapsed(berlin(2026, 1, 13, 8)) == HOUR  # the night does not count
    assert c.state(berlin(2026, 1, 13, 10, 59)) == SlaState.OK
    assert c.state(berlin(2026, 1, 13, 11)) == SlaState.WARNING
    assert c.state(berlin(2026, 1, 13, 11, 59)) == SlaState.WARNING
    assert c.state(berlin(2026, 1, 13, 12)) == SlaState.BREACHED
    late = c.status(berlin(2026, 1, 13, 13))
    assert late.state == SlaState.BREACHED and late.remaining == -HOUR and late.fraction == 1.25
    assert c.elapsed(berlin(2026, 1, 12, 15)) == 0  # before the start


def test_sla_clock_pauses_while_waiting_on_the_customer() -> None:
    c = clock(pauses=((berlin(2026, 1, 13, 9, 30), berlin(2026, 1, 13, 10, 30)),))
    assert c.due_at() == berlin(2026, 1, 13, 13)
    assert c.warn_at() == berlin(2026, 1, 13, 12)
    assert c.elapsed(berlin(2026, 1, 13, 10)) == 1.5 * HOUR
    assert c.is_paused(berlin(2026, 1, 13, 10))
    assert not c.is_paused(berlin(2026, 1, 13, 10, 30))
    assert c.state(berlin(2026, 1, 13, 12, 30)) == SlaState.WARNING


def test_an_open_pause_stops_the_clock() -> None:
    c = clock(pauses=((berlin(2026, 1, 13, 9, 30), None),))
    s = c.status(berlin(2026, 1, 14, 16))
    assert s.paused and s.elapsed == 1.5 * HOUR and s.state == SlaState.OK
    assert s.due_at is None and s.warn_at is None
    # a pause that begins after the breach leaves the due instant in the past
    after = clock(pauses=((berlin(2026, 1, 13, 14), None),))
    assert after.due_at() == berlin(2026, 1, 13, 12)
    assert after.state(berlin(2026, 1, 20, 12)) == SlaState.BREACHED


def test_pauses_are_clipped_and_merged() -> None:
    c = clock(
        pauses=(
            (berlin(2026, 1, 13, 10), berlin(2026, 1, 13, 10, 30)),
            (berlin(2026, 1, 12, 12), berlin(2026, 1, 12, 16, 30)),  # began before the start
            (berlin(2026, 1, 13, 10, 15), berlin(2026, 1, 13, 11)),  # overlaps the first
        )
    )
    assert c.pauses == (
        (utc(2026, 1, 12, 15), utc(2026, 1, 12, 15, 30)),
        (utc(2026, 1, 13, 9), utc(2026, 1, 13, 10)),
    )
    assert c.elapsed(berlin(2026, 1, 13, 12)) == 0.5 * HOUR + 2 * HOUR


def test_earlier_paused_seconds_push_the_due_time() -> None:
    c = clock(paused_seconds=HOUR)
    assert c.due_at() == berlin(2026, 1, 13, 13)
    assert c.elapsed(berlin(2026, 1, 12, 16, 30)) == 0  # never below zero


def test_a_stopped_clock_is_met_or_breached() -> None:
    met = clock(stopped_at=berlin(2026, 1, 13, 11, 30))
    assert met.state(berlin(2026, 1, 13, 11)) == SlaState.WARNING  # not yet stopped
    assert met.state(berlin(2026, 1, 13, 11, 30)) == SlaState.MET
    assert met.state(berlin(2026, 1, 20)) == SlaState.MET
    assert met.elapsed(berlin(2026, 1, 20)) == 3.5 * HOUR
    assert not met.status(berlin(2026, 1, 20)).paused
    missed = clock(stopped_at=berlin(2026, 1, 13, 12, 30))
    assert missed.state(berlin(2026, 1, 20)) == SlaState.BREACHED


def test_around_the_clock_sla() -> None:
    c = SlaClock(Calendar("UTC"), utc(2026, 1, 17, 22), 2 * HOUR, warn_fraction=0.5)
    assert c.due_at() == utc(2026, 1, 18, 0)
    assert c.warn_at() == utc(2026, 1, 17, 23)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_seconds": 0}, "target_seconds"),
        ({"warn_fraction": 0}, "warn_fraction"),
        ({"warn_fraction": 1.5}, "warn_fraction"),
        ({"paused_seconds": -1}, "paused_seconds"),
        ({"pauses": ((berlin(2026, 1, 13, 10), berlin(2026, 1, 13, 9)),)}, "ends before"),
        ({"started_at": datetime(2026, 1, 12, 16)}, "aware"),
    ],
)
def test_sla_clock_validates(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clock(**kwargs)


@settings(max_examples=100, deadline=None)
@given(
    calendars(),
    starts,
    st.floats(60, 20 * 24 * HOUR),
    st.lists(st.tuples(st.floats(0, 30), st.floats(0, 5)), max_size=3),
)
def test_sla_state_turns_at_the_due_instant(
    cal: Calendar, start: datetime, target: float, pause_days: list[tuple[float, float]]
) -> None:
    pauses = tuple(
        (start + timedelta(days=a), start + timedelta(days=a + b)) for a, b in pause_days
    )
    c = SlaClock(cal, start, target, pauses=pauses)
    due = c.due_at()
    assert due is not None
    assert abs(c.elapsed(due) - target) < 1e-3
    assert c.state(due + timedelta(seconds=1)) == SlaState.BREACHED
    assert c.state(due - timedelta(milliseconds=1)) != SlaState.BREACHED
    warn = c.warn_at()
    assert warn is not None and warn <= due
