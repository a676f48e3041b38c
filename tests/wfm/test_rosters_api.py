"""Rosters end to end: forecast a week, roster it, publish it (routing follows), simulate
it — and the brand wall for every role of two brands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.conftest import ApiClient
from tests.wfm.test_api_wfm import MONDAY, history_csv
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing import services as routing
from wowdesk.wfm import roster_services, services
from wowdesk.wfm.models import ForecastValue, Roster, RosterShift

WEEK = MONDAY + dt.timedelta(days=56)


def _team(make_agent: Callable[..., Agent], brand: Brand, n: int = 8) -> list[Agent]:
    return [
        make_agent(Role.AGENT, brands=[brand], languages=("de",), timezone="UTC", name=f"De {i}")
        for i in range(n)
    ]


def test_forecast_roster_publish_simulate(
    make_agent: Callable[..., Agent], make_api: Callable[..., ApiClient], brand: Brand
) -> None:
    team = _team(make_agent, brand, 16)
    planner = make_api(make_agent(Role.SUPERVISOR, brands=[brand]))
    chat = history_csv(queue="de/chat").split("\n", 1)[1]
    planner.post("/wfm/history/import", {"csv": history_csv() + "\n" + chat})
    forecast = services.create_forecast(None, brand.pk, first_day=WEEK, enqueue=False)
    services.compute_forecast(forecast.pk)

    # de/email is deferred work: the afternoon's last emails are due within 4 hours, up to
    # about 21:00, so a shift may start at 14:00
    r = planner.post(
        "/wfm/rosters",
        {"week_start": WEEK.isoformat(), "time_limit_seconds": 20,
         "rules": {"shift_hours": [8], "start_hours": [6, 8, 10, 12, 14]}},
    )  # fmt: skip
    assert r.status_code == 202, r.content
    rid = r.json()["id"]
    row = Roster.objects.get(pk=rid)
    assert row.forecast_id == forecast.pk and row.request["requirements"]
    roster_services.solve_roster_task.call(rid)  # as the worker runs it
    body = planner.get(f"/wfm/rosters/{rid}").json()
    assert body["status"] == "solved", body["error"]
    assert body["coverage"]["short_intervals"] == 0, body["coverage"]["short"]
    assert body["lower_bound_hours"] <= body["hours"]
    assert body["shifts"] and {s["agent_id"] for s in body["shifts"]} <= {a.pk for a in team}
    for s in body["shifts"]:
        start, end = dt.datetime.fromisoformat(s["start"]), dt.datetime.fromisoformat(s["end"])
        assert dt.timedelta(hours=7) <= end - start <= dt.timedelta(hours=9)
    # every agent works at most 40 hours
    hours: dict[int, float] = {}
    for s in RosterShift.objects.filter(roster_id=rid):
        hours[s.agent_id] = hours.get(s.agent_id, 0) + (s.end - s.start).total_seconds() / 3600
    assert max(hours.values()) <= 40 + 1e-6

    assert planner.post(f"/wfm/rosters/{rid}/publish").json()["status"] == "published"
    shift = RosterShift.objects.filter(roster_id=rid).order_by("start").first()
    assert shift is not None
    agent = Agent.objects.get(pk=shift.agent_id)
    inside = shift.start + dt.timedelta(minutes=1)
    on_break = [dt.datetime.fromisoformat(b["start"]) for b in shift.breaks]
    assert routing.on_shift(agent, inside) is (inside not in on_break)
    assert routing.on_shift(agent, shift.end + dt.timedelta(hours=3)) is False

    sim = planner.post(f"/wfm/rosters/{rid}/simulate", {"replications": 5})
    assert sim.status_code == 200, sim.content
    queue = sim.json()["queues"]["de"]
    assert 0 <= queue["miss_probability"] <= 1
    # the chats are replayed as calls, the emails are not (they wait in the backlog, and
    # the agents its plan keeps busy are not counted as answering)
    week = (dt.datetime.combine(WEEK, dt.time(), dt.UTC),)
    chats = ForecastValue.objects.filter(
        forecast=forecast, channel="chat", interval_start__gte=week[0],
        interval_start__lt=week[0] + dt.timedelta(days=7),
    )  # fmt: skip
    replayed = sum(i["contacts"] for i in queue["intervals"])
    assert replayed == pytest.approx(sum(v.contacts for v in chats), abs=0.5)
    assert all(i["agents"] >= 1 for i in queue["intervals"])


def test_bad_roster_requests_are_refused(
    make_agent: Callable[..., Agent], make_api: Callable[..., ApiClient], brand: Brand
) -> None:
    _team(make_agent, brand, 2)
    planner = make_api(make_agent(Role.SUPERVISOR, brands=[brand]))
    base = {"week_start": WEEK.isoformat()}
    r = planner.post("/wfm/rosters", base)
    assert r.status_code == 422 and r.json()["field"] == "forecast_id"
    off_grid = {"language": "de", "interval_start": f"{WEEK.isoformat()}T08:10:00Z", "agents": 1}
    r = planner.post("/wfm/rosters", {**base, "requirements": [off_grid]})
    assert r.status_code == 422 and r.json()["field"] == "requirements"
    r = planner.post("/wfm/rosters", {**base, "requirements": [], "rules": {"shift_hours": [30]}})
    assert r.status_code == 422 and r.json()["field"] == "rules"
    r = planner.post("/wfm/rosters", {**base, "requirements": [], "agent_ids": [999999]})
    assert r.status_code == 422 and r.json()["field"] == "agent_ids"
    row = roster_services.create_roster(
        None, brand.pk, week_start=WEEK, requirements=[], enqueue=False
    )
    r = planner.post(f"/wfm/rosters/{row.pk}/publish")
    assert r.status_code == 409


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_every_role_of_two_brands(
    role: str,
    make_agent: Callable[..., Agent],
    make_api: Callable[..., ApiClient],
    brand: Brand,
    other_brand: Brand,
) -> None:
    _team(make_agent, brand, 1)
    stranger = make_agent(Role.AGENT, brands=[other_brand], languages=("de",))
    theirs = roster_services.create_roster(
        None, other_brand.pk, week_start=WEEK, requirements=[], enqueue=False
    )
    caller = make_api(make_agent(role, brands=[brand]))
    planner = role != Role.AGENT
    req = {
        "week_start": WEEK.isoformat(),
        "requirements": [
            {"language": "de", "interval_start": f"{WEEK.isoformat()}T08:00:00Z", "agents": 1}
        ],
    }
    r = caller.post("/wfm/rosters", req)
    assert r.status_code == (202 if planner else 403)
    assert caller.post("/wfm/rosters", {**req, "brand_id": other_brand.pk}).status_code == 403
    # another brand's agent cannot be put on this brand's roster
    if planner:
        bad = caller.post("/wfm/rosters", {**req, "agent_ids": [stranger.pk]})
        assert bad.status_code == 422
        mine = r.json()["id"]
        assert caller.get(f"/wfm/rosters/{mine}").status_code == 200
        assert theirs.pk not in {x["id"] for x in caller.get("/wfm/rosters").json()}
    else:
        assert caller.get("/wfm/rosters").status_code == 403
    assert caller.get(f"/wfm/rosters/{theirs.pk}").status_code in (403, 404)
    assert caller.post(f"/wfm/rosters/{theirs.pk}/publish").status_code in (403, 404)
    assert caller.post(f"/wfm/rosters/{theirs.pk}/simulate", {}).status_code in (403, 404)
