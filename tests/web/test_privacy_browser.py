"""A customer's personal data in a real browser: an administrator exports everything
about the customer from the conversation, then erases it after typing their email; the
conversation then says who erased it and when, and no longer offers to erase."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import quick_conversation
from tests.web.pages import LoginPage
from tests.web.pages_privacy import PrivacyPanel
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.customers.models import Customer

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def admin_page(page: Any, brand: Brand, make_agent: Callable[..., Agent]) -> Any:
    make_agent(Role.ADMIN, email="ada@example.com", name="Ada Admin", password=PASSWORD)
    LoginPage(page).open().login("ada@example.com", PASSWORD)
    return page


def test_an_admin_exports_then_erases_a_customer(admin_page: Any, brand: Brand) -> None:
    conversation = quick_conversation(
        brand, subject="Lamp", body="My lamp flickers", name="Pat Doe", email="pat@example.org"
    )
    panel = PrivacyPanel(admin_page).open(conversation.pk)
    data = panel.export()
    assert data["customer"]["email"] == "pat@example.org"
    assert data["conversations"][0]["messages"][0]["body"] == "My lamp flickers"

    confirm = panel.erase()
    assert "cannot be undone" in confirm.explanation
    confirm.confirm("someone-else@example.org")
    assert "Type the customer's email or id" in confirm.error
    assert Customer.objects.get(pk=conversation.customer_id).erased_at is None

    confirm.confirm("pat@example.org")
    customer = Customer.objects.get(pk=conversation.customer_id)
    assert customer.erased_at is not None and customer.email == ""
    panel = PrivacyPanel(admin_page).open(conversation.pk)
    assert panel.erased_line.startswith("Personal data erased on")
    assert panel.erased_line.endswith("by Ada Admin")
    assert not panel.has_erase_button()
