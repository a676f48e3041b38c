"""What the roster pages draw, computed from a solved roster (pure: no Django).

* ``series``: required vs scheduled agents per interval, per language and summed, labelled
  in the viewer's zone;
* ``heatmap``: rows the languages, columns the hours of the roster's week in the viewer's
  zone (168; 167 in a week where the clocks go back, the repeated hour being one column;
  169 in a zone a half hour off UTC), each cell the agent-intervals scheduled (on shift,
  not on break, speaking the language) over those required in that hour, marked short
  when in any interval of it the solver's coverage is below the requirement;
* ``presence``: agents on shift and not on break per interval and language;
* ``site_grids``: for each site its agents as rows and the week's local days as columns,
  each shift's local start–end and breaks in the site's zone, on its local start day.

Queues are a language or ``language/channel``; the pages show languages, so the queues of a
language are summed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    """The zone called ``name``; UTC for an empty or unknown name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def by_language(queues: Mapping[str, Sequence[int]]) -> dict[str, list[int]]:
    """Queues summed per language (``de/email`` + ``de/chat`` → ``de``), sorted."""
    out: dict[str, list[int]] = {}
    for queue in sorted(queues):
        values = queues[queue]
        lang = queue.split("/")[0]
        have = out.setdefault(lang, [0] * len(values))
        if len(have) < len(values):
            have.extend([0] * (len(values) - len(have)))
        for i, v in enumerate(values):
            have[i] += int(v)
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Series:
    labels: list[dt.datetime]  # local wall time (naive) of each interval's start
    required: dict[str, list[int]]  # per language, and "" summed
    scheduled: dict[str, list[int]]


def series(
    origin: dt.datetime,
    interval_minutes: int,
    required: Mapping[str, Sequence[int]],
    covered: Mapping[str, Sequence[int]],
    tz: str,
    present: Mapping[str, Sequence[int]] | None = None,
) -> Series:
    """Required and scheduled agents per language and interval (``""``: all languages).
    Scheduled is ``present`` when given (agents on shift and not on break who speak the
    language, ``""`` counting each agent once), else ``covered`` summed."""
    need, have = by_language(required), by_language(covered)
    horizon = max([len(v) for v in need.values()] + [len(v) for v in have.values()] + [0])
    if present is not None:
        have = {k: list(v) for k, v in present.items() if k}
    z = zone(tz)
    step = dt.timedelta(minutes=interval_minutes)
    labels = [(origin + i * step).astimezone(z).replace(tzinfo=None) for i in range(horizon)]

    def padded(values: Sequence[int]) -> list[int]:
        return list(values) + [0] * (horizon - len(values))

    req = {lang: padded(v) for lang, v in need.items()}
    sch = {lang: padded(have.get(lang, [])) for lang in need}
    req[""] = [sum(v[i] for v in req.values()) for i in range(horizon)]
    if present is not None and "" in present:
        sch[""] = padded(present[""])[:horizon]
    else:
        sch[""] = [sum(v[i] for k, v in sch.items() if k) for i in range(horizon)]
    return Series(labels, req, sch)


def presence(
    origin: dt.datetime,
    interval_minutes: int,
    horizon: int,
    shifts: Iterable[ShiftIn],
    languages: Mapping[int, Iterable[str]],
) -> dict[str, list[int]]:
    """Agents on shift and not on break per interval, per language they speak (an agent of
    two languages counts in both), and ``""`` every agent once. An interval counts an agent
    present when the shift covers all of it and no break touches it."""
    step = dt.timedelta(minutes=interval_minutes)
    out: dict[str, list[int]] = {"": [0] * horizon}
    for s in shifts:
        first = max(0, _ceil_index(s.start - origin, step))
        last = min(horizon, int((s.end - origin) / step))
        langs = sorted(set(languages.get(s.agent_id, ())))
        for t in range(first, last):
            t0, t1 = origin + t * step, origin + (t + 1) * step
            if any(b0 < t1 and t0 < b1 for b0, b1 in s.breaks):
                continue
            out[""][t] += 1
            for lang in langs:
                out.setdefault(lang, [0] * horizon)[t] += 1
    return out


def _ceil_index(delta: dt.timedelta, step: dt.timedelta) -> int:
    whole = int(delta / step)
    return whole if whole * step >= delta else whole + 1


@dataclass(frozen=True)
class Cell:
    required: int  # agent-intervals needed in the hour
    covered: int  # agent-intervals on the language's queues in the hour
    short: bool  # some interval of the hour has fewer agents than needed
    level: str  # "none" (nothing needed), "short", "tight" (1–1.25×), "over"

    @property
    def ratio(self) -> float | None:
        return None if self.required == 0 else self.covered / self.required


@dataclass(frozen=True)
class HeatRow:
    language: str
    cells: list[Cell]
    short_hours: list[dt.datetime] = field(default_factory=list)


@dataclass(frozen=True)
class HeatMap:
    hours: list[dt.datetime]  # local wall clock (naive) at the start of each column
    rows: list[HeatRow]


def _level(required: int, covered: int, short: bool) -> str:
    if required == 0:
        return "none"
    if short:
        return "short"
    return "tight" if covered <= 1.25 * required else "over"


