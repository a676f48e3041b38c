"""conversations.services.annotate_messages: the one writer of a message's language and
emotion; each change announced as message.annotated with the fields that changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_conversation, post_inbound
from wowdesk.conversations.models import Direction, Message
from wowdesk.conversations.services import annotate_messages
from wowdesk.core.errors import InvalidInput
from wowdesk.core.events import Event
from wowdesk.core.models import Brand
from wowdesk.intelligence.services import score_pending

pytestmark = pytest.mark.django_db


def test_scoring_announces_each_message_once(brand: Brand, event_log: Any) -> None:
    conversation = make_conversation(brand, body="This is terrible, I am furious!")
    post_inbound(brand, conversation_id=conversation.pk, body="Thank you, that was wonderful.")
    other = make_conversation(brand, body="Where is my parcel?")
    assert score_pending() == 3
    assert score_pending() == 0  # nothing left: nothing announced again
    annotated = event_log.of(Event.MESSAGE_ANNOTATED)
    inbound = Message.objects.filter(direction=Direction.IN).order_by("pk")
    assert [p["message_id"] for p in annotated] == [m.pk for m in inbound]
    for payload, message in zip(annotated, inbound, strict=True):
        assert payload["conversation_id"] == message.conversation_id
        assert payload["brand_id"] == brand.pk
        assert payload["fields"]["emotion"] == message.emotion
        assert payload["fields"]["emotion_label"] == message.emotion_label
    assert {p["conversation_id"] for p in annotated} == {conversation.pk, other.pk}


def test_only_what_changed_is_written_and_announced(brand: Brand, event_log: Any) -> None:
    message = make_conversation(brand).messages.get()
    annotate_messages([(message, {"language": message.language, "emotion": -0.5})])
    annotate_messages([(message, {"language": "it", "emotion_label": message.emotion_label})])
    annotate_messages([(message, {"language": "it"})])
    annotate_messages([(message, {"emotion_cues": ["broken"]})])
    assert [p["fields"] for p in event_log.of(Event.MESSAGE_ANNOTATED)] == [
        {"emotion": -0.5},
        {"language": "it"},
        {"emotion_cues": ["broken"]},
    ]
    message.refresh_from_db()
    assert (message.language, message.emotion, message.meta["emotion_cues"]) == (
        "it",
        -0.5,
        ["broken"],
    )


def test_the_first_score_stays(brand: Brand, event_log: Any) -> None:
    message = make_conversation(brand).messages.get()
    stale = Message.objects.get(pk=message.pk)  # a second scorer read it unscored
    assert annotate_messages([(message, {"emotion": 0.4, "emotion_label": "satisfied"})])
    assert annotate_messages([(stale, {"emotion": -0.9, "emotion_label": "angry"})]) == []
    message.refresh_from_db()
    assert (message.emotion, message.emotion_label) == (0.4, "satisfied")
    assert len(event_log.of(Event.MESSAGE_ANNOTATED)) == 1


@pytest.mark.parametrize("field", ["body", "direction", "sender_id", "meta"])
def test_nothing_but_annotations(brand: Brand, field: str, event_log: Any) -> None:
    message = make_conversation(brand).messages.get()
    with pytest.raises(InvalidInput) as info:
        annotate_messages([(message, {field: "x"})])
    assert info.value.field == field
    assert event_log.of(Event.MESSAGE_ANNOTATED) == []
