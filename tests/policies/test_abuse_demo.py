"""The demo has an open abuse report in each brand, with its evidence the customer's own
message in that brand, by the agent who had the conversation."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from rich.console import Console

from wowdesk.conversations.models import Message
from wowdesk.demo import catalog
from wowdesk.demo.seed import DemoReport, DemoSize, seed_demo
from wowdesk.policies.models import AbuseReport, AbuseStatus


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoReport]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(
            DemoSize(customers=30, conversations=90),
            seed=5,
            console=Console(file=io.StringIO(), width=120),
        )
        transaction.set_rollback(True)


def test_each_brand_has_an_open_report(seeded: DemoReport, db: None) -> None:
    reports = list(AbuseReport.objects.select_related("brand", "conversation"))
    assert {r.brand.slug for r in reports} == {b.slug for b in catalog.BRANDS}
    for r in reports:
        assert r.status == AbuseStatus.OPEN and r.reported_by_id == r.conversation.assignee_id
        [evidence] = Message.objects.filter(pk__in=r.message_ids)
        assert evidence.brand_id == r.brand_id and evidence.sender_id == r.customer_id
