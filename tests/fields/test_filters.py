"""The conversation list filtered by custom fields (``cf_<key>=value``), in the API and
the workspace's list (one reader: conversations.queries)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ApiClient
from tests.factories import make_conversation
from tests.fields.test_fields_api import define
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, CustomField, Role


@pytest.fixture
def convs(brand: Brand, other_brand: Brand) -> dict[str, Conversation]:
    define(brand, "plan", "dropdown", options=["basic", "pro", "p\"ro's"])
    define(brand, "areas", "multiselect", options=["north", "south", "東"])
    define(brand, "size", "number")
    define(brand, "due", "date")
    define(brand, "ok", "checkbox")
    define(brand, "ref", "text")
    define(other_brand, "plan", "dropdown", options=["pro"])
    values: dict[str, dict[str, Any]] = {
        "a": {
            "plan": "pro",
            "areas": ["north", "東"],
            "size": 10,
            "due": "2025-01-31",
            "ok": True,
            "ref": "A-1",
        },
        "b": {"plan": "basic", "areas": ["south"], "size": 10.5, "ok": False, "ref": "a-1"},
        "c": {"plan": "p\"ro's", "areas": ["north"], "size": 3},
        "d": {},
    }
    out = {}
    for name, cf in values.items():
        conv = make_conversation(brand)
        conversations.update_conversation(conv, actor=None, custom_fields=cf)
        out[name] = conv
    other = make_conversation(other_brand)
    conversations.update_conversation(other, actor=None, custom_fields={"plan": "pro"})
    out["other"] = other
    return out


CASES = [
    ({"cf_plan": "pro"}, {"a"}),
    ({"cf_plan": "basic"}, {"b"}),
    ({"cf_plan": "p\"ro's"}, {"c"}),
    ({"cf_areas": "north"}, {"a", "c"}),
    ({"cf_areas": "東"}, {"a"}),
    ({"cf_areas": "south"}, {"b"}),
    ({"cf_size": "10"}, {"a"}),
    ({"cf_size": "10.0"}, {"a"}),
    ({"cf_size": "10.5"}, {"b"}),
    ({"cf_due": "2025-01-31"}, {"a"}),
    ({"cf_ok": "true"}, {"a"}),
    ({"cf_ok": "false"}, {"b", "c", "d"}),
    ({"cf_ref": "A-1"}, {"a"}),
    ({"cf_plan": "pro", "cf_areas": "north"}, {"a"}),
    ({"cf_plan": "pro", "cf_areas": "south"}, set()),
    ({"cf_plan": ""}, {"a", "b", "c", "d"}),
]


@pytest.mark.parametrize(("params", "expected"), CASES)
def test_api_filters(
    params: dict[str, str], expected: set[str], convs: dict[str, Conversation], api: ApiClient
) -> None:
    r = api.get("/conversations", **params)
    assert r.status_code == 200, r.json()
    ids = {c["id"] for c in r.json()["items"]}
    assert ids == {convs[k].pk for k in expected}
    assert r.json()["total"] == len(expected)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cf_nope": "x"}, "cf_nope"),
        ({"cf_plan": "gold"}, "cf_plan"),
        ({"cf_areas": "west"}, "cf_areas"),
        ({"cf_size": "ten"}, "cf_size"),
        ({"cf_due": "2025-02-30"}, "cf_due"),
        ({"cf_ok": "maybe"}, "cf_ok"),
        ({f"cf_k{i}": "1" for i in range(11)}, "cf_"),
    ],
)
def test_bad_filters_name_the_parameter(
    params: dict[str, str],
    field: str,
    convs: dict[str, Conversation],
    api: ApiClient,
    client: Client,
    agent: Agent,
) -> None:
    r = api.get("/conversations", **params)
    assert r.status_code == 422
    assert r.json()["field"] == field
    client.force_login(agent.user)
    page = client.get("/inbox/", {"view": "all", **params})
    assert page.status_code == 400
    assert field in page.content.decode()


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_each_brand_filters_by_its_own_fields(
    role: str,
    brand: Brand,
    other_brand: Brand,
    convs: dict[str, Conversation],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    for b, expected in ((brand, {convs["a"].pk}), (other_brand, {convs["other"].pk})):
        api = make_api(make_agent(role, brands=[b]))
        ids = {c["id"] for c in api.get("/conversations", cf_plan="pro").json()["items"]}
        assert ids == expected
    # a field only the other brand has is unknown here
    CustomField.objects.filter(brand=brand, key="plan").update(key="tier")
    from wowdesk.core.fields import definitions

    definitions.clear()
    api = make_api(make_agent(role, brands=[brand]))
    assert api.get("/conversations", cf_plan="pro").status_code == 422


def test_workspace_list_filters(
    convs: dict[str, Conversation], client: Client, agent: Agent
) -> None:
    client.force_login(agent.user)
    r = client.get("/inbox/list/", {"view": "all", "cf_areas": "north"})
    assert r.status_code == 200
    html = r.content.decode()
    for name, conv in convs.items():
        shown = f"/inbox/c/{conv.pk}/" in html
        assert shown == (name in {"a", "c"}), name
    # the filter stays in the list's links (paging, the live refresh)
    assert "cf_areas=north" in html
