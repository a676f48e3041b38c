"""A brand's contact history per queue (language × channel), read for forecasting: the
brand's own conversations (the analytics facts: when each came in, its language and
channel, its handle time) and the volume imported from a CSV, as
:class:`wowdesk.wfm.forecast.DaySeries` in the planning time zone; and the holidays of
the sites whose agents serve each language."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import numpy as np
from django.utils import timezone

from wowdesk.analytics.models import ConversationFact
from wowdesk.core.models import Agent, Site
from wowdesk.wfm.forecast import DaySeries
from wowdesk.wfm.models import VolumeRecord

DEFAULT_AHT_SECONDS = 300.0
# A conversation's handle time in the analytics facts is the span from the agents' first to
# their last reply: a span longer than this holds the wait for the customer's answers (an
# email thread over days), not work, and is left out of the queue's handle time.
MAX_HANDLE_SECONDS = 3600.0


@dataclass(frozen=True)
class QueueHistory:
    language: str
    channel: str
    series: DaySeries
    aht_seconds: float
    contacts: int


def planning_zone(brand_id: int) -> str:
    """The zone a brand's days are cut in: its first site's, else UTC."""
    site = Site.objects.filter(brands=brand_id).order_by("id").first()
    return site.timezone if site and site.timezone else "UTC"


def queue_histories(
    brand_id: int,
    *,
    until: dt.date,
    weeks: int,
    interval_minutes: int,
    tz: str,
    min_contacts: int = 1,
    now: dt.datetime | None = None,
) -> list[QueueHistory]:
    """Each queue's last ``weeks`` weeks before ``until`` (local days in ``tz``). A day a
    CSV import covers for a queue takes the import's numbers (so that an export of the
    same contacts is not counted twice); other days count the brand's own conversations.
    Days before the queue's first contact are absent, so a new queue is not read as
    having been quiet; so are today and the days after it (``now``, default the current
    time, in ``tz``): a day not over yet is not a quiet day. A queue's handle time is the
    median of its conversations' handle times up to ``MAX_HANDLE_SECONDS`` and the imported
    ones (``DEFAULT_AHT_SECONDS`` without any)."""
    zone = ZoneInfo(tz)
    first_day = until - dt.timedelta(days=7 * weeks)
    start = dt.datetime.combine(first_day, dt.time(), zone)
    end = dt.datetime.combine(until, dt.time(), zone)
    slots = 1440 // interval_minutes
    n_days = (until - first_day).days
    today = (now or timezone.now()).astimezone(zone).date()
    complete = max(0, min(n_days, (today - first_day).days))
    counts: dict[tuple[str, str], np.ndarray] = defaultdict(lambda: np.zeros((n_days, slots)))
    handle: dict[tuple[str, str], list[float]] = defaultdict(list)
    first_seen: dict[tuple[str, str], int] = {}

    def cell(at: dt.datetime) -> tuple[int, int]:
        local = at.astimezone(zone)
        d = (local.date() - first_day).days
        return d, (local.hour * 60 + local.minute) // interval_minutes

    facts = (
        ConversationFact.objects.filter(
            brand_id=brand_id, created_at__gte=start, created_at__lt=end
        )
        .values_list("created_at", "language", "channel", "handle_s")
        .iterator(chunk_size=5000)
    )
    for created, language, channel, handle_s in facts:
        key = (language or "und", channel or "")
        d, s = cell(created)
        if 0 <= d < n_days:
            counts[key][d, s] += 1
            first_seen[key] = min(first_seen.get(key, d), d)
            if handle_s and handle_s <= MAX_HANDLE_SECONDS:
                handle[key].append(float(handle_s))
    imported: dict[tuple[str, str], dict[int, np.ndarray]] = defaultdict(dict)
    rows = (
        VolumeRecord.objects.filter(
            brand_id=brand_id, interval_start__gte=start, interval_start__lt=end
        )
        .values_list("interval_start", "language", "channel", "contacts", "aht_seconds")
        .iterator(chunk_size=5000)
    )
    for at, language, channel, n, aht in rows:
        key = (language, channel)
        d, s = cell(at)
        if 0 <= d < n_days:
            imported[key].setdefault(d, np.zeros(slots))[s] += n
            first_seen[key] = min(first_seen.get(key, d), d)
            if aht:
                handle[key].extend([float(aht)] * max(round(n), 1))
    out = []
    for key in sorted(set(counts) | set(imported)):
        values = counts[key].copy()
        for d, row in imported.get(key, {}).items():
            values[d] = row
        total = int(values.sum())
        if total < min_contacts:
            continue
        present = np.zeros(n_days, dtype=bool)
        present[first_seen[key] : complete] = True
        aht = float(np.median(handle[key])) if handle[key] else DEFAULT_AHT_SECONDS
        out.append(
            QueueHistory(
                language=key[0],
                channel=key[1],
                series=DaySeries(first_day, values, present),
                aht_seconds=aht,
                contacts=total,
            )
        )
    return out


def language_holidays(brand_id: int, years: list[int]) -> dict[str, frozenset[dt.date]]:
    """Per language: the days that are public holidays (the ``holidays`` package, by site
    country and subdivision) at the sites of at least half of the agents who speak it —
    the days that queue runs short-handed and its customers, mostly, are off too."""
    sites = {s.pk: s for s in Site.objects.filter(brands=brand_id)}
    by_site: dict[int, frozenset[dt.date]] = {}
    for pk, site in sites.items():
        cal: object = {}
        if site.country:
            try:
                cal = holidays_lib.country_holidays(
                    site.country, subdiv=site.subdivision or None, years=years
                )
            except (NotImplementedError, KeyError, ValueError):
                cal = {}
        by_site[pk] = frozenset(cal.keys())  # type: ignore[attr-defined]
    agents_of: dict[str, int] = defaultdict(int)
    off: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    agents = Agent.objects.filter(brands=brand_id, is_active=True)
    for site_id, languages in agents.values_list("site_id", "languages"):
        for code in {str(c).split(":")[0] for c in languages or []}:
            agents_of[code] += 1
            for day in by_site.get(site_id, frozenset()):
                off[code][day] += 1
    return {
        code: frozenset(d for d, n in off[code].items() if 2 * n >= agents_of[code])
        for code in agents_of
    }
