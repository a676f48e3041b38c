"""The "Personal data" panel of a conversation and the pages behind its buttons (export
download, erase confirm step): administrators of the customer's brand only."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from tests.factories import quick_conversation
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, AuditLog, Brand, Role
from wowdesk.customers.models import Customer


@pytest.fixture
def people(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> dict[tuple[str, str], Client]:
    clients = {}
    for b in (brand, other_brand):
        for role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
            client = Client()
            client.force_login(make_agent(role, brands=[b]).user)
            clients[(b.slug, role)] = client
    return clients


@pytest.fixture
def mine(brand: Brand) -> Conversation:
    return quick_conversation(brand, email="pat.doe@example.org", name="Pat Doe")


@pytest.fixture
def theirs(other_brand: Brand) -> Conversation:
    return quick_conversation(other_brand, email="kim.roe@example.org", name="Kim Roe")


def _erase_url(c: Conversation) -> str:
    return f"/policies/customers/{c.customer_id}/erase/"


def _export_url(c: Conversation) -> str:
    return f"/policies/customers/{c.customer_id}/export/"


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_agents_and_supervisors_see_no_panel_and_no_page(
    people: dict[tuple[str, str], Client], mine: Conversation, role: str
) -> None:
    client = people[("acme", role)]
    body = client.get(f"/inbox/c/{mine.pk}/").content.decode()
    assert 'id="privacy-panel"' not in body
    assert client.get(_export_url(mine)).status_code == 403
    assert client.get(_erase_url(mine)).status_code == 403
    r = client.post(_erase_url(mine), {"confirm": "pat.doe@example.org"})
    assert r.status_code == 403
    assert Customer.objects.get(pk=mine.customer_id).erased_at is None


def test_an_admin_sees_the_panel_and_exports(
    people: dict[tuple[str, str], Client], mine: Conversation
) -> None:
    client = people[("acme", Role.ADMIN)]
    body = client.get(f"/inbox/c/{mine.pk}/").content.decode()
    assert 'id="privacy-panel"' in body and 'id="privacy-erase"' in body
    r = client.get(_export_url(mine))
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    data = json.loads(b"".join(r.streaming_content))
    assert data["customer"]["email"] == "pat.doe@example.org"
    assert AuditLog.objects.filter(action="customer.export").count() == 1


def test_an_admin_erases_after_typing_the_email(
    people: dict[tuple[str, str], Client], mine: Conversation
) -> None:
    client = people[("acme", Role.ADMIN)]
    page = client.get(_erase_url(mine), {"next": mine.pk}).content.decode()
    assert "pat.doe@example.org" in page and 'id="privacy-confirm"' in page
    r = client.post(_erase_url(mine), {"confirm": "someone@else.org", "next": mine.pk})
    assert r.status_code == 422
    assert 'id="privacy-error"' in r.content.decode()
    r = client.post(_erase_url(mine), {"confirm": "Pat.Doe@example.org", "next": mine.pk})
    assert r.status_code == 302 and r["Location"] == f"/inbox/c/{mine.pk}/"
    customer = Customer.objects.get(pk=mine.customer_id)
    assert customer.erased_at is not None and customer.email == ""
    body = client.get(f"/inbox/c/{mine.pk}/").content.decode()
    assert 'id="privacy-erased"' in body and 'id="privacy-erase"' not in body
    assert "Personal data erased on" in body
    r = client.post(_erase_url(mine), {"confirm": str(customer.pk)})
    assert r.status_code == 409


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_another_brands_customer_is_out_of_reach(
    people: dict[tuple[str, str], Client], theirs: Conversation, role: str
) -> None:
    client = people[("acme", role)]
    assert client.get(_export_url(theirs)).status_code == 403
    assert client.post(_erase_url(theirs), {"confirm": "kim.roe@example.org"}).status_code == 403
    assert Customer.objects.get(pk=theirs.customer_id).erased_at is None
    assert client.get("/policies/customers/999999999/erase/").status_code in (403, 404)


def test_the_panel_costs_no_query_of_its_own(
    people: dict[tuple[str, str], Client],
    mine: Conversation,
) -> None:
    """The conversation costs the admin what it costs a supervisor, who sees no panel."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client: Client) -> int:
        client.get(f"/inbox/c/{mine.pk}/")  # warm the caches
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/inbox/c/{mine.pk}/")
        return len(ctx.captured_queries)

    assert count(people[("acme", Role.ADMIN)]) <= count(people[("acme", Role.SUPERVISOR)])
