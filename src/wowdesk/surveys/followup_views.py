"""The follow-ups page (``/surveys/followups/``) and the conversation panel "Surveys".

Every agent sees the follow-ups assigned to them; supervisors and administrators see the
brand's too (``permissions.followups_visible``). Open ones first, overdue first; close with
an outcome, reopen, reassign (supervisors), send the prepared check-in or offer message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, InvalidInput, ServiceError
from wowdesk.core.models import Agent, Brand, Membership, Role
from wowdesk.surveys import followup_queries, followup_services, followups
from wowdesk.surveys import services as survey_services
from wowdesk.surveys.delivery import survey_url
from wowdesk.surveys.models import FollowUp, FollowUpKind, FollowUpStatus, Survey, SurveyStatus
from wowdesk.web.auth import agent_required

PAGE_SIZE = 50


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _status(exc: ServiceError) -> int:
    return 400 if exc.status == 422 else exc.status


def _back(request: HttpRequest) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("surveys:followups")


def _row(f: FollowUp, now: Any) -> dict[str, Any]:
    return {
        "f": f,
        "overdue": followup_queries.is_overdue(f, now),
        "reason": followups.reason_text(f),
        "message": followups.prepared_message(f)
        if f.message_sent_at is None and f.conversation_id is not None
        else "",
        "score": f.response.score if f.response is not None else None,
        "survey_kind": f.response.kind if f.response is not None else "",
    }


def _page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    agent = _me(request)
    supervised = permissions.brands_with_role(agent, Role.SUPERVISOR)
    default_assignee = "" if supervised else "me"
    try:
        f = followup_queries.parse_filter(
            status=request.GET.get("status", "open"),
            assignee=request.GET.get("assignee", default_assignee),
            kind=request.GET.get("kind", ""),
            overdue=request.GET.get("overdue", ""),
            brand=request.GET.get("brand", ""),
        )
        now = timezone.now()
        qs = followup_queries.listed(agent, f, now)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    paginator = Paginator(followup_queries.with_relations(qs), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [_row(x, now) for x in page.object_list]
    # who a supervisor may reassign to: the active agents of the brands they supervise
    assignees: dict[int, list[tuple[int, str]]] = {}
    if supervised:
        for agent_id, name, brand_id in (
            Membership.objects.filter(brand_id__in=supervised, agent__is_active=True)
            .order_by("agent__display_name", "agent_id")
            .values_list("agent_id", "agent__display_name", "brand_id")
        ):
            assignees.setdefault(brand_id, []).append((agent_id, name))
    for row in rows:
        row["may_reassign"] = row["f"].brand_id in supervised
        row["assignees"] = assignees.get(row["f"].brand_id, [])
    visible_brands = permissions.visible_brand_ids(agent)
    brands = list(Brand.objects.filter(pk__in=visible_brands).order_by("name"))
    context = {
        "rows": rows,
        "page": page,
        "filter": f,
        "supervisor": bool(supervised),
        "brands": brands if len(brands) > 1 else [],
        "kinds": FollowUpKind.choices,
        "statuses": [("open", _("Open")), ("done", _("Done")), ("", _("All"))],
        "error": error,
        "query": request.GET.urlencode(),
        "open_mine": followup_queries.visible(agent)
        .filter(assignee_id=agent.pk, status=FollowUpStatus.OPEN)
        .count(),
    }
    return render(request, "surveys/followups.html", context, status=status)


@agent_required()
def followups_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    agent = _me(request)
    try:
        with transaction.atomic():
            followup = followup_queries.get_for_agent(agent, pk)
            followup_queries.check_may_work(agent, followup)
            if action == "close":
                followup_services.close_followup(
                    followup, actor=agent, outcome=request.POST.get("outcome", "")
                )
                flash.success(request, _("Follow-up closed."))
            elif action == "reopen":
                followup_services.reopen_followup(followup, actor=agent)
                flash.success(request, _("Follow-up reopened."))
            elif action == "reassign":
                followup_queries.check_may_reassign(agent, followup)
                raw = request.POST.get("assignee", "")
                if raw and not (raw.isascii() and raw.isdigit()):
                    raise InvalidInput(_("Choose an agent."), field="assignee")
                followup_services.reassign_followup(followup, assignee_id=int(raw) if raw else None)
                flash.success(request, _("Follow-up reassigned."))
            elif action == "send":
                send_message(followup, actor=agent)
                flash.success(request, _("Message sent to the customer."))
    except ServiceError as exc:
        flash.error(request, exc.message)
        status = _status(exc)
        if request.POST.get("next"):
            return redirect(_back(request))
        return _page(request, status=status, error=exc.message)
    return redirect(_back(request))


def send_message(followup: FollowUp, *, actor: Agent) -> None:
    """Send the follow-up's prepared message (a check-in, a warranty offer) as a reply on
    its conversation, once."""
    if followup.message_sent_at is not None:
        raise InvalidInput(_("This message was sent already."), field="message")
    text = followups.prepared_message(followup)
    conversation = followup.conversation
    if not text or conversation is None:
        raise InvalidInput(_("This follow-up has no message to send."), field="message")
    if conversation.brand_id not in permissions.visible_brand_ids(actor):
        raise Forbidden(_("This conversation is not yours to answer."))
    conversations.add_reply(
        conversation, author=actor, body=text, language=conversation.language or ""
    )
    followup_services.mark_message_sent(followup)


@require_POST
@agent_required()
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "close")


@require_POST
@agent_required()
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reopen")


@require_POST
@agent_required()
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reassign")


@require_POST
@agent_required()
def send(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "send")


@require_POST
@agent_required()
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel's "Send now": the survey (and the others of its resolution) goes out now,
    then back to the conversation with what happened."""
    try:
        survey = survey_services.do_send_now(_me(request), pk)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        flash.error(request, exc.message)
        conversation_id = Survey.objects.filter(pk=pk).values_list("conversation_id", flat=True)
        target = conversation_id.first()
        return redirect("web:conversation", target) if target else redirect("web:inbox")
    flash.success(request, _("The survey was sent to the customer."))
    return redirect("web:conversation", survey.conversation_id)


