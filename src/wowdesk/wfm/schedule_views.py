"""Pages: the agent's own schedule (``/wfm/schedule/``: this week and the next as a
calendar in the agent's zone, "Swap…" on a shift, "Ask for time off", my requests) and the
supervisors' requests page (``/wfm/requests/``: pending first, approve or decline with a
note), and the supervisor board's tile of pending requests."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wowdesk.core import permissions
from wowdesk.core.errors import NotFound, ServiceError
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.web.auth import agent_required
from wowdesk.web.board_tiles import register_tile
from wowdesk.wfm import request_services
from wowdesk.wfm.api_requests import RequestIn, make_request, schedule_payload, week_start
from wowdesk.wfm.models import RequestKind, RequestStatus, ShiftRequest

PAGE_SIZE = 50


def register() -> None:
    register_tile("wfm-requests", "wfm/_requests_tile.html", tile_context, order=40)


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _days(payload: dict[str, Any], first: dt.date, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Fourteen days from ``first``, each with the shifts that start on it (local)."""
    days: list[dict[str, Any]] = [
        {"date": first + dt.timedelta(days=i), "shifts": []} for i in range(14)
    ]
    by_day = {d["date"]: d for d in days}
    now = timezone.now()
    for s in payload["shifts"]:
        local_start = s["start"].astimezone(zone)
        day = by_day.get(local_start.date())
        if day is None:
            continue
        day["shifts"].append(
            {
                **s,
                "local_start": local_start,
                "local_end": s["end"].astimezone(zone),
                "local_breaks": [
                    (b["start"].astimezone(zone), b["end"].astimezone(zone)) for b in s["breaks"]
                ],
                "now": s["start"] <= now < s["end"],
                "swappable": s["shift_id"] is not None and s["start"] > now,
            }
        )
    return days


@require_GET
@agent_required()
def schedule_page(request: HttpRequest) -> HttpResponse:
    actor = _me(request)
    agent = actor
    raw = request.GET.get("agent", "")
    if raw.isdigit() and int(raw) != actor.pk:
        found = Agent.objects.filter(pk=int(raw)).first()
        try:
            if found is None:
                raise NotFound(_("No such agent."))
            request_services.check_sees_schedule(actor, found)
        except ServiceError as exc:
            return render(request, "web/forbidden.html", {"reason": exc}, status=exc.status)
        agent = found
    zone = ZoneInfo(agent.timezone or "UTC")
    today = timezone.now().astimezone(zone).date()
    first = week_start(today)
    payload = schedule_payload(agent, first, first + dt.timedelta(days=13))
    days = _days(payload, first, zone)
    own = agent.pk == actor.pk
    if own:
        from wowdesk.wfm.models import RosterShift

        for day in days:
            for s in day["shifts"]:
                if s["swappable"]:
                    shift = RosterShift.objects.select_related("roster").get(pk=s["shift_id"])
                    s["colleagues"] = request_services.colleagues_for(shift)
    mine = list(
        ShiftRequest.objects.filter(agent=agent)
        .select_related("other_agent", "shift")
        .order_by("-id")[:20]
    )
    return render(
        request,
        "wfm/schedule.html",
        {
            "who": agent,
            "own": own,
            "zone": agent.timezone or "UTC",
            "on_shift_now": payload["on_shift_now"],
            "weeks": [days[:7], days[7:]],
            "today": today,
            "requests": mine,
            "brands": list(Brand.objects.filter(pk__in=permissions.visible_brand_ids(actor)))
            if own
            else [],
            "planner": bool(permissions.planner_brands(actor)),
        },
    )


def _fail(request: HttpRequest, exc: ServiceError) -> None:
    flash.error(request, str(exc))


@require_POST
@agent_required()
def ask_swap(request: HttpRequest) -> HttpResponse:
    actor = _me(request)
    try:
        payload = RequestIn(
            kind="swap",
            shift_id=int(request.POST.get("shift_id") or 0) or None,
            other_agent_id=int(request.POST.get("other_agent_id") or 0) or None,
            other_shift_id=None,
            start=None,
            end=None,
            brand_id=None,
            reason=request.POST.get("reason", "")[:500],
        )
        make_request(actor, payload)
        flash.success(request, _("Swap asked for: a supervisor will decide."))
    except ValueError:
        flash.error(request, _("Pick a shift and a colleague."))
    except ServiceError as exc:
        _fail(request, exc)
    return redirect("wfm:schedule")


def _local_dt(raw: str, zone: ZoneInfo) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(raw).replace(tzinfo=zone)
    except ValueError:
        return None


@require_POST
@agent_required()
def ask_time_off(request: HttpRequest) -> HttpResponse:
    actor = _me(request)
    zone = ZoneInfo(actor.timezone or "UTC")
    start = _local_dt(request.POST.get("start", ""), zone)
    end = _local_dt(request.POST.get("end", ""), zone)
    if start is None or end is None:
        flash.error(request, _("Give the start and the end of the time off."))
        return redirect("wfm:schedule")
    try:
        payload = RequestIn(
            kind="time_off",
            shift_id=None,
            other_agent_id=None,
            other_shift_id=None,
            brand_id=int(request.POST["brand"])
            if request.POST.get("brand", "").isdigit()
            else None,
            start=start,
            end=end,
            reason=request.POST.get("reason", "")[:500],
        )
        make_request(actor, payload)
        flash.success(request, _("Time off asked for: a supervisor will decide."))
    except ServiceError as exc:
        _fail(request, exc)
    return redirect("wfm:schedule")


@require_POST
@agent_required()
def cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = _me(request)
    try:
        row = request_services.get_visible(actor, request_id)
        request_services.cancel_request(actor, row)
        flash.success(request, _("Request cancelled."))
    except ServiceError as exc:
        _fail(request, exc)
    return redirect("wfm:schedule")


@require_GET
@agent_required(Role.SUPERVISOR)
def requests_page(request: HttpRequest) -> HttpResponse:
    actor = _me(request)
    brands = permissions.planner_brands(actor)
    base = ShiftRequest.objects.filter(brand_id__in=brands).select_related(
        "agent", "other_agent", "shift", "other_shift", "decided_by", "brand"
    )
    pending = list(
        base.filter(status=RequestStatus.PENDING).order_by("created_at", "id")[:PAGE_SIZE]
    )
    decided = list(base.exclude(status=RequestStatus.PENDING).order_by("-id")[:PAGE_SIZE])
    return render(
        request,
        "wfm/requests.html",
        {"pending": pending, "decided": decided, "many_brands": len(brands) > 1},
    )


@require_POST
@agent_required(Role.SUPERVISOR)
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = _me(request)
    decision = request.POST.get("decision", "")
    try:
        row = request_services.get_visible(actor, request_id)
        request_services.decide_request(
            actor, row, decision=decision, note=request.POST.get("note", "")[:500]
        )
        flash.success(
            request, _("Request approved.") if decision == "approve" else _("Request declined.")
        )
    except ServiceError as exc:
        _fail(request, exc)
    return redirect(reverse("wfm:requests"))


def tile_context(request: HttpRequest) -> dict[str, Any] | None:
    agent: Agent | None = getattr(request, "agent", None)
    if agent is None:
        return None
    brands = permissions.planner_brands(agent)
    if not brands:
        return None
    pending = ShiftRequest.objects.filter(brand_id__in=brands, status=RequestStatus.PENDING)
    return {
        "count": pending.count(),
        "oldest": list(pending.select_related("agent").order_by("created_at", "id")[:3]),
        "swap": RequestKind.SWAP,
    }
