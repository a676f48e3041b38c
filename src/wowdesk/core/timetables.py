"""Time tables as people write them: weekly shifts, opening hours, wall clocks in a zone.

A pure module (no Django), in the core so that every app can validate what a person
writes (``core.services`` checks agents' shifts and sites' opening hours); the arithmetic
on top (on shift now, coverage, business time, SLA clocks) is routing's
(``routing.shifts``, ``routing.business_hours``).

A shift is written ``DAYS HH:MM-HH:MM``::

    mon-sun 08:00-16:00     every day
    mon-fri 22:00-06:00     nights; crosses midnight and belongs to the day it starts
    sat,sun 10:00-18:00     a list of days
    fri-mon 09:00-17:30     a range may wrap around the week end
    mon 00:00-24:00         a whole day (24:00 is allowed as an end only)

Days are ``mon`` … ``sun`` (or full English names), case-insensitive. An end equal to or
before the start means the shift ends on the next day; ``10:00-00:00`` is the same shift as
``10:00-24:00``. A start equal to the end is refused (write ``00:00-24:00`` for a whole day).

Opening hours (:func:`parse_hours`) are a mapping of days to spans,
``{"mon-fri": [["08:00", "18:00"]]}``, or shift-style specs.

**Wall clock and DST.** Boundaries are wall-clock times in a zone. A boundary happens at
the first instant at which the clock shows that time *or later* (:func:`wall_time_to_utc`):
a time repeated when clocks go back is its first occurrence; a time skipped when clocks go
forward is the instant of the jump.

Errors a person can cause (a bad shift, an unknown time zone) raise :class:`ScheduleError`,
a ``ValueError`` whose ``template`` is marked for translation and whose ``params`` fill it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 1440
_ONE_DAY = timedelta(days=1)

_DAY_ALIASES: dict[str, int] = {name: i for i, name in enumerate(DAY_NAMES)} | {
    full: i
    for i, full in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_SPEC = re.compile(
    r"^\s*(?P<days>\S.*?)\s+(?P<start>\d{1,2}:\d{2})\s*[-\u2013]\s*(?P<end>\d{1,2}:\d{2})\s*$"
)

Interval = tuple[datetime, datetime]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for ``makemessages``; the Django edge translates it when shown."""
    return message


class ScheduleError(ValueError):
    """A shift, opening hours or time zone written by a person is not valid.

    ``str(error)`` is English. To show it translated: ``gettext(e.template) % e.params``.
    """

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params)


# --- time zones and wall clocks ------------------------------------------------------------


def zone(tz: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name; :class:`ScheduleError` if there is none."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ScheduleError(
            gettext_noop("Unknown time zone %(tz)r; use an IANA name such as 'Europe/Berlin'."),
            tz=tz,
        ) from None


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"an aware datetime is needed, got naive {at!r}")
    return at.astimezone(UTC)


def wall_time_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """The first instant (UTC) at which a clock in ``tz`` shows ``wall`` or later.

    ``wall`` is naive. Repeated times give their first occurrence; skipped times give the
    instant of the jump. Monotonic in ``wall``.
    """
    aware = wall.replace(tzinfo=tz, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) == wall:
        return utc
    return _gap_end(wall, tz)


@lru_cache(maxsize=32768)
def local_day_start(tz: ZoneInfo, day: date) -> tuple[datetime, bool]:
    """(first instant (UTC) of local ``day``, whether the day is exactly 24 h long). Memoised."""
    lo = wall_time_to_utc(datetime(day.year, day.month, day.day), tz)
    nxt = day + _ONE_DAY
    hi = wall_time_to_utc(datetime(nxt.year, nxt.month, nxt.day), tz)
    return lo, hi - lo == _ONE_DAY


def local_instant(tz: ZoneInfo, day: date, minute: int) -> datetime:
    """``wall_time_to_utc`` of ``minute`` minutes after local midnight of ``day`` (``minute``
    may pass 1440 into the next days). Memoised per day: on a day without a DST change (24 h
    long; tzdb has at most one change a day) it is one addition."""
    while minute > MINUTES_PER_DAY:
        day, minute = day + _ONE_DAY, minute - MINUTES_PER_DAY
    lo, plain = local_day_start(tz, day)
    if plain or minute == 0:
        return lo + timedelta(minutes=minute)
    if minute == MINUTES_PER_DAY:
        return local_day_start(tz, day + _ONE_DAY)[0]
    return wall_time_to_utc(datetime(day.year, day.month, day.day) + timedelta(minutes=minute), tz)


