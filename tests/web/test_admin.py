"""The Django admin in a real browser: superusers only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import make_conversation
from tests.web.pages import AdminLoginPage, ConversationChangelist
from wowdesk.core.models import Agent, Brand, Role

PASSWORD = "correct-horse-battery-staple"


def superuser(make_agent: Callable[..., Agent], email: str) -> Agent:
    admin = make_agent(Role.ADMIN, email=email, password=PASSWORD)
    admin.user.is_superuser = True
    admin.user.save(update_fields=["is_superuser"])
    return admin


def test_superuser_logs_in_and_opens_conversations(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = superuser(make_agent, "boss@example.com")
    make_conversation(brand, subject="Lamp arrived broken")

    index = AdminLoginPage(page).open().login(admin.email, PASSWORD)
    assert index.logged_in

    changelist = index.open_conversations()
    assert page.url.endswith(ConversationChangelist.path)
    assert changelist.subjects() == ["Lamp arrived broken"]


def test_wrong_password_is_refused(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = superuser(make_agent, "boss@example.com")

    login = AdminLoginPage(page).open()
    login.login(admin.email, "not-the-password")

    assert "correct email" in login.error or "correct username" in login.error
    assert page.url.rstrip("/").endswith("/admin/login")


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_nobody_but_a_superuser_can_enter(
    page: Any, brand: Brand, make_agent: Callable[..., Agent], role: str
) -> None:
    person = make_agent(role, email=f"{role}@example.com", password=PASSWORD)
    make_conversation(brand, subject="Lamp arrived broken")

    login = AdminLoginPage(page).open()
    login.login(person.email, PASSWORD)

    # the admin refuses a brand's people (its admins too) with the wrong-password message
    assert "correct email" in login.error or "correct username" in login.error
    assert page.url.rstrip("/").endswith("/admin/login")
    page.goto(ConversationChangelist.path)
    assert "Lamp arrived broken" not in page.content()
    assert "/admin/login/" in page.url
