"""Conversations over the API: the inbox list, one conversation, changes and replies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import make_conversation, make_customer, post_inbound, quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Message, OutboxMessage
from wowdesk.core import services as core
from wowdesk.core.models import Agent, AuditLog, Brand, Role, Team
from wowdesk.customers import services as customers


@pytest.fixture
def inbox_of_six(brand: Brand, agent: Agent, make_agent: Callable[..., Agent]) -> dict[str, Any]:
    """Six conversations that differ in one attribute each."""
    other = make_agent(Role.AGENT, name="Bea Other")
    team = core.create_team(brand_id=brand.pk, name="Lighting", member_ids=[agent.pk])
    mail = conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")
    german = make_customer(brand, email="hans@example.de", name="Hans Müller")
    customers.update_customer(german, actor=None, language="de")

    # Straight through the services: the inbound path has its own tests (tests/channels).
    c = {
        "lamp": quick_conversation(brand, name="Ana Lima", subject="Lamp arrived broken"),
        "sofa": quick_conversation(brand, name="Carl Sofa", subject="Sofa delivery date"),
        "german": quick_conversation(brand, email="hans@example.de", subject="Rechnung fehlt"),
        "mail": quick_conversation(brand, name="Dora Mail", subject="Refund", inbox=mail),
        "chat": quick_conversation(brand, name="Eve Chat", subject="Hello", channel="chat"),
        "done": quick_conversation(brand, name="Finn Done", subject="Thanks"),
    }
    conversations.update_conversation(
        c["lamp"], actor=None, assignee_id=agent.pk, tags=["breakage", "VIP"], team_id=team.pk
    )
    conversations.update_conversation(
        c["sofa"], actor=None, assignee_id=other.pk, priority="urgent", status="pending"
    )
    conversations.update_conversation(c["done"], actor=None, status="resolved")
    return {"c": c, "team": team, "other": other}


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {i["id"] for i in response.json()["items"]}


def pk(w: dict[str, Any], *names: str) -> set[int]:
    return {w["c"][n].pk for n in names}


def test_list_all(api: ApiClient, inbox_of_six: dict[str, Any]) -> None:
    response = api.get("/conversations")
    data = response.json()
    assert data["total"] == 6
    assert data["page"] == 1
    assert data["page_size"] == 25
    assert ids(response) == pk(inbox_of_six, "lamp", "sofa", "german", "mail", "chat", "done")
    lamp = next(i for i in data["items"] if i["id"] == inbox_of_six["c"]["lamp"].pk)
    assert lamp["tags"] == ["breakage", "vip"]
    assert lamp["assignee"]["name"] == "Agent " + lamp["assignee"]["name"].split()[-1]
    assert lamp["team"] == {"id": inbox_of_six["team"].pk, "name": "Lighting"}
    assert lamp["customer"]["name"] == "Ana Lima"
    assert lamp["inbox"]["channel"] == "api"
    assert lamp["channel"] == "api"
    assert lamp["status"] == "open"
    assert lamp["message_count"] == 1
    assert "messages" not in lamp


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, ("lamp", "german", "mail", "chat")),
        ({"status": "pending"}, ("sofa",)),
        ({"status": "resolved"}, ("done",)),
        ({"status": "pending,resolved"}, ("sofa", "done")),
        ({"status": " open , pending "}, ("lamp", "german", "mail", "chat", "sofa")),
        ({"assignee": "me"}, ("lamp",)),
        ({"assignee": "none"}, ("german", "mail", "chat", "done")),
        ({"language": "de"}, ("german",)),
        ({"language": "DE"}, ("german",)),
        ({"channel": "email"}, ("mail",)),
        ({"channel": "chat"}, ("chat",)),
        ({"priority": "urgent"}, ("sofa",)),
        ({"priority": "normal"}, ("lamp", "german", "mail", "chat", "done")),
        ({"tag": "breakage"}, ("lamp",)),
        ({"tag": "VIP"}, ("lamp",)),
        ({"tag": "nothing"}, ()),
        ({"q": "sofa"}, ("sofa",)),
        ({"q": "müller"}, ("german",)),
        ({"q": "Eve"}, ("chat",)),
        ({"q": "hans@example"}, ("german",)),
        ({"q": "zzz"}, ()),
        ({"status": "open", "channel": "api", "assignee": "none"}, ("german",)),
    ],
)
def test_filters(
    api: ApiClient, inbox_of_six: dict[str, Any], params: dict[str, str], expected: tuple[str, ...]
) -> None:
    response = api.get("/conversations", **params)
    assert ids(response) == pk(inbox_of_six, *expected)
    assert response.json()["total"] == len(expected)


def test_filter_by_assignee_id_team_and_customer(
    api: ApiClient, inbox_of_six: dict[str, Any]
) -> None:
    w = inbox_of_six
    assert ids(api.get("/conversations", assignee=str(w["other"].pk))) == pk(w, "sofa")
    assert ids(api.get("/conversations", team=w["team"].pk)) == pk(w, "lamp")
    customer_id = w["c"]["mail"].customer_id
    assert ids(api.get("/conversations", customer=customer_id)) == pk(w, "mail")


def test_search_by_number(api: ApiClient, inbox_of_six: dict[str, Any]) -> None:
    sofa = inbox_of_six["c"]["sofa"]
    assert sofa.number == 2
    assert pk(inbox_of_six, "sofa") <= ids(api.get("/conversations", q="2"))
    assert ids(api.get("/conversations", q="#2")) == pk(inbox_of_six, "sofa")
    assert ids(api.get("/conversations", q="#99")) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "open,bogus"}, "status"),
        ({"assignee": "someone"}, "assignee"),
        ({"assignee": "9" * 30}, "assignee"),
        ({"sort": "urgency"}, "sort"),
        ({"channel": "pigeon"}, "channel"),
        ({"priority": "meh"}, "priority"),
        ({"page": "0"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"team": "x"}, "team"),
    ],
)
def test_bad_filters_are_422(
    api: ApiClient, inbox_of_six: dict[str, Any], params: dict[str, str], field: str
) -> None:
    response = api.get("/conversations", **params)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


def test_sort(api: ApiClient, brand: Brand, agent: Agent) -> None:
    first = make_conversation(brand, subject="first")
    second = make_conversation(brand, subject="second")
    third = make_conversation(brand, subject="third")
    # the third got an answer: it waits no more
    conversations.add_reply(third, author=agent, body="Hi")
    # touch the first one last: it moves to the top of "recently updated"
    conversations.update_conversation(first, actor=agent, priority="high")

    def order(sort: str) -> list[int]:
        return [i["id"] for i in api.get("/conversations", sort=sort).json()["items"]]

    assert order("-updated_at") == [first.pk, third.pk, second.pk]
    assert order("updated_at") == [second.pk, third.pk, first.pk]
    assert order("created_at") == [first.pk, second.pk, third.pk]
    assert order("-created_at") == [third.pk, second.pk, first.pk]
    # longest waiting first; one not waiting at all comes last
    assert order("waiting_since") == [first.pk, second.pk, third.pk]


def test_paging(api: ApiClient, brand: Brand) -> None:
    made = [make_conversation(brand, subject=f"n{i}") for i in range(5)]
    pages = [
        api.get("/conversations", page=p, page_size=2, sort="created_at").json()
        for p in (1, 2, 3, 4)
    ]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    assert [[i["id"] for i in p["items"]] for p in pages] == [
        [made[0].pk, made[1].pk],
        [made[2].pk, made[3].pk],
        [made[4].pk],
        [],
    ]
    assert pages[1]["page"] == 2
    assert pages[1]["page_size"] == 2


def test_get_one_with_messages_in_order(api: ApiClient, brand: Brand, agent: Agent) -> None:
    conv = make_conversation(brand, email="ana@example.com", body="First!")
    post_inbound(brand, **{"from": {"email": "ana@example.com"}, "body": "Second"})
    conversations.add_reply(conv, author=agent, body="Answer")
    conversations.add_reply(conv, author=agent, body="Colleague, look", private=True)
    conversations.update_conversation(conv, actor=agent, status="resolved")

    response = api.get(f"/conversations/{conv.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == conv.pk
    assert data["status"] == "resolved"
    assert data["message_count"] == 4  # activities are not counted
    messages = data["messages"]
    assert [(m["direction"], m["body"]) for m in messages] == [
        ("in", "First!"),
        ("in", "Second"),
        ("out", "Answer"),
        ("note", "Colleague, look"),
        ("activity", "Status changed to Resolved"),
    ]
    assert messages[0]["sender"]["email"] == "ana@example.com"
    assert messages[0]["author"] is None
    assert messages[0]["delivery"] is None
    assert messages[2]["author"]["id"] == agent.pk
    assert messages[2]["delivery"] == "queued"
    assert messages[3]["delivery"] is None
    assert messages[0]["html"] == "<p>First!</p>"
    assert api.get("/conversations/999999").status_code == 404


def test_patch_changes_write_activity_and_audit(
    api: ApiClient, brand: Brand, agent: Agent, make_agent: Callable[..., Agent]
) -> None:
    conv = make_conversation(brand)
    colleague = make_agent(Role.AGENT, name="Bea")
    team = core.create_team(brand_id=brand.pk, name="Returns")
    conversations.ensure_tags(brand.pk, ["refund", "damaged"])  # agents tag with existing tags
    response = api.patch(
        f"/conversations/{conv.pk}",
        {
            "status": "pending",
            "priority": "high",
            "assignee_id": colleague.pk,
            "team_id": team.pk,
            "tags": ["Refund", "refund", " damaged "],
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "pending"
    assert data["priority"] == "high"
    assert data["assignee"]["id"] == colleague.pk
    assert data["team"]["id"] == team.pk
    assert data["tags"] == ["damaged", "refund"]
    activities = [m["body"] for m in data["messages"] if m["direction"] == "activity"]
    assert activities == [
        "Status changed to Pending",
        "Priority changed to High",
        "Assigned to Bea",
        "Team set to Returns",
        "Tags: refund, damaged",
    ]
    activity = Message.objects.filter(direction=Direction.ACTIVITY).first()
    assert activity is not None
    assert activity.author_id == agent.pk
    entry = AuditLog.objects.get(action="conversation.update")
    assert entry.actor_id == agent.pk
    assert entry.brand_id == brand.pk
    assert entry.object_type == "conversation"
    assert entry.object_id == str(conv.pk)
    assert entry.before == {
        "status": "open",
        "priority": "normal",
        "assignee_id": None,
        "team_id": None,
        "tags": [],
    }
    assert entry.after == {
        "status": "pending",
        "priority": "high",
        "assignee_id": colleague.pk,
        "team_id": team.pk,
        "tags": ["damaged", "refund"],
    }


def test_patch_unassign_and_no_op(api: ApiClient, brand: Brand, agent: Agent) -> None:
    conv = make_conversation(brand)
    api.patch(f"/conversations/{conv.pk}", {"assignee_id": agent.pk})
    response = api.patch(f"/conversations/{conv.pk}", {"assignee_id": None})
    assert response.json()["assignee"] is None
    entry = AuditLog.objects.filter(action="conversation.update").first()
    assert entry is not None
    assert entry.before == {"assignee_id": agent.pk}
    assert entry.after == {"assignee_id": None}
    audits = AuditLog.objects.count()
    messages = Message.objects.count()
    # sending what is already so changes nothing
    response = api.patch(f"/conversations/{conv.pk}", {"status": "open", "assignee_id": None})
    assert response.status_code == 200
    assert AuditLog.objects.count() == audits
    assert Message.objects.count() == messages


def test_resolve_sets_resolved_at_and_reopen_clears_it(api: ApiClient, brand: Brand) -> None:
    conv = make_conversation(brand)
    api.patch(f"/conversations/{conv.pk}", {"status": "resolved"})
    conv.refresh_from_db()
    assert conv.resolved_at is not None
    assert conv.waiting_since is None
    api.patch(f"/conversations/{conv.pk}", {"status": "open"})
    conv.refresh_from_db()
    assert conv.resolved_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"priority": "whenever"}, "priority"),
        ({"assignee_id": 0}, "assignee_id"),
        ({"assignee_id": 999999}, "assignee_id"),
        ({"team_id": 999999}, "team_id"),
        ({"tags": "not-a-list"}, "tags"),
        ({"subject": "x" * 301}, "subject"),
    ],
)
def test_patch_invalid(api: ApiClient, brand: Brand, body: dict[str, Any], field: str) -> None:
    conv = make_conversation(brand)
    response = api.patch(f"/conversations/{conv.pk}", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not AuditLog.objects.filter(action="conversation.update").exists()


def test_assigning_an_agent_or_team_of_another_brand_is_refused(
    api: ApiClient,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
) -> None:
    conv = make_conversation(brand)
    outsider = make_agent(Role.AGENT, brands=[other_brand])
    their_team = core.create_team(brand_id=other_brand.pk, name="Theirs")
    response = api.patch(f"/conversations/{conv.pk}", {"assignee_id": outsider.pk})
    assert response.status_code == 422
    assert response.json()["field"] == "assignee_id"
    response = api.patch(f"/conversations/{conv.pk}", {"team_id": their_team.pk})
    assert response.status_code == 422
    assert response.json()["field"] == "team_id"
    conv.refresh_from_db()
    assert conv.assignee_id is None
    assert conv.team_id is None
    assert not Team.objects.filter(brand=brand).exists()


def test_assigning_an_inactive_agent_is_refused(
    api: ApiClient, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    conv = make_conversation(brand)
    gone = make_agent(Role.AGENT)
    core.update_agent(gone, actor=None, is_active=False)
    response = api.patch(f"/conversations/{conv.pk}", {"assignee_id": gone.pk})
    assert response.status_code == 422
    assert response.json()["field"] == "assignee_id"


def test_reply(api: ApiClient, brand: Brand, agent: Agent) -> None:
    conv = make_conversation(brand)
    assert conv.waiting_since is not None
    response = api.post(f"/conversations/{conv.pk}/replies", {"body": "  We will send a new one. "})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["direction"] == "out"
    assert data["body"] == "We will send a new one."
    assert data["author"]["id"] == agent.pk
    assert data["channel"] == "api"
    assert data["delivery"] == "queued"
    message = Message.objects.get(pk=data["id"])
    assert OutboxMessage.objects.get(message=message).status == "queued"
    conv.refresh_from_db()
    assert conv.first_response_at == message.created_at
    assert conv.last_message_at == message.created_at
    assert conv.waiting_since is None
    assert conv.message_count == 2


def test_private_note(api: ApiClient, brand: Brand) -> None:
    conv = make_conversation(brand)
    waiting = conv.waiting_since
    last = conv.last_message_at
    response = api.post(
        f"/conversations/{conv.pk}/replies", {"body": "Check the warranty", "private": True}
    )
    assert response.status_code == 201
    data = response.json()
    assert data["direction"] == "note"
    assert data["delivery"] is None
    assert OutboxMessage.objects.count() == 0
    conv.refresh_from_db()
    assert conv.first_response_at is None
    assert conv.waiting_since == waiting
    assert conv.last_message_at == last
    assert conv.message_count == 2


@pytest.mark.parametrize("body", [{"body": ""}, {"body": "   "}, {}, {"body": "x" * 100_001}])
def test_reply_invalid(api: ApiClient, brand: Brand, body: dict[str, Any]) -> None:
    conv = make_conversation(brand)
    response = api.post(f"/conversations/{conv.pk}/replies", body)
    assert response.status_code == 422
    assert response.json()["field"] == "body"
    assert Message.objects.count() == 1


def test_first_response_and_waiting_since(brand: Brand, agent: Agent) -> None:
    conv = make_conversation(brand, email="ana@example.com")
    waiting_1 = conv.waiting_since
    assert waiting_1 is not None
    assert conv.first_response_at is None

    # a follow-up while waiting does not reset the clock
    post_inbound(brand, **{"from": {"email": "ana@example.com"}})
    conv.refresh_from_db()
    assert conv.waiting_since == waiting_1

    first = conversations.add_reply(conv, author=agent, body="one")
    conv.refresh_from_db()
    assert conv.first_response_at == first.created_at
    assert conv.waiting_since is None

    # the customer writes again: waiting again, from that message
    again = post_inbound(brand, **{"from": {"email": "ana@example.com"}})
    conv.refresh_from_db()
    assert conv.waiting_since == Message.objects.get(pk=again.message_id).created_at

    conversations.add_reply(conv, author=agent, body="two")
    conv.refresh_from_db()
    assert conv.first_response_at == first.created_at  # the first one stays
    assert conv.waiting_since is None
    assert conv.message_count == 5


def test_patch_with_a_stale_copy_keeps_concurrent_counters(brand: Brand, agent: Agent) -> None:
    """A change of status/priority must not write back counters it did not touch: a
    message that arrived meanwhile (another request) keeps its count and times."""
    conv = make_conversation(brand, email="ana@example.com")
    stale = Conversation.objects.get(pk=conv.pk)
    post_inbound(brand, **{"from": {"email": "ana@example.com"}})
    conversations.update_conversation(stale, actor=agent, priority="high")
    conv.refresh_from_db()
    assert conv.priority == "high"
    assert conv.message_count == 2
    assert conv.last_message_at is not None
    assert conv.last_message_at > conv.created_at
