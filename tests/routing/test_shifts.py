"""Shifts: grammar, on shift now (DST, midnight), next change, follow-the-sun coverage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from wowdesk.routing.shifts import (
    DAY_NAMES,
    CoverageGap,
    ScheduleError,
    Shift,
    coverage_gaps,
    format_shift,
    is_on_shift,
    next_shift_change,
    on_shift_intervals,
    parse_shift,
    parse_shifts,
    wall_time_to_utc,
    weekly_coverage,
)

BERLIN = "Europe/Berlin"
TORONTO = "America/Toronto"
MANILA = "Asia/Manila"
# zones with odd transitions: 30-minute DST (Lord Howe), changes at local midnight
# (Santiago, Havana), a skipped calendar day in 2011 (Apia)
ZONES = [
    BERLIN,
    TORONTO,
    MANILA,
    "UTC",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Pacific/Apia",
    "Asia/Kolkata",
]


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def local(
    tz: str, y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=ZoneInfo(tz), fold=fold)


def shifts(*specs: str) -> list[Shift]:
    return [parse_shift(s) for s in specs]


# --- grammar -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "days", "start", "end", "canonical"),
    [
        ("mon-sun 08:00-16:00", {0, 1, 2, 3, 4, 5, 6}, 480, 960, "mon-sun 08:00-16:00"),
        ("mon-fri 22:00-06:00", {0, 1, 2, 3, 4}, 1320, 360, "mon-fri 22:00-06:00"),
        ("sat,sun 10:00-18:00", {5, 6}, 600, 1080, "sat,sun 10:00-18:00"),
        ("mon 00:00-24:00", {0}, 0, 1440, "mon 00:00-24:00"),
        ("tue-thu 9:00-17:30", {1, 2, 3}, 540, 1050, "tue-thu 09:00-17:30"),
        ("fri-mon 09:00-17:00", {4, 5, 6, 0}, 540, 1020, "fri-mon 09:00-17:00"),
        ("SUN-MON 01:00-02:00", {6, 0}, 60, 120, "sun,mon 01:00-02:00"),
        ("Monday,Wednesday 07:15-07:45", {0, 2}, 435, 465, "mon,wed 07:15-07:45"),
        ("  sat , sun   10:00 – 18:00 ", {5, 6}, 600, 1080, "sat,sun 10:00-18:00"),
        ("mon,wed,fri-sun 01:00-02:00", {0, 2, 4, 5, 6}, 60, 120, "mon,wed,fri-sun 01:00-02:00"),
        ("mon-wed,tue-fri,sat,sun 00:00-24:00", set(range(7)), 0, 1440, "mon-sun 00:00-24:00"),
        ("mon 10:00-00:00", {0}, 600, 1440, "mon 10:00-24:00"),
        ("wed-tue 23:59-00:01", set(range(7)), 1439, 1, "mon-sun 23:59-00:01"),
    ],
)
def test_parse_shift(spec: str, days: set[int], start: int, end: int, canonical: str) -> None:
    shift = parse_shift(spec)
    assert shift == Shift(frozenset(days), start, end)
    assert str(shift) == format_shift(shift) == canonical


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "Write a shift as DAYS HH:MM-HH:MM"),
        ("mon-fri", "Write a shift as DAYS HH:MM-HH:MM"),
        ("09:00-17:00", "Write a shift as DAYS HH:MM-HH:MM"),
        ("mon-fri 9-17", "Write a shift as DAYS HH:MM-HH:MM"),
        ("mon-fri 9:00am-5:00pm", "Write a shift as DAYS HH:MM-HH:MM"),
        ("mun-fri 09:00-17:00", "'mun' is not a day"),
        ("mon-fri 25:00-26:00", "'25:00' is not a time of day"),
        ("mon-fri 09:60-17:00", "'09:60' is not a time of day"),
        ("mon 24:00-08:00", "'24:00' is not a time of day"),
        ("mon 08:00-24:30", "'24:30' is not a time of day"),
        ("mon 08:00-08:00", "starts and ends at the same time"),
        ("mon 00:00-00:00", "starts and ends at the same time"),
        ("mon- 08:00-09:00", "'mon-' is not a range of days"),
        ("mon-tue-wed 08:00-09:00", "'mon-tue-wed' is not a range of days"),
        ("mon,,tue 08:00-09:00", "Empty day in 'mon,,tue'"),
    ],
)
def test_parse_shift_errors_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message) as caught:
        parse_shift(spec)
    # the template is the untranslated message; params fill it (for gettext at the edge)
    assert caught.value.template % caught.value.params == str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_shift_constructor_validates() -> None:
    with pytest.raises(ValueError, match="days"):
        Shift(frozenset(), 0, 60)
    with pytest.raises(ValueError, match="days"):
        Shift(frozenset({7}), 0, 60)
    with pytest.raises(ValueError, match="start_minute"):
        Shift(frozenset({0}), 1440, 60)
    with pytest.raises(ValueError, match="end_minute"):
        Shift(frozenset({0}), 0, 0)
    with pytest.raises(ValueError, match="same time"):
        Shift(frozenset({0}), 60, 60)


def test_shift_properties() -> None:
    night = parse_shift("mon-fri 22:00-06:00")
    assert night.crosses_midnight and night.minutes == 480 and night.start.hour == 22
    day = parse_shift("mon 00:00-24:00")
    assert not day.crosses_midnight and day.minutes == 1440


def test_parse_shifts_skips_blanks() -> None:
    assert parse_shifts(["mon 09:00-10:00", "  ", "tue 09:00-10:00"]) == (
        parse_shift("mon 09:00-10:00"),
        parse_shift("tue 09:00-10:00"),
    )


def test_unknown_time_zone_is_a_schedule_error() -> None:
    with pytest.raises(ScheduleError, match="Unknown time zone 'Mars/Olympus'"):
        is_on_shift(shifts("mon 09:00-10:00"), "Mars/Olympus", utc(2026, 3, 23, 9))


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_on_shift(shifts("mon 09:00-10:00"), BERLIN, datetime(2026, 3, 23, 9))


day_names = st.sampled_from(DAY_NAMES)


@st.composite
def written_days(draw: st.DrawFn) -> str:
    items = draw(
        st.lists(
            st.one_of(day_names, st.tuples(day_names, day_names).map("-".join)),
            min_size=1,
            max_size=4,
        )
    )
    text = ",".join(items)
    return "".join(c.upper() if draw(st.booleans()) else c for c in text)


@st.composite
def shift_objects(draw: st.DrawFn) -> Shift:
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    start = draw(st.integers(0, 1439))
    end = draw(st.integers(1, 1440).filter(lambda e: e != start))
    return Shift(days, start, end)


@given(shift_objects())
def test_round_trip_from_objects(shift: Shift) -> None:
    assert parse_shift(str(shift)) == shift


@given(written_days(), st.integers(0, 23), st.integers(0, 59), st.integers(0, 24 * 60))
def test_round_trip_from_written_parts(days: str, h: int, m: int, end: int) -> None:
    start_minute = h * 60 + m
    assume(end != start_minute)
    spec = f"{days} {h}:{m:02d}-{end // 60:02d}:{end % 60:02d}"
    shift = parse_shift(spec)
    assert shift.start_minute == start_minute
    assert shift.end_minute == (end or 1440)
    assert parse_shift(str(shift)) == shift
    assert str(parse_shift(str(shift))) == str(shift)


# --- wall clock → instant --------------------------------------------------------------------


def test_wall_time_rules_in_berlin() -> None:
    z = ZoneInfo(BERLIN)
    # skipped (spring forward 02:00 → 03:00): the instant of the jump
    assert wall_time_to_utc(datetime(2026, 3, 29, 2, 30), z) == utc(2026, 3, 29, 1)
    assert wall_time_to_utc(datetime(2026, 3, 29, 3, 0), z) == utc(2026, 3, 29, 1)
    # repeated (fall back 03:00 → 02:00): the first occurrence
    assert wall_time_to_utc(datetime(2026, 10, 25, 2, 30), z) == utc(2026, 10, 25, 0, 30)
    assert wall_time_to_utc(datetime(2026, 10, 25, 3, 0), z) == utc(2026, 10, 25, 2)


def test_wall_time_of_a_skipped_calendar_day() -> None:
    # Samoa skipped 30 December 2011 entirely
    z = ZoneInfo("Pacific/Apia")
    jump = wall_time_to_utc(datetime(2011, 12, 30, 12), z)
    assert jump == wall_time_to_utc(datetime(2011, 12, 31, 0), z) == utc(2011, 12, 30, 10)


# --- on shift --------------------------------------------------------------------------------


def test_on_shift_in_the_agents_own_zone() -> None:
    nine_to_five = shifts("mon-fri 09:00-17:00")
    # Monday 23 March 2026, Berlin is UTC+1
    assert not is_on_shift(nine_to_five, BERLIN, utc(2026, 3, 23, 7, 59))
    assert is_on_shift(nine_to_five, BERLIN, utc(2026, 3, 23, 8, 0))  # 09:00 local
    assert is_on_shift(nine_to_five, BERLIN, utc(2026, 3, 23, 15, 59))
    assert not is_on_shift(nine_to_five, BERLIN, utc(2026, 3, 23, 16, 0))  # 17:00: off
    # the same instant read in Manila (UTC+8): 16:00 Monday → on; in Toronto 04:00 → off
    assert is_on_shift(nine_to_five, MANILA, utc(2026, 3, 23, 8))
    assert not is_on_shift(nine_to_five, TORONTO, utc(2026, 3, 23, 8))
    # the instant's own zone does not matter
    assert is_on_shift(nine_to_five, BERLIN, local(TORONTO, 2026, 3, 23, 4))
    # Saturday is off
    assert not is_on_shift(nine_to_five, BERLIN, local(BERLIN, 2026, 3, 28, 10))
    assert not is_on_shift([], BERLIN, utc(2026, 3, 23, 10))


def test_a_night_shift_belongs_to_the_day_it_starts() -> None:
    monday_night = shifts("mon 22:00-06:00")
    assert is_on_shift(monday_night, BERLIN, local(BERLIN, 2026, 3, 23, 22))
    assert is_on_shift(monday_night, BERLIN, local(BERLIN, 2026, 3, 24, 3))  # Tuesday 03:00
    assert not is_on_shift(monday_night, BERLIN, local(BERLIN, 2026, 3, 24, 6))
    assert not is_on_shift(monday_night, BERLIN, local(BERLIN, 2026, 3, 23, 3))  # Monday 03:00
    # a Sunday night shift covers Monday morning
    assert is_on_shift(shifts("sun 22:00-06:00"), BERLIN, local(BERLIN, 2026, 3, 23, 5))


def test_night_shift_lasts_7_hours_when_clocks_spring_forward() -> None:
    night = shifts("sat 22:00-06:00")  # Saturday 28 → Sunday 29 March 2026, Berlin
    assert next_shift_change(night, BERLIN, utc(2026, 3, 28, 12)) == utc(2026, 3, 28, 21)
    assert next_shift_change(night, BERLIN, utc(2026, 3, 28, 21)) == utc(2026, 3, 29, 4)
    assert is_on_shift(night, BERLIN, utc(2026, 3, 29, 3, 59))
    assert not is_on_shift(night, BERLIN, utc(2026, 3, 29, 4))
    (lo, hi), *_ = on_shift_intervals(night, BERLIN, utc(2026, 3, 28), utc(2026, 3, 30))
    assert hi - lo == timedelta(hours=7)


def test_night_shift_lasts_9_hours_when_clocks_fall_back() -> None:
    night = shifts("sat 22:00-06:00")  # Saturday 24 → Sunday 25 October 2026, Berlin
    (lo, hi), *_ = on_shift_intervals(night, BERLIN, utc(2026, 10, 24), utc(2026, 10, 26))
    assert (lo, hi) == (utc(2026, 10, 24, 20), utc(2026, 10, 25, 5))
    assert hi - lo == timedelta(hours=9)
    # 02:30 happens twice; the agent is on both times
    assert is_on_shift(night, BERLIN, local(BERLIN, 2026, 10, 25, 2, 30, fold=0))
    assert is_on_shift(night, BERLIN, local(BERLIN, 2026, 10, 25, 2, 30, fold=1))


def test_boundaries_in_the_skipped_and_repeated_hours() -> None:
    # 02:00-03:00 does not exist on 29 March 2026 in Berlin: no shift that Sunday
    early = shifts("sun 02:00-03:00")
    assert on_shift_intervals(early, BERLIN, utc(2026, 3, 28), utc(2026, 3, 30)) == []
    assert next_shift_change(early, BERLIN, utc(2026, 3, 28)) == utc(2026, 4, 5, 0)
    # a start in the skipped hour starts at the jump (03:00 CEST)
    assert next_shift_change(shifts("sun 02:30-04:00"), BERLIN, utc(2026, 3, 28)) == utc(
        2026, 3, 29, 1
    )
    # an end in the repeated hour ends at its first occurrence
    repeated = shifts("sun 00:00-02:30")
    assert next_shift_change(repeated, BERLIN, utc(2026, 10, 25, 0)) == utc(2026, 10, 25, 0, 30)
    assert not is_on_shift(repeated, BERLIN, local(BERLIN, 2026, 10, 25, 2, 15, fold=1))


def test_toronto_dst() -> None:
    # 8 March 2026: 02:00 EST → 03:00 EDT; 1 November 2026: 02:00 EDT → 01:00 EST
    night = shifts("sat 22:00-06:00")
    (lo, hi), *_ = on_shift_intervals(night, TORONTO, utc(2026, 3, 7), utc(2026, 3, 9))
    assert (lo, hi) == (utc(2026, 3, 8, 3), utc(2026, 3, 8, 10))  # 7 h
    (lo, hi), *_ = on_shift_intervals(night, TORONTO, utc(2026, 10, 31), utc(2026, 11, 2))
    assert (lo, hi) == (utc(2026, 11, 1, 2), utc(2026, 11, 1, 11))  # 9 h


def test_manila_has_no_dst() -> None:
    office = shifts("mon-fri 09:00-18:00")
    for monday in (date(2026, 1, 5), date(2026, 3, 30), date(2026, 10, 26)):
        (lo, hi), *_ = on_shift_intervals(
            office, MANILA, datetime.combine(monday, datetime.min.time(), UTC), utc(2026, 12, 31)
        )
        assert lo == datetime(monday.year, monday.month, monday.day, 1, tzinfo=UTC)
        assert hi - lo == timedelta(hours=9)


# --- next change -----------------------------------------------------------------------------


def test_next_shift_change() -> None:
    office = shifts("mon-fri 09:00-17:00")
    friday_noon = local(BERLIN, 2026, 3, 27, 12)
    assert next_shift_change(office, BERLIN, friday_noon) == utc(2026, 3, 27, 16)
    # off on Friday evening → Monday 09:00, which is already summer time (07:00 UTC)
    assert next_shift_change(office, BERLIN, utc(2026, 3, 27, 16)) == utc(2026, 3, 30, 7)
    # exactly at a start the agent is on and the next change is the end
    assert next_shift_change(office, BERLIN, utc(2026, 3, 30, 7)) == utc(2026, 3, 30, 15)
    # touching shifts are one stretch
    split = shifts("mon 08:00-12:00", "mon 12:00-16:00")
    assert next_shift_change(split, BERLIN, local(BERLIN, 2026, 3, 23, 9)) == local(
        BERLIN, 2026, 3, 23, 16
    )
    # once a week
    assert next_shift_change(shifts("wed 10:00-11:00"), MANILA, utc(2026, 3, 25, 3)) == utc(
        2026, 4, 1, 2
    )


@pytest.mark.parametrize(
    "specs",
    [
        [],
        ["mon-sun 00:00-24:00"],
        ["mon-sun 00:00-12:00", "mon-sun 12:00-24:00"],
        ["mon-sun 08:00-20:00", "mon-sun 20:00-08:00"],
        ["fri-wed 00:00-24:00", "thu 00:00-24:00"],
    ],
)
def test_no_next_change_when_there_are_no_shifts_or_always_on(specs: list[str]) -> None:
    for at in (utc(2026, 3, 28, 23), utc(2026, 10, 24, 23), utc(2026, 6, 1)):
        assert next_shift_change(shifts(*specs), BERLIN, at) is None
        assert is_on_shift(shifts(*specs), BERLIN, at) is bool(specs)


instants = st.datetimes(
    min_value=datetime(2011, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
# the nights clocks change draw many more samples than their share of the calendar
dst_nights = st.sampled_from(
    [
        utc(2026, 3, 28, 20),
        utc(2026, 10, 24, 20),
        utc(2026, 3, 8, 3),
        utc(2026, 11, 1, 2),
        utc(2026, 4, 4, 12),  # Lord Howe, Santiago fall back
        utc(2026, 9, 5, 12),  # Santiago springs forward at local midnight
        utc(2026, 3, 7, 23),
        utc(2011, 12, 29, 6),  # Apia skips a day
    ]
).flatmap(lambda t: st.integers(0, 36 * 60).map(lambda m: t + timedelta(minutes=m)))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(shift_objects(), min_size=1, max_size=3),
    st.sampled_from(ZONES),
    st.one_of(instants, dst_nights),
    st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=6),
)
@example([parse_shift("sat 22:00-06:00")], BERLIN, utc(2026, 3, 28, 21, 30), [0.5])
def test_status_holds_until_the_next_change(
    shift_list: list[Shift], tz: str, at: datetime, fractions: list[float]
) -> None:
    now = is_on_shift(shift_list, tz, at)
    change = next_shift_change(shift_list, tz, at)
    if change is None:
        samples = [at + timedelta(days=d) for d in (0.3, 1, 2.5, 4, 6.9, 13)]
        assert all(is_on_shift(shift_list, tz, t) == now for t in samples)
        assert now  # non-empty shifts that never change are always on
        return
    assert change > at
    assert change - at <= timedelta(days=15)
    last = change - timedelta(microseconds=1)
    # timedelta * float rounds to whole microseconds: keep samples strictly before the change
    samples = [min(at + (change - at) * f, last) for f in fractions] + [last]
    for t in samples:
        assert is_on_shift(shift_list, tz, t) == now, t
    assert is_on_shift(shift_list, tz, change) != now


@settings(max_examples=200, deadline=None)
@given(st.lists(shift_objects(), min_size=1, max_size=3), instants)
def test_on_shift_is_the_wall_clock_rule_away_from_dst(
    shift_list: list[Shift], at: datetime
) -> None:
    """In a zone without DST the rule is simply: the local wall time is inside a shift."""
    wall = at.astimezone(ZoneInfo(MANILA)).replace(tzinfo=None)
    expected = False
    for shift in shift_list:
        for back in (0, 1):
            day = wall.date() - timedelta(days=back)
            if day.weekday() not in shift.days:
                continue
            begin = datetime.combine(day, datetime.min.time()) + timedelta(
                minutes=shift.start_minute
            )
            length = timedelta(minutes=shift.minutes)
            expected |= begin <= wall < begin + length
    assert is_on_shift(shift_list, MANILA, at) == expected


# --- follow-the-sun coverage -----------------------------------------------------------------

FOLLOW_THE_SUN = [
    # Manila 08-16 local = 00-08 UTC, Berlin 09-17 (CET) = 08-16 UTC, Toronto 11-19 (EST) = 16-24
    (shifts("mon-sun 08:00-16:00"), MANILA, ["en", "tl"]),
    (shifts("mon-sun 09:00-17:00"), BERLIN, ["en", "de"]),
    (shifts("mon-sun 11:00-19:00"), TORONTO, ["en", "fr"]),
]


def test_three_sites_cover_a_language_24_7() -> None:
    # week of 12 January 2026: no DST anywhere
    coverage = weekly_coverage(FOLLOW_THE_SUN, date(2026, 1, 14))
    assert sorted(coverage) == ["de", "en", "fr", "tl"]
    assert all(len(hours) == 168 for hours in coverage.values())
    assert all(coverage["en"])
    gaps = coverage_gaps(coverage)
    assert gaps["en"] == []
    assert [str(g) for g in gaps["de"]][:2] == ["Mon 00:00–08:00 UTC", "Mon 16:00–Tue 08:00 UTC"]
    assert str(gaps["de"][-1]) == "Sun 16:00–24:00 UTC"
    assert sum(g.hours for g in gaps["de"]) == 168 - 7 * 8


def test_dst_in_one_site_opens_a_gap() -> None:
    # week of 9 March 2026: Toronto is on EDT (11-19 = 15-23 UTC), Berlin still on CET
    gaps = coverage_gaps(weekly_coverage(FOLLOW_THE_SUN, date(2026, 3, 9)))
    assert [str(g) for g in gaps["en"]] == [
        f"{d} 23:00–24:00 UTC" for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    ]


def test_a_half_covered_hour_is_a_gap_and_hand_overs_count() -> None:
    agents = [
        (shifts("mon 09:30-12:00"), "UTC", ["de"]),
        (shifts("mon 12:00-14:00"), "UTC", ["de"]),  # hand-over at 12:00
    ]
    coverage = weekly_coverage(agents, date(2026, 1, 12))
    assert [h for h, ok in enumerate(coverage["de"]) if ok] == [10, 11, 12, 13]
    assert [str(g) for g in coverage_gaps(coverage)["de"]] == [
        "Mon 00:00–10:00 UTC",
        "Mon 14:00–Sun 24:00 UTC",
    ]


def test_coverage_in_a_reference_zone_with_dst() -> None:
    # 29 March 2026 in Berlin: the hour 02:00-03:00 does not exist, so nothing to cover;
    # a Berlin agent on shift all Sunday leaves no gap on that Sunday
    agents = [(shifts("sun 00:00-24:00"), BERLIN, ["de"])]
    coverage = weekly_coverage(agents, date(2026, 3, 23), ref_tz=BERLIN)
    sunday = coverage["de"][6 * 24 :]
    assert all(sunday)
    assert not any(coverage["de"][: 6 * 24])
    # read in UTC the same agent covers Saturday 23:00 → Sunday 22:00
    utc_cov = weekly_coverage(agents, date(2026, 3, 23))["de"]
    assert [h for h, ok in enumerate(utc_cov) if ok] == list(range(5 * 24 + 23, 6 * 24 + 22))


def test_a_language_nobody_speaks_is_never_covered() -> None:
    coverage = weekly_coverage(FOLLOW_THE_SUN, date(2026, 1, 12), languages=["ja", "en"])
    assert list(coverage) == ["ja", "en"]
    assert [str(g) for g in coverage_gaps(coverage)["ja"]] == ["Mon 00:00–Sun 24:00 UTC"]


def test_agents_without_shifts_or_languages_cover_nothing() -> None:
    coverage = weekly_coverage(
        [([], BERLIN, ["de"]), (shifts("mon 09:00-10:00"), BERLIN, [])], date(2026, 1, 12)
    )
    assert coverage == {"de": [False] * 168}


def test_coverage_gap_text() -> None:
    assert str(CoverageGap(5 * 24 + 2, 5 * 24 + 6, "UTC")) == "Sat 02:00–06:00 UTC"
    assert str(CoverageGap(5 * 24 + 22, 6 * 24 + 6, "UTC")) == "Sat 22:00–Sun 06:00 UTC"
    assert str(CoverageGap(6 * 24 + 22, 168, "Europe/Berlin")) == "Sun 22:00–24:00 Europe/Berlin"
    gap = CoverageGap(4 * 24 + 22, 7 * 24, "UTC")
    assert gap.start == (4, 22) and gap.end == (6, 24) and gap.hours == 50


@st.composite
def round_the_clock_agents(draw: st.DrawFn) -> list[tuple[list[Shift], str, list[str]]]:
    """Agents (each in its own zone) whose shifts chain around the whole local day."""
    agents = []
    for _ in range(draw(st.integers(1, 3))):
        cuts = sorted(draw(st.sets(st.integers(0, 1439), min_size=1, max_size=4)))
        tz = draw(st.sampled_from(ZONES))
        for a, b in zip(cuts, [*cuts[1:], cuts[0]], strict=True):
            if a == b:  # a single cut: one 24 h shift
                agents.append(([Shift(frozenset(range(7)), 0, 1440)], tz, ["en"]))
            else:
                agents.append(([Shift(frozenset(range(7)), a, b or 1440)], tz, ["en"]))
    return agents


@settings(max_examples=60, deadline=None)
@given(
    round_the_clock_agents(),
    st.dates(min_value=date(2011, 1, 1), max_value=date(2027, 12, 31)),
    st.sampled_from(ZONES),
)
def test_a_24_7_agent_set_has_no_gaps(
    agents: list[tuple[list[Shift], str, list[str]]], week: date, ref_tz: str
) -> None:
    gaps = coverage_gaps(weekly_coverage(agents, week, ref_tz), ref_tz)
    assert gaps == {"en": []}
