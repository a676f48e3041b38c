"""Custom fields in the workspace: the conversation's panel (shown, saved, refused with
the reason), the inbox's "More filters", and the settings page, per role and brand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_conversation
from tests.fields.test_fields_api import define
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, CustomField, Role
from wowdesk.customers.models import Customer

ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@pytest.fixture
def defined(brand: Brand, other_brand: Brand) -> dict[str, CustomField]:
    return {
        "plan": define(
            brand, "plan", "dropdown", options=["basic", "pro"], required_on_resolve=True
        ),
        "areas": define(brand, "areas", "multiselect", options=["north", "south"]),
        "size": define(brand, "size", "number"),
        "ok": define(brand, "ok", "checkbox"),
        "order": define(brand, "order", "text", applies_to="customer"),
        "tier": define(other_brand, "tier", "text"),
    }


def login(client: Client, agent: Agent) -> Client:
    client.force_login(agent.user)
    return client


HX = {"HX-Request": "true", "HX-Target": "custom-fields-panel"}


@pytest.mark.parametrize("role", ROLES)
def test_panel_shows_and_saves_per_role_and_brand(
    role: str,
    brand: Brand,
    other_brand: Brand,
    defined: dict[str, CustomField],
    make_agent: Callable[..., Agent],
) -> None:
    mine = make_conversation(brand)
    theirs = make_conversation(other_brand)
    client = login(Client(), make_agent(role, brands=[brand]))
    page = client.get(f"/inbox/c/{mine.pk}/").content.decode()
    assert 'id="custom-fields-panel"' in page
    assert 'name="cf_plan"' in page and 'name="cf_order"' in page and "cf_tier" not in page
    r = client.post(
        f"/inbox/c/{mine.pk}/fields/",
        {
            "target": "conversation",
            "fields": ["plan", "areas", "size", "ok"],
            "cf_plan": "pro",
            "cf_areas": ["south", "north"],
            "cf_size": "4.5",
            "cf_ok": "",
        },
        headers=HX,
    )
    assert r.status_code == 200
    assert 'id="custom-fields-panel"' in r.content.decode()
    assert Conversation.objects.get(pk=mine.pk).custom_fields == {
        "plan": "pro",
        "areas": ["north", "south"],
        "size": 4.5,
    }
    r = client.post(
        f"/inbox/c/{mine.pk}/fields/",
        {"target": "customer", "fields": ["order"], "cf_order": "A-7"},
    )
    assert r.status_code == 302
    assert Customer.objects.get(pk=mine.customer_id).custom_fields == {"order": "A-7"}
    # the other brand's conversation is not found, and nothing of it changes
    r = client.post(
        f"/inbox/c/{theirs.pk}/fields/",
        {"target": "conversation", "fields": ["tier"], "cf_tier": "x"},
    )
    assert r.status_code == 404
    assert Conversation.objects.get(pk=theirs.pk).custom_fields == {}
    assert client.get(f"/inbox/c/{theirs.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("post", "field_name"),
    [
        ({"fields": ["size"], "cf_size": "lots"}, "size"),
        ({"fields": ["plan"], "cf_plan": "gold"}, "plan"),
        ({"fields": ["areas"], "cf_areas": ["west"]}, "areas"),
        ({"fields": ["ok"], "cf_ok": "maybe"}, "ok"),
    ],
)
def test_panel_refusal_names_the_field(
    post: dict[str, Any],
    field_name: str,
    brand: Brand,
    defined: dict[str, CustomField],
    agent: Agent,
) -> None:
    conv = make_conversation(brand)
    client = login(Client(), agent)
    r = client.post(f"/inbox/c/{conv.pk}/fields/", {"target": "conversation", **post}, headers=HX)
    assert r.status_code == 422
    html = r.content.decode()
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert f'name="cf_{field_name}" aria-invalid' in html or f'data-key="{field_name}"' in html
    assert Conversation.objects.get(pk=conv.pk).custom_fields == {}
    r = client.post(f"/inbox/c/{conv.pk}/fields/", {"target": "ticket"}, headers=HX)
    assert r.status_code == 422


def test_resolving_in_the_workspace_says_what_is_missing(
    brand: Brand, defined: dict[str, CustomField], agent: Agent
) -> None:
    conv = make_conversation(brand)
    client = login(Client(), agent)
    r = client.post(f"/inbox/c/{conv.pk}/update/", {"status": "resolved"})
    assert r.status_code == 422
    assert "Fill in before resolving: Plan." in r.content.decode()
    assert Conversation.objects.get(pk=conv.pk).status == "open"


def test_panel_hidden_without_fields_and_constant_queries(
    brand: Brand,
    other_brand: Brand,
    defined: dict[str, CustomField],
    agent: Agent,
    make_agent: Callable[..., Agent],
) -> None:
    from wowdesk.web.fields import panel_context

    conv = Conversation.objects.select_related("customer").get(pk=make_conversation(brand).pk)
    panel_context(None, conv)  # type: ignore[arg-type]  # the definitions are read once
    with CaptureQueriesContext(connection) as queries:
        ctx = panel_context(None, conv)  # type: ignore[arg-type]
    assert len(queries) == 0 and ctx is not None
    CustomField.objects.filter(brand=other_brand).delete()
    from wowdesk.core.fields import definitions

    definitions.clear()
    other = make_conversation(other_brand)
    client = login(Client(), make_agent(Role.AGENT, brands=[other_brand]))
    assert 'id="custom-fields-panel"' not in client.get(f"/inbox/c/{other.pk}/").content.decode()


def test_more_filters_show_own_brand_fields(
    brand: Brand,
    other_brand: Brand,
    defined: dict[str, CustomField],
    make_agent: Callable[..., Agent],
) -> None:
    client = login(Client(), make_agent(Role.AGENT, brands=[brand]))
    html = client.get("/inbox/", {"view": "all", "cf_plan": "pro"}).content.decode()
    assert "More filters" in html
    assert 'name="cf_plan"' in html and 'name="cf_tier"' not in html
    assert '<option value="pro" selected>' in html
    client = login(Client(), make_agent(Role.AGENT, brands=[other_brand]))
    html = client.get("/inbox/", {"view": "all"}).content.decode()
    assert 'name="cf_tier"' in html and 'name="cf_plan"' not in html


# --- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_settings_page_per_role_and_brand(
    role: str,
    brand: Brand,
    other_brand: Brand,
    defined: dict[str, CustomField],
    make_agent: Callable[..., Agent],
) -> None:
    for mine, theirs in ((brand, other_brand), (other_brand, brand)):
        client = login(Client(), make_agent(role, brands=[mine]))
        own = CustomField.objects.filter(brand=mine).first()
        other = CustomField.objects.filter(brand=theirs).first()
        assert own is not None and other is not None
        page = client.get("/settings/custom-fields/")
        create = client.post(
            "/settings/custom-fields/",
            {
                "brand": mine.pk,
                "name": "Region",
                "key": f"region_{role}",
                "kind": "text",
                "applies_to": "customer",
            },
        )
        foreign = client.post(
            "/settings/custom-fields/",
            {
                "brand": theirs.pk,
                "name": "Region",
                "key": "foreign",
                "kind": "text",
                "applies_to": "customer",
            },
        )
        assert not CustomField.objects.filter(key="foreign").exists()
        for url, data in (
            (f"/settings/custom-fields/{other.pk}/", {"name": "Hacked"}),
            (f"/settings/custom-fields/{other.pk}/archive/", {"archived": "1"}),
            (f"/settings/custom-fields/{other.pk}/move/", {"direction": "up"}),
        ):
            assert client.post(url, data).status_code in (403, 404)
        other.refresh_from_db()
        assert other.name != "Hacked" and not other.archived
        if role == Role.ADMIN:
            assert page.status_code == 200
            html = page.content.decode()
            assert own.name in html and f'data-field-id="{other.pk}"' not in html
            assert 'data-section="custom-fields"' in html
            assert create.status_code == 302
            assert CustomField.objects.filter(brand=mine, key=f"region_{role}").exists()
            assert foreign.status_code == 400
            assert client.get(f"/settings/custom-fields/{own.pk}/").status_code == 200
            assert client.get(f"/settings/custom-fields/{other.pk}/").status_code == 404
        else:
            assert page.status_code == 403
            assert create.status_code == 403
            assert not CustomField.objects.filter(key=f"region_{role}").exists()
            assert client.get(f"/settings/custom-fields/{own.pk}/").status_code == 403


def test_settings_edit_archive_reorder(
    brand: Brand, defined: dict[str, CustomField], admin: Agent
) -> None:
    client = login(Client(), admin)
    plan = defined["plan"]
    r = client.post(
        f"/settings/custom-fields/{plan.pk}/",
        {"name": "Plan level", "options": "basic\npro\nenterprise", "required_on_resolve": "on"},
    )
    assert r.status_code == 302
    plan.refresh_from_db()
    assert (plan.name, plan.options, plan.required_on_resolve) == (
        "Plan level",
        ["basic", "pro", "enterprise"],
        True,
    )
    r = client.post(f"/settings/custom-fields/{plan.pk}/", {"name": "Plan", "options": "a\na"})
    assert r.status_code == 400 and "Twice" in r.content.decode()
    plan.refresh_from_db()
    assert plan.name == "Plan level"
    r = client.post(f"/settings/custom-fields/{plan.pk}/", {"name": "", "options": "a"})
    assert r.status_code == 400

    def keys() -> list[str]:
        return list(
            CustomField.objects.filter(brand=brand, applies_to="conversation")
            .order_by("position", "id")
            .values_list("key", flat=True)
        )

    assert keys() == ["plan", "areas", "size", "ok"]
    client.post(f"/settings/custom-fields/{defined['size'].pk}/move/", {"direction": "up"})
    assert keys() == ["plan", "size", "areas", "ok"]
    client.post(f"/settings/custom-fields/{defined['plan'].pk}/move/", {"direction": "up"})
    assert keys() == ["plan", "size", "areas", "ok"]
    client.post(f"/settings/custom-fields/{defined['plan'].pk}/move/", {"direction": "down"})
    assert keys() == ["size", "plan", "areas", "ok"]
    client.post(f"/settings/custom-fields/{plan.pk}/archive/", {"archived": "1"})
    plan.refresh_from_db()
    assert plan.archived
    client.post(f"/settings/custom-fields/{plan.pk}/archive/", {"archived": "0"})
    plan.refresh_from_db()
    assert not plan.archived
    for bad, field in (
        ({"key": "Bad Key", "kind": "text"}, "key"),
        ({"key": "x", "kind": "dropdown", "options": ""}, "options"),
        ({"key": "plan", "kind": "text"}, "key"),
    ):
        r = client.post(
            "/settings/custom-fields/",
            {"brand": brand.pk, "name": "X", "applies_to": "conversation", **bad},
        )
        assert r.status_code in (400, 409) and f"({field})" in r.content.decode()


def test_reply_and_resolve_is_refused_whole_and_keeps_the_draft(
    brand: Brand, defined: dict[str, CustomField], agent: Agent
) -> None:
    from wowdesk.conversations.models import Message

    conv = make_conversation(brand)
    before = Message.objects.filter(conversation=conv).count()
    client = login(Client(), agent)
    r = client.post(f"/inbox/c/{conv.pk}/reply/", {"body": "All fixed, bye", "resolve": "1"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "Fill in before resolving: Plan." in html and "All fixed, bye" in html
    assert Message.objects.filter(conversation=conv).count() == before
    assert Conversation.objects.get(pk=conv.pk).status == "open"
