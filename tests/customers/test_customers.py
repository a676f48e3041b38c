"""The CRM: finding the customer behind an address, merging, purchases and warranties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import ApiClient
from tests.factories import make_conversation, make_customer, post_inbound
from wowdesk.conversations.models import Message
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, AuditLog, Brand, Role
from wowdesk.customers import services
from wowdesk.customers.models import Customer, Identity, Organization, Purchase
from wowdesk.customers.services import Contact, resolve_customer

# --- resolving --------------------------------------------------------------------------


def test_resolve_by_email_case_insensitively(brand: Brand) -> None:
    first, created = resolve_customer(brand.pk, Contact(name="Ana", email="Ana@Example.com"))
    assert created
    assert first.email == "ana@example.com"
    again, created = resolve_customer(brand.pk, Contact(email=" ANA@EXAMPLE.COM "))
    assert not created
    assert again.pk == first.pk
    assert Identity.objects.get().value == "ana@example.com"


def test_resolve_by_phone_in_any_spelling(brand: Brand) -> None:
    first, _ = resolve_customer(brand.pk, Contact(phone="+49 30 123456"))
    assert first.phone == "+4930123456"
    for spelling in ("004930123456", "+49 (30) 123-456", "0049 30 123456"):
        same, created = resolve_customer(brand.pk, Contact(phone=spelling))
        assert (same.pk, created) == (first.pk, False), spelling
    assert Customer.objects.count() == 1
    assert list(Identity.objects.values_list("kind", "value")) == [("phone", "+4930123456")]


def test_resolve_adds_new_identities_and_fills_the_name(brand: Brand) -> None:
    by_phone, _ = resolve_customer(brand.pk, Contact(phone="+49 30 123456"))
    assert by_phone.name == ""
    both, created = resolve_customer(
        brand.pk, Contact(name="Ana Lima", email="ana@example.com", phone="+4930123456")
    )
    assert not created
    assert both.pk == by_phone.pk
    assert both.name == "Ana Lima"
    assert set(Identity.objects.filter(customer=both).values_list("kind", flat=True)) == {
        "email",
        "phone",
    }
    # later, the email alone finds them
    assert resolve_customer(brand.pk, Contact(email="ana@example.com"))[0].pk == both.pk


def test_resolve_two_customers_first_identity_wins(brand: Brand) -> None:
    ana = make_customer(brand, email="ana@example.com")
    bo, _ = resolve_customer(brand.pk, Contact(phone="+4930123456"))
    found, created = resolve_customer(
        brand.pk, Contact(email="ana@example.com", phone="+4930123456")
    )
    assert (found.pk, created) == (ana.pk, False)
    # the phone stays with its owner: we do not guess, agents merge
    assert Identity.objects.get(kind="phone").customer_id == bo.pk


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        (Contact(), "from"),
        (Contact(email="nope"), "from.email"),
        (Contact(phone="030 1234"), "from.phone"),
        (Contact(handle="a b"), "from.handle"),
    ],
)
def test_resolve_rejects(brand: Brand, contact: Contact, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        resolve_customer(brand.pk, contact)
    assert info.value.field == field
    assert Customer.objects.count() == 0


def test_same_address_in_two_brands_is_two_customers(brand: Brand, other_brand: Brand) -> None:
    a = make_customer(brand, email="ana@example.com")
    b = make_customer(other_brand, email="ana@example.com")
    assert a.pk != b.pk


# --- merging ----------------------------------------------------------------------------


@pytest.fixture
def two_of_one(brand: Brand, agent: Agent) -> tuple[Customer, Customer]:
    """One person who wrote from email and from a phone: two records."""
    by_mail = make_conversation(brand, email="ana@example.com", name="Ana Lima")
    post_inbound(brand, channel="web", **{"from": {"phone": "+49 30 123456"}})
    target = by_mail.customer
    source = Customer.objects.exclude(pk=target.pk).get()
    services.update_customer(source, actor=None, notes="Prefers calls", vip_tier="gold")
    services.add_purchase(source, services.PurchaseInput(product="Lamp"), actor=None)
    return target, source


def test_merge_moves_everything_and_leaves_a_tombstone(
    two_of_one: tuple[Customer, Customer], agent: Agent, brand: Brand
) -> None:
    target, source = two_of_one
    services.merge_customers(target, source, actor=agent)
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert not source.identities.exists()
    assert not source.conversations.exists()
    assert not source.purchases.exists()
    assert set(target.identities.values_list("value", flat=True)) == {
        "ana@example.com",
        "+4930123456",
    }
    assert target.conversations.count() == 2
    assert [p.product for p in target.purchases.all()] == ["Lamp"]
    assert not Message.objects.filter(sender=source).exists()
    assert target.phone == "+4930123456"  # filled from the source
    assert target.vip_tier == "gold"
    assert target.notes == "Prefers calls"
    assert target.name == "Ana Lima"
    entry = AuditLog.objects.get(action="customer.merge")
    assert entry.actor_id == agent.pk
    assert entry.before == {"source_id": source.pk}
    assert entry.after == {"identities": 1, "purchases": 1}
    # the next message from the phone lands on the survivor
    result = post_inbound(brand, channel="web", **{"from": {"phone": "004930123456"}})
    assert Message.objects.get(pk=result.message_id).sender_id == target.pk


def test_merge_refusals(
    two_of_one: tuple[Customer, Customer], other_brand: Brand, agent: Agent
) -> None:
    target, source = two_of_one
    outsider = make_customer(other_brand)
    cases: list[tuple[Customer, Customer]] = [(target, target), (target, outsider)]
    for t, s in cases:
        with pytest.raises(InvalidInput) as info:
            services.merge_customers(t, s, actor=agent)
        assert info.value.field == "source_id"
    services.merge_customers(target, source, actor=agent)
    third = make_customer(target.brand)
    source.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.merge_customers(third, source, actor=agent)  # already a tombstone
    assert outsider.identities.count() == 1


def test_merge_api(two_of_one: tuple[Customer, Customer], api: ApiClient, agent: Agent) -> None:
    target, source = two_of_one
    response = api.post(f"/customers/{target.pk}/merge", {"source_id": source.pk})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["id"] == target.pk
    assert len(data["conversations"]) == 2
    assert {i["kind"] for i in data["identities"]} == {"email", "phone"}
    assert [p["product"] for p in data["purchases"]] == ["Lamp"]
    tomb = api.get(f"/customers/{source.pk}").json()
    assert tomb["merged_into_id"] == target.pk
    assert [c["id"] for c in api.get("/customers").json()["items"]] == [target.pk]
    again = api.post(f"/customers/{target.pk}/merge", {"source_id": source.pk})
    assert again.status_code == 422
    purchase = api.post(f"/customers/{source.pk}/purchases", {"product": "x"})
    assert purchase.status_code == 422
    assert purchase.json()["field"] == "customer_id"


def test_merge_across_brands_refused_even_for_an_agent_of_both(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    both = make_api(make_agent(Role.AGENT, brands=[brand, other_brand]))
    a = make_customer(brand)
    b = make_customer(other_brand)
    response = both.post(f"/customers/{a.pk}/merge", {"source_id": b.pk})
    assert response.status_code == 422
    assert response.json()["field"] == "source_id"
    b.refresh_from_db()
    assert b.merged_into_id is None


# --- purchases --------------------------------------------------------------------------


def test_purchases_with_warranty_status(api: ApiClient, brand: Brand) -> None:
    customer = make_customer(brand)
    today = timezone.localdate()
    days = dt.timedelta(days=1)
    cases = {
        "Old": (today - 400 * days, today - days, "expired"),
        "Soon": (today - 300 * days, today + 10 * days, "expiring"),
        "Today": (today - 300 * days, today, "expiring"),
        "Edge": (today - 300 * days, today + 30 * days, "expiring"),
        "New": (today - 10 * days, today + 31 * days, "active"),
        "None": (today, None, "none"),
    }
    for product, (bought, until, status) in cases.items():
        response = api.post(
            f"/customers/{customer.pk}/purchases",
            {
                "product": product,
                "purchased_on": bought.isoformat(),
                "warranty_until": until.isoformat() if until else None,
                "amount": "19.90",
                "currency": "eur",
            },
        )
        assert response.status_code == 201, response.content
        assert response.json()["warranty_status"] == status, product
        assert response.json()["currency"] == "EUR"
    profile = api.get(f"/customers/{customer.pk}").json()
    assert {p["product"]: p["warranty_status"] for p in profile["purchases"]} == {
        k: v[2] for k, v in cases.items()
    }


def test_same_external_id_updates_the_purchase(api: ApiClient, brand: Brand) -> None:
    customer = make_customer(brand)
    path = f"/customers/{customer.pk}/purchases"
    first = api.post(path, {"product": "Lamp", "external_id": "ord-1", "serial_number": "A"})
    second = api.post(path, {"product": "Lamp XL", "external_id": "ord-1", "serial_number": "B"})
    assert first.json()["id"] == second.json()["id"]
    purchase = Purchase.objects.get()
    assert (purchase.product, purchase.serial_number) == ("Lamp XL", "B")
    api.post(path, {"product": "Shade"})
    api.post(path, {"product": "Shade"})  # no external id: two rows
    assert Purchase.objects.count() == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product": ""}, "product"),
        ({"product": "   "}, "product"),
        ({}, "product"),
        (
            {"product": "x", "purchased_on": "2024-05-01", "warranty_until": "2024-04-01"},
            "warranty_until",
        ),
        ({"product": "x", "purchased_on": "not a date"}, "purchased_on"),
        ({"product": "x", "amount": "-1"}, "amount"),
        ({"product": "x", "currency": "EURO"}, "currency"),
    ],
)
def test_purchase_validation(
    api: ApiClient, brand: Brand, body: dict[str, Any], field: str
) -> None:
    customer = make_customer(brand)
    response = api.post(f"/customers/{customer.pk}/purchases", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Purchase.objects.count() == 0


# --- the API ----------------------------------------------------------------------------


def test_create_customer_or_find_existing(api: ApiClient, brand: Brand) -> None:
    body = {
        "name": "Ana Lima",
        "email": "Ana@Example.com",
        "phone": "+49 30 123456",
        "language": "pt",
        "timezone": "Europe/Lisbon",
        "vip_tier": "gold",
        "organization": "Lima & Co",
    }
    response = api.post("/customers", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["brand_id"] == brand.pk
    assert data["email"] == "ana@example.com"
    assert data["phone"] == "+4930123456"
    assert (data["language"], data["timezone"], data["vip_tier"]) == ("pt", "Europe/Lisbon", "gold")
    assert data["organization"]["name"] == "Lima & Co"
    assert {(i["kind"], i["value"]) for i in data["identities"]} == {
        ("email", "ana@example.com"),
        ("phone", "+4930123456"),
    }
    again = api.post("/customers", {"email": "ANA@example.com"})
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    assert Customer.objects.count() == 1
    assert Organization.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "from"),
        ({"email": "x"}, "from.email"),
        ({"email": "a@example.com", "timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "a@example.com", "vip_tier": "diamond"}, "vip_tier"),
    ],
)
def test_create_customer_validation(
    api: ApiClient, brand: Brand, body: dict[str, Any], field: str
) -> None:
    response = api.post("/customers", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Customer.objects.count() == 0


def test_update_customer(api: ApiClient, brand: Brand, agent: Agent) -> None:
    customer = make_customer(brand, name="Ana")
    response = api.patch(
        f"/customers/{customer.pk}",
        {"name": "Ana Lima", "notes": "Call after 5", "organization": "Acme Corp"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "Ana Lima"
    assert data["notes"] == "Call after 5"
    assert data["organization"]["name"] == "Acme Corp"
    entry = AuditLog.objects.get(action="customer.update")
    assert entry.actor_id == agent.pk
    assert entry.before["name"] == "Ana"
    assert entry.after["name"] == "Ana Lima"
    bad = api.patch(f"/customers/{customer.pk}", {"timezone": "Nowhere/Land"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "timezone"


def test_add_identity(api: ApiClient, brand: Brand) -> None:
    ana = make_customer(brand, email="ana@example.com")
    bo = make_customer(brand, email="bo@example.com")
    path = f"/customers/{ana.pk}/identities"
    response = api.post(path, {"kind": "phone", "value": "0049 30 123456"})
    assert response.status_code == 201
    assert response.json()["value"] == "+4930123456"
    assert api.post(path, {"kind": "phone", "value": "+49 30 123456"}).status_code == 201
    assert Identity.objects.filter(customer=ana).count() == 2
    taken = api.post(path, {"kind": "email", "value": "BO@example.com"})
    assert taken.status_code == 422
    assert taken.json()["field"] == "value"
    assert Identity.objects.get(value="bo@example.com").customer_id == bo.pk
    assert api.post(path, {"kind": "fax", "value": "1"}).json()["field"] == "kind"
    assert api.post(path, {"kind": "email", "value": "no"}).json()["field"] == "value"


def test_list_and_search_customers(api: ApiClient, brand: Brand) -> None:
    ana = make_customer(brand, email="ana@example.com", name="Ana Lima")
    bo = make_customer(brand, email="bo@shop.example", name="Bo Berg")
    services.add_identity(bo, kind="phone", value="+4930123456", actor=None)

    def found(**params: Any) -> list[int]:
        response = api.get("/customers", **params)
        assert response.status_code == 200
        return [c["id"] for c in response.json()["items"]]

    assert found() == [ana.pk, bo.pk]  # by name
    assert found(q="lima") == [ana.pk]
    assert found(q="SHOP.example") == [bo.pk]
    assert found(q="+4930") == [bo.pk]
    assert found(q="nobody") == []
    page = api.get("/customers", page=2, page_size=1).json()
    assert (page["total"], page["page"], [c["id"] for c in page["items"]]) == (2, 2, [bo.pk])


def test_search_customers_counts_each_once_in_its_brand(
    api: ApiClient, brand: Brand, other_brand: Brand
) -> None:
    """A customer matched by its name, its email and an identity at once is one result;
    another brand's and a merged-away customer with the same text are none."""
    ana = make_customer(brand, email="kiwi.ana@example.com", name="Ana Kiwi")
    services.add_identity(ana, kind="phone", value="+4930555111", actor=None)
    make_customer(other_brand, email="kiwi.bo@example.com", name="Bo Kiwi")
    gone = make_customer(brand, email="kiwi.cy@example.com", name="Cy Kiwi")
    services.merge_customers(ana, gone, actor=None)
    for q in ("kiwi", "KIWI.ana@", "+4930555", "Ana"):
        data = api.get("/customers", q=q).json()
        assert (data["total"], [c["id"] for c in data["items"]]) == (1, [ana.pk]), q
    assert api.get("/customers", q="kiwi.bo").json()["total"] == 0


def test_customer_profile_lists_conversations(api: ApiClient, brand: Brand) -> None:
    conv = make_conversation(brand, email="ana@example.com", subject="Broken lamp")
    data = api.get(f"/customers/{conv.customer_id}").json()
    assert [(c["id"], c["subject"], c["channel"]) for c in data["conversations"]] == [
        (conv.pk, "Broken lamp", "api")
    ]
    assert api.get("/customers/999999").status_code == 404


def test_warranty_status_function() -> None:
    from wowdesk.customers.api import warranty_status

    today = dt.date(2025, 1, 31)
    p = Purchase(product="x")
    assert warranty_status(p, today) == "none"
    for until, status in [
        (dt.date(2025, 1, 30), "expired"),
        (dt.date(2025, 1, 31), "expiring"),
        (dt.date(2025, 3, 2), "expiring"),
        (dt.date(2025, 3, 3), "active"),
    ]:
        p.warranty_until = until
        assert warranty_status(p, today) == status, until
