"""The macro settings page's custom field actions: one input per conversation field of
the brand (by kind), saved into ``actions.custom_fields``, shown again when edited; per
role in each of two brands, the other brand's fields, bad values refused naming them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.fields.test_fields_api import define
from wowdesk.conversations.models import Macro
from wowdesk.core.models import Agent, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


def login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@pytest.fixture
def fields(brand: Brand, other_brand: Brand) -> None:
    for b in (brand, other_brand):
        define(b, "plan", "dropdown", options=["basic", "pro"])
        define(b, "areas", "multiselect", options=["north", "south"])
        define(b, "size", "number")
        define(b, "vip", "checkbox")
        define(b, "due", "date")
        define(b, "note", "text")
    define(other_brand, "secret", "text")
    define(brand, "contract", "text", applies_to="customer")


def post(brand: Brand | None, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "Pro plan", "language": ["en"], "body": ["Upgraded."]}
    if brand is not None:
        data["brand"] = brand.pk
    data.update(over)
    return data


def cf(brand: Brand, key: str) -> str:
    return f"cf_{brand.pk}__{key}"


@pytest.mark.parametrize("home", ["brand", "other_brand"])
@pytest.mark.parametrize("role", ROLES)
def test_field_actions_per_role_and_brand(
    role: str,
    home: str,
    fields: None,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
) -> None:
    mine, theirs = (brand, other_brand) if home == "brand" else (other_brand, brand)
    client = login(make_agent(role, brands=[mine]))
    page = client.get("/settings/macros/new/")
    values = {
        cf(mine, "plan"): "pro",
        cf(mine, "areas"): ["north", "south"],
        cf(mine, "size"): "3",
        cf(mine, "vip"): "true",
        cf(mine, "due"): "2027-01-31",
        cf(mine, "note"): "upgraded",
        cf(theirs, "plan"): "basic",  # another brand's input: not read
    }
    created = client.post("/settings/macros/new/", post(mine, **values))
    if role == Role.AGENT:
        assert page.status_code == 403 and created.status_code == 403
        assert not Macro.objects.exists()
        return
    html = page.content.decode()
    assert f'name="{cf(mine, "plan")}"' in html and f'name="{cf(theirs, "plan")}"' not in html
    assert 'name="cf_' + str(brand.pk) + '__contract"' not in html  # a customer field
    assert created.status_code == 302, created.content.decode()[:500]
    macro = Macro.objects.get(brand=mine)
    assert macro.actions == {
        "custom_fields": {
            "plan": "pro",
            "areas": ["north", "south"],
            "size": 3,
            "vip": True,
            "due": "2027-01-31",
            "note": "upgraded",
        }
    }
    edit = client.get(f"/settings/macros/{macro.pk}/").content.decode()
    assert '<option value="pro" selected>' in edit
    assert 'value="north" checked' in edit and 'value="south" checked' in edit
    assert 'value="2027-01-31"' in edit and 'value="upgraded"' in edit
    assert '<option value="true" selected>' in edit
    assert "plan: pro" in client.get("/settings/macros/").content.decode()
    # emptied inputs leave the fields as they are: no custom field actions
    cleared = client.post(f"/settings/macros/{macro.pk}/", post(None))
    assert cleared.status_code == 302
    assert Macro.objects.get(pk=macro.pk).actions == {}
    # the other brand's macro page is not found
    their_macro = Macro.objects.create(brand=theirs, name="Theirs", body="x")
    assert client.get(f"/settings/macros/{their_macro.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("plan", "gold", "actions.custom_fields.plan"),
        ("areas", ["east"], "actions.custom_fields.areas"),
        ("size", "many", "actions.custom_fields.size"),
        ("vip", "maybe", "actions.custom_fields.vip"),
        ("due", "31/01/2027", "actions.custom_fields.due"),
        ("note", "two\nlines", "actions.custom_fields.note"),
    ],
)
def test_bad_field_values_are_refused_naming_the_field(
    key: str,
    value: Any,
    field: str,
    fields: None,
    brand: Brand,
    make_agent: Callable[..., Agent],
) -> None:
    client = login(make_agent(Role.SUPERVISOR))
    r = client.post("/settings/macros/new/", post(brand, **{cf(brand, key): value}))
    assert r.status_code == 400 or r.status_code == 422
    html = r.content.decode()
    assert f'data-field="{field}"' in html
    assert not Macro.objects.exists()
