"""The weekly report email: sent once per week at the brand's weekday and hour (in the
time zone of its first site), to the chosen agents (each in their UI language) and the
extra addresses; its numbers are those of ``services.metrics``. And the supervisor
board's loyalty tile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from tests.analytics.report_fakes import install
from tests.analytics.report_helpers import answer
from wowdesk.analytics import report_settings, services, weekly
from wowdesk.core.models import Agent, Brand, Role, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_services(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    return install(monkeypatch)


@pytest.fixture
def setup(brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]) -> dict[str, Any]:
    site = Site.objects.create(name="Berlin", timezone="Europe/Berlin")
    site.brands.add(brand)
    admin = make_agent(Role.ADMIN, email="admin@example.com")
    sup = make_agent(Role.SUPERVISOR, email="li@example.com")
    Agent.objects.filter(pk=sup.pk).update(ui_language="zh-hans")
    make_agent(Role.SUPERVISOR, email="not-chosen@example.com")
    make_agent(Role.ADMIN, brands=[other_brand], email="globex@example.com")
    report_settings.do_update_settings(
        admin,
        brand.pk,
        {
            "weekly_recipients": [admin.pk, sup.pk],
            "weekly_emails": ["cfo@example.com"],
            "weekly_weekday": 0,  # Monday
            "weekly_hour": 8,
        },
    )
    return {"admin": admin, "sup": sup}


def test_sent_once_a_week_at_the_brands_hour_to_the_right_people(
    brand: Brand, other_brand: Brand, setup: dict[str, Any]
) -> None:
    # answers of last week (and the week before), and one of the other brand
    with time_machine.travel(dt.datetime(2026, 2, 25, 10, 0, tzinfo=dt.UTC), tick=False):
        for score in (10, 10, 9, 3, 7):
            answer(brand, "nps", score)
        answer(brand, "csat", 5)
        answer(other_brand, "nps", 0)
    with time_machine.travel(dt.datetime(2026, 2, 18, 10, 0, tzinfo=dt.UTC), tick=False):
        answer(brand, "nps", 2)
    # Monday 2026-03-02 07:30 in Berlin (06:30 UTC): not yet
    with time_machine.travel(dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC), tick=False):
        weekly.run()
        assert mail.outbox == []
    # 08:05 Berlin: the report goes out, once
    with time_machine.travel(dt.datetime(2026, 3, 2, 7, 5, tzinfo=dt.UTC), tick=False):
        assert weekly.run() == 1
        assert weekly.run() == 0
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@example.com",
        "cfo@example.com",
        "li@example.com",
    ]
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "Weekly service report: Acme" in by_to["admin@example.com"].subject
    assert "Acme" in by_to["li@example.com"].subject
    assert "Weekly service report" not in by_to["li@example.com"].subject  # in Chinese
    html = by_to["admin@example.com"].alternatives[0][0]  # type: ignore[index]
    assert "<script" not in html
    # last week: Monday 23 Feb to Sunday 1 Mar, in the brand's zone, for this brand only;
    # the numbers are those of metrics()
    q = {
        "from": dt.date(2026, 2, 23),
        "to": dt.date(2026, 3, 1),
        "brand": brand.pk,
        "tz": "Europe/Berlin",
        "group_by": "day",
    }
    with time_machine.travel(dt.datetime(2026, 3, 2, 7, 5, tzinfo=dt.UTC), tick=False):
        result = services.metrics(setup["admin"], q)
    assert result["totals"]["nps"]["responses"] == 5  # not the other brand's
    assert result["totals"]["nps"]["value"] == 40.0  # 3 promoters, 1 detractor of 5
    text = by_to["admin@example.com"].body
    assert "NPS: +40 (n=5)" in text
    assert "week before: -100" in text
    assert "CSAT: 100 % (n=1)" in text
    # later that week: nothing; next Monday: again
    with time_machine.travel(dt.datetime(2026, 3, 5, 7, 5, tzinfo=dt.UTC), tick=False):
        assert weekly.run() == 0
    with time_machine.travel(dt.datetime(2026, 3, 9, 7, 1, tzinfo=dt.UTC), tick=False):
        assert weekly.run() == 1
    assert len(mail.outbox) == 6


def test_no_recipients_no_mail(brand: Brand, fake_services: list[dict[str, Any]]) -> None:
    report_settings.settings_of(brand.pk)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        assert weekly.run() == 0
    assert mail.outbox == []


def test_board_tile_shows_todays_nps_and_csat(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    fake_services: list[dict[str, Any]],
) -> None:
    c = Client()
    c.force_login(make_agent(Role.SUPERVISOR).user)
    page = c.get("/supervisor/").content.decode()
    assert 'data-tile="loyalty-today"' in page
    assert f'data-tile-brand="{brand.pk}"' in page
    assert f'data-tile-brand="{other_brand.pk}"' not in page
    q = fake_services[-1]
    assert q["from"] == q["to"] and q["group_by"] == "brand"
    assert 'data-measure="nps"' in page and 'data-measure="csat"' in page
