"""The composer's reply with a macro's actions (``macro_id``) and the line saying what
they will do, through Django's test client: each role of each of two brands, the other
brand's ids, and a refused action that keeps the draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.factories import quick_conversation
from tests.fields.test_fields_api import define
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core import services as core
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.web.macro_actions import summary

ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


def login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@pytest.fixture
def pair(brand: Brand, other_brand: Brand) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, b in (("a", brand), ("b", other_brand)):
        conversations.ensure_tags(b.pk, ["refund"])
        define(b, "plan", "dropdown", options=["basic", "pro"])
        out[key] = {
            "brand": b,
            "conv": quick_conversation(b),
            "macro": conversations.save_macro(
                None,
                brand_id=b.pk,
                actor=None,
                name=f"Refund {key}",
                body="Your refund is on its way.",
                actions={"status": "pending", "tags": ["refund"], "custom_fields": {"plan": "pro"}},
            ),
        }
    return out


def test_summary_names_every_action(brand: Brand) -> None:
    define(brand, "plan", "dropdown", options=["basic", "pro"])
    define(brand, "areas", "multiselect", options=["n", "s"])
    team = core.create_team(brand_id=brand.pk, name="Billing")
    text = summary(
        {
            "status": "resolved",
            "priority": "high",
            "tags": ["refund", "vip"],
            "team_id": team.pk,
            "assign_to_me": True,
            "custom_fields": {"plan": "pro", "areas": ["n", "s"], "gone": None},
        },
        brand_id=brand.pk,
        teams={team.pk: team.name},
    )
    assert text == (
        "set status Resolved, set priority High, add tag refund, add tag vip, set team "
        "Billing, assign to you, set Plan to pro, set Areas to n, s, clear gone"
    )
    assert summary({}, brand_id=brand.pk, teams={}) == ""


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("mine", ["a", "b"])
def test_reply_with_macro_per_role_and_brand(
    role: str, mine: str, pair: dict[str, Any], make_agent: Callable[..., Agent]
) -> None:
    other = "b" if mine == "a" else "a"
    own, theirs = pair[mine], pair[other]
    client = login(make_agent(role, brands=[own["brand"]]))
    page = client.get(f"/inbox/c/{own['conv'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="composer-macro-id"' in html
    assert 'data-actions="set status Pending, add tag refund, set Plan to pro"' in html
    sent = client.post(
        f"/inbox/c/{own['conv'].pk}/reply/",
        {"body": "On its way", "macro_id": str(own["macro"].pk)},
    )
    assert sent.status_code == 302
    c = Conversation.objects.get(pk=own["conv"].pk)
    assert c.status == "pending"
    assert [t.name for t in c.tags.all()] == ["refund"]
    assert c.custom_fields == {"plan": "pro"}
    assert c.messages.filter(body="On its way").count() == 1
    # the other brand's macro on my conversation: refused, the draft comes back
    refused = client.post(
        f"/inbox/c/{own['conv'].pk}/reply/",
        {"body": "Second try", "macro_id": str(theirs["macro"].pk)},
    )
    assert refused.status_code == 422
    assert "Second try" in refused.content.decode()
    assert not c.messages.filter(body="Second try").exists()
    # the other brand's conversation
    hidden = client.post(
        f"/inbox/c/{theirs['conv'].pk}/reply/",
        {"body": "x", "macro_id": str(theirs["macro"].pk)},
    )
    assert hidden.status_code in (403, 404)
    assert Conversation.objects.get(pk=theirs["conv"].pk).status != "pending"


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "1e3", "99999999999999999999999"])
def test_bad_macro_ids_are_refused_naming_the_field(
    raw: str, pair: dict[str, Any], make_agent: Callable[..., Agent]
) -> None:
    own = pair["a"]
    client = login(make_agent(Role.AGENT, brands=[own["brand"]]))
    r = client.post(f"/inbox/c/{own['conv'].pk}/reply/", {"body": "Kept", "macro_id": raw})
    assert r.status_code == 422
    text = r.content.decode()
    assert "Macro:" in text and "Kept" in text
    assert not own["conv"].messages.filter(body="Kept").exists()


def test_refused_action_stores_no_reply_and_keeps_the_draft(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    define(brand, "reason", "text", required_on_resolve=True)
    closing = conversations.save_macro(
        None,
        brand_id=brand.pk,
        actor=None,
        name="Close",
        body="Bye",
        actions={"status": "resolved"},
    )
    conv = quick_conversation(brand)
    client = login(make_agent(Role.AGENT))
    r = client.post(
        f"/inbox/c/{conv.pk}/reply/", {"body": "Bye for now", "macro_id": str(closing.pk)}
    )
    assert r.status_code == 422
    assert "Bye for now" in r.content.decode()
    assert not conv.messages.filter(body="Bye for now").exists()
    assert Conversation.objects.get(pk=conv.pk).status == "open"
