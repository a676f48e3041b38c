"""The voice of the customer's pages: ``/reports/topics/`` (the topics, the drivers of
detractors) and ``/reports/topics/<id>/`` (the conversations and customers behind one).
Supervisors and administrators of the brand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wowdesk.analytics import api_topics
from wowdesk.analytics.views import report_tabs
from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, NotFound
from wowdesk.core.input import BadInput, check_date
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.web.auth import agent_required

MEMBERS_PAGE = 50
SPARK_W, SPARK_H = 96, 24


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _date(request: HttpRequest, name: str) -> dt.date | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    try:
        return check_date(dt.date.fromisoformat(raw[:10]), name)
    except (ValueError, BadInput):
        return None


def sparkline(counts: list[int]) -> str:
    """The SVG polyline points of a weekly volume (server-drawn, no script)."""
    if len(counts) < 2:
        return ""
    top = max(max(counts), 1)
    step = SPARK_W / (len(counts) - 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_H - 2 - (c / top) * (SPARK_H - 4):.1f}"
        for i, c in enumerate(counts)
    )


def _row(t: Any) -> dict[str, Any]:
    out = api_topics.topic_out(t)
    languages = sorted(out.languages.items(), key=lambda kv: -kv[1])
    return {
        "t": out,
        "spark": sparkline(out.weekly),
        "languages": languages[:4],
        "sentiment_pct": None if out.sentiment is None else round(out.sentiment * 100),
    }


@agent_required(Role.SUPERVISOR)
def topics_page(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    brand_ids = sorted(permissions.report_brands(me))
    raw = request.GET.get("brand", "")
    brand = int(raw) if raw.isdigit() and len(raw) < 19 and int(raw) in brand_ids else None
    start, end = _date(request, "from"), _date(request, "to")
    rows = list(api_topics.topics_for(me, brand, start, end)) if brand_ids else []
    context = {
        "rows": [_row(t) for t in rows],
        "drivers": api_topics.drivers_of(rows),
        "brands": list(Brand.objects.filter(pk__in=brand_ids).order_by("name")),
        "brand_id": brand,
        "date_from": start.isoformat() if start else "",
        "date_to": end.isoformat() if end else "",
        "computed_at": max((t.computed_at for t in rows if t.computed_at), default=None),
        "spark_w": SPARK_W,
        "spark_h": SPARK_H,
        # the reports' tabs, Topics current: the way back to the other reports
        "tabs": report_tabs("", None),
        "topics_current": True,
    }
    return render(request, "analytics/topics.html", context)


@agent_required(Role.SUPERVISOR)
def topic_page(request: HttpRequest, topic_id: int) -> HttpResponse:
    try:
        topic = api_topics.get_topic(_me(request), topic_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    raw = request.GET.get("page", "")
    page = int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1
    members = api_topics.members_of(topic)
    start = (page - 1) * MEMBERS_PAGE
    found = list(members[start : start + MEMBERS_PAGE + 1])
    customers: dict[int, dict[str, Any]] = {}
    for m in found[:MEMBERS_PAGE]:
        customers.setdefault(m.customer_id, {"id": m.customer_id, "name": m.customer.name})
    context = {
        "row": _row(topic),
        "members": found[:MEMBERS_PAGE],
        "customers": list(customers.values()),
        "page": page,
        "has_next": len(found) > MEMBERS_PAGE,
        "spark_w": SPARK_W,
        "spark_h": SPARK_H,
    }
    return render(request, "analytics/topic.html", context)
