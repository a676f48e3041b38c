"""Policies and personal data: what the policies app keeps about a customer (grants,
approvals, abuse reports) erased with them and exported for them (``customer.erasing``),
and the conversation panel with the administrator's "Export data" and "Erase personal
data" (docs/privacy.md).

Grants keep action, amount, currency, status, agent, team and times (the cost report
does not change); their reason and details become ``[erased]``, and so do the notes of
their approvals. Abuse reports about the customer are deleted: they hold a judgement of
a person and quote their messages.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core import privacy as core_privacy
from wowdesk.core.models import Role
from wowdesk.core.privacy import ERASED, scrub
from wowdesk.policies.models import AbuseReport, Approval, Grant


def on_customer_erasing(customer_id: int, brand_id: int) -> None:
    conversation_ids = Conversation.objects.filter(customer_id=customer_id).values("pk")
    grants = list(Grant.objects.filter(customer_id=customer_id))
    grants += list(
        Grant.objects.filter(conversation_id__in=conversation_ids).exclude(customer_id=customer_id)
    )
    for g in grants:
        g.reason = ERASED if g.reason else ""
        g.details = scrub(g.details or {})
    Grant.objects.bulk_update(grants, ["reason", "details"], batch_size=500)
    core_privacy.tally("grants", len(grants))
    Approval.objects.filter(grant__in=[g.pk for g in grants]).exclude(note="").update(note=ERASED)
    reports, _by_model = AbuseReport.objects.filter(customer_id=customer_id).delete()
    core_privacy.tally("abuse_reports", reports)


def export_grants(customer_id: int, brand_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": g.pk,
            "conversation_id": g.conversation_id,
            "action": g.action,
            "amount": g.amount,
            "currency": g.currency,
            "reason": g.reason,
            "details": g.details,
            "status": g.status,
            "created_at": g.created_at.isoformat(),
        }
        for g in Grant.objects.filter(customer_id=customer_id).order_by("pk")
    ]


def export_abuse_reports(customer_id: int, brand_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": r.pk,
            "conversation_id": r.conversation_id,
            "message_ids": r.message_ids,
            "note": r.note,
            "status": r.status,
            "decision": r.decision,
            "created_at": r.created_at.isoformat(),
            "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        }
        for r in AbuseReport.objects.filter(customer_id=customer_id).order_by("pk")
    ]


def panel_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any] | None:
    """The "Personal data" panel: for administrators of the conversation's brand only.
    No query of its own: the roles are cached on the agent, the customer is loaded with
    the conversation; the erasure's row is read only for an erased customer."""
    agent = getattr(request, "agent", None)
    if agent is None or not permissions.has_role_in(agent, Role.ADMIN, conversation.brand_id):
        return None
    customer = conversation.customer
    if customer is None:
        return None
    erasure = None
    if customer.erased_at is not None:
        from wowdesk.customers.privacy import erasure_of

        erasure = erasure_of(customer)
    return {"customer": customer, "erasure": erasure, "conversation_id": conversation.pk}


def register() -> None:
    """Listener, export sections and panel (called from ``PoliciesConfig.ready``)."""
    from wowdesk.core.events import Event, Phase, listen
    from wowdesk.web.panels import register_panel

    listen(
        Event.CUSTOMER_ERASING,
        "wowdesk.policies.privacy.on_customer_erasing",
        phase=Phase.TRANSACTION,
    )
    core_privacy.register_exporter("grants", "wowdesk.policies.privacy.export_grants", order=50)
    core_privacy.register_exporter(
        "abuse_reports", "wowdesk.policies.privacy.export_abuse_reports", order=51
    )
    register_panel("privacy", "policies/_privacy_panel.html", order=900, context=panel_context)
