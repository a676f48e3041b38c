"""Schedules, swaps and time off: the rules, what approving does to routing, and the
brand wall for every role of two brands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import ApiClient
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.notifications.models import Notification
from wowdesk.routing import services as routing
from wowdesk.wfm import request_services, roster_services
from wowdesk.wfm.models import Roster, RosterShift, RosterStatus, ShiftRequest

_today = timezone.now().date()
WEEK = _today - dt.timedelta(days=_today.weekday()) + dt.timedelta(days=7)  # next week


def at(day: int, hour: float) -> dt.datetime:
    base = dt.datetime.combine(WEEK, dt.time(), dt.UTC)
    return base + dt.timedelta(days=day, hours=hour)


def published(
    brand: Brand, shifts: list[tuple[Agent, int, float, float, str]], off: tuple[Agent, ...] = ()
) -> Roster:
    """A published roster of ``brand`` with ``(agent, day, from hour, to hour, language)``
    shifts (a 30-minute break mid-shift), pushed to routing; ``off``: agents off all week."""
    agents = sorted({a.pk for a, *_ in shifts} | {a.pk for a in off})
    row = Roster.objects.create(
        brand=brand,
        week_start=WEEK,
        status=RosterStatus.PUBLISHED,
        request={"agent_ids": agents, "rules": {"min_rest_hours": 11}},
    )
    for agent, day, h0, h1, lang in shifts:
        mid = (h0 + h1) / 2
        RosterShift.objects.create(
            roster=row,
            agent=agent,
            start=at(day, h0),
            end=at(day, h1),
            breaks=[{"start": at(day, mid).isoformat(), "end": at(day, mid + 0.5).isoformat()}],
            language=lang,
        )
    roster_services.republish_agents(row, agents)
    return row


def fresh(agent: Agent) -> Agent:
    return Agent.objects.get(pk=agent.pk)


@pytest.fixture
def team(make_agent: Callable[..., Agent], brand: Brand) -> dict[str, Agent]:
    def de(name: str, langs: tuple[str, ...] = ("de",)) -> Agent:
        return make_agent(Role.AGENT, brands=[brand], languages=langs, timezone="UTC", name=name)

    return {
        "ana": de("Ana"),
        "ben": de("Ben"),
        "cy": de("Cy", ("en",)),
        "dee": de("Dee"),
        "sup": make_agent(Role.SUPERVISOR, brands=[brand], name="Sue"),
    }


def test_swap_rules(
    team: dict[str, Agent], brand: Brand, make_api: Callable[..., ApiClient]
) -> None:
    ana, ben, cy, dee = team["ana"], team["ben"], team["cy"], team["dee"]
    published(brand, [(ana, 1, 8, 16, "de"), (dee, 0, 18, 23, "de"), (ben, 3, 8, 16, "de")])
    shift = RosterShift.objects.get(agent=ana)
    me = make_api(ana)
    # a colleague without German is refused
    r = me.post("/wfm/requests", {"kind": "swap", "shift_id": shift.pk, "other_agent_id": cy.pk})
    assert r.status_code == 422 and r.json()["field"] == "other_agent_id"
    # Dee ends at 23:00 the day before: 9 hours of rest, not 11
    r = me.post("/wfm/requests", {"kind": "swap", "shift_id": shift.pk, "other_agent_id": dee.pk})
    assert r.status_code == 422 and "rest" in r.json()["detail"]
    # someone else's shift is not found
    theirs = RosterShift.objects.get(agent=ben)
    r = me.post("/wfm/requests", {"kind": "swap", "shift_id": theirs.pk, "other_agent_id": dee.pk})
    assert r.status_code == 404
    # who could take it: Ben (free, speaks German), not Cy nor Dee
    assert [a.pk for a in request_services.colleagues_for(shift)] == [ben.pk]
    r = me.post("/wfm/requests", {"kind": "swap", "shift_id": shift.pk, "other_agent_id": ben.pk})
    assert r.status_code == 201, r.content
    # one pending request per shift
    r = me.post("/wfm/requests", {"kind": "swap", "shift_id": shift.pk, "other_agent_id": ben.pk})
    assert r.status_code == 409


def test_approved_swap_moves_the_shift_and_routing_follows(
    team: dict[str, Agent],
    brand: Brand,
    make_api: Callable[..., ApiClient],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ana, ben, sup = team["ana"], team["ben"], team["sup"]
    published(brand, [(ana, 1, 8, 16, "de")], off=(ben,))
    shift = RosterShift.objects.get(agent=ana)
    inside = at(1, 9)
    assert routing.on_shift(fresh(ana), inside) is True
    assert routing.on_shift(fresh(ben), inside) is False
    with django_capture_on_commit_callbacks(execute=True):
        r = make_api(ana).post(
            "/wfm/requests",
            {"kind": "swap", "shift_id": shift.pk, "other_agent_id": ben.pk, "reason": "dentist"},
        )
    assert r.status_code == 201
    rid = r.json()["id"]
    assert Notification.objects.filter(agent=sup, kind="approval_needed").count() == 1
    # an agent cannot decide
    assert make_api(ben).post(
        f"/wfm/requests/{rid}/decision", {"decision": "approve"}
    ).status_code in (403, 404)
    boss = make_api(sup)
    with django_capture_on_commit_callbacks(execute=True):
        r = boss.post(f"/wfm/requests/{rid}/decision", {"decision": "approve", "note": "ok"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved" and r.json()["note"] == "ok"
    shift.refresh_from_db()
    assert shift.agent_id == ben.pk
    assert routing.on_shift(fresh(ana), inside) is False
    assert routing.on_shift(fresh(ben), inside) is True
    told = set(
        Notification.objects.filter(kind="approval_decided").values_list("agent_id", flat=True)
    )
    assert told == {ana.pk, ben.pk}
    # deciding twice: 409
    assert boss.post(f"/wfm/requests/{rid}/decision", {"decision": "decline"}).status_code == 409
    # Ben's schedule shows it
    body = make_api(ben).get(f"/wfm/schedule?from={WEEK.isoformat()}").json()
    assert [s["shift_id"] for s in body["shifts"]] == [shift.pk]


def test_exchange_of_shifts(
    team: dict[str, Agent], brand: Brand, make_api: Callable[..., ApiClient]
) -> None:
    ana, ben, sup = team["ana"], team["ben"], team["sup"]
    published(brand, [(ana, 1, 8, 16, "de"), (ben, 3, 8, 16, "de")])
    mine, theirs = RosterShift.objects.get(agent=ana), RosterShift.objects.get(agent=ben)
    r = make_api(ana).post(
        "/wfm/requests",
        {
            "kind": "swap",
            "shift_id": mine.pk,
            "other_agent_id": ben.pk,
            "other_shift_id": theirs.pk,
        },
    )
    assert r.status_code == 201, r.content
    r = make_api(sup).post(f"/wfm/requests/{r.json()['id']}/decision", {"decision": "approve"})
    assert r.status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.agent_id, theirs.agent_id) == (ben.pk, ana.pk)


def test_time_off(team: dict[str, Agent], brand: Brand, make_api: Callable[..., ApiClient]) -> None:
    ana, sup = team["ana"], team["sup"]
    published(brand, [(ana, 1, 8, 16, "de"), (ana, 2, 8, 16, "de")])
    me = make_api(ana)
    span = {"kind": "time_off", "start": at(1, 10).isoformat(), "end": at(1, 13).isoformat()}
    r = me.post("/wfm/requests", {**span, "reason": "doctor"})
    assert r.status_code == 201, r.content
    # overlapping another pending one: 409; bad spans: 422 naming the field
    assert me.post("/wfm/requests", {**span, "start": at(1, 12).isoformat()}).status_code == 409
    bad = me.post("/wfm/requests", {**span, "end": at(1, 9).isoformat()})
    assert bad.status_code == 422 and bad.json()["field"] == "end"
    assert me.post("/wfm/requests", {"kind": "time_off"}).json()["field"] == "start"
    r = make_api(sup).post(f"/wfm/requests/{r.json()['id']}/decision", {"decision": "approve"})
    assert r.status_code == 200
    ana = fresh(ana)
    assert routing.on_shift(ana, at(1, 11)) is False
    assert routing.on_shift(ana, at(1, 9)) is True
    assert routing.on_shift(ana, at(1, 14)) is True
    assert routing.on_shift(ana, at(2, 11)) is True
    spans = [(s.start, s.end) for s in RosterShift.objects.filter(agent=ana).order_by("start")]
    assert spans == [(at(1, 8), at(1, 10)), (at(1, 13), at(1, 16)), (at(2, 8), at(2, 16))]


def test_cancel(team: dict[str, Agent], brand: Brand, make_api: Callable[..., ApiClient]) -> None:
    ana, ben = team["ana"], team["ben"]
    span = {"kind": "time_off", "start": at(1, 10).isoformat(), "end": at(1, 13).isoformat()}
    rid = make_api(ana).post("/wfm/requests", span).json()["id"]
    assert make_api(ben).post(f"/wfm/requests/{rid}/cancel").status_code == 404
    r = make_api(ana).post(f"/wfm/requests/{rid}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert make_api(ana).post(f"/wfm/requests/{rid}/cancel").status_code == 409


def test_schedule_in_the_agents_zone(
    make_agent: Callable[..., Agent], brand: Brand, make_api: Callable[..., ApiClient]
) -> None:
    tokyo = make_agent(Role.AGENT, brands=[brand], languages=("de",), timezone="Asia/Tokyo")
    published(brand, [(tokyo, 1, 0, 8, "de")])
    body = (
        make_api(tokyo).get(f"/wfm/schedule?from={WEEK.isoformat()}&to={WEEK.isoformat()}").json()
    )
    assert body["timezone"] == "Asia/Tokyo"
    # 00:00 UTC on day 1 is 09:00 in Tokyo, on the day 1 local; the day 0 asked ends first
    day1 = (WEEK + dt.timedelta(days=1)).isoformat()
    body = make_api(tokyo).get(f"/wfm/schedule?from={day1}&to={day1}").json()
    (s,) = body["shifts"]
    assert s["start_local"].startswith(
        f"{(WEEK + dt.timedelta(days=1)).isoformat()}T09:00:00+09:00"
    )
    assert s["breaks"][0]["start_local"].endswith("13:00:00+09:00")
    r = make_api(tokyo).get("/wfm/schedule?from=2030-01-01&to=2030-03-01")
    assert r.status_code == 422 and r.json()["field"] == "to"


def test_request_list_costs_the_same_for_5_and_50(
    team: dict[str, Agent],
    brand: Brand,
    make_api: Callable[..., ApiClient],
) -> None:
    ana, sup = team["ana"], team["sup"]
    boss = make_api(sup)

    def make(n: int) -> None:
        for i in range(n):
            ShiftRequest.objects.create(
                brand=brand, agent=ana, kind="time_off", start=at(i, 1), end=at(i, 2)
            )

    make(5)
    boss.get("/wfm/requests")  # warm caches
    with CaptureQueriesContext(connection) as five:
        assert len(boss.get("/wfm/requests").json()) == 5
    make(45)
    with CaptureQueriesContext(connection) as fifty:
        assert len(boss.get("/wfm/requests").json()) == 50
    assert len(fifty) == len(five)


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_every_role_of_two_brands(
    role: str,
    make_agent: Callable[..., Agent],
    make_api: Callable[..., ApiClient],
    brand: Brand,
    other_brand: Brand,
) -> None:
    mate = make_agent(Role.AGENT, brands=[brand], languages=("de",), timezone="UTC")
    stranger = make_agent(Role.AGENT, brands=[other_brand], languages=("de",), timezone="UTC")
    published(other_brand, [(stranger, 1, 8, 16, "de")])
    published(brand, [(mate, 2, 8, 16, "de")])
    theirs_shift = RosterShift.objects.get(agent=stranger)
    theirs = ShiftRequest.objects.create(
        brand=other_brand, agent=stranger, kind="time_off", start=at(1, 1), end=at(1, 2)
    )
    ours = ShiftRequest.objects.create(
        brand=brand, agent=mate, kind="time_off", start=at(1, 1), end=at(1, 2)
    )
    caller_agent = make_agent(role, brands=[brand], languages=("de",), timezone="UTC")
    caller = make_api(caller_agent)
    planner = role != Role.AGENT

    # the schedule: one's own always; a colleague's for planners; the other brand's never
    assert caller.get("/wfm/schedule").status_code == 200
    assert caller.get(f"/wfm/schedule?agent={mate.pk}").status_code == (200 if planner else 403)
    assert caller.get(f"/wfm/schedule?agent={stranger.pk}").status_code == 404
    # the list: planners see the brand's, never the other brand's
    ids = {r["id"] for r in caller.get("/wfm/requests").json()}
    assert theirs.pk not in ids
    assert (ours.pk in ids) is planner
    # swap a shift of the other brand: not found; take the other brand's agent: not found
    r = caller.post("/wfm/requests", {"kind": "swap", "shift_id": theirs_shift.pk})
    assert r.status_code == 404
    mine = published(brand, [(caller_agent, 4, 8, 16, "de")]).shifts.get()
    r = caller.post(
        "/wfm/requests", {"kind": "swap", "shift_id": mine.pk, "other_agent_id": stranger.pk}
    )
    assert r.status_code == 404
    # time off in the other brand: 403
    span = {"kind": "time_off", "start": at(5, 1).isoformat(), "end": at(5, 2).isoformat()}
    assert caller.post("/wfm/requests", {**span, "brand_id": other_brand.pk}).status_code == 403
    assert caller.post("/wfm/requests", span).status_code == 201
    # decide: the other brand's is not found; ours only for planners
    assert (
        caller.post(f"/wfm/requests/{theirs.pk}/decision", {"decision": "approve"}).status_code
        == 404
    )
    r = caller.post(f"/wfm/requests/{ours.pk}/decision", {"decision": "decline"})
    assert r.status_code == (200 if planner else 404)
    assert caller.post(f"/wfm/requests/{theirs.pk}/cancel").status_code == 404


def test_request_notifications_read_in_each_readers_language_and_open_the_page(
    team: dict[str, Agent],
    brand: Brand,
    make_api: Callable[..., ApiClient],
    django_capture_on_commit_callbacks: Any,
    client: Any,
) -> None:
    from django.utils import translation

    from wowdesk.notifications import present

    ana, ben, sup = team["ana"], team["ben"], team["sup"]
    published(brand, [(ana, 1, 8, 16, "de")], off=(ben,))
    shift = RosterShift.objects.get(agent=ana)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        r = make_api(ana).post(
            "/wfm/requests", {"kind": "swap", "shift_id": shift.pk, "other_agent_id": ben.pk}
        )
    asked = Notification.objects.get(agent=sup, kind="approval_needed")
    # asked in English, read by a Chinese-speaking supervisor in Chinese
    with translation.override("zh-hans"):
        assert present.title(asked) == "需要审批：Ana 的调班"
    with translation.override("en"):
        assert present.title(asked) == "Approval needed: a shift swap of Ana"
    with django_capture_on_commit_callbacks(execute=True):
        make_api(sup).post(f"/wfm/requests/{r.json()['id']}/decision", {"decision": "decline"})
    told = Notification.objects.get(agent=ana, kind="approval_decided")
    with translation.override("en"):
        assert present.title(told) == "Sue declined a shift swap of Ana"
    # opening one goes to the page where it is decided / read (no conversation)
    client.force_login(sup.user)
    assert client.post(f"/notifications/{asked.pk}/open/").url == "/wfm/requests/"
    client.force_login(ana.user)
    assert client.post(f"/notifications/{told.pk}/open/").url == "/wfm/schedule/"
    # a path elsewhere is not followed
    told.params = {**told.params, "path": "//evil.example/x"}
    told.save(update_fields=["params"])
    assert "evil" not in client.post(f"/notifications/{told.pk}/open/").url
