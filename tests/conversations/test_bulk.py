"""Bulk actions and their undo: the service and ``POST /conversations/bulk`` per role and
brand, the rules of a single change applied to each row, the limit, and an undo that does
not clobber a later change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.conversations import bulk
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.core.errors import InvalidInput, NotFound
from wowdesk.core.events import Event
from wowdesk.core.models import Agent, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


def state(c: Conversation) -> dict[str, Any]:
    c.refresh_from_db()
    return {
        "status": c.status,
        "priority": c.priority,
        "assignee_id": c.assignee_id,
        "tags": sorted(t.name for t in c.tags.all()),
        "version": c.version,
    }


@pytest.fixture
def rows(brand: Brand, other_brand: Brand) -> dict[str, list[Conversation]]:
    conversations.ensure_tags(brand.pk, ["vip", "refund"])
    conversations.ensure_tags(other_brand.pk, ["vip"])
    return {
        "a": [quick_conversation(brand) for _ in range(3)],
        "b": [quick_conversation(other_brand) for _ in range(2)],
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("home", ["a", "b"])
def test_bulk_changes_own_brand_and_skips_the_other_brand(
    role: str,
    home: str,
    rows: dict[str, list[Conversation]],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    mine, theirs = (rows["a"], rows["b"]) if home == "a" else (rows["b"], rows["a"])
    actor = make_agent(role, brands=[brand if home == "a" else other_brand])
    before_theirs = [state(c) for c in theirs]
    ids = [c.pk for c in mine] + [c.pk for c in theirs] + [999_999_999]
    response = make_api(actor).post(
        "/conversations/bulk",
        {"ids": ids, "changes": {"status": "pending", "add_tags": ["vip"], "assignee": "me"}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["updated"] == len(mine)
    assert {s["id"] for s in body["skipped"]} == {c.pk for c in theirs} | {999_999_999}
    assert {s["reason"] for s in body["skipped"]} == {"not_found"}
    assert body["undo_token"]
    for c in mine:
        now = state(c)
        assert (now["status"], now["tags"], now["assignee_id"]) == ("pending", ["vip"], actor.pk)
    assert [state(c) for c in theirs] == before_theirs


def test_each_row_follows_the_rules_of_a_single_change(
    rows: dict[str, list[Conversation]],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    """An agent may not create tags; a supervisor may. The skipped rows keep their values."""
    agent, supervisor = make_agent(Role.AGENT), make_agent(Role.SUPERVISOR)
    ids = [c.pk for c in rows["a"]]
    refused = make_api(agent).post(
        "/conversations/bulk", {"ids": ids, "changes": {"add_tags": ["brand-new"]}}
    )
    assert refused.status_code == 200
    assert refused.json()["updated"] == 0 and refused.json()["undo_token"] == ""
    assert {s["reason"] for s in refused.json()["skipped"]} == {"Forbidden"}
    assert all(state(c)["tags"] == [] for c in rows["a"])
    allowed = make_api(supervisor).post(
        "/conversations/bulk", {"ids": ids, "changes": {"add_tags": ["brand-new"]}}
    )
    assert allowed.json()["updated"] == 3
    assert all(state(c)["tags"] == ["brand-new"] for c in rows["a"])


def test_an_assignee_of_another_brand_skips_every_row(
    rows: dict[str, list[Conversation]],
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    stranger = make_agent(Role.AGENT, brands=[other_brand])
    response = make_api(make_agent(Role.SUPERVISOR)).post(
        "/conversations/bulk",
        {"ids": [c.pk for c in rows["a"]], "changes": {"assignee": stranger.pk}},
    )
    assert response.json()["updated"] == 0
    assert {s["reason"] for s in response.json()["skipped"]} == {"InvalidInput"}
    assert all(state(c)["assignee_id"] is None for c in rows["a"])


def test_undo_restores_the_values_before(
    rows: dict[str, list[Conversation]],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    first, second, _third = rows["a"]
    conversations.update_conversation(first, actor=None, tags=["refund"], priority="high")
    conversations.update_conversation(second, actor=None, status=Status.PENDING)
    before = {c.pk: state(c) for c in rows["a"]}
    api = make_api(supervisor)
    done = api.post(
        "/conversations/bulk",
        {
            "ids": [c.pk for c in rows["a"]],
            "changes": {
                "status": "resolved",
                "priority": "urgent",
                "assignee": supervisor.pk,
                "remove_tags": ["refund"],
                "add_tags": ["vip"],
            },
        },
    ).json()
    assert done["updated"] == 3
    assert all(state(c)["status"] == "resolved" for c in rows["a"])
    undone = api.post("/conversations/bulk/undo", {"undo_token": done["undo_token"]})
    assert undone.status_code == 200 and undone.json() == {"restored": 3, "skipped": []}
    for c in rows["a"]:
        now = state(c)
        for key in ("status", "priority", "assignee_id", "tags"):
            assert now[key] == before[c.pk][key], (c.pk, key)
    again = api.post("/conversations/bulk/undo", {"undo_token": done["undo_token"]})
    assert again.status_code == 404 and again.json()["field"] == "undo_token"


def test_undo_does_not_clobber_a_later_change(
    rows: dict[str, list[Conversation]],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    actor, colleague = make_agent(Role.AGENT), make_agent(Role.AGENT)
    first, second, third = rows["a"]
    done = (
        make_api(actor)
        .post(
            "/conversations/bulk",
            {"ids": [c.pk for c in rows["a"]], "changes": {"priority": "high"}},
        )
        .json()
    )
    # a colleague changes two of them afterwards: one the same field, one another field
    conversations.update_conversation(second, actor=colleague, priority="low")
    conversations.update_conversation(third, actor=colleague, status=Status.PENDING)
    undone = make_api(actor).post("/conversations/bulk/undo", {"undo_token": done["undo_token"]})
    body = undone.json()
    assert body["restored"] == 1
    assert sorted((s["id"], s["reason"]) for s in body["skipped"]) == sorted(
        [(second.pk, "changed_since"), (third.pk, "changed_since")]
    )
    assert state(first)["priority"] == "normal"
    assert state(second)["priority"] == "low"
    assert (state(third)["priority"], state(third)["status"]) == ("high", "pending")


@pytest.mark.parametrize("role", ROLES)
def test_only_its_author_undoes(
    role: str,
    rows: dict[str, list[Conversation]],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    author = make_agent(Role.AGENT)
    done = (
        make_api(author)
        .post("/conversations/bulk", {"ids": [rows["a"][0].pk], "changes": {"priority": "low"}})
        .json()
    )
    for brands in ([brand], [other_brand]):
        other = make_api(make_agent(role, brands=brands))
        refused = other.post("/conversations/bulk/undo", {"undo_token": done["undo_token"]})
        assert refused.status_code == 404
    assert state(rows["a"][0])["priority"] == "low"
    for token in ("", "x" * 65, "nope"):
        assert make_api(author).post(
            "/conversations/bulk/undo", {"undo_token": token}
        ).status_code in (
            404,
            422,
        )


def test_select_all_matching_uses_the_filter_not_ids(
    rows: dict[str, list[Conversation]],
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    first, second, _third = rows["a"]
    conversations.update_conversation(first, actor=None, tags=["refund"])
    conversations.update_conversation(second, actor=None, tags=["refund"])
    response = make_api(supervisor).post(
        "/conversations/bulk",
        {"filter": {"tag": "refund", "status": "open"}, "changes": {"status": "pending"}},
    )
    assert response.json()["updated"] == 2
    assert [state(c)["status"] for c in rows["a"]] == ["pending", "pending", "open"]
    # the other brand's rows never match a filter
    assert all(state(c)["status"] == "open" for c in rows["b"])


def test_the_limit_is_refused_with_a_reason(
    rows: dict[str, list[Conversation]],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = make_api(make_agent(Role.SUPERVISOR))
    monkeypatch.setattr(bulk, "MAX_BULK", 2)
    over = api.post("/conversations/bulk", {"filter": {}, "changes": {"priority": "low"}})
    assert over.status_code == 422 and over.json()["field"] == "filter"
    ids = api.post(
        "/conversations/bulk",
        {"ids": [c.pk for c in rows["a"]], "changes": {"priority": "low"}},
    )
    assert ids.status_code == 422 and ids.json()["field"] == "ids"
    assert all(state(c)["priority"] == "normal" for c in rows["a"])
    with pytest.raises(InvalidInput):
        bulk.chosen_ids(rows["a"][0].assignee or make_agent(), ids=[1, 2, 3], query=None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": [1], "changes": {}}, "changes"),
        ({"ids": [1], "changes": {"colour": "red"}}, "changes.colour"),
        ({"ids": [1], "changes": {"status": "gone"}}, "changes.status"),
        ({"ids": [1], "changes": {"status": "snoozed"}}, "changes.status"),
        ({"ids": [1], "changes": {"priority": 3}}, "changes.priority"),
        ({"ids": [1], "changes": {"assignee": "you"}}, "changes.assignee"),
        ({"ids": [1], "changes": {"team": -4}}, "changes.team"),
        ({"ids": [1], "changes": {"add_tags": "vip"}}, "changes.add_tags"),
        ({"ids": [1], "changes": {"add_tags": ["a\nb"]}}, "changes.add_tags.0"),
        ({"ids": [1], "filter": {}, "changes": {"priority": "low"}}, "ids"),
        ({"ids": [2**70], "changes": {"priority": "low"}}, "ids.0"),
        ({"ids": [1], "changes": {"assignee": 2**70}}, "changes.assignee"),
        ({"filter": {"customer": 2**70}, "changes": {"priority": "low"}}, "filter.customer"),
        ({"filter": {"q": {"a": 1}}, "changes": {"priority": "low"}}, "filter.q"),
        ({"changes": {"priority": "low"}}, "ids"),
        ({"filter": {"colour": "red"}, "changes": {"priority": "low"}}, "filter.colour"),
        ({"filter": {"status": "gone"}, "changes": {"priority": "low"}}, "filter.status"),
        ({"filter": {"sort": "random"}, "changes": {"priority": "low"}}, "filter.sort"),
        ({"filter": {"team": "x"}, "changes": {"priority": "low"}}, "filter.team"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    body: dict[str, Any], field: str, api: ApiClient, rows: dict[str, list[Conversation]]
) -> None:
    response = api.post("/conversations/bulk", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert all(state(c)["priority"] == "normal" for c in rows["a"])


def test_macro_actions_apply_not_its_text(
    rows: dict[str, list[Conversation]],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    macro = conversations.save_macro(
        None,
        brand_id=brand.pk,
        actor=None,
        name="Refund done",
        body="Your refund is on its way.",
        actions={"status": "resolved", "tags": ["refund"], "priority": "low"},
    )
    theirs = conversations.save_macro(
        None, brand_id=other_brand.pk, actor=None, name="Theirs", body="x", actions={}
    )
    api = make_api(make_agent(Role.AGENT))
    ids = [c.pk for c in rows["a"]]
    done = api.post("/conversations/bulk", {"ids": ids, "changes": {"macro_id": macro.pk}})
    assert done.json()["updated"] == 3
    for c in rows["a"]:
        now = state(c)
        assert (now["status"], now["priority"], now["tags"]) == ("resolved", "low", ["refund"])
        assert c.messages.filter(direction="out").count() == 0
    refused = api.post("/conversations/bulk", {"ids": ids, "changes": {"macro_id": theirs.pk}})
    assert refused.json()["updated"] == 0
    assert {s["reason"] for s in refused.json()["skipped"]} == {"InvalidInput"}


def test_events_per_row_and_batches(
    rows: dict[str, list[Conversation]],
    agent: Agent,
    event_log: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk, "BATCH", 2)
    result = bulk.bulk_update(
        agent,
        bulk.parse_changes({"priority": "urgent"}, agent),
        ids=[c.pk for c in rows["a"]],
    )
    assert len(result.updated) == 3
    updated = event_log.of(Event.CONVERSATION_UPDATED)
    assert sorted(p["conversation_id"] for p in updated) == sorted(c.pk for c in rows["a"])
    assert all(
        p["changes"] == {"priority": "urgent"} and p["actor_id"] == agent.pk for p in updated
    )
    again = bulk.bulk_update(
        agent, bulk.parse_changes({"priority": "urgent"}, agent), ids=[c.pk for c in rows["a"]]
    )
    assert (again.updated, len(again.unchanged), again.undo_token) == ([], 3, "")
    with pytest.raises(NotFound):
        bulk.bulk_undo(agent, "unknown")
