"""Inviting an agent and resetting a password in a real browser, through the page objects."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core import mail

from tests.web.pages import AgentsPage, ForgotPasswordPage, LoginPage, SetPasswordPage
from wowdesk.core.models import Agent, Brand, Role

PASSWORD = "correct-horse-battery-staple"
NEW_PASSWORD = "a-brand-new-passphrase-42"
LINK = re.compile(r"https?://\S+/password/reset/\S+/")


def test_an_admin_invites_an_agent_who_sets_a_password_and_logs_in(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.ADMIN, email="boss@example.com", name="Boss", password=PASSWORD)
    LoginPage(page).open().login("boss@example.com", PASSWORD)
    agents = (
        AgentsPage(page)
        .open()
        .invite("li.wei@example.com", "Li Wei", role="Supervisor", languages="zh,en")
    )
    assert "li.wei@example.com" in agents.flash
    assert agents.status_of("li.wei@example.com").startswith("invited")
    assert len(mail.outbox) == 1
    link = LINK.search(mail.outbox[0].body)
    assert link is not None

    page.context.clear_cookies()
    done = SetPasswordPage(page).open(link.group(0)).set(NEW_PASSWORD)
    assert done.heading == "Password set"
    inbox = LoginPage(page).open().login("li.wei@example.com", NEW_PASSWORD)
    assert inbox.heading
    assert Agent.objects.get(user__email="li.wei@example.com").role == Role.SUPERVISOR


def test_forgot_password_from_the_login_page(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    answer = ForgotPasswordPage(page).open_from_login().ask("ana@example.com")
    other = ForgotPasswordPage(page).open_from_login().ask("nobody@example.com")
    assert answer == other  # nothing tells an agent's address from another
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    link = LINK.search(mail.outbox[0].body)
    assert link is not None
    SetPasswordPage(page).open(link.group(0)).set(NEW_PASSWORD)
    LoginPage(page).open().login("ana@example.com", NEW_PASSWORD)
    assert page.url.endswith("/inbox/")
