"""POST /conversations/{id}/replies on its lean path: the conversation read with its inbox
only, the answer made from the rows just written — the same as reading them back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import make_conversation
from wowdesk.conversations.models import Conversation, Message, OutboxMessage
from wowdesk.core.models import Agent, Brand, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("private", [False, True])
def test_the_answer_is_the_message_as_read_back(
    api: ApiClient, brand: Brand, private: bool
) -> None:
    for body in ("We ship today.", "Line one\nline <two> & three", "多谢，明天发货。"):
        conversation = make_conversation(brand)
        sent = api.post(
            f"/conversations/{conversation.pk}/replies", {"body": body, "private": private}
        )
        assert sent.status_code == 201, sent.json()
        [read] = [
            m
            for m in api.get(f"/conversations/{conversation.pk}").json()["messages"]
            if m["id"] == sent.json()["id"]
        ]
        assert sent.json() == read
        assert read["delivery"] == (None if private else "queued")


def test_the_conversation_counts_and_times_follow(api: ApiClient, brand: Brand) -> None:
    conversation = make_conversation(brand)
    first = api.post(f"/conversations/{conversation.pk}/replies", {"body": "One"}).json()
    api.post(f"/conversations/{conversation.pk}/replies", {"body": "Two"})
    api.post(f"/conversations/{conversation.pk}/replies", {"body": "Note", "private": True})
    c = Conversation.objects.get(pk=conversation.pk)
    assert c.message_count == 4
    assert c.waiting_since is None
    assert c.first_response_at is not None
    assert (
        c.first_response_at.isoformat().replace("+00:00", "Z")[:19]
        == first["created_at"].replace("+00:00", "Z")[:19]
    )
    assert OutboxMessage.objects.filter(message__conversation=c).count() == 2


@pytest.mark.parametrize("bad", [0, -1, 999_999_999, 2**63, 2**64])
def test_an_id_that_is_no_conversation_is_refused_without_a_write(api: ApiClient, bad: int) -> None:
    r = api.post(f"/conversations/{bad}/replies", {"body": "Hello"})
    assert r.status_code in (404, 422), r.content
    assert not Message.objects.filter(direction="out").exists()


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_another_brands_conversation_is_refused_without_a_write(
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    brand: Brand,
    other_brand: Brand,
    role: str,
) -> None:
    mine, theirs = make_conversation(brand), make_conversation(other_brand)
    client = make_api(make_agent(role, brands=[other_brand]))
    refused = client.post(f"/conversations/{mine.pk}/replies", {"body": "Hello"})
    assert refused.status_code == 403, refused.content
    assert not Message.objects.filter(conversation=mine, direction="out").exists()
    assert not OutboxMessage.objects.exists()
    allowed = client.post(f"/conversations/{theirs.pk}/replies", {"body": "Hello"})
    assert allowed.status_code == 201, allowed.content
    assert OutboxMessage.objects.get().message_id == allowed.json()["id"]


def test_a_reply_is_a_few_statements(
    api: ApiClient, brand: Brand, django_assert_num_queries: Callable[..., Any]
) -> None:
    """The request's own statements (after-commit listeners aside): the token with its
    agent and brands, the conversation, its inbox, a savepoint and its release around the
    write, the message, the outbox row, the conversation's update — and on the first reply
    the first response time, set and read back."""
    first, later = make_conversation(brand), make_conversation(brand)
    api.post(f"/conversations/{later.pk}/replies", {"body": "Earlier"})
    with django_assert_num_queries(11):
        assert api.post(f"/conversations/{first.pk}/replies", {"body": "One"}).status_code == 201
    with django_assert_num_queries(9):
        assert api.post(f"/conversations/{later.pk}/replies", {"body": "Two"}).status_code == 201
