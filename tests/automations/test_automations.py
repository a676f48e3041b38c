"""Automation rules end to end: the API (admins of the brand only, every part checked),
rules run after commit through the conversations services, name themselves in the thread,
and never trigger one another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import ApiClient, inbound
from tests.factories import make_conversation
from wowdesk.automations import services
from wowdesk.automations.models import Rule
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core import events
from wowdesk.core import services as core
from wowdesk.core.events import Event
from wowdesk.core.models import Agent, AuditLog, Brand, Role

REFUNDS = {
    "name": "Refunds",
    "event": "message.created",
    "conditions": [{"field": "body", "op": "contains", "value": "refund"}],
    "actions": [
        {"type": "add_tag", "value": "refund"},
        {"type": "set_priority", "value": "high"},
    ],
}


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    def run() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return run


def create(api: ApiClient, body: dict[str, Any] = REFUNDS, **more: Any) -> dict[str, Any]:
    response = api.post("/automations", {**body, **more})
    assert response.status_code == 201, response.content
    data: dict[str, Any] = response.json()
    return data


def activity(conversation_id: int) -> list[str]:
    return list(
        Message.objects.filter(conversation_id=conversation_id, direction=Direction.ACTIVITY)
        .order_by("id")
        .values_list("body", flat=True)
    )


def test_refund_example_through_inbound(admin_api: ApiClient, commits: Any) -> None:
    rule = create(admin_api)
    with commits():
        response = admin_api.post(
            "/inbound", inbound("r-1", body="Hello, I would like a REFUND for my lamp.")
        )
    assert response.status_code == 202, response.content
    conversation = Conversation.objects.get(pk=response.json()["conversation_id"])
    assert conversation.priority == "high"
    assert sorted(t.name for t in conversation.tags.all()) == ["refund"]
    lines = activity(conversation.pk)
    assert "Rule “Refunds” added tag refund" in lines
    assert "Rule “Refunds” set the priority to High" in lines
    # Audited like a person's change, with no person: the rule is on the event.
    entry = AuditLog.objects.filter(action="conversation.update").latest("id")
    assert entry.actor_id is None
    assert entry.after == {"priority": "high", "tags": ["refund"]}
    rule_lines = Message.objects.filter(
        conversation=conversation, direction=Direction.ACTIVITY, meta__rule_id=rule["id"]
    )
    assert rule_lines.count() >= 2
    # The thread (API) shows them too.
    thread = admin_api.get(f"/conversations/{conversation.pk}").json()["messages"]
    assert any("Rule “Refunds”" in m["body"] for m in thread)


@pytest.mark.parametrize(
    "body", ["no money back please", "refnd", "re-fund", "I'd like to return it"]
)
def test_refund_rule_leaves_other_messages_alone(
    admin_api: ApiClient, commits: Any, body: str
) -> None:
    create(admin_api)
    with commits():
        response = admin_api.post("/inbound", inbound("r-2", body=body))
    conversation = Conversation.objects.get(pk=response.json()["conversation_id"])
    assert conversation.priority == "normal"
    assert not conversation.tags.exists()
    assert not any(line.startswith("Rule") for line in activity(conversation.pk))


def test_rules_do_not_ping_pong(admin_api: ApiClient, brand: Brand, commits: Any) -> None:
    """Rule A: urgent → tag "hot" and priority high; rule B: high → priority urgent.
    Each would start the other; a rule's own change starts no rule."""
    create(
        admin_api,
        {
            "name": "A",
            "event": "conversation.updated",
            "conditions": [{"field": "priority", "op": "equals", "value": "urgent"}],
            "actions": [
                {"type": "set_priority", "value": "high"},
                {"type": "add_tag", "value": "hot"},
            ],
        },
    )
    create(
        admin_api,
        {
            "name": "B",
            "event": "conversation.updated",
            "conditions": [{"field": "priority", "op": "equals", "value": "high"}],
            "actions": [{"type": "set_priority", "value": "urgent"}],
        },
    )
    conversation = make_conversation(brand)
    with commits():
        response = admin_api.patch(f"/conversations/{conversation.pk}", {"priority": "urgent"})
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.priority == "high"  # A ran once; B did not answer A
    lines = [line for line in activity(conversation.pk) if line.startswith("Rule")]
    assert lines == ["Rule “A” set the priority to High", "Rule “A” added tag hot"]
    # A person setting high starts B, and B's change starts nothing.
    with commits():
        admin_api.patch(f"/conversations/{conversation.pk}", {"priority": "low"})
    with commits():
        admin_api.patch(f"/conversations/{conversation.pk}", {"priority": "high"})
    conversation.refresh_from_db()
    assert conversation.priority == "urgent"


