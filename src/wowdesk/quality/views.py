"""Pages of the quality app.

* ``/quality/`` — reviewers: the queue (signals, the pre-score as a hint, "Review") and the
  latest reviews of their brands; agents: "My reviews" (their own shared reviews, never a
  ranking, never handle time);
* ``/quality/review/<conversation_id>/`` — the thread beside the scorecard (yes/no/N-A
  toggles, 1–5 scales, a note; save a draft or share); ``?calibration=<id>`` answers a
  calibration session;
* ``/quality/reviews/<id>/`` — the review: the agent acknowledges and replies, the reviewer
  answers (and finds the coaching link to assign training);
* ``/quality/scorecards/`` — supervisors edit criteria and weights (a settings section);
* ``/quality/calibration/`` and ``/quality/calibration/<id>/`` — sessions, the comparison
  per reviewer, Krippendorff's alpha and the percent agreement.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from wowdesk.core.i18n import render_or
from wowdesk.core.input import check_int
from wowdesk.core.models import Agent, Brand, Membership, Role
from wowdesk.quality import queries, scoring, services
from wowdesk.quality import queue as review_queue
from wowdesk.quality.models import CalibrationSession, Review, ReviewStatus, Scorecard
from wowdesk.web.auth import agent_required
from wowdesk.web.settings_nav import sections_for

PAGE_SIZE = 50
THREAD = 200  # messages of the thread shown beside the scorecard
BLANK_ROWS = 2  # empty criterion rows to add new ones


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _int(request: HttpRequest, name: str, source: Any = None) -> int | None:
    raw = (source if source is not None else request.GET).get(name, "")
    if not raw:
        return None
    return check_int(raw, name)


def _fail(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")


# --- the index: queue and reviews -----------------------------------------------------------


@agent_required()
def index(request: HttpRequest) -> HttpResponse:
    agent = _me(request)
    reviewer_brands = permissions.brands_with_role(agent, Role.SUPERVISOR)
    reviews = list(queries.with_relations(queries.listed(agent))[:PAGE_SIZE])
    context: dict[str, Any] = {"reviewer": bool(reviewer_brands), "reviews": reviews}
    if reviewer_brands:
        context["queue"] = review_queue.queue(reviewer_brands, limit=25)
        context["mine"] = [r for r in reviews if r.agent_id == agent.pk]
    else:
        context["mine"] = reviews
    return render(request, "quality/index.html", context)


# --- the review form ------------------------------------------------------------------------


def _criteria_rows(scorecard: Scorecard, scores: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"c": c, "value": str(scores.get(c.key, scoring.NA))}
        for c in services.criteria_of(scorecard)
    ]


def _review_page(
    request: HttpRequest,
    conversation: Conversation,
    scorecard: Scorecard,
    *,
    calibration: CalibrationSession | None,
    draft: Review | None,
    scores: dict[str, Any],
    note: str,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    thread = [
        {
            "m": m,
            # an activity line in the reader's language (its text spec), else as stored
            "text": render_or((m.meta or {}).get("i18n"), m.body)
            if m.direction == Direction.ACTIVITY
            else m.body,
        }
        for m in Message.objects.filter(conversation=conversation)
        .select_related("author")
        .order_by("-created_at", "-id")[:THREAD]
    ][::-1]
    cards = Scorecard.objects.filter(brand_id=conversation.brand_id, active=True).order_by("name")
    context = {
        "conversation": conversation,
        "thread": thread,
        "scorecard": scorecard,
        "scorecards": cards if calibration is None else [],
        "rows": _criteria_rows(scorecard, scores),
        "calibration": calibration,
        "draft": draft,
        "note": note,
        "error": error,
        "scale": [1, 2, 3, 4, 5],
    }
    return render(request, "quality/review_form.html", context, status=status)


def _scores_from(request: HttpRequest, scorecard: Scorecard) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in services.criteria_of(scorecard):
        raw = request.POST.get(f"score-{c.key}", scoring.NA)
        if c.kind == scoring.SCALE_1_5 and raw != scoring.NA:
            out[c.key] = check_int(raw, f"scores.{c.key}")
        else:
            out[c.key] = raw
    return out


@agent_required()
def review_form(request: HttpRequest, conversation_id: int) -> HttpResponse:
    agent = _me(request)
    try:
        conversation = permissions.get_for_agent(
            Conversation.objects.select_related("customer", "assignee"), agent, conversation_id
        )
        permissions.check_reviews(agent, conversation.brand_id)
        source = request.POST if request.method == "POST" else request.GET
        calibration = None
        calibration_id = _int(request, "calibration", source)
        if calibration_id is not None:
            calibration = queries.get_calibration(agent, calibration_id)
            if calibration.conversation_id != conversation.pk:
                raise NotFound(_("Not found."), field="calibration")
            scorecard = calibration.scorecard
        else:
            scorecard_id = _int(request, "scorecard", source)
            if scorecard_id is not None:
                scorecard = permissions.get_for_agent(Scorecard.objects.all(), agent, scorecard_id)
            else:
                scorecard = services.default_scorecard(conversation.brand_id)
        draft = (
            Review.objects.filter(
                conversation=conversation,
                reviewer=agent,
                status=ReviewStatus.DRAFT,
                calibration__isnull=True,
                scorecard=scorecard,
            ).first()
            if calibration is None
            else None
        )
    except ServiceError as exc:
        return _fail(request, exc)
    if request.method != "POST":
        return _review_page(
            request,
            conversation,
            scorecard,
            calibration=calibration,
            draft=draft,
            scores=draft.scores if draft else {},
            note=draft.note if draft else "",
        )
    note = request.POST.get("note", "")
    share = request.POST.get("action") == "share"
    scores: dict[str, Any] = {}
    try:
        with transaction.atomic():
            scores = _scores_from(request, scorecard)
            if draft is not None:
                review = services.update_review(
                    draft, actor=agent, scores=scores, note=note, share=share
                )
            else:
                review = services.create_review(
                    conversation=conversation,
                    scorecard=scorecard,
                    reviewer=agent,
                    scores=scores,
                    note=note,
                    share=share,
                    calibration=calibration,
                )
    except ServiceError as exc:
        return _review_page(
            request,
            conversation,
            scorecard,
            calibration=calibration,
            draft=draft,
            scores=scores,
            note=note,
            status=exc.status,
            error=exc.message,
        )
    if calibration is not None:
        flash.success(request, _("Your scores are in."))
        return redirect("quality:calibration-detail", calibration.pk)
    flash.success(request, _("Review shared with the agent.") if share else _("Draft saved."))
    return redirect("quality:review", review.pk)


# --- one review -----------------------------------------------------------------------------


def _review_detail(
    request: HttpRequest, review: Review, *, status: int = 200, error: str = ""
) -> HttpResponse:
    agent = _me(request)
    context = {
        "review": review,
        "rows": _criteria_rows(review.scorecard, review.scores),
        "comments": list(review.comments.select_related("author").order_by("created_at", "id")),
        "is_agent": review.agent_id == agent.pk,
        "is_reviewer": permissions.may_review(agent, review.brand_id),
        "may_comment": services.may_comment(agent, review),
        "error": error,
    }
    return render(request, "quality/review.html", context, status=status)


@agent_required()
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        review = queries.get_review(_me(request), pk)
    except ServiceError as exc:
        return _fail(request, exc)
    return _review_detail(request, review)


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    agent = _me(request)
    try:
        review = queries.get_review(agent, pk)
    except ServiceError as exc:
        return _fail(request, exc)
    try:
        with transaction.atomic():
            if action == "comment":
                services.add_comment(review, author=agent, body=request.POST.get("body", ""))
                flash.success(request, _("Reply sent."))
            elif action == "acknowledge":
                services.acknowledge(review, actor=agent)
                flash.success(request, _("Thanks for reading it."))
            else:
                services.share_review(review, actor=agent)
                flash.success(request, _("Review shared with the agent."))
    except ServiceError as exc:
        return _review_detail(request, review, status=exc.status, error=exc.message)
    return redirect("quality:review", pk)


@require_POST
@agent_required()
def review_comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "comment")


@require_POST
@agent_required()
def review_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "acknowledge")


@require_POST
@agent_required()
def review_share(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "share")


# --- scorecards (settings) ------------------------------------------------------------------


def _criteria_from(request: HttpRequest) -> list[dict[str, Any]]:
    keys = request.POST.getlist("key")
    labels = request.POST.getlist("label")
    weights = request.POST.getlist("weight")
    kinds = request.POST.getlist("kind")
    descriptions = request.POST.getlist("description")
    rows = []
    for i, key in enumerate(keys):
        if not key.strip():
            continue
        rows.append(
            {
                "key": key,
                "label": labels[i] if i < len(labels) else key,
                "weight": weights[i] if i < len(weights) else "1",
                "kind": kinds[i] if i < len(kinds) else scoring.YES_NO_NA,
                "description": descriptions[i] if i < len(descriptions) else "",
            }
        )
    return rows


def _scorecards_page(
    request: HttpRequest, brand_id: int, *, status: int = 200, error: str = "", field: str = ""
) -> HttpResponse:
    agent = _me(request)
    services.default_scorecard(brand_id)
    cards = list(Scorecard.objects.filter(brand_id=brand_id).order_by("name", "id"))
    context = {
        "settings_sections": sections_for(agent),
        "settings_section": "scorecards",
        "brands": Brand.objects.filter(
            pk__in=permissions.brands_with_role(agent, Role.SUPERVISOR)
        ).order_by("name"),
        "brand_id": brand_id,
        "cards": cards,
        "kinds": [(scoring.YES_NO_NA, _("Yes / no / N-A")), (scoring.SCALE_1_5, _("Scale 1–5"))],
        "blank": range(BLANK_ROWS),
        "error": error,
        "error_field": field,
    }
    return render(request, "quality/scorecards.html", context, status=status)


@agent_required(Role.SUPERVISOR)
def scorecards(request: HttpRequest) -> HttpResponse:
    agent = _me(request)
    source = request.POST if request.method == "POST" else request.GET
    try:
        brand_id = permissions.pick_brand(agent, _int(request, "brand", source), Role.SUPERVISOR)
        permissions.check_reviews(agent, brand_id)
    except ServiceError as exc:
        return _fail(request, exc)
    if request.method != "POST":
        with transaction.atomic():
            return _scorecards_page(request, brand_id)
    try:
        with transaction.atomic():
            card_id = _int(request, "scorecard", request.POST)
            name = request.POST.get("name", "")
            criteria = _criteria_from(request)
            active = request.POST.get("active") == "1"
            if card_id is None:
                services.create_scorecard(
                    brand_id=brand_id, name=name, criteria=criteria, active=active
                )
            else:
                card = permissions.get_for_agent(
                    Scorecard.objects.select_for_update(), agent, card_id, role=Role.SUPERVISOR
                )
                if card.brand_id != brand_id:
                    raise Forbidden(_("This belongs to a brand you do not work for."))
                services.update_scorecard(card, name=name, criteria=criteria, active=active)
    except ServiceError as exc:
        with transaction.atomic():
            return _scorecards_page(
                request, brand_id, status=exc.status, error=exc.message, field=exc.field or ""
            )
    flash.success(request, _("Scorecard saved."))
    return redirect(f"{reverse('quality:scorecards')}?brand={brand_id}")


# --- calibration ----------------------------------------------------------------------------


def _calibration_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    agent = _me(request)
    brands = permissions.brands_with_role(agent, Role.SUPERVISOR)
    sessions = list(
        CalibrationSession.objects.filter(brand_id__in=brands)
        .select_related("conversation", "scorecard", "created_by")
        .order_by("-created_at", "-id")[:PAGE_SIZE]
    )
    reviewers = list(
        Membership.objects.filter(
            brand_id__in=brands, role__in=[Role.SUPERVISOR, Role.ADMIN], agent__is_active=True
        )
        .order_by("agent__display_name", "agent_id")
        .values_list("agent_id", "agent__display_name")
        .distinct()
    )
    context = {
        "sessions": sessions,
        "reviewers": reviewers,
        "conversation": request.GET.get("conversation", "")[:20],
        "error": error,
    }
    return render(request, "quality/calibration.html", context, status=status)


@agent_required(Role.SUPERVISOR)
def calibration(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _calibration_page(request)
    agent = _me(request)
    try:
        with transaction.atomic():
            conversation_id = _int(request, "conversation", request.POST)
            if conversation_id is None:
                raise InvalidInput(_("Say which conversation."), field="conversation")
            conversation = permissions.get_for_agent(
                Conversation.objects.all(), agent, conversation_id
            )
            reviewer_ids = [
                check_int(v, f"reviewers.{i}")
                for i, v in enumerate(request.POST.getlist("reviewers"))
            ]
            session = services.create_calibration(
                conversation=conversation,
                scorecard=services.default_scorecard(conversation.brand_id),
                reviewer_ids=reviewer_ids,
                actor=agent,
            )
    except ServiceError as exc:
        return _calibration_page(request, status=exc.status, error=exc.message)
    flash.success(request, _("Calibration session started."))
    return redirect("quality:calibration-detail", session.pk)


@agent_required(Role.SUPERVISOR)
def calibration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _me(request)
    try:
        session = queries.get_calibration(agent, pk)
    except ServiceError as exc:
        return _fail(request, exc)
    cmp = queries.comparison(agent, session)
    rows = [
        {**c, "cells": [c["values"].get(r["id"], "") for r in cmp.reviewers]} for c in cmp.criteria
    ]
    mine = next((r for r in cmp.reviewers if r["id"] == agent.pk), None)
    context = {
        "session": session,
        "cmp": cmp,
        "rows": rows,
        "to_answer": mine is not None and not mine["submitted"],
    }
    return render(request, "quality/calibration_detail.html", context)
