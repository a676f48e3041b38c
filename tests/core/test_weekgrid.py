"""Week rows (the settings pages' shifts and opening hours, one row per weekday) and the
stored formats they become."""

from __future__ import annotations

import pytest

from wowdesk.core import weekgrid
from wowdesk.core.timetables import ScheduleError, parse_hours, parse_shifts

EMPTY = [""] * 7


def rows(**by_day: str) -> list[str]:
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return [by_day.get(d, "") for d in days]


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        (
            ["mon-fri 09:00-17:00"],
            rows(**dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "09:00-17:00")),
        ),
        (["sat 22:00-06:00"], rows(sat="22:00-06:00")),
        (["mon 18:00-20:00", "mon 08:00-12:00"], rows(mon="08:00-12:00, 18:00-20:00")),
        (["sun 00:00-24:00"], rows(sun="00:00-24:00")),
        (
            ["fri-mon 10:00-14:00"],
            rows(fri="10:00-14:00", sat="10:00-14:00", sun="10:00-14:00", mon="10:00-14:00"),
        ),
        ([], EMPTY),
    ],
)
def test_shifts_round_trip_through_rows(specs: list[str], expected: list[str]) -> None:
    assert weekgrid.shifts_to_rows(specs) == expected
    back = weekgrid.rows_to_shifts(expected)
    # the same working time, in canonical specs
    assert set(parse_shifts(back)) == {
        s
        for spec in specs
        for s in parse_shifts(weekgrid.rows_to_shifts(weekgrid.shifts_to_rows([spec])))
    }
    assert weekgrid.shifts_to_rows(back) == expected


def test_the_same_span_on_several_days_is_one_shift() -> None:
    week = rows(mon="09:00-17:00", tue="09:00-17:00", wed="09:00-12:00", sat="09:00-17:00")
    assert weekgrid.rows_to_shifts(week) == ["mon,tue,sat 09:00-17:00", "wed 09:00-12:00"]


@pytest.mark.parametrize(
    "bad",
    [
        "9-17",
        "09:00",
        "09:00-17:00-18:00",
        "25:00-26:00",
        "09:60-10:00",
        "10:00-10:00",
        "24:00-02:00",
        "a-b",
    ],
)
def test_a_bad_span_names_the_day(bad: str) -> None:
    with pytest.raises(ScheduleError) as exc:
        weekgrid.rows_to_shifts(rows(wed=bad))
    assert "wed" in str(exc.value) or bad.split("-")[0].strip() in str(exc.value)
    with pytest.raises(ScheduleError):
        weekgrid.rows_to_hours(rows(wed=bad))


def test_opening_hours_from_rows_and_back() -> None:
    week = rows(mon="08:00-12:00, 13:00-18:00", sat="10:00-14:00")
    hours = weekgrid.rows_to_hours(week)
    assert hours == {"mon": [["08:00", "12:00"], ["13:00", "18:00"]], "sat": [["10:00", "14:00"]]}
    assert weekgrid.hours_to_rows(hours) == week
    assert parse_hours(hours)[0] == ((480, 720), (780, 1080))
    # every row empty: open around the clock, stored as no hours
    assert weekgrid.rows_to_hours(EMPTY) == {}
    assert weekgrid.hours_to_rows({}) == EMPTY
    # stored as day ranges, shown per day
    assert weekgrid.hours_to_rows({"mon-fri": [["08:00", "18:00"]]}) == ["08:00-18:00"] * 5 + [
        "",
        "",
    ]


def test_seven_rows_are_needed() -> None:
    with pytest.raises(ValueError):
        weekgrid.rows_to_shifts(["09:00-17:00"])
