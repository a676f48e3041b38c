"""API: quality reviews that coach.

* ``POST /api/v1/qa/reviews`` ``{"conversation_id", "scorecard_id", "scores": {...},
  "note", "share"?: true, "calibration_id"?}`` → 201 with the score (0–100)
* ``GET /api/v1/qa/reviews?agent=&from=&to=&brand_id=&page=&page_size=``;
  ``GET /api/v1/qa/reviews/{id}``; ``POST /api/v1/qa/reviews/{id}/comments`` ``{"body"}``;
  ``POST /api/v1/qa/reviews/{id}/share``; ``POST /api/v1/qa/reviews/{id}/acknowledge``
* ``GET/POST /api/v1/qa/scorecards``, ``PATCH /api/v1/qa/scorecards/{id}``
* ``GET /api/v1/qa/queue?brand=&limit=``
* ``POST /api/v1/qa/calibrations`` ``{"conversation_id", "scorecard_id", "reviewer_ids"}``,
  ``GET /api/v1/qa/calibrations``, ``GET /api/v1/qa/calibrations/{id}``

Supervisors and administrators review (``permissions.may_review``); an agent reads the
shared reviews of their own conversations and replies (``permissions.reviews_visible``).
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import Forbidden
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS, AgentRef, Line, Page, SaneDate, agent_ref
from wowdesk.quality import queries, services
from wowdesk.quality import queue as review_queue
from wowdesk.quality.models import CalibrationSession, Review, ReviewComment, Scorecard

router = Router(tags=["quality"])


class CriterionIO(Schema):
    key: Line = Field(..., max_length=40)
    label: Line = Field("", max_length=120)
    weight: float = Field(1, ge=0, le=100)
    kind: str = Field("yes_no_na", max_length=16)
    description: str = Field("", max_length=500)


class ScorecardOut(Schema):
    id: int
    brand_id: int
    name: str
    active: bool
    criteria: list[CriterionIO]


class ScorecardIn(Schema):
    brand_id: int | None = Field(None, ge=1, le=2**62)
    name: Line = Field(..., min_length=1, max_length=120)
    criteria: list[CriterionIO] = Field(..., min_length=1, max_length=services.MAX_CRITERIA)
    active: bool = True


class ScorecardPatch(Schema):
    name: Line | None = Field(None, min_length=1, max_length=120)
    criteria: list[CriterionIO] | None = Field(None, min_length=1, max_length=20)
    active: bool | None = None


class CommentOut(Schema):
    id: int
    author: AgentRef | None
    body: str
    created_at: dt.datetime


class ReviewOut(Schema):
    id: int
    brand_id: int
    conversation_id: int
    conversation_number: int
    agent: AgentRef | None
    reviewer: AgentRef | None
    scorecard_id: int
    calibration_id: int | None
    scores: dict[str, Any]
    score: float | None
    note: str
    status: str
    shared_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    created_at: dt.datetime
    comments: list[CommentOut] | None = None


class ReviewsOut(Page):
    items: list[ReviewOut]


class ReviewIn(Schema):
    conversation_id: int = Field(..., ge=1, le=2**62)
    scorecard_id: int = Field(..., ge=1, le=2**62)
    scores: dict[str, int | str] = Field(..., max_length=50)
    note: str = Field("", max_length=services.MAX_NOTE)
    share: bool = True
    calibration_id: int | None = Field(None, ge=1, le=2**62)


class CommentIn(Schema):
    body: str = Field(..., min_length=1, max_length=services.MAX_COMMENT)


class ReviewsQuery(Schema):
    agent: int | None = Field(None, ge=1, le=2**62)
    from_: SaneDate | None = Field(None, alias="from")
    to: SaneDate | None = None
    brand_id: int | None = Field(None, ge=1, le=2**62)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class QueueItemOut(Schema):
    conversation_id: int
    brand_id: int
    number: int
    subject: str
    assignee: AgentRef | None
    resolved_at: dt.datetime | None
    signals: list[str]
    reasons: list[str]
    pre_score: int
    pre_score_is_a_hint: bool = True


class CalibrationIn(Schema):
    conversation_id: int = Field(..., ge=1, le=2**62)
    scorecard_id: int = Field(..., ge=1, le=2**62)
    reviewer_ids: list[int] = Field(..., min_length=2, max_length=services.MAX_REVIEWERS)


class CalibrationReviewerOut(Schema):
    id: int
    name: str
    submitted: bool
    score: float | None


class CalibrationCriterionOut(Schema):
    key: str
    label: str
    kind: str
    values: dict[str, int | str]


class CalibrationOut(Schema):
    id: int
    brand_id: int
    conversation_id: int
    scorecard_id: int
    status: str
    created_by: AgentRef | None
    created_at: dt.datetime
    reviewers: list[CalibrationReviewerOut]
    criteria: list[CalibrationCriterionOut]
    visible: bool
    alpha: float | None
    percent_agreement: float | None


def scorecard_out(s: Scorecard) -> ScorecardOut:
    return ScorecardOut(
        id=s.pk,
        brand_id=s.brand_id,
        name=s.name,
        active=s.active,
        criteria=[CriterionIO(**c) for c in s.criteria],
    )


def review_out(r: Review, comments: list[ReviewComment] | None = None) -> ReviewOut:
    return ReviewOut(
        id=r.pk,
        brand_id=r.brand_id,
        conversation_id=r.conversation_id,
        conversation_number=r.conversation.number,
        agent=agent_ref(r.agent),
        reviewer=agent_ref(r.reviewer),
        scorecard_id=r.scorecard_id,
        calibration_id=r.calibration_id,
        scores=r.scores,
        score=r.score,
        note=r.note,
        status=r.status,
        shared_at=r.shared_at,
        acknowledged_at=r.acknowledged_at,
        created_at=r.created_at,
        comments=None
        if comments is None
        else [
            CommentOut(id=c.pk, author=agent_ref(c.author), body=c.body, created_at=c.created_at)
            for c in comments
        ],
    )


def _comments(review: Review) -> list[ReviewComment]:
    return list(review.comments.select_related("author__user").order_by("created_at", "id"))


def _full(request: HttpRequest, review_id: int) -> ReviewOut:
    review = queries.get_review(me(request), review_id)
    return review_out(review, _comments(review))


# --- scorecards -----------------------------------------------------------------------------


@router.get("/qa/scorecards", response={200: list[ScorecardOut], **ERRORS})
def list_scorecards(
    request: HttpRequest, brand_id: int | None = Query(None, ge=1, le=2**62)
) -> list[ScorecardOut]:
    """The scorecards of my brands (every agent reads them: their reviews use them)."""
    agent = me(request)
    if brand_id is not None:
        permissions.check_brand(agent, brand_id)
    rows = permissions.scope(Scorecard.objects.all(), agent)
    if brand_id is not None:
        rows = rows.filter(brand_id=brand_id)
    return [scorecard_out(s) for s in rows.order_by("brand_id", "name", "id")[:200]]


@router.post("/qa/scorecards", response={201: ScorecardOut, **ERRORS})
@transaction.atomic
def create_scorecard(request: HttpRequest, payload: ScorecardIn) -> Status[ScorecardOut]:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, payload.brand_id, role=Role.SUPERVISOR)
    permissions.check_reviews(agent, brand_id)
    s = services.create_scorecard(
        brand_id=brand_id,
        name=payload.name,
        criteria=[c.dict() for c in payload.criteria],
        active=payload.active,
    )
    return Status(201, scorecard_out(s))


@router.patch("/qa/scorecards/{scorecard_id}", response={200: ScorecardOut, **ERRORS})
@transaction.atomic
def update_scorecard(
    request: HttpRequest, scorecard_id: int, payload: ScorecardPatch
) -> ScorecardOut:
    agent = me(request)
    s = permissions.get_for_agent(
        Scorecard.objects.select_for_update(), agent, scorecard_id, role=Role.SUPERVISOR
    )
    services.update_scorecard(
        s,
        name=payload.name,
        criteria=[c.dict() for c in payload.criteria] if payload.criteria is not None else None,
        active=payload.active,
    )
    return scorecard_out(s)


# --- reviews --------------------------------------------------------------------------------


@router.post("/qa/reviews", response={201: ReviewOut, **ERRORS})
@transaction.atomic
def create_review(request: HttpRequest, payload: ReviewIn) -> Status[ReviewOut]:
    """Score a conversation; shared with its agent at once unless ``share`` is false (a
    draft) or it answers a calibration session (never shared)."""
    agent = me(request)
    conversation = permissions.get_for_agent(
        Conversation.objects.all(), agent, payload.conversation_id
    )
    permissions.check_reviews(agent, conversation.brand_id)
    scorecard = permissions.get_for_agent(Scorecard.objects.all(), agent, payload.scorecard_id)
    calibration = None
    if payload.calibration_id is not None:
        calibration = permissions.get_for_agent(
            CalibrationSession.objects.all(), agent, payload.calibration_id, role=Role.SUPERVISOR
        )
    review = services.create_review(
        conversation=conversation,
        scorecard=scorecard,
        reviewer=agent,
        scores=payload.scores,
        note=payload.note,
        share=payload.share,
        calibration=calibration,
    )
    return Status(201, _full(request, review.pk))


@router.get("/qa/reviews", response={200: ReviewsOut, **ERRORS})
def list_reviews(request: HttpRequest, q: Query[ReviewsQuery]) -> ReviewsOut:
    """Reviewers: every review of their brands; an agent: the shared reviews of their own
    conversations. Newest first, bounded pages."""
    agent = me(request)
    if q.brand_id is not None:
        permissions.check_brand(agent, q.brand_id)
    qs = queries.listed(
        agent,
        agent_id=q.agent,
        since=dt.datetime.combine(q.from_, dt.time.min, tzinfo=dt.UTC) if q.from_ else None,
        until=dt.datetime.combine(q.to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        if q.to
        else None,
        brand_id=q.brand_id,
    )
    total = qs.count()
    start = (q.page - 1) * q.page_size
    rows = queries.with_relations(qs)[start : start + q.page_size]
    return ReviewsOut(
        items=[review_out(r) for r in rows], total=total, page=q.page, page_size=q.page_size
    )


@router.get("/qa/reviews/{review_id}", response={200: ReviewOut, **ERRORS})
def get_review(request: HttpRequest, review_id: int) -> ReviewOut:
    return _full(request, review_id)


@router.post("/qa/reviews/{review_id}/comments", response={201: ReviewOut, **ERRORS})
@transaction.atomic
def add_comment(request: HttpRequest, review_id: int, payload: CommentIn) -> Status[ReviewOut]:
    """A reply of the agent reviewed or a reviewer's answer; the other side is told."""
    agent = me(request)
    review = queries.get_review(agent, review_id)
    services.add_comment(review, author=agent, body=payload.body)
    return Status(201, _full(request, review_id))


