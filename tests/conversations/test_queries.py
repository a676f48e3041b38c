"""The conversation list (conversations.queries) behind the API and the workspace's inbox:
the same rows for the same question, ``#<number>`` finds that conversation alone, and the
``inbox`` filter holds to the agent's brands."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ApiClient
from tests.factories import make_customer, quick_conversation
from wowdesk.conversations import queries
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.core.models import Agent, Brand, Role


def _web_ids(agent: Agent, **params: Any) -> list[int]:
    client = Client()
    client.force_login(agent.user)
    response = client.get("/inbox/", params)
    assert response.status_code == 200, response.content[:300]
    return [int(x) for x in re.findall(r'data-conversation-id="(\d+)"', response.content.decode())]


def _api_ids(api: ApiClient, **params: Any) -> list[int]:
    response = api.get("/conversations", **params)
    assert response.status_code == 200, response.content[:300]
    return [item["id"] for item in response.json()["items"]]


def _with_number(brand: Brand, number: int) -> Conversation:
    """Conversations of ``brand`` up to the one numbered ``number``."""
    target: Conversation | None = None
    while target is None or target.number < number:
        target = quick_conversation(brand, subject=f"Filler {number}")
    assert target.number == number
    return target


@pytest.mark.parametrize("number", [4, 12, 7])
def test_hash_number_finds_that_conversation_alone(
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    number: int,
) -> None:
    """``#N`` is the conversation numbered N, not every text with N in it: an agent
    named with N (the thread's "Assigned to ..." line), a subject, a customer's name or
    email, a message saying N, all start with or contain the digits (the flaky
    test_inbox_views_filter_and_count: agents numbered 40, 41 matched ``#4``)."""
    me = make_agent(Role.AGENT, name=f"Agent {number}0")
    target = _with_number(brand, number)
    conversations.update_conversation(target, actor=None, status=Status.RESOLVED)
    decoys = [
        quick_conversation(brand, subject=f"Order #{number}{number}"),
        quick_conversation(brand, subject="Lamp", name=f"Client {number}1"),
        quick_conversation(brand, subject="Lamp", email=f"c{number}@example.com"),
        quick_conversation(brand, subject="Lamp", body=f"order {number}9 is late"),
        quick_conversation(brand, subject=f"{number}"),
    ]
    for c in decoys[:2]:
        conversations.update_conversation(c, actor=None, assignee_id=me.pk)
    api = make_api(me)
    for q in (f"#{number}", f" #{number} ", f"# {number}"):
        assert _api_ids(api, q=q) == [target.pk], q
        assert _web_ids(me, view="all", status="any", q=q) == [target.pk], q
    # digits alone: the number or any text with them
    by_text = set(_api_ids(api, q=str(number)))
    assert target.pk in by_text and decoys[0].pk in by_text and decoys[4].pk in by_text


def test_hash_number_in_two_brands(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    """Every brand has its #1 and #2: each agent finds their brand's; one of both
    brands finds both."""
    ours = [quick_conversation(brand), quick_conversation(brand)]
    theirs = [quick_conversation(other_brand), quick_conversation(other_brand)]
    for role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        a = make_agent(role)
        b = make_agent(role, brands=[other_brand])
        both = make_agent(role, brands=[brand, other_brand])
        for i in (0, 1):
            q = f"#{i + 1}"
            assert _api_ids(make_api(a), q=q) == [ours[i].pk]
            assert _web_ids(a, view="all", q=q) == [ours[i].pk]
            assert _api_ids(make_api(b), q=q) == [theirs[i].pk]
            assert _web_ids(b, view="all", q=q) == [theirs[i].pk]
            assert sorted(_api_ids(make_api(both), q=q)) == sorted([ours[i].pk, theirs[i].pk])
            assert sorted(_web_ids(both, view="all", q=q)) == sorted([ours[i].pk, theirs[i].pk])


def test_api_and_workspace_list_the_same_rows(
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    me = make_agent(Role.AGENT)
    made = []
    for i in range(8):
        c = quick_conversation(
            brand,
            subject=f"Lamp {i}" if i % 2 else f"Invoice {i}",
            channel="email" if i % 3 == 0 else "api",
            body="the shade is cracked" if i % 4 == 0 else "hello",
        )
        made.append(c)
    conversations.update_conversation(made[1], actor=None, assignee_id=me.pk)
    conversations.update_conversation(made[2], actor=None, status=Status.PENDING)
    conversations.update_conversation(made[5], actor=None, status=Status.RESOLVED)
    api = make_api(me)
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"status": "open"}, {"view": "all"}),
        ({"status": "open", "assignee": "me"}, {"view": "mine"}),
        ({"status": "open", "assignee": "none"}, {"view": "unassigned"}),
        ({"status": "pending"}, {"view": "all", "status": "pending"}),
        ({}, {"view": "all", "status": "any"}),
        ({"status": "open", "channel": "email"}, {"view": "all", "channel": "email"}),
        ({"status": "open", "q": "Lamp"}, {"view": "all", "q": "Lamp"}),
        ({"sort": "updated_at"}, {"view": "all", "status": "any", "sort": "oldest"}),
        ({"sort": "-created_at"}, {"view": "all", "status": "any", "sort": "created"}),
        ({"status": "open", "sort": "waiting_since"}, {"view": "all", "sort": "waiting"}),
    ]
    for api_params, web_params in pairs:
        listed = _api_ids(api, **api_params)
        assert listed, api_params
        assert listed == _web_ids(me, **web_params), (api_params, web_params)
    # the workspace's search box also reads the messages; the API has ``body`` for that
    assert _web_ids(me, view="all", q="cracked") == _api_ids(api, status="open", body="cracked")
    assert _api_ids(api, q="cracked") == []


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_inbox_filter_per_role_and_brand(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    role: str,
) -> None:
    mail_a = quick_conversation(brand, channel="email")
    quick_conversation(brand, channel="api")
    mail_b = quick_conversation(other_brand, channel="email")
    a = make_api(make_agent(role))
    b = make_api(make_agent(role, brands=[other_brand]))
    assert _api_ids(a, inbox=mail_a.inbox_id) == [mail_a.pk]
    assert _api_ids(b, inbox=mail_b.inbox_id) == [mail_b.pk]
    # the other brand's inbox: nothing of it, nothing of one's own
    assert _api_ids(a, inbox=mail_b.inbox_id) == []
    assert _api_ids(b, inbox=mail_a.inbox_id) == []
    for bad in ("0", "x", "-1"):
        response = a.get("/conversations", inbox=bad)
        assert response.status_code == 422, bad


def test_unknown_values_are_refused_with_the_field(
    brand: Brand, make_api: Callable[[Agent | None], ApiClient], agent: Agent
) -> None:
    quick_conversation(brand)
    api = make_api(agent)
    for params, field in (
        ({"sort": "sla"}, "sort"),
        ({"sort": "newest"}, "sort"),
        ({"status": "open,closed"}, "status"),
        ({"assignee": "someone"}, "assignee"),
    ):
        response = api.get("/conversations", **params)
        assert response.status_code == 422, params
        assert field in response.content.decode(), params


def test_language_und_lists_those_without_a_language(
    brand: Brand, make_api: Callable[[Agent | None], ApiClient], agent: Agent
) -> None:
    unknown = quick_conversation(brand)
    german = conversations.create_conversation(
        inbox=conversations.default_inbox(brand.pk, "api"),
        customer=make_customer(brand),
        subject="Paket",
        language="de",
    )
    api = make_api(agent)
    assert _api_ids(api, language=queries.NO_LANGUAGE) == [unknown.pk]
    assert _api_ids(api, language="DE") == [german.pk]
    assert _web_ids(agent, view="all", language=queries.NO_LANGUAGE) == [unknown.pk]


def test_number_of() -> None:
    assert queries.number_of("#12") == 12
    assert queries.number_of(" # 7 ") == 7
    for term in ("12", "#", "#12a", "a#12", "#1 2", "#" + "9" * 19):
        assert queries.number_of(term) is None, term


def test_q_by_customer_in_two_brands(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    """``q`` finds every conversation of each customer whose name or email has the text,
    once even when its subject has it too, in the agent's brands only."""
    first = quick_conversation(brand, subject="Kettle", name="Ida Quark", email="iq@example.com")
    second = quick_conversation(brand, subject="Quark again", email="iq@example.com")
    by_email = quick_conversation(brand, subject="Toaster", email="quark.fan@example.com")
    theirs = quick_conversation(other_brand, subject="Kettle", name="Ole Quark")
    quick_conversation(brand, subject="Kettle", name="Ida Other")
    ours = {first.pk, second.pk, by_email.pk}
    for role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        a = make_agent(role)
        both = make_agent(role, brands=[brand, other_brand])
        for q in ("quark", "QUARK", "uar"):
            page = make_api(a).get("/conversations", q=q).json()
            assert page["total"] == 3 and {i["id"] for i in page["items"]} == ours, q
            assert set(_api_ids(make_api(both), q=q)) == ours | {theirs.pk}, q
        assert _api_ids(make_api(a), q="ole quark") == []
