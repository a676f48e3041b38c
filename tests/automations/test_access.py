"""Who may manage automation rules: per role (agent, supervisor, admin) of each of two
brands, on every endpoint and page: allowed, 403/404, and the other brand's ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ApiClient
from wowdesk.automations import services
from wowdesk.automations.models import Rule
from wowdesk.core.models import Agent, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]
ACTIONS = [{"type": "add_tag", "value": "x"}]


def _rule(brand: Brand, name: str = "R") -> Rule:
    return services.create_rule(
        brand_id=brand.pk,
        name=name,
        event="message.created",
        conditions=[],
        actions=ACTIONS,
        actor=None,
    )


@pytest.fixture
def world(brand: Brand, other_brand: Brand) -> dict[str, Rule]:
    return {"brand": _rule(brand), "other_brand": _rule(other_brand)}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["brand", "other_brand"])
def test_api_per_role_and_brand(
    role: str,
    which: str,
    request: pytest.FixtureRequest,
    world: dict[str, Rule],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    home: Brand = request.getfixturevalue(which)
    api = make_api(make_agent(role, brands=[home]))
    mine = world[which]
    theirs = world["other_brand" if which == "brand" else "brand"]
    body = {"name": "New", "event": "conversation.created", "actions": ACTIONS}
    if role == Role.ADMIN:
        assert [r["id"] for r in api.get("/automations").json()] == [mine.pk]
        assert api.get(f"/automations/{mine.pk}").json()["brand_id"] == home.pk
        created = api.post("/automations", body)
        assert created.status_code == 201
        assert created.json()["brand_id"] == home.pk
        assert api.patch(f"/automations/{mine.pk}", {"name": "Renamed"}).status_code == 200
        assert api.delete(f"/automations/{created.json()['id']}").status_code == 204
    else:
        assert api.get("/automations").status_code == 403
        assert api.get(f"/automations/{mine.pk}").status_code == 403
        assert api.post("/automations", body).status_code == 403
        assert api.patch(f"/automations/{mine.pk}", {"name": "Renamed"}).status_code == 403
        assert api.delete(f"/automations/{mine.pk}").status_code == 403
    assert api.get(f"/automations/{theirs.pk}").status_code == 403
    assert api.patch(f"/automations/{theirs.pk}", {"active": False}).status_code == 403
    assert api.delete(f"/automations/{theirs.pk}").status_code == 403
    assert api.post("/automations", {**body, "brand_id": theirs.brand_id}).status_code == 403
    assert api.get("/automations/999999").status_code == 404
    theirs.refresh_from_db()
    assert theirs.active and theirs.name == "R"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["brand", "other_brand"])
def test_pages_per_role_and_brand(
    role: str,
    which: str,
    request: pytest.FixtureRequest,
    world: dict[str, Rule],
    make_agent: Callable[..., Agent],
) -> None:
    home: Brand = request.getfixturevalue(which)
    client = Client()
    client.force_login(make_agent(role, brands=[home]).user)
    mine = world[which]
    theirs = world["other_brand" if which == "brand" else "brand"]
    page = client.get("/settings/automations/")
    form = {
        "name": "Page rule",
        "event": "message.created",
        "cond-0-field": "body",
        "cond-0-op": "contains",
        "cond-0-value": "refund",
        "act-0-type": "add_tag",
        "act-0-value": "refund",
        "active": "on",
    }
    if role == Role.ADMIN:
        assert page.status_code == 200
        html = page.content.decode()
        assert f'data-rule-id="{mine.pk}"' in html
        assert f'data-rule-id="{theirs.pk}"' not in html
        assert client.get("/settings/automations/new/").status_code == 200
        assert client.get(f"/settings/automations/{mine.pk}/").status_code == 200
        made = client.post("/settings/automations/new/", {**form, "brand": home.pk})
        assert made.status_code == 302
        assert Rule.objects.get(name="Page rule").brand_id == home.pk
        refused = client.post(
            "/settings/automations/new/", {**form, "name": "X", "brand": theirs.brand_id}
        )
        assert refused.status_code == 400
        assert not Rule.objects.filter(name="X").exists()
        assert client.post(f"/settings/automations/{mine.pk}/toggle/").status_code == 302
        mine.refresh_from_db()
        assert not mine.active
        expected = 404
    else:
        assert page.status_code == 403
        assert client.get("/settings/automations/new/").status_code == 403
        assert client.get(f"/settings/automations/{mine.pk}/").status_code == 403
        assert client.post(f"/settings/automations/{mine.pk}/delete/").status_code == 403
        expected = 403
    assert client.get(f"/settings/automations/{theirs.pk}/").status_code == expected
    assert client.post(f"/settings/automations/{theirs.pk}/", form).status_code == expected
    assert client.post(f"/settings/automations/{theirs.pk}/toggle/").status_code == expected
    assert client.post(f"/settings/automations/{theirs.pk}/delete/").status_code == expected
    theirs.refresh_from_db()
    assert theirs.active and theirs.name == "R"
    assert Rule.objects.filter(pk=mine.pk).exists()


def test_page_form_round_trip_and_refusal(
    admin: Agent, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from wowdesk.core import services as core

    member = make_agent(Role.AGENT)
    team = core.create_team(brand_id=brand.pk, name="Billing", member_ids=[member.pk])
    client = Client()
    client.force_login(admin.user)
    form: dict[str, Any] = {
        "brand": brand.pk,
        "name": "Billing",
        "event": "conversation.created",
        "cond-0-field": "subject",
        "cond-0-op": "contains",
        "cond-0-value": "invoice",
        "cond-1-field": "channel",
        "cond-1-op": "in",
        "cond-1-value": "email, api",
        "act-0-type": "assign_team",
        "act-0-value": "billing",
        "act-1-type": "assign_agent",
        "act-1-value": member.email,
        "act-2-type": "set_priority",
        "act-2-value": "urgent",
        "active": "on",
    }
    assert client.post("/settings/automations/new/", form).status_code == 302
    rule = Rule.objects.get()
    assert rule.conditions == [
        {"field": "subject", "op": "contains", "value": "invoice"},
        {"field": "channel", "op": "in", "value": ["email", "api"]},
    ]
    assert rule.actions == [
        {"type": "assign_team", "value": team.pk},
        {"type": "assign_agent", "value": member.pk},
        {"type": "set_priority", "value": "urgent"},
    ]
    edit = client.get(f"/settings/automations/{rule.pk}/").content.decode()
    assert 'value="Billing"' in edit  # the team by name
    assert f'value="{member.email}"' in edit
    bad = client.post(f"/settings/automations/{rule.pk}/", {**form, "act-2-value": "whenever"})
    assert bad.status_code == 400
    assert 'data-field="actions.2.value"' in bad.content.decode()
    assert 'value="whenever"' in bad.content.decode()  # what was typed stays
    rule.refresh_from_db()
    assert rule.actions[2]["value"] == "urgent"
    unknown_team = client.post(
        f"/settings/automations/{rule.pk}/", {**form, "act-0-value": "Nobody's team"}
    )
    assert unknown_team.status_code == 400
    assert 'data-field="actions.0.value"' in unknown_team.content.decode()
    assert client.post(f"/settings/automations/{rule.pk}/delete/").status_code == 302
    assert not Rule.objects.exists()
