"""Custom fields through the API: definitions per role and brand, values on conversations
and customers (merge, null removes, refusals name the key), events, required to resolve."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import make_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core import fields
from wowdesk.core.errors import InvalidInput
from wowdesk.core.events import Event
from wowdesk.core.models import Agent, Brand, CustomField, Role


def define(
    brand: Brand, key: str, kind: str, applies_to: str = "conversation", **kw: Any
) -> CustomField:
    return fields.create_field(
        brand_id=brand.pk,
        name=kw.pop("name", key.title()),
        key=key,
        kind=kind,
        applies_to=applies_to,
        actor=None,
        **kw,
    )


@pytest.fixture
def brand_fields(brand: Brand, other_brand: Brand) -> dict[str, CustomField]:
    out = {
        "size": define(brand, "size", "number"),
        "plan": define(
            brand, "plan", "dropdown", options=["basic", "pro"], required_on_resolve=True
        ),
        "areas": define(brand, "areas", "multiselect", options=["north", "south", "east"]),
        "due": define(brand, "due", "date"),
        "ok": define(brand, "ok", "checkbox"),
        "order": define(brand, "order", "text", applies_to="customer"),
    }
    out["other"] = define(other_brand, "plan", "dropdown", options=["gold"])
    return out


ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@pytest.mark.parametrize("role", ROLES)
def test_definitions_per_role_and_brand(
    role: str,
    brand: Brand,
    other_brand: Brand,
    brand_fields: dict[str, CustomField],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    for mine, theirs in ((brand, other_brand), (other_brand, brand)):
        api = make_api(make_agent(role, brands=[mine]))
        listed = api.get("/custom-fields").json()
        assert {f["brand_id"] for f in listed} == {mine.pk}
        own = CustomField.objects.filter(brand=mine).first()
        other = CustomField.objects.filter(brand=theirs).first()
        assert own is not None and other is not None
        assert api.get(f"/custom-fields/{own.pk}").status_code == 200
        assert api.get(f"/custom-fields/{other.pk}").status_code == 403
        assert api.get("/custom-fields/999999").status_code == 404
        body = {"name": "Region", "key": f"region_{role}", "kind": "text", "applies_to": "customer"}
        created = api.post("/custom-fields", body)
        patched = api.patch(f"/custom-fields/{own.pk}", {"name": "Renamed"})
        foreign = api.patch(f"/custom-fields/{other.pk}", {"name": "Renamed"})
        assert foreign.status_code == 403
        assert api.delete(f"/custom-fields/{other.pk}").status_code == 403
        assert api.post("/custom-fields", {**body, "brand_id": theirs.pk}).status_code == 403
        if role == Role.ADMIN:
            assert created.status_code == 201, created.json()
            assert created.json()["brand_id"] == mine.pk
            assert patched.status_code == 200 and patched.json()["name"] == "Renamed"
            assert api.delete(f"/custom-fields/{own.pk}").status_code == 204
            own.refresh_from_db()
            assert own.archived
            assert own.pk not in {f["id"] for f in api.get("/custom-fields").json()}
            assert own.pk in {f["id"] for f in api.get("/custom-fields", archived=True).json()}
        else:
            assert created.status_code == 403
            assert patched.status_code == 403
            assert api.delete(f"/custom-fields/{own.pk}").status_code == 403
    assert CustomField.objects.filter(name="Renamed", brand=other_brand).count() == (
        1 if role == Role.ADMIN else 0
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "key": "Bad Key", "kind": "text", "applies_to": "conversation"}, "key"),
        ({"name": "X", "key": "x", "kind": "colour", "applies_to": "conversation"}, "kind"),
        ({"name": "X", "key": "x", "kind": "dropdown", "applies_to": "conversation"}, "options"),
        (
            {
                "name": "X",
                "key": "x",
                "kind": "dropdown",
                "options": ["a", "a"],
                "applies_to": "conversation",
            },
            "options.1",
        ),
        (
            {
                "name": "X",
                "key": "x",
                "kind": "text",
                "options": ["a"],
                "applies_to": "conversation",
            },
            "options",
        ),
        ({"name": "X", "key": "x", "kind": "text", "applies_to": "ticket"}, "applies_to"),
        (
            {
                "name": "X",
                "key": "x",
                "kind": "text",
                "applies_to": "customer",
                "required_on_resolve": True,
            },
            "required_on_resolve",
        ),
        ({"name": "a\nb", "key": "x", "kind": "text", "applies_to": "customer"}, "name"),
        ({"name": "X", "key": "size", "kind": "text", "applies_to": "conversation"}, "key"),
    ],
)
def test_bad_definitions_name_the_field(
    body: dict[str, Any], field: str, brand_fields: dict[str, CustomField], admin_api: ApiClient
) -> None:
    before = CustomField.objects.count()
    r = admin_api.post("/custom-fields", body)
    assert 400 <= r.status_code < 500, r.json()
    assert r.json()["field"] == field
    assert CustomField.objects.count() == before


def test_key_kind_and_target_do_not_change(
    brand_fields: dict[str, CustomField], admin_api: ApiClient
) -> None:
    pk = brand_fields["size"].pk
    for body in ({"key": "other"}, {"kind": "text"}, {"applies_to": "customer"}):
        r = admin_api.patch(f"/custom-fields/{pk}", body)
        assert r.status_code == 422
        assert r.json()["field"] == next(iter(body))
    assert CustomField.objects.get(pk=pk).key == "size"


def test_same_key_for_conversations_and_customers(brand: Brand, admin_api: ApiClient) -> None:
    for target in ("conversation", "customer"):
        r = admin_api.post(
            "/custom-fields", {"name": "Ref", "key": "ref", "kind": "text", "applies_to": target}
        )
        assert r.status_code == 201
    r = admin_api.post(
        "/custom-fields", {"name": "Ref", "key": "ref", "kind": "text", "applies_to": "customer"}
    )
    assert r.status_code == 409 and r.json()["field"] == "key"


def test_conversation_values_merge_and_null_removes(
    brand: Brand, brand_fields: dict[str, CustomField], api: ApiClient, event_log: Any
) -> None:
    conv = make_conversation(brand)
    r = api.patch(
        f"/conversations/{conv.pk}",
        {"custom_fields": {"size": "12.50", "areas": ["east", "north"]}},
    )
    assert r.status_code == 200, r.json()
    assert r.json()["custom_fields"] == {"size": 12.5, "areas": ["north", "east"]}
    r = api.patch(f"/conversations/{conv.pk}", {"custom_fields": {"ok": True, "size": None}})
    assert r.json()["custom_fields"] == {"areas": ["north", "east"], "ok": True}
    assert api.get(f"/conversations/{conv.pk}").json()["custom_fields"] == {
        "areas": ["north", "east"],
        "ok": True,
    }
    listed = api.get("/conversations").json()["items"]
    assert listed[0]["custom_fields"] == {"areas": ["north", "east"], "ok": True}
    updates = [
        p for p in event_log.of(Event.CONVERSATION_UPDATED) if "custom_fields" in p["changes"]
    ]
    assert [u["changes"]["custom_fields"] for u in updates] == [
        {"size": 12.5, "areas": ["north", "east"]},
        {"areas": ["north", "east"], "ok": True},
    ]
    assert updates[1]["before"]["custom_fields"] == {"size": 12.5, "areas": ["north", "east"]}
    # the same values again change nothing and announce nothing
    count = len(event_log.of(Event.CONVERSATION_UPDATED))
    api.patch(f"/conversations/{conv.pk}", {"custom_fields": {"ok": True}})
    assert len(event_log.of(Event.CONVERSATION_UPDATED)) == count


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"size": "big"}, "size"),
        ({"size": "NaN"}, "size"),
        ({"size": True}, "size"),
        ({"plan": "gold"}, "plan"),  # the other brand's option
        ({"plan": ["pro"]}, "plan"),
        ({"areas": ["west"]}, "areas"),
        ({"areas": "north"}, "areas"),
        ({"due": "2025-02-29"}, "due"),
        ({"due": "tomorrow"}, "due"),
        ({"ok": "yes"}, "ok"),
        ({"order": "A-1"}, "order"),  # a customer field
        ({"nope": 1}, "nope"),
        ({"size": 1, "nope": 1}, "nope"),  # one bad key: nothing stored
    ],
)
def test_bad_values_are_refused_naming_the_key(
    values: dict[str, Any],
    key: str,
    brand: Brand,
    brand_fields: dict[str, CustomField],
    api: ApiClient,
) -> None:
    conv = make_conversation(brand)
    r = api.patch(f"/conversations/{conv.pk}", {"custom_fields": values, "priority": "high"})
    assert r.status_code == 422, r.json()
    assert r.json()["field"] == f"custom_fields.{key}"
    conv.refresh_from_db()
    assert conv.custom_fields == {} and conv.priority == "normal"


def test_archived_field_is_not_set_but_may_be_removed(
    brand: Brand, brand_fields: dict[str, CustomField], api: ApiClient
) -> None:
    conv = make_conversation(brand)
    api.patch(f"/conversations/{conv.pk}", {"custom_fields": {"size": 3}})
    fields.update_field(brand_fields["size"], actor=None, archived=True)
    r = api.patch(f"/conversations/{conv.pk}", {"custom_fields": {"size": 4}})
    assert r.status_code == 422 and r.json()["field"] == "custom_fields.size"
    r = api.patch(f"/conversations/{conv.pk}", {"custom_fields": {"size": None}})
    assert r.status_code == 200 and r.json()["custom_fields"] == {}


def test_other_brand_definitions_do_not_apply(
    other_brand: Brand,
    brand_fields: dict[str, CustomField],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    conv = make_conversation(other_brand)
    api = make_api(make_agent(Role.AGENT, brands=[other_brand]))
    assert api.patch(f"/conversations/{conv.pk}", {"custom_fields": {"size": 1}}).status_code == 422
    r = api.patch(f"/conversations/{conv.pk}", {"custom_fields": {"plan": "gold"}})
    assert r.status_code == 200 and r.json()["custom_fields"] == {"plan": "gold"}


def test_customer_values(
    brand: Brand, brand_fields: dict[str, CustomField], api: ApiClient, event_log: Any
) -> None:
    conv = make_conversation(brand)
    path = f"/customers/{conv.customer_id}"
    r = api.patch(path, {"custom_fields": {"order": "  A-1 "}})
    assert r.status_code == 200, r.json()
    assert r.json()["custom_fields"] == {"order": "A-1"}
    updated = event_log.of(Event.CUSTOMER_UPDATED)
    assert updated[-1]["changes"] == {"custom_fields": {"order": "A-1"}}
    for bad, key in (
        ({"order": "a\nb"}, "order"),
        ({"size": 1}, "size"),
        ({"order": "x" * 1001}, "order"),
    ):
        r = api.patch(path, {"custom_fields": bad, "name": "Changed"})
        assert r.status_code == 422 and r.json()["field"] == f"custom_fields.{key}"
    r = api.patch(path, {"custom_fields": {"order": None}})
    assert r.json()["custom_fields"] == {}
    assert api.get(path).json()["name"] != "Changed"


def test_required_on_resolve_every_way(
    brand: Brand, brand_fields: dict[str, CustomField], api: ApiClient, agent: Agent
) -> None:
    conv = make_conversation(brand)
    r = api.patch(f"/conversations/{conv.pk}", {"status": "resolved"})
    assert r.status_code == 422
    assert r.json()["field"] == "custom_fields"
    assert "Plan" in r.json()["detail"]
    with pytest.raises(InvalidInput) as exc:
        conversations.update_conversation(conv, actor=None, status="resolved", rule_id=None)
    assert exc.value.data["missing"] == ["plan"]
    conv.refresh_from_db()
    assert conv.status == "open"
    # an empty value is no value
    for empty in ("", None):
        r = api.patch(
            f"/conversations/{conv.pk}", {"status": "resolved", "custom_fields": {"plan": empty}}
        )
        assert r.status_code == 422
    # set in the same change: resolved
    r = api.patch(
        f"/conversations/{conv.pk}", {"status": "resolved", "custom_fields": {"plan": "pro"}}
    )
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    # a resolved conversation may lose the value; reopening and resolving again asks again
    api.patch(f"/conversations/{conv.pk}", {"status": "open", "custom_fields": {"plan": None}})
    assert api.patch(f"/conversations/{conv.pk}", {"status": "resolved"}).status_code == 422
    # other statuses are not held back
    assert api.patch(f"/conversations/{conv.pk}", {"status": "pending"}).status_code == 200
    # an archived field is not required
    fields.update_field(brand_fields["plan"], actor=None, archived=True)
    assert api.patch(f"/conversations/{conv.pk}", {"status": "resolved"}).status_code == 200


def test_required_field_of_one_brand_does_not_hold_the_other(
    other_brand: Brand, brand_fields: dict[str, CustomField]
) -> None:
    conv = make_conversation(other_brand)
    conversations.update_conversation(conv, actor=None, status="resolved")
    assert Conversation.objects.get(pk=conv.pk).status == "resolved"


def test_webhook_body_carries_the_values_and_the_change(
    brand: Brand, brand_fields: dict[str, CustomField]
) -> None:
    import json

    from wowdesk.webhooks.models import WebhookDelivery
    from wowdesk.webhooks.services import build_body

    conv = make_conversation(brand)
    conversations.update_conversation(conv, actor=None, custom_fields={"size": 3})
    payload = {
        "conversation_id": conv.pk,
        "brand_id": brand.pk,
        "changes": {"custom_fields": {"size": 3}},
        "before": {"custom_fields": {}},
    }
    delivery = WebhookDelivery(brand_id=brand.pk, event="conversation.updated", payload=payload)
    data = json.loads(build_body(delivery))["data"]
    assert data["changes"] == {"custom_fields": {"size": 3}}
    assert data["conversation"]["custom_fields"] == {"size": 3}
    customer_payload = {"customer_id": conv.customer_id, "brand_id": brand.pk, "changes": {}}
    delivery = WebhookDelivery(
        brand_id=brand.pk, event="customer.updated", payload=customer_payload
    )
    assert json.loads(build_body(delivery))["data"]["customer"]["custom_fields"] == {}


def test_merged_customer_keeps_its_values_and_gains_the_others(
    brand: Brand, brand_fields: dict[str, CustomField]
) -> None:
    from tests.factories import make_customer
    from wowdesk.customers import services as customers
    from wowdesk.customers.models import Customer

    define(brand, "tier", "text", applies_to="customer")
    target, source = make_customer(brand), make_customer(brand)
    customers.update_customer(target, actor=None, custom_fields={"order": "T-1"})
    customers.update_customer(source, actor=None, custom_fields={"order": "S-1", "tier": "gold"})
    customers.merge_customers(target, source, actor=None)
    assert Customer.objects.get(pk=target.pk).custom_fields == {"order": "T-1", "tier": "gold"}