def _gap_end(wall: datetime, tz: ZoneInfo) -> datetime:
    """``wall`` is skipped by a forward transition: find the transition instant (1 s steps)."""
    before = wall.replace(tzinfo=tz, fold=0).utcoffset()
    after = wall.replace(tzinfo=tz, fold=1).utcoffset()
    assert before is not None and after is not None
    naive_utc = wall.replace(tzinfo=UTC)
    lo = math.floor((naive_utc - after).timestamp())  # still before the jump
    hi = math.ceil((naive_utc - before).timestamp())  # already after it
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching ``[start, end)`` intervals."""
    merged: list[Interval] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


# --- shifts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shift:
    """Weekly recurring working time: on ``days`` (0 = Monday) from ``start_minute`` (minutes
    after local midnight, 0‥1439) to ``end_minute`` (1‥1440); an end at or before the start
    is on the next day."""

    days: frozenset[int]
    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError(f"days must be a non-empty subset of 0..6, got {set(self.days)}")
        if not 0 <= self.start_minute < MINUTES_PER_DAY:
            raise ValueError(f"start_minute out of range: {self.start_minute}")
        if not 0 < self.end_minute <= MINUTES_PER_DAY:
            raise ValueError(f"end_minute out of range: {self.end_minute}")
        if self.start_minute == self.end_minute:
            raise ValueError("a shift cannot start and end at the same time")

    @property
    def start(self) -> time:
        return time(*divmod(self.start_minute, 60))

    @property
    def crosses_midnight(self) -> bool:
        return self.end_minute <= self.start_minute

    @property
    def minutes(self) -> int:
        """Length on the wall clock (real length differs on DST nights)."""
        return (self.end_minute - self.start_minute) % MINUTES_PER_DAY or MINUTES_PER_DAY

    def __str__(self) -> str:
        return format_shift(self)

    def interval_on(self, day: date, tz: ZoneInfo) -> Interval | None:
        """The instants (UTC) of this shift starting on local ``day``; None if not that day
        or if a DST jump swallows it whole."""
        if day.weekday() not in self.days:
            return None
        lo = local_instant(tz, day, self.start_minute)
        end = self.end_minute + (MINUTES_PER_DAY if self.crosses_midnight else 0)
        hi = local_instant(tz, day, end)
        return (lo, hi) if hi > lo else None


def _format_days(days: frozenset[int]) -> str:
    if len(days) == 7:
        return "mon-sun"
    # a single run, possibly wrapping over Sunday→Monday: "fri-mon"
    starts = [d for d in days if (d - 1) % 7 not in days]
    if len(starts) == 1:
        first = starts[0]
        last = first + len(days) - 1
        if all((first + i) % 7 in days for i in range(len(days))):
            return _run(first, last % 7, len(days))
    parts: list[str] = []
    ordered = sorted(days)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(_run(ordered[i], ordered[j], j - i + 1))
        i = j + 1
    return ",".join(parts)


def _run(first: int, last: int, length: int) -> str:
    if length == 1:
        return DAY_NAMES[first]
    if length == 2:
        return f"{DAY_NAMES[first]},{DAY_NAMES[last]}"
    return f"{DAY_NAMES[first]}-{DAY_NAMES[last]}"


def _format_minute(minute: int) -> str:
    return "{:02d}:{:02d}".format(*divmod(minute, 60))


def format_shift(shift: Shift) -> str:
    """The canonical spec: ``parse_shift(format_shift(s)) == s``."""
    return (
        f"{_format_days(shift.days)} "
        f"{_format_minute(shift.start_minute)}-{_format_minute(shift.end_minute)}"
    )


def parse_day(name: str) -> int:
    """``"mon"``/``"Monday"`` → 0 … ``"sun"`` → 6."""
    key = name.strip().lower()
    if key not in _DAY_ALIASES:
        raise ScheduleError(
            gettext_noop("%(day)r is not a day; use mon, tue, wed, thu, fri, sat or sun."),
            day=name.strip(),
        )
    return _DAY_ALIASES[key]


def parse_time(text: str, *, end: bool = False) -> int:
    """``"9:00"`` → 540 minutes. ``"24:00"`` only when ``end`` is true."""
    m = _TIME.fullmatch(text.strip())
    hours, minutes = (int(m.group(1)), int(m.group(2))) if m else (-1, -1)
    total = hours * 60 + minutes
    if (
        not m
        or minutes > 59
        or hours > 24
        or (total > MINUTES_PER_DAY)
        or (total == MINUTES_PER_DAY and not end)
    ):
        raise ScheduleError(
            gettext_noop(
                "%(time)r is not a time of day; use HH:MM from 00:00 to 23:59 "
                "(24:00 only as an end)."
            ),
            time=text.strip(),
        )
    return total


def parse_days(text: str) -> frozenset[int]:
    """``"mon-fri"``, ``"sat,sun"``, ``"fri-mon"`` → weekday numbers (0 = Monday)."""
    days: set[int] = set()
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise ScheduleError(
                gettext_noop("Empty day in %(days)r; separate days with commas."), days=text
            )
        ends = [p.strip() for p in item.split("-")]
        if len(ends) == 1:
            days.add(parse_day(ends[0]))
        elif len(ends) == 2 and all(ends):
            first, last = parse_day(ends[0]), parse_day(ends[1])
            days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
        else:
            raise ScheduleError(
                gettext_noop("%(range)r is not a range of days; write it like 'mon-fri'."),
                range=item,
            )
    return frozenset(days)


def parse_shift(spec: str) -> Shift:
    """Parse ``"mon-fri 09:00-17:00"`` (see the module docstring for the grammar)."""
    m = _SPEC.match(spec)
    if not m:
        raise ScheduleError(
            gettext_noop(
                "Write a shift as DAYS HH:MM-HH:MM, for example 'mon-fri 09:00-17:00' "
                "(got %(spec)r)."
            ),
            spec=spec.strip(),
        )
    days = parse_days(m.group("days"))
    start = parse_time(m.group("start"))
    end = parse_time(m.group("end"), end=True)
    if start == end:
        raise ScheduleError(
            gettext_noop(
                "The shift %(spec)r starts and ends at the same time; "
                "write 00:00-24:00 for a whole day."
            ),
            spec=spec.strip(),
        )
    return Shift(days=days, start_minute=start, end_minute=end or MINUTES_PER_DAY)


@lru_cache(maxsize=1024)
def _parse_cached(spec: str) -> Shift:
    return parse_shift(spec)


def parse_shifts(specs: Iterable[str]) -> tuple[Shift, ...]:
    """Parse several specs (blank ones skipped), caching repeated specs."""
    return tuple(_parse_cached(s) for s in specs if s.strip())


# --- opening hours -------------------------------------------------------------------------

#: Opening minutes per weekday (Monday first): ``((start, end), ...)`` per day.
WeekHours = tuple[tuple[tuple[int, int], ...], ...]
ALWAYS_OPEN: WeekHours = tuple(((0, MINUTES_PER_DAY),) for _ in range(7))

HoursInput = Mapping[str, Iterable[Sequence[str] | str]] | Iterable[str] | str


def _normalize_day(intervals: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if not 0 <= lo < hi <= MINUTES_PER_DAY:
            raise ValueError(f"opening interval out of range: {(lo, hi)}")
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def _spill(days: Iterable[int], lo: int, hi: int, week: list[list[tuple[int, int]]]) -> None:
    """Add ``lo``‥``hi`` on each day; an end at or before the start goes on to the next day."""
    for d in days:
        if hi > lo:
            week[d].append((lo, hi))
        else:
            week[d].append((lo, MINUTES_PER_DAY))
            if hi > 0:
                week[(d + 1) % 7].append((0, hi))


def parse_hours(hours: HoursInput) -> WeekHours:
    """Opening hours from what a person writes; empty means open around the clock.

    Either a mapping as stored on a site, ``{"mon-fri": [["08:00", "18:00"]], "sat":
    ["10:00-14:00"]}`` (keys are days or day ranges), or shift-style specs
    ``["mon-fri 08:00-18:00", "sat 10:00-14:00"]``. Hours that end at or before they start
    go on past midnight into the next day.
    """
    if isinstance(hours, str):
        hours = [hours]
    week: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    if isinstance(hours, Mapping):
        if not hours:
            return ALWAYS_OPEN
        for key, spans in hours.items():
            days = parse_days(key)
            for span in spans:
                parts = span.replace("\u2013", "-").split("-") if isinstance(span, str) else span
                if len(parts) != 2:
                    raise ScheduleError(
                        gettext_noop(
                            "Opening hours %(span)r: write them as a start and an end, "
                            "like ['09:00', '17:00']."
                        ),
                        span=span,
                    )
                lo, hi = parse_time(parts[0]), parse_time(parts[1], end=True)
                if lo == hi:
                    raise ScheduleError(
                        gettext_noop("Opening hours %(span)r start and end at the same time."),
                        span=span,
                    )
                _spill(days, lo, hi, week)
        return tuple(_normalize_day(d) for d in week)
    specs = [s for s in hours if s.strip()]
    if not specs:
        return ALWAYS_OPEN
    for spec in specs:
        shift = parse_shift(spec)
        _spill(shift.days, shift.start_minute, shift.end_minute % MINUTES_PER_DAY, week)
    return tuple(_normalize_day(d) for d in week)
