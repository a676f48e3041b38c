"""A stand-in for ``analytics.services`` in the report pages' tests: numbers that depend on
the query (so a change of range or grouping shows), in the documented shape, scoped like
the real one (a brand outside the viewer's report brands → 403)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import QuerySet

from wowdesk.analytics import services
from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core.models import Agent

CALLS: list[dict[str, Any]] = []


def _group(key: str, label: str, seed: int) -> dict[str, Any]:
    promoters, passives, detractors = 5 + seed, 3, 2 + seed % 3
    n = promoters + passives + detractors
    nps = 100.0 * (promoters - detractors) / n
    return {
        "key": key,
        "label": label,
        "conversations": 10 + seed,
        "csat": {"value": 80.0 + seed % 10, "responses": 12 + seed},
        "nps": {
            "value": nps,
            "promoters": promoters,
            "passives": passives,
            "detractors": detractors,
            "responses": n,
            "ci95": [nps - 20, nps + 20],
        },
        "ces": {"value": 5.5, "easy": 75.0, "responses": 4},
        "fcr": {"value": 70.0, "resolved": 9},
        "first_response": {
            "median_s": 600 + seed,
            "p90_s": 3600,
            "business_median_s": 300,
            "business_p90_s": 1800,
        },
        "resolution": {
            "median_s": 7200,
            "p90_s": 86400,
            "business_median_s": 3600,
            "business_p90_s": 40000,
        },
        "sla_attainment": 90.0,
        "reopen_rate": 5.0,
        "response_rate": 30.0,
        "backlog": 4,
        "asa_s": 40,
        "abandonment": 3.0,
        "occupancy": 70.0,
        "bot": {"resolution_rate": 20.0, "handover_rate": 40.0},
        "handle_time": {"median_s": 500},
    }


def _plain(query: Any) -> dict[str, Any]:
    if isinstance(query, services.MetricsQuery):
        zone = query.zone
        out: dict[str, Any] = {
            "from": query.start.astimezone(zone).date(),
            "to": (query.end.astimezone(zone) - dt.timedelta(days=1)).date(),
            "group_by": query.group_by,
            "tz": query.tz,
        }
        for name, values in query.filters.items():
            out[name] = values[0]
        return out
    return dict(query)


def fake_metrics(agent: Agent, query: Any) -> dict[str, Any]:
    query = _plain(query)
    CALLS.append(dict(query))
    brands = permissions.report_brands(agent)
    if query.get("brand"):
        permissions.check_sees_reports(agent, int(query["brand"]))
        brands = {int(query["brand"])}
    start: dt.date = query["from"]
    end: dt.date = query["to"]
    days = (end - start).days + 1
    gb = query.get("group_by", "day")
    if gb == "day":
        keys = [(start + dt.timedelta(days=i)).isoformat() for i in range(min(days, 40))]
        groups = [_group(k, k, days + i) for i, k in enumerate(keys)]
    elif gb == "brand":
        groups = [_group(str(b), f"brand {b}", days + b) for b in sorted(brands)]
    else:
        groups = [_group(f"{gb}-1", f"{gb} one", days), _group(f"{gb}-2", f"{gb} two", days + 1)]
    totals = _group("", "", days)
    for g in groups:
        g["previous"] = _group(g["key"], g["label"], days - 1)
    length = dt.timedelta(days=days)
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "previous": {
            "from": (start - length).isoformat(),
            "to": (end - length).isoformat(),
            "totals": _group("", "", days - 1),
        },
        "totals": totals,
        "groups": groups,
    }


def fake_drill(agent: Agent, query: Any, measure: str) -> QuerySet[Conversation]:
    query = _plain(query)
    CALLS.append({**query, "measure": measure})
    brands = permissions.report_brands(agent)
    if query.get("brand"):
        permissions.check_sees_reports(agent, int(query["brand"]))
        brands = {int(query["brand"])}
    return Conversation.objects.filter(brand_id__in=brands).order_by("-created_at", "-pk")


def install(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Put the stand-in in place (for the test); the queries it is asked, in order."""
    CALLS.clear()
    monkeypatch.setattr(services, "metrics", fake_metrics)
    monkeypatch.setattr(services, "drill", fake_drill)
    return CALLS
