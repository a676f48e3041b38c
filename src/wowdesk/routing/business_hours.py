"""Business time: opening hours, holidays and SLA clocks, in a site's own time zone.

A pure module (no Django). A :class:`Calendar` is a time zone, opening hours per weekday
(minutes after local midnight, half-open ``[start, end)``) and a set of closed dates. Opening
hours are wall-clock times with the same DST rule as shifts (``wowdesk.core.timetables``,
which also parses them): a time skipped by a forward jump opens/closes at the jump, a
repeated time at its first occurrence.
So an hour lost in March is not business time, and an hour gained in October is.

* :func:`business_seconds_between` — business seconds in ``[start, end)``; 0 if end ≤ start.
* :func:`add_business_time` — the instant at which ``seconds`` of business time have passed.
* :class:`SlaClock` — a target in business seconds with pauses (waiting on the customer);
  elapsed, remaining, due and warning instants and a state, all pure functions of ``now``.

Both walk day by day (a whole week at a time where no holiday or DST change lies in it),
never minute by minute. A holiday closes its whole local date, including the part after
midnight of opening hours that started the evening before.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from wowdesk.core.timetables import (
    ALWAYS_OPEN,
    HoursInput,
    ScheduleError,
    WeekHours,
    _normalize_day,
    gettext_noop,
    local_day_start,
    local_instant,
    parse_hours,
    zone,
)

__all__ = [
    "ALWAYS_OPEN",
    "Calendar",
    "SlaClock",
    "SlaState",
    "SlaStatus",
    "add_business_time",
    "business_seconds_between",
    "is_open",
    "parse_hours",
]

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Calendar:
    """When a site is open: ``tz`` (IANA name), ``hours`` per weekday, closed ``holidays``."""

    tz: str
    hours: WeekHours = ALWAYS_OPEN
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        zone(self.tz)
        if len(self.hours) != 7:
            raise ValueError(f"hours needs 7 weekdays, got {len(self.hours)}")
        object.__setattr__(self, "hours", tuple(_normalize_day(d) for d in self.hours))
        object.__setattr__(self, "holidays", frozenset(self.holidays))

    @classmethod
    def build(cls, tz: str, hours: HoursInput = (), holidays: Iterable[date] = ()) -> Calendar:
        """From opening hours as a person writes them (:func:`parse_hours`)."""
        return cls(tz, parse_hours(hours), frozenset(holidays))

    @classmethod
    def from_holidays(
        cls,
        tz: str,
        hours: HoursInput,
        country: str | None,
        subdiv: str | None = None,
        years: Iterable[int] | int = (),
    ) -> Calendar:
        """Opening hours plus the public holidays of ``country`` (ISO 3166 code, e.g. "DE")
        and optional ``subdiv`` ("BY") in ``years``, from the offline ``holidays`` package.
        No country: no holidays."""
        closed: frozenset[date] = frozenset()
        if country:
            closed = frozenset(_public_holidays(country, subdiv, years))
        return cls(tz, parse_hours(hours), closed)

    @cached_property
    def zone(self) -> ZoneInfo:
        return zone(self.tz)

    @cached_property
    def day_seconds(self) -> tuple[float, ...]:
        """Business seconds of each weekday on a day without a DST change or holiday."""
        return tuple(sum(hi - lo for lo, hi in day) * 60.0 for day in self.hours)

    @cached_property
    def week_seconds(self) -> float:
        return sum(self.day_seconds)

    @cached_property
    def _holiday_list(self) -> tuple[date, ...]:
        return tuple(sorted(self.holidays))

    @cached_property
    def around_the_clock(self) -> bool:
        return self.hours == ALWAYS_OPEN and not self.holidays

    def is_closed_day(self, day: date) -> bool:
        return day in self.holidays or not self.hours[day.weekday()]

    def open_seconds_in_week(self, first: date) -> float:
        """Business seconds of the 7 local days from ``first``, holidays left out, as if no
        DST change fell in them."""
        hol = self._holiday_list
        i = bisect_left(hol, first)
        total, last = self.week_seconds, first + _WEEK
        while i < len(hol) and hol[i] < last:
            total -= self.day_seconds[hol[i].weekday()]
            i += 1
        return total

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals (UTC) of local ``day``; empty on a holiday."""
        if self.is_closed_day(day):
            return []
        z = self.zone
        out = []
        for lo, hi in self.hours[day.weekday()]:
            a = local_instant(z, day, lo)
            b = local_instant(z, day, hi)
            if b > a:
                out.append((a, b))
        return out


def _public_holidays(country: str, subdiv: str | None, years: Iterable[int] | int) -> list[date]:
    return [day for day, _name in public_holidays(country, subdiv, years)]


