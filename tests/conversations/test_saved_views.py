"""Saved views (``/api/v1/views``) per role and brand: who sees, edits and shares which, the
counts (the list's own, at most one COUNT per view), and the sorts a view may hold."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.conversations import queries
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, SavedView
from wowdesk.core import services as core
from wowdesk.core.models import Agent, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


@pytest.fixture
def urgent(brand: Brand, other_brand: Brand) -> dict[str, list[Conversation]]:
    """Two urgent and one normal conversation in each brand."""
    out: dict[str, list[Conversation]] = {}
    for key, b in (("a", brand), ("b", other_brand)):
        rows = [quick_conversation(b) for _ in range(3)]
        for c in rows[:2]:
            conversations.update_conversation(c, actor=None, priority="urgent")
        out[key] = rows
    return out


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("home", ["a", "b"])
def test_a_personal_view_per_role_and_brand(
    role: str,
    home: str,
    urgent: dict[str, list[Conversation]],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    mine, theirs = (brand, other_brand) if home == "a" else (other_brand, brand)
    owner = make_api(make_agent(role, brands=[mine]))
    made = owner.post("/views", {"name": "Urgent", "params": {"priority": "urgent"}})
    assert made.status_code == 201, made.content
    view = made.json()
    assert view["brand_id"] == mine.pk and view["can_edit"] is True
    listed = owner.get("/views").json()
    assert [(v["id"], v["count"]) for v in listed] == [(view["id"], 2)]
    rows = owner.get(f"/views/{view['id']}/conversations").json()
    assert rows["total"] == 2 and {r["brand_id"] for r in rows["items"]} == {mine.pk}
    # the same role in the other brand, and a colleague of the same brand, see nothing
    for other in (make_agent(role, brands=[theirs]), make_agent(Role.AGENT, brands=[mine])):
        api = make_api(other)
        assert api.get("/views").json() == []
        assert api.get(f"/views/{view['id']}/conversations").status_code == 404
        assert api.patch(f"/views/{view['id']}", {"name": "Mine now"}).status_code == 404
        assert api.delete(f"/views/{view['id']}").status_code == 404
    renamed = owner.patch(f"/views/{view['id']}", {"name": "Urgent ones"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Urgent ones"
    assert owner.delete(f"/views/{view['id']}").status_code == 204
    assert not SavedView.objects.exists()


def test_team_and_brand_views_who_sees_edits_and_shares(
    urgent: dict[str, list[Conversation]],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    member, colleague, outsider = (make_agent(Role.AGENT) for _ in range(3))
    supervisor = make_agent(Role.SUPERVISOR)
    stranger = make_agent(Role.ADMIN, brands=[other_brand])
    team = core.create_team(brand_id=brand.pk, name="Returns", member_ids=[member.pk, colleague.pk])
    other_team = core.create_team(brand_id=brand.pk, name="Billing", member_ids=[outsider.pk])
    api = make_api(member)
    # an agent shares with a team of theirs, not with another team nor the whole brand
    refused = api.post(
        "/views", {"name": "x", "params": {}, "scope": "team", "team_id": other_team.pk}
    )
    assert refused.status_code == 403 and refused.json()["field"] == "team_id"
    assert api.post("/views", {"name": "x", "params": {}, "scope": "brand"}).status_code == 403
    assert api.post("/views", {"name": "x", "scope": "team", "team_id": 999999}).status_code == 404
    shared = api.post(
        "/views",
        {"name": "Returns", "params": {"status": "open"}, "scope": "team", "team_id": team.pk},
    ).json()
    seen = {
        who: [v["id"] for v in make_api(a).get("/views").json()]
        for who, a in (
            ("colleague", colleague),
            ("outsider", outsider),
            ("supervisor", supervisor),
            ("stranger", stranger),
        )
    }
    assert seen == {
        "colleague": [shared["id"]],
        "outsider": [],
        "supervisor": [shared["id"]],
        "stranger": [],
    }
    # a team member sees it but may not rename it; its creator or a supervisor may
    assert make_api(colleague).patch(f"/views/{shared['id']}", {"name": "Mine"}).status_code == 403
    assert make_api(supervisor).patch(f"/views/{shared['id']}", {"name": "Team"}).status_code == 200
    assert make_api(stranger).delete(f"/views/{shared['id']}").status_code == 404
    brand_view = (
        make_api(supervisor)
        .post("/views", {"name": "All urgent", "params": {"priority": "urgent"}, "scope": "brand"})
        .json()
    )
    for who in (member, colleague, outsider):
        listed = {v["id"]: v for v in make_api(who).get("/views").json()}
        assert listed[brand_view["id"]]["count"] == 2
        assert listed[brand_view["id"]]["can_edit"] is False
    assert make_api(stranger).get(f"/views/{brand_view['id']}/conversations").status_code == 404
    assert make_api(outsider).delete(f"/views/{brand_view['id']}").status_code == 403
    assert make_api(supervisor).delete(f"/views/{brand_view['id']}").status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "params": {}}, "name"),
        ({"name": "a\nb", "params": {}}, "name"),
        ({"name": "x", "params": {"colour": "red"}}, "params.colour"),
        ({"name": "x", "params": {"status": "gone"}}, "params.status"),
        ({"name": "x", "params": {"sort": "random"}}, "params.sort"),
        ({"name": "x", "params": {"assignee": "you"}}, "params.assignee"),
        ({"name": "x", "params": {"q": "x" * 201}}, "params.q"),
        ({"name": "x", "params": {"priority": ["urgent"]}}, "params.priority"),
        ({"name": "x", "scope": "world"}, "scope"),
    ],
)
def test_bad_views_are_refused_naming_the_field(
    body: dict[str, object], field: str, api: ApiClient
) -> None:
    response = api.post("/views", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not SavedView.objects.exists()


def test_counts_are_the_lists_and_cost_one_count_per_view(
    urgent: dict[str, list[Conversation]],
    brand: Brand,
    agent: Agent,
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    api = make_api(agent)
    conversations.update_conversation(urgent["a"][2], actor=None, assignee_id=agent.pk)
    params = [
        {"priority": "urgent"},
        {"assignee": "me"},
        {"status": "open", "sort": "priority"},
        {"q": "zzz-nothing"},
    ]
    for i, p in enumerate(params):
        assert api.post("/views", {"name": f"v{i}", "params": p}).status_code == 201
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        listed = api.get("/views").json()
    counts = [sql["sql"] for sql in first.captured_queries if "COUNT(" in sql["sql"].upper()]
    assert len(counts) <= len(params)
    for view in listed:
        total = queries.Listing(agent, queries.query_from_params(view["params"])).total()
        assert view["count"] == total
    assert [v["count"] for v in sorted(listed, key=lambda v: v["name"])] == [2, 1, 3, 0]
    with CaptureQueriesContext(connection) as again:
        assert api.get("/views").json() == listed
    assert not [q for q in again.captured_queries if "COUNT(" in q["sql"].upper()]


def test_sorts(brand: Brand, agent: Agent, api: ApiClient) -> None:
    """priority: urgent first, then the oldest; waiting_since: longest first, none last."""
    low, urgent_new, normal, urgent_old = (quick_conversation(brand) for _ in range(4))
    # made in this order: urgent_old is newer than urgent_new; swap their creation times
    Conversation.objects.filter(pk=urgent_old.pk).update(created_at=low.created_at)
    conversations.update_conversation(low, actor=None, priority="low")
    conversations.update_conversation(urgent_new, actor=None, priority="urgent")
    conversations.update_conversation(urgent_old, actor=None, priority="urgent")
    conversations.add_reply(normal, author=agent, body="answered: not waiting")
    by_priority = api.get("/conversations", sort="priority").json()["items"]
    assert [c["id"] for c in by_priority] == [urgent_old.pk, urgent_new.pk, normal.pk, low.pk]
    waiting = [c["id"] for c in api.get("/conversations", sort="waiting_since").json()["items"]]
    assert waiting[-1] == normal.pk
    due = api.get("/conversations", sort="sla_due")
    assert due.status_code == 200 and len(due.json()["items"]) == 4
    assert api.get("/conversations", sort="random").json()["field"] == "sort"


def test_a_priority_page_is_read_from_the_index(brand: Brand) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    qs = (
        Conversation.objects.filter(brand_id=brand.pk, status="open")
        .order_by(*queries.ORDERS["priority"])
        .values("pk")[:25]
    )
    plan = qs.explain()
    assert "conv_priority_rank" in plan and "TEMP B-TREE" not in plan
