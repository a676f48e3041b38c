"""API: real-time adherence (planners: supervisors and administrators of the brand).

``GET /api/v1/wfm/adherence?date=YYYY-MM-DD&brand=&tz=`` → ``{"date", "tz", "agents":
[{"agent_id", "name", "site", "scheduled": [{"start", "end"}], "scheduled_minutes",
"online_minutes", "adherent_minutes", "adherence", "conformance", "now": {"scheduled",
"presence", "in_adherence"}, "exceptions": [{"start", "end", "kind"}]}], "totals"}`` —
the day (default today in ``tz``, default the caller's zone) up to now.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS
from wowdesk.wfm import adherence_services

router = Router(tags=["wfm"])


class AdherenceQuery(Schema):
    date: dt.date | None = None
    brand: int | None = Field(None, ge=1, le=2**62)
    tz: str | None = Field(None, max_length=64)


class SpanOut(Schema):
    start: dt.datetime
    end: dt.datetime


class ExceptionOut(SpanOut):
    kind: str


class NowOut(Schema):
    scheduled: bool
    presence: str
    in_adherence: bool


class AgentAdherence(Schema):
    agent_id: int
    name: str
    site: str
    scheduled: list[SpanOut]
    scheduled_minutes: float
    online_minutes: float
    adherent_minutes: float
    adherence: float | None
    conformance: float | None
    now: NowOut
    exceptions: list[ExceptionOut]


class AdherenceOut(Schema):
    date: dt.date
    tz: str
    brand_id: int
    agents: list[AgentAdherence]
    totals: dict[str, float | int | None]


def zone_of(name: str | None, fallback: str) -> str:
    tz = name or fallback or "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(_("Unknown time zone."), field="tz") from None
    return tz


@router.get("/wfm/adherence", response={200: AdherenceOut, **ERRORS})
def adherence(request: HttpRequest, q: Query[AdherenceQuery]) -> dict[str, Any]:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, q.brand, role=Role.SUPERVISOR)
    permissions.check_plans_workforce(agent, brand_id)
    tz = zone_of(q.tz, agent.timezone)
    now = timezone.now()
    day = q.date or now.astimezone(ZoneInfo(tz)).date()
    rows = adherence_services.brand_adherence(brand_id, day, tz=tz, now=now)
    scheduled = sum(r["scheduled_minutes"] for r in rows)
    adherent = sum(r["adherent_minutes"] for r in rows)
    return {
        "date": day,
        "tz": tz,
        "brand_id": brand_id,
        "agents": rows,
        "totals": {
            "agents": len(rows),
            "scheduled_minutes": round(scheduled, 1),
            "adherent_minutes": round(adherent, 1),
            "adherence": round(adherent / scheduled, 4) if scheduled else None,
            "out_of_adherence_now": sum(1 for r in rows if not r["now"]["in_adherence"]),
        },
    }
