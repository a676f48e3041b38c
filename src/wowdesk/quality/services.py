"""Every write of the quality app: scorecards, reviews, their comments and calibration
sessions. Views and the API parse input and call these; nothing else writes the tables.

Sharing a review tells its agent (``review_received``); a reply tells the other side (the
reviewer when the agent writes, the agent when a reviewer answers). ``review.created`` is
announced for every review stored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wowdesk.conversations.models import Conversation
from wowdesk.core import events, permissions
from wowdesk.core.errors import Conflict, Forbidden, InvalidInput
from wowdesk.core.events import Event
from wowdesk.core.input import check_line, check_text
from wowdesk.core.models import Agent, Membership, Role
from wowdesk.quality import scoring
from wowdesk.quality.models import (
    CalibrationSession,
    CalibrationStatus,
    Review,
    ReviewComment,
    ReviewStatus,
    Scorecard,
)

MAX_CRITERIA = 20
MAX_NOTE = 10_000
MAX_COMMENT = 5_000
MAX_REVIEWERS = 10
DEFAULT_NAME = gettext_lazy("Default scorecard")
DEFAULT_LABELS = {
    "empathy": (gettext_lazy("Empathy"), gettext_lazy("Acknowledged how the customer felt.")),
    "accuracy": (gettext_lazy("Accuracy"), gettext_lazy("What was said was correct.")),
    "resolution": (gettext_lazy("Resolution"), gettext_lazy("The problem was solved.")),
    "clarity": (
        gettext_lazy("Clarity"),
        gettext_lazy("Clear, simple, in the customer's words."),
    ),
    "policy": (gettext_lazy("Policy"), gettext_lazy("Granted within the framework.")),
}


# --- scorecards -----------------------------------------------------------------------------


def criteria_of(scorecard: Scorecard) -> list[scoring.Criterion]:
    return [
        scoring.Criterion(
            key=str(c["key"]),
            label=str(c.get("label", c["key"])),
            weight=float(c.get("weight", 1)),
            kind=str(c.get("kind", scoring.YES_NO_NA)),
            description=str(c.get("description", "")),
        )
        for c in scorecard.criteria or []
    ]


def parse_criteria(raw: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check a scorecard's criteria: keys unique (``a-z0-9_``), labels one line, weights
    0–100 with at least one above 0, a known kind, never handle time."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    items = list(raw)
    if not items:
        raise InvalidInput(_("A scorecard needs at least one criterion."), field="criteria")
    if len(items) > MAX_CRITERIA:
        raise InvalidInput(
            _("A scorecard has at most %(n)d criteria.") % {"n": MAX_CRITERIA}, field="criteria"
        )
    for i, c in enumerate(items):
        f = f"criteria.{i}"
        key = str(c.get("key") or "").strip().lower()
        check_line(key, f"{f}.key", max_length=40, min_length=1)
        if not key.replace("_", "").isalnum() or not key.isascii():
            raise InvalidInput(
                _("A key is made of letters a–z, digits and underscores."), field=f"{f}.key"
            )
        if key in seen:
            raise InvalidInput(_("Each criterion needs its own key."), field=f"{f}.key")
        seen.add(key)
        label = str(c.get("label") or key).strip()
        check_line(label, f"{f}.label", max_length=120, min_length=1)
        if scoring.is_handle_time(key) or scoring.is_handle_time(label):
            raise InvalidInput(
                _("Handle time is never a quality criterion: reviews coach, they do not time."),
                field=f"{f}.key",
            )
        try:
            weight = float(c.get("weight", 1))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                _("A weight is a number from 0 to 100."), field=f"{f}.weight"
            ) from exc
        if not 0 <= weight <= scoring.MAX_WEIGHT:
            raise InvalidInput(_("A weight is a number from 0 to 100."), field=f"{f}.weight")
        kind = str(c.get("kind") or scoring.YES_NO_NA)
        if kind not in scoring.KINDS:
            raise InvalidInput(_("Choose yes/no/N-A or a 1–5 scale."), field=f"{f}.kind")
        description = str(c.get("description") or "")
        check_text(description, f"{f}.description", max_length=500)
        out.append(
            {"key": key, "label": label, "weight": weight, "kind": kind, "description": description}
        )
    if not any(c["weight"] > 0 for c in out):
        raise InvalidInput(_("At least one criterion needs a weight above 0."), field="criteria")
    return out


def _check_name(brand_id: int, name: str, exclude: int | None = None) -> str:
    name = name.strip()
    check_line(name, "name", max_length=120, min_length=1)
    clash = Scorecard.objects.filter(brand_id=brand_id, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict(_("A scorecard of this brand has this name already."), field="name")
    return name


def create_scorecard(
    *, brand_id: int, name: str, criteria: Iterable[Mapping[str, Any]], active: bool = True
) -> Scorecard:
    now = timezone.now()
    return Scorecard.objects.create(
        brand_id=brand_id,
        name=_check_name(brand_id, name),
        criteria=parse_criteria(criteria),
        active=active,
        created_at=now,
        updated_at=now,
    )


def update_scorecard(
    scorecard: Scorecard,
    *,
    name: str | None = None,
    criteria: Iterable[Mapping[str, Any]] | None = None,
    active: bool | None = None,
) -> Scorecard:
    """Change a scorecard. Reviews already stored keep their score."""
    if name is not None:
        scorecard.name = _check_name(scorecard.brand_id, name, exclude=scorecard.pk)
    if criteria is not None:
        scorecard.criteria = parse_criteria(criteria)
    if active is not None:
        scorecard.active = active
    scorecard.updated_at = timezone.now()
    scorecard.save(update_fields=["name", "criteria", "active", "updated_at"])
    return scorecard


def default_scorecard(brand_id: int) -> Scorecard:
    """The brand's first active scorecard; made (empathy, accuracy, resolution, clarity,
    policy) the first time a brand needs one."""
    found = Scorecard.objects.filter(brand_id=brand_id, active=True).order_by("id").first()
    if found is not None:
        return found
    criteria = [
        {
            "key": c.key,
            "label": str(DEFAULT_LABELS[c.key][0]),
            "weight": c.weight,
            "kind": c.kind,
            "description": str(DEFAULT_LABELS[c.key][1]),
        }
        for c in scoring.DEFAULT_CRITERIA
    ]
    name = str(DEFAULT_NAME)
    if Scorecard.objects.filter(brand_id=brand_id, name=name).exists():
        name = f"{name} {timezone.now():%Y-%m-%d %H%M%S}"
    return create_scorecard(brand_id=brand_id, name=name, criteria=criteria)


# --- reviews --------------------------------------------------------------------------------


def check_scores(scorecard: Scorecard, scores: Mapping[str, Any]) -> dict[str, Any]:
    """Each key a criterion of the scorecard, each value an answer of its kind ("na" for
    not applicable); a criterion left out is N/A."""
    kinds = {c.key: c.kind for c in criteria_of(scorecard)}
    clean: dict[str, Any] = {}
    for key, value in scores.items():
        if key not in kinds:
            raise InvalidInput(
                _("This scorecard has no criterion %(key)s.") % {"key": key},
                field=f"scores.{key}"[:200],
            )
        if not scoring.valid_value(kinds[key], value):
            if kinds[key] == scoring.YES_NO_NA:
                reason = _('Answer "yes", "no" or "na".')
            else:
                reason = _('Answer a whole number from 1 to 5, or "na".')
            raise InvalidInput(reason, field=f"scores.{key}")
        clean[key] = value
    return clean


def _score(scorecard: Scorecard, scores: Mapping[str, Any]) -> float | None:
    return scoring.weighted_score(criteria_of(scorecard), scores)


def create_review(
    *,
    conversation: Conversation,
    scorecard: Scorecard,
    reviewer: Agent,
    scores: Mapping[str, Any],
    note: str = "",
    share: bool = False,
    calibration: CalibrationSession | None = None,
) -> Review:
    """Store a review of ``conversation`` by ``reviewer`` (a supervisor or administrator of
    its brand). The agent reviewed is the conversation's assignee now. A calibration
    review is the reviewer's one answer in the session and is never shared with the agent."""
    permissions.check_reviews(reviewer, conversation.brand_id)
    if scorecard.brand_id != conversation.brand_id:
        raise InvalidInput(_("This scorecard belongs to another brand."), field="scorecard_id")
    if not scorecard.active:
        raise InvalidInput(_("This scorecard is not active."), field="scorecard_id")
    if calibration is not None:
        if calibration.conversation_id != conversation.pk:
            raise InvalidInput(
                _("This calibration session is about another conversation."),
                field="conversation_id",
            )
        if calibration.scorecard_id != scorecard.pk:
            raise InvalidInput(
                _("This calibration session uses another scorecard."), field="scorecard_id"
            )
        if calibration.status != CalibrationStatus.OPEN:
            raise InvalidInput(_("This calibration session is closed."), field="calibration_id")
        if not calibration.reviewers.filter(pk=reviewer.pk).exists():
            raise Forbidden(
                _("You are not a reviewer of this calibration session."), field="calibration_id"
            )
        share = False
    check_text(note, "note", max_length=MAX_NOTE)
    clean = check_scores(scorecard, scores)
    now = timezone.now()
    try:
        with transaction.atomic():
            review = Review.objects.create(
                brand_id=conversation.brand_id,
                conversation=conversation,
                agent_id=conversation.assignee_id,
                reviewer=reviewer,
                scorecard=scorecard,
                calibration=calibration,
                scores=clean,
                score=_score(scorecard, clean),
                note=note,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("You have scored this calibration session already."), field="calibration_id"
        ) from exc
    events.emit(
        Event.REVIEW_CREATED,
        review_id=review.pk,
        brand_id=review.brand_id,
        conversation_id=conversation.pk,
        agent_id=review.agent_id,
        score=review.score,
    )
    if share:
        share_review(review, actor=reviewer)
    return review


