"""The facts kept from events equal a rebuild from the tables, after any sequence of what
people do (hypothesis); a bulk change refreshes its conversations in one go."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_reply, quick_conversation
from wowdesk.analytics import rollups
from wowdesk.analytics.models import ConversationFact, FactTag, HourlyRollup
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core import events
from wowdesk.core.models import Agent, Brand, Role


def snapshot() -> tuple[list[dict[str, Any]], list[tuple[int, int]], list[dict[str, Any]]]:
    facts = [
        {k: v for k, v in row.items() if k != "updated_at"}
        for row in ConversationFact.objects.order_by("pk").values()
    ]
    tags = sorted(FactTag.objects.values_list("fact_id", "tag_id"))
    hours = [
        {k: v for k, v in row.items() if k != "id"}
        for row in HourlyRollup.objects.order_by("brand_id", "hour").values()
    ]
    return facts, tags, hours


actions = st.lists(
    st.tuples(
        st.sampled_from(["open", "reply", "resolve", "customer", "tag", "assign", "bulk"]),
        st.integers(0, 5),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def people(make_agent: Callable[..., Agent]) -> list[Agent]:
    return [make_agent(Role.AGENT, name="Ken"), make_agent(Role.SUPERVISOR, name="Mia")]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_incremental_facts_equal_a_rebuild(
    steps: list[tuple[str, int]],
    brand: Brand,
    people: list[Agent],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ken, mia = people
    with events.isolated("wowdesk.analytics"):
        for action, n in steps:
            with django_capture_on_commit_callbacks(execute=True):
                mine = list(Conversation.objects.filter(brand=brand).order_by("pk"))
                if action == "open" or not mine:
                    quick_conversation(brand, channel="chat" if n % 2 else "email")
                    continue
                c = mine[n % len(mine)]
                if action == "reply":
                    make_reply(c, ken)
                elif action == "resolve":
                    conversations.update_conversation(c, actor=mia, status="resolved")
                elif action == "customer":
                    conversations.append_incoming(
                        c,
                        c.customer,
                        conversations.IncomingMessage(body="Still broken", channel="email"),
                    )
                elif action == "tag":
                    conversations.update_conversation(c, actor=mia, tags=[f"t{n}"])
                elif action == "assign":
                    conversations.update_conversation(c, actor=mia, assignee_id=people[n % 2].pk)
                else:  # one bulk change of several conversations
                    rows = list(
                        Conversation.objects.filter(pk__in=[x.pk for x in mine[:3]])
                        .select_related("inbox")
                        .prefetch_related("tags")
                        .select_for_update()
                    )
                    conversations.update_conversations(
                        [(x, {"status": "resolved", "assignee_id": ken.pk}) for x in rows],
                        actor=mia,
                    )
    live = snapshot()
    rollups.rebuild([brand.pk])
    assert snapshot() == live
    assert len(live[0]) == Conversation.objects.filter(brand=brand).count()
    assert sum(h["conversations"] for h in live[2]) == len(live[0])


def test_a_bulk_change_refreshes_in_one_go(
    brand: Brand,
    people: list[Agent],
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    _ken, mia = people
    with events.isolated("wowdesk.analytics"):
        with django_capture_on_commit_callbacks(execute=True):
            made = [quick_conversation(brand) for _ in range(6)]
        rows = list(
            Conversation.objects.filter(pk__in=[c.pk for c in made])
            .select_related("inbox")
            .prefetch_related("tags")
        )
        with django_capture_on_commit_callbacks() as callbacks:
            conversations.update_conversations(
                [(c, {"status": "resolved"}) for c in rows], actor=mia
            )
        # the facts of six conversations in the queries of one refresh
        with django_assert_max_num_queries(24):
            for callback in callbacks:
                callback()
    assert ConversationFact.objects.filter(resolved_at__isnull=False).count() == 6
    assert not ConversationFact.objects.filter(fcr=None, resolved_at__isnull=False).exists()


def test_cli_analytics_rebuild(brand: Brand, other_brand: Brand) -> None:
    from typer.testing import CliRunner

    from wowdesk.cli import app

    mine, theirs = quick_conversation(brand), quick_conversation(other_brand)
    ConversationFact.objects.all().delete()
    runner = CliRunner()
    result = runner.invoke(app, ["analytics-rebuild", "--brand", "acme"])
    assert result.exit_code == 0, result.output
    assert list(ConversationFact.objects.values_list("pk", flat=True)) == [mine.pk]
    result = runner.invoke(app, ["analytics-rebuild"])
    assert result.exit_code == 0, result.output
    assert ConversationFact.objects.filter(pk=theirs.pk).exists()
    result = runner.invoke(app, ["analytics-rebuild", "--brand", "nope"])
    assert result.exit_code == 2 and "nope" in result.output
