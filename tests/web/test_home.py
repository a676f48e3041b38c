"""The start page in a real browser: the counts of the agent's own brands, and switching
the UI to Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.factories import make_conversation
from tests.web.pages import HomePage, LoginPage
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Status
from wowdesk.core.models import Agent, Brand, Role

CJK = re.compile(r"[\u4e00-\u9fff]")
PASSWORD = "correct-horse-battery-staple"


def _zh_catalog() -> Path | None:
    for base in settings.LOCALE_PATHS:
        mo = Path(base) / "zh_Hans" / "LC_MESSAGES" / "django.mo"
        if mo.exists():
            return mo
    return None


def test_home_shows_the_counts(
    page: Any, brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    make_agent(Role.SUPERVISOR)
    make_agent(Role.AGENT, brands=[other_brand])
    for i in range(3):
        make_conversation(brand, subject=f"Order {i} is late")
    resolved = make_conversation(brand, subject="Wrong colour")
    conversations.update_conversation(resolved, actor=None, status=Status.RESOLVED)
    make_conversation(other_brand, subject="Not theirs")

    LoginPage(page).open().login("ana@example.com", PASSWORD)
    home = HomePage(page).open()

    counts = home.counts()
    assert counts["conversations"] == 4
    assert counts["open"] == 3
    assert counts["resolved"] == 1
    assert counts["pending"] == 0
    assert counts["agents"] == 2  # the other brand's agent is not counted
    assert home.brands() == {"Acme": 4}  # four customers, one per conversation


def test_switching_the_language_to_chinese(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    LoginPage(page).open().login("ana@example.com", PASSWORD)
    home = HomePage(page).open()
    assert home.language == "en"
    english = home.heading
    assert english == "Your help desk"

    home.switch_language("简体中文")

    assert home.language == "zh-hans"
    # The counts survive the switch; only the words change.
    assert len(home.counts()) == 5
    assert _zh_catalog() is not None, "no compiled zh-hans catalog"
    assert home.heading != english
    assert CJK.search(home.heading), home.heading
    # The choice sticks for the next page.
    HomePage(page).open()
    assert home.language == "zh-hans"