def public_holidays(
    country: str,
    subdiv: str | None,
    years: Iterable[int] | int,
    languages: Sequence[str] = ("en_US",),
) -> list[tuple[date, str]]:
    """The public holidays of ``country`` (and ``subdiv``) in ``years``, with their names
    in the first of ``languages`` (``holidays`` codes such as ``zh_CN``) the country's
    calendar has, sorted by date. :class:`ScheduleError` for an unknown country or
    subdivision."""
    import holidays  # imported here: its country tables take a moment to load

    years = [years] if isinstance(years, int) else list(years)
    try:
        calendar = holidays.country_holidays(country.upper(), subdiv=subdiv or None)
        known = set(getattr(calendar, "supported_languages", ()))
        language = next((code for code in languages if code in known), None)
        found = holidays.country_holidays(
            country.upper(), subdiv=subdiv or None, years=years, language=language
        )
    except NotImplementedError:
        if subdiv:
            try:
                holidays.country_holidays(country.upper(), years=years)
            except NotImplementedError:
                pass
            else:
                raise ScheduleError(
                    gettext_noop("%(country)s has no subdivision %(subdiv)r for holidays."),
                    country=country,
                    subdiv=subdiv,
                ) from None
        raise ScheduleError(
            gettext_noop("No holiday calendar for the country %(country)r."), country=country
        ) from None
    return sorted((day, str(name)) for day, name in found.items())


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"an aware datetime is needed, got naive {at!r}")
    return at.astimezone(UTC)


def is_open(cal: Calendar, at: datetime) -> bool:
    """Whether ``at`` is business time."""
    at = _utc(at)
    if cal.around_the_clock:
        return True
    day = at.astimezone(cal.zone).date()
    return any(lo <= at < hi for d in (day, day + _DAY) for lo, hi in cal.intervals_on(d))