def update_review(
    review: Review, *, actor: Agent, scores: Mapping[str, Any], note: str, share: bool = False
) -> Review:
    """Change a draft (its reviewer only); shared reviews stay as the agent read them."""
    if review.reviewer_id != actor.pk:
        raise Forbidden(_("Only its reviewer changes a review."), field="review")
    if review.status != ReviewStatus.DRAFT or review.calibration_id is not None:
        raise InvalidInput(_("This review cannot be changed any more."), field="review")
    check_text(note, "note", max_length=MAX_NOTE)
    review.scores = check_scores(review.scorecard, scores)
    review.score = _score(review.scorecard, review.scores)
    review.note = note
    review.updated_at = timezone.now()
    review.save(update_fields=["scores", "score", "note", "updated_at"])
    if share:
        share_review(review, actor=actor)
    return review


def share_review(review: Review, *, actor: Agent) -> Review:
    """Show the review to its agent and tell them (``review_received``)."""
    permissions.check_reviews(actor, review.brand_id)
    if review.calibration_id is not None:
        raise InvalidInput(_("Calibration reviews are not shared."), field="review")
    if review.status == ReviewStatus.SHARED:
        return review
    now = timezone.now()
    review.status = ReviewStatus.SHARED
    review.shared_at = now
    review.updated_at = now
    review.save(update_fields=["status", "shared_at", "updated_at"])
    if review.agent_id is not None:
        _notify(review, review.agent_id, actor, "shared")
    return review


