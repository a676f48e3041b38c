"""Every change to a customer is announced: customer.created, customer.updated (with the
fields before and after), customer.merged (in the merge's transaction, where the
conversations app moves what it holds)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_conversation, make_customer, post_inbound
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.errors import InvalidInput
from wowdesk.core.events import Event
from wowdesk.core.models import Agent, Brand
from wowdesk.customers import services
from wowdesk.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_a_new_customer_is_announced_once(brand: Brand, event_log: Any) -> None:
    for channel, sender in (
        ("api", {"email": "ana@example.com"}),
        ("web", {"phone": "+49 30 123456"}),
        ("api", {"name": "Bo", "email": "bo@example.com"}),
    ):
        post_inbound(brand, channel=channel, **{"from": sender})
    # the same people again: nobody new
    post_inbound(brand, **{"from": {"email": "ana@example.com"}})
    post_inbound(brand, channel="web", **{"from": {"phone": "004930123456"}})
    created = event_log.of(Event.CUSTOMER_CREATED)
    ids = sorted(Customer.objects.values_list("pk", flat=True))
    assert sorted(p["customer_id"] for p in created) == ids
    assert len(ids) == 3
    assert {p["brand_id"] for p in created} == {brand.pk}


def test_update_announces_changes_and_before(brand: Brand, agent: Agent, event_log: Any) -> None:
    customer = make_customer(brand, name="Ana")
    services.update_customer(customer, actor=agent, vip_tier="gold", notes="Calls at noon")
    services.update_customer(customer, actor=agent, vip_tier="gold")  # nothing changes
    services.update_customer(customer, actor=agent, name="Ana Lima", language="pt")
    updates = event_log.of(Event.CUSTOMER_UPDATED)
    assert updates == [
        {
            "customer_id": customer.pk,
            "brand_id": brand.pk,
            "changes": {"vip_tier": "gold", "notes": "Calls at noon"},
            "before": {"vip_tier": "", "notes": ""},
        },
        {
            "customer_id": customer.pk,
            "brand_id": brand.pk,
            "changes": {"name": "Ana Lima", "language": "pt"},
            "before": {"name": "Ana", "language": ""},
        },
    ]


def test_a_name_learnt_from_a_message_is_an_update(brand: Brand, event_log: Any) -> None:
    post_inbound(brand, **{"from": {"email": "nameless@example.com"}})
    customer = Customer.objects.get()
    assert customer.name == ""
    post_inbound(brand, **{"from": {"email": "nameless@example.com", "name": "Cy Young"}})
    assert event_log.of(Event.CUSTOMER_UPDATED) == [
        {
            "customer_id": customer.pk,
            "brand_id": brand.pk,
            "changes": {"name": "Cy Young"},
            "before": {"name": ""},
        }
    ]


def test_set_language_writes_and_announces_only_a_change(brand: Brand, event_log: Any) -> None:
    customer = make_customer(brand)
    services.set_language(customer, "de")
    services.set_language(customer, "de")
    services.set_language(customer, "fr")
    customer.refresh_from_db()
    assert customer.language == "fr"
    assert [(p["changes"], p["before"]) for p in event_log.of(Event.CUSTOMER_UPDATED)] == [
        ({"language": "de"}, {"language": ""}),
        ({"language": "fr"}, {"language": "de"}),
    ]


def test_merge_is_announced_and_conversations_follow(
    brand: Brand, agent: Agent, event_log: Any
) -> None:
    first = make_conversation(brand, email="ana@example.com")
    second = make_conversation(brand, email="ana.lima@example.com")
    third = make_conversation(brand, email="ana@work.example.com")
    target = first.customer
    for source in (second.customer, third.customer):
        services.merge_customers(target, source, actor=agent)
    merged = event_log.of(Event.CUSTOMER_MERGED)
    assert merged == [
        {"customer_id": target.pk, "merged_id": second.customer_id, "brand_id": brand.pk},
        {"customer_id": target.pk, "merged_id": third.customer_id, "brand_id": brand.pk},
    ]
    assert set(Conversation.objects.values_list("customer_id", flat=True)) == {target.pk}
    assert set(
        Message.objects.filter(sender__isnull=False).values_list("sender_id", flat=True)
    ) == {target.pk}


def test_a_refused_merge_announces_nothing(brand: Brand, agent: Agent, event_log: Any) -> None:
    customer = make_customer(brand)
    with pytest.raises(InvalidInput):
        services.merge_customers(customer, customer, actor=agent)
    assert event_log.of(Event.CUSTOMER_MERGED) == []


def test_customers_imports_no_conversations() -> None:
    """The merge leaves the conversations to their app's listener: no import needed."""
    import ast
    from pathlib import Path

    import wowdesk.customers

    root = Path(wowdesk.customers.__file__).parent
    imported = {
        node.module
        for path in root.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not {m for m in imported if m.startswith("wowdesk.conversations")}
    assert "wowdesk.core.events" in imported  # it announces its changes
