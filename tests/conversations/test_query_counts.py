"""Query counts pinned (the conventions): a page of 50 costs what a page of 5 costs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.channels import outbox
from wowdesk.conversations import services as conversations
from wowdesk.core import services as core
from wowdesk.core.models import Agent, Brand, Role

# auth (token), the agent's brands, COUNT, the page (joins), tags (prefetch)
LIST_QUERIES = 5
# auth, brands, the conversation (joins), tags (prefetch), the messages (joins)
DETAIL_QUERIES = 5


@pytest.fixture
def staff(brand: Brand, make_agent: Callable[..., Agent]) -> dict[str, list[Any]]:
    agents = [make_agent(Role.AGENT) for _ in range(3)]
    teams = [core.create_team(brand_id=brand.pk, name=f"Team {i}") for i in range(3)]
    return {"agents": agents, "teams": teams}


@pytest.mark.parametrize("n", [5, 50])
def test_list_conversations(
    n: int,
    api: ApiClient,
    brand: Brand,
    staff: dict[str, list[Any]],
    django_assert_num_queries: Any,
) -> None:
    for i in range(n):
        conversation = quick_conversation(brand)
        conversations.update_conversation(
            conversation,
            actor=None,
            assignee_id=staff["agents"][i % 3].pk,
            team_id=staff["teams"][i % 3].pk,
            tags=[f"t{i % 4}", f"t{(i + 1) % 4}"],
        )
    api.get("/me")  # the token's last_used_at is written on first use
    with django_assert_num_queries(LIST_QUERIES):
        response = api.get("/conversations", page_size=100, status="open,pending")
    items = response.json()["items"]
    assert len(items) == n
    assert all(i["assignee"] and i["team"] and len(i["tags"]) == 2 for i in items)


@pytest.mark.parametrize("n", [3, 30])
def test_get_conversation(
    n: int,
    api: ApiClient,
    agent: Agent,
    brand: Brand,
    staff: dict[str, list[Any]],
    django_assert_num_queries: Any,
) -> None:
    conversation = quick_conversation(brand)
    conversations.ensure_tags(brand.pk, ["a"])  # agents tag with existing tags
    conversations.update_conversation(
        conversation, actor=agent, assignee_id=agent.pk, team_id=staff["teams"][0].pk, tags=["a"]
    )
    kinds = ("out", "note", "in")
    for i in range(n - 1):  # n messages with the first one (and three activities above)
        kind = kinds[i % 3]
        if kind == "in":
            conversations.append_incoming(
                conversation,
                conversation.customer,
                conversations.IncomingMessage(body=f"m{i}", channel="api"),
            )
        else:
            author = staff["agents"][i % 3]
            message = conversations.add_reply(
                conversation, author=author, body=f"r{i}", private=kind == "note"
            )
            if kind == "out" and i % 2:
                outbox.deliver(message.outbox.pk)
    api.get("/me")
    with django_assert_num_queries(DETAIL_QUERIES):
        response = api.get(f"/conversations/{conversation.pk}")
    messages = response.json()["messages"]
    assert len([m for m in messages if m["direction"] != "activity"]) == n
    assert {m["direction"] for m in messages} == {"in", "out", "note", "activity"}
