"""The demo seeds each brand's policy table, tenure for its agents, and a few months of
grants (some approved, one declined, one pending) that the cost report reads; a second run
writes nothing more."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from rich.console import Console

from wowdesk.core.models import Agent, Brand, Role
from wowdesk.demo import catalog
from wowdesk.demo.seed import DemoReport, DemoSize, seed_demo
from wowdesk.policies import services
from wowdesk.policies.models import Approval, ApprovalStatus, Grant, GrantStatus, Policy

SIZE = DemoSize(customers=40, conversations=300)


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoReport]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(SIZE, seed=5, console=Console(file=io.StringIO()))
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_each_brand_has_a_table_and_grants(seeded: DemoReport) -> None:
    for spec in catalog.BRANDS:
        brand = Brand.objects.get(slug=spec.slug)
        actions = set(Policy.objects.filter(brand=brand).values_list("action", flat=True))
        assert {"refund", "replacement", "shipping_upgrade", "warranty_extension"} <= actions
        grants = Grant.objects.filter(brand=brand)
        assert grants.count() > 10
        assert grants.filter(status=GrantStatus.DECLINED).count() == 1
        assert grants.filter(status=GrantStatus.PENDING_APPROVAL).count() == 1
        assert Approval.objects.filter(brand=brand, status=ApprovalStatus.APPROVED).exists()
        assert grants.filter(created_at__lt=timezone.now() - dt.timedelta(days=31)).exists()
        supervisor = next(
            a
            for a in Agent.objects.filter(
                memberships__brand=brand, memberships__role=Role.SUPERVISOR
            )
        )
        today = timezone.localdate()
        rows = services.grant_costs(
            supervisor,
            date_from=today - dt.timedelta(days=150),
            date_to=today,
            group_by="action",
            brand_id=brand.pk,
        )
        assert len({r["month"] for r in rows}) >= 2
    tenures = set(Agent.objects.exclude(hired_on=None).values_list("hired_on", flat=True))
    assert len(tenures) >= 3


@pytest.mark.django_db
def test_a_second_run_writes_nothing(seeded: DemoReport) -> None:
    before = Grant.objects.count(), Policy.objects.count()
    again = seed_demo(SIZE, seed=5, console=Console(file=io.StringIO()))
    assert again.seeded == []
    assert (Grant.objects.count(), Policy.objects.count()) == before
