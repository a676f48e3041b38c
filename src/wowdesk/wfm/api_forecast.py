"""API: forecasts, imported history and special days (planners: supervisors and
administrators of the brand).

* ``POST /api/v1/wfm/forecasts`` ``{"brand_id"?, "first_day"?, "days"?: 7,
  "interval_minutes"?: 30}`` → 202 ``{"id", "status"}``; computed in the background
  (first day: next Monday by default).
* ``GET /api/v1/wfm/forecasts?brand=`` — the latest 50; ``GET /api/v1/wfm/forecasts/{id}
  ?language=&channel=&actuals=1`` — status, the method and scores per queue, and the values
  (UTC intervals, with the 80 % interval; with ``actuals=1`` the contacts that came in);
  ``GET …/{id}/intraday?date=`` — the day re-forecast from its actuals so far.
* ``POST /api/v1/wfm/history/import`` ``{"csv": "interval_start,queue,contacts,aht_seconds
  \\n…", "interval_minutes"?: 30, "brand_id"?}`` → 201 with counts; a bad line → 400 naming it.
* ``GET/POST /api/v1/wfm/special-days``, ``DELETE /api/v1/wfm/special-days/{id}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS
from wowdesk.wfm import services
from wowdesk.wfm.models import Forecast, ForecastValue, SpecialDay

router = Router(tags=["wfm"])


def next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


class ForecastIn(Schema):
    brand_id: int | None = Field(None, ge=1, le=2**62)
    first_day: dt.date | None = None
    days: int = Field(7, ge=1, le=42)
    interval_minutes: int = Field(30, ge=15, le=60)


class ForecastCreated(Schema):
    id: int
    status: str


class ForecastSummary(Schema):
    id: int
    brand_id: int
    status: str
    first_day: dt.date
    days: int
    interval_minutes: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    error: str


class ForecastValueOut(Schema):
    language: str
    channel: str
    interval_start: dt.datetime
    contacts: float
    lower: float
    upper: float
    aht_seconds: float
    actual: int | None = None


class ForecastOut(ForecastSummary):
    tz: str | None
    queues: dict[str, Any]
    values: list[ForecastValueOut]


class ForecastQuery(Schema):
    language: str | None = Field(None, max_length=16)
    channel: str | None = Field(None, max_length=16)
    actuals: bool = False


def _summary(row: Forecast) -> dict[str, Any]:
    return {
        "id": row.pk,
        "brand_id": row.brand_id,
        "status": row.status,
        "first_day": row.first_day,
        "days": row.days,
        "interval_minutes": row.interval_minutes,
        "created_at": row.created_at,
        "finished_at": row.finished_at,
        "error": row.error,
    }


@router.post("/wfm/forecasts", response={202: ForecastCreated, **ERRORS})
def create_forecast(request: HttpRequest, payload: ForecastIn) -> Status[ForecastCreated]:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, payload.brand_id, role=Role.SUPERVISOR)
    permissions.check_plans_workforce(agent, brand_id)
    first = payload.first_day or next_monday(timezone.localdate())
    row = services.create_forecast(
        agent,
        brand_id,
        first_day=first,
        days=payload.days,
        interval_minutes=payload.interval_minutes,
    )
    return Status(202, ForecastCreated(id=row.pk, status=row.status))


@router.get("/wfm/forecasts", response={200: list[ForecastSummary], **ERRORS})
def list_forecasts(request: HttpRequest, brand: int | None = None) -> list[dict[str, Any]]:
    agent = me(request)
    permissions.require_role(agent, Role.SUPERVISOR)
    qs = Forecast.objects.filter(brand_id__in=permissions.planner_brands(agent))
    if brand is not None:
        permissions.check_plans_workforce(agent, brand)
        qs = qs.filter(brand_id=brand)
    return [_summary(r) for r in qs.order_by("-created_at", "-id")[:50]]


@router.get("/wfm/forecasts/{forecast_id}", response={200: ForecastOut, **ERRORS})
def get_forecast(request: HttpRequest, forecast_id: int, q: Query[ForecastQuery]) -> dict[str, Any]:
    agent = me(request)
    row = permissions.get_for_agent(Forecast.objects.all(), agent, forecast_id)
    permissions.check_plans_workforce(agent, row.brand_id)
    values = ForecastValue.objects.filter(forecast=row)
    if q.language:
        values = values.filter(language=q.language.lower())
    if q.channel is not None:
        values = values.filter(channel=q.channel.lower())
    actual = services.forecast_actuals(row) if q.actuals else None
    now = timezone.now()
    out = []
    for v in values.order_by("language", "channel", "interval_start"):
        item = {
            "language": v.language,
            "channel": v.channel,
            "interval_start": v.interval_start,
            "contacts": v.contacts,
            "lower": v.lower,
            "upper": v.upper,
            "aht_seconds": v.aht_seconds,
        }
        if actual is not None and v.interval_start < now:
            item["actual"] = actual.get((v.language, v.channel, v.interval_start), 0)
        out.append(item)
    info = row.queues or {}
    return {**_summary(row), "tz": info.get("tz"), "queues": info.get("queues", {}), "values": out}


@router.get("/wfm/forecasts/{forecast_id}/intraday", response={200: dict[str, Any], **ERRORS})
def get_intraday(request: HttpRequest, forecast_id: int, date: dt.date | None = None) -> Any:
    """The day's plan per queue, the actuals so far and the rest of the day re-forecast from
    them: ``{"de/email": {"intervals": [{"interval_start", "planned", "actual",
    "reforecast"}], "planned_total", "reforecast_total"}}``."""
    agent = me(request)
    row = permissions.get_for_agent(Forecast.objects.all(), agent, forecast_id)
    permissions.check_plans_workforce(agent, row.brand_id)
    return services.intraday(row, date or timezone.localdate(), now=timezone.now())


class ImportIn(Schema):
    csv: str = Field(..., max_length=60_000_000)
    interval_minutes: int = Field(30, ge=15, le=60)
    brand_id: int | None = Field(None, ge=1, le=2**62)


class ImportOut(Schema):
    rows: int
    created: int
    updated: int
    queues: list[str]
    first: str | None
    last: str | None


@router.post("/wfm/history/import", response={201: ImportOut, **ERRORS})
def import_history(request: HttpRequest, payload: ImportIn) -> Status[ImportOut]:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, payload.brand_id, role=Role.SUPERVISOR)
    permissions.check_plans_workforce(agent, brand_id)
    report = services.import_volume_csv(
        agent, brand_id, payload.csv, interval_minutes=payload.interval_minutes
    )
    return Status(201, ImportOut(**report.__dict__))


class SpecialDayIn(Schema):
    brand_id: int | None = Field(None, ge=1, le=2**62)
    date: dt.date
    factor: float = Field(..., ge=0, le=20)
    language: str = Field("", max_length=16)
    note: str = Field("", max_length=200)


class SpecialDayOut(Schema):
    id: int
    brand_id: int
    date: dt.date
    factor: float
    language: str
    note: str


@router.get("/wfm/special-days", response={200: list[SpecialDayOut], **ERRORS})
def list_special_days(request: HttpRequest, brand: int | None = None) -> list[SpecialDay]:
    agent = me(request)
    permissions.require_role(agent, Role.SUPERVISOR)
    qs = SpecialDay.objects.filter(brand_id__in=permissions.planner_brands(agent))
    if brand is not None:
        permissions.check_plans_workforce(agent, brand)
        qs = qs.filter(brand_id=brand)
    return list(qs.order_by("date", "id")[:500])


@router.post("/wfm/special-days", response={201: SpecialDayOut, **ERRORS})
def add_special_day(request: HttpRequest, payload: SpecialDayIn) -> Status[SpecialDay]:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, payload.brand_id, role=Role.SUPERVISOR)
    permissions.check_plans_workforce(agent, brand_id)
    day = services.save_special_day(
        agent,
        brand_id,
        date=payload.date,
        factor=payload.factor,
        language=payload.language,
        note=payload.note,
    )
    return Status(201, day)


@router.delete("/wfm/special-days/{day_id}", response={204: None, **ERRORS})
def delete_special_day(request: HttpRequest, day_id: int) -> Status[None]:
    agent = me(request)
    day = permissions.get_for_agent(SpecialDay.objects.all(), agent, day_id)
    permissions.check_plans_workforce(agent, day.brand_id)
    services.delete_special_day(agent, day)
    return Status(204, None)
