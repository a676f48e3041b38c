"""The training API per role, for two brands: scenarios (from a conversation, authored),
sessions (start, talk, finish), the transcript and the lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import make_reply, quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.training.models import Assignment, AssignmentStatus, Scenario, TrainingSession

pytestmark = pytest.mark.django_db

AUTHORED = {
    "title": "Broken lamp",
    "opening": "My lamp arrived broken. I am really annoyed.",
    "mood": "frustrated",
    "difficulty": "easy",
    "language": "en",
    "product": "Aurora lamp",
    "facts": {"order": "[number]", "problem": "the shade is cracked"},
    "expected_resolution": "We send a new shade free of charge.",
    "key_points": ["send a new shade", "free of charge"],
    "policy_limits": [{"action": "refund", "limit": 50, "currency": "EUR"}],
}
GOOD = (
    "I'm so sorry the lamp arrived broken, I understand how annoying that is. "
    "We will send a new shade free of charge today."
)


@dataclass
class Side:
    brand: Brand
    people: dict[str, Agent]
    api: dict[str, ApiClient]
    conversation: Conversation
    open_conversation: Conversation


@pytest.fixture
def sides(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> tuple[Side, Side]:
    out = []
    for b in (brand, other_brand):
        people = {r: make_agent(r, brands=[b]) for r in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)}
        done = quick_conversation(
            b, subject="Lamp broken", body="Hello, my lamp arrived with a cracked shade."
        )
        make_reply(done, people[Role.AGENT], "Sorry! We will send a new shade free of charge.")
        conversations.update_conversation(done, actor=people[Role.AGENT], status="resolved")
        done.refresh_from_db()
        still = quick_conversation(b, body="Where is my parcel?")
        out.append(
            Side(
                brand=b,
                people=people,
                api={r: make_api(a) for r, a in people.items()},
                conversation=done,
                open_conversation=still,
            )
        )
    return out[0], out[1]


def _authored(side: Side, **over: Any) -> dict[str, Any]:
    r = side.api[Role.SUPERVISOR].post("/training/scenarios", {**AUTHORED, **over})
    assert r.status_code == 201, r.content
    return r.json()  # type: ignore[no-any-return]


def test_scenario_from_a_conversation_by_role(sides: tuple[Side, Side]) -> None:
    mine, theirs = sides
    body = {"from_conversation": mine.conversation.pk}
    assert mine.api[Role.AGENT].post("/training/scenarios", body).status_code == 403
    for role in (Role.SUPERVISOR, Role.ADMIN):
        r = mine.api[role].post("/training/scenarios", body)
        assert r.status_code == 201, r.content
        data = r.json()
        assert data["source"] == "conversation"
        assert data["source_conversation_id"] == mine.conversation.pk
        assert data["opening"].startswith("Hello")
        assert "new shade" in data["expected_resolution"]
        assert data["brand_id"] == mine.brand.pk
    # the other brand's conversation: 403; a missing one: 404; an open one: 400
    r = mine.api[Role.ADMIN].post(
        "/training/scenarios", {"from_conversation": theirs.conversation.pk}
    )
    assert r.status_code == 403
    assert (
        mine.api[Role.ADMIN].post("/training/scenarios", {"from_conversation": 10**9}).status_code
        == 404
    )
    r = mine.api[Role.SUPERVISOR].post(
        "/training/scenarios", {"from_conversation": mine.open_conversation.pk}
    )
    assert r.status_code == 400
    assert r.json()["field"] == "from_conversation"


def test_authored_scenarios_by_role(sides: tuple[Side, Side]) -> None:
    mine, theirs = sides
    assert mine.api[Role.AGENT].post("/training/scenarios", AUTHORED).status_code == 403
    created = _authored(mine)
    assert created["source"] == "authored" and created["facts"]["order"] == "[number]"
    r = mine.api[Role.ADMIN].post("/training/scenarios", {**AUTHORED, "brand_id": theirs.brand.pk})
    assert r.status_code == 403
    r = mine.api[Role.ADMIN].post("/training/scenarios", {**AUTHORED, "mood": "sleepy"})
    assert r.status_code == 422 and r.json()["field"] == "mood"
    r = mine.api[Role.ADMIN].post("/training/scenarios", {"title": "No opening"})
    assert r.status_code == 422 and r.json()["field"] == "opening"
    # PATCH: supervisors and admins of the brand
    path = f"/training/scenarios/{created['id']}"
    assert mine.api[Role.AGENT].patch(path, {"title": "x"}).status_code == 403
    r = mine.api[Role.ADMIN].patch(path, {"title": "Broken lamp (v2)", "difficulty": "hard"})
    assert r.status_code == 200 and r.json()["title"] == "Broken lamp (v2)"
    assert theirs.api[Role.ADMIN].patch(path, {"title": "theirs"}).status_code == 403
    r = mine.api[Role.ADMIN].patch(path, {"from_conversation": mine.conversation.pk})
    assert r.status_code == 422


def test_trainee_view_hides_the_source_conversation(sides: tuple[Side, Side]) -> None:
    mine, theirs = sides
    r = mine.api[Role.SUPERVISOR].post(
        "/training/scenarios", {"from_conversation": mine.conversation.pk}
    )
    sid = r.json()["id"]
    agent_view = mine.api[Role.AGENT].get(f"/training/scenarios/{sid}")
    assert agent_view.status_code == 200
    assert agent_view.json()["source_conversation_id"] is None
    listed = mine.api[Role.AGENT].get("/training/scenarios").json()["items"]
    assert [s["source_conversation_id"] for s in listed] == [None]
    staff_view = mine.api[Role.ADMIN].get(f"/training/scenarios/{sid}").json()
    assert staff_view["source_conversation_id"] == mine.conversation.pk
    assert theirs.api[Role.ADMIN].get(f"/training/scenarios/{sid}").status_code == 403
    assert theirs.api[Role.AGENT].get("/training/scenarios").json()["items"] == []
    assert mine.api[Role.AGENT].get("/training/scenarios", brand=theirs.brand.pk).status_code == 403
    assert mine.api[Role.AGENT].get("/training/scenarios/999999999").status_code == 404


def test_archived_scenarios_are_for_supervisors(sides: tuple[Side, Side]) -> None:
    mine, _theirs = sides
    sid = _authored(mine, archived=True)["id"]
    assert mine.api[Role.AGENT].get(f"/training/scenarios/{sid}").status_code == 404
    assert mine.api[Role.AGENT].post("/training/sessions", {"scenario_id": sid}).status_code == 404
    assert mine.api[Role.SUPERVISOR].get(f"/training/scenarios/{sid}").status_code == 200


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_every_role_plays_a_scenario_of_their_brand(sides: tuple[Side, Side], role: str) -> None:
    mine, theirs = sides
    sid = _authored(mine)["id"]
    api = mine.api[role]
    r = api.post("/training/sessions", {"scenario_id": sid})
    assert r.status_code == 201, r.content
    session = r.json()
    assert session["messages"][0]["role"] == "customer"
    assert session["messages"][0]["body"] == AUTHORED["opening"]
    assert session["mood"] == "frustrated" and session["status"] == "active"
    turn = api.post(f"/training/sessions/{session['id']}/messages", {"body": GOOD})
    assert turn.status_code == 200, turn.content
    assert set(turn.json()) >= {"body", "mood", "done"}
    assert turn.json()["done"] is True and turn.json()["outcome"] == "accepted"
    finished = api.post(f"/training/sessions/{session['id']}/finish")
    assert finished.status_code == 200, finished.content
    result = finished.json()
    assert result["score"] >= 70
    assert set(result["feedback"]) == {"empathy", "accuracy", "resolution", "clarity", "policy"}
    assert all(v["feedback"] for v in result["feedback"].values())
    # finished: no more messages, no second finish
    assert (
        api.post(f"/training/sessions/{session['id']}/messages", {"body": "hi"}).status_code == 409
    )
    assert api.post(f"/training/sessions/{session['id']}/finish").status_code == 409
    # the other brand: neither its scenario nor this session
    assert theirs.api[role].post("/training/sessions", {"scenario_id": sid}).status_code == 403
    assert theirs.api[role].get(f"/training/sessions/{session['id']}").status_code == 403
    r = theirs.api[role].post(f"/training/sessions/{session['id']}/messages", {"body": "x"})
    assert r.status_code == 403


def test_sessions_are_seen_by_their_trainee_and_the_brands_supervisors(
    sides: tuple[Side, Side],
) -> None:
    mine, theirs = sides
    sid = _authored(mine)["id"]
    session = mine.api[Role.AGENT].post("/training/sessions", {"scenario_id": sid}).json()
    path = f"/training/sessions/{session['id']}"
    for role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        r = mine.api[role].get(path)
        assert r.status_code == 200, (role, r.content)
        assert [m["role"] for m in r.json()["messages"]] == ["customer"]
    # a supervisor reads it but does not play it
    r = mine.api[Role.SUPERVISOR].post(f"{path}/messages", {"body": "hello"})
    assert r.status_code == 403
    assert mine.api[Role.SUPERVISOR].post(f"{path}/finish").status_code == 403
    # another agent of the brand: not theirs
    other_agent = mine.people[Role.AGENT]
    assert other_agent.pk == session["trainee_id"]
    # lists: own for agents, the brand's for supervisors
    listed = mine.api[Role.AGENT].get("/training/sessions").json()["items"]
    assert [s["id"] for s in listed] == [session["id"]]
    sup_list = mine.api[Role.SUPERVISOR].get("/training/sessions", trainee=other_agent.pk)
    assert [s["id"] for s in sup_list.json()["items"]] == [session["id"]]
    assert (
        mine.api[Role.AGENT]
        .get("/training/sessions", trainee=mine.people[Role.ADMIN].pk)
        .status_code
        == 403
    )
    for role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        assert theirs.api[role].get("/training/sessions").json()["items"] == []
        assert theirs.api[role].get("/training/sessions", brand=mine.brand.pk).status_code == 403


def test_another_agents_session_is_forbidden(
    sides: tuple[Side, Side], make_agent: Callable[..., Agent], make_api: Callable[..., ApiClient]
) -> None:
    mine, _theirs = sides
    sid = _authored(mine)["id"]
    session = mine.api[Role.AGENT].post("/training/sessions", {"scenario_id": sid}).json()
    colleague = make_api(make_agent(Role.AGENT, brands=[mine.brand]))
    assert colleague.get(f"/training/sessions/{session['id']}").status_code == 403
    assert colleague.get("/training/sessions").json()["items"] == []


def test_finishing_an_assigned_session_marks_the_assignment_done(sides: tuple[Side, Side]) -> None:
    mine, theirs = sides
    sid = _authored(mine)["id"]
    trainee = mine.people[Role.AGENT]
    assignment = Assignment.objects.create(
        brand=mine.brand,
        scenario_id=sid,
        trainee=trainee,
        assigned_by=mine.people[Role.SUPERVISOR],
    )
    # someone else cannot use it
    r = mine.api[Role.ADMIN].post(
        "/training/sessions", {"scenario_id": sid, "assignment_id": assignment.pk}
    )
    assert r.status_code == 422 and r.json()["field"] == "assignment_id"
    r = theirs.api[Role.ADMIN].post(
        "/training/sessions", {"scenario_id": sid, "assignment_id": assignment.pk}
    )
    assert r.status_code == 403
    r = mine.api[Role.AGENT].post(
        "/training/sessions", {"scenario_id": sid, "assignment_id": assignment.pk}
    )
    assert r.status_code == 201 and r.json()["assignment_id"] == assignment.pk
    session_id = r.json()["id"]
    mine.api[Role.AGENT].post(f"/training/sessions/{session_id}/messages", {"body": GOOD})
    mine.api[Role.AGENT].post(f"/training/sessions/{session_id}/finish")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DONE and assignment.done_at is not None


def test_bad_input_names_the_field(sides: tuple[Side, Side]) -> None:
    mine, _theirs = sides
    sid = _authored(mine)["id"]
    session = mine.api[Role.AGENT].post("/training/sessions", {"scenario_id": sid}).json()
    r = mine.api[Role.AGENT].post(f"/training/sessions/{session['id']}/messages", {"body": "   "})
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = mine.api[Role.AGENT].post("/training/sessions", {"scenario_id": 10**9})
    assert r.status_code == 404 and r.json()["field"] == "scenario_id"
    assert mine.api[Role.AGENT].get("/training/sessions/999999999").status_code == 404


def test_lists_cost_the_same_for_5_and_50(
    sides: tuple[Side, Side], django_assert_num_queries: Any
) -> None:
    mine, _theirs = sides
    api = mine.api[Role.SUPERVISOR]
    sid = _authored(mine)["id"]
    scenario = Scenario.objects.get(pk=sid)
    trainee = mine.people[Role.AGENT]

    def fill(n: int) -> None:
        for i in range(n):
            Scenario.objects.create(brand=mine.brand, title=f"s{i}", opening="Hi")
            TrainingSession.objects.create(brand=mine.brand, scenario=scenario, trainee=trainee)

    def count(path: str, limit: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            r = api.get(path, limit=limit)
            assert r.status_code == 200
            assert len(r.json()["items"]) == limit
        return len(ctx.captured_queries)

    fill(5)
    small = (count("/training/scenarios", 5), count("/training/sessions", 5))
    fill(50)
    big = (count("/training/scenarios", 50), count("/training/sessions", 50))
    assert small == big


def test_feedback_reads_in_the_readers_language(sides: tuple[Side, Side]) -> None:
    from wowdesk.training import services

    mine, _theirs = sides
    sid = _authored(mine)["id"]
    api = mine.api[Role.AGENT]
    session_id = api.post("/training/sessions", {"scenario_id": sid}).json()["id"]
    api.post(f"/training/sessions/{session_id}/messages", {"body": GOOD})
    api.post(f"/training/sessions/{session_id}/finish")
    session = TrainingSession.objects.get(pk=session_id)
    english = services.feedback_in(session, "en")
    chinese = services.feedback_in(session, "zh-hans")
    assert english["policy"]["feedback"] == "You stayed within the policy limits."
    assert chinese["policy"]["feedback"] == "您没有超出政策限额。"
    assert GOOD[:40] in chinese["empathy"]["feedback"]  # the quote stays as written


def test_one_line_fields_refuse_line_breaks(sides: tuple[Side, Side]) -> None:
    mine, _theirs = sides
    r = mine.api[Role.ADMIN].post("/training/scenarios", {**AUTHORED, "title": "a\nb"})
    assert r.status_code == 422 and "title" in r.content.decode()
