"""Demo data of quality reviews: per demo brand, its default scorecard, a handful of
shared reviews with coaching notes (one answered by the agent) and one calibration session
scored by up to three reviewers. Idempotent (a brand with reviews is left), deterministic
(the oldest resolved conversations), fast (a few rows per brand)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from wowdesk.conversations.models import Conversation, Status
from wowdesk.core.models import Agent, Brand, Membership, Role
from wowdesk.quality import services
from wowdesk.quality.models import Review

REVIEWS: list[tuple[dict[str, Any], str]] = [
    (
        {"empathy": 5, "accuracy": "yes", "resolution": "yes", "clarity": 4, "policy": "na"},
        "Warm and precise. Naming the next step and its day made the customer relax.",
    ),
    (
        {"empathy": 3, "accuracy": "yes", "resolution": "no", "clarity": 3, "policy": "yes"},
        "Right facts, but the customer had to ask twice. Offer the replacement on the spot: "
        "it is within your limit.",
    ),
    (
        {"empathy": 4, "accuracy": "no", "resolution": "yes", "clarity": 5, "policy": "yes"},
        "Clear and kind. The warranty is 24 months, not 12 — check the product page.",
    ),
    (
        {"empathy": 2, "accuracy": "yes", "resolution": "yes", "clarity": 4, "policy": "na"},
        "Solved, yet the first answer skipped how upset the customer was. Acknowledge first.",
    ),
]
CALIBRATION: list[dict[str, Any]] = [
    {"empathy": 4, "accuracy": "yes", "resolution": "yes", "clarity": 4, "policy": "na"},
    {"empathy": 4, "accuracy": "yes", "resolution": "no", "clarity": 3, "policy": "na"},
    {"empathy": 5, "accuracy": "yes", "resolution": "yes", "clarity": 4, "policy": "yes"},
]
REPLY = "Thanks — I did not know I could offer that myself. I will next time."


def seed_quality(brand_slugs: list[str]) -> int:
    """Seed the brands named; returns the number of reviews written."""
    written = 0
    with transaction.atomic():
        for brand in Brand.objects.filter(slug__in=brand_slugs).order_by("id"):
            written += _seed_brand(brand)
    return written


def _seed_brand(brand: Brand) -> int:
    card = services.default_scorecard(brand.pk)
    if Review.objects.filter(brand=brand).exists():
        return 0
    reviewer_ids = list(
        Membership.objects.filter(
            brand=brand, role__in=[Role.SUPERVISOR, Role.ADMIN], agent__is_active=True
        )
        .order_by("role", "agent_id")
        .values_list("agent_id", flat=True)[:3]
    )
    if not reviewer_ids:
        return 0
    reviewers = {a.pk: a for a in Agent.objects.filter(pk__in=reviewer_ids)}
    lead = reviewers[reviewer_ids[0]]
    picked = list(
        Conversation.objects.filter(
            brand=brand, status=Status.RESOLVED, assignee__isnull=False
        ).order_by("id")[: len(REVIEWS) + 1]
    )
    written = 0
    for (scores, note), conversation in zip(REVIEWS, picked, strict=False):
        review = services.create_review(
            conversation=conversation,
            scorecard=card,
            reviewer=lead,
            scores=scores,
            note=note,
            share=True,
        )
        written += 1
        if written == 2 and conversation.assignee is not None:
            services.add_comment(review, author=conversation.assignee, body=REPLY)
    if len(reviewer_ids) >= 2 and len(picked) > len(REVIEWS):
        target = picked[len(REVIEWS)]
        session = services.create_calibration(
            conversation=target, scorecard=card, reviewer_ids=reviewer_ids, actor=lead
        )
        for pk, scores in zip(reviewer_ids, CALIBRATION, strict=False):
            services.create_review(
                conversation=target,
                scorecard=card,
                reviewer=reviewers[pk],
                scores=scores,
                calibration=session,
            )
            written += 1
    return written
