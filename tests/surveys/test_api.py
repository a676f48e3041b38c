"""The survey API per role, for two brands: settings, a conversation's surveys, sending
now, the answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from tests.conftest import ApiClient
from tests.surveys.helpers import HOUR, Commits, answer, resolved, surveys_of
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.surveys.models import Survey
from wowdesk.surveys.tokens import read_token

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)


@dataclass
class Side:
    brand: Brand
    agent: Agent
    supervisor: Agent
    admin: Agent
    api: dict[str, ApiClient]
    conversation: Conversation


@pytest.fixture
def sides(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    commits: Commits,
) -> tuple[Side, Side]:
    out = []
    for b in (brand, other_brand):
        people = {r: make_agent(r, brands=[b]) for r in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)}
        with time_machine.travel(T, tick=False):
            conversation = resolved(b, people[Role.AGENT], commits)
        out.append(
            Side(
                brand=b,
                agent=people[Role.AGENT],
                supervisor=people[Role.SUPERVISOR],
                admin=people[Role.ADMIN],
                api={r: make_api(a) for r, a in people.items()},
                conversation=conversation,
            )
        )
    return out[0], out[1]


def test_settings_read_by_supervisors_changed_by_admins(sides: tuple[Side, Side]) -> None:
    mine, theirs = sides
    r = mine.api[Role.SUPERVISOR].get("/surveys/settings")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["kinds"], body["delay_minutes"], body["brand_id"]) == (
        ["csat", "nps"],
        60,
        mine.brand.pk,
    )
    assert mine.api[Role.AGENT].get("/surveys/settings").status_code == 403
    assert (
        mine.api[Role.SUPERVISOR].patch("/surveys/settings", {"delay_minutes": 5}).status_code
        == 403
    )
    r = mine.api[Role.ADMIN].patch(
        "/surveys/settings", {"kinds": ["nps", "ces"], "delay_minutes": 0, "throttle_days": 30}
    )
    assert r.status_code == 200, r.content
    assert (r.json()["kinds"], r.json()["delay_minutes"]) == (["nps", "ces"], 0)
    # the other brand's settings are walled off
    assert mine.api[Role.ADMIN].get("/surveys/settings", brand=theirs.brand.pk).status_code == 403
    assert (
        mine.api[Role.ADMIN]
        .patch(f"/surveys/settings?brand={theirs.brand.pk}", {"enabled": False})
        .status_code
        == 403
    )
    assert theirs.api[Role.ADMIN].get("/surveys/settings").json()["kinds"] == ["csat", "nps"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kinds": ["csat", "wow"]}, "kinds"),
        ({"kinds": []}, "kinds"),
        ({"delay_minutes": -1}, "delay_minutes"),
        ({"delay_minutes": 10**9}, "delay_minutes"),
        ({"throttle_days": 400}, "throttle_days"),
        ({"expires_days": 0}, "expires_days"),
        ({"channel": "fax"}, "channel"),
        ({"warranty_action": "gift"}, "warranty_action"),
        ({"followup_hours": None}, "followup_hours"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(
    admin_api: ApiClient, body: dict[str, Any], field: str
) -> None:
    r = admin_api.patch("/surveys/settings", body)
    assert r.status_code == 422, r.content
    assert field in r.content.decode()


def test_inbox_override_added_read_and_dropped(sides: tuple[Side, Side]) -> None:
    mine, theirs = sides
    inbox = conversations.default_inbox(mine.brand.pk, "chat")
    api = mine.api[Role.ADMIN]
    r = api.get("/surveys/settings", inbox=inbox.pk)
    assert r.json()["inherited"] is True and r.json()["inbox_id"] == inbox.pk
    r = api.patch(f"/surveys/settings?inbox={inbox.pk}", {"kinds": ["ces"]})
    assert r.status_code == 200, r.content
    assert (r.json()["inherited"], r.json()["kinds"], r.json()["delay_minutes"]) == (
        False,
        ["ces"],
        60,
    )
    assert api.get("/surveys/settings").json()["overrides"] == [inbox.pk]
    assert api.get("/surveys/settings").json()["kinds"] == ["csat", "nps"]
    other_inbox = conversations.default_inbox(theirs.brand.pk, "chat")
    assert api.get("/surveys/settings", inbox=other_inbox.pk).status_code == 404
    assert api.delete(f"/surveys/settings?inbox={other_inbox.pk}").status_code == 404
    assert (
        mine.api[Role.SUPERVISOR].delete(f"/surveys/settings?inbox={inbox.pk}").status_code == 403
    )
    r = api.delete(f"/surveys/settings?inbox={inbox.pk}")
    assert r.json() == {"deleted": True}
    assert api.get("/surveys/settings", inbox=inbox.pk).json()["inherited"] is True
    assert api.delete("/surveys/settings").status_code == 422


def test_a_conversations_surveys_for_whoever_sees_it(sides: tuple[Side, Side]) -> None:
    mine, theirs = sides
    csat, nps = surveys_of(mine.conversation)
    answer(nps, 3, "Terlalu lama menunggu")
    r = mine.api[Role.AGENT].get(f"/conversations/{mine.conversation.pk}/surveys")
    assert r.status_code == 200, r.content
    rows = r.json()
    assert [(s["id"], s["kind"], s["status"]) for s in rows] == [
        (csat.pk, "csat", "scheduled"),
        (nps.pk, "nps", "answered"),
    ]
    assert rows[1]["score"] == 3 and rows[1]["comment"] == "Terlalu lama menunggu"
    assert rows[0]["score"] is None and rows[0]["comment"] == ""
    assert read_token(rows[0]["url"].rsplit("/", 1)[1]) == csat.pk
    assert rows[0]["scheduled_for"].startswith("2026-07-01T11:00")
    r = mine.api[Role.ADMIN].get(f"/conversations/{theirs.conversation.pk}/surveys")
    assert r.status_code == 403
    assert mine.api[Role.AGENT].get("/conversations/999999/surveys").status_code == 404


def test_send_now_by_supervisor_or_assignee(
    sides: tuple[Side, Side], make_agent: Callable[..., Agent], make_api: Callable[..., ApiClient]
) -> None:
    mine, theirs = sides
    csat, nps = surveys_of(mine.conversation)
    other_agent = make_api(make_agent(Role.AGENT, brands=[mine.brand]))
    assert other_agent.post(f"/surveys/{csat.pk}/send").status_code == 403
    assert (
        mine.api[Role.ADMIN]
        .post(f"/surveys/{surveys_of(theirs.conversation)[0].pk}/send")
        .status_code
        == 403
    )
    assert mine.api[Role.SUPERVISOR].post("/surveys/999999/send").status_code == 404
    r = mine.api[Role.SUPERVISOR].post(f"/surveys/{csat.pk}/send")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "sent"
    # the others of the resolution went with it, in one message
    csat, nps = surveys_of(mine.conversation)
    assert nps.status == "sent" and nps.message_id == csat.message_id is not None
    # the assignee may send a reminder; an answered survey cannot be sent again
    conversations.update_conversation(
        Conversation.objects.get(pk=mine.conversation.pk), actor=None, assignee_id=mine.agent.pk
    )
    assert mine.api[Role.AGENT].post(f"/surveys/{csat.pk}/send").status_code == 200
    answer(csat, 5)
    r = mine.api[Role.SUPERVISOR].post(f"/surveys/{csat.pk}/send")
    assert r.status_code == 409
    assert "answered" in r.content.decode()
    Survey.objects.filter(pk=nps.pk).update(status="expired", expired_reason="timeout")
    assert mine.api[Role.SUPERVISOR].post(f"/surveys/{nps.pk}/send").status_code == 409


def test_survey_responses_paged_filtered_and_walled(sides: tuple[Side, Side]) -> None:
    mine, theirs = sides
    csat, nps = surveys_of(mine.conversation)
    answer(csat, 2, answered_at=T + 2 * HOUR)
    answer(nps, 9, "Cepat sekali", answered_at=T + 3 * HOUR)
    (their_csat, _n) = surveys_of(theirs.conversation)
    answer(their_csat, 5, answered_at=T + 2 * HOUR)
    sup = mine.api[Role.SUPERVISOR]
    assert mine.api[Role.AGENT].get("/survey-responses").status_code == 403
    assert sup.get("/survey-responses", brand=theirs.brand.pk).status_code == 403
    r = sup.get("/survey-responses", limit=1)
    assert r.status_code == 200, r.content
    page = r.json()
    assert [i["score"] for i in page["items"]] == [9]
    item = page["items"][0]
    assert item["comment"] == "Cepat sekali"
    assert (item["conversation_id"], item["agent_id"], item["brand_id"]) == (
        mine.conversation.pk,
        mine.agent.pk,
        mine.brand.pk,
    )
    assert (item["channel"], item["inbox_id"], item["customer_id"]) == (
        "email",
        mine.conversation.inbox_id,
        mine.conversation.customer_id,
    )
    r = sup.get("/survey-responses", limit=1, cursor=page["next_cursor"])
    assert [i["score"] for i in r.json()["items"]] == [2] and r.json()["next_cursor"] is None
    assert [i["score"] for i in sup.get("/survey-responses", kind="csat").json()["items"]] == [2]
    assert [i["score"] for i in sup.get("/survey-responses", max_score=6).json()["items"]] == [2]
    assert sup.get("/survey-responses", agent=mine.agent.pk).json()["items"].__len__() == 2
    assert sup.get("/survey-responses", agent=theirs.agent.pk).json()["items"] == []
    assert sup.get("/survey-responses", **{"from": "2026-07-02"}).json()["items"] == []
    assert len(sup.get("/survey-responses", to="2026-07-01").json()["items"]) == 2
    for bad in (
        {"cursor": "not-a-cursor"},
        {"from": "2026-07-02", "to": "2026-07-01"},
        {"min_score": 7, "max_score": 3},
        {"kind": "wow"},
        {"limit": 0},
    ):
        assert sup.get("/survey-responses", **bad).status_code in (400, 422), bad


def test_lists_take_a_constant_number_of_queries(
    sides: tuple[Side, Side], commits: Commits, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.surveys.helpers import reopen, resolve

    mine, _theirs = sides
    sup = mine.api[Role.SUPERVISOR]
    path = f"/conversations/{mine.conversation.pk}/surveys"

    def count(call: Callable[[], Any]) -> int:
        with CaptureQueriesContext(connection) as done:
            assert call().status_code == 200
        return len(done.captured_queries)

    sup.get(path)  # warm
    few = (count(lambda: sup.get(path)), count(lambda: sup.get("/survey-responses")))
    for s in surveys_of(mine.conversation):
        answer(s, 4)
    for _ in range(3):
        reopen(mine.conversation, mine.agent, commits)
        resolve(mine.conversation, mine.agent, commits)
    for s in Survey.objects.filter(conversation=mine.conversation, status="scheduled"):
        answer(s, 5)
    assert len(sup.get(path).json()) == 8
    assert len(sup.get("/survey-responses").json()["items"]) == 4  # answered: 2 resolutions
    many = (count(lambda: sup.get(path)), count(lambda: sup.get("/survey-responses")))
    assert many == few
    with django_assert_max_num_queries(8):
        sup.get("/survey-responses")
