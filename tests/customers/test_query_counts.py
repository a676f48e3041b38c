"""Query counts pinned (the conventions): a page of 50 costs what a page of 5 costs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import make_customer
from wowdesk.conversations import services as conversations
from wowdesk.core.models import Agent, Brand
from wowdesk.customers import services as customers


@pytest.mark.parametrize("n", [5, 50])
def test_list_customers(
    n: int, api: ApiClient, brand: Brand, django_assert_num_queries: Any
) -> None:
    orgs = [customers.create_organization(brand_id=brand.pk, name=f"Org {i}") for i in range(3)]
    for i in range(n):
        customer = make_customer(brand)
        customers.update_customer(customer, actor=None, organization_id=orgs[i % 3].pk)
    api.get("/me")
    # auth, brands, COUNT, the page with organizations
    with django_assert_num_queries(4):
        response = api.get("/customers", page_size=100)
    items = response.json()["items"]
    assert len(items) == n
    assert all(c["organization"] for c in items)
    with django_assert_num_queries(4):
        assert len(api.get("/customers", q="customer", page_size=100).json()["items"]) == n


@pytest.mark.parametrize("n", [2, 20])
def test_get_customer(
    n: int, api: ApiClient, brand: Brand, agent: Agent, django_assert_num_queries: Any
) -> None:
    customer = make_customer(brand)
    for i in range(n):
        customers.add_identity(customer, kind="social", value=f"@handle{i}", actor=None)
        customers.add_purchase(customer, customers.PurchaseInput(product=f"P{i}"), actor=None)
        conversations.create_conversation(
            inbox=conversations.default_inbox(brand.pk, "api"), customer=customer, subject=f"{i}"
        )
    api.get("/me")
    # auth, brands, customer + organization, identities, purchases, conversations + inboxes
    with django_assert_num_queries(6):
        data = api.get(f"/customers/{customer.pk}").json()
    assert len(data["purchases"]) == n
    assert len(data["conversations"]) == n
