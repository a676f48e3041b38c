"""Email staffed as deferred work and a language's channels pooled: in rosters' requirements,
the staffing API and the staffing page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from wowdesk.core.models import Agent, Brand, Role
from wowdesk.wfm import deferred, erlang, roster_services, services
from wowdesk.wfm.models import Forecast, ForecastValue, RunStatus

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 3, 2)
NIGHT = range(0, 12)  # 00:00–06:00 UTC


def _contacts(channel: str, slot: int) -> float:
    if slot in NIGHT:
        return {"email": 0.05, "chat": 0.0, "voice": 0.0}[channel]
    return {"email": 6.0, "chat": 8.0, "voice": 10.0}[channel]


def _forecast(brand: Brand) -> Forecast:
    row = Forecast.objects.create(brand=brand, first_day=MONDAY, days=1, status=RunStatus.DONE)
    start = dt.datetime.combine(MONDAY, dt.time(), dt.UTC)
    ForecastValue.objects.bulk_create(
        ForecastValue(
            forecast=row,
            language="de",
            channel=channel,
            interval_start=start + dt.timedelta(minutes=30 * s),
            contacts=_contacts(channel, s),
            lower=0,
            upper=1,
            aht_seconds=aht,
        )
        for channel, aht in (("email", 600.0), ("chat", 300.0), ("voice", 240.0))
        for s in range(48)
    )
    return row


def test_the_roster_needs_nobody_at_night_but_at_the_emails_deadline(brand: Brand) -> None:
    row = _forecast(brand)
    req = roster_services._requirements_from_forecast(row, MONDAY, 30)
    start = dt.datetime.combine(MONDAY, dt.time(), dt.UTC)
    need = {dt.datetime.fromisoformat(r["interval_start"]): r["agents"] for r in req}
    night = [need.get(start + dt.timedelta(minutes=30 * s), 0) for s in NIGHT]
    # 0.05 emails × 600 s a half hour: one agent when the first ones fall due (4 h), not 12
    assert sum(night) <= 2 and night[:7] == [0] * 7
    # by day: no more than the pooled Erlang of chat + voice plus the email's workload plan
    day = [s for s in range(48) if s not in NIGHT]
    target = erlang.Target(service_level=0.8, seconds=20)
    load = [_contacts("chat", s) * 300 + _contacts("voice", s) * 240 for s in day]
    pooled = erlang.staff(
        [a / 270 for a in load], interval_seconds=1800, aht_seconds=270, target=target
    )
    email = deferred.deferred_agents([_contacts("email", s) for s in range(48)], 1800, 600)
    apart = sum(
        erlang.staff(
            [_contacts(c, s) for s in day], interval_seconds=1800, aht_seconds=a, target=target
        ).agents.sum()
        for c, a in (("chat", 300), ("voice", 240))
    )
    got = sum(need.get(start + dt.timedelta(minutes=30 * s), 0) for s in day)
    assert got <= pooled.agents.sum() + email.agents.sum()
    assert got < apart + email.agents.sum()  # fewer than the channels staffed apart


def test_the_staffing_page_shows_pooled_languages_and_the_deferred_email(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    row = _forecast(brand)
    c = Client()
    c.force_login(make_agent(Role.SUPERVISOR, brands=[brand]).user)
    page = c.get("/wfm/staffing/", {"go": 1, "source": "forecast", "forecast": row.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="staffing-deferred"' in html and 'data-queue="de/email"' in html
    params = services.StaffingInput(
        1800, 300, erlang.Target(0.8, 20), 0.3, "erlang_c", None, 0.85, 1
    )
    queues = services.forecast_staffing(row, params)
    languages = services.forecast_language_staffing(row, params)
    pooled = sum(r["agents"] for r in languages["de"])
    apart = sum(r["agents"] for q in queues.values() for r in q)
    assert pooled < apart
    assert all(r["model"] == "deferred" for r in queues["de/email"])


def test_the_calculator_plans_deferred_work(
    make_api: Callable[..., Any], make_agent: Callable[..., Agent], brand: Brand
) -> None:
    api = make_api(make_agent(Role.AGENT, brands=[brand]))
    r = api.post(
        "/wfm/staffing",
        {"aht_seconds": 600, "target": {"service_level": 0.8, "seconds": 20}, "model": "deferred",
         "response_seconds": 7200, "intervals": [{"contacts": 0.05}] * 8},
    )  # fmt: skip
    assert r.status_code == 200, r.content
    rows = r.json()["intervals"]
    assert [x["agents"] for x in rows] == [0, 0, 0, 1, 0, 0, 0, 1]
    assert all(x["model"] == "deferred" and x["response_seconds"] == 7200 for x in rows)


def test_deferred_channels_and_window_are_settings(
    brand: Brand, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.conf import settings

    from wowdesk.config import Config

    env = {
        "WOWDESK_WFM_DEFERRED_CHANNELS": "Email, whatsapp",
        "WOWDESK_WFM_DEFERRED_RESPONSE_SECONDS": "7200",
    }
    config = Config.from_env(env)
    assert config.wfm_deferred_channels == ("email", "whatsapp")
    assert config.wfm_deferred_response_seconds == 7200.0
    assert Config.from_env({}).wfm_deferred_channels == ("email",)
    monkeypatch.setattr(settings, "CONFIG", config)
    assert services.deferred_channels() == {"email", "whatsapp"}
    # no SLA policy for the brand: the configured window
    assert services.response_seconds(brand.pk, "whatsapp") == 7200.0
