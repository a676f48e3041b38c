"""Weekly shifts in an agent's own time zone: parsing, "on shift now?", and coverage.

A pure module (no Django). A shift is written ``DAYS HH:MM-HH:MM``::

    mon-sun 08:00-16:00     every day
    mon-fri 22:00-06:00     nights; crosses midnight and belongs to the day it starts
    sat,sun 10:00-18:00     a list of days
    fri-mon 09:00-17:30     a range may wrap around the week end
    mon 00:00-24:00         a whole day (24:00 is allowed as an end only)

Days are ``mon`` … ``sun`` (or full English names), case-insensitive. An end equal to or
before the start means the shift ends on the next day; ``10:00-00:00`` is the same shift as
``10:00-24:00``. A start equal to the end is refused (write ``00:00-24:00`` for a whole day).

**Wall clock and DST.** Shift boundaries are wall-clock times in the agent's zone. A boundary
happens at the first instant at which the agent's clock shows that time *or later*:

* a time repeated when clocks go back (e.g. 02:30 on the last Sunday of October in Berlin)
  is its first occurrence;
* a time skipped when clocks go forward (02:30 on the last Sunday of March in Berlin) is the
  instant of the jump (03:00 CEST).

So a ``22:00-06:00`` shift lasts 7 real hours on the night clocks spring forward and 9 on the
night they fall back; a ``02:00-03:00`` shift does not happen at all on a spring-forward
night in Berlin. This mapping is monotonic: touching shifts stay touching, overlapping shifts
stay overlapping, whatever the zone does.

**Coverage.** :func:`weekly_coverage` says, per language and per wall-clock hour of one ISO
week in a reference zone, whether that hour is *covered*: every instant of the hour has at
least one agent with that language on shift (hand-overs between agents count; a half-covered
hour is a gap). :func:`coverage_gaps` turns that into readable spans.

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

__all__ = [
    "DAY_NAMES",
    "HOURS_PER_WEEK",
    "CoverageGap",
    "ScheduleError",
    "Shift",
    "coverage_gaps",
    "format_shift",
    "gettext_noop",
    "is_on_shift",
    "local_day_start",
    "local_instant",
    "merge_intervals",
    "next_shift_change",
    "on_shift_intervals",
    "parse_day",
    "parse_days",
    "parse_shift",
    "parse_shifts",
    "parse_time",
    "wall_time_to_utc",
    "weekly_coverage",
    "zone",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_PER_WEEK = 168
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


# --- on shift, when it changes -------------------------------------------------------------


def _local_date(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def _instances(shifts: Iterable[Shift], tz: ZoneInfo, first: date, last: date) -> list[Interval]:
    """Intervals of the shifts starting on local dates ``first`` … ``last`` (inclusive)."""
    out: list[Interval] = []
    day = first
    while day <= last:
        for shift in shifts:
            iv = shift.interval_on(day, tz)
            if iv is not None:
                out.append(iv)
        day += timedelta(days=1)
    return out


def is_on_shift(shifts: Sequence[Shift], tz: str, at: datetime) -> bool:
    """Whether ``at`` (aware, any zone) falls in one of the shifts, read in zone ``tz``.

    Shifts are half-open: on at the start instant, off at the end instant.
    """
    if not shifts:
        return False
    z = zone(tz)
    at = _utc(at)
    today = _local_date(at, z)
    # A shift covering `at` starts on the local day before, the day itself or (only where a
    # fall-back crosses midnight) the day after.
    for offset in (-1, 0, 1):
        day = today + timedelta(days=offset)
        weekday = day.weekday()
        for shift in shifts:
            if weekday in shift.days:
                iv = shift.interval_on(day, z)
                if iv is not None and iv[0] <= at < iv[1]:
                    return True
    return False


def on_shift_intervals(
    shifts: Sequence[Shift], tz: str, start: datetime, end: datetime
) -> list[Interval]:
    """The merged on-shift intervals (UTC) that meet ``[start, end)``, not clipped."""
    z = zone(tz)
    start, end = _utc(start), _utc(end)
    ivs = _instances(shifts, z, _local_date(start, z) - timedelta(days=1), _local_date(end, z))
    return [iv for iv in merge_intervals(ivs) if iv[1] > start and iv[0] < end]


def next_shift_change(shifts: Sequence[Shift], tz: str, at: datetime) -> datetime | None:
    """The first instant (UTC) after ``at`` at which :func:`is_on_shift` changes its answer.

    None when there are no shifts or the agent is always on shift (the shifts cover the
    whole week). Between ``at`` and the returned instant the answer stays as it is at ``at``.
    """
    if not shifts:
        return None
    z = zone(tz)
    at = _utc(at)
    today = _local_date(at, z)
    for horizon in (3, 16):
        last = today + timedelta(days=horizon)
        # everything before the local midnight after `last` is known exactly
        known_until = local_instant(z, last + _ONE_DAY, 0)
        ivs = merge_intervals(_instances(shifts, z, today - timedelta(days=1), last))
        change = _first_change(ivs, at)
        if change is not None and change < known_until:
            return change
    return None


def _first_change(merged: Sequence[Interval], at: datetime) -> datetime | None:
    for lo, hi in merged:
        if hi <= at:
            continue
        return hi if lo <= at else lo
    return None


# --- follow-the-sun coverage ---------------------------------------------------------------


def _week_bounds(week_of: date, ref: ZoneInfo) -> list[datetime]:
    """169 instants: the start of each wall-clock hour of the ISO week, and its end."""
    monday = week_of - timedelta(days=week_of.weekday())
    return [
        local_instant(ref, monday + timedelta(days=h // 24), (h % 24) * 60)
        for h in range(HOURS_PER_WEEK + 1)
    ]


def weekly_coverage(
    agents: Iterable[tuple[Sequence[Shift], str, Iterable[str]]],
    week_of: date,
    ref_tz: str = "UTC",
    languages: Iterable[str] | None = None,
) -> dict[str, list[bool]]:
    """Per language, 168 booleans: hour ``h`` (0 = Monday 00:00 in ``ref_tz`` of the ISO week
    containing ``week_of``) is covered when, for all of that wall-clock hour, at least one
    agent speaking the language is on shift in their own zone.

    ``agents`` are ``(shifts, tz, languages)``. ``languages`` lists the languages to report
    (default: every language an agent speaks); one nobody speaks is uncovered all week.
    An hour skipped by a DST jump in ``ref_tz`` has no instants and counts as covered.
    """
    ref = zone(ref_tz)
    bounds = _week_bounds(week_of, ref)
    week_lo, week_hi = bounds[0], bounds[-1]
    per_language: dict[str, list[Interval]] = {}
    for shifts, tz, spoken in agents:
        spoken = list(spoken)
        if not spoken:
            continue
        ivs = on_shift_intervals(shifts, tz, week_lo, week_hi) if shifts else []
        for lang in spoken:
            per_language.setdefault(lang, []).extend(ivs)
    wanted = sorted(per_language) if languages is None else list(dict.fromkeys(languages))
    return {
        lang: _covered_hours(merge_intervals(per_language.get(lang, ())), bounds) for lang in wanted
    }


def _covered_hours(merged: Sequence[Interval], bounds: Sequence[datetime]) -> list[bool]:
    covered: list[bool] = []
    j = 0
    for h in range(len(bounds) - 1):
        lo, hi = bounds[h], bounds[h + 1]
        if hi <= lo:
            covered.append(True)
            continue
        while j < len(merged) and merged[j][1] <= lo:
            j += 1
        covered.append(j < len(merged) and merged[j][0] <= lo and merged[j][1] >= hi)
    return covered


@dataclass(frozen=True)
class CoverageGap:
    """Uncovered hours ``start_hour`` ≤ h < ``end_hour`` of the week (0 = Monday 00:00),
    wall clock in ``tz``. ``str()`` reads like ``"Sat 02:00-06:00 UTC"`` (with an en dash)."""

    start_hour: int
    end_hour: int
    tz: str

    @property
    def hours(self) -> int:
        return self.end_hour - self.start_hour

    @property
    def start(self) -> tuple[int, int]:
        """(weekday, hour) of the first uncovered hour."""
        day, hour = divmod(self.start_hour, 24)
        return day, hour

    @property
    def end(self) -> tuple[int, int]:
        """(weekday, hour) where the gap ends; hour 24 means the end of that weekday."""
        day, hour = divmod(self.end_hour, 24)
        return (day - 1, 24) if hour == 0 else (day, hour)

    def __str__(self) -> str:
        (d0, h0), (d1, h1) = self.start, self.end
        first = f"{DAY_NAMES[d0].title()} {h0:02d}:00"
        last = f"{h1:02d}:00" if d1 == d0 else f"{DAY_NAMES[d1].title()} {h1:02d}:00"
        return f"{first}\u2013{last} {self.tz}"


def coverage_gaps(
    coverage: Mapping[str, Sequence[bool]], ref_tz: str = "UTC"
) -> dict[str, list[CoverageGap]]:
    """Merge the uncovered hours of :func:`weekly_coverage` into spans, per language
    (an empty list when the language is covered all week). Spans do not wrap from Sunday
    to Monday: the week is a concrete ISO week."""
    gaps: dict[str, list[CoverageGap]] = {}
    for lang, hours in coverage.items():
        spans: list[CoverageGap] = []
        start: int | None = None
        for h, ok in enumerate([*hours, True]):
            if not ok and start is None:
                start = h
            elif ok and start is not None:
                spans.append(CoverageGap(start, h, ref_tz))
                start = None
        gaps[lang] = spans
    return gaps


@lru_cache(maxsize=1024)
def _parse_cached(spec: str) -> Shift:
    return parse_shift(spec)


def parse_shifts(specs: Iterable[str]) -> tuple[Shift, ...]:
    """Parse several specs (blank ones skipped), caching repeated specs."""
    return tuple(_parse_cached(s) for s in specs if s.strip())
