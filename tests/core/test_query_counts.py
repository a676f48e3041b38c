"""Query counts pinned (the conventions): a page of 50 costs what a page of 5 costs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.core import services as core
from wowdesk.core.models import Agent, Brand, Role


@pytest.mark.parametrize("n", [5, 50])
def test_list_agents(
    n: int,
    api: ApiClient,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    django_assert_num_queries: Any,
) -> None:
    sites = [
        core.create_site(name=f"S{i}", timezone_name="UTC", brand_ids=[brand.pk]) for i in range(2)
    ]
    teams = [core.create_team(brand_id=brand.pk, name=f"T{i}") for i in range(2)]
    for i in range(n):
        a = make_agent(Role.AGENT, brands=[brand, other_brand], site_id=sites[i % 2].pk)
        teams[i % 2].members.add(a)
    api.get("/me")
    # auth, brands, agents (user, site), brands, teams, sites' brands (prefetches),
    # open conversations per agent and channel (their load, one aggregate)
    with django_assert_num_queries(7):
        data = api.get("/agents").json()
    assert data["total"] == n + 1  # and the caller
    with_site = [a for a in data["items"] if a["site"]]
    assert len(with_site) == n
    assert all(a["brand_ids"] == sorted([brand.pk, other_brand.pk]) for a in with_site)
    assert all(len(a["team_ids"]) == 1 for a in with_site)


@pytest.mark.parametrize("n", [3, 30])
def test_other_lists(
    n: int,
    api: ApiClient,
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    django_assert_num_queries: Any,
) -> None:
    agent = make_agent(Role.AGENT)
    for i in range(n):
        core.create_team(brand_id=brand.pk, name=f"T{i}", member_ids=[agent.pk])
        core.create_site(name=f"S{i}", timezone_name="UTC", brand_ids=[brand.pk])
        conversations.create_tag(brand_id=brand.pk, name=f"tag{i}")
        conversations.create_inbox(brand_id=brand.pk, name=f"I{i}", channel="api")
        message = conversations.add_reply(quick_conversation(brand), author=agent, body="x")
        assert message.outbox is not None
    sup = make_api(make_agent(Role.SUPERVISOR))
    sup.get("/me")
    expected = {
        "/teams": 4,
        "/sites": 4,
        "/tags": 3,
        "/inboxes": 3,
        "/outbox": 3,
        "/inbound": 4,
        "/tokens": 3,  # auth (token with agent and user, brand ids), the list
    }
    for path, queries in expected.items():
        with django_assert_num_queries(queries):
            response = sup.get(path)
        assert response.status_code == 200, path
