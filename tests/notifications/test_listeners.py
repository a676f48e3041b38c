"""Which changes notify whom (notifications/listeners.py, services.deliver)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_conversation, post_inbound
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core import services as core
from wowdesk.core.events import Event, emit
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.notifications import listeners, services
from wowdesk.notifications.models import Kind, Notification
from wowdesk.notifications.present import title

Commit = Callable[..., Any]


def _of(agent: Agent, kind: str | None = None) -> list[Notification]:
    qs = Notification.objects.filter(agent=agent).order_by("id")
    return list(qs.filter(kind=kind) if kind else qs)


def _note(conv: Conversation, author: Agent, body: str, commit: Commit) -> None:
    with commit(execute=True):
        conversations.add_reply(conv, author=author, body=body, private=True)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Commit) -> Commit:
    return django_capture_on_commit_callbacks


def test_assigned_by_someone_else_not_by_myself(
    brand: Brand, make_agent: Callable[..., Agent], commit: Commit
) -> None:
    conv = make_conversation(brand)
    boss = make_agent(Role.SUPERVISOR, name="Mia Boss")
    me = make_agent(Role.AGENT, name="Ola Me")
    with commit(execute=True):
        conversations.update_conversation(conv, actor=boss, assignee_id=me.pk)
    [n] = _of(me, Kind.ASSIGNED)
    assert (n.conversation_id, n.actor_id, n.brand_id) == (conv.pk, boss.pk, brand.pk)
    assert title(n) == f"Mia Boss assigned #{conv.number} to you"
    assert _of(boss) == []
    other = make_conversation(brand)
    with commit(execute=True):
        conversations.update_conversation(other, actor=me, assignee_id=me.pk)  # I take it
    assert [x.conversation_id for x in _of(me, Kind.ASSIGNED)] == [conv.pk]


def test_assigned_by_routing_and_by_the_system(
    brand: Brand, make_agent: Callable[..., Agent], commit: Commit
) -> None:
    me = make_agent(Role.AGENT)
    routed, plain = make_conversation(brand), make_conversation(brand)
    with commit(execute=True):
        conversations.update_conversation(routed, actor=None, assignee_id=me.pk, source="routing")
        conversations.update_conversation(plain, actor=None, assignee_id=me.pk)
    got = {n.conversation_id: title(n) for n in _of(me, Kind.ASSIGNED)}
    assert got == {
        routed.pk: f"#{routed.number} was routed to you",
        plain.pk: f"#{plain.number} was assigned to you",
    }


def test_unassigning_notifies_nobody(
    brand: Brand, make_agent: Callable[..., Agent], commit: Commit
) -> None:
    me, boss = make_agent(Role.AGENT), make_agent(Role.SUPERVISOR)
    conv = make_conversation(brand)
    conversations.update_conversation(conv, actor=boss, assignee_id=me.pk)  # not committed
    with commit(execute=True):
        conversations.update_conversation(conv, actor=boss, assignee_id=None)
    assert _of(me) == []


def test_customer_replies_coalesce_while_unread(
    brand: Brand, make_agent: Callable[..., Agent], commit: Commit
) -> None:
    me = make_agent(Role.AGENT)
    conv = make_conversation(brand, email="ana@example.com")
    conversations.update_conversation(conv, actor=None, assignee_id=me.pk)
    for i in range(3):
        with commit(execute=True):
            post_inbound(brand, **{"from": {"email": "ana@example.com"}, "body": f"more {i}"})
    [n] = _of(me, Kind.CUSTOMER_REPLIED)
    assert n.count == 3
    assert title(n) == f"The customer wrote 3 messages on #{conv.number}"
    services.mark_read(me, n.pk)
    with commit(execute=True):
        post_inbound(brand, **{"from": {"email": "ana@example.com"}, "body": "again"})
    rows = _of(me, Kind.CUSTOMER_REPLIED)
    assert [r.count for r in rows] == [3, 1]
    assert rows[1].read_at is None


def test_customer_message_on_an_unassigned_conversation_notifies_nobody(
    brand: Brand, make_agent: Callable[..., Agent], commit: Commit
) -> None:
    me = make_agent(Role.AGENT)
    with commit(execute=True):
        make_conversation(brand)
    assert Notification.objects.count() == 0
    assert _of(me) == []


def test_mentions_in_notes(brand: Brand, make_agent: Callable[..., Agent], commit: Commit) -> None:
    ann = make_agent(Role.AGENT, name="Ann")
    ann_lee = make_agent(Role.AGENT, name="Ann Lee")
    zh = make_agent(Role.SUPERVISOR, name="李小龙")
    author = make_agent(Role.AGENT, name="Writer")
    conv = make_conversation(brand)
    _note(conv, author, "@Ann Lee and @李小龙 please look; @Writer too", commit)
    assert _of(ann) == []
    [n] = _of(ann_lee, Kind.MENTIONED)
    assert n.actor_id == author.pk
    assert title(n) == f"Writer mentioned you in #{conv.number}"
    assert n.params["excerpt"].startswith("@Ann Lee and")
    assert len(_of(zh, Kind.MENTIONED)) == 1
    assert _of(author) == []  # never the author
    _note(conv, author, "@ann again", commit)
    assert len(_of(ann, Kind.MENTIONED)) == 1


def test_a_reply_to_the_customer_mentions_nobody(
    brand: Brand, make_agent: Callable[..., Agent], commit: Commit
) -> None:
    ann = make_agent(Role.AGENT, name="Ann")
    author = make_agent(Role.AGENT)
    conv = make_conversation(brand)
    with commit(execute=True):
        conversations.add_reply(conv, author=author, body="@Ann will call you")
    assert _of(ann) == []


def test_agents_of_another_brand_are_never_mentioned(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent], commit: Commit
) -> None:
    outsider = make_agent(Role.ADMIN, name="Olga Outside", brands=[other_brand])
    outsider_sup = make_agent(Role.SUPERVISOR, name="Sam", brands=[other_brand])
    insider = make_agent(Role.AGENT, name="Ivan Inside")
    author = make_agent(Role.AGENT)
    conv = make_conversation(brand)
    _note(conv, author, "@Olga Outside @Sam @Ivan Inside", commit)
    assert _of(outsider) == [] and _of(outsider_sup) == []
    assert len(_of(insider, Kind.MENTIONED)) == 1
    # nor assigned across brands (a broken caller): deliver refuses non-members
    services.deliver([services.Draft(agent_id=outsider.pk, brand_id=brand.pk, kind=Kind.ASSIGNED)])
    assert _of(outsider) == []


def test_turned_off_kinds_are_not_stored(
    brand: Brand, make_agent: Callable[..., Agent], commit: Commit
) -> None:
    ann = make_agent(Role.AGENT, name="Ann")
    services.set_preferences(ann, in_app={Kind.MENTIONED: False})
    author = make_agent(Role.AGENT)
    conv = make_conversation(brand)
    _note(conv, author, "@Ann hi", commit)
    assert _of(ann) == []
    with commit(execute=True):
        conversations.update_conversation(conv, actor=author, assignee_id=ann.pk)
    assert [n.kind for n in _of(ann)] == [Kind.ASSIGNED]


def test_sla_warning_goes_to_the_assignee_else_the_team(
    brand: Brand, make_agent: Callable[..., Agent], commit: Commit
) -> None:
    me, mate, outsider = (make_agent(Role.AGENT) for _ in range(3))
    team = core.create_team(brand_id=brand.pk, name="Returns", member_ids=[me.pk, mate.pk])
    mine, teams, nobodys = (make_conversation(brand) for _ in range(3))
    conversations.update_conversation(mine, actor=None, assignee_id=me.pk, team_id=team.pk)
    conversations.update_conversation(teams, actor=None, team_id=team.pk)
    with commit(execute=True):
        for conv in (mine, teams, nobodys):
            emit(
                Event.SLA_WARNING,
                conversation_id=conv.pk,
                brand_id=brand.pk,
                target="first_response",
                due_at="2026-12-07T12:00:00+00:00",
            )
    assert sorted(n.conversation_id for n in _of(me, Kind.SLA_WARNING)) == sorted(
        [mine.pk, teams.pk]
    )
    assert [n.conversation_id for n in _of(mate, Kind.SLA_WARNING)] == [teams.pk]
    assert _of(outsider) == []
    n = _of(mate, Kind.SLA_WARNING)[0]
    assert title(n) == f"The first response of #{teams.number} is due soon"


def test_approval_needed_is_a_service(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    sup, asker = make_agent(Role.SUPERVISOR), make_agent(Role.AGENT)
    stranger = make_agent(Role.SUPERVISOR, brands=[other_brand])
    conv = make_conversation(brand)
    rows = services.notify_approval_needed(
        agent_ids=[sup.pk, asker.pk, stranger.pk],
        brand_id=brand.pk,
        what="a refund of 40 EUR",
        conversation_id=conv.pk,
        actor_id=asker.pk,
        number=conv.number,
    )
    assert [r.agent_id for r in rows] == [sup.pk]
    assert title(rows[0]) == "Approval needed: a refund of 40 EUR"
    # each approval is its own notification, also on the same conversation
    services.notify_approval_needed(
        agent_ids=[sup.pk], brand_id=brand.pk, what="a discount", conversation_id=conv.pk
    )
    assert sorted(title(n) for n in _of(sup)) == [
        "Approval needed: a discount",
        "Approval needed: a refund of 40 EUR",
    ]


def test_a_batch_costs_the_same_queries_whatever_its_size(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    people = [make_agent(Role.AGENT, name=f"Person {i}") for i in range(6)]
    author = make_agent(Role.AGENT)
    convs = [make_conversation(brand) for _ in range(6)]
    for conv, person in zip(convs, people, strict=True):
        conversations.update_conversation(conv, actor=None, assignee_id=person.pk)

    def batch(n: int) -> list[dict[str, Any]]:
        payloads = []
        for i in range(n):
            conv = convs[i]
            note = conversations.add_reply(
                conv, author=author, body=f"@Person {(i + 1) % 6} see", private=True
            )
            reply = post_inbound(
                brand, **{"from": {"email": conv.customer.email}, "body": f"x {i}"}
            )
            payloads.append(
                {"message_id": note.pk, "conversation_id": conv.pk, "direction": "note"}
            )
            payloads.append(
                {"message_id": reply.message_id, "conversation_id": conv.pk, "direction": "in"}
            )
        return payloads

    small, large = batch(1), batch(6)
    counts = []
    for payloads in (small, large):
        with CaptureQueriesContext(connection) as seen:
            listeners.on_messages_created(payloads)
        counts.append(len(seen.captured_queries))
    # messages, names, members, preferences, unread rows to fold into, insert, update:
    # at most seven, for two payloads as for twelve
    assert counts[0] <= 7 and counts[1] <= 7, counts
    mentions = Notification.objects.filter(kind=Kind.MENTIONED)
    # Person 1 was mentioned on the first conversation in both batches: one row, twice
    assert sorted(n.count for n in mentions) == [1, 1, 1, 1, 1, 2]
    replies = Notification.objects.filter(kind=Kind.CUSTOMER_REPLIED)
    assert sorted(n.count for n in replies) == [1, 1, 1, 1, 1, 2]


def test_assigned_by_a_rule(brand: Brand, make_agent: Callable[..., Agent], commit: Commit) -> None:
    me = make_agent(Role.AGENT)
    conv = make_conversation(brand)
    with commit(execute=True):
        conversations.update_conversation(conv, actor=None, assignee_id=me.pk, rule_id=7)
    [n] = _of(me, Kind.ASSIGNED)
    assert title(n) == f"An automation rule assigned #{conv.number} to you"


def test_pushes_go_to_the_recipients_own_group_only(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pushed: list[tuple[str, str, dict[str, Any]]] = []
    monkeypatch.setattr(
        services, "publish", lambda group, kind, **data: pushed.append((group, kind, data))
    )
    ann = make_agent(Role.AGENT, name="Ann")
    bob = make_agent(Role.AGENT, name="Bob")
    stranger = make_agent(Role.AGENT, name="Ann", brands=[other_brand])  # the same name
    author = make_agent(Role.AGENT)
    conv = make_conversation(brand)
    note = conversations.add_reply(conv, author=author, body="@Ann hi", private=True)
    listeners.on_messages_created(
        [{"message_id": note.pk, "conversation_id": conv.pk, "direction": "note"}]
    )
    assert pushed == [(f"agent.{ann.pk}", "notification", {"reason": "new"})]
    pushed.clear()
    [row] = _of(ann)
    services.mark_read(ann, row.pk)
    services.mark_read(ann, row.pk)  # already read: nothing to tell
    assert pushed == [(f"agent.{ann.pk}", "notification", {"reason": "read"})]
    pushed.clear()
    assert services.mark_all_read(bob) == 0 and pushed == []
    assert _of(stranger) == []
