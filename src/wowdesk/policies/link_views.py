"""The signed approve/decline link's page (``/policies/approve/<token>/``): GET shows the
grant with Approve and Decline buttons, POST decides as the supervisor the link was mailed
to. No sign-in is needed (the token names the supervisor and the approval); a signed-in
person who is not that supervisor is refused, as is an expired, altered or used link."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent
from wowdesk.policies import services, tokens
from wowdesk.policies.models import Approval, ApprovalStatus

TEMPLATE = "policies/approve_link.html"


def _refuse(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, TEMPLATE, {"refused": reason}, status=status)


def _load(request: HttpRequest, token: str) -> tuple[Agent, Approval] | HttpResponse:
    link = tokens.read_token(token)
    if link is None:
        return _refuse(request, _("This link is not valid."), 404)
    if link.expired():
        return _refuse(request, _("This link has expired; decide in the workspace instead."), 410)
    agent = Agent.objects.select_related("user").filter(pk=link.agent_id, is_active=True).first()
    approval = (
        Approval.objects.select_related("grant", "grant__conversation", "requested_by")
        .filter(pk=link.approval_id)
        .first()
    )
    if agent is None or approval is None:
        return _refuse(request, _("This link is not valid."), 404)
    if not permissions.may_decide_approvals(agent, approval.brand_id):
        return _refuse(request, _("This link was sent to another supervisor."), 403)
    signed_in: Agent | None = getattr(request.user, "agent", None)
    if request.user.is_authenticated and (signed_in is None or signed_in.pk != agent.pk):
        return _refuse(request, _("This link was sent to another supervisor."), 403)
    return agent, approval


def _context(agent: Agent, approval: Approval, **more: Any) -> dict[str, Any]:
    grant = approval.grant
    return {
        "approval": approval,
        "grant": grant,
        "what": services.what_of(grant),
        "requester": approval.requested_by.display_name if approval.requested_by else "",
        "number": grant.conversation.number,
        "decider": agent,
        "pending": approval.status == ApprovalStatus.PENDING,
        **more,
    }


@never_cache
def approve_link(request: HttpRequest, token: str) -> HttpResponse:
    loaded = _load(request, token)
    if isinstance(loaded, HttpResponse):
        return loaded
    agent, approval = loaded
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        note = request.POST.get("note", "")
        try:
            with transaction.atomic():
                approval = services.decide_approval(agent, approval, decision=decision, note=note)
        except ServiceError as exc:
            return render(
                request,
                TEMPLATE,
                _context(agent, Approval.objects.get(pk=approval.pk), error=exc.message),
                status=exc.status,
            )
        approval = Approval.objects.select_related(
            "grant", "grant__conversation", "requested_by"
        ).get(pk=approval.pk)
        return render(request, TEMPLATE, _context(agent, approval, decided=True))
    if request.method != "GET":
        return HttpResponse(status=405)
    return render(request, TEMPLATE, _context(agent, approval))