def test_rule_reply_and_note_and_assignment(
    admin_api: ApiClient, brand: Brand, make_agent: Callable[..., Agent], commits: Any
) -> None:
    member = make_agent(Role.AGENT)
    team = core.create_team(brand_id=brand.pk, name="Billing", member_ids=[member.pk])
    rule = create(
        admin_api,
        {
            "name": "Billing",
            "event": "conversation.created",
            "conditions": [{"field": "subject", "op": "contains", "value": "invoice"}],
            "actions": [
                {"type": "assign_team", "value": team.pk},
                {"type": "assign_agent", "value": member.pk},
                {"type": "add_note", "value": "Check the invoice number."},
                {"type": "send_reply", "value": "We got your invoice question."},
            ],
        },
    )
    with commits():
        response = admin_api.post("/inbound", inbound("i-1", subject="Invoice 42 is wrong"))
    conversation = Conversation.objects.get(pk=response.json()["conversation_id"])
    assert conversation.team_id == team.pk
    assert conversation.assignee_id == member.pk
    note = Message.objects.get(conversation=conversation, direction=Direction.NOTE)
    assert note.body == "Check the invoice number."
    assert note.author_id is None
    reply = Message.objects.get(conversation=conversation, direction=Direction.OUT)
    assert reply.body == "We got your invoice question."
    from wowdesk.conversations.models import OutboxMessage

    assert OutboxMessage.objects.filter(message=reply).exists()
    lines = activity(conversation.pk)
    assert f"Rule “Billing” assigned {member.display_name}" in lines
    assert "Rule “Billing” sent a reply" in lines
    assert Rule.objects.get(pk=rule["id"]).active


def test_inactive_rule_does_not_run(admin_api: ApiClient, commits: Any) -> None:
    rule = create(admin_api)
    assert admin_api.patch(f"/automations/{rule['id']}", {"active": False}).status_code == 200
    with commits():
        response = admin_api.post("/inbound", inbound("r-3", body="refund now"))
    conversation = Conversation.objects.get(pk=response.json()["conversation_id"])
    assert conversation.priority == "normal"


def test_another_brands_rule_does_not_run(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    commits: Any,
) -> None:
    create(make_api(make_agent(Role.ADMIN, brands=[other_brand])))
    with commits():
        conversation = make_conversation(brand, body="refund please")
    conversation.refresh_from_db()
    assert conversation.priority == "normal"


def test_no_query_when_the_brand_has_no_rule(
    brand: Brand, other_brand: Brand, admin_api: ApiClient
) -> None:
    payload = {"message_id": 1, "conversation_id": 1, "brand_id": brand.pk, "direction": "in"}
    services.run_rules(Event.MESSAGE_CREATED, payload)  # loads the table once
    with CaptureQueriesContext(connection) as q:
        for _ in range(5):
            services.run_rules(Event.MESSAGE_CREATED, payload)
    assert len(q.captured_queries) == 0
    create(admin_api, event="conversation.created")  # this brand, another event
    services.run_rules(Event.MESSAGE_CREATED, payload)
    with CaptureQueriesContext(connection) as q:
        services.run_rules(Event.MESSAGE_CREATED, payload)
        services.run_rules(Event.MESSAGE_CREATED, {**payload, "brand_id": other_brand.pk})
        services.run_rules(Event.MESSAGE_CREATED, {**payload, "rule_id": 5})
    assert len(q.captured_queries) == 0


# --- input ----------------------------------------------------------------------------

