"""The roster pages (planners: supervisors and administrators of the brand).

* ``/wfm/rosters/`` (``wfm:rosters``): the brand's rosters and the "New roster" form
  (→ ``roster_services.create_roster``; the worker solves it);
* ``/wfm/rosters/<id>/`` (``wfm:roster``): its numbers, required vs scheduled per interval,
  the coverage heat-map by language and hour in the viewer's zone, a grid per site, and the
  Publish and Simulate forms (``wfm:roster_publish``, ``wfm:roster_simulate``);
* ``/wfm/rosters/<id>/progress`` (``wfm:roster_progress``): ``{"status", "progress"}``, which
  the pages poll while a roster is being solved (``wfm/roster.js``).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from wowdesk.core.input import BadInput, check_date
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.web.auth import agent_required
from wowdesk.wfm import roster_display as D
from wowdesk.wfm import roster_services
from wowdesk.wfm.models import Forecast, Roster, RosterShift, RosterStatus, RunStatus

PAGE = 50
FORECASTS_SHOWN = 20
# the solver's times (``Roster.seconds``), in words
SOLVER_TIMES = {
    "prepare": gettext_lazy("Preparing the candidate shifts"),
    "cover": gettext_lazy("Stage 1: the pooled covering model"),
    "assign": gettext_lazy("Stage 2: named agents"),
    "total": gettext_lazy("In all"),
    "first_solution": gettext_lazy("First roster found after"),
    "first_full_coverage": gettext_lazy("First roster with no interval short after"),
    "target_gap": gettext_lazy("Target gap reached after"),
}


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def _next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


def _brand(request: HttpRequest, me: Agent) -> tuple[list[Brand], Brand]:
    ids = permissions.planner_brands(me)
    if not ids:
        raise PermissionDenied(_("This page is for supervisors and administrators."))
    brands = list(Brand.objects.filter(pk__in=ids).order_by("name", "id"))
    wanted = _int(request.POST.get("brand_id") or request.GET.get("brand"))
    chosen = next((b for b in brands if b.pk == wanted), None)
    if wanted is not None and chosen is None:
        raise PermissionDenied(_("You do not plan this brand's workforce."))
    return brands, chosen or brands[0]


def _form_defaults(brand: Brand, today: dt.date) -> dict[str, Any]:
    rules = roster_services.DEFAULT_RULES
    forecast = (
        Forecast.objects.filter(brand=brand, status=RunStatus.DONE)
        .order_by("-first_day", "-created_at")
        .first()
    )
    week = _next_monday(today)
    if forecast is not None and forecast.first_day > week:
        # the latest forecast is of a later week: propose that one
        week = forecast.first_day
    return {
        "week": week.isoformat(),
        "forecast": str(forecast.pk) if forecast else "",
        "agents": None,  # all
        "max_hours": f"{rules['max_hours_per_week']:g}",
        "min_rest": f"{rules['min_rest_hours']:g}",
        "days_in_row": str(rules["max_days_in_row"]),
        "shift_hours": ", ".join(f"{h:g}" for h in rules["shift_hours"]),
        "start_hours": "0-23",
        "time_limit": "60",
    }


def _number(form: dict[str, Any], name: str, field: str) -> float:
    try:
        value = float(str(form[name]).strip())
    except ValueError:
        raise InvalidInput(_("Write a number."), field=field) from None
    if not math.isfinite(value):
        raise InvalidInput(_("Write a number."), field=field)
    return value


def _create(me: Agent, brand: Brand, form: dict[str, Any]) -> Roster:
    """The form's fields → ``create_roster`` (each refusal names the form's field)."""
    try:
        week = check_date(dt.date.fromisoformat(str(form["week"]).strip()), "week")
    except BadInput as exc:
        raise InvalidInput(exc.message, field="week") from None
    except ValueError:
        raise InvalidInput(_("Pick the week's first day."), field="week") from None
    try:
        shift_hours = D.parse_hours(str(form["shift_hours"]), 2, 14)
    except ValueError:
        raise InvalidInput(
            _("Shift lengths are hours from 2 to 14, separated by commas."), field="shift_hours"
        ) from None
    try:
        start_hours = [int(h) for h in D.parse_hours(str(form["start_hours"]), 0, 23, whole=True)]
    except ValueError:
        raise InvalidInput(
            _("Start hours are whole hours from 0 to 23: a list (6, 8, 10) or a range (6-10)."),
            field="start_hours",
        ) from None
    rules = {
        "max_hours_per_week": _number(form, "max_hours", "max_hours"),
        "min_rest_hours": _number(form, "min_rest", "min_rest"),
        "max_days_in_row": int(_number(form, "days_in_row", "days_in_row")),
        "shift_hours": shift_hours,
        "start_hours": start_hours,
    }
    limit = _number(form, "time_limit", "time_limit")
    if not 1 <= limit <= roster_services.MAX_TIME_LIMIT:
        raise InvalidInput(_("The time limit is 1 to 900 seconds."), field="time_limit")
    for name, low, high in (("max_hours", 4, 80), ("min_rest", 0, 24), ("days_in_row", 1, 7)):
        if not low <= _number(form, name, name) <= high:
            raise InvalidInput(
                _("Max hours 4–80 a week, rest 0–24 hours, 1–7 days in a row."), field=name
            )
    agent_ids = [i for i in (_int(x) for x in form["agents"] or []) if i is not None]
    if len(agent_ids) != len(form["agents"] or []):
        raise InvalidInput(_("Pick agents from the list."), field="agents")
    known = set(
        Agent.objects.filter(brands=brand, is_active=True, pk__in=agent_ids).values_list(
            "pk", flat=True
        )
    )
    if not agent_ids or known != set(agent_ids):
        raise InvalidInput(_("Pick active agents of the brand from the list."), field="agents")
    forecast = _covering_forecast(brand, week, str(form["forecast"] or ""))
    try:
        return roster_services.create_roster(
            me,
            brand.pk,
            week_start=week,
            forecast_id=forecast.pk,
            agent_ids=agent_ids,
            rules=rules,
            time_limit_seconds=limit,
        )
    except InvalidInput as exc:
        # the service names its own arguments; the page names the form's fields
        names = {
            "forecast_id": "forecast",
            "agent_ids": "agents",
            "time_limit_seconds": "time_limit",
            "rules": "rules",
        }
        raise InvalidInput(exc.message, field=names.get(exc.field or "", exc.field)) from exc


def _covering_forecast(brand: Brand, week: dt.date, raw: str) -> Forecast:
    """The forecast picked (empty: the latest finished one that starts on or before the
    week, as the service picks it), refused unless it covers the whole week."""
    done = Forecast.objects.filter(brand=brand, status=RunStatus.DONE)
    if raw:
        forecast = done.filter(pk=_int(raw) or 0).first()
        if forecast is None:
            raise InvalidInput(_("No finished forecast with that id."), field="forecast")
    else:
        forecast = done.filter(first_day__lte=week).order_by("-first_day", "-created_at").first()
        if forecast is None:
            raise InvalidInput(_("Forecast the week first."), field="forecast")
    if not forecast.first_day <= week <= forecast.first_day + dt.timedelta(days=forecast.days - 7):
        raise InvalidInput(
            _("This forecast covers %(a)s to %(b)s: pick a week inside it, or forecast the week.")
            % {
                "a": forecast.first_day.isoformat(),
                "b": (forecast.first_day + dt.timedelta(days=forecast.days - 1)).isoformat(),
            },
            field="forecast",
        )
    return forecast


def _summary(row: Roster) -> dict[str, Any]:
    res = row.result or {}
    coverage = res.get("coverage") or {}
    return {
        "row": row,
        "hours": res.get("hours"),
        "lower_bound": res.get("lower_bound_hours"),
        "gap_pct": None if res.get("gap") is None else round(100 * float(res["gap"]), 2),
        "short_intervals": coverage.get("short_intervals"),
        "over_hours": coverage.get("over_hours"),
        "progress_pct": round(100 * roster_services.roster_progress(row)),
        "working": row.status in (RosterStatus.QUEUED, RosterStatus.SOLVING),
    }


@agent_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def rosters_page(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    brands, brand = _brand(request, me)
    permissions.check_plans_workforce(me, brand.pk)
    form = _form_defaults(brand, timezone.localdate())
    error: ServiceError | None = None
    if request.method == "POST":
        form.update({k: request.POST.get(k, "") for k in form if k != "agents"})
        form["agents"] = request.POST.getlist("agents")
        try:
            row = _create(me, brand, form)
        except InvalidInput as exc:
            error = exc
        else:
            return redirect("wfm:roster", roster_id=row.pk)
    before = _int(request.GET.get("before"))
    qs = Roster.objects.filter(brand=brand)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    found = list(qs.order_by("-id")[: PAGE + 1])
    agents = list(
        Agent.objects.filter(brands=brand, is_active=True)
        .select_related("site")
        .order_by("display_name", "id")
    )
    chosen = None if form["agents"] is None else {_int(x) for x in form["agents"]}
    context = {
        "brands": brands,
        "brand": brand,
        "rosters": [_summary(r) for r in found[:PAGE]],
        "next_before": found[PAGE - 1].pk if len(found) > PAGE else None,
        "form": form,
        "error": error,
        "forecasts": list(
            Forecast.objects.filter(brand=brand, status=RunStatus.DONE).order_by(
                "-first_day", "-created_at"
            )[:FORECASTS_SHOWN]
        ),
        "agents": [
            {"a": a, "checked": chosen is None or a.pk in chosen, "languages": a.languages}
            for a in agents
        ],
    }
    return render(request, "wfm/rosters.html", context, status=422 if error else 200)


def _roster(me: Agent, roster_id: int) -> Roster:
    try:
        row = permissions.get_for_agent(Roster.objects.select_related("forecast"), me, roster_id)
        permissions.check_plans_workforce(me, row.brand_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    return row


def _chart(s: D.Series, key: str) -> dict[str, Any]:
    return {
        "labels": [date_format(t, "D H:i") for t in s.labels],
        "required": s.required.get(key, []),
        "scheduled": s.scheduled.get(key, []),
    }


def _detail_context(request: HttpRequest, row: Roster) -> dict[str, Any]:
    me = _me(request)
    res = row.result or {}
    tz = me.timezone or "UTC"
    origin = dt.datetime.combine(row.week_start, dt.time(), dt.UTC)
    required, covered = res.get("required") or {}, res.get("covered") or {}
    ids = row.request.get("agent_ids") or []
    agents = list(Agent.objects.filter(pk__in=ids).select_related("site"))
    shifts = [
        D.ShiftIn(
            s.agent_id,
            s.start,
            s.end,
            [
                (dt.datetime.fromisoformat(b["start"]), dt.datetime.fromisoformat(b["end"]))
                for b in s.breaks
            ],
        )
        for s in RosterShift.objects.filter(roster=row).only("agent_id", "start", "end", "breaks")
    ]
    horizon = 7 * 24 * 60 // row.interval_minutes
    present = D.presence(
        origin, row.interval_minutes, horizon, shifts, {a.pk: a.languages for a in agents}
    )
    series = D.series(origin, row.interval_minutes, required, covered, tz, present)
    heat = D.heatmap(origin, row.interval_minutes, required, covered, tz, present)
    grids = D.site_grids(
        row.week_start,
        [
            D.AgentIn(
                a.pk,
                a.display_name,
                a.site.name if a.site else "",
                (a.site.timezone if a.site else a.timezone) or "UTC",
                sorted(a.languages),
            )
            for a in agents
        ],
        shifts,
    )
    languages = [k for k in series.required if k]
    charts = {"": _chart(series, "")} | {lang: _chart(series, lang) for lang in languages}
    return {
        "s": _summary(row),
        "seconds": [(SOLVER_TIMES.get(k, k), v) for k, v in (res.get("seconds") or {}).items()],
        "agents_count": res.get("agents", len(ids)),
        "rules": row.request.get("rules") or {},
        "time_limit": row.request.get("time_limit_seconds"),
        "languages": languages,
        "charts": charts,
        "table": list(zip(series.labels, series.required[""], series.scheduled[""], strict=True)),
        "heat": heat,
        "heat_days": _heat_days(heat),
        "grids": grids,
        "viewer_tz": tz,
        "shift_count": len(shifts),
        "can_publish": row.status in (RosterStatus.SOLVED, RosterStatus.PUBLISHED),
        "can_simulate": row.forecast_id is not None and bool(covered),
        "sim_form": {"replications": "20", "languages": []},
        "sim": None,
        "sim_error": None,
    }


def _heat_days(heat: D.HeatMap) -> list[dict[str, Any]]:
    """The heat-map's column headers: one per local day with its hour count."""
    days: list[dict[str, Any]] = []
    for h in heat.hours:
        if days and days[-1]["date"] == h.date():
            days[-1]["span"] += 1
        else:
            days.append({"date": h.date(), "span": 1})
    return days