# --- the conversation's panel ---------------------------------------------------------------


def panel_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """The panel loads its content after the page (no query here: opening a conversation
    costs what it cost)."""
    return {"url": reverse("surveys:conversation-panel", args=[conversation.pk])}


@require_GET
@agent_required()
def conversation_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel's content: the conversation's surveys (kind, status, score, why) and the
    follow-ups the reader may see — three queries whatever their number."""
    agent = _me(request)
    try:
        conversation = permissions.get_for_agent(Conversation.objects.all(), agent, pk)
    except ServiceError as exc:
        raise Http404(exc.message) from exc
    surveys = list(
        Survey.objects.filter(conversation_id=conversation.pk)
        .select_related("response")
        .order_by("-resolved_at", "kind", "id")[:20]
    )
    found = list(
        FollowUp.objects.filter(conversation_id=conversation.pk)
        .filter(permissions.followups_visible(agent))
        .select_related("assignee")
        .order_by("-created_at", "-id")[:10]
    )
    now = timezone.now()
    context = {
        "surveys": [
            {
                "s": s,
                "score": getattr(getattr(s, "response", None), "score", None),
                "comment": getattr(getattr(s, "response", None), "comment", ""),
                # the customer's link, to open or paste in a reply (not once it expired)
                "url": survey_url(s.pk) if s.status != SurveyStatus.EXPIRED else "",
            }
            for s in surveys
        ],
        "followups": [
            {
                "f": f,
                "overdue": followup_queries.is_overdue(f, now),
                "reason": followups.reason_text(f),
            }
            for f in found
        ],
        "followups_url": reverse("surveys:followups"),
    }
    return render(request, "surveys/_conversation_surveys.html", context)
