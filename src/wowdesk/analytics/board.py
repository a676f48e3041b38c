"""The supervisor board's loyalty tile: today's NPS and CSAT (with their counts) of each
brand the supervisor reads reports of, next to the live queue."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from wowdesk.analytics import report_measures, services
from wowdesk.core import permissions
from wowdesk.core.models import Agent
from wowdesk.web.board_tiles import register_tile


def register() -> None:
    register_tile("loyalty-today", "analytics/_tile.html", tile_context, order=10)


def tile_context(request: HttpRequest) -> dict[str, Any] | None:
    agent: Agent | None = getattr(request, "agent", None)
    if agent is None or not permissions.report_brands(agent):
        return None
    tz = agent.timezone or "UTC"
    today = timezone.localtime(timezone.now()).date()
    result = services.metrics(agent, {"from": today, "to": today, "group_by": "brand", "tz": tz})
    drill = reverse("reports:drill")
    groups = {str(g.get("key")): g for g in result.get("groups") or []}
    brands = []
    for brand in _brands(agent):
        g = groups.get(str(brand.pk), {})
        query = {"preset": "today", "tz": tz, "brand": brand.pk}
        brands.append(
            {
                "brand": brand,
                "nps": report_measures.fmt(
                    report_measures.pick(g, ("nps", "value")), report_measures.SCORE
                ),
                "nps_n": report_measures.pick(g, ("nps", "responses")) or 0,
                "csat": report_measures.fmt(
                    report_measures.pick(g, ("csat", "value")), report_measures.PERCENT
                ),
                "csat_n": report_measures.pick(g, ("csat", "responses")) or 0,
                "nps_url": drill + "?" + urlencode({**query, "measure": "nps_responses"}),
                "csat_url": drill + "?" + urlencode({**query, "measure": "csat_responses"}),
            }
        )
    return {"brands": brands}


def _brands(agent: Agent) -> list[Any]:
    from wowdesk.core.models import Brand

    return list(Brand.objects.filter(pk__in=permissions.report_brands(agent)).order_by("name"))
