"""The report pages on the real metrics service: an answer moves the numbers, the drill-down
reaches its conversation, and the pages in Chinese show no English."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.analytics.report_helpers import answer
from tests.test_i18n import visible_english
from wowdesk.core.models import Agent, Brand, Role

pytestmark = pytest.mark.django_db

TABS = ("loyalty", "service", "channels", "sites", "agents", "surveys")


def _client(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


def test_a_detractor_moves_the_nps_and_drills_to_its_conversation(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Any]
) -> None:
    sup = make_agent(Role.SUPERVISOR)
    c = _client(sup)
    before = c.get("/reports/", {"preset": "7d"}).content.decode()
    assert '<li class="rp-card" data-measure="nps">' in before
    detractor = answer(brand, "nps", 3, "Tidak ada yang menelepon kembali", language="id")
    answer(other_brand, "nps", 10)
    page = c.get("/reports/", {"preset": "7d"}).content.decode()
    card = page.split('<li class="rp-card" data-measure="nps">')[1].split("</li>")[0]
    assert "-100" in card and "data-count>1 answer" in card
    link = unescape(card.split('href="')[1].split('"')[0])
    drill = c.get(link).content.decode()
    assert f'data-conversation-id="{detractor.conversation_id}"' in drill
    assert drill.count("data-conversation-id=") == 1  # not the other brand's


@pytest.mark.parametrize("tab", TABS)
def test_pages_in_chinese_have_no_english(
    tab: str, brand: Brand, make_agent: Callable[..., Any]
) -> None:
    admin = make_agent(Role.ADMIN, name="张伟")
    answer(brand, "nps", 3, "没有人回电话", agent=admin, language="zh")
    c = _client(admin)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = c.get("/reports/", {"tab": tab}).content.decode()
    assert visible_english(page) == set()
    if tab == "loyalty":
        assert visible_english(c.get("/reports/settings/").content.decode()) == set()


def test_board_tile_links_to_todays_answers(brand: Brand, make_agent: Callable[..., Any]) -> None:

    theirs = answer(brand, "nps", 4, "Slow")
    c = _client(make_agent(Role.SUPERVISOR))
    page = c.get("/supervisor/").content.decode()
    tile = page.split('data-tile="loyalty-today"')[1].split("</ul>")[0]
    assert "-100" in tile and "1 answer" in tile
    link = unescape(tile.split('data-measure="nps"')[0].rsplit('href="', 1)[1].split('"')[0])
    drill = c.get(link)
    assert drill.status_code == 200
    assert f'data-conversation-id="{theirs.conversation_id}"' in drill.content.decode()


@pytest.mark.parametrize("tab", ["loyalty", "service", "agents"])
def test_queries_per_page_stay_constant_on_the_real_service(
    tab: str, brand: Brand, make_agent: Callable[..., Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sup = make_agent(Role.SUPERVISOR)
    c = _client(sup)
    c.get("/reports/")
    counts = []
    for n in (1, 6):
        for i in range(n):
            answer(brand, "nps", i % 11, agent=make_agent(Role.AGENT))
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/reports/", {"tab": tab, "preset": "90d"}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts  # more answers, agents and groups: no more queries
    assert counts[1] <= 60  # the filter menus, the session, the service's own set
