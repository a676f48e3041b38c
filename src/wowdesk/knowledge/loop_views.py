"""The knowledge managers' pages of the knowledge loop: proposals (edit, then accept, or
dismiss) and the knowledge reports. Supervisors and administrators of the brand."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import api_loop, loop_services, reports
from wowdesk.knowledge.models import Category, Proposal, Source
from wowdesk.web.auth import agent_required
from wowdesk.web.settings_nav import sections_for

STATUSES = ("open", "accepted", "dismissed")


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _frame(request: HttpRequest, section: str) -> dict[str, Any]:
    """The settings frame's side navigation, with this page's section current."""
    return {"settings_sections": sections_for(_me(request)), "settings_section": section}


def _brand_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("brand", "")
    return int(raw) if raw.isdigit() else None


def _status(exc: ServiceError) -> int:
    return 400 if exc.status == 422 else exc.status


def _proposals_page(
    request: HttpRequest,
    *,
    status: int = 200,
    error: str = "",
    edited: dict[int, Any] | None = None,
) -> HttpResponse:
    agent = _me(request)
    brand_ids = sorted(permissions.knowledge_manager_brands(agent))
    chosen = request.GET.get("status", "open")
    chosen = chosen if chosen in STATUSES else "open"
    rows = list(
        Proposal.objects.filter(brand_id__in=brand_ids, status=chosen)
        .select_related("brand", "article", "proposed_by", "decided_by")
        .order_by("-created_at", "-id")[:300]
    )
    numbers = dict(
        Conversation.objects.filter(
            pk__in=[p.conversation_id for p in rows if p.conversation_id]
        ).values_list("pk", "number")
    )
    groups: OrderedDict[int, list[Proposal]] = OrderedDict()
    for p in sorted(rows, key=lambda p: p.created_at):
        groups.setdefault(p.group_id or p.pk, []).append(p)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), -max(p.pk for p in g)))
    for p in rows:
        number = numbers.get(p.conversation_id) if p.conversation_id else None
        p.conversation_number = number  # type: ignore[attr-defined]
        if edited and p.pk in edited:
            p.title, p.body = edited[p.pk]
    categories: dict[int, list[Category]] = {}
    for c in Category.objects.filter(brand_id__in=brand_ids).order_by("position", "id"):
        categories.setdefault(c.brand_id, []).append(c)
    context = {
        **_frame(request, "knowledge-proposals"),
        "groups": [{"lead": g[0], "members": g, "size": len(g)} for g in ordered],
        "categories": categories,
        "status": chosen,
        "statuses": [(s, Proposal.Status(s).label) for s in STATUSES],
        "error": error,
        "several_brands": len(brand_ids) > 1,
    }
    return render(request, "knowledge/loop/proposals.html", context, status=status)


@agent_required(Role.SUPERVISOR)
def proposals_page(request: HttpRequest) -> HttpResponse:
    return _proposals_page(request)


@require_POST
@agent_required(Role.SUPERVISOR)
def proposal_accept(request: HttpRequest, pk: int) -> HttpResponse:
    title = request.POST.get("title")
    body = request.POST.get("body")
    category = request.POST.get("category") or None
    try:
        article = loop_services.do_accept_proposal(
            _me(request), pk, title=title, body=body, category=category
        )
    except ServiceError as exc:
        edited = {pk: (title or "", body or "")} if title is not None else None
        return _proposals_page(request, status=_status(exc), error=exc.message, edited=edited)
    flash.success(request, _("Published: %(title)s") % {"title": article.title})
    return redirect("knowledge:proposals")


@require_POST
@agent_required(Role.SUPERVISOR)
def proposal_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        loop_services.do_dismiss_proposal(_me(request), pk)
    except ServiceError as exc:
        return _proposals_page(request, status=_status(exc), error=exc.message)
    flash.success(request, _("Proposal dismissed."))
    return redirect("knowledge:proposals")


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@agent_required(Role.SUPERVISOR)
def reports_page(request: HttpRequest) -> HttpResponse:
    agent = _me(request)
    managed = sorted(permissions.knowledge_manager_brands(agent))
    status = 200
    error = ""
    brand_id = _brand_param(request)
    try:
        brands = api_loop.managed_brands(agent, brand_id)
        period = api_loop.period_of(_date(request.GET.get("from")), _date(request.GET.get("to")))
    except ServiceError as exc:
        status, error = _status(exc), exc.message
        brands = managed
        period = api_loop.period_of(None, None)
    report = reports.build(brands, period)
    sources = dict(Source.choices)
    for row in report.no_result:
        row["source_label"] = sources.get(row["source"], row["source"])
    for row in report.searches_by_source:
        row["source_label"] = sources.get(row["source"], row["source"])
    top_count = max((r["count"] for r in report.no_result), default=0)
    context = {
        **_frame(request, "knowledge-reports"),
        "report": report,
        "top_count": top_count,
        "brands": Brand.objects.filter(pk__in=managed).order_by("name"),
        "brand_id": brand_id,
        "date_from": period.start.date().isoformat(),
        "date_to": (period.end - dt.timedelta(days=1)).date().isoformat(),
        "error": error,
        "min_views": reports.MIN_VIEWS,
    }
    return render(request, "knowledge/loop/reports.html", context, status=status)