def acknowledge(review: Review, *, actor: Agent) -> Review:
    """The agent reviewed says they read it (once)."""
    if review.agent_id != actor.pk or review.status != ReviewStatus.SHARED:
        raise Forbidden(_("Only the agent reviewed acknowledges a review."), field="review")
    if review.acknowledged_at is None:
        review.acknowledged_at = timezone.now()
        review.save(update_fields=["acknowledged_at"])
    return review


def may_comment(agent: Agent, review: Review) -> bool:
    """The agent reviewed (once it is shared) or a reviewer of the brand."""
    if review.brand_id not in permissions.visible_brand_ids(agent):
        return False
    if permissions.may_review(agent, review.brand_id):
        return True
    return review.agent_id == agent.pk and review.status == ReviewStatus.SHARED


def add_comment(review: Review, *, author: Agent, body: str) -> ReviewComment:
    """A reply of the agent reviewed, or a reviewer's answer; the other side is told."""
    if not may_comment(author, review):
        raise Forbidden(_("Only the agent reviewed or a reviewer replies here."), field="body")
    body = body.strip()
    check_text(body, "body", max_length=MAX_COMMENT, min_length=1)
    comment = ReviewComment.objects.create(
        review=review, brand_id=review.brand_id, author=author, body=body, created_at=timezone.now()
    )
    if author.pk == review.agent_id:
        if review.reviewer_id is not None:
            _notify(review, review.reviewer_id, author, "reply")
    elif review.agent_id is not None and review.status == ReviewStatus.SHARED:
        _notify(review, review.agent_id, author, "answer")
    return comment


