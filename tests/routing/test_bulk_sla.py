"""A bulk change moves the SLA clock of every row it changes, as a change of one
conversation does: waiting on the customer pauses each clock, opening resumes it, a new
priority reschedules it, resolving meets it; rows without a clock are left alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from tests.conftest import ApiClient, inbound
from tests.factories import quick_conversation
from wowdesk.conversations import bulk
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import ConversationSla, SlaState

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin_of_brand(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(Role.ADMIN)


def _clocked(api: ApiClient, admin_api: ApiClient, commits: Any, n: int) -> list[int]:
    r = admin_api.post(
        "/sla-policies",
        {
            "name": "Round the clock",
            "first_response_minutes": 60,
            "next_response_minutes": 120,
            "resolution_minutes": 600,
            "business_hours": False,
            "warn_at": 0.75,
        },
    )
    assert r.status_code == 201, r.content
    ids = []
    for i in range(n):
        with commits():
            body = inbound(f"bulk-sla-{i}", **{"from": {"email": f"c{i}@example.com"}})
            ids.append(api.post("/inbound", body).json()["conversation_id"])
    return ids


def _change(actor: Agent, ids: list[int], changes: dict[str, Any], commits: Any) -> None:
    with commits():
        result = bulk.bulk_update(actor, bulk.parse_changes(changes, actor), ids=ids)
    assert result.updated == ids


def test_every_row_s_clock_follows_the_bulk_change(
    api: ApiClient,
    admin_api: ApiClient,
    brand: Brand,
    admin_of_brand: Agent,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def commits() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    with time_machine.travel(T, tick=False):
        ids = _clocked(api, admin_api, commits, 4)
        plain = quick_conversation(brand)  # no clock (made without an inbound message)
        ConversationSla.objects.filter(pk=plain.pk).delete()
    rows = {r.pk: r for r in ConversationSla.objects.filter(pk__in=ids)}
    assert len(rows) == 4
    assert all(r.due_at == T + dt.timedelta(minutes=60) for r in rows.values())
    with time_machine.travel(T + dt.timedelta(minutes=20), tick=False):
        _change(admin_of_brand, [*ids, plain.pk], {"status": "pending"}, commits)
    for row in ConversationSla.objects.filter(pk__in=ids):
        assert row.paused_at == T + dt.timedelta(minutes=20) and row.due_at is None, row.pk
    assert not ConversationSla.objects.filter(pk=plain.pk).exists()
    # open again 30 minutes later: each clock resumes, 30 minutes later than it was due
    with time_machine.travel(T + dt.timedelta(minutes=50), tick=False):
        _change(admin_of_brand, ids, {"status": "open"}, commits)
    for row in ConversationSla.objects.filter(pk__in=ids):
        assert row.paused_at is None, row.pk
        assert row.due_at == T + dt.timedelta(minutes=90), row.pk
    with time_machine.travel(T + dt.timedelta(minutes=55), tick=False):
        _change(admin_of_brand, ids, {"status": "resolved"}, commits)
    for row in ConversationSla.objects.filter(pk__in=ids):
        assert (row.state, row.target, row.due_at) == (SlaState.MET, "", None), row.pk
