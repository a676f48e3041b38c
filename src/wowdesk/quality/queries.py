"""Reads of the quality app: who sees which review, blind calibration, the comparison."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, NotFound
from wowdesk.core.models import Agent, Role
from wowdesk.quality import agreement, scoring
from wowdesk.quality.models import CalibrationSession, Review, ReviewStatus
from wowdesk.quality.services import criteria_of


def visible_reviews(agent: Agent) -> QuerySet[Review]:
    """Reviewers see every review of the brands they review; an agent the shared reviews
    of their own conversations (``permissions.reviews_visible``), never a calibration one."""
    reviewer_brands = permissions.brands_with_role(agent, Role.SUPERVISOR)
    return Review.objects.filter(
        permissions.reviews_visible(agent)
        & (
            Q(brand_id__in=reviewer_brands)
            | Q(status=ReviewStatus.SHARED, calibration__isnull=True)
        )
    )


def with_relations(qs: QuerySet[Review]) -> QuerySet[Review]:
    return qs.select_related(
        "conversation", "agent__user", "reviewer__user", "scorecard", "calibration"
    )


def listed(
    agent: Agent,
    *,
    agent_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    brand_id: int | None = None,
) -> QuerySet[Review]:
    """The reviews of the lists (calibration answers are in their session), newest first."""
    qs = visible_reviews(agent).filter(calibration__isnull=True)
    if agent_id is not None:
        qs = qs.filter(agent_id=agent_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    if brand_id is not None:
        qs = qs.filter(brand_id=brand_id)
    return qs.order_by("-created_at", "-id")


def get_review(agent: Agent, pk: int) -> Review:
    """One review: 404 missing, 403 another brand's or not the caller's to read (an agent
    reading a colleague's, a calibration reviewer peeking before answering)."""
    review = with_relations(Review.objects.filter(pk=pk)).first()
    if review is None:
        raise NotFound(_("Not found."), field="id")
    permissions.check_brand(agent, review.brand_id)
    if not visible_reviews(agent).filter(pk=pk).exists():
        raise Forbidden(_("This review is not yours to read."), field="id")
    if review.calibration_id is not None and review.reviewer_id != agent.pk:
        assert review.calibration is not None
        if not sees_answers(agent, review.calibration):
            raise Forbidden(_("Score the conversation first: calibration is blind."), field="id")
    return review


def get_calibration(agent: Agent, pk: int) -> CalibrationSession:
    session = (
        CalibrationSession.objects.filter(pk=pk)
        .select_related("conversation", "scorecard", "created_by__user")
        .prefetch_related("reviewers", "reviews")
        .first()
    )
    if session is None:
        raise NotFound(_("Not found."), field="id")
    permissions.check_reviews(agent, session.brand_id)
    return session


def sees_answers(agent: Agent, session: CalibrationSession) -> bool:
    """Blind: a reviewer of the session sees the others' scores once they sent their own;
    a supervisor who is not one of its reviewers sees them at once."""
    reviewer_ids = {a.pk for a in session.reviewers.all()}
    if agent.pk not in reviewer_ids:
        return True
    return any(r.reviewer_id == agent.pk for r in session.reviews.all())


@dataclass
class Comparison:
    reviewers: list[dict[str, Any]]  # {"id", "name", "submitted", "score"}
    criteria: list[dict[str, Any]]  # {"key", "label", "kind", "values": {reviewer_id: v}}
    alpha: float | None
    percent: float | None
    visible: bool
    units: list[list[float | None]] = field(default_factory=list)


def comparison(agent: Agent, session: CalibrationSession) -> Comparison:
    """Per criterion, each reviewer's answer; Krippendorff's alpha (interval, answers as
    0 … 1, N/A missing) over criteria × reviewers and the plain percent agreement. Hidden
    (``visible`` false, no values) from a reviewer who has not answered yet."""
    reviewers = sorted(session.reviewers.all(), key=lambda a: (a.display_name, a.pk))
    reviews = {r.reviewer_id: r for r in session.reviews.all()}
    visible = sees_answers(agent, session)
    criteria = criteria_of(session.scorecard)
    rows: list[dict[str, Any]] = []
    units: list[list[float | None]] = []
    for c in criteria:
        values: dict[int, Any] = {}
        unit: list[float | None] = []
        for a in reviewers:
            r = reviews.get(a.pk)
            v = r.scores.get(c.key, scoring.NA) if r is not None else None
            if visible and r is not None:
                values[a.pk] = v
            unit.append(scoring.normalise(c.kind, v) if r is not None else None)
        rows.append({"key": c.key, "label": c.label, "kind": c.kind, "values": values})
        units.append(unit)
    people = [
        {
            "id": a.pk,
            "name": a.display_name,
            "submitted": a.pk in reviews,
            "score": reviews[a.pk].score if visible and a.pk in reviews else None,
        }
        for a in reviewers
    ]
    return Comparison(
        reviewers=people,
        criteria=rows,
        alpha=agreement.alpha(units, "interval") if visible else None,
        percent=agreement.percent_agreement(units) if visible else None,
        visible=visible,
        units=units if visible else [],
    )
