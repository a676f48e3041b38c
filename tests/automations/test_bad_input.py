"""Hostile input on the rules' and webhooks' API and pages: a 4xx naming the field, never
a 5xx, and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ApiClient
from wowdesk.automations.models import Rule
from wowdesk.core.models import Agent
from wowdesk.webhooks.models import Webhook

HOSTILE = [
    "1e999",
    "nan",
    "-inf",
    "99999999999999999999999999",
    "-1",
    "0",
    "a\r\nb",
    "\u2028",
    "x" * 5000,
    "http://[::1",
    "http://host:port/",
    "http://h:99999999/",
    "",
    " ",
    "é",
]
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30))
json_values: Any = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        hostile_text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = ["body", "team", "assignee", "inbox", "emotion", "priority", "tags", "nope", 3, None]
OPS = ["contains", "equals", "in", "gt", "lt", "x", None]
TYPES = ["add_tag", "set_priority", "assign_team", "assign_agent", "send_reply", "set_status", 1]
conditions = st.lists(
    st.fixed_dictionaries(
        {"field": st.sampled_from(FIELDS), "op": st.sampled_from(OPS), "value": json_values}
    ),
    max_size=3,
)
actions = st.lists(
    st.fixed_dictionaries({"type": st.sampled_from(TYPES), "value": json_values}), max_size=3
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(name=hostile_text, event=hostile_text, conds=conditions, acts=actions)
def test_rule_api_never_fails(
    admin_api: ApiClient, name: str, event: str, conds: Any, acts: Any
) -> None:
    before = Rule.objects.count()
    body = {"name": name, "event": event, "conditions": conds, "actions": acts}
    response = admin_api.post("/automations", body)
    assert response.status_code < 500, response.content
    if response.status_code != 201:
        assert response.json()["field"], response.json()
        assert Rule.objects.count() == before


@SETTINGS
@given(url=hostile_text, events=st.lists(hostile_text, max_size=3), description=hostile_text)
def test_webhook_api_never_fails(
    admin_api: ApiClient, url: str, events: list[str], description: str
) -> None:
    before = Webhook.objects.count()
    response = admin_api.post(
        "/webhooks", {"url": url, "events": events, "description": description}
    )
    assert response.status_code < 500, response.content
    if response.status_code != 201:
        # the field, or one item of it (``events.0``)
        field = response.json()["field"].split(".")[0]
        assert field in ("url", "events", "description"), response.json()
        assert Webhook.objects.count() == before


@SETTINGS
@given(values=st.lists(hostile_text, min_size=10, max_size=10))
def test_rule_page_never_fails(admin: Agent, values: list[str]) -> None:
    client = Client()
    client.force_login(admin.user)
    keys = [
        "brand",
        "name",
        "event",
        "cond-0-field",
        "cond-0-op",
        "cond-0-value",
        "act-0-type",
        "act-0-value",
        "cond-1-value",
        "act-1-value",
    ]
    form = dict(zip(keys, values, strict=True))
    form["cond-1-field"] = "team"
    form["cond-1-op"] = "in"
    form["act-1-type"] = "assign_team"
    response = client.post("/settings/automations/new/", form)
    assert response.status_code < 500
    assert response.status_code in (302, 400, 403, 409)


@pytest.mark.parametrize("value", HOSTILE)
def test_rule_page_id_fields_refuse_hostile_values(admin: Agent, value: str) -> None:
    client = Client()
    client.force_login(admin.user)
    brand_id = admin.brands.get().pk
    for extra in (
        {"cond-0-field": "team", "cond-0-op": "equals", "cond-0-value": value},
        {"cond-0-field": "emotion", "cond-0-op": "gt", "cond-0-value": value},
        {"act-1-type": "assign_agent", "act-1-value": value},
    ):
        form = {
            "brand": brand_id,
            "name": "R",
            "event": "message.created",
            "act-0-type": "add_tag",
            "act-0-value": "x",
            **extra,
        }
        response = client.post("/settings/automations/new/", form)
        assert response.status_code in (302, 400), (extra, response.status_code)
    assert not Rule.objects.filter(conditions__0__value="1e999").exists()


@pytest.mark.parametrize(
    "path",
    [
        "/automations/99999999999999999999999",
        "/webhooks/99999999999999999999999",
        "/webhooks/99999999999999999999999/deliveries",
        "/webhooks/1/deliveries?limit=99999999999999999999999",
        "/webhooks/1/deliveries?limit=-5",
    ],
)
def test_huge_ids_are_not_found(admin_api: ApiClient, path: str) -> None:
    response = admin_api.get(path)
    assert response.status_code in (404, 422), response.content


@pytest.mark.parametrize("path", ["/settings/automations/", "/settings/webhooks/"])
def test_huge_ids_on_pages_are_not_found(admin: Agent, path: str) -> None:
    client = Client()
    client.force_login(admin.user)
    assert client.get(f"{path}99999999999999999999999/").status_code == 404
    assert client.post(f"{path}99999999999999999999999/delete/").status_code == 404
