"""What the roster pages draw (``wfm/roster_display.py``, pure): the hours parser, the
series, the heat-map in the viewer's zone (DST weeks included), presence from shifts and
breaks, and the grids per site."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wowdesk.wfm import roster_display as D

ORIGIN = dt.datetime(2026, 12, 28, tzinfo=dt.UTC)  # a Monday
HORIZON = 336


def _at(hour: float) -> dt.datetime:
    return ORIGIN + dt.timedelta(hours=hour)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8", [8.0]), ("8, 10", [8.0, 10.0]), ("6-9", [6.0, 7.0, 8.0, 9.0]), ("10 8 8", [8.0, 10.0])],
)
def test_parse_hours(text: str, expected: list[float]) -> None:
    assert D.parse_hours(text, 0, 23) == expected


@pytest.mark.parametrize("text", ["", "x", "9-6", "24", "-1", "7.5", "0-100", "nan"])
def test_parse_hours_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        D.parse_hours(text, 0, 23, whole=True)


@given(st.text(max_size=40))
def test_parse_hours_never_crashes_and_stays_in_range(text: str) -> None:
    try:
        out = D.parse_hours(text, 0, 23, whole=True)
    except ValueError:
        return
    assert out == sorted(set(out)) and all(0 <= h <= 23 and h == int(h) for h in out)
    assert 1 <= len(out) <= 48


@given(st.lists(st.integers(0, 23), min_size=1, max_size=24))
def test_parse_hours_round_trips_a_list(hours: list[int]) -> None:
    text = ", ".join(str(h) for h in hours)
    assert D.parse_hours(text, 0, 23, whole=True) == sorted(set(hours))


needs = st.lists(st.integers(0, 5), min_size=HORIZON, max_size=HORIZON)


@given(needs, needs, st.sampled_from(["UTC", "Asia/Kolkata", "America/New_York", "Asia/Manila"]))
def test_heatmap_keeps_every_agent_interval(need: list[int], have: list[int], tz: str) -> None:
    heat = D.heatmap(ORIGIN, 30, {"de/email": need}, {"de/email": have}, tz)
    # a zone half an hour off UTC sees the week across 169 of its hours
    assert len(heat.hours) == (169 if tz == "Asia/Kolkata" else 168)
    assert heat.hours == sorted(heat.hours)
    (row,) = heat.rows
    assert row.language == "de"
    assert sum(c.required for c in row.cells) == sum(need)
    assert sum(c.covered for c in row.cells) == sum(have)
    short_any = any(h < n for h, n in zip(have, need, strict=True))
    assert any(c.short for c in row.cells) is short_any
    assert all((c.level == "short") is (c.short and c.required > 0) for c in row.cells)


def test_heatmap_in_a_week_the_clocks_change() -> None:
    spring = dt.datetime(2027, 3, 22, tzinfo=dt.UTC)  # Berlin goes to summer time on the 28th
    heat = D.heatmap(spring, 30, {"de": [1] * HORIZON}, {"de": [1] * HORIZON}, "Europe/Berlin")
    assert len(heat.hours) == 168  # one local hour skipped, one more at the week's end
    assert sum(c.required for c in heat.rows[0].cells) == HORIZON
    autumn = dt.datetime(2027, 10, 25, tzinfo=dt.UTC)  # back on the 31st: 02:00 twice
    heat = D.heatmap(autumn, 30, {"de": [1] * HORIZON}, {"de": [1] * HORIZON}, "Europe/Berlin")
    assert len(heat.hours) == 167  # the repeated hour is one column
    assert sum(c.required for c in heat.rows[0].cells) == HORIZON


def test_heatmap_hours_are_the_viewers() -> None:
    need = [0] * HORIZON
    need[16] = 2  # Monday 08:00 UTC
    heat = D.heatmap(ORIGIN, 30, {"fr": need}, {"fr": [0] * HORIZON}, "Asia/Manila")
    (cell_hour,) = [h for h, c in zip(heat.hours, heat.rows[0].cells, strict=True) if c.required]
    assert cell_hour == dt.datetime(2026, 12, 28, 16, 0)
    assert heat.rows[0].short_hours == [cell_hour]


def test_presence_counts_shifts_less_breaks_per_language() -> None:
    shifts = [
        D.ShiftIn(1, _at(8), _at(12), [(_at(10), _at(10.5))]),
        D.ShiftIn(2, _at(9), _at(11)),
    ]
    out = D.presence(ORIGIN, 30, HORIZON, shifts, {1: ["de", "en"], 2: ["de"]})
    assert out[""][16:24] == [1, 1, 2, 2, 1, 2, 1, 1]
    assert out["de"] == out[""]
    assert out["en"][16:24] == [1, 1, 1, 1, 0, 1, 1, 1]
    s = D.series(ORIGIN, 30, {"de": [1] * HORIZON}, {"de": [1] * HORIZON}, "UTC", out)
    assert s.scheduled["de"][16:24] == [1, 1, 2, 2, 1, 2, 1, 1]
    assert s.scheduled[""] == out[""] and "en" not in s.scheduled


def test_site_grids_in_each_sites_zone() -> None:
    agents = [
        D.AgentIn(1, "Ana", "Lima", "America/Lima", ["es"]),
        D.AgentIn(2, "Bo", "Berlin", "Europe/Berlin", ["de"]),
        D.AgentIn(3, "Cy", "", "UTC", ["en"]),
    ]
    shifts = [
        # Lima is UTC-5: Monday 02:00 UTC is Sunday 21:00 there, and crosses midnight
        D.ShiftIn(1, _at(2), _at(10), [(_at(6), _at(6.5))]),
        D.ShiftIn(2, _at(22), _at(30)),  # Berlin: Monday 23:00 – Tuesday 07:00
    ]
    grids = D.site_grids(ORIGIN.date(), agents, shifts)
    assert [g.name for g in grids] == ["Berlin", "Lima", ""]
    berlin, lima, nowhere = grids
    assert len(berlin.days) == 7 and berlin.rows[0].days[0][0].label == "23:00–07:00"
    assert berlin.rows[0].days[0][0].night and berlin.rows[0].hours == 8
    # the day before the week shows because a shift starts on it in Lima
    assert lima.days[0] == dt.date(2026, 12, 27) and len(lima.days) == 8
    first = lima.rows[0].days[0][0]
    assert first.label == "21:00–05:00" and first.breaks == [
        (dt.datetime(2026, 12, 28, 1, 0), dt.datetime(2026, 12, 28, 1, 30))
    ]
    assert lima.rows[0].hours == 7.5
    assert nowhere.rows[0].days == [[] for _ in range(7)]


@given(st.floats(0, 1))
def test_miss_one_in(p: float) -> None:
    n = D.miss_one_in(p)
    assert (n is None) is (p <= 0)
    if n is not None:
        assert n >= 1 and abs(1 / n - p) <= max(p, 1 / n)
