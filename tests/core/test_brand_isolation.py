"""An agent of brand A never sees brand B's data: not in lists, not by id, not by search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.conftest import ApiClient
from tests.factories import make_conversation, make_reply, outbox_of, post_inbound
from wowdesk.channels import outbox
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Tag
from wowdesk.core import services as core
from wowdesk.core.models import Agent, Brand, Role, Team


@dataclass
class Twin:
    conv: Conversation
    team: Team
    tag: Tag
    member: Agent


@pytest.fixture
def twin(brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]) -> dict[str, Twin]:
    """The same customer name, subject, tag and team name in both brands."""
    out: dict[str, Twin] = {}
    for key, b in (("a", brand), ("b", other_brand)):
        conv = make_conversation(
            b, email=f"same-{key}@example.com", name="Zed Twin", subject="Broken zipper"
        )
        member = make_agent(Role.AGENT, brands=[b])
        team = core.create_team(brand_id=b.pk, name="Returns", member_ids=[member.pk])
        tag = conversations.create_tag(brand_id=b.pk, name="zipper")
        conversations.update_conversation(
            conv, actor=None, tags=["zipper"], team_id=team.pk, assignee_id=member.pk
        )
        outbox.deliver(outbox_of(make_reply(conv, member)).pk)
        core.create_site(name=f"Site {key}", timezone_name="UTC", brand_ids=[b.pk])
        out[key] = Twin(conv=conv, team=team, tag=tag, member=member)
    return out


def _ids(items: list[dict[str, object]]) -> set[object]:
    return {i["id"] for i in items}


def test_lists_hold_only_own_brand(
    twin: dict[str, Twin],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    sup = make_api(make_agent(Role.SUPERVISOR))
    a, b = twin["a"], twin["b"]
    conv_a = a.conv
    conv_b = b.conv

    convs = sup.get("/conversations").json()
    assert _ids(convs["items"]) == {conv_a.pk}
    assert convs["total"] == 1
    customers = sup.get("/customers").json()
    assert _ids(customers["items"]) == {conv_a.customer_id}
    assert {t["id"] for t in sup.get("/tags").json()} == {a.tag.pk}
    assert {t["id"] for t in sup.get("/teams").json()} == {a.team.pk}
    assert {i["brand_id"] for i in sup.get("/inboxes").json()} == {brand.pk}
    assert {s["brand_ids"][0] for s in sup.get("/sites").json()} == {brand.pk}
    agent_ids = _ids(sup.get("/agents").json()["items"])
    assert b.member.pk not in agent_ids
    assert a.member.pk in agent_ids
    assert {e["brand_id"] for e in sup.get("/inbound").json()["items"]} == {brand.pk}
    assert {o["conversation_id"] for o in sup.get("/outbox").json()} == {conv_a.pk}
    assert [x["id"] for x in sup.get("/brands").json()] == [brand.pk]
    me = sup.get("/me").json()
    assert [x["slug"] for x in me["brands"]] == ["acme"]

    # filters that name another brand's objects find nothing of it
    team_b = b.team.pk
    assert sup.get("/conversations", team=team_b).json()["total"] == 0
    assignee_b = b.member.pk
    assert sup.get("/conversations", assignee=str(assignee_b)).json()["total"] == 0
    assert sup.get("/conversations", customer=conv_b.customer_id).json()["total"] == 0


@pytest.mark.parametrize("q", ["Zed", "zipper", "Broken", "1", "#1", "same-b@example.com"])
def test_search_never_crosses_brands(twin: dict[str, Twin], api: ApiClient, q: str) -> None:
    conv_a = twin["a"].conv
    found = api.get("/conversations", q=q).json()["items"]
    assert {c["brand_id"] for c in found} <= {conv_a.brand_id}
    customers = api.get("/customers", q=q).json()["items"]
    assert {c["id"] for c in customers} <= {conv_a.customer_id}


def test_search_by_number_hits_own_conversation_of_that_number(
    twin: dict[str, Twin], api: ApiClient
) -> None:
    conv_a = twin["a"].conv
    conv_b = twin["b"].conv
    assert conv_a.number == conv_b.number == 1  # numbers are per brand
    found = api.get("/conversations", q="#1").json()["items"]
    assert [c["id"] for c in found] == [conv_a.pk]


def test_by_id_is_forbidden(twin: dict[str, Twin], api: ApiClient) -> None:
    conv_b = twin["b"].conv
    for path in (
        f"/conversations/{conv_b.pk}",
        f"/customers/{conv_b.customer_id}",
        f"/agents/{twin['b'].member.pk}",
    ):
        response = api.get(path)
        assert response.status_code == 403, path
        assert "Broken zipper" not in response.content.decode()
        assert "Zed" not in response.content.decode()


def test_inbound_of_one_brand_never_joins_the_other(
    brand: Brand, other_brand: Brand, api: ApiClient
) -> None:
    """The same email in two brands is two customers and two conversations."""
    a = post_inbound(brand, **{"from": {"email": "both@example.com"}})
    b = post_inbound(other_brand, **{"from": {"email": "both@example.com"}})
    assert a.conversation_id != b.conversation_id
    ca = Conversation.objects.get(pk=a.conversation_id)
    cb = Conversation.objects.get(pk=b.conversation_id)
    assert ca.customer_id != cb.customer_id
    # and a conversation_id of the other brand is refused, not joined
    response = api.post(
        "/inbound",
        {
            "channel": "api",
            "external_id": "cross",
            "from": {"email": "both@example.com"},
            "body": "hi",
            "conversation_id": cb.pk,
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "conversation_id"


def test_agent_of_two_brands_sees_both(
    twin: dict[str, Twin],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    both = make_api(make_agent(Role.SUPERVISOR, brands=[brand, other_brand]))
    assert both.get("/conversations").json()["total"] == 2
    assert len(both.get("/tags").json()) == 2
    # creating without brand_id is ambiguous for them
    response = both.post("/tags", {"name": "new"})
    assert response.status_code == 403
    assert "brand_id" in response.json()["detail"]
    response = both.post("/tags", {"name": "new", "brand_id": other_brand.pk})
    assert response.status_code == 201
    assert response.json()["brand_id"] == other_brand.pk
