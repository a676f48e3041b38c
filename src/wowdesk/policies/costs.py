"""The cost report: what was granted, per month × group (brand, team, agent, action or
reason), sums per currency (different currencies are never added), counts, and the split
between grants made on the spot and grants approved by a supervisor.

Only grants whose status is ``granted`` cost something; declined, withdrawn and pending
ones are left out. Months are calendar months in the current time zone. One query.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.core import permissions
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, Brand, Role, Team
from wowdesk.policies.models import Grant, GrantStatus

GROUPS = {
    "brand": "brand_id",
    "team": "team_id",
    "agent": "agent_id",
    "action": "action",
    "reason": "reason",
}
MAX_DAYS = 3 * 366
CENT = Decimal("0.01")


def _bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return start, end


def _labels(group_by: str, keys: set[Any]) -> dict[Any, str]:
    from wowdesk.policies.services import action_label

    ids = {k for k in keys if k is not None}
    if group_by == "brand":
        return dict(Brand.objects.filter(pk__in=ids).values_list("pk", "name"))
    if group_by == "team":
        return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    if group_by == "agent":
        return dict(Agent.objects.filter(pk__in=ids).values_list("pk", "display_name"))
    if group_by == "action":
        return {k: action_label(k) for k in ids}
    return {k: k for k in ids}


def grant_costs(
    agent: Agent,
    *,
    date_from: dt.date,
    date_to: dt.date,
    group_by: str,
    brand_id: int | None = None,
    currency: str | None = None,
) -> list[dict[str, Any]]:
    """Rows ``{"month": "2026-11", "group", "label", "currency", "total", "count",
    "on_the_spot", "on_the_spot_total", "approved", "approved_total"}`` (amounts as
    decimals), ordered by month, group, currency. Supervisors+ of the brands read it."""
    if group_by not in GROUPS:
        raise InvalidInput(_("Group by brand, team, agent, action or reason."), field="group_by")
    if date_to < date_from:
        raise InvalidInput(_("The end is before the start."), field="to")
    if (date_to - date_from).days > MAX_DAYS:
        raise InvalidInput(_("Ask for at most three years at a time."), field="from")
    if brand_id is not None:
        permissions.check_supervisor_of(agent, brand_id)
        brands = {brand_id}
    else:
        permissions.require_role(agent, Role.SUPERVISOR)
        brands = permissions.brands_with_role(agent, Role.SUPERVISOR)
    start, end = _bounds(date_from, date_to)
    rows = Grant.objects.filter(
        brand_id__in=brands,
        status=GrantStatus.GRANTED,
        created_at__gte=start,
        created_at__lt=end,
    )
    if currency:
        rows = rows.filter(currency=currency.strip().upper())
    key = GROUPS[group_by]
    approved = Q(approval__isnull=False)
    found = list(
        rows.annotate(month=TruncMonth("created_at"), group=F(key))
        .values("month", "group", "currency")
        .annotate(
            total=Sum("amount"),
            count=Count("id"),
            approved_count=Count("id", filter=approved),
            approved_total=Sum("amount", filter=approved),
        )
        .order_by("month", "group", "currency")
    )
    labels = _labels(group_by, {r["group"] for r in found})
    out: list[dict[str, Any]] = []
    for r in found:
        total = Decimal(r["total"] or 0).quantize(CENT)
        approved_total = Decimal(r["approved_total"] or 0).quantize(CENT)
        month = r["month"]
        out.append(
            {
                "month": f"{month.year:04d}-{month.month:02d}",
                "group": r["group"],
                "label": labels.get(r["group"], "") if r["group"] is not None else _("none"),
                "currency": r["currency"],
                "total": total,
                "count": r["count"],
                "on_the_spot": r["count"] - r["approved_count"],
                "on_the_spot_total": total - approved_total,
                "approved": r["approved_count"],
                "approved_total": approved_total,
            }
        )
    return out
