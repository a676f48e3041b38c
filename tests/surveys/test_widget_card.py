"""What the chat widget receives for a survey message: the card's questions (only the
expected keys and types), the body's plain-text links for older widgets, and nothing for
other messages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_conversation
from wowdesk.channels.chat import services as chat
from wowdesk.conversations import services as conversations
from wowdesk.core.models import Brand

pytestmark = pytest.mark.django_db

QUESTION = {
    "id": 7,
    "kind": "nps",
    "url": "https://desk.example/s/abc",
    "min": 0,
    "max": 10,
    "question": "How likely are you to recommend Acme to a friend or colleague?",
    "low": "Not at all likely",
    "high": "Extremely likely",
}


def test_a_survey_message_carries_its_card_and_its_links(brand: Brand) -> None:
    conversation = make_conversation(brand)
    body = "How did we do? https://desk.example/s/abc?score=10"
    reply = conversations.add_reply(
        conversation,
        author=None,
        body=body,
        meta={"survey": {"language": "id", "surveys": [QUESTION]}},
    )
    shown = chat.message_out(reply)
    assert shown["body"] == body  # an older widget shows the links
    assert shown["survey"] == {"language": "id", "surveys": [QUESTION]}
    assert [m["survey"] for m in chat.history(conversation)][-1] == shown["survey"]
    plain = conversations.add_reply(conversation, author=None, body="Anything else?")
    assert chat.message_out(plain)["survey"] is None


@pytest.mark.parametrize(
    "meta",
    [
        {},
        {"survey": "nps"},
        {"survey": {"surveys": "x"}},
        {"survey": {"surveys": [{**QUESTION, "id": "7"}]}},
        {"survey": {"surveys": [{**QUESTION, "min": True}]}},
        {"survey": {"surveys": [{**QUESTION, "question": None}]}},
        {"survey": {"surveys": [5, None]}},
    ],
)
def test_a_malformed_survey_block_draws_no_card(meta: dict[str, Any]) -> None:
    assert chat.survey_card(meta) is None


def test_the_card_keeps_only_what_it_needs() -> None:
    card = chat.survey_card(
        {"survey": {"language": 3, "surveys": [{**QUESTION, "secret": "x"}, {"id": 1}]}}
    )
    assert card == {"language": "", "surveys": [QUESTION]}