@router.post("/qa/reviews/{review_id}/share", response={200: ReviewOut, **ERRORS})
@transaction.atomic
def share_review(request: HttpRequest, review_id: int) -> ReviewOut:
    agent = me(request)
    review = queries.get_review(agent, review_id)
    services.share_review(review, actor=agent)
    return _full(request, review_id)


@router.post("/qa/reviews/{review_id}/acknowledge", response={200: ReviewOut, **ERRORS})
@transaction.atomic
def acknowledge_review(request: HttpRequest, review_id: int) -> ReviewOut:
    agent = me(request)
    review = queries.get_review(agent, review_id)
    services.acknowledge(review, actor=agent)
    return _full(request, review_id)


# --- the queue ------------------------------------------------------------------------------


@router.get("/qa/queue", response={200: list[QueueItemOut], **ERRORS})
def get_queue(
    request: HttpRequest,
    brand: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(25, ge=1, le=review_queue.MAX_LIMIT),
) -> list[QueueItemOut]:
    """Resolved conversations worth reviewing, with their signals and the pre-score: a
    hint of how likely one needs attention, never a review's score."""
    agent = me(request)
    if brand is not None:
        permissions.check_reviews(agent, brand)
        brands = {brand}
    else:
        brands = permissions.brands_with_role(agent, Role.SUPERVISOR)
        if not brands:
            raise Forbidden(_("Only supervisors and administrators review conversations."))
    return [
        QueueItemOut(
            conversation_id=i.conversation.pk,
            brand_id=i.conversation.brand_id,
            number=i.conversation.number,
            subject=i.conversation.subject,
            assignee=agent_ref(i.conversation.assignee),
            resolved_at=i.resolved_at,
            signals=i.signals,
            reasons=i.reasons,
            pre_score=i.pre_score,
        )
        for i in review_queue.queue(brands, limit=limit)
    ]