@agent_required(Role.SUPERVISOR)
@require_GET
def roster_page(request: HttpRequest, roster_id: int) -> HttpResponse:
    row = _roster(_me(request), roster_id)
    return render(request, "wfm/roster.html", _detail_context(request, row))


@agent_required(Role.SUPERVISOR)
@require_GET
def roster_progress(request: HttpRequest, roster_id: int) -> JsonResponse:
    row = _roster(_me(request), roster_id)
    return JsonResponse(
        {"status": row.status, "progress": roster_services.roster_progress(row), "id": row.pk}
    )


@agent_required(Role.SUPERVISOR)
@require_POST
def roster_publish(request: HttpRequest, roster_id: int) -> HttpResponse:
    me = _me(request)
    row = _roster(me, roster_id)
    try:
        roster_services.publish_roster(me, row)
    except ServiceError as exc:
        context = _detail_context(request, row)
        context["publish_error"] = exc
        return render(request, "wfm/roster.html", context, status=exc.status)
    return redirect("wfm:roster", roster_id=row.pk)


@agent_required(Role.SUPERVISOR)
@require_POST
def roster_simulate(request: HttpRequest, roster_id: int) -> HttpResponse:
    """Run the simulation and show its results on the roster's page (nothing is stored)."""
    row = _roster(_me(request), roster_id)
    context = _detail_context(request, row)
    raw = request.POST.get("replications", "").strip()
    languages = [x for x in request.POST.getlist("languages") if x in context["languages"]]
    context["sim_form"] = {"replications": raw, "languages": languages}
    status = 200
    try:
        replications = _int(raw)
        if replications is None or not 1 <= replications <= 500:
            raise InvalidInput(_("Replications are 1 to 500."), field="replications")
        result = roster_services.simulate_roster(
            row, replications=replications, languages=languages or None
        )
    except ServiceError as exc:
        context["sim_error"] = exc
        status = exc.status
    else:
        context["sim"] = _sim_view(result, _me(request).timezone or "UTC")
    return render(request, "wfm/roster.html", context, status=status)


def _sim_view(result: dict[str, Any], tz: str) -> dict[str, Any]:
    z = D.zone(tz)
    queues = []
    for n, (q, data) in enumerate(result["queues"].items()):
        rows = [
            {
                "at": dt.datetime.fromisoformat(i["interval_start"]).astimezone(z),
                **{k: i[k] for k in ("agents", "contacts", "abandonment")},
                "sl": round(100 * i["service_level"], 1),
                "p10": round(100 * i["service_level_p10"], 1),
                "miss": round(100 * i["miss_probability"], 1),
            }
            for i in data["intervals"]
        ]
        queues.append(
            {
                "queue": q,
                "chart_id": f"ro-sim-{n}",
                "miss_pct": round(100 * data["miss_probability"], 1),
                "one_in": D.miss_one_in(data["miss_probability"]),
                "rows": rows,
                "chart": {
                    "labels": [date_format(r["at"], "D H:i") for r in rows],
                    "sl": [r["sl"] for r in rows],
                    "p10": [r["p10"] for r in rows],
                },
            }
        )
    return {
        "replications": result["replications"],
        "queues": queues,
        "miss_pct": round(100 * result["miss_probability"], 1),
        "one_in": D.miss_one_in(result["miss_probability"]),
    }
