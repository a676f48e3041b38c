"""The Django admin in a real browser: logging in, and brand isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import make_conversation
from tests.web.pages import AdminLoginPage, ConversationChangelist
from wowdesk.core.models import Agent, Brand, Role

PASSWORD = "correct-horse-battery-staple"


def test_admin_agent_logs_in_and_opens_conversations(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = make_agent(Role.ADMIN, email="boss@example.com", password=PASSWORD)
    make_conversation(brand, subject="Lamp arrived broken")

    index = AdminLoginPage(page).open().login(admin.email, PASSWORD)
    assert index.logged_in

    changelist = index.open_conversations()
    assert page.url.endswith(ConversationChangelist.path)
    assert changelist.subjects() == ["Lamp arrived broken"]


def test_wrong_password_is_refused(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = make_agent(Role.ADMIN, email="boss@example.com", password=PASSWORD)

    login = AdminLoginPage(page).open()
    login.login(admin.email, "not-the-password")

    assert "correct email" in login.error or "correct username" in login.error
    assert page.url.rstrip("/").endswith("/admin/login")


def test_agent_without_admin_role_cannot_enter(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    agent = make_agent(Role.AGENT, email="agent@example.com", password=PASSWORD)

    login = AdminLoginPage(page).open()
    login.login(agent.email, PASSWORD)

    assert login.error  # the admin refuses non-staff accounts with the same message


def test_admin_of_one_brand_does_not_see_another_brands_conversations(
    page: Any, brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = make_agent(Role.ADMIN, email="acme-admin@example.com", password=PASSWORD)
    mine = make_conversation(brand, subject="Acme: parcel missing")
    theirs = make_conversation(other_brand, subject="Globex: invoice wrong")

    AdminLoginPage(page).open().login(admin.email, PASSWORD)
    changelist = ConversationChangelist(page).open()

    assert changelist.subjects() == ["Acme: parcel missing"]
    # Not by URL either: the admin treats the other brand's row as missing.
    url, text = changelist.open_change_page(theirs.pk)
    assert "Globex: invoice wrong" not in text
    assert f"/{theirs.pk}/change/" not in url
    url, text = changelist.open_change_page(mine.pk)
    assert url.endswith(f"/{mine.pk}/change/")


def test_admin_sets_an_agents_role_only_in_their_own_brand(
    page: Any, brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from tests.web.pages import AgentChangePage
    from wowdesk.core.models import Membership

    admin = make_agent(Role.ADMIN, email="acme-admin@example.com", password=PASSWORD)
    shared = make_agent(Role.AGENT, brands=[brand, other_brand], name="Sam Both")

    AdminLoginPage(page).open().login(admin.email, PASSWORD)
    agent_page = AgentChangePage(page).open(shared.pk)

    assert agent_page.role_rows() == [("Acme", "agent")]  # Globex's row is not shown
    assert agent_page.brand_choices() == ["Acme"]
    assert not agent_page.active_is_editable()  # shared with a brand they don't administer
    message = agent_page.set_role(0, "supervisor").save()

    assert "Sam Both" in message
    roles = dict(Membership.objects.filter(agent=shared).values_list("brand__slug", "role"))
    assert roles == {"acme": "supervisor", "globex": "agent"}
