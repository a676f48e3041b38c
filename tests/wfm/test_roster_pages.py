"""The roster pages: the list and the New roster form, a roster's page (numbers, charts'
data, heat-map, grids per site), publish and simulate — for every role of two brands, with
the query count of a roster's page pinned (constant in the number of shifts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from tests.wfm.test_api_wfm import MONDAY, history_csv
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.core.services import create_site
from wowdesk.routing import services as routing
from wowdesk.wfm import roster_services, services
from wowdesk.wfm.models import Roster, RosterShift, RosterStatus

WEEK = MONDAY + dt.timedelta(days=56)


def _client(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


def _req(hours: range, agents: int = 1, language: str = "de") -> list[dict[str, Any]]:
    return [
        {
            "language": language,
            "interval_start": dt.datetime.combine(WEEK, dt.time(h), dt.UTC).isoformat(),
            "agents": agents,
        }
        for h in hours
    ]


def _solved(brand: Brand, agents: list[Agent], hours: range = range(8, 12)) -> Roster:
    row = roster_services.create_roster(
        None,
        brand.pk,
        week_start=WEEK,
        requirements=_req(hours),
        agent_ids=[a.pk for a in agents],
        rules={"shift_hours": [4], "start_hours": [8, 9, 10]},
        time_limit_seconds=5,
        enqueue=False,
    )
    return roster_services.solve(row.pk)


@pytest.fixture
def team(make_agent: Callable[..., Agent], brand: Brand) -> list[Agent]:
    berlin = create_site(name="Berlin", timezone_name="Europe/Berlin", brand_ids=[brand.pk])
    manila = create_site(name="Manila", timezone_name="Asia/Manila", brand_ids=[brand.pk])
    return [
        make_agent(Role.AGENT, languages=("de",), site_id=berlin.pk, name="Anna"),
        make_agent(Role.AGENT, languages=("de", "en"), site_id=manila.pk, name="Bea"),
    ]


def test_planner_builds_sees_publishes_and_simulates(
    make_agent: Callable[..., Agent], brand: Brand, team: list[Agent]
) -> None:
    planner = make_agent(Role.SUPERVISOR, timezone="Asia/Manila")
    c = _client(planner)
    page = c.get("/wfm/rosters/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="ro-new-form"' in body and "Anna" in body and "Manila" in body
    # defaults: next Monday, every agent ticked
    assert page.context["form"]["week"] == roster_services_next_monday(page)
    assert all(x["checked"] for x in page.context["agents"])

    bad = c.post(
        "/wfm/rosters/",
        {"week": WEEK.isoformat(), "forecast": "", "agents": [team[0].pk], "max_hours": "40",
         "min_rest": "11", "days_in_row": "5", "shift_hours": "30", "start_hours": "8",
         "time_limit": "5"},
    )  # fmt: skip
    assert bad.status_code == 422 and bad.context["error"].field == "shift_hours"
    bad = c.post(
        "/wfm/rosters/",
        {"week": WEEK.isoformat(), "forecast": "", "agents": [team[0].pk], "max_hours": "40",
         "min_rest": "11", "days_in_row": "5", "shift_hours": "8", "start_hours": "8-10",
         "time_limit": "5"},
    )  # fmt: skip
    assert bad.status_code == 422 and bad.context["error"].field == "forecast"

    row = _solved(brand, team)
    assert row.status == RosterStatus.SOLVED, row.error
    page = c.get(f"/wfm/rosters/{row.pk}/")
    assert page.status_code == 200
    ctx = page.context
    assert ctx["s"]["short_intervals"] == 0
    # the heat-map: one row (de), the week's hours in Manila's zone, 08–12 UTC is 16–20 there
    heat = ctx["heat"]
    assert [r.language for r in heat.rows] == ["de"] and len(heat.hours) == 168
    short = [h for h, cell in zip(heat.hours, heat.rows[0].cells, strict=True) if cell.required]
    assert [h.hour for h in short] == [16, 17, 18, 19]
    # the grids: one per site, in the site's zone
    grids = {g.name: g for g in ctx["grids"]}
    assert set(grids) == {"Berlin", "Manila"}
    shifts = list(RosterShift.objects.filter(roster=row))
    assert shifts
    for g in ctx["grids"]:
        for r in g.rows:
            for cell in r.days:
                for t in cell:
                    start_hour = t.start.hour
                    assert start_hour in ((9, 10, 11) if g.name == "Berlin" else (16, 17, 18))
    assert 'id="ro-publish-button"' in page.content.decode()

    r = c.post(f"/wfm/rosters/{row.pk}/publish")
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.status == RosterStatus.PUBLISHED
    page = c.get(f"/wfm/rosters/{row.pk}/")
    assert 'id="ro-published"' in page.content.decode()
    first = min(shifts, key=lambda s: s.start)
    agent = Agent.objects.get(pk=first.agent_id)
    assert routing.on_shift(agent, first.start + dt.timedelta(minutes=1)) is True
    assert routing.on_shift(agent, first.end + dt.timedelta(hours=2)) is False

    # without a forecast there is nothing to simulate against
    r = c.post(f"/wfm/rosters/{row.pk}/simulate", {"replications": "3"})
    assert r.status_code == 422 and r.context["sim_error"].field == "forecast_id"
    r = c.post(f"/wfm/rosters/{row.pk}/simulate", {"replications": "9999"})
    assert r.status_code == 422 and r.context["sim_error"].field == "replications"


def roster_services_next_monday(page: Any) -> str:
    from django.utils import timezone

    today = timezone.localdate()
    return (today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)).isoformat()


def test_simulate_from_a_forecast(
    make_agent: Callable[..., Agent], make_api: Callable[..., Any], brand: Brand
) -> None:
    team = [
        make_agent(Role.AGENT, languages=("de",), name=f"De {i}", timezone="UTC") for i in range(8)
    ]
    planner = make_agent(Role.SUPERVISOR)
    # chats wait on the line (email would wait in the backlog: nothing to replay as calls)
    make_api(planner).post("/wfm/history/import", {"csv": history_csv(queue="de/chat")})
    forecast = services.create_forecast(None, brand.pk, first_day=WEEK, enqueue=False)
    services.compute_forecast(forecast.pk)
    c = _client(planner)
    page = c.get("/wfm/rosters/")
    # the latest forecast, and its week when it is later than next Monday
    assert page.context["form"]["forecast"] == str(forecast.pk)
    assert page.context["form"]["week"] == max(WEEK.isoformat(), roster_services_next_monday(page))
    form = {
        "week": (WEEK + dt.timedelta(days=7)).isoformat(), "forecast": str(forecast.pk),
        "agents": [a.pk for a in team], "max_hours": "40", "min_rest": "11",
        "days_in_row": "5", "shift_hours": "8", "start_hours": "8", "time_limit": "5",
    }  # fmt: skip
    r = c.post("/wfm/rosters/", form)
    assert r.status_code == 422 and r.context["error"].field == "forecast"
    assert "pick a week inside it" in r.context["error"].message
    r = c.post(
        "/wfm/rosters/",
        {"brand_id": brand.pk, "week": WEEK.isoformat(), "forecast": str(forecast.pk),
         "agents": [a.pk for a in team], "max_hours": "40", "min_rest": "11",
         "days_in_row": "5", "shift_hours": "8", "start_hours": "6, 8, 10-12",
         "time_limit": "10"},
    )  # fmt: skip
    assert r.status_code == 302
    row = Roster.objects.get(brand=brand)
    assert r["Location"] == f"/wfm/rosters/{row.pk}/"
    assert row.request["rules"]["start_hours"] == [6, 8, 10, 11, 12]
    # while queued the page polls its progress
    page = c.get(f"/wfm/rosters/{row.pk}/")
    assert "data-poll-url" in page.content.decode()
    progress = c.get(f"/wfm/rosters/{row.pk}/progress").json()
    assert progress == {"status": "queued", "progress": 0.0, "id": row.pk}
    roster_services.solve(row.pk)
    r = c.post(f"/wfm/rosters/{row.pk}/simulate", {"replications": "3", "languages": ["de"]})
    assert r.status_code == 200, r.context["sim_error"]
    sim = r.context["sim"]
    assert 0 <= sim["miss_pct"] <= 100 and sim["queues"][0]["queue"] == "de"
    assert sim["queues"][0]["rows"]
    assert 'id="ro-sim-summary"' in r.content.decode()


def test_page_query_count_does_not_grow_with_shifts(
    make_agent: Callable[..., Agent],
    brand: Brand,
    team: list[Agent],
) -> None:
    planner = make_agent(Role.SUPERVISOR)
    small = _solved(brand, team[:1], range(8, 10))
    big = _solved(brand, team, range(0, 24))
    assert (
        RosterShift.objects.filter(roster=big).count()
        > RosterShift.objects.filter(roster=small).count()
    )
    c = _client(planner)
    c.get(f"/wfm/rosters/{small.pk}/")  # warm the session and caches
    counts = []
    for row in (small, big):
        with CaptureQueriesContext(connection) as q:
            assert c.get(f"/wfm/rosters/{row.pk}/").status_code == 200
        counts.append(len(q))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_every_role_of_two_brands(
    role: str, make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand
) -> None:
    mine_team = [make_agent(Role.AGENT, languages=("de",))]
    theirs_team = [make_agent(Role.AGENT, brands=[other_brand], languages=("de",))]
    mine = _solved(brand, mine_team, range(8, 9))
    theirs = _solved(other_brand, theirs_team, range(8, 9))
    c = _client(make_agent(role, brands=[brand]))
    planner = role != Role.AGENT
    r = c.get("/wfm/rosters/")
    assert r.status_code == (200 if planner else 403)
    if planner:
        ids = [x["row"].pk for x in r.context["rosters"]]
        assert ids == [mine.pk]
        listed = {x["a"].pk for x in r.context["agents"]}
        assert mine_team[0].pk in listed and theirs_team[0].pk not in listed
        # another brand asked for by id
        assert c.get(f"/wfm/rosters/?brand={other_brand.pk}").status_code == 403
        assert c.get(f"/wfm/rosters/{mine.pk}/").status_code == 200
        assert c.get(f"/wfm/rosters/{mine.pk}/progress").json()["status"] == "solved"
        form = {"brand_id": other_brand.pk, "week": WEEK.isoformat(), "agents": [],
                "shift_hours": "4", "start_hours": "8"}  # fmt: skip
        assert c.post("/wfm/rosters/", form).status_code == 403
        # the other brand's agent cannot be put on this brand's roster
        form = {"week": WEEK.isoformat(), "agents": [theirs_team[0].pk], "forecast": "",
                "shift_hours": "4", "start_hours": "8", "max_hours": "40", "min_rest": "11",
                "days_in_row": "5", "time_limit": "5"}  # fmt: skip
        r = c.post("/wfm/rosters/", form)
        assert r.status_code == 422 and r.context["error"].field == "agents"
    else:
        assert c.get(f"/wfm/rosters/{mine.pk}/").status_code == 403
    for url in ("/", "/progress"):
        assert c.get(f"/wfm/rosters/{theirs.pk}{url}").status_code in (403, 404)
    for url in ("/publish", "/simulate"):
        assert c.post(f"/wfm/rosters/{theirs.pk}{url}", {"replications": "1"}).status_code in (
            403,
            404,
        )
    assert c.get("/wfm/rosters/999999/").status_code in (403, 404)
    assert Roster.objects.get(pk=theirs.pk).status == RosterStatus.SOLVED


def test_the_pages_read_in_chinese(
    make_agent: Callable[..., Agent], brand: Brand, team: list[Agent]
) -> None:
    from django.conf import settings

    from tests.test_i18n import visible_english

    row = _solved(brand, team)
    c = _client(make_agent(Role.SUPERVISOR))
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    for url in ("/wfm/rosters/", f"/wfm/rosters/{row.pk}/"):
        r = c.get(url)
        assert r.status_code == 200
        # what is left is data: people's and sites' names, time zones
        data = {"Anna", "Bea", "Agent", "Berlin", "Manila", "Europe", "Asia", "UTC"}
        assert visible_english(r.content.decode()) - data == set(), url


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("week", "9999-12-31"),
        ("week", "next monday"),
        ("days_in_row", "inf"),
        ("max_hours", "nan"),
        ("max_hours", "200"),
        ("time_limit", "1e9"),
        ("start_hours", "25"),
        ("shift_hours", "8-"),
        ("forecast", "999999"),
        ("agents", "x"),
    ],
)
def test_bad_form_input_names_the_field(
    field: str, value: str, make_agent: Callable[..., Agent], brand: Brand, team: list[Agent]
) -> None:
    c = _client(make_agent(Role.SUPERVISOR))
    form: dict[str, Any] = {
        "week": WEEK.isoformat(), "forecast": "", "agents": [a.pk for a in team],
        "max_hours": "40", "min_rest": "11", "days_in_row": "5", "shift_hours": "8",
        "start_hours": "8", "time_limit": "5",
    }  # fmt: skip
    form[field] = value
    r = c.post("/wfm/rosters/", form)
    assert r.status_code == 422
    assert r.context["error"].field == field
    assert escape(r.context["error"].message) in r.content.decode()
    assert not Roster.objects.exists()


def test_the_list_is_keyset_paged_at_a_constant_query_count(
    make_agent: Callable[..., Agent], brand: Brand, team: list[Agent]
) -> None:
    from wowdesk.wfm import roster_views

    c = _client(make_agent(Role.SUPERVISOR))

    def add(n: int) -> None:
        for _ in range(n):
            roster_services.create_roster(
                None, brand.pk, week_start=WEEK, requirements=[], enqueue=False
            )

    add(2)
    c.get("/wfm/rosters/")
    with CaptureQueriesContext(connection) as few:
        assert len(c.get("/wfm/rosters/").context["rosters"]) == 2
    add(roster_views.PAGE + 3)
    with CaptureQueriesContext(connection) as many:
        r = c.get("/wfm/rosters/")
    assert len(r.context["rosters"]) == roster_views.PAGE
    assert len(few) == len(many)
    older = c.get(f"/wfm/rosters/?before={r.context['next_before']}")
    ids = [x["row"].pk for x in r.context["rosters"] + older.context["rosters"]]
    assert len(ids) == len(set(ids)) == roster_views.PAGE + 5
    assert older.context["next_before"] is None


def test_simulating_email_only_says_there_is_nothing_to_replay(
    make_agent: Callable[..., Agent], make_api: Callable[..., Any], brand: Brand
) -> None:
    team = [
        make_agent(Role.AGENT, languages=("de",), name=f"De {i}", timezone="UTC") for i in range(8)
    ]
    planner = make_agent(Role.SUPERVISOR)
    make_api(planner).post("/wfm/history/import", {"csv": history_csv()})  # de/email
    forecast = services.create_forecast(None, brand.pk, first_day=WEEK, enqueue=False)
    services.compute_forecast(forecast.pk)
    row = roster_services.create_roster(
        None,
        brand.pk,
        week_start=WEEK,
        forecast_id=forecast.pk,
        agent_ids=[a.pk for a in team],
        rules={"shift_hours": [8], "start_hours": [6, 8, 10, 12, 14]},
        time_limit_seconds=5,
        enqueue=False,
    )
    roster_services.solve(row.pk)
    r = _client(planner).post(f"/wfm/rosters/{row.pk}/simulate", {"replications": "2"})
    assert r.status_code == 200
    assert r.context["sim"]["queues"] == []
    assert 'id="ro-sim-none"' in r.content.decode()
