"""``wowdesk demo`` seeds quality reviews: a scorecard per demo brand, shared reviews with
coaching notes, one reply, one calibration session; nothing more on a second run."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from rich.console import Console

from wowdesk.demo import catalog
from wowdesk.demo.seed import DemoReport, DemoSize, seed_demo
from wowdesk.demo.seed_quality import seed_quality
from wowdesk.quality.models import CalibrationSession, Review, ReviewComment, Scorecard

SLUGS = [b.slug for b in catalog.BRANDS]


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoReport]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(
            DemoSize(customers=12, conversations=80), console=Console(file=io.StringIO())
        )
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_demo_brands_have_reviews_a_reply_and_a_calibration(seeded: DemoReport) -> None:
    for slug in SLUGS:
        assert Scorecard.objects.filter(brand__slug=slug).count() == 1
        shared = Review.objects.filter(brand__slug=slug, status="shared")
        assert shared.count() >= 3
        assert all(r.note and r.score is not None and r.agent_id for r in shared)
        assert ReviewComment.objects.filter(brand__slug=slug).count() == 1
        session = CalibrationSession.objects.get(brand__slug=slug)
        assert session.reviews.count() == session.reviewers.count() >= 2
    before = Review.objects.count()
    assert seed_quality(SLUGS) == 0 and Review.objects.count() == before
