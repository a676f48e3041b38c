"""Real-time adherence of a brand's agents on one day: each agent's schedule (the
published roster's dated shifts, the weekly shifts elsewhere — what routing follows) against
their presence spans."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from wowdesk.core.models import Agent
from wowdesk.routing import services as routing
from wowdesk.routing.shifts import parse_shifts, scheduled_spans
from wowdesk.wfm import adherence as A


def day_bounds(day: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(tz)
    start = dt.datetime.combine(day, dt.time(), zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def brand_adherence(
    brand_id: int, day: dt.date, *, tz: str, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """One row per active agent of the brand who was scheduled or online that day (the day
    cut in ``tz``), in two queries."""
    now = now or timezone.now()
    start, end = day_bounds(day, tz)
    agents = list(
        Agent.objects.filter(brands=brand_id, is_active=True)
        .select_related("site")
        .order_by("display_name", "id")
    )
    spans = routing.presence_spans([a.pk for a in agents], start, end)
    rows = []
    for agent in agents:
        try:
            weekly = parse_shifts(agent.shifts) if agent.shifts else []
        except ValueError:
            weekly = []
        sched = scheduled_spans(agent.schedule or {}, weekly, agent.timezone, start, end)
        result = A.adherence(sched, spans.get(agent.pk, []), start=start, end=end, now=now)
        if not sched and not result.online_minutes and result.presence_now != "online":
            continue
        rows.append(
            {
                "agent_id": agent.pk,
                "name": agent.display_name,
                "site": agent.site.name if agent.site else "",
                "scheduled": [{"start": a, "end": b} for a, b in sched],
                "scheduled_minutes": result.scheduled_minutes,
                "online_minutes": result.online_minutes,
                "adherent_minutes": result.adherent_minutes,
                "adherence": result.adherence,
                "conformance": result.conformance,
                "now": {
                    "scheduled": result.scheduled_now,
                    "presence": result.presence_now,
                    "in_adherence": result.in_adherence_now,
                },
                "exceptions": [
                    {"start": e.start, "end": e.end, "kind": e.kind} for e in result.exceptions
                ],
            }
        )
    return rows
