"""Demo data for workforce planning (``docs/wfm.md``), per demo brand with agents:

* **volume history**: the demo's year of conversations is a few contacts a day per queue,
  too thin to forecast half hours from, so the brand's busiest queues (language ×
  channel, of the languages its agents speak) get 16 weeks of imported half-hour volume
  (``services.import_volume_csv``) up to yesterday, with a weekday pattern and an
  intraday curve in the local time of the site whose agents speak the language, Poisson
  noise on top. A second run imports only the days since the last run;
* **a forecast of next week**, computed by ``compute_forecast_task`` as the worker runs
  it (one per brand and first day);
* **presence spans for today** (``routing.services.record_presence_span``) of the agents
  whose shift has started: a little late or on time, a break (the brand's second agent
  not seeded for another brand yet is offline for an hour instead) — so the adherence
  page has rows, spans and exceptions. Presence is an agent's (agents serve both
  brands), written once per agent and day;
* **one pending time-off request** (``request_services.request_time_off``) per brand.

Deterministic per seed (random draws are seeded by the seed, the brand, the queue and the
day or agent), idempotent (what exists is kept) and fast (tens of thousands of rows).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Max
from django.utils import timezone

from wowdesk.analytics.models import ConversationFact
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.demo.generate import HOUR_WEIGHTS
from wowdesk.routing import services as routing
from wowdesk.routing.models import PresenceSpan
from wowdesk.routing.shifts import parse_shifts, scheduled_spans
from wowdesk.wfm import history, request_services, services
from wowdesk.wfm.models import Forecast, RequestStatus, RunStatus, ShiftRequest, VolumeRecord

QUEUES = 6  # imported queues per brand
DAILY_CONTACTS = 420.0  # the imported queues' contacts on an ordinary Wednesday, per brand
INTERVAL_MINUTES = 30
# Monday … Sunday: busiest after the weekend, quiet at weekends.
WEEKDAY_FACTORS = (1.18, 1.06, 1.0, 0.98, 0.92, 0.55, 0.45)
WEEKLY_GROWTH = 0.006  # a slowly growing business
CHANNEL_AHT = {"voice": 330.0, "chat": 420.0, "email": 270.0, "web": 270.0, "social": 240.0}
DEFAULT_AHT = 300.0
TIME_OFF_REASON = "Dentist appointment; I can swap the day if it is busy."


@dataclass
class WfmReport:
    imported: int = 0  # volume rows
    forecasts: int = 0
    spans: int = 0
    requests: int = 0
    seconds: float = 0.0


def seed_wfm(
    brand_slugs: Sequence[str], *, seed: int = 7, now: dt.datetime | None = None
) -> WfmReport:
    """Seed the brands named (those with agents); returns what was written."""
    started = time.perf_counter()
    now = now or timezone.now()
    report = WfmReport()
    done_agents: set[int] = set()
    asked: set[int] = set()
    for brand in Brand.objects.filter(slug__in=list(brand_slugs)).order_by("id"):
        planner = (
            Agent.objects.filter(
                memberships__brand=brand,
                memberships__role__in=[Role.SUPERVISOR, Role.ADMIN],
                is_active=True,
            )
            .order_by("memberships__role", "id")
            .first()
        )
        agents = list(
            Agent.objects.filter(
                memberships__brand=brand, memberships__role=Role.AGENT, is_active=True
            ).order_by("id")
        )
        if planner is None or not agents:
            continue
        tz = history.planning_zone(brand.pk)
        report.imported += _import_history(brand, planner, tz, seed=seed, now=now)
        report.forecasts += _forecast_next_week(brand, planner, tz, now=now)
        report.spans += _presence_today(agents, done_agents, seed=seed, now=now)
        report.requests += _time_off_request(brand, agents, asked, tz, now=now)
    report.seconds = time.perf_counter() - started
    return report


# --- volume history -------------------------------------------------------------------


def next_monday(tz: str, now: dt.datetime) -> dt.date:
    today = now.astimezone(ZoneInfo(tz)).date()
    return today + dt.timedelta(days=7 - today.weekday())


def _queues(brand: Brand) -> list[tuple[str, str, int]]:
    """The brand's busiest (language, channel) queues of a language its agents speak, with
    their conversations; busiest first."""
    spoken = {
        str(code).split(":")[0]
        for langs in Agent.objects.filter(brands=brand, is_active=True).values_list(
            "languages", flat=True
        )
        for code in langs or []
    }
    counts = Counter(
        (language, channel)
        for language, channel in ConversationFact.objects.filter(brand=brand).values_list(
            "language", "channel"
        )
        if language in spoken and channel
    )
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:QUEUES]
    return [(lang, channel, n) for (lang, channel), n in ranked]


def _language_zones(brand: Brand, fallback: str) -> dict[str, str]:
    """Per language, the time zone of the site where most of the brand's agents who speak
    it as their first language work (its customers' day, roughly)."""
    votes: dict[str, Counter[str]] = {}
    for langs, tz in Agent.objects.filter(brands=brand, is_active=True).values_list(
        "languages", "site__timezone"
    ):
        if langs and tz:
            votes.setdefault(str(langs[0]).split(":")[0], Counter())[tz] += 1
    return {
        lang: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for lang, c in votes.items()
    }


def _import_history(brand: Brand, planner: Agent, tz: str, *, seed: int, now: dt.datetime) -> int:
    """Import the half hours from 16 weeks before next Monday (or from the last imported
    interval) up to today's midnight in the planning zone."""
    queues = _queues(brand)
    if not queues:
        return 0
    zone = ZoneInfo(tz)
    first = next_monday(tz, now) - dt.timedelta(weeks=services.HISTORY_WEEKS)
    today = now.astimezone(zone).date()
    end = dt.datetime.combine(today, dt.time(), zone).astimezone(dt.UTC)
    lang_zone = _language_zones(brand, tz)
    total = sum(n for _l, _c, n in queues)
    step = dt.timedelta(minutes=INTERVAL_MINUTES)
    last = {
        (r["language"], r["channel"]): r["last"]
        for r in VolumeRecord.objects.filter(brand=brand)
        .values("language", "channel")
        .annotate(last=Max("interval_start"))
    }
    hour_share = np.asarray(HOUR_WEIGHTS, dtype=float) / sum(HOUR_WEIGHTS)
    out = io.StringIO()
    out.write("interval_start,queue,contacts,aht_seconds\n")
    rows = 0
    for index, (language, channel, n) in enumerate(queues):
        daily = DAILY_CONTACTS * n / total
        qzone = ZoneInfo(lang_zone.get(language, tz))
        aht = CHANNEL_AHT.get(channel, DEFAULT_AHT)
        day = first
        while day < today:
            start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
            stop = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(
                dt.UTC
            )
            seen = last.get((language, channel))
            if seen is not None and stop <= seen + step:
                day += dt.timedelta(days=1)
                continue
            slots = []
            at = start
            while at < min(stop, end):
                slots.append(at)
                at += step
            mean = np.empty(len(slots))
            weeks = (day - first).days / 7
            for i, s in enumerate(slots):
                local = s.astimezone(qzone)
                mean[i] = (
                    daily
                    * WEEKDAY_FACTORS[local.weekday()]
                    * hour_share[local.hour]
                    * INTERVAL_MINUTES
                    / 60
                    * (1 + WEEKLY_GROWTH * weeks)
                )
            rng = np.random.default_rng([seed, brand.pk, index, day.toordinal()])
            counts = rng.poisson(mean)
            for s, c in zip(slots, counts, strict=True):
                # an interval with no row of a day the import covers counts as zero
                if not c or (seen is not None and s <= seen):
                    continue
                out.write(f"{s:%Y-%m-%dT%H:%M:%SZ},{language}/{channel},{int(c)},{aht:.0f}\n")
                rows += 1
            day += dt.timedelta(days=1)
    if not rows:
        return 0
    services.import_volume_csv(planner, brand.pk, out.getvalue(), interval_minutes=INTERVAL_MINUTES)
    return rows


# --- forecast ---------------------------------------------------------------------------


def _forecast_next_week(brand: Brand, planner: Agent, tz: str, *, now: dt.datetime) -> int:
    first_day = next_monday(tz, now)
    if Forecast.objects.filter(brand=brand, first_day=first_day, status=RunStatus.DONE).exists():
        return 0
    row = services.create_forecast(planner, brand.pk, first_day=first_day, enqueue=False)
    services.compute_forecast_task.call(row.pk)  # as the worker runs it
    return 1


# --- presence -----------------------------------------------------------------------------


def _presence_today(agents: Sequence[Agent], done: set[int], *, seed: int, now: dt.datetime) -> int:
    """Presence spans of today's shift (started before ``now``) of each agent not seeded
    yet, in the agent's own day: online a few minutes after the start, away for a break in
    the middle, online again until the end (or until a few minutes ago), then offline;
    the second agent in ``agents`` is offline for an hour instead of the break. A break
    or an hour off only in shifts begun more than three hours ago."""
    written = 0
    for n, agent in enumerate(agents):
        if agent.pk in done:
            continue
        done.add(agent.pk)
        zone = ZoneInfo(agent.timezone or "UTC")
        today = now.astimezone(zone).date()
        day_start = dt.datetime.combine(today, dt.time(), zone).astimezone(dt.UTC)
        day_end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), zone).astimezone(
            dt.UTC
        )
        if PresenceSpan.objects.filter(agent=agent, start__gte=day_start).exists():
            continue
        try:
            weekly = parse_shifts(agent.shifts) if agent.shifts else []
        except ValueError:
            continue
        spans = scheduled_spans(agent.schedule or {}, weekly, agent.timezone, day_start, day_end)
        spans = [(a, b) for a, b in spans if a < now - dt.timedelta(minutes=20)]
        if not spans:
            continue
        rng = random.Random(f"wowdesk-demo-wfm:{seed}:{agent.email}:{today.isoformat()}")
        changes: list[tuple[dt.datetime, str]] = []
        for a, b in spans:
            until = min(b, now - dt.timedelta(minutes=5))
            begin = a + dt.timedelta(minutes=rng.randint(0, 9))
            if begin >= until:
                continue
            changes.append((begin, "online"))
            length = until - begin
            if n == 1 and length > dt.timedelta(hours=3):
                gone = begin + length / 3
                changes += [(gone, "offline"), (gone + dt.timedelta(hours=1), "online")]
            elif length > dt.timedelta(hours=3):
                pause = begin + length / 2
                changes += [(pause, "away"), (pause + dt.timedelta(minutes=30), "online")]
            changes.append((until + dt.timedelta(minutes=rng.randint(0, 4)), "offline"))
        for at, presence in sorted(changes):
            if at < now:
                routing.record_presence_span(agent.pk, presence, at)
                written += 1
    return written


# --- requests -----------------------------------------------------------------------------


def _time_off_request(
    brand: Brand, agents: Sequence[Agent], asked: set[int], tz: str, *, now: dt.datetime
) -> int:
    """The brand's first agent not asked yet (agents serve several brands) asks for next
    Wednesday off (their whole local day)."""
    if ShiftRequest.objects.filter(brand=brand, status=RequestStatus.PENDING).exists():
        return 0
    mine = ShiftRequest.objects.filter(status=RequestStatus.PENDING).values_list(
        "agent_id", flat=True
    )
    asked.update(mine)
    agent = next((a for a in agents if a.pk not in asked), None)
    if agent is None:
        return 0
    asked.add(agent.pk)
    zone = ZoneInfo(agent.timezone or tz)
    day = next_monday(tz, now) + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(), zone)
    request_services.request_time_off(
        agent, brand.pk, start=start, end=start + dt.timedelta(days=1), reason=TIME_OFF_REASON
    )
    return 1
