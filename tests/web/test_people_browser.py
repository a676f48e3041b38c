"""The people settings pages in a real browser: an administrator invites an agent, sets
their languages and weekly shifts with the week editor (the mouse), creates a team, a site
with opening hours and a closed date, and an SLA policy; in English and in Chinese; and
the week editor on a phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from tests.web.pages import LoginPage
from tests.web.pages_people import (
    AgentSettingsPage,
    PeopleAgentsPage,
    SitesSettingsPage,
    SlaSettingsPage,
    TeamsSettingsPage,
)
from wowdesk.core.models import Agent, Brand, Role, Site, Team
from wowdesk.routing.models import SlaPolicy

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def refused(page: Any, settings: Any) -> list[str]:
    """The pages run under the Content-Security-Policy; what it refuses is collected."""
    settings.WOWDESK_CSP = True
    found: list[str] = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return found


def sign_in(page: Any, live_server: Any, make_agent: Callable[..., Agent], language: str) -> Agent:
    boss = make_agent(Role.ADMIN, email="boss@example.com", name="Boss", password=PASSWORD)
    LoginPage(page).open().login("boss@example.com", PASSWORD)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    return boss


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_admin_sets_up_people_sites_and_sla(
    page: Any,
    live_server: Any,
    brand: Brand,
    make_agent: Callable[..., Agent],
    language: str,
    refused: list[str],
) -> None:
    sign_in(page, live_server, make_agent, language)
    agents = PeopleAgentsPage(page).open()
    assert page.locator("html").get_attribute("lang") == language
    agents.invite("li.wei@example.com", "Li Wei")
    new = Agent.objects.get(user__email="li.wei@example.com")

    agent_page = agents.open_agent(new.pk)
    agent_page.set_language(0, "de", "5").set_language(1, "en", "1")
    agent_page.set_timezone("Europe/Berlin")
    agent_page.add_skill("billing").add_skill("lamps").add_skill("typo").remove_skill("typo")
    assert agent_page.skills() == ["billing", "lamps"]
    week = agent_page.week
    assert week.visible
    week.drag("mon", 9, 16)  # Monday 09:00-17:00
    week.drag("tue", 9, 16)
    week.drag("sat", 22, 23)  # Saturday evening
    week.click("tue", 12)  # a lunch break
    assert week.row("mon") == "09:00-17:00"
    assert week.row("tue") == "09:00-12:00, 13:00-17:00"
    assert week.row("sat") == "22:00-24:00"
    assert week.painted("mon") == list(range(9, 17))
    agent_page.save()
    new.refresh_from_db()
    assert new.languages == ["de", "en"] and new.language_levels == {"de": 5, "en": 1}
    assert new.timezone == "Europe/Berlin"
    assert new.skills == ["billing", "lamps"]
    assert new.shifts == [
        "mon 09:00-17:00",
        "tue 09:00-12:00",
        "tue 13:00-17:00",
        "sat 22:00-24:00",
    ]
    # the saved shifts paint the grid again
    assert AgentSettingsPage(page).open(new.pk).week.painted("tue") == [9, 10, 11, 13, 14, 15, 16]

    teams = TeamsSettingsPage(page).open().create("Lamps", [new.pk])
    assert "Lamps" in teams.names()
    assert list(Team.objects.get(name="Lamps").members.all()) == [new]

    sites = (
        SitesSettingsPage(page)
        .open()
        .fill("Berlin", "Europe/Berlin", "DE", brand.pk, closed="2026-12-31")
    )
    sites.week.drag("mon", 8, 17)
    sites.type_hours("sat", "10:00-14:00")
    site_page = sites.save()
    site = Site.objects.get(name="Berlin")
    assert site.hours == {"mon": [["08:00", "18:00"]], "sat": [["10:00", "14:00"]]}
    year = dt.date.today().year
    assert f"{year}-12-25" in site_page.holidays()
    assert site_page.closed_dates() == ["2026-12-31"]

    sla = SlaSettingsPage(page).open().create("Gold", first=(1, 30), resolution=(24, 0))
    policy = SlaPolicy.objects.get(name="Gold")
    assert (policy.first_response_minutes, policy.resolution_minutes) == (90, 1440)
    assert sla.row("Gold")[-1] == "0"  # no conversation runs on it yet
    assert refused == []


def test_the_week_editor_on_a_phone(
    page: Any, live_server: Any, make_agent: Callable[..., Agent], refused: list[str]
) -> None:
    sign_in(page, live_server, make_agent, "en")
    worker = make_agent(Role.AGENT, name="Ana", shifts=("mon-fri 09:00-17:00",))
    page.set_viewport_size({"width": 390, "height": 844})
    agent_page = AgentSettingsPage(page).open(worker.pk)
    week = agent_page.week
    assert week.visible
    assert week.painted("wed") == list(range(9, 17))
    # the grid fits the screen: nothing sticks out of the page sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    grid = page.locator("[data-week-grid]")
    assert grid.evaluate("g => g.scrollWidth <= g.clientWidth")  # all 24 hours in view
    week.click("sat", 10)
    week.click("sat", 11)
    assert week.row("sat") == "10:00-12:00"
    # the keyboard: Space on a focused hour flips it
    page.locator(week.cell("sat", 12)).focus()
    page.keyboard.press("Space")
    page.locator(week.cell("sat", 10)).focus()
    page.keyboard.press("Enter")
    assert week.row("sat") == "11:00-13:00"
    week.drag("sun", 8, 9)
    assert week.row("sun") == "08:00-10:00"
    agent_page.save()
    worker.refresh_from_db()
    assert worker.shifts == ["mon-fri 09:00-17:00", "sat 11:00-13:00", "sun 08:00-10:00"]
    assert refused == []