# --- calibration ----------------------------------------------------------------------------


def calibration_out(agent: Any, s: CalibrationSession) -> CalibrationOut:
    cmp = queries.comparison(agent, s)
    return CalibrationOut(
        id=s.pk,
        brand_id=s.brand_id,
        conversation_id=s.conversation_id,
        scorecard_id=s.scorecard_id,
        status=s.status,
        created_by=agent_ref(s.created_by),
        created_at=s.created_at,
        reviewers=[CalibrationReviewerOut(**r) for r in cmp.reviewers],
        criteria=[
            CalibrationCriterionOut(
                key=c["key"],
                label=c["label"],
                kind=c["kind"],
                values={str(k): v for k, v in c["values"].items()},
            )
            for c in cmp.criteria
        ],
        visible=cmp.visible,
        alpha=cmp.alpha,
        percent_agreement=cmp.percent,
    )


@router.post("/qa/calibrations", response={201: CalibrationOut, **ERRORS})
@transaction.atomic
def create_calibration(request: HttpRequest, payload: CalibrationIn) -> Status[CalibrationOut]:
    agent = me(request)
    conversation = permissions.get_for_agent(
        Conversation.objects.all(), agent, payload.conversation_id
    )
    permissions.check_reviews(agent, conversation.brand_id)
    scorecard = permissions.get_for_agent(Scorecard.objects.all(), agent, payload.scorecard_id)
    s = services.create_calibration(
        conversation=conversation,
        scorecard=scorecard,
        reviewer_ids=payload.reviewer_ids,
        actor=agent,
    )
    return Status(201, calibration_out(agent, queries.get_calibration(agent, s.pk)))


@router.get("/qa/calibrations", response={200: list[CalibrationOut], **ERRORS})
def list_calibrations(request: HttpRequest) -> list[CalibrationOut]:
    agent = me(request)
    brands = permissions.brands_with_role(agent, Role.SUPERVISOR)
    if not brands:
        raise Forbidden(_("Only supervisors and administrators review conversations."))
    rows = (
        CalibrationSession.objects.filter(brand_id__in=brands)
        .select_related("created_by__user", "scorecard")
        .prefetch_related("reviewers", "reviews")
        .order_by("-created_at", "-id")[:50]
    )
    return [calibration_out(agent, s) for s in rows]


@router.get("/qa/calibrations/{calibration_id}", response={200: CalibrationOut, **ERRORS})
def get_calibration(request: HttpRequest, calibration_id: int) -> CalibrationOut:
    agent = me(request)
    return calibration_out(agent, queries.get_calibration(agent, calibration_id))
