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

Parsing (the grammar, the DST rule, :class:`Shift`, :class:`ScheduleError`) is in
``wowdesk.core.timetables``; this module re-exports those names.

Errors a person can cause (a bad shift, an unknown time zone) raise :class:`ScheduleError`,
a ``ValueError`` whose ``template`` is marked for translation and whose ``params`` fill it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from wowdesk.core.timetables import (
    DAY_NAMES,
    Interval,
    ScheduleError,
    Shift,
    _utc,
    format_shift,
    gettext_noop,
    local_day_start,
    local_instant,
    merge_intervals,
    parse_day,
    parse_days,
    parse_shift,
    parse_shifts,
    parse_time,
    wall_time_to_utc,
    zone,
)

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

HOURS_PER_WEEK = 168
_ONE_DAY = timedelta(days=1)


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


# --- dated shifts of a published roster ---------------------------------------------------


def _iso(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def scheduled_now(schedule: Mapping[str, object], at: datetime) -> bool | None:
    """What an agent's published schedule (``Agent.schedule``) says about ``at``: None when
    no window of it covers ``at`` (the weekly shifts decide), else whether ``at`` falls in
    one of its dated shifts and outside that shift's breaks. Half-open spans, UTC ISO
    strings; a malformed entry is skipped."""
    windows = schedule.get("windows") if schedule else None
    if not windows or not isinstance(windows, list):
        return None
    at = _utc(at)
    inside = False
    for w in windows:
        try:
            if _iso(w[0]) <= at < _iso(w[1]):
                inside = True
                break
        except (TypeError, ValueError, IndexError):
            continue
    if not inside:
        return None
    shifts = schedule.get("shifts")
    for s in shifts if isinstance(shifts, list) else []:
        try:
            if not _iso(s[0]) <= at < _iso(s[1]):
                continue
            breaks = s[2] if len(s) > 2 else []
            return not any(_iso(b[0]) <= at < _iso(b[1]) for b in breaks)
        except (TypeError, ValueError, IndexError):
            continue
    return False


def merge_schedule(
    schedule: Mapping[str, object],
    window: tuple[datetime, datetime],
    shifts: Sequence[tuple[datetime, datetime, Sequence[tuple[datetime, datetime]]]],
    *,
    now: datetime,
    keep_days: int = 14,
) -> dict[str, list[object]]:
    """The schedule with ``window`` replaced: windows and shifts that overlap it go, the new
    window and ``shifts`` come in; what ended more than ``keep_days`` before ``now`` is
    dropped (the row stays small)."""
    start, end = _utc(window[0]), _utc(window[1])
    horizon = _utc(now) - timedelta(days=keep_days)

    def keep(a: str, b: str) -> bool:
        try:
            s, e = _iso(a), _iso(b)
        except (TypeError, ValueError):
            return False
        return e > horizon and (e <= start or s >= end)

    old_windows = schedule.get("windows") if schedule else None
    old_shifts = schedule.get("shifts") if schedule else None
    windows: list[object] = [
        list(w) for w in (old_windows if isinstance(old_windows, list) else []) if keep(w[0], w[1])
    ]
    kept: list[object] = [
        list(s) for s in (old_shifts if isinstance(old_shifts, list) else []) if keep(s[0], s[1])
    ]
    windows.append([start.isoformat(), end.isoformat()])
    for s, e, breaks in shifts:
        kept.append(
            [
                _utc(s).isoformat(),
                _utc(e).isoformat(),
                [[_utc(b0).isoformat(), _utc(b1).isoformat()] for b0, b1 in breaks],
            ]
        )
    windows.sort(key=lambda w: str(w[0]))  # type: ignore[index]
    kept.sort(key=lambda s: str(s[0]))  # type: ignore[index]
    return {"windows": windows, "shifts": kept}


def scheduled_spans(
    schedule: Mapping[str, object],
    weekly: Sequence[Shift],
    tz: str,
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, datetime]]:
    """The spans (UTC, merged, clipped to ``[start, end)``) an agent is on shift: the
    dated shifts (less their breaks) inside the published windows of ``schedule``, the
    weekly shifts elsewhere — what :func:`scheduled_now` answers at each instant. No
    weekly shifts and no window: nothing is scheduled (presence alone decides routing, but
    there is no schedule to adhere to)."""
    start, end = _utc(start), _utc(end)
    windows: list[tuple[datetime, datetime]] = []
    dated: list[tuple[datetime, datetime]] = []
    raw_windows = schedule.get("windows") if schedule else None
    for w in raw_windows if isinstance(raw_windows, list) else []:
        try:
            windows.append((_iso(w[0]), _iso(w[1])))
        except (TypeError, ValueError, IndexError):
            continue
    raw_shifts = schedule.get("shifts") if schedule else None
    for s in raw_shifts if isinstance(raw_shifts, list) else []:
        try:
            a, b = _iso(s[0]), _iso(s[1])
            cuts = sorted((_iso(x[0]), _iso(x[1])) for x in (s[2] if len(s) > 2 else []))
        except (TypeError, ValueError, IndexError):
            continue
        for c0, c1 in cuts:
            if c0 > a:
                dated.append((a, min(c0, b)))
            a = max(a, c1)
        if a < b:
            dated.append((a, b))
    weekly_spans = on_shift_intervals(weekly, tz, start, end) if weekly else []
    out: list[tuple[datetime, datetime]] = []
    # weekly spans minus the windows
    for a, b in weekly_spans:
        pieces = [(a, b)]
        for w0, w1 in windows:
            nxt = []
            for p0, p1 in pieces:
                if w1 <= p0 or w0 >= p1:
                    nxt.append((p0, p1))
                    continue
                if p0 < w0:
                    nxt.append((p0, w0))
                if w1 < p1:
                    nxt.append((w1, p1))
            pieces = nxt
        out.extend(pieces)
    for a, b in dated:
        if any(w0 <= a and b <= w1 for w0, w1 in windows):
            out.append((a, b))
    clipped = [(max(a, start), min(b, end)) for a, b in out if b > start and a < end]
    return [(a, b) for a, b in merge_intervals(clipped) if b > a]