def heatmap(
    origin: dt.datetime,
    interval_minutes: int,
    required: Mapping[str, Sequence[int]],
    covered: Mapping[str, Sequence[int]],
    tz: str,
    present: Mapping[str, Sequence[int]] | None = None,
) -> HeatMap:
    """Coverage per language and local hour of the week (see the module's docstring).

    A cell's ratio is the agents scheduled who speak the language (``present``; else the
    solver's ``covered``) over those required; an hour is short when in any of its intervals
    the solver's coverage of the language (each agent counted for one queue at a time) is
    below the requirement."""
    s = series(origin, interval_minutes, required, covered, tz, present)
    cov = series(origin, interval_minutes, required, covered, tz)
    hour_of = [t.replace(minute=0, second=0, microsecond=0) for t in s.labels]
    # a local hour seen twice (the clocks go back) is one column, as a wall clock shows it
    hours = sorted(set(hour_of))
    column = {h: i for i, h in enumerate(hours)}
    rows = []
    for lang in (k for k in s.required if k):
        need = [0] * len(hours)
        have = [0] * len(hours)
        short = [False] * len(hours)
        for i, h in enumerate(hour_of):
            c = column[h]
            need[c] += s.required[lang][i]
            have[c] += s.scheduled[lang][i]
            if cov.scheduled[lang][i] < s.required[lang][i]:
                short[c] = True
        cells = [
            Cell(need[c], have[c], short[c], _level(need[c], have[c], short[c]))
            for c in range(len(hours))
        ]
        rows.append(HeatRow(lang, cells, [hours[c] for c in range(len(hours)) if short[c]]))
    return HeatMap(hours, rows)


@dataclass(frozen=True)
class AgentRow:
    agent_id: int
    name: str
    languages: list[str]
    hours: float  # paid hours of the week (shift length less breaks)
    days: list[list[ShiftText]]  # one list per column of the site's grid


@dataclass(frozen=True)
class ShiftText:
    start: dt.datetime  # local wall clock (naive)
    end: dt.datetime
    breaks: list[tuple[dt.datetime, dt.datetime]]
    night: bool  # ends on a later local day than it starts

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True)
class SiteGrid:
    name: str
    time_zone: str
    days: list[dt.date]
    rows: list[AgentRow]


@dataclass(frozen=True)
class AgentIn:
    id: int
    name: str
    site: str  # "" for none
    time_zone: str  # the site's, or the agent's own without a site
    languages: Sequence[str] = ()


@dataclass(frozen=True)
class ShiftIn:
    agent_id: int
    start: dt.datetime  # aware
    end: dt.datetime
    breaks: Sequence[tuple[dt.datetime, dt.datetime]] = ()


def site_grids(
    week_start: dt.date, agents: Iterable[AgentIn], shifts: Iterable[ShiftIn]
) -> list[SiteGrid]:
    """One grid per site (sorted by name, agents without a site last): agents as rows, the
    local days as columns (the week's seven, plus a day before when a shift starts on it in
    the site's zone — a site west of UTC starts the week on Sunday evening)."""
    people = list(agents)
    mine: dict[int, list[ShiftIn]] = defaultdict(list)
    for s in shifts:
        mine[s.agent_id].append(s)
    sites: dict[tuple[str, str], list[AgentIn]] = defaultdict(list)
    for a in people:
        sites[(a.site, a.time_zone)].append(a)
    week = [week_start + dt.timedelta(days=d) for d in range(7)]
    grids = []
    for (site, tz), members in sorted(sites.items(), key=lambda kv: (kv[0][0] == "", kv[0])):
        z = zone(tz)
        local: dict[int, list[ShiftText]] = {}
        for a in members:
            texts = []
            for s in sorted(mine.get(a.id, []), key=lambda s: s.start):
                start = s.start.astimezone(z).replace(tzinfo=None)
                end = s.end.astimezone(z).replace(tzinfo=None)
                breaks = [
                    (b0.astimezone(z).replace(tzinfo=None), b1.astimezone(z).replace(tzinfo=None))
                    for b0, b1 in s.breaks
                ]
                texts.append(ShiftText(start, end, breaks, end.date() > start.date()))
            local[a.id] = texts
        days = sorted(set(week) | {t.start.date() for ts in local.values() for t in ts})
        column = {d: i for i, d in enumerate(days)}
        rows = []
        for a in sorted(members, key=lambda a: (a.name.lower(), a.id)):
            cells: list[list[ShiftText]] = [[] for _ in days]
            paid = 0.0
            for t in local[a.id]:
                cells[column[t.start.date()]].append(t)
            for s in mine.get(a.id, []):
                paid += (s.end - s.start).total_seconds() / 3600
                paid -= sum((b1 - b0).total_seconds() for b0, b1 in s.breaks) / 3600
            rows.append(AgentRow(a.id, a.name, list(a.languages), round(paid, 2), cells))
        grids.append(SiteGrid(site, tz, days, rows))
    return grids


def miss_one_in(probability: float) -> int | None:
    """ "About one interval in N misses": N for a miss probability (None when none miss)."""
    if probability <= 0:
        return None
    return max(1, round(1 / max(probability, 1e-9)))


def parse_hours(text: str, low: float, high: float, *, whole: bool = False) -> list[float]:
    """A list of hours as a person writes it: ``"8"``, ``"8, 10"``, ``"6-10"`` (every whole
    hour from 6 to 10), ``"0-23"``; each between ``low`` and ``high``. Sorted, no repeats.
    Raises ``ValueError`` on anything else (or on more than 48 values)."""
    out: set[float] = set()
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        if not part:
            continue
        if "-" in part.strip("-"):
            a, _, b = part.partition("-")
            first, last = int(a), int(b)
            if first > last or last - first > 48:
                raise ValueError(part)
            values: list[float] = [float(h) for h in range(first, last + 1)]
        else:
            value = float(part)
            if whole and value != int(value):
                raise ValueError(part)
            values = [value]
        for v in values:
            if not low <= v <= high or v != v:
                raise ValueError(part)
            out.add(v)
        if len(out) > 48:
            raise ValueError(text)
    if not out:
        raise ValueError(text)
    return sorted(out)
