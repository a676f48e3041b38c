"""Merging a conversation into another: the service, the API per role and brand, the side
panel of the workspace, and what refers to the merged one afterwards."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import ApiClient
from tests.factories import make_conversation, post_inbound, unique
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, AuditLog, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


def pair(brand: Brand, email: str | None = None) -> tuple[Conversation, Conversation]:
    """Two open conversations of one customer (two mails with no reference)."""
    email = email or f"{unique('ana')}@example.com"
    first = make_conversation(brand, email=email, channel="email", subject="Lamp broken")
    second = make_conversation(brand, email=email, channel="email", subject="Also the cable")
    assert first.pk != second.pk and first.customer_id == second.customer_id
    return first, second


def bodies(conversation: Conversation) -> list[str]:
    return list(
        Message.objects.filter(conversation=conversation, direction=Direction.IN)
        .order_by("id")
        .values_list("body", flat=True)
    )


def test_merge_moves_messages_and_tags_and_says_so_in_both_threads(
    brand: Brand, agent: Agent
) -> None:
    first, second = pair(brand)
    conversations.ensure_tags(brand.pk, ["cable", "lamp"])  # agents pick existing tags
    conversations.update_conversation(second, actor=agent, tags=["cable"])
    conversations.update_conversation(first, actor=agent, tags=["lamp"])
    second_bodies = bodies(second)
    into = conversations.merge_conversations(second, first, actor=agent)
    assert into.pk == first.pk
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.merged_into_id == first.pk and second.status == Status.RESOLVED
    assert bodies(second) == []
    assert bodies(first)[-len(second_bodies) :] == second_bodies
    assert sorted(t.name for t in first.tags.all()) == ["cable", "lamp"]
    assert first.message_count == 2 == len(bodies(first))
    source_lines = Message.objects.filter(conversation=second, direction=Direction.ACTIVITY)
    assert any(f"#{first.number}" in m.body for m in source_lines)
    target_lines = Message.objects.filter(conversation=first, direction=Direction.ACTIVITY)
    assert any(f"#{second.number}" in m.body for m in target_lines)
    log = AuditLog.objects.get(action="conversation.merge")
    assert log.brand_id == brand.pk and log.before["source_id"] == second.pk


def test_merge_refuses_itself_twice_and_across_brands(
    brand: Brand, other_brand: Brand, agent: Agent
) -> None:
    first, second = pair(brand)
    elsewhere = make_conversation(other_brand)
    for source, into, field in (
        (first, first, "into"),
        (first, elsewhere, "into"),
        (elsewhere, first, "into"),
    ):
        with pytest.raises(InvalidInput) as caught:
            conversations.merge_conversations(source, into, actor=agent)
        assert caught.value.field == field
    conversations.merge_conversations(second, first, actor=agent)
    third = make_conversation(brand)
    with pytest.raises(InvalidInput):
        conversations.merge_conversations(second, third, actor=agent)
    with pytest.raises(InvalidInput):
        conversations.merge_conversations(third, second, actor=agent)


def test_what_refers_to_a_merged_conversation_lands_in_the_one_it_went_into(
    brand: Brand, agent: Agent
) -> None:
    first, second = pair(brand)
    conversations.merge_conversations(second, first, actor=agent)
    result = post_inbound(
        brand,
        conversation_id=second.pk,
        body="Any news?",
        **{"from": {"email": "someone@example.com"}},
    )
    assert result.conversation_id == first.pk
    second.refresh_from_db()
    assert second.status == Status.RESOLVED


@pytest.mark.parametrize("role", ROLES)
def test_api_merge_per_role_and_brand(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    role: str,
) -> None:
    for own, foreign in ((brand, other_brand), (other_brand, brand)):
        api = make_api(make_agent(role, brands=[own]))
        first, second = pair(own)
        theirs, _ = pair(foreign)
        # the other brand's ids: as source or as target, refused and nothing moved
        r = api.post(f"/conversations/{theirs.pk}/merge", {"into": first.pk})
        assert r.status_code == 403
        r = api.post(f"/conversations/{second.pk}/merge", {"into": theirs.pk})
        assert r.status_code == 403 and r.json()["field"] == "into"
        r = api.post(f"/conversations/{second.pk}/merge", {"into": 2**40})
        assert r.status_code == 404 and r.json()["field"] == "into"
        r = api.post(f"/conversations/{second.pk}/merge", {"into": second.pk})
        assert r.status_code == 422 and r.json()["field"] == "into"
        r = api.post(f"/conversations/{second.pk}/merge", {"into": "x"})
        assert r.status_code == 422
        assert Conversation.objects.get(pk=second.pk).merged_into_id is None
        # the agent's own brand: merged
        r = api.post(f"/conversations/{second.pk}/merge", {"into": first.pk})
        assert r.status_code == 200, r.content
        assert r.json()["id"] == first.pk
        assert api.get(f"/conversations/{second.pk}").json()["merged_into_id"] == first.pk
        again = api.post(f"/conversations/{second.pk}/merge", {"into": first.pk})
        assert again.status_code == 422


# --- the workspace ------------------------------------------------------------------------


def login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_side_panel_lists_the_customers_other_open_conversations_and_merges(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent], role: str
) -> None:
    for own, foreign in ((brand, other_brand), (other_brand, brand)):
        client = login(make_agent(role, brands=[own]))
        first, second = pair(own)
        resolved = make_conversation(own, email=first.customer.email, channel="email")
        conversations.update_conversation(resolved, actor=None, status=Status.RESOLVED)
        theirs, _ = pair(foreign)
        page = client.get(f"/inbox/c/{first.pk}/").content.decode()
        assert 'id="related-panel"' in page
        panel = page[page.index('id="related-panel"') :]
        assert f'data-conversation="{second.pk}"' in panel
        assert f'data-conversation="{resolved.pk}"' not in panel
        # another brand's conversation: neither page nor merge, either way round
        assert client.get(f"/inbox/c/{theirs.pk}/").status_code == 404
        assert client.post(f"/inbox/c/{first.pk}/merge/", {"source": theirs.pk}).status_code == 404
        assert client.post(f"/inbox/c/{theirs.pk}/merge/", {"source": second.pk}).status_code == 404
        assert Conversation.objects.get(pk=theirs.pk).merged_into_id is None
        response = client.post(f"/inbox/c/{first.pk}/merge/", {"source": second.pk})
        assert response.status_code == 302
        assert Conversation.objects.get(pk=second.pk).merged_into_id == first.pk
        page = client.get(f"/inbox/c/{first.pk}/").content.decode()
        assert 'id="related-panel"' not in page


def test_a_single_conversation_shows_no_merge_panel(brand: Brand, agent: Agent) -> None:
    only = make_conversation(brand, channel="email")
    page = login(agent).get(f"/inbox/c/{only.pk}/").content.decode()
    assert 'id="related-panel"' not in page


def test_a_merged_message_is_found_in_the_conversation_it_went_into(
    brand: Brand, agent: Agent, api: ApiClient
) -> None:
    first = make_conversation(brand, email="zoe@example.com", channel="email")
    second = make_conversation(
        brand, email="zoe@example.com", channel="email", body="The quixotic zebracable broke"
    )
    found = api.get("/conversations", body="zebracable").json()
    assert [c["id"] for c in found["items"]] == [second.pk]
    conversations.merge_conversations(second, first, actor=agent)
    found = api.get("/conversations", body="zebracable").json()
    assert [c["id"] for c in found["items"]] == [first.pk]


def test_an_item_sent_again_after_a_merge_is_answered_with_the_conversation_it_went_into(
    brand: Brand, agent: Agent
) -> None:
    """The envelopes' cached conversation follows the merge (channels listens to
    ``conversation.updated`` in the merge's own write); a merge refused changes none."""
    from django.db import transaction

    from wowdesk.channels.models import InboundEnvelope

    email = f"{unique('again')}@example.com"
    into = post_inbound(brand, body="First", **{"from": {"email": email}})
    items = [unique("again") for _ in range(3)]
    answers = [
        post_inbound(brand, external_id=x, body=f"Item {i}", **{"from": {"email": email}})
        for i, x in enumerate(items)
    ]
    source = Conversation.objects.get(pk=answers[0].conversation_id)
    target = Conversation.objects.get(pk=into.conversation_id)
    if source.pk == target.pk:  # threaded into one conversation: make a second one
        source = make_conversation(brand)
        InboundEnvelope.objects.filter(external_id__in=items).update(
            conversation_id_cache=source.pk
        )
    with pytest.raises(RuntimeError), transaction.atomic():
        conversations.merge_conversations(source, target, actor=agent)
        raise RuntimeError("rolled back")
    assert set(
        InboundEnvelope.objects.filter(external_id__in=items).values_list(
            "conversation_id_cache", flat=True
        )
    ) == {source.pk}
    conversations.merge_conversations(source, target, actor=agent)
    for i, x in enumerate(items):
        again = post_inbound(brand, external_id=x, body=f"Item {i}", **{"from": {"email": email}})
        assert again.duplicate and again.conversation_id == target.pk
