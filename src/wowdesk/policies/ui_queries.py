"""Read-only queries of the policies pages (the settings grid, the conversation's Grant menu,
the board tile, the approvals page). Every list costs a fixed number of queries; writes go
through ``policies/services.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wowdesk.core import permissions
from wowdesk.core.models import Agent, Role, Team
from wowdesk.policies.models import (
    Approval,
    ApprovalStatus,
    Grant,
    GrantAction,
    Policy,
    PolicySettings,
    PolicyUnit,
)

TILE_SIZE = 10  # pending approvals on the board tile
PAGE_SIZE = 50  # approvals per page of /policies/approvals/
GRANTS_SHOWN = 20  # grants in the conversation's panel


def action_label(action: str, labels: dict[str, str] | None = None) -> str:
    """The words for an action: a built-in's name, a custom line's label, else its slug."""
    if action in GrantAction.values:
        return str(GrantAction(action).label)
    if labels and labels.get(action):
        return labels[action]
    return action.replace("_", " ")


def fmt_amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if value != value.to_integral_value() else f"{value:.0f}"


def limit_text(policy: Policy) -> str:
    """'up to 50 EUR', 'up to 48 hours', 'any amount' for one policy line."""
    if policy.limit is None:
        return _("any amount")
    n = fmt_amount(policy.limit)
    if policy.unit == PolicyUnit.MONEY:
        return _("up to %(n)s %(currency)s") % {"n": n, "currency": policy.currency}
    if policy.unit == PolicyUnit.HOURS:
        return _("within %(n)s hours") % {"n": n}
    if policy.unit == PolicyUnit.MONTHS:
        return _("up to %(n)s months") % {"n": n}
    return _("up to %(n)s items") % {"n": n}


# --- the settings grid -------------------------------------------------------------------------


def brand_policies(brand_id: int) -> list[Policy]:
    """Every line of the brand's table (enabled or not), one query."""
    return list(
        Policy.objects.filter(brand_id=brand_id)
        .select_related("team")
        .order_by("action", "role", "min_tenure_months", "currency", "id")
    )


def brand_teams(brand_id: int) -> list[Team]:
    return list(Team.objects.filter(brand_id=brand_id).order_by("name"))


def approval_sla_minutes(brand_id: int) -> int:
    row = PolicySettings.objects.filter(brand_id=brand_id).only("approval_sla_minutes").first()
    if row is None:
        return int(PolicySettings._meta.get_field("approval_sla_minutes").get_default())
    return row.approval_sla_minutes


# --- the Grant menu ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One action the agent may pick in the Grant form, with what they may grant alone."""

    action: str
    label: str
    money: bool
    hints: list[str]


def grant_choices(agent: Agent, brand_id: int) -> list[Choice]:
    """The actions of the brand's table (enabled lines), each with the hints of the lines
    that apply to ``agent`` (``services.policies_for``: their role in the brand, tenure and
    team, one line per currency). Three queries."""
    from wowdesk.policies.services import policies_for

    lines = list(Policy.objects.filter(brand_id=brand_id, enabled=True))
    labels = {p.action: p.label for p in lines if p.label}
    mine = policies_for(agent, brand_id)
    actions: dict[str, bool] = {}
    for p in lines:
        actions[p.action] = actions.get(p.action, False) or p.unit == PolicyUnit.MONEY
    choices = []
    for action in sorted(actions, key=lambda a: action_label(a, labels).lower()):
        applies = sorted((p for p in mine if p.action == action), key=lambda p: p.currency)
        choices.append(
            Choice(
                action=action,
                label=action_label(action, labels),
                money=actions[action],
                hints=[limit_text(p) for p in applies],
            )
        )
    return choices


def conversation_grants(conversation_id: int) -> list[Grant]:
    """The conversation's latest grants with their approvals, one query."""
    return list(
        Grant.objects.filter(conversation_id=conversation_id)
        .select_related("agent", "approval", "approval__decided_by")
        .order_by("-created_at", "-id")[:GRANTS_SHOWN]
    )


def _has_approval(grant: Grant) -> bool:
    try:
        grant.approval  # noqa: B018 (a reverse one-to-one: raises when there is none)
    except Approval.DoesNotExist:
        return False
    return True


def grant_rows(grants: list[Grant], labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "grant": g,
            "label": action_label(g.action, labels),
            "amount": fmt_amount(g.amount),
            "approval": g.approval if _has_approval(g) else None,
        }
        for g in grants
    ]


def action_labels(brand_id: int) -> dict[str, str]:
    """The custom actions' labels of a brand (one query)."""
    return dict(
        Policy.objects.filter(brand_id=brand_id)
        .exclude(label="")
        .values_list("action", "label")
        .distinct()
    )


# --- approvals ---------------------------------------------------------------------------------


def _approvals(agent: Agent) -> QuerySet[Approval]:
    return permissions.scope(Approval.objects.all(), agent, role=Role.SUPERVISOR).select_related(
        "brand", "grant", "grant__conversation", "requested_by", "decided_by"
    )


def pending_for(agent: Agent, limit: int = TILE_SIZE) -> tuple[int, list[Approval]]:
    """The pending approvals of the brands ``agent`` supervises, oldest first (two queries:
    the count and the page)."""
    pending = _approvals(agent).filter(status=ApprovalStatus.PENDING)
    total = pending.count()
    return total, list(pending.order_by("created_at", "id")[:limit])


def decided_for(agent: Agent, *, before: int | None = None) -> list[Approval]:
    """Decided approvals, newest first, keyset paged by id (one query)."""
    rows = _approvals(agent).exclude(status=ApprovalStatus.PENDING)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    return list(rows.order_by("-id")[: PAGE_SIZE + 1])


def labels_for_brands(brand_ids: set[int]) -> dict[int, dict[str, str]]:
    """Custom actions' labels per brand (one query)."""
    out: dict[int, dict[str, str]] = {}
    for brand_id, action, label in (
        Policy.objects.filter(brand_id__in=brand_ids)
        .exclude(label="")
        .values_list("brand_id", "action", "label")
    ):
        out.setdefault(brand_id, {})[action] = label
    return out


WHY = {
    "limit": lambda: _("above the agent's limit"),
    "budget": lambda: _("above the monthly budget"),
    "no_policy": lambda: _("no policy line for the agent's role"),
}


def approval_row(
    approval: Approval, labels: dict[int, dict[str, str]], now: dt.datetime
) -> dict[str, Any]:
    grant = approval.grant
    why = WHY.get(approval.why)
    return {
        "a": approval,
        "grant": grant,
        "label": action_label(grant.action, labels.get(approval.brand_id)),
        "amount": fmt_amount(grant.amount),
        "why": why() if why else approval.why,
        "overdue": approval.status == ApprovalStatus.PENDING
        and approval.due_at is not None
        and approval.due_at < now,
    }
