"""Macros and automation rules set custom fields (checked when saved, applied through
the conversations services); rule conditions test them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient, inbound
from tests.factories import make_conversation
from tests.fields.test_fields_api import define
from wowdesk.automations import rules
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Macro
from wowdesk.core.errors import InvalidInput
from wowdesk.core.events import Event
from wowdesk.core.models import Agent, Brand


@pytest.fixture
def defined(brand: Brand, other_brand: Brand) -> None:
    define(brand, "plan", "dropdown", options=["basic", "pro"], required_on_resolve=True)
    define(brand, "areas", "multiselect", options=["north", "south"])
    define(brand, "size", "number")
    define(brand, "ok", "checkbox")
    define(other_brand, "tier", "text")


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    def run() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return run


# --- macros ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"plan": "gold"}, "actions.custom_fields.plan"),
        ({"size": "many"}, "actions.custom_fields.size"),
        ({"tier": "x"}, "actions.custom_fields.tier"),  # the other brand's field
        ({"ok": "yes"}, "actions.custom_fields.ok"),
        (["plan"], "actions.custom_fields"),
    ],
)
def test_macro_with_bad_values_is_not_saved(
    values: Any, field: str, brand: Brand, defined: None
) -> None:
    with pytest.raises(InvalidInput) as exc:
        conversations.save_macro(
            None,
            brand_id=brand.pk,
            actor=None,
            name="Close",
            body="Bye",
            actions={"custom_fields": values},
        )
    assert exc.value.field == field
    assert not Macro.objects.filter(name="Close").exists()


def test_macro_sets_fields_and_resolves(
    brand: Brand, defined: None, agent: Agent, event_log: Any
) -> None:
    conversations.create_tag(brand_id=brand.pk, name="done")
    macro = conversations.save_macro(
        None,
        brand_id=brand.pk,
        actor=None,
        name="Close pro",
        body="Bye",
        actions={
            "status": "resolved",
            "tags": ["done"],
            "custom_fields": {"plan": "pro", "size": "2"},
        },
    )
    assert macro.actions["custom_fields"] == {"plan": "pro", "size": 2}
    conv = make_conversation(brand)
    conversations.apply_macro_actions(conv, macro, actor=agent)
    conv = Conversation.objects.get(pk=conv.pk)
    assert conv.status == "resolved"
    assert conv.custom_fields == {"plan": "pro", "size": 2}
    assert [t.name for t in conv.tags.all()] == ["done"]
    update = event_log.of(Event.CONVERSATION_UPDATED)[-1]
    assert update["changes"]["custom_fields"] == {"plan": "pro", "size": 2}
    assert update["actor_id"] == agent.pk


def test_macro_that_resolves_without_the_required_field_is_refused(
    brand: Brand, defined: None, agent: Agent
) -> None:
    macro = conversations.save_macro(
        None,
        brand_id=brand.pk,
        actor=None,
        name="Close",
        body="Bye",
        actions={"status": "resolved", "custom_fields": {"size": 1}},
    )
    conv = make_conversation(brand)
    with pytest.raises(InvalidInput) as exc:
        conversations.apply_macro_actions(conv, macro, actor=agent)
    assert exc.value.field == "custom_fields"
    conv = Conversation.objects.get(pk=conv.pk)
    assert conv.status == "open" and conv.custom_fields == {}


def test_macro_of_another_brand_is_refused(brand: Brand, other_brand: Brand, defined: None) -> None:
    macro = conversations.save_macro(
        None,
        brand_id=other_brand.pk,
        actor=None,
        name="X",
        body="x",
        actions={"custom_fields": {"tier": "gold"}},
    )
    conv = make_conversation(brand)
    with pytest.raises(InvalidInput):
        conversations.apply_macro_actions(conv, macro, actor=None)
    assert Conversation.objects.get(pk=conv.pk).custom_fields == {}


# --- rules ----------------------------------------------------------------------------


def rule(**over: Any) -> dict[str, Any]:
    return {
        "name": "Pro customers",
        "event": "message.created",
        "conditions": [{"field": "body", "op": "contains", "value": "upgrade"}],
        "actions": [{"type": "custom_fields", "value": {"plan": "pro", "areas": ["south"]}}],
        **over,
    }


@pytest.mark.parametrize(
    ("actions", "field"),
    [
        ([{"type": "custom_fields", "value": {"plan": "gold"}}], "actions.0.value.plan"),
        ([{"type": "custom_fields", "value": {"nope": 1}}], "actions.0.value.nope"),
        ([{"type": "custom_fields", "value": {"tier": "x"}}], "actions.0.value.tier"),
        ([{"type": "custom_fields", "value": {}}], "actions.0.value"),
        ([{"type": "custom_fields", "value": "plan=pro"}], "actions.0.value"),
        ([{"type": "custom_fields", "value": {"areas": "south"}}], "actions.0.value.areas"),
    ],
)
def test_rule_with_bad_values_is_not_saved(
    actions: list[dict[str, Any]], field: str, admin_api: ApiClient, defined: None
) -> None:
    r = admin_api.post("/automations", rule(actions=actions))
    assert 400 <= r.status_code < 500
    assert r.json()["field"] == field


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({"field": "custom_fields.nope", "op": "equals", "value": "x"}, "conditions.0.field"),
        ({"field": "custom_fields.tier", "op": "equals", "value": "x"}, "conditions.0.field"),
        ({"field": "custom_fields.Bad-Key", "op": "equals", "value": "x"}, "conditions.0.field"),
        ({"field": "custom_fields.size", "op": "gt", "value": "big"}, "conditions.0.value"),
    ],
)
def test_rule_conditions_on_unknown_fields_are_refused(
    condition: dict[str, Any], field: str, admin_api: ApiClient, defined: None
) -> None:
    r = admin_api.post("/automations", rule(conditions=[condition]))
    assert 400 <= r.status_code < 500
    assert r.json()["field"] == field


def test_rule_sets_fields_through_the_service(
    admin_api: ApiClient, defined: None, commits: Any, event_log: Any
) -> None:
    created = admin_api.post("/automations", rule())
    assert created.status_code == 201, created.json()
    with commits():
        r = admin_api.post("/inbound", inbound("u-1", body="I want to upgrade my plan"))
    conv = Conversation.objects.get(pk=r.json()["conversation_id"])
    assert conv.custom_fields == {"plan": "pro", "areas": ["south"]}
    updates = [
        p for p in event_log.of(Event.CONVERSATION_UPDATED) if "custom_fields" in p["changes"]
    ]
    assert updates and updates[-1]["rule_id"] == created.json()["id"]
    assert any(
        "Rule “Pro customers” set the custom fields areas, plan" in m.body
        for m in conv.messages.all()
    )


def test_rule_condition_on_a_custom_field(
    brand: Brand, admin_api: ApiClient, defined: None, commits: Any
) -> None:
    body = rule(
        event="conversation.updated",
        name="Big ones",
        conditions=[
            {"field": "custom_fields.size", "op": "gt", "value": 100},
            {"field": "custom_fields.areas", "op": "contains", "value": "north"},
        ],
        actions=[{"type": "set_priority", "value": "urgent"}],
    )
    assert admin_api.post("/automations", body).status_code == 201
    small, big, elsewhere = (make_conversation(brand) for _ in range(3))
    with commits():
        conversations.update_conversation(
            small, actor=None, custom_fields={"size": 5, "areas": ["north"]}
        )
        conversations.update_conversation(
            big, actor=None, custom_fields={"size": 500, "areas": ["north", "south"]}
        )
        conversations.update_conversation(
            elsewhere, actor=None, custom_fields={"size": 500, "areas": ["south"]}
        )
    priorities = {
        c.pk: c.priority
        for c in Conversation.objects.filter(pk__in=[small.pk, big.pk, elsewhere.pk])
    }
    assert priorities == {small.pk: "normal", big.pk: "urgent", elsewhere.pk: "normal"}


@pytest.mark.parametrize(
    ("op", "value", "fact", "expected"),
    [
        ("equals", "pro", "pro", True),
        ("equals", "PRO", "pro", True),
        ("equals", "10", 10, True),
        ("equals", 10, 10.0, True),
        ("equals", "true", True, True),
        ("equals", "false", True, False),
        ("not_equals", "north", ["north", "south"], False),
        ("contains", "south", ["north", "south"], True),
        ("contains", "sou", ["north", "south"], False),
        ("in", ["a", "pro"], "pro", True),
        ("gt", 5, 10, True),
        ("lt", 5, 10, False),
        ("gt", 5, None, False),
        ("equals", "x", None, False),
    ],
)
def test_custom_conditions_pure(op: str, value: Any, fact: Any, expected: bool) -> None:
    facts = {} if fact is None else {"custom_fields.f": fact}
    assert rules.matches({"field": "custom_fields.f", "op": op, "value": value}, facts) is expected


def test_plan_skips_values_already_there() -> None:
    actions = [{"type": "custom_fields", "value": {"a": 1, "b": None}}]
    assert not rules.plan(actions, {"custom_fields": {"a": 1}}).done
    plan = rules.plan(actions, {"custom_fields": {"a": 1, "b": 2}})
    assert plan.custom_fields == {"b": None} and plan.updates_conversation


def test_rules_page_sets_custom_fields(brand: Brand, defined: None, admin: Agent) -> None:
    from django.test import Client

    from wowdesk.automations.models import Rule

    client = Client()
    client.force_login(admin.user)
    form = {
        "brand": brand.pk,
        "name": "Tag pro",
        "event": "message.created",
        "cond-0-field": "body",
        "cond-0-op": "contains",
        "cond-0-value": "upgrade",
        "act-0-type": "custom_fields",
        "act-0-value": "plan=pro; areas=south,north; ok=true; size=2.5",
        "active": "on",
    }
    r = client.post("/settings/automations/new/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    rule = Rule.objects.get(name="Tag pro")
    wanted = {"plan": "pro", "areas": ["north", "south"], "ok": True, "size": 2.5}
    assert rule.actions == [{"type": "custom_fields", "value": wanted}]
    page = client.get(f"/settings/automations/{rule.pk}/").content.decode()
    assert "areas=north,south; ok=true; plan=pro; size=2.5" in page  # keys in order
    r = client.post(
        f"/settings/automations/{rule.pk}/",
        {**form, "act-0-value": "plan=pro; areas=north,south; ok=true; size=2.5"},
    )
    assert r.status_code == 302
    rule.refresh_from_db()
    assert rule.actions == [{"type": "custom_fields", "value": wanted}]
    for bad in ("plan=gold", "nope=1", "just text", "size=lots"):
        r = client.post(f"/settings/automations/{rule.pk}/", {**form, "act-0-value": bad})
        assert r.status_code == 400, bad
        rule.refresh_from_db()
        assert rule.actions == [{"type": "custom_fields", "value": wanted}]
