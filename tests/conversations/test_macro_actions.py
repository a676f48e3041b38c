"""A macro's actions, one reading for every way they apply: ``apply_macro_actions`` (the
composer's reply, ``POST …/apply-macro``) and bulk actions. Each key through each way, bad
values refused naming the field, and the API per role and brand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import make_conversation
from tests.fields.test_fields_api import define
from wowdesk.conversations import bulk
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Macro, Message
from wowdesk.core import services as core
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, Brand, Role, Team

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


def macro(brand: Brand, name: str = "M", **actions: Any) -> Macro:
    return conversations.save_macro(
        None, brand_id=brand.pk, actor=None, name=name, body="Thanks!", actions=actions
    )


@pytest.fixture
def setup(brand: Brand, other_brand: Brand) -> dict[str, Any]:
    for b in (brand, other_brand):
        conversations.ensure_tags(b.pk, ["refund", "vip"])
        define(b, "plan", "dropdown", options=["basic", "pro"], required_on_resolve=True)
        define(b, "size", "number")
    return {
        "team": core.create_team(brand_id=brand.pk, name="Billing"),
        "their_team": core.create_team(brand_id=other_brand.pk, name="Billing"),
    }


def _single(conv: Conversation, m: Macro, actor: Agent) -> None:
    conversations.apply_macro_actions(conv, m, actor=actor)


def _bulk(conv: Conversation, m: Macro, actor: Agent) -> None:
    result = bulk.bulk_update(actor, bulk.BulkChanges(macro_id=m.pk), ids=[conv.pk])
    assert result.updated == [conv.pk], result.skipped


WAYS = [pytest.param(_single, id="apply_macro_actions"), pytest.param(_bulk, id="bulk")]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    ("actions", "check"),
    [
        ({"status": "pending"}, lambda c, a, t: c.status == "pending"),
        ({"priority": "urgent"}, lambda c, a, t: c.priority == "urgent"),
        (
            {"tags": ["refund"]},
            lambda c, a, t: sorted(x.name for x in c.tags.all()) == ["refund", "vip"],
        ),
        ({"team_id": "TEAM"}, lambda c, a, t: c.team_id == t.pk),
        ({"assign_to_me": True}, lambda c, a, t: c.assignee_id == a.pk),
        (
            {"custom_fields": {"plan": "pro", "size": "3"}},
            lambda c, a, t: c.custom_fields == {"plan": "pro", "size": 3},
        ),
    ],
    ids=["status", "priority", "tags", "team_id", "assign_to_me", "custom_fields"],
)
def test_each_action_applies_through_each_way(
    way: Callable[[Conversation, Macro, Agent], None],
    actions: dict[str, Any],
    check: Callable[[Conversation, Agent, Team], bool],
    setup: dict[str, Any],
    brand: Brand,
    make_agent: Callable[..., Agent],
) -> None:
    team: Team = setup["team"]
    if actions.get("team_id") == "TEAM":
        actions = {"team_id": team.pk}
    actor = make_agent(Role.AGENT)
    conv = make_conversation(brand)
    conversations.update_conversation(conv, actor=None, tags=["vip"])
    before = Conversation.objects.get(pk=conv.pk)
    assert not check(before, actor, team)  # the action changes something
    way(Conversation.objects.get(pk=conv.pk), macro(brand, **actions), actor)
    after = Conversation.objects.get(pk=conv.pk)
    assert check(after, actor, team)
    assert after.version > before.version
    # only the macro's keys changed
    assert conversations.snapshot(after)["subject"] == before.subject
    assert not Message.objects.filter(conversation=conv, direction="out", body="Thanks!").exists()


@pytest.mark.parametrize("way", WAYS)
def test_all_actions_at_once_and_the_bulk_request_wins(
    way: Callable[[Conversation, Macro, Agent], None],
    setup: dict[str, Any],
    brand: Brand,
    make_agent: Callable[..., Agent],
) -> None:
    actor = make_agent(Role.SUPERVISOR)
    m = macro(
        brand,
        status="resolved",
        priority="low",
        tags=["refund"],
        team_id=setup["team"].pk,
        assign_to_me=True,
        custom_fields={"plan": "basic"},
    )
    conv = make_conversation(brand)
    way(conv, m, actor)
    c = Conversation.objects.get(pk=conv.pk)
    assert (c.status, c.priority, c.team_id, c.assignee_id) == (
        "resolved",
        "low",
        setup["team"].pk,
        actor.pk,
    )
    assert [t.name for t in c.tags.all()] == ["refund"]
    assert c.custom_fields == {"plan": "basic"}
    # a bulk request's own changes win over the macro's
    other = make_conversation(brand)
    bulk.bulk_update(
        actor,
        bulk.BulkChanges(macro_id=m.pk, priority="high", add_tags=["vip"], remove_tags=["refund"]),
        ids=[other.pk],
    )
    o = Conversation.objects.get(pk=other.pk)
    assert (o.status, o.priority, sorted(t.name for t in o.tags.all())) == (
        "resolved",
        "high",
        ["vip"],
    )


def test_bulk_undo_puts_custom_fields_back(
    setup: dict[str, Any], brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    actor = make_agent(Role.AGENT)
    conv = make_conversation(brand)
    conversations.update_conversation(conv, actor=None, custom_fields={"size": 1})
    m = macro(brand, custom_fields={"plan": "pro", "size": 5})
    done = bulk.bulk_update(actor, bulk.BulkChanges(macro_id=m.pk), ids=[conv.pk])
    assert Conversation.objects.get(pk=conv.pk).custom_fields == {"plan": "pro", "size": 5}
    undone = bulk.bulk_undo(actor, done.undo_token)
    assert undone.restored == [conv.pk]
    assert Conversation.objects.get(pk=conv.pk).custom_fields == {"size": 1}


def test_resolving_macro_without_required_field_is_refused_in_bulk_too(
    setup: dict[str, Any], brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    actor = make_agent(Role.AGENT)
    conv = make_conversation(brand)
    m = macro(brand, status="resolved", custom_fields={"size": 2})
    result = bulk.bulk_update(actor, bulk.BulkChanges(macro_id=m.pk), ids=[conv.pk])
    assert result.updated == []
    assert result.skipped[0]["reason"] == "required_fields"
    c = Conversation.objects.get(pk=conv.pk)
    assert (c.status, c.custom_fields) == ("open", {})


@pytest.mark.parametrize(
    ("actions", "field"),
    [
        ({"status": "exploded"}, "actions.status"),
        ({"priority": "asap"}, "actions.priority"),
        ({"tags": ["no-such-tag"]}, "actions.tags"),
        ({"team_id": "THEIRS"}, "actions.team_id"),
        ({"team_id": 999_999}, "actions.team_id"),
        ({"assignee_id": 1}, "actions.assignee_id"),
        ({"custom_fields": {"plan": "gold"}}, "actions.custom_fields.plan"),
        ({"custom_fields": {"size": "lots"}}, "actions.custom_fields.size"),
        ({"custom_fields": {"nope": 1}}, "actions.custom_fields.nope"),
        ({"custom_fields": ["plan"]}, "actions.custom_fields"),
    ],
)
@pytest.mark.parametrize("through", ["save_macro", "clean_macro_actions"])
def test_bad_actions_are_refused_naming_the_field(
    actions: dict[str, Any], field: str, through: str, setup: dict[str, Any], brand: Brand
) -> None:
    if actions.get("team_id") == "THEIRS":
        actions = {"team_id": setup["their_team"].pk}
    with pytest.raises(InvalidInput) as exc:
        if through == "save_macro":
            macro(brand, **actions)
        else:
            conversations.clean_macro_actions(brand.pk, actions)
    assert exc.value.field == field
    assert not Macro.objects.filter(name="M").exists()


def test_another_brands_macro_is_refused_everywhere(
    setup: dict[str, Any], brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    theirs = macro(other_brand, status="pending")
    conv = make_conversation(brand)
    with pytest.raises(InvalidInput) as exc:
        conversations.apply_macro_actions(conv, theirs, actor=None)
    assert exc.value.field == "macro_id"
    with pytest.raises(InvalidInput) as exc:
        conversations.macro_for(conv, theirs.pk)
    assert exc.value.field == "macro_id"
    result = bulk.bulk_update(
        make_agent(Role.ADMIN), bulk.BulkChanges(macro_id=theirs.pk), ids=[conv.pk]
    )
    assert [s["reason"] for s in result.skipped] == ["InvalidInput"]
    assert Conversation.objects.get(pk=conv.pk).status == "open"


# --- the API, per role and brand -------------------------------------------------------


@pytest.fixture
def pair(setup: dict[str, Any], brand: Brand, other_brand: Brand) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, b in (("a", brand), ("b", other_brand)):
        out[key] = {
            "brand": b,
            "conv": make_conversation(b),
            "macro": macro(b, name=f"Refund {key}", priority="high", tags=["refund"]),
            "resolving": macro(b, name=f"Close {key}", status="resolved"),
        }
    return out


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("mine", ["a", "b"])
def test_apply_macro_api_per_role_and_brand(
    role: str,
    mine: str,
    pair: dict[str, Any],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    other = "b" if mine == "a" else "a"
    own, theirs = pair[mine], pair[other]
    api = make_api(make_agent(role, brands=[own["brand"]]))
    url = f"/conversations/{own['conv'].pk}/apply-macro"
    ok = api.post(url, {"macro_id": own["macro"].pk})
    assert ok.status_code == 200, ok.content
    assert ok.json()["priority"] == "high"
    assert "refund" in ok.json()["tags"]
    # the other brand's macro on my conversation, the other brand's conversation
    refused = api.post(url, {"macro_id": theirs["macro"].pk})
    assert refused.status_code == 422
    assert refused.json()["field"] == "macro_id"
    hidden = api.post(
        f"/conversations/{theirs['conv'].pk}/apply-macro", {"macro_id": theirs["macro"].pk}
    )
    assert hidden.status_code in (403, 404)
    assert Conversation.objects.get(pk=theirs["conv"].pk).priority != "high"
    bad = api.post(url, {"macro_id": "x"})
    assert bad.status_code == 422
    # a required field left empty: the resolving macro is refused, nothing changed
    define(own["brand"], "reason", "text", required_on_resolve=True)
    no = api.post(url, {"macro_id": own["resolving"].pk})
    assert no.status_code == 422 and no.json()["field"] == "custom_fields"
    assert Conversation.objects.get(pk=own["conv"].pk).status == "open"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("mine", ["a", "b"])
def test_reply_with_macro_api_per_role_and_brand(
    role: str,
    mine: str,
    pair: dict[str, Any],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    other = "b" if mine == "a" else "a"
    own, theirs = pair[mine], pair[other]
    api = make_api(make_agent(role, brands=[own["brand"]]))
    url = f"/conversations/{own['conv'].pk}/replies"
    sent = api.post(url, {"body": "Refund on its way", "macro_id": own["macro"].pk})
    assert sent.status_code == 201, sent.content
    c = Conversation.objects.get(pk=own["conv"].pk)
    assert c.priority == "high" and "refund" in [t.name for t in c.tags.all()]
    assert c.messages.filter(body="Refund on its way").count() == 1
    # another brand's macro: refused, no reply stored
    refused = api.post(url, {"body": "Second", "macro_id": theirs["macro"].pk})
    assert refused.status_code == 422 and refused.json()["field"] == "macro_id"
    assert not c.messages.filter(body="Second").exists()
    # a refused action (required field to resolve): neither the reply nor the change
    no = api.post(url, {"body": "Closing", "macro_id": own["resolving"].pk})
    assert no.status_code == 422 and no.json()["field"] == "custom_fields"
    assert not c.messages.filter(body="Closing").exists()
    assert Conversation.objects.get(pk=c.pk).status != "resolved"
    # the other brand's conversation
    hidden = api.post(
        f"/conversations/{theirs['conv'].pk}/replies",
        {"body": "x", "macro_id": theirs["macro"].pk},
    )
    assert hidden.status_code in (403, 404)
    # a reply without a macro is unchanged
    plain = api.post(url, {"body": "Just text"})
    assert plain.status_code == 201
