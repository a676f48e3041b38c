"""Custom field filters (``cf_<key>``) kept by saved views (the sidebar's "save this view"
and ``/api/v1/views``), listed by ``GET /views/{id}/conversations``, and used by bulk
actions' "all matching" (the API's ``filter`` and the list's ``all=1``); per role and
brand, with bad keys and values refused naming the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from tests.fields.test_fields_api import define
from wowdesk.conversations import queries
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, SavedView
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


@pytest.fixture
def plans(brand: Brand, other_brand: Brand) -> dict[str, dict[str, list[Conversation]]]:
    """In each brand: two conversations on plan pro, one on basic, one without."""
    out: dict[str, dict[str, list[Conversation]]] = {}
    for key, b in (("a", brand), ("b", other_brand)):
        define(b, "plan", "dropdown", options=["basic", "pro"])
        rows = [quick_conversation(b) for _ in range(4)]
        for c, plan in zip(rows, ["pro", "pro", "basic"], strict=False):
            conversations.update_conversation(c, actor=None, custom_fields={"plan": plan})
        out[key] = {"pro": rows[:2], "rest": rows[2:]}
    define(brand, "only_here", "text")
    return out


def login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def test_query_from_params_keeps_cf_filters() -> None:
    q = queries.query_from_params({"status": "open", "cf_plan": " pro ", "cf_size": ""})
    assert q.custom == (("plan", "pro"),)
    assert q.statuses == ("open",)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cf_plan": ["pro"]}, "filter.cf_plan"),
        ({"cf_plan": True}, "filter.cf_plan"),
        ({"cf_plan": "x" * 201}, "filter.cf_plan"),
        ({"cf_": "pro"}, "filter.cf_"),
        ({"cfplan": "pro"}, "filter.cfplan"),
        ({f"cf_k{i}": "v" for i in range(11)}, "filter.cf_k0"),
    ],
)
def test_bad_cf_params_are_refused_naming_the_field(params: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        queries.query_from_params(params)
    assert exc.value.field == field


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("home", ["a", "b"])
def test_api_view_with_cf_filter_per_role_and_brand(
    role: str,
    home: str,
    plans: dict[str, dict[str, list[Conversation]]],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    mine, theirs = (brand, other_brand) if home == "a" else (other_brand, brand)
    owner = make_api(make_agent(role, brands=[mine]))
    made = owner.post("/views", {"name": "Pro", "params": {"status": "open", "cf_plan": "pro"}})
    assert made.status_code == 201, made.content
    view = made.json()
    assert view["params"] == {"status": "open", "cf_plan": "pro"}
    rows = owner.get(f"/views/{view['id']}/conversations").json()
    assert {r["id"] for r in rows["items"]} == {c.pk for c in plans[home]["pro"]}
    assert [(v["id"], v["count"]) for v in owner.get("/views").json()] == [(view["id"], 2)]
    # the other brand's agent does not see the view
    stranger = make_api(make_agent(role, brands=[theirs]))
    assert stranger.get(f"/views/{view['id']}/conversations").status_code == 404
    # a value the field cannot hold, a field of no brand of mine
    bad = owner.post("/views", {"name": "Gold", "params": {"cf_plan": "gold"}})
    assert bad.status_code == 422 and bad.json()["field"] == "params.cf_plan"
    if mine != brand:
        other = owner.post("/views", {"name": "Here", "params": {"cf_only_here": "x"}})
        assert other.status_code == 422 and other.json()["field"] == "params.cf_only_here"
    changed = owner.patch(f"/views/{view['id']}", {"params": {"cf_plan": "basic"}})
    assert changed.status_code == 200, changed.content
    rows = owner.get(f"/views/{view['id']}/conversations").json()
    assert {r["id"] for r in rows["items"]} == {plans[home]["rest"][0].pk}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("home", ["a", "b"])
def test_api_bulk_filter_with_cf_per_role_and_brand(
    role: str,
    home: str,
    plans: dict[str, dict[str, list[Conversation]]],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    mine = brand if home == "a" else other_brand
    other = "b" if home == "a" else "a"
    api = make_api(make_agent(role, brands=[mine]))
    done = api.post(
        "/conversations/bulk",
        {"filter": {"cf_plan": "pro"}, "changes": {"priority": "urgent"}},
    )
    assert done.status_code == 200, done.content
    assert done.json()["updated"] == 2
    urgent = set(Conversation.objects.filter(priority="urgent").values_list("pk", flat=True))
    assert urgent == {c.pk for c in plans[home]["pro"]}
    assert not urgent & {c.pk for c in plans[other]["pro"]}
    bad = api.post(
        "/conversations/bulk", {"filter": {"cf_plan": "gold"}, "changes": {"priority": "low"}}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "cf_plan"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("home", ["a", "b"])
def test_sidebar_save_view_and_select_all_keep_cf_per_role_and_brand(
    role: str,
    home: str,
    plans: dict[str, dict[str, list[Conversation]]],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
) -> None:
    mine, theirs = (brand, other_brand) if home == "a" else (other_brand, brand)
    client = login(make_agent(role, brands=[mine]))
    page = client.get("/inbox/?view=all&cf_plan=pro").content.decode()
    assert 'name="cf_plan" value="pro"' in page  # the "save this view" form carries it
    saved = client.post(
        "/inbox/views/",
        {"name": "Pro ones", "view": "all", "status": "open", "cf_plan": "pro", "other": "x"},
    )
    assert saved.status_code == 302
    view = SavedView.objects.get(name="Pro ones")
    assert view.params == {"view": "all", "status": "open", "cf_plan": "pro"}
    listed = client.get(f"/inbox/?saved={view.pk}").content.decode()
    for c in plans["a" if mine == brand else "b"]["pro"]:
        assert f'data-bulk-id="{c.pk}"' in listed
    for c in plans["a" if mine == brand else "b"]["rest"]:
        assert f'data-bulk-id="{c.pk}"' not in listed
    assert (
        login(make_agent(role, brands=[theirs])).get(f"/inbox/?saved={view.pk}").status_code == 404
    )
    # "select all matching" with the custom field filter
    count = client.get("/inbox/bulk/count/?view=all&status=open&cf_plan=pro")
    assert count.json()["total"] == 2
    every = client.post(
        "/inbox/bulk/",
        {
            "all": "1",
            "view": "all",
            "status": "open",
            "cf_plan": "pro",
            "action": "priority",
            "value": "high",
        },
    )
    assert every.json()["updated"] == 2
    high = set(Conversation.objects.filter(priority="high").values_list("pk", flat=True))
    assert high == {c.pk for c in plans["a" if mine == brand else "b"]["pro"]}
