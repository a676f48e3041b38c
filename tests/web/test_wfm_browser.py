"""The planner's pages of workforce management in a real browser (/wfm/, /wfm/forecast/,
/wfm/staffing/, /wfm/adherence/): a supervisor imports history (a bad line is named),
starts a forecast and watches it finish (the test runs the worker's task), reads a queue's
chart and its data table, adds and removes a special day; computes staffing from pasted
contacts (the textbook case) and from the forecast (agents per language); reads an
agent's adherence row. Agents get 403; another brand's data is not shown; the pages work
under the Content-Security-Policy, in Chinese and on a phone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.web.pages import LoginPage
from tests.web.pages_wfm import (
    AdherencePage,
    ForecastPage,
    StaffingPage,
    WfmHome,
    page_width,
)
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing import services as routing
from wowdesk.wfm import roster_services, services
from wowdesk.wfm.models import ForecastValue, SpecialDay, VolumeRecord

PASSWORD = "correct-horse-battery-staple"
CJK = re.compile(r"[\u4e00-\u9fff]")


def this_monday() -> dt.date:
    today = dt.datetime.now(dt.UTC).date()
    return today - dt.timedelta(days=today.weekday())


NEXT_MONDAY = this_monday() + dt.timedelta(days=7)
# Monday 10:00 UTC of the forecast week in Kim's zone (Berlin)
TEN_IN_BERLIN = dt.datetime.combine(NEXT_MONDAY, dt.time(10), dt.UTC).astimezone(
    ZoneInfo("Europe/Berlin")
)


def history_csv(weeks: int = 5) -> str:
    """de/email and fr/chat on weekdays' office hours (UTC), from ``weeks`` weeks before
    this Monday to yesterday (a day gone by without a line would be read as a quiet day)."""
    lines = ["interval_start,queue,contacts,aht_seconds"]
    first = this_monday() - dt.timedelta(weeks=weeks)
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    for d in range((yesterday - first).days + 1):
        day = first + dt.timedelta(days=d)
        for half in range(16, 36):  # 08:00–18:00
            at = dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(minutes=30 * half)
            de = 12 if day.weekday() < 5 else 3
            fr = 6 if day.weekday() < 5 else 2
            lines.append(f"{at:%Y-%m-%dT%H:%M:%SZ},de/email,{de},240")
            lines.append(f"{at:%Y-%m-%dT%H:%M:%SZ},fr/chat,{fr},360")
    return "\n".join(lines) + "\n"


@pytest.fixture
def kim(make_agent: Callable[..., Agent]) -> Agent:
    # in Berlin: the pages show times in the viewer's zone (UTC + 1 in winter)
    return make_agent(
        Role.SUPERVISOR,
        email="kim@example.com",
        name="Kim",
        password=PASSWORD,
        languages=("en",),
        timezone="Europe/Berlin",
    )


def test_import_forecast_and_special_days(
    page: Any, csp_refusals: list[str], brand: Brand, kim: Agent, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, languages=("de", "fr"), name="Uwe")
    LoginPage(page).open().login("kim@example.com", PASSWORD)
    home = WfmHome(page).open()
    assert len(home.steps()) == 5 and home.forecast_ids() == []

    fc = ForecastPage(page).open()
    bad = history_csv().splitlines()
    bad[2] = "yesterday,de/email,3,240"
    fc.import_csv("\n".join(bad) + "\n")
    assert fc.error().startswith("Line 3:")
    assert not VolumeRecord.objects.exists()

    csv = history_csv()
    fc.import_csv(csv)
    rows = len(csv.splitlines()) - 1
    assert fc.flash() == f"Imported {rows} rows ({rows} new, 0 replaced)."
    assert VolumeRecord.objects.filter(brand=brand).count() == rows

    forecast_id = fc.start(NEXT_MONDAY.isoformat())
    assert fc.status() == "queued"
    services.compute_forecast_task.call(forecast_id)  # as the worker runs it
    fc.wait_done()
    assert fc.queues() == ["de/email", "fr/chat"]
    assert fc.chart_drawn()
    assert set(fc.methods()) == {"de/email", "fr/chat"}

    fc.pick_queue("fr/chat")
    assert fc.chart_title().startswith("fr/chat:")
    assert fc.chart_drawn()
    values = fc.values()
    stored = list(
        ForecastValue.objects.filter(forecast_id=forecast_id, language="fr", channel="chat")
        .order_by("interval_start")
        .values_list("contacts", "lower", "upper")
    )
    assert len(values) == len(stored) == 7 * 48
    # Monday 10:00 UTC in Kim's zone, in the chart and in its table
    ten = 20
    assert fc.chart_labels()[ten] == f"{TEN_IN_BERLIN:%a %H:%M}"
    assert values[ten][0] == f"{TEN_IN_BERLIN:%a %Y-%m-%d %H:%M}"
    assert [float(x) for x in values[ten][1:4]] == [round(v, 1) for v in stored[ten]]
    assert float(values[ten][1]) > 3 and values[ten][4] == "—"  # the future has no actuals

    fc.add_special_day(
        (NEXT_MONDAY + dt.timedelta(days=2)).isoformat(), "2.5", language="de", note="Sale"
    )
    day = SpecialDay.objects.get(brand=brand)
    assert fc.special_days() == [
        [(NEXT_MONDAY + dt.timedelta(days=2)).isoformat(), "×2.5", "de", "Sale"]
    ]
    fc.remove_special_day(day.pk)
    assert fc.special_days() == [] and not SpecialDay.objects.exists()

    roster = roster_services.create_roster(
        kim, brand.pk, week_start=NEXT_MONDAY, forecast_id=forecast_id, enqueue=False
    )
    home.open()
    assert home.forecast_ids() == [forecast_id]
    assert home.forecast_status(forecast_id) == "done"
    home.open_roster(roster.pk)  # the home links the latest rosters to their pages
    assert page.locator(f"#ro-roster[data-roster-id='{roster.pk}']").count() == 1
    assert csp_refusals == []


def test_picking_a_forecast_without_the_queue_shown_shows_its_first_queue(
    page: Any, brand: Brand, other_brand: Brand, kim: Agent, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, languages=("de", "fr"), name="Uwe")
    lines = history_csv().splitlines()
    services.import_volume_csv(kim, brand.pk, "\n".join(x for x in lines if "fr/" not in x))
    de_only = services.create_forecast(kim, brand.pk, first_day=NEXT_MONDAY, enqueue=False)
    services.compute_forecast_task.call(de_only.pk)
    services.import_volume_csv(kim, brand.pk, history_csv())
    both = services.create_forecast(kim, brand.pk, first_day=NEXT_MONDAY, enqueue=False)
    services.compute_forecast_task.call(both.pk)
    theirs = services.create_forecast(None, other_brand.pk, first_day=NEXT_MONDAY, enqueue=False)

    LoginPage(page).open().login("kim@example.com", PASSWORD)
    fc = ForecastPage(page).open(forecast=both.pk, queue="fr/chat")
    assert fc.chart_title().startswith("fr/chat:")
    fc.pick_forecast(de_only.pk, "de/email")
    assert fc.shown_id() == de_only.pk and fc.queues() == ["de/email"]
    assert fc.chart_drawn()
    # the other brand's forecast is neither listed nor shown
    options = page.locator("#forecast-pick select[name=forecast] option").evaluate_all(
        "els => els.map(e => Number(e.value))"
    )
    assert sorted(options) == sorted([both.pk, de_only.pk])
    response = page.goto(f"/wfm/forecast/?forecast={theirs.pk}")
    assert response is not None and response.status == 403


def test_staffing_textbook_case_and_per_language(
    page: Any, csp_refusals: list[str], brand: Brand, kim: Agent, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, languages=("de", "fr"), name="Uwe")
    services.import_volume_csv(kim, brand.pk, history_csv())
    row = services.create_forecast(kim, brand.pk, first_day=NEXT_MONDAY, enqueue=False)
    services.compute_forecast_task.call(row.pk)

    LoginPage(page).open().login("kim@example.com", PASSWORD)
    staffing = StaffingPage(page).open()
    staffing.paste("100").fill(
        interval_minutes="30", aht_seconds="180", service_level="80", seconds="20", shrinkage="30"
    ).compute()
    (first,) = staffing.rows()
    assert first[:4] == ["1", "100.0", "14", "20"]
    assert first[4] == "89 %"  # 88.8 % with 14 agents
    assert staffing.chart_drawn("chart-staffing")

    staffing.from_forecast(row.pk).fill(aht_seconds="300").compute()
    assert staffing.chart_drawn("chart-languages")
    assert staffing.languages() == ["de", "fr"]
    table = staffing.language_rows()
    assert len(table) == 7 * 48
    params = services.StaffingInput(
        interval_seconds=1800,
        aht_seconds=300,
        target=services.erlang.Target(service_level=0.8, seconds=20),
        shrinkage=0.3,
        model="erlang_c",
        patience_seconds=None,
        occupancy_cap=0.85,
        concurrency=1,
    )
    # per language, its channels pooled (email as deferred work)
    expected = services.forecast_language_staffing(row, params)
    ten = 20  # Monday 10:00 UTC
    de, fr = expected["de"][ten]["agents"], expected["fr"][ten]["agents"]
    assert table[ten] == [f"{TEN_IN_BERLIN:%a %Y-%m-%d %H:%M}", str(de), str(fr), str(de + fr)]
    assert de > 0 and fr > 0
    assert "de + fr" in staffing.pooling()
    assert csp_refusals == []


def test_adherence_row_with_scheduled_spans_and_an_exception(
    page: Any,
    csp_refusals: list[str],
    brand: Brand,
    other_brand: Brand,
    kim: Agent,
    make_agent: Callable[..., Agent],
) -> None:
    uwe = make_agent(Role.AGENT, name="Uwe", shifts=("mon-sun 08:00-16:00",))
    olga = make_agent(
        Role.AGENT, brands=[other_brand], name="Olga", shifts=("mon-sun 08:00-16:00",)
    )
    # a winter day, some weeks ago (Berlin is UTC + 1)
    day = dt.date(2026, 11, 25)
    at = dt.datetime.combine(day, dt.time(), dt.UTC)
    for agent in (uwe, olga):
        routing.record_presence_span(agent.pk, "online", at + dt.timedelta(hours=8, minutes=20))
        routing.record_presence_span(agent.pk, "away", at + dt.timedelta(hours=12))
        routing.record_presence_span(agent.pk, "online", at + dt.timedelta(hours=12, minutes=30))
        routing.record_presence_span(agent.pk, "offline", at + dt.timedelta(hours=16))

    LoginPage(page).open().login("kim@example.com", PASSWORD)
    adherence = AdherencePage(page).open(date=day.isoformat())
    assert adherence.agent_ids() == [uwe.pk]  # Olga is the other brand's
    assert adherence.scheduled_bars(uwe.pk) == 1
    assert adherence.exception_bars(uwe.pk, "absent") == 1
    assert adherence.exception_bars(uwe.pk, "away") == 1
    # in Kim's zone (Berlin, UTC + 1 in winter), like the bars
    assert adherence.exceptions(uwe.pk) == ["absent 09:00–09:20", "away 13:00–13:30"]
    # 480 scheduled minutes, 430 of them online
    assert adherence.cells(uwe.pk)[1:3] == ["90 %", "90 %"]
    assert "Olga" not in page.content()
    # another brand's page is refused
    response = page.goto(f"/wfm/adherence/?brand={other_brand.pk}")
    assert response is not None and response.status == 403
    assert csp_refusals == []


def test_agents_get_403_on_the_planner_pages(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, email="ann@example.com", password=PASSWORD)
    LoginPage(page).open().login("ann@example.com", PASSWORD)
    for path in ("/wfm/", "/wfm/forecast/", "/wfm/staffing/", "/wfm/adherence/"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path


def test_chinese_labels_and_a_phone_width(
    page: Any, csp_refusals: list[str], brand: Brand, kim: Agent, make_agent: Callable[..., Agent]
) -> None:
    uwe = make_agent(
        Role.AGENT, languages=("de", "fr"), name="Uwe", shifts=("mon-sun 00:00-23:59",)
    )
    routing.record_presence_span(uwe.pk, "online", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    services.import_volume_csv(kim, brand.pk, history_csv())
    row = services.create_forecast(kim, brand.pk, first_day=NEXT_MONDAY, enqueue=False)
    services.compute_forecast_task.call(row.pk)
    Agent.objects.filter(pk=kim.pk).update(ui_language="zh-hans")

    page.set_viewport_size({"width": 390, "height": 844})
    LoginPage(page).open().login("kim@example.com", PASSWORD)
    fc = ForecastPage(page).open()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert CJK.search(page.locator("#wfm-forecast h1").inner_text())
    assert CJK.search(page.locator("#forecast-start button").inner_text())
    assert fc.chart_drawn()
    assert page_width(page) <= 390
    for path in ("/wfm/", "/wfm/staffing/", "/wfm/rosters/", "/wfm/adherence/"):
        page.goto(path)
        assert page_width(page) <= 390, path
    # the adherence row says where the agent is now in the viewer's language
    presence = AdherencePage(page).row(uwe.pk).locator("[data-presence]")
    assert presence.get_attribute("data-presence") == "online"
    assert CJK.search(presence.inner_text()), presence.inner_text()
    assert csp_refusals == []


def test_todays_adherence_refreshes_itself(
    page: Any, csp_refusals: list[str], brand: Brand, kim: Agent, make_agent: Callable[..., Agent]
) -> None:
    uwe = make_agent(Role.AGENT, name="Uwe", shifts=("mon-sun 00:00-23:59",))
    now = dt.datetime.now(dt.UTC)
    routing.record_presence_span(uwe.pk, "online", now - dt.timedelta(hours=1))
    page.clock.install()  # the page's 30-second timer runs when the test says
    LoginPage(page).open().login("kim@example.com", PASSWORD)
    adherence = AdherencePage(page).open()
    assert adherence.presence_now(uwe.pk) == "online"
    assert not adherence.out_of_adherence(uwe.pk)

    routing.record_presence_span(uwe.pk, "away", dt.datetime.now(dt.UTC))
    page.clock.fast_forward(31_000)
    adherence.wait_presence(uwe.pk, "away")  # the row fetched again, not the old one
    assert adherence.out_of_adherence(uwe.pk)
    assert csp_refusals == []
