"""The planner's pages of workforce management: the home (``/wfm/``), the forecast
(``/wfm/forecast/``), the staffing calculator (``/wfm/staffing/``) and real-time adherence
(``/wfm/adherence/``). Supervisors and administrators of the brand
(``permissions.check_plans_workforce``); the numbers come from ``wfm.services`` and
``wfm.adherence_services`` (the same functions the API calls)."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, InvalidInput, ServiceError
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.web.auth import agent_required
from wowdesk.wfm import adherence_services, erlang, pooling, services
from wowdesk.wfm.models import Forecast, ForecastValue, Roster, RunStatus, SpecialDay

LATEST = 8
MAX_PASTED = 2000
View = Callable[..., HttpResponseBase]


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _status(exc: ServiceError) -> int:
    return exc.status if exc.status in (400, 403, 404) else 400


def planner_page(view: View) -> View:
    """Supervisors and administrators; a refused brand or id renders the forbidden page
    with the service's status."""

    @agent_required(Role.SUPERVISOR)
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except ServiceError as exc:
            return render(
                request, "web/forbidden.html", {"reason": exc.message}, status=_status(exc)
            )

    return wrapped


def _int(value: str | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        n = int(str(value))
    except ValueError:
        raise InvalidInput(
            _("%(field)s is a whole number.") % {"field": field}, field=field
        ) from None
    if not 1 <= n <= 2**62:
        raise InvalidInput(_("%(field)s is a whole number.") % {"field": field}, field=field)
    return n


def _float(
    data: Mapping[str, Any], field: str, default: float, *, low: float, high: float
) -> float:
    raw = str(data.get(field) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise InvalidInput(_("%(field)s is a number.") % {"field": field}, field=field) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidInput(
            _("%(field)s is between %(low)s and %(high)s.")
            % {"field": field, "low": f"{low:g}", "high": f"{high:g}"},
            field=field,
        )
    return value


def _brand(request: HttpRequest, data: Mapping[str, Any] | None = None) -> tuple[int, list[Brand]]:
    """The brand the page plans (``?brand=``, else the agent's first planned brand) and the
    brands of the picker."""
    agent = _me(request)
    mine = sorted(permissions.planner_brands(agent))
    if not mine:
        raise Forbidden(_("This page is for supervisors and administrators."))
    brand_id = _int((data or request.GET).get("brand"), "brand") or mine[0]
    permissions.check_plans_workforce(agent, brand_id)
    brands = list(Brand.objects.filter(pk__in=mine).order_by("name")) if len(mine) > 1 else []
    return brand_id, brands


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _zone(agent: Agent) -> ZoneInfo:
    try:
        return ZoneInfo(agent.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# --- home ---------------------------------------------------------------------------------


@planner_page
def index(request: HttpRequest) -> HttpResponse:
    brand_id, brands = _brand(request)
    forecasts = list(
        Forecast.objects.filter(brand_id=brand_id).order_by("-created_at", "-id")[:LATEST]
    )
    rosters = list(Roster.objects.filter(brand_id=brand_id).order_by("-created_at", "-id")[:LATEST])
    return render(
        request,
        "wfm/index.html",
        {
            "brand_id": brand_id,
            "brands": brands,
            "forecasts": forecasts,
            "rosters": rosters,
            "next_monday": services_next_monday(),
        },
    )


def services_next_monday(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


# --- forecast -----------------------------------------------------------------------------


def _forecast_post(request: HttpRequest, agent: Agent, brand_id: int) -> str:
    """Run the form's action; the URL to go to next."""
    action = request.POST.get("action", "")
    if action == "start":
        raw = request.POST.get("first_day") or ""
        try:
            first = dt.date.fromisoformat(raw) if raw else services_next_monday()
        except ValueError:
            raise InvalidInput(_("The first day is a date."), field="first_day") from None
        days = int(_float(request.POST, "days", 7, low=1, high=42))
        interval = int(_float(request.POST, "interval_minutes", 30, low=15, high=60))
        row = services.create_forecast(
            agent, brand_id, first_day=first, days=days, interval_minutes=interval
        )
        return _url("wfm:forecast", brand=brand_id, forecast=row.pk)
    if action == "import":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("Choose a CSV file."), field="file")
        if upload.size and upload.size > 60_000_000:
            raise InvalidInput(_("The file is too big (60 MB at most)."), field="file")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(_("The file is not UTF-8 text."), field="file") from None
        interval = int(_float(request.POST, "interval_minutes", 30, low=15, high=60))
        report = services.import_volume_csv(agent, brand_id, text, interval_minutes=interval)
        from django.contrib import messages

        messages.success(
            request,
            _("Imported %(rows)s rows (%(created)s new, %(updated)s replaced).")
            % {"rows": report.rows, "created": report.created, "updated": report.updated},
        )
        return _url("wfm:forecast", brand=brand_id)
    if action == "special_add":
        try:
            date = dt.date.fromisoformat(request.POST.get("date") or "")
        except ValueError:
            raise InvalidInput(_("The date is a date."), field="date") from None
        services.save_special_day(
            agent,
            brand_id,
            date=date,
            factor=_float(request.POST, "factor", 1.0, low=0, high=20),
            language=(request.POST.get("language") or "")[:16],
            note=(request.POST.get("note") or "")[:200],
        )
        return _url("wfm:forecast", brand=brand_id)
    if action == "special_delete":
        day_id = _int(request.POST.get("day"), "day")
        if day_id is None:
            raise InvalidInput(_("Which special day?"), field="day")
        day = permissions.get_for_agent(SpecialDay.objects.all(), agent, day_id)
        permissions.check_plans_workforce(agent, day.brand_id)
        services.delete_special_day(agent, day)
        return _url("wfm:forecast", brand=brand_id)
    raise InvalidInput(_("Unknown action."), field="action")


def _label(at: dt.datetime, zone: ZoneInfo, with_day: bool = True) -> str:
    local = at.astimezone(zone)
    return local.strftime("%a %H:%M") if with_day else local.strftime("%H:%M")


def _forecast_chart(
    row: Forecast, language: str, channel: str, zone: ZoneInfo, now: dt.datetime
) -> dict[str, Any]:
    """The queue's forecast, its 80 % band and the actuals of the intervals passed."""
    actual = services.forecast_actuals(row)
    values = list(
        ForecastValue.objects.filter(forecast=row, language=language, channel=channel)
        .order_by("interval_start")
        .values_list("interval_start", "contacts", "lower", "upper")
    )
    labels, fc, low, high, seen, rows = [], [], [], [], [], []
    for at, contacts, lower, upper in values:
        got = actual.get((language, channel, at), 0) if at < now else None
        labels.append(_label(at, zone))
        fc.append(round(contacts, 2))
        low.append(round(lower, 2))
        high.append(round(upper, 2))
        seen.append(got)
        rows.append(
            {
                "at": at.astimezone(zone),
                "contacts": contacts,
                "lower": lower,
                "upper": upper,
                "actual": got,
            }
        )
    return {
        "chart": {
            "type": "line",
            "labels": labels,
            "datasets": [
                {"label": _("Forecast"), "data": fc, "low": low, "high": high, "band": "80 %"},
                {"label": _("Actual"), "data": seen},
            ],
        },
        "rows": rows,
    }


def _intraday(row: Forecast, key: str, zone: ZoneInfo, now: dt.datetime) -> dict[str, Any] | None:
    today = now.astimezone(ZoneInfo((row.queues or {}).get("tz") or "UTC")).date()
    if not row.first_day <= today < row.first_day + dt.timedelta(days=row.days):
        return None
    day = services.intraday(row, today, now=now).get(key)
    if not day:
        return None
    intervals = day["intervals"]
    return {
        "date": today,
        "planned_total": day["planned_total"],
        "reforecast_total": day["reforecast_total"],
        "actual_total": sum(i["actual"] or 0 for i in intervals),
        "chart": {
            "type": "line",
            "labels": [
                _label(dt.datetime.fromisoformat(i["interval_start"]), zone, False)
                for i in intervals
            ],
            "datasets": [
                {"label": _("Planned"), "data": [i["planned"] for i in intervals]},
                {"label": _("Actual"), "data": [i["actual"] for i in intervals]},
                {"label": _("Re-forecast"), "data": [i["reforecast"] for i in intervals]},
            ],
        },
        "rows": [
            {**i, "at": dt.datetime.fromisoformat(i["interval_start"]).astimezone(zone)}
            for i in intervals
        ],
    }


@planner_page
def forecast(request: HttpRequest) -> HttpResponseBase:
    agent = _me(request)
    data = request.POST if request.method == "POST" else request.GET
    brand_id, brands = _brand(request, data)
    error: ServiceError | None = None
    if request.method == "POST":
        try:
            return redirect(_forecast_post(request, agent, brand_id))
        except InvalidInput as exc:
            error = exc
    forecasts = list(Forecast.objects.filter(brand_id=brand_id).order_by("-created_at", "-id")[:20])
    chosen: Forecast | None = None
    forecast_id = _int(request.GET.get("forecast"), "forecast")
    if forecast_id is not None:
        chosen = permissions.get_for_agent(Forecast.objects.all(), agent, forecast_id)
        permissions.check_plans_workforce(agent, chosen.brand_id)
        if chosen.brand_id != brand_id:
            brand_id = chosen.brand_id
    elif forecasts:
        chosen = next((f for f in forecasts if f.status == RunStatus.DONE), forecasts[0])
    zone = _zone(agent)
    now = timezone.now()
    context: dict[str, Any] = {
        "brand_id": brand_id,
        "brands": brands,
        "forecasts": forecasts,
        "chosen": chosen,
        "error": error,
        "next_monday": services_next_monday(),
        "special_days": list(
            SpecialDay.objects.filter(brand_id=brand_id).order_by("date", "id")[:200]
        ),
        "running": chosen is not None and chosen.status in (RunStatus.QUEUED, RunStatus.RUNNING),
    }
    if chosen is not None and chosen.status == RunStatus.DONE:
        queues: dict[str, Any] = (chosen.queues or {}).get("queues", {})
        # a queue the forecast does not have (the picker keeps the queue of the forecast
        # shown before) falls back to its first queue
        key = request.GET.get("queue") or ""
        if key not in queues:
            key = sorted(queues)[0] if queues else ""
        q = queues.get(key) or {"language": "", "channel": "", "method": ""}
        methods = sorted({m for v in queues.values() for m in v.get("scores", {})})
        context.update(
            {
                "queue": key,
                "queue_info": q,
                "methods": methods,
                "queue_rows": [
                    {
                        "key": k,
                        **v,
                        "cells": [v.get("scores", {}).get(m) for m in methods],
                    }
                    for k, v in sorted(queues.items())
                ],
                "series": _forecast_chart(chosen, q["language"], q["channel"], zone, now),
                "intraday": _intraday(chosen, key, zone, now),
            }
        )
    return render(request, "wfm/forecast.html", context, status=400 if error else 200)


# --- staffing -----------------------------------------------------------------------------


def _staffing_params(data: Mapping[str, Any]) -> services.StaffingInput:
    interval = _float(data, "interval_minutes", 30, low=1, high=1440)
    aht = _float(data, "aht_seconds", 300, low=1, high=86_400)
    if (data.get("target") or "sl") == "asa":
        target_kw: dict[str, float | None] = {
            "asa_seconds": _float(data, "asa_seconds", 30, low=1, high=86_400)
        }
    else:
        target_kw = {
            "service_level": _float(data, "service_level", 80, low=1, high=99.9) / 100,
            "seconds": _float(data, "seconds", 20, low=0, high=3600),
        }
    model = data.get("model") if data.get("model") in ("erlang_a", "deferred") else "erlang_c"
    patience = _float(data, "patience_seconds", 120, low=1, high=86_400)
    window = _float(data, "response_hours", 4, low=0.5, high=168) * 3600
    try:
        target = erlang.Target(**target_kw)  # type: ignore[arg-type]
    except erlang.StaffingError as exc:
        raise InvalidInput(str(exc), field="target") from None
    return services.StaffingInput(
        interval_seconds=interval * 60,
        aht_seconds=aht,
        target=target,
        shrinkage=_float(data, "shrinkage", 30, low=0, high=95) / 100,
        model=model,  # type: ignore[arg-type]
        patience_seconds=patience if model == "erlang_a" else None,
        occupancy_cap=_float(data, "occupancy_cap", 100, low=1, high=100) / 100,
        concurrency=int(_float(data, "concurrency", 1, low=1, high=20)),
        response_seconds=window if model == "deferred" else None,
    )


def _pasted(text: str) -> list[float]:
    out = []
    for n, cell in enumerate(re.split(r"[\s,;]+", text.strip()), start=1):
        if not cell:
            continue
        try:
            value = float(cell)
        except ValueError:
            raise InvalidInput(
                _("Value %(n)s: contacts are numbers.") % {"n": n}, field="contacts"
            ) from None
        if not math.isfinite(value) or value < 0:
            raise InvalidInput(
                _("Value %(n)s: contacts must be zero or more.") % {"n": n}, field="contacts"
            )
        out.append(value)
    if len(out) > MAX_PASTED:
        raise InvalidInput(_("At most 2,000 intervals."), field="contacts")
    return out


def _by_language(
    languages_rows: dict[str, list[dict[str, Any]]], zone: ZoneInfo
) -> tuple[list[str], list[dict[str, Any]]]:
    """Required agents per language per interval (its channels pooled: an agent serves all
    of them)."""
    languages = sorted(languages_rows)
    table: dict[str, dict[str, int]] = {}
    for lang, rows in languages_rows.items():
        for r in rows:
            slot = table.setdefault(r["interval_start"], {})
            slot[lang] = slot.get(lang, 0) + r["agents"]
    out = []
    for at in sorted(table):
        when = dt.datetime.fromisoformat(at).astimezone(zone)
        out.append(
            {
                "at": when,
                "cells": [table[at].get(lang, 0) for lang in languages],
                "total": sum(table[at].values()),
            }
        )
    return languages, out


def _deferred_queues(queues: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The forecast's deferred queues (email): their response window and agent-intervals."""
    out = []
    for key, rows in sorted(queues.items()):
        if rows and rows[0].get("model") == "deferred":
            out.append(
                {
                    "queue": key,
                    "hours": round(rows[0]["response_seconds"] / 3600, 1),
                    "agents": sum(r["agents"] for r in rows),
                }
            )
    return out


def _forecast_pooling(
    row: Forecast, brand_id: int, params: services.StaffingInput
) -> dict[str, Any] | None:
    """What the brand's multilingual agents save by linking the forecast's languages."""
    contacts: dict[str, list[float]] = {}
    weights: list[tuple[float, float]] = []
    index: dict[dt.datetime, int] = {}
    values = ForecastValue.objects.filter(forecast=row).values_list(
        "language", "interval_start", "contacts", "aht_seconds"
    )
    rows = list(values)
    for _lang, at, _c, _aht in rows:
        index.setdefault(at, 0)
    slots = {at: i for i, at in enumerate(sorted(index))}
    for lang, at, c, aht in rows:
        series = contacts.setdefault(lang, [0.0] * len(slots))
        series[slots[at]] += c
        weights.append((c, aht))
    if len(contacts) < 2:
        return None
    volume = sum(c for c, _a in weights)
    aht = sum(c * a for c, a in weights) / volume if volume else params.aht_seconds
    skills = [
        [str(x).lower() for x in (langs or [])]
        for langs in Agent.objects.filter(brands=brand_id, is_active=True).values_list(
            "languages", flat=True
        )
    ]
    try:
        result = pooling.pooling_savings(
            contacts,
            skills,
            interval_seconds=params.interval_seconds,
            aht_seconds=aht,
            target=params.target,
            model="erlang_a" if params.model == "erlang_a" else "erlang_c",
            patience_seconds=params.patience_seconds,
            occupancy_cap=params.occupancy_cap,
        )
    except erlang.StaffingError:
        return None
    return {
        "groups": [" + ".join(g) for g in result.groups],
        "separate": sum(result.separate_agents),
        "pooled": sum(result.pooled_agents),
        "saved": result.saved_agent_intervals,
        "share": result.saved_share,
    }


@planner_page
def staffing(request: HttpRequest) -> HttpResponse:
    agent = _me(request)
    data = request.POST if request.method == "POST" else request.GET
    brand_id, brands = _brand(request, data)
    forecasts = list(
        Forecast.objects.filter(brand_id=brand_id, status=RunStatus.DONE).order_by(
            "-created_at", "-id"
        )[:20]
    )
    context: dict[str, Any] = {
        "brand_id": brand_id,
        "brands": brands,
        "forecasts": forecasts,
        "form": {
            "source": data.get("source") or ("forecast" if forecasts else "paste"),
            "contacts": data.get("contacts") or "",
            "forecast": data.get("forecast") or (str(forecasts[0].pk) if forecasts else ""),
            "interval_minutes": data.get("interval_minutes") or "30",
            "aht_seconds": data.get("aht_seconds") or "300",
            "target": data.get("target") or "sl",
            "service_level": data.get("service_level") or "80",
            "seconds": data.get("seconds") or "20",
            "asa_seconds": data.get("asa_seconds") or "30",
            "shrinkage": data.get("shrinkage") or "30",
            "model": data.get("model") or "erlang_c",
            "patience_seconds": data.get("patience_seconds") or "120",
            "response_hours": data.get("response_hours") or "4",
            "occupancy_cap": data.get("occupancy_cap") or "85",
            "concurrency": data.get("concurrency") or "1",
        },
    }
    status = 200
    if data.get("go"):
        try:
            context.update(_staff(agent, brand_id, data))
        except InvalidInput as exc:
            context["error"] = exc
            status = 400
    return render(request, "wfm/staffing.html", context, status=status)


def _staff(agent: Agent, brand_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    params = _staffing_params(data)
    zone = _zone(agent)
    if data.get("source") == "forecast":
        forecast_id = _int(data.get("forecast"), "forecast")
        if forecast_id is None:
            raise InvalidInput(_("Choose a forecast."), field="forecast")
        row = permissions.get_for_agent(Forecast.objects.all(), agent, forecast_id)
        permissions.check_plans_workforce(agent, row.brand_id)
        if row.status != RunStatus.DONE:
            raise InvalidInput(_("That forecast is not ready yet."), field="forecast")
        # a forecast's channels decide which of its queues are deferred work
        model = params.model if params.model != "deferred" else "erlang_c"
        params = services.StaffingInput(
            **{
                **params.__dict__,
                "interval_seconds": row.interval_minutes * 60.0,
                "model": model,
                "response_seconds": None,
            }
        )
        queues = services.forecast_staffing(row, params)
        languages, table = _by_language(services.forecast_language_staffing(row, params), zone)
        return {
            "deferred_queues": _deferred_queues(queues),
            "separate_total": sum(r["agents"] for q in queues.values() for r in q),
            "by_language": {
                "languages": languages,
                "rows": table,
                "chart": {
                    "type": "line",
                    "labels": [r["at"].strftime("%a %H:%M") for r in table],
                    "datasets": [
                        {"label": lang, "data": [r["cells"][i] for r in table]}
                        for i, lang in enumerate(languages)
                    ],
                },
                "total": sum(r["total"] for r in table),
            },
            "pooling": _forecast_pooling(row, row.brand_id, params),
        }
    contacts = _pasted(str(data.get("contacts") or ""))
    if not contacts:
        raise InvalidInput(_("Paste contacts per interval, one a line."), field="contacts")
    rows = services.staffing_rows(params, contacts)
    return {
        "rows": rows,
        "chart": {
            "type": "bar",
            "labels": [str(i + 1) for i in range(len(rows))],
            "datasets": [
                {"label": _("Agents"), "data": [r["agents"] for r in rows]},
                {"label": _("Scheduled"), "data": [r["scheduled"] for r in rows]},
            ],
        },
        "totals": {
            "agents": sum(r["agents"] for r in rows),
            "scheduled": sum(r["scheduled"] for r in rows),
        },
    }


# --- adherence ----------------------------------------------------------------------------


def _bars(
    spans: list[dict[str, Any]], start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """Each span's offset and width in per cent of the day (CSS bars)."""
    length = (end - start).total_seconds()
    out = []
    for s in spans:
        a, b = max(s["start"], start), min(s["end"], end)
        if b <= a:
            continue
        out.append(
            {
                **s,
                "left": round((a - start).total_seconds() / length * 100, 2),
                "width": round(max((b - a).total_seconds() / length * 100, 0.3), 2),
            }
        )
    return out


@planner_page
def adherence(request: HttpRequest) -> HttpResponse:
    agent = _me(request)
    brand_id, brands = _brand(request)
    tz = agent.timezone or "UTC"
    zone = _zone(agent)
    now = timezone.now()
    raw = request.GET.get("date") or ""
    try:
        day = dt.date.fromisoformat(raw) if raw else now.astimezone(zone).date()
    except ValueError:
        raise InvalidInput(_("The date is a date."), field="date") from None
    start, end = adherence_services.day_bounds(day, zone.key)
    rows = adherence_services.brand_adherence(brand_id, day, tz=zone.key, now=now)
    for r in rows:
        r["scheduled_bars"] = _bars(r["scheduled"], start, end)
        r["exception_bars"] = _bars(r["exceptions"], start, end)
    scheduled = sum(r["scheduled_minutes"] for r in rows)
    adherent = sum(r["adherent_minutes"] for r in rows)
    now_mark = (
        round((now - start).total_seconds() / (end - start).total_seconds() * 100, 2)
        if start <= now < end
        else None
    )
    context = {
        "brand_id": brand_id,
        "brands": brands,
        "day": day,
        "tz": tz,
        "rows": rows,
        "hours": list(range(0, 24, 3)),
        "now_mark": now_mark,
        "totals": {
            "agents": len(rows),
            "adherence": adherent / scheduled if scheduled else None,
            "out_now": sum(1 for r in rows if not r["now"]["in_adherence"]),
        },
        "live": day == now.astimezone(zone).date(),
    }
    template = "wfm/_adherence_rows.html" if request.GET.get("partial") else "wfm/adherence.html"
    return render(request, template, context)
