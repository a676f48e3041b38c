"""The WOW wall's pages: ``/wow/`` (every agent of the brand) and the nomination form
posted from a conversation's side panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.input import BadInput, check_date
from wowdesk.core.models import Agent, Brand, Role, Team
from wowdesk.surveys import wow_services
from wowdesk.surveys.api_wow import stories_for, story_out
from wowdesk.web.auth import agent_required

PAGE_SIZE = 24


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _int(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _date(request: HttpRequest, name: str) -> dt.date | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    try:
        return check_date(dt.date.fromisoformat(raw[:10]), name)
    except (ValueError, BadInput):
        return None


@agent_required()
def wall(request: HttpRequest) -> HttpResponse:
    """The stories as cards, newest first, filtered by brand, agent, team and dates."""
    me = _me(request)
    brand_ids = sorted(permissions.visible_brand_ids(me))
    brand = _int(request, "brand")
    if brand is not None and brand not in brand_ids:
        brand = None
    scope = [brand] if brand is not None else brand_ids
    page = max(_int(request, "page") or 1, 1)
    rows = stories_for(
        me,
        brand=brand,
        agent_id=_int(request, "agent"),
        team_id=_int(request, "team"),
        start=_date(request, "from"),
        end=_date(request, "to"),
    )
    start = (page - 1) * PAGE_SIZE
    found = list(rows[start : start + PAGE_SIZE + 1])
    context: dict[str, Any] = {
        "stories": [story_out(s) for s in found[:PAGE_SIZE]],
        "page": page,
        "has_next": len(found) > PAGE_SIZE,
        "brands": list(Brand.objects.filter(pk__in=brand_ids).order_by("name")),
        "brand_id": brand,
        "agents": list(
            Agent.objects.filter(brands__in=scope, is_active=True)
            .distinct()
            .order_by("display_name")
            .values("pk", "display_name")[:500]
        ),
        "teams": list(
            Team.objects.filter(brand_id__in=scope).order_by("name").values("pk", "name")[:200]
        ),
        "agent_id": _int(request, "agent"),
        "team_id": _int(request, "team"),
        "date_from": request.GET.get("from", "")[:10],
        "date_to": request.GET.get("to", "")[:10],
        "supervisor_brands": permissions.brands_with_role(me, Role.SUPERVISOR),
        "me_id": me.pk,
        "live_brands": scope,
    }
    return render(request, "surveys/wow_wall.html", context)


@require_POST
@agent_required()
def nominate(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The side panel's "Nominate for the WOW wall" form."""
    try:
        wow_services.do_nominate(_me(request), conversation_id, request.POST.get("story"))
    except ServiceError as exc:
        if exc.status in (403, 404):
            return HttpResponse(exc.message, status=exc.status)
        flash.error(request, exc.message)
        return redirect("web:conversation", pk=conversation_id)
    flash.success(request, _("On the WOW wall: thank you for telling the story."))
    return redirect("web:conversation", pk=conversation_id)


@require_POST
@agent_required()
def hide(request: HttpRequest, story_id: int) -> HttpResponse:
    """Hide a story (supervisors and its nominator)."""
    try:
        wow_services.do_edit_story(_me(request), story_id, hidden=True)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status)
    flash.success(request, _("The story is hidden."))
    return redirect("wow:wall")