def business_seconds_between(cal: Calendar, start: datetime, end: datetime) -> float:
    """Business seconds in ``[start, end)`` (aware datetimes, any zone); 0 if end ≤ start."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return 0.0
    if cal.around_the_clock:
        return (end - start).total_seconds()
    z, closed, day_seconds = cal.zone, cal.holidays, cal.day_seconds
    day = start.astimezone(z).date()
    day_lo, plain = local_day_start(z, day)
    total = 0.0
    while day_lo < end:
        if day_lo >= start and end - day_lo >= _WEEK:
            week_hi, week_plain = local_day_start(z, day + _WEEK)
            if week_hi - day_lo == _WEEK:  # no DST change in these 7 days
                total += cal.open_seconds_in_week(day)
                day, day_lo, plain = day + _WEEK, week_hi, week_plain
                continue
        nxt = day + _DAY
        day_hi, next_plain = local_day_start(z, nxt)
        if day not in closed:
            if plain and start <= day_lo and day_hi <= end:
                total += day_seconds[day.weekday()]
            else:
                for lo, hi in cal.intervals_on(day):
                    lo, hi = max(lo, start), min(hi, end)
                    if hi > lo:
                        total += (hi - lo).total_seconds()
        day, day_lo, plain = nxt, day_hi, next_plain
    return total


def add_business_time(cal: Calendar, start: datetime, seconds: float) -> datetime:
    """The first instant (UTC) by which ``seconds`` of business time have passed since
    ``start``. ``seconds == 0`` gives ``start`` itself; otherwise the result is open time or
    the end of an opening interval (a target that runs out at closing is due at closing)."""
    if seconds < 0:
        raise ValueError(f"seconds must not be negative, got {seconds}")
    start = _utc(start)
    if seconds == 0:
        return start
    if cal.around_the_clock:
        return start + timedelta(seconds=seconds)
    if cal.week_seconds == 0:
        raise ValueError("the calendar is never open")
    z, closed, day_seconds = cal.zone, cal.holidays, cal.day_seconds
    remaining = float(seconds)
    day = start.astimezone(z).date()
    day_lo, plain = local_day_start(z, day)
    while True:
        if day_lo >= start and remaining > cal.week_seconds:
            week_hi, week_plain = local_day_start(z, day + _WEEK)
            week = cal.open_seconds_in_week(day)
            if week_hi - day_lo == _WEEK and remaining > week:
                remaining -= week
                day, day_lo, plain = day + _WEEK, week_hi, week_plain
                continue
        nxt = day + _DAY
        day_hi, next_plain = local_day_start(z, nxt)
        if day not in closed:
            if plain and day_lo >= start and remaining > day_seconds[day.weekday()]:
                remaining -= day_seconds[day.weekday()]
            else:
                for lo, hi in cal.intervals_on(day):
                    lo = max(lo, start)
                    if hi <= lo:
                        continue
                    span = (hi - lo).total_seconds()
                    if remaining <= span:
                        return lo + timedelta(seconds=remaining)
                    remaining -= span
        day, day_lo, plain = nxt, day_hi, next_plain


# --- SLA clocks ----------------------------------------------------------------------------


class SlaState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"


@dataclass(frozen=True)
class SlaStatus:
    """The clock read at one instant (see :meth:`SlaClock.status`)."""

    state: SlaState
    elapsed: float  # business seconds counted
    remaining: float  # target - elapsed; negative once breached
    fraction: float  # elapsed / target (1.0 = 100 %)
    paused: bool
    due_at: datetime | None  # None while paused before the target was reached
    warn_at: datetime | None


Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class SlaClock:
    """A target of ``target_seconds`` business seconds that starts at ``started_at``.

    ``pauses`` are ``(from, until)`` intervals (``until`` None: still paused) in which the
    clock stands still, e.g. while the conversation waits on the customer; they may overlap
    or start before ``started_at``. ``paused_seconds`` are business seconds of earlier pauses
    not listed (as ``ConversationSla.paused_seconds`` keeps them); they are taken to lie
    before the due instant. ``stopped_at`` is when the target was met (the reply was sent).

    States: ``breached`` once elapsed ≥ target (so at ``due_at`` exactly the target is
    breached, a reply strictly before it meets it), ``warning`` once elapsed ≥
    ``warn_fraction`` * target, else ``ok``; a stopped clock is ``met`` or ``breached``.
    """

    calendar: Calendar
    started_at: datetime
    target_seconds: float
    pauses: tuple[Pause, ...] = ()
    warn_fraction: float = 0.75
    paused_seconds: float = 0.0
    stopped_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.target_seconds <= 0:
            raise ValueError("target_seconds must be positive")
        if not 0 < self.warn_fraction <= 1:
            raise ValueError("warn_fraction must be in (0, 1]")
        if self.paused_seconds < 0:
            raise ValueError("paused_seconds must not be negative")
        started = _utc(self.started_at)
        object.__setattr__(self, "started_at", started)
        if self.stopped_at is not None:
            object.__setattr__(self, "stopped_at", _utc(self.stopped_at))
        object.__setattr__(self, "pauses", _merge_pauses(self.pauses, started))

    def _clamp(self, now: datetime) -> datetime:
        now = _utc(now)
        return min(now, self.stopped_at) if self.stopped_at is not None else now

    def elapsed(self, now: datetime) -> float:
        """Business seconds counted up to ``now`` (or the stop), pauses left out."""
        t = self._clamp(now)
        if t <= self.started_at:
            return 0.0
        cal = self.calendar
        run = business_seconds_between(cal, self.started_at, t) - self.paused_seconds
        for lo, hi in self.pauses:
            if lo >= t:
                break
            run -= business_seconds_between(cal, lo, t if hi is None else min(hi, t))
        return max(run, 0.0)

    def is_paused(self, now: datetime) -> bool:
        t = _utc(now)
        if self.stopped_at is not None and t >= self.stopped_at:
            return False
        return any(lo <= t and (hi is None or t < hi) for lo, hi in self.pauses)

    def when_elapsed(self, seconds: float) -> datetime | None:
        """The instant the clock reaches ``seconds``, given the pauses known now (ignoring a
        stop); None if an open pause begins before it does."""
        cal = self.calendar
        need = seconds + self.paused_seconds
        cur = self.started_at
        for lo, hi in self.pauses:
            run = business_seconds_between(cal, cur, lo)
            if need <= run:
                return add_business_time(cal, cur, need)
            need -= run
            if hi is None:
                return None
            cur = max(cur, hi)
        return add_business_time(cal, cur, need)

    def due_at(self) -> datetime | None:
        return self.when_elapsed(self.target_seconds)

    def warn_at(self) -> datetime | None:
        return self.when_elapsed(self.target_seconds * self.warn_fraction)

    def state(self, now: datetime) -> SlaState:
        return self._state(self.elapsed(now), _utc(now))

    def _state(self, elapsed: float, now: datetime) -> SlaState:
        if elapsed >= self.target_seconds:
            return SlaState.BREACHED
        if self.stopped_at is not None and now >= self.stopped_at:
            return SlaState.MET
        if elapsed >= self.target_seconds * self.warn_fraction:
            return SlaState.WARNING
        return SlaState.OK

    def status(self, now: datetime) -> SlaStatus:
        """Everything at once, reading the calendar once per figure."""
        elapsed = self.elapsed(now)
        return SlaStatus(
            state=self._state(elapsed, _utc(now)),
            elapsed=elapsed,
            remaining=self.target_seconds - elapsed,
            fraction=elapsed / self.target_seconds,
            paused=self.is_paused(now),
            due_at=self.due_at(),
            warn_at=self.warn_at(),
        )


def _merge_pauses(pauses: Iterable[Pause], started: datetime) -> tuple[Pause, ...]:
    """UTC, clipped to start at ``started`` or later, sorted, merged; an open pause absorbs
    every later one."""
    far = datetime.max.replace(tzinfo=UTC)
    spans: list[tuple[datetime, datetime]] = []
    for lo, hi in pauses:
        lo_u = max(_utc(lo), started)
        hi_u = far if hi is None else _utc(hi)
        if hi is not None and _utc(hi) < _utc(lo):
            raise ValueError(f"a pause ends before it begins: {lo} → {hi}")
        if hi_u > lo_u:
            spans.append((lo_u, hi_u))
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple((lo, None if hi == far else hi) for lo, hi in merged)
