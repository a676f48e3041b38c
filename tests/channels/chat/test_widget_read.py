"""Read marks: an agent opening a chat conversation reads the visitor's messages so far."""

from __future__ import annotations

from typing import Any

import pytest

from wowdesk.channels.chat import services as chat
from wowdesk.channels.chat import tokens
from wowdesk.conversations.models import Conversation, Direction, Inbox, Message

pytestmark = pytest.mark.usefixtures("fresh_layer_and_cache")


def _say(inbox: Inbox, visitor: tokens.Visitor, n: int, start: int = 0) -> Conversation:
    result = None
    for i in range(start, start + n):
        result = chat.post_message(inbox, visitor, client_id=f"msg-{i:06d}", body=f"m{i}")
    assert result is not None
    return Conversation.objects.get(pk=result.conversation_id)


def _reads(conversation: Conversation) -> list[bool]:
    return [m["read"] for m in chat.history(conversation) if m["direction"] == Direction.IN]


def test_opening_reads_everything_so_far_and_not_what_comes_after(
    chat_inbox: Inbox,
) -> None:
    visitor = tokens.Visitor(chat_inbox.pk, tokens.new_visitor_id())
    conversation = _say(chat_inbox, visitor, 3)
    assert _reads(conversation) == [False, False, False]
    last = Message.objects.filter(direction=Direction.IN).order_by("-id").first()
    assert last is not None and chat.mark_read(conversation) == last.pk
    assert _reads(conversation) == [True, True, True]
    assert chat.mark_read(conversation) is None  # nothing new: nothing written

    _say(chat_inbox, visitor, 2, start=3)
    assert _reads(conversation) == [True, True, True, False, False]
    chat.mark_read(conversation)
    assert _reads(conversation) == [True] * 5


@pytest.mark.parametrize("n", [2, 15])
def test_marking_read_costs_the_same_for_a_long_chat(
    chat_inbox: Inbox, django_assert_num_queries: Any, n: int
) -> None:
    visitor = tokens.Visitor(chat_inbox.pk, tokens.new_visitor_id())
    conversation = Conversation.objects.select_related("inbox").get(
        pk=_say(chat_inbox, visitor, n).pk
    )
    # the latest message, its meta written, the visitor's chat identities
    with django_assert_num_queries(3):
        chat.mark_read(conversation)
