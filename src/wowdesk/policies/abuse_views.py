"""Pages of abusive customers.

* the conversation's "Report abuse" panel (``panel_context``; its body loads after the
  page: ``abuse_panel``, ``abuse_report``): the restriction banner for everyone of the
  brand, the customer's messages to select as evidence and a note;
* ``/policies/abuse/`` (supervisors and admins): open reports with the evidence quoted and
  the customer's history, the decision buttons, and the restricted customers with their
  latest messages (which reach no agent) and a "Lift" button.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, ServiceError
from wowdesk.core.kinds import Channel
from wowdesk.core.models import Agent, Role
from wowdesk.customers.models import Customer, Restriction
from wowdesk.policies import abuse_services, abuse_texts
from wowdesk.policies.models import AbuseReport, AbuseStatus
from wowdesk.web.auth import agent_required

LIST_SIZE = 50  # open reports, and restricted customers, on the page
EVIDENCE_CHOICES = 30  # the customer's latest messages offered as evidence
LATEST_PER_CUSTOMER = 3


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _forbidden(request: HttpRequest, reason: Any) -> HttpResponse:
    return render(request, "web/forbidden.html", {"reason": reason}, status=403)


# --- the conversation panel -----------------------------------------------------------------


def panel_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """The banner (the customer's restriction, one query at most) and the body's URL."""
    customer = conversation.customer
    return {
        "url": reverse("policies:abuse-panel", args=[conversation.pk]),
        "restriction": customer.restriction,
        "label": customer.get_restriction_display() if customer.restriction else "",
        "reason": customer.restriction_reason,
    }


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    try:
        return permissions.get_for_agent(
            Conversation.objects.select_related("customer", "inbox"), _me(request), pk
        )
    except ServiceError as exc:
        raise Http404(exc.message) from exc


def _panel(
    request: HttpRequest,
    conversation: Conversation,
    *,
    status: int = 200,
    error: str = "",
    error_field: str = "",
    done: bool = False,
) -> HttpResponse:
    agent = _me(request)
    evidence = list(
        Message.objects.filter(conversation_id=conversation.pk, direction=Direction.IN)
        .only("pk", "body", "created_at", "channel")
        .order_by("-id")[:EVIDENCE_CHOICES]
    )
    context = {
        "conversation": conversation,
        "customer": conversation.customer,
        "messages_in": evidence,
        "decides": permissions.has_role_in(agent, Role.SUPERVISOR, conversation.brand_id),
        "error": error,
        "error_field": error_field,
        "done": done,
        "note": request.POST.get("note", "") if error else "",
        "picked": {int(i) for i in request.POST.getlist("message_ids") if i.isdigit()}
        if error
        else set(),
    }
    return render(request, "policies/_abuse_panel_body.html", context, status=status)


@require_GET
@agent_required()
def abuse_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel's body: the customer's latest messages to flag, and a note."""
    return _panel(request, _conversation(request, pk))


@require_POST
@agent_required()
def abuse_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Flag the customer of the conversation with the selected messages."""
    conversation = _conversation(request, pk)
    ids = [int(i) for i in request.POST.getlist("message_ids") if i.isdigit()]
    try:
        with transaction.atomic():
            abuse_services.report_abuse(
                _me(request),
                conversation.customer,
                conversation_id=conversation.pk,
                message_ids=ids,
                note=request.POST.get("note", ""),
            )
    except ServiceError as exc:
        return _panel(
            request,
            conversation,
            status=400 if exc.status == 422 else exc.status,
            error=str(exc.message),
            error_field=exc.field or "",
        )
    return _panel(request, conversation, done=True)


# --- the supervisors' page ------------------------------------------------------------------


@require_GET
@agent_required()
def abuse_page(request: HttpRequest) -> HttpResponse:
    """Open reports (evidence quoted, the customer's history) and restricted customers (their
    latest messages): a constant number of queries whatever their number."""
    agent = _me(request)
    brands = permissions.brands_with_role(agent, Role.SUPERVISOR)
    if not brands:
        return _forbidden(request, _("This page is for supervisors and administrators."))
    reports = list(
        abuse_services.with_relations(
            AbuseReport.objects.filter(brand_id__in=brands, status=AbuseStatus.OPEN)
        ).order_by("-id")[:LIST_SIZE]
    )
    evidence = abuse_services.evidence_of(reports)
    customer_ids = {r.customer_id for r in reports}
    conversations = dict(
        Conversation.objects.filter(customer_id__in=customer_ids)
        .values("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
    )
    earlier = dict(
        AbuseReport.objects.filter(customer_id__in=customer_ids)
        .values("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
    )
    restricted = list(
        Customer.objects.filter(
            brand_id__in=brands,
            restriction__in=[Restriction.WARNED, Restriction.RESTRICTED, Restriction.BLOCKED],
        )
        .select_related("restricted_by__user")
        .order_by("-restricted_at", "-id")[:LIST_SIZE]
    )
    latest: dict[int, list[Message]] = {c.pk: [] for c in restricted}
    if restricted:
        for m in (
            Message.objects.filter(
                sender_id__in=list(latest), direction=Direction.IN, brand_id__in=brands
            )
            .select_related("conversation")
            .only("pk", "body", "created_at", "channel", "sender_id", "conversation__number")
            .order_by("-id")[: LIST_SIZE * LATEST_PER_CUSTOMER * 4]
        ):
            shown = latest[m.sender_id]  # type: ignore[index]
            if len(shown) < LATEST_PER_CUSTOMER:
                shown.append(m)
    context = {
        "reports": [
            {
                "r": r,
                "evidence": [evidence[i] for i in r.message_ids or [] if i in evidence],
                "conversations": conversations.get(r.customer_id, 0),
                "reports": earlier.get(r.customer_id, 0),
                "rtl": abuse_texts.is_rtl(r.customer.language),
            }
            for r in reports
        ],
        "restricted": [{"c": c, "latest": latest[c.pk]} for c in restricted],
        "channels": Channel.choices,
        "decisions": [
            ("warned", _("Warn")),
            ("restricted", _("Restrict to one channel")),
            ("blocked", _("End the relationship")),
            ("dismiss", _("Dismiss")),
        ],
    }
    return render(request, "policies/abuse.html", context)


def _decider_redirect(request: HttpRequest, error: ServiceError | None) -> HttpResponse:
    if error is not None:
        flash.error(request, str(error.message))
    return redirect("policies:abuse")


@require_POST
@agent_required()
def abuse_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor's decision on a report (the page's buttons)."""
    agent = _me(request)
    report = AbuseReport.objects.select_related("customer").filter(pk=pk).first()
    if report is None or report.brand_id not in permissions.visible_brand_ids(agent):
        raise Http404(_("Not found."))
    if not permissions.has_role_in(agent, Role.SUPERVISOR, report.brand_id):
        return _forbidden(request, _("This page is for supervisors and administrators."))
    try:
        with transaction.atomic():
            abuse_services.decide_report(
                agent,
                report,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
                channel=request.POST.get("channel", ""),
            )
    except ServiceError as exc:
        return _decider_redirect(request, exc)
    flash.success(request, _("Decision recorded."))
    return redirect("policies:abuse")


@require_POST
@agent_required()
def abuse_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift a customer's restriction (the page's "Lift" button)."""
    agent = _me(request)
    try:
        customer = permissions.get_for_agent(Customer.objects.all(), agent, pk)
    except ServiceError as exc:
        raise Http404(exc.message) from exc
    try:
        with transaction.atomic():
            abuse_services.lift(agent, customer, reason=request.POST.get("reason", ""))
    except Forbidden as exc:
        return _forbidden(request, exc.message)
    except ServiceError as exc:
        return _decider_redirect(request, exc)
    flash.success(request, _("Restriction lifted."))
    return redirect("policies:abuse")