VALUE = "conditions.0.value"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"event": "message.deleted"}, "event"),
        ({"event": "inbox.created"}, "event"),
        ({"name": ""}, "name"),
        ({"name": "two\nlines"}, "name"),
        ({"conditions": [{"field": "mood", "op": "equals", "value": "x"}]}, "conditions.0.field"),
        ({"conditions": [{"field": "body", "op": "regex", "value": "x"}]}, "conditions.0.op"),
        ({"conditions": [{"field": "priority", "op": "equals", "value": "hi"}]}, VALUE),
        ({"conditions": [{"field": "team", "op": "equals", "value": 999999}]}, VALUE),
        ({"actions": []}, "actions"),
        ({"actions": [{"type": "delete_everything", "value": 1}]}, "actions.0.type"),
        ({"actions": [{"type": "set_priority", "value": "asap"}]}, "actions.0.value"),
        ({"actions": [{"type": "set_status", "value": "done"}]}, "actions.0.value"),
        ({"actions": [{"type": "assign_team", "value": 999999}]}, "actions.0.value"),
        ({"actions": [{"type": "assign_agent", "value": 999999}]}, "actions.0.value"),
        ({"actions": [{"type": "add_tag", "value": "a\u0000b"}]}, "actions.0.value"),
    ],
)
def test_bad_rules_are_refused_naming_the_part(
    admin_api: ApiClient, change: dict[str, Any], field: str
) -> None:
    response = admin_api.post("/automations", {**REFUNDS, **change})
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == field, response.json()
    assert not Rule.objects.exists()
    rule = create(admin_api)
    response = admin_api.patch(f"/automations/{rule['id']}", change)
    assert response.status_code in (400, 422), response.content
    assert Rule.objects.get().name == "Refunds"


def test_team_and_agent_of_another_brand_are_refused(
    admin_api: ApiClient, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    stranger = make_agent(Role.AGENT, brands=[other_brand])
    team = core.create_team(brand_id=other_brand.pk, name="Theirs", member_ids=[])
    for actions, field in (
        ([{"type": "assign_team", "value": team.pk}], "actions.0.value"),
        ([{"type": "assign_agent", "value": stranger.pk}], "actions.0.value"),
    ):
        response = admin_api.post("/automations", {**REFUNDS, "actions": actions})
        assert response.status_code == 400
        assert response.json()["field"] == field
    response = admin_api.post(
        "/automations",
        {**REFUNDS, "conditions": [{"field": "team", "op": "in", "value": [team.pk]}]},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "conditions.0.value"


def test_duplicate_name_is_a_conflict(admin_api: ApiClient) -> None:
    create(admin_api)
    response = admin_api.post("/automations", REFUNDS)
    assert response.status_code == 409
    assert response.json()["field"] == "name"


def test_no_transaction_after_commit_when_no_rule_may_run(
    brand: Brand,
    other_brand: Brand,
    admin_api: ApiClient,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    commits: Any,
) -> None:
    """The rules listener asks the rules cache before a transaction is opened for it: an
    event no rule may run on costs no statement after the commit (on the path of every
    inbound message), one a rule may run on gets the listener."""
    conversation = make_conversation(brand, body="hello")
    message = Message.objects.filter(conversation=conversation).first()
    assert message is not None
    payload = {
        "message_id": message.pk,
        "conversation_id": conversation.pk,
        "brand_id": brand.pk,
        "direction": "in",
    }
    create(admin_api, event="conversation.created", name="Opened")  # another event
    create(make_api(make_agent(Role.ADMIN, brands=[other_brand])))  # another brand
    services.has_rules(Event.MESSAGE_CREATED, payload)  # loads the table once

    def after_commit(**over: Any) -> list[str]:
        with (
            events.isolated("wowdesk.automations"),
            CaptureQueriesContext(connection) as q,
            commits(),
        ):
            events.emit(Event.MESSAGE_CREATED, **{**payload, **over})
        return [x["sql"] for x in q.captured_queries]

    assert after_commit() == []
    create(admin_api)  # this brand, this event ("refund" in the body: not this message)
    services.has_rules(Event.MESSAGE_CREATED, payload)
    assert after_commit(rule_id=1) == []  # a rule's own change
    ran = after_commit()
    assert any(sql.startswith("SAVEPOINT") for sql in ran), ran
    conversation.refresh_from_db()
    assert conversation.priority == "normal"