def _notify(review: Review, agent_id: int, actor: Agent, what: str) -> None:
    from wowdesk.notifications import services as notifications
    from wowdesk.notifications.models import Kind

    conversation = review.conversation
    notifications.deliver(
        [
            notifications.Draft(
                agent_id=agent_id,
                brand_id=review.brand_id,
                kind=Kind.REVIEW_RECEIVED,
                conversation_id=conversation.pk,
                actor_id=actor.pk,
                params={
                    "number": conversation.number,
                    "actor": actor.display_name,
                    "review_id": review.pk,
                    "what": what,
                },
            )
        ]
    )


# --- calibration ----------------------------------------------------------------------------


def create_calibration(
    *,
    conversation: Conversation,
    scorecard: Scorecard,
    reviewer_ids: Iterable[int],
    actor: Agent,
) -> CalibrationSession:
    """A session where each of ``reviewer_ids`` (supervisors or administrators of the
    conversation's brand, at least two) scores the conversation blind."""
    permissions.check_reviews(actor, conversation.brand_id)
    if scorecard.brand_id != conversation.brand_id:
        raise InvalidInput(_("This scorecard belongs to another brand."), field="scorecard_id")
    ids = list(dict.fromkeys(int(i) for i in reviewer_ids))
    if not 2 <= len(ids) <= MAX_REVIEWERS:
        raise InvalidInput(
            _("Choose from 2 to %(n)d reviewers.") % {"n": MAX_REVIEWERS}, field="reviewer_ids"
        )
    allowed = set(
        Membership.objects.filter(
            brand_id=conversation.brand_id,
            agent_id__in=ids,
            role__in=[Role.SUPERVISOR, Role.ADMIN],
            agent__is_active=True,
        ).values_list("agent_id", flat=True)
    )
    for i, pk in enumerate(ids):
        if pk not in allowed:
            raise InvalidInput(
                _("Reviewers are supervisors or administrators of the brand."),
                field=f"reviewer_ids.{i}",
            )
    session = CalibrationSession.objects.create(
        brand_id=conversation.brand_id,
        conversation=conversation,
        scorecard=scorecard,
        created_by=actor,
        created_at=timezone.now(),
    )
    session.reviewers.set(ids)
    return session


def close_calibration(session: CalibrationSession, *, actor: Agent) -> CalibrationSession:
    permissions.check_reviews(actor, session.brand_id)
    session.status = CalibrationStatus.CLOSED
    session.save(update_fields=["status"])
    return session
