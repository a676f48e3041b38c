"""Week rows: shifts and opening hours as one line of ``HH:MM-HH:MM`` spans per weekday.

The settings pages show an agent's shifts and a site's opening hours as seven rows, one
per weekday (Monday first), each a comma-separated list of spans such as
``09:00-12:00, 13:00-17:00``; the week editor (``static/web/week.js``) paints the same
rows. These functions convert between the rows and the stored formats of
``core.timetables``: shift specs (``["mon 09:00-17:00"]``) and opening hours
(``{"mon": [["09:00", "17:00"]]}``). A pure module (no Django).

A span that ends at or before its start goes on past midnight (a night shift belongs to
the day it starts), as in ``core.timetables``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from wowdesk.core.timetables import (
    DAY_NAMES,
    HoursInput,
    ScheduleError,
    Shift,
    gettext_noop,
    parse_hours,
    parse_shift,
    parse_time,
)

Row = list[tuple[int, int]]


def _minute(m: int) -> str:
    return "{:02d}:{:02d}".format(*divmod(m, 60))


def format_row(spans: Iterable[tuple[int, int]]) -> str:
    """``[(540, 1020)]`` → ``"09:00-17:00"``."""
    return ", ".join(f"{_minute(lo)}-{_minute(hi)}" for lo, hi in spans)


def parse_row(text: str, day: str) -> Row:
    """``"09:00-12:00, 13:00-17:00"`` → minute spans; an empty row is no span.

    Raises :class:`ScheduleError` naming the day for a span that is not ``HH:MM-HH:MM``."""
    spans: Row = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        bits = part.replace("\u2013", "-").split("-")
        if len(bits) != 2:
            raise ScheduleError(
                gettext_noop("%(day)s: %(span)r is not a span like 09:00-17:00."),
                day=day,
                span=part,
            )
        lo, hi = parse_time(bits[0].strip()), parse_time(bits[1].strip(), end=True)
        if lo == hi:
            raise ScheduleError(
                gettext_noop("%(day)s: %(span)r starts and ends at the same time."),
                day=day,
                span=part,
            )
        spans.append((lo, hi))
    return spans


def parse_rows(rows: Sequence[str]) -> list[Row]:
    """Seven rows (Monday first) → seven lists of spans."""
    if len(rows) != 7:
        raise ValueError(f"seven rows are needed, got {len(rows)}")
    return [parse_row(text, DAY_NAMES[i]) for i, text in enumerate(rows)]


def rows_to_shifts(rows: Sequence[str]) -> list[str]:
    """Seven rows → canonical shift specs; the same span on several days is one shift:
    ``["mon-fri 09:00-17:00", "sat 10:00-14:00"]``."""
    days_of: dict[tuple[int, int], set[int]] = {}
    for i, spans in enumerate(parse_rows(rows)):
        for span in spans:
            days_of.setdefault(span, set()).add(i)
    return [
        str(Shift(days=frozenset(days), start_minute=lo, end_minute=hi))
        for (lo, hi), days in sorted(days_of.items(), key=lambda kv: (min(kv[1]), kv[0]))
    ]


def shifts_to_rows(specs: Iterable[str]) -> list[str]:
    """Shift specs → seven rows; each shift is on the row of every day it starts on."""
    week: list[Row] = [[] for _ in range(7)]
    for spec in specs:
        if not spec.strip():
            continue
        shift = parse_shift(spec)
        for d in sorted(shift.days):
            week[d].append((shift.start_minute, shift.end_minute))
    return [format_row(sorted(day)) for day in week]


def rows_to_hours(rows: Sequence[str]) -> dict[str, list[list[str]]]:
    """Seven rows → opening hours as a site stores them; all rows empty → ``{}`` (open
    around the clock). Checked with :func:`core.timetables.parse_hours`."""
    hours: dict[str, list[list[str]]] = {}
    for i, spans in enumerate(parse_rows(rows)):
        if spans:
            hours[DAY_NAMES[i]] = [[_minute(lo), _minute(hi)] for lo, hi in spans]
    parse_hours(hours)
    return hours


def hours_to_rows(hours: HoursInput) -> list[str]:
    """Stored opening hours → seven rows (merged per day; around the clock → empty rows)."""
    if not hours:
        return [""] * 7
    return [format_row(day) for day in parse_hours(hours)]
