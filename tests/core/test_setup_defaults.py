"""wowdesk.setup.ensure_defaults makes the default inboxes through conversations.services:
announced (inbox.created), audited as the system's, idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core.events import Event
from wowdesk.core.models import AuditLog, Brand
from wowdesk.setup import ensure_defaults

pytestmark = pytest.mark.django_db


def test_defaults_are_made_by_the_service(brand: Brand, event_log: Any) -> None:
    ensure_defaults()
    ensure_defaults()  # a second migrate changes nothing
    inboxes = {i.channel: i for i in Inbox.objects.filter(brand=brand)}
    assert set(inboxes) == {"email", "api"}
    assert all(i.is_default for i in inboxes.values())
    assert sorted(
        (p["inbox_id"], p["channel"]) for p in event_log.of(Event.INBOX_CREATED)
    ) == sorted((i.pk, c) for c, i in inboxes.items())
    audited = AuditLog.objects.filter(action="inbox.create")
    assert sorted(audited.values_list("object_id", flat=True)) == sorted(
        str(i.pk) for i in inboxes.values()
    )
    assert set(audited.values_list("actor_id", flat=True)) == {None}


@pytest.mark.parametrize("taken", ["Email", "API"])
def test_a_name_already_taken_still_gets_its_inbox(brand: Brand, taken: str) -> None:
    conversations.create_inbox(brand_id=brand.pk, name=taken, channel="chat")
    ensure_defaults()
    channels = set(Inbox.objects.filter(brand=brand).values_list("channel", flat=True))
    assert channels == {"chat", "email", "api"}
    assert Inbox.objects.filter(brand=brand, name=taken).count() == 1
