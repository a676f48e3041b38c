"""The roster pages in a real browser: a planner of a small brand (a few agents at two
sites, a forecast made from imported history) asks for a roster, watches it solve (the test
runs the worker's job), reads the numbers, the chart, the heat-map and the grid per site,
publishes it — routing follows the published shifts — and simulates it, all under the
Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from tests.web.pages import LoginPage
from tests.web.pages_wfm_roster import RostersPage
from tests.wfm.test_api_wfm import MONDAY, history_csv
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.core.services import create_site
from wowdesk.routing import services as routing
from wowdesk.wfm import roster_services, services
from wowdesk.wfm.models import Roster, RosterShift

PASSWORD = "correct-horse-battery-staple"
WEEK = MONDAY + dt.timedelta(days=56)


def test_build_watch_publish_simulate(
    page: Any, brand: Brand, make_agent: Callable[..., Agent], settings: Any
) -> None:
    settings.WOWDESK_CSP = True  # the pages work under the Content-Security-Policy
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    berlin = create_site(name="Berlin", timezone_name="Europe/Berlin", brand_ids=[brand.pk])
    lisbon = create_site(name="Lisbon", timezone_name="Europe/Lisbon", brand_ids=[brand.pk])
    team = [
        make_agent(Role.AGENT, languages=("de",), site_id=(berlin if i < 5 else lisbon).pk,
                   name=f"De {i}")
        for i in range(8)
    ]  # fmt: skip
    kim = make_agent(
        Role.SUPERVISOR, email="kim@example.com", name="Kim", password=PASSWORD, languages=("en",)
    )
    # chats wait on the line: the simulation replays them (email would wait in its backlog)
    services.import_volume_csv(kim, brand.pk, history_csv(queue="de/chat"))
    forecast = services.create_forecast(None, brand.pk, first_day=WEEK, enqueue=False)
    services.compute_forecast(forecast.pk)

    LoginPage(page).open().login("kim@example.com", PASSWORD)
    rosters = RostersPage(page).open()
    assert rosters.roster_ids() == []
    assert all(rosters.agent_ticked(a.pk) for a in team)
    roster = (
        rosters.untick(kim.pk)
        .fill(week=WEEK.isoformat(), shift_hours="8", start_hours="6-12", time_limit="10")
        .build()
    )
    row = Roster.objects.get(brand=brand)
    assert roster.roster_id == row.pk and row.forecast_id == forecast.pk
    assert kim.pk not in row.request["agent_ids"]

    roster_services.solve(row.pk)  # as the worker would
    roster.wait_solved()
    assert roster.number("short") == "0"
    assert roster.chart_drawn()
    roster.pick_language("de")
    assert roster.chart_drawn()
    assert roster.heat_cells("de", "none").count() > 0
    assert roster.heat_cells("de", "short").count() == 0
    assert "covered every hour" in roster.heat_text("de")
    assert roster.sites() == ["Berlin", "Lisbon"]
    first = RosterShift.objects.filter(roster=row).order_by("start").first()
    assert first is not None
    local = first.start.astimezone(
        dt.timezone(dt.timedelta(hours=1 if first.agent.site_id == berlin.pk else 0))
    )
    assert any(s.startswith(f"{local:%H:%M}") for s in roster.shifts_of(first.agent_id))

    roster.publish()
    assert roster.published_note() == f"Published — routing follows it from {WEEK.isoformat()}."
    agent = Agent.objects.get(pk=first.agent_id)
    assert routing.on_shift(agent, first.start + dt.timedelta(minutes=1)) is True
    assert routing.on_shift(agent, first.end + dt.timedelta(hours=2)) is False

    roster.simulate(3)
    summary = roster.simulation_summary()
    assert summary.startswith("Miss probability overall:")
    assert roster.simulation_charts() == 1
    assert RostersPage(page).open().roster_ids() == [row.pk]
    assert refused == []
