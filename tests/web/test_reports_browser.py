"""The report pages in a real browser: the charts draw (a canvas with ink, no console error
under the CSP), a drill-down click reaches the conversations behind a number, and the range
picker changes the numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from tests.analytics.report_helpers import answer
from tests.web.pages import LoginPage
from tests.web.pages_reports import ReportsPage
from wowdesk.core.models import Agent, Brand, Role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def supervisor_page(page: Any, brand: Brand, make_agent: Callable[..., Agent]) -> Any:
    make_agent(Role.SUPERVISOR, email="kim@example.com", name="Kim", password=PASSWORD)
    LoginPage(page).open().login("kim@example.com", PASSWORD)
    return page


def test_charts_draw_and_a_number_drills_to_its_conversations(
    supervisor_page: Any, brand: Brand
) -> None:
    detractor = answer(brand, "nps", 2, "Nobody called back")
    answer(brand, "nps", 10, "Wonderful")
    answer(brand, "csat", 5)
    reports = ReportsPage(supervisor_page).open("preset=7d&group_by=day").wait_for_charts()
    assert reports.charts().count() == 2
    assert reports.canvas_has_ink(0)
    assert reports.card_count("nps") == "2 answers"
    reports.drill("nps_detractors" if reports.card("nps_detractors").count() else "nps")
    assert detractor.conversation_id in reports.conversation_ids()
    assert reports.errors == []


def test_range_picker_changes_the_numbers(supervisor_page: Any, brand: Brand) -> None:
    answer(brand, "nps", 9)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=20), tick=False):
        answer(brand, "nps", 3)
    reports = ReportsPage(supervisor_page).open("preset=7d")
    assert reports.card_count("nps") == "1 answer"
    reports.pick_range("28d")
    assert reports.card_count("nps") == "2 answers"
    assert "preset=28d" in supervisor_page.url  # shareable
    assert reports.errors == []


def test_chinese_on_a_phone(supervisor_page: Any, brand: Brand, live_server: Any) -> None:
    answer(brand, "nps", 9)
    supervisor_page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    )
    supervisor_page.set_viewport_size({"width": 390, "height": 844})
    reports = ReportsPage(supervisor_page).open("preset=7d&group_by=day").wait_for_charts()
    assert supervisor_page.locator("html").get_attribute("lang") == "zh-hans"
    assert reports.canvas_has_ink(0)
    assert "净推荐值" in reports.card("nps").inner_text()
    # the page does not scroll sideways: wide tables scroll in their own box
    assert supervisor_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert reports.errors == []
