"""``/api/v1/followups``: per role of two brands (allowed, 403/404, the other brand's ids),
filters, paging, closing with an outcome, reopening, reassigning; bad input is a 4xx
naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.surveys import followup_services
from wowdesk.surveys.models import FollowUp, FollowUpKind

pytestmark = pytest.mark.django_db


def task(brand: Brand, assignee: Agent | None = None, *, hours: int = 24) -> FollowUp:
    conversation = quick_conversation(brand)
    return followup_services.create_followup(
        brand_id=brand.pk,
        kind=FollowUpKind.DETRACTOR,
        due_at=timezone.now() + dt.timedelta(hours=hours),
        reason="Too slow",
        conversation_id=conversation.pk,
        customer_id=conversation.customer_id,
        assignee=assignee,
    )


@pytest.fixture
def people(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> dict[str, Any]:
    agents = {
        "agent": make_agent(Role.AGENT),
        "other_agent": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "their_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand]),
    }
    return {"agents": agents, "api": {k: make_api(a) for k, a in agents.items()}}


def test_who_sees_which_follow_ups(
    brand: Brand, other_brand: Brand, people: dict[str, Any]
) -> None:
    a = people["agents"]
    api = people["api"]
    mine = task(brand, a["agent"])
    theirs = task(brand, a["other_agent"])
    unassigned = task(brand, None, hours=-1)
    other = task(other_brand, a["their_supervisor"])

    def ids(client: ApiClient, **params: Any) -> list[int]:
        r = client.get("/followups", **params)
        assert r.status_code == 200, r.content
        return [i["id"] for i in r.json()["items"]]

    assert ids(api["agent"]) == [mine.pk]
    assert set(ids(api["supervisor"])) == {mine.pk, theirs.pk, unassigned.pk}
    assert ids(api["supervisor"])[0] == unassigned.pk  # overdue first
    assert set(ids(api["admin"])) == {mine.pk, theirs.pk, unassigned.pk}
    assert ids(api["their_supervisor"]) == [other.pk]
    # one follow-up: the agent's own, not a colleague's, not another brand's
    assert api["agent"].get(f"/followups/{mine.pk}").status_code == 200
    assert api["agent"].get(f"/followups/{theirs.pk}").status_code == 403
    assert api["supervisor"].get(f"/followups/{other.pk}").status_code == 403
    assert api["supervisor"].get("/followups/999999").status_code == 404
    body = api["supervisor"].get(f"/followups/{unassigned.pk}").json()
    assert body["overdue"] is True and body["reason"] == "Too slow"
    assert body["conversation"]["number"] > 0
    # the other brand's filter
    assert api["supervisor"].get("/followups", brand=other_brand.pk).status_code == 403


def test_filters_and_paging(brand: Brand, people: dict[str, Any]) -> None:
    a = people["agents"]
    api = people["api"]["supervisor"]
    mine = task(brand, a["supervisor"])
    late = task(brand, None, hours=-2)
    done = task(brand, a["agent"])
    followup_services.close_followup(done, actor=a["supervisor"], outcome="Refunded")
    page = api.get("/followups", status="open", page_size=1).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert [i["id"] for i in api.get("/followups", assignee="me").json()["items"]] == [mine.pk]
    assert [i["id"] for i in api.get("/followups", assignee="none").json()["items"]] == [late.pk]
    assert [i["id"] for i in api.get("/followups", overdue="1").json()["items"]] == [late.pk]
    assert [i["id"] for i in api.get("/followups", status="done").json()["items"]] == [done.pk]
    assert api.get("/followups", kind="checkin").json()["total"] == 0
    for params, field in (
        ({"status": "closed"}, "status"),
        ({"kind": "x"}, "kind"),
        ({"assignee": "you"}, "assignee"),
        ({"overdue": "yes"}, "overdue"),
        ({"brand": "abc"}, "brand"),
    ):
        r = api.get("/followups", **params)
        assert r.status_code == 422, (params, r.content)
        assert r.json()["field"] == field


def test_close_reopen_and_reassign_by_role(
    brand: Brand, other_brand: Brand, people: dict[str, Any]
) -> None:
    a = people["agents"]
    api = people["api"]
    mine = task(brand, a["agent"])
    theirs = task(brand, a["other_agent"])
    # the assignee closes their own with an outcome; not a colleague's
    no_outcome = api["agent"].patch(f"/followups/{mine.pk}", {"status": "done"})
    assert no_outcome.status_code == 422 and no_outcome.json()["field"] == "outcome"
    closed = api["agent"].patch(
        f"/followups/{mine.pk}", {"status": "done", "outcome": "Called, replaced the lamp"}
    )
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["status"] == "done" and body["outcome"] == "Called, replaced the lamp"
    assert body["done_by"]["id"] == a["agent"].pk and body["done_at"]
    assert (
        api["agent"]
        .patch(f"/followups/{theirs.pk}", {"status": "done", "outcome": "x"})
        .status_code
        == 403
    )
    # an agent does not reassign, even their own
    again = api["agent"].patch(f"/followups/{mine.pk}", {"assignee_id": a["other_agent"].pk})
    assert again.status_code == 403
    # a supervisor reopens and reassigns, to agents of the brand only
    reopened = api["supervisor"].patch(f"/followups/{mine.pk}", {"status": "open"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    moved = api["supervisor"].patch(f"/followups/{theirs.pk}", {"assignee_id": a["agent"].pk})
    assert moved.status_code == 200 and moved.json()["assignee"]["id"] == a["agent"].pk
    outsider = api["supervisor"].patch(
        f"/followups/{theirs.pk}", {"assignee_id": a["their_supervisor"].pk}
    )
    assert outsider.status_code == 422 and outsider.json()["field"] == "assignee_id"
    nobody = api["supervisor"].patch(f"/followups/{theirs.pk}", {"assignee_id": None})
    assert nobody.status_code == 200 and nobody.json()["assignee"] is None
    # another brand's supervisor cannot touch it
    assert (
        api["their_supervisor"].patch(f"/followups/{theirs.pk}", {"status": "open"}).status_code
        == 403
    )
    bad = api["supervisor"].patch(f"/followups/{theirs.pk}", {"status": "closed"})
    assert bad.status_code == 422


def test_an_administrator_sets_and_clears_a_team_lead_through_the_api(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    admin = make_api(make_agent(Role.ADMIN))
    lead = make_agent(Role.AGENT)
    stranger = make_agent(Role.AGENT, brands=[other_brand])
    team = admin.post("/teams", {"name": "Care"}).json()
    assert team["lead_id"] is None
    set_ = admin.patch(f"/teams/{team['id']}", {"lead_id": lead.pk})
    assert set_.status_code == 200 and set_.json()["lead_id"] == lead.pk
    refused = admin.patch(f"/teams/{team['id']}", {"lead_id": stranger.pk})
    assert refused.status_code == 422 and refused.json()["field"] == "lead_id"
    cleared = admin.patch(f"/teams/{team['id']}", {"lead_id": None})
    assert cleared.status_code == 200 and cleared.json()["lead_id"] is None
