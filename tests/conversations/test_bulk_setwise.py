"""The set-wise path of a bulk change (``services.update_conversations``): its queries do
not grow with the rows, it keeps every rule of a single change (the same outcome, row by
row, as ``update_conversation``), and every row's change reaches the listeners: activity
lines, audit rows, ``conversation.updated`` with changes/before/actor, the ``commit``
listeners of all rows in one go and a ``batch`` listener's one list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import quick_conversation
from tests.fields.test_fields_api import define
from wowdesk.conversations import bulk
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.core import events
from wowdesk.core.errors import ServiceError
from wowdesk.core.events import Event, Phase
from wowdesk.core.models import Agent, AuditLog, Brand, Role
from wowdesk.core.services import create_team

pytestmark = pytest.mark.django_db

SEEN: list[list[dict[str, Any]]] = []  # the lists the batch listener below was given
CALLS: list[dict[str, Any]] = []  # the payloads the commit listener below was given


def record_batch(payloads: list[dict[str, Any]]) -> None:
    SEEN.append(list(payloads))


def record_one(**payload: Any) -> None:
    CALLS.append(payload)


@pytest.fixture
def recorders() -> Iterator[None]:
    SEEN.clear()
    CALLS.clear()
    here = __name__
    events.listen(Event.CONVERSATION_UPDATED, f"{here}.record_batch", phase=Phase.BATCH)
    events.listen(Event.CONVERSATION_UPDATED, f"{here}.record_one", phase=Phase.COMMIT)
    try:
        yield
    finally:
        events.unlisten(Event.CONVERSATION_UPDATED, f"{here}.record_batch", phase=Phase.BATCH)
        events.unlisten(Event.CONVERSATION_UPDATED, f"{here}.record_one", phase=Phase.COMMIT)


def state(c: Conversation) -> dict[str, Any]:
    c.refresh_from_db()
    return {
        "status": c.status,
        "priority": c.priority,
        "assignee_id": c.assignee_id,
        "team_id": c.team_id,
        "tags": sorted(t.name for t in c.tags.all()),
        "version": c.version,
        "resolved": c.resolved_at is not None,
        "custom_fields": c.custom_fields,
    }


def activity(c: Conversation) -> list[tuple[str, Any]]:
    return [
        (m.body, m.meta.get("changes"))
        for m in Message.objects.filter(conversation=c, direction=Direction.ACTIVITY).order_by("id")
    ]


def audits(c: Conversation) -> list[tuple[Any, Any]]:
    return [
        (a.before, a.after)
        for a in AuditLog.objects.filter(
            action="conversation.update", object_type="conversation", object_id=str(c.pk)
        ).order_by("id")
    ]


def measure(actor: Agent, ids: list[int], capture: Any, changes: dict[str, Any]) -> tuple[int, int]:
    """Queries of a bulk change of ``ids`` and of its undo, listeners after commit
    included."""
    with CaptureQueriesContext(connection) as done, capture(execute=True):
        result = bulk.bulk_update(actor, bulk.parse_changes(changes, actor), ids=ids)
    assert result.updated == ids
    with CaptureQueriesContext(connection) as undone, capture(execute=True):
        restored = bulk.bulk_undo(actor, result.undo_token)
    assert restored.restored == ids
    return len(done.captured_queries), len(undone.captured_queries)


@pytest.mark.parametrize(
    "changes",
    [
        {"priority": "high", "add_tags": ["vip"]},
        {"status": "pending", "assignee": "me", "remove_tags": ["refund"], "add_tags": ["vip"]},
        {"status": "resolved", "team": "TEAM", "priority": "urgent"},
    ],
)
def test_queries_do_not_grow_with_the_rows(
    changes: dict[str, Any],
    brand: Brand,
    make_agent: Callable[..., Agent],
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = make_agent(Role.ADMIN)
    team = create_team(brand_id=brand.pk, name="Tier 2")
    if changes.get("team") == "TEAM":
        changes = {**changes, "team": team.pk}
    conversations.ensure_tags(brand.pk, ["vip", "refund"])
    rows = [quick_conversation(brand) for _ in range(110)]
    for c in rows:
        conversations.update_conversation(c, actor=None, tags=["refund"])
    ids = [c.pk for c in rows]
    measure(admin, ids[:2], django_capture_on_commit_callbacks, changes)  # caches warm
    ten = measure(admin, ids[:10], django_capture_on_commit_callbacks, changes)
    hundred = measure(admin, ids[10:110], django_capture_on_commit_callbacks, changes)
    assert ten == hundred
    assert hundred[0] < 60 and hundred[1] < 60


def test_each_row_gets_its_activity_audit_and_event(
    brand: Brand,
    make_agent: Callable[..., Agent],
    recorders: None,
    event_log: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    rows = [quick_conversation(brand) for _ in range(12)]
    ids = [c.pk for c in rows]
    event_log.LOG.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = bulk.bulk_update(
            supervisor,
            bulk.parse_changes(
                {"status": "pending", "priority": "high", "add_tags": ["brand-new"]}, supervisor
            ),
            ids=ids,
        )
    assert result.updated == ids
    expected = {"status": "pending", "priority": "high", "tags": ["brand-new"]}
    for c in rows:
        lines = activity(c)
        assert [body for body, _ in lines] == [
            "Status changed to Pending",
            "Priority changed to High",
            "Tags: brand-new",
        ]
        assert all(changes == expected for _, changes in lines)
        assert audits(c) == [({"status": "open", "priority": "normal", "tags": []}, expected)]
    updated = event_log.of(Event.CONVERSATION_UPDATED)
    assert [p["conversation_id"] for p in updated] == ids
    for p in updated:
        assert p["changes"] == expected and p["actor_id"] == supervisor.pk
        assert p["before"] == {"status": "open", "priority": "normal", "tags": []}
        assert p["brand_id"] == brand.pk
    assert [p["conversation_id"] for p in CALLS] == ids  # the commit listener: every row
    assert len(SEEN) == 1 and [p["conversation_id"] for p in SEEN[0]] == ids  # one batch
    # the undo: the same, once per row
    event_log.LOG.clear()
    CALLS.clear()
    SEEN.clear()
    with django_capture_on_commit_callbacks(execute=True):
        undone = bulk.bulk_undo(supervisor, result.undo_token)
    assert undone.restored == ids
    for c in rows:
        assert [body for body, _ in activity(c)][3:] == [
            "Status changed to Open",
            "Priority changed to Normal",
            "Tags: —",
        ]
        assert len(audits(c)) == 2 and audits(c)[1][1] == {
            "status": "open",
            "priority": "normal",
            "tags": [],
        }
    assert [p["conversation_id"] for p in event_log.of(Event.CONVERSATION_UPDATED)] == ids
    assert [p["conversation_id"] for p in CALLS] == ids
    assert len(SEEN) == 1 and len(SEEN[0]) == len(ids)


def _twins(brand: Brand, n: int) -> tuple[list[Conversation], list[Conversation]]:
    return [quick_conversation(brand) for _ in range(n)], [
        quick_conversation(brand) for _ in range(n)
    ]


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
@pytest.mark.parametrize(
    "changes",
    [
        {"status": "resolved"},
        {"status": "open", "priority": "low"},
        {"assignee": "STRANGER"},
        {"assignee": "COLLEAGUE", "team": "TEAM"},
        {"team": "OTHER_TEAM"},
        {"assignee": None, "team": None},
        {"add_tags": ["vip"], "remove_tags": ["refund"]},
        {"add_tags": ["made-up", "vip"]},
        {"status": "resolved", "assignee": "COLLEAGUE", "add_tags": ["refund"]},
        {"remove_tags": ["vip", "refund"], "priority": "urgent"},
    ],
)
def test_the_bulk_decides_each_row_as_a_single_change(
    role: str,
    changes: dict[str, Any],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
) -> None:
    """Rows in several states get the same outcome (values, version, activity lines,
    audit, refusal) from the bulk as from ``update_conversation`` on their twins."""
    define(brand, "plan", "dropdown", options=["basic", "pro"], required_on_resolve=True)
    actor = make_agent(role, brands=[brand])
    colleague = make_agent(Role.AGENT, brands=[brand])
    stranger = make_agent(Role.AGENT, brands=[other_brand])
    team = create_team(brand_id=brand.pk, name="Tier 2")
    other_team = create_team(brand_id=other_brand.pk, name="Theirs")
    names = {
        "STRANGER": stranger.pk,
        "COLLEAGUE": colleague.pk,
        "TEAM": team.pk,
        "OTHER_TEAM": other_team.pk,
    }
    data = {k: names.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    conversations.ensure_tags(brand.pk, ["vip", "refund"])
    setups: list[dict[str, Any]] = [
        {},
        {"tags": ["refund"], "priority": "high"},
        {"status": Status.PENDING, "assignee_id": colleague.pk, "team_id": team.pk},
        {"custom_fields": {"plan": "pro"}, "tags": ["vip", "refund"]},
        {"status": Status.RESOLVED, "custom_fields": {"plan": "basic"}},
    ]
    bulk_rows, single_rows = _twins(brand, len(setups))
    for setup, a, b in zip(setups, bulk_rows, single_rows, strict=True):
        if setup:
            conversations.update_conversation(a, actor=None, **setup)
            conversations.update_conversation(b, actor=None, **setup)
    parsed = bulk.parse_changes(data, actor)
    result = bulk.bulk_update(actor, parsed, ids=[c.pk for c in bulk_rows])
    refused = {s["id"]: s["reason"] for s in result.skipped}
    for a, b in zip(bulk_rows, single_rows, strict=True):
        b = Conversation.objects.prefetch_related("tags").select_related("inbox").get(pk=b.pk)
        request = bulk._request(b, parsed, None, actor)
        version = b.version
        single_refusal: str | None = None
        try:
            conversations.update_conversation(b, actor=actor, **request)
        except ServiceError as exc:
            single_refusal = exc.code
        changed = state(b)["version"] > version
        assert refused.get(a.pk) == single_refusal, (a.pk, refused)
        assert (a.pk in result.updated) == changed
        assert (a.pk in result.unchanged) == (single_refusal is None and not changed)
        assert state(a) == state(b)
        assert [t for t, _ in activity(a)] == [t for t, _ in activity(b)]
        assert audits(a) == audits(b)


def test_a_macro_of_another_brand_is_refused_per_row(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = make_agent(Role.ADMIN, brands=[brand, other_brand])
    macro = conversations.save_macro(
        None,
        brand_id=brand.pk,
        actor=None,
        name="Escalate",
        body="Escalated.",
        actions={"priority": "urgent"},
    )
    mine = [quick_conversation(brand) for _ in range(3)]
    theirs = [quick_conversation(other_brand) for _ in range(2)]
    result = bulk.bulk_update(
        admin,
        bulk.parse_changes({"macro_id": macro.pk}, admin),
        ids=[c.pk for c in mine + theirs],
    )
    assert result.updated == [c.pk for c in mine]
    assert sorted(s["id"] for s in result.skipped) == sorted(c.pk for c in theirs)
    assert all(state(c)["priority"] == "urgent" for c in mine)
    assert all(state(c)["priority"] == "normal" for c in theirs)
