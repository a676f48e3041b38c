"""What the channels and routing change in rows other apps own goes through the owner's
service or listener: a merged conversation's envelopes (channels, on conversation.updated),
a chat widget in the inbox's settings (conversations), an agent's presence (core)."""

from __future__ import annotations

import pytest

from tests.factories import make_conversation, post_inbound
from wowdesk.channels.models import InboundEnvelope
from wowdesk.conversations import services as conversations
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, Brand
from wowdesk.core.services import set_presence_fields

pytestmark = pytest.mark.django_db


def test_envelopes_follow_merged_conversations(brand: Brand, agent: Agent) -> None:
    a = make_conversation(brand, email="a@example.com")
    post_inbound(brand, conversation_id=a.pk, body="And another thing.")
    b = make_conversation(brand, email="b@example.com")
    c = make_conversation(brand, email="c@example.com")
    conversations.merge_conversations(a, b, actor=agent)
    conversations.merge_conversations(b, c, actor=agent)
    cached = set(InboundEnvelope.objects.values_list("conversation_id_cache", flat=True))
    assert cached == {c.pk}
    assert InboundEnvelope.objects.count() == 4


def test_an_update_without_a_merge_leaves_envelopes(brand: Brand, agent: Agent) -> None:
    a = make_conversation(brand)
    conversations.update_conversation(a, actor=agent, status="resolved")
    assert set(InboundEnvelope.objects.values_list("conversation_id_cache", flat=True)) == {a.pk}


def test_inbox_settings_keep_their_other_sections(brand: Brand) -> None:
    inbox = conversations.create_inbox(brand_id=brand.pk, name="Chat", channel="chat")
    widget = dict(inbox.settings["widget"])
    conversations.set_inbox_setting(inbox, "greeting_hours", {"mon": "9-5"})
    conversations.set_inbox_setting(inbox, "widget", {**widget, "title": "Hi"})
    inbox.refresh_from_db()
    assert inbox.settings["greeting_hours"] == {"mon": "9-5"}
    assert inbox.settings["widget"] == {**widget, "title": "Hi"}


@pytest.mark.parametrize("field", ["is_active", "email", "last_assigned_at", "name"])
def test_presence_writes_nothing_but_presence(agent: Agent, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        set_presence_fields(agent, **{field: None})
    assert info.value.field == field
    set_presence_fields(agent, presence="away", presence_auto=True)
    agent.refresh_from_db()
    assert (agent.presence, agent.presence_auto) == ("away", True)
