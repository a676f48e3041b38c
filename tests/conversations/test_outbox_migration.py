"""The outbox changes app on its table: an installation's rows stay, before and after."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_conversation, make_reply, outbox_of
from wowdesk.conversations.models import OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent, Brand

BEFORE = [
    ("conversations", "0012_chat_inboxes_have_widgets"),
    ("ingest", "0005_merged_verbose_names"),
]
AFTER = [("conversations", "0013_outbox_message"), ("ingest", "0006_outbox_to_conversations")]


@pytest.mark.django_db(transaction=True)
def test_outbox_rows_survive_the_move_both_ways(brand: Brand, agent: Agent) -> None:
    conversation = make_conversation(brand)
    sent, failed = make_reply(conversation, agent, "one"), make_reply(conversation, agent, "two")
    OutboxMessage.objects.filter(message=failed).update(
        status=OutboxStatus.FAILED, last_error="550 no such user", error_kind="rejected"
    )
    ids = {outbox_of(sent).pk, outbox_of(failed).pk}

    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        assert "outboxmessage" not in old.all_models["conversations"]
        OldOutbox = old.get_model("ingest", "OutboxMessage")
        assert set(OldOutbox.objects.values_list("id", flat=True)) == ids
        OldContentType = old.get_model("contenttypes", "ContentType")
        assert OldContentType.objects.filter(app_label="ingest", model="outboxmessage").exists()

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        NewOutbox = new.get_model("conversations", "OutboxMessage")
        assert set(NewOutbox.objects.values_list("id", flat=True)) == ids
        row = NewOutbox.objects.get(message_id=failed.pk)
        assert (row.status, row.last_error, row.error_kind) == (
            "failed",
            "550 no such user",
            "rejected",
        )
        ContentType = new.get_model("contenttypes", "ContentType")
        assert ContentType.objects.filter(app_label="conversations", model="outboxmessage").exists()
        assert not ContentType.objects.filter(app_label="ingest", model="outboxmessage").exists()
        # the model of the app works on the same rows
        assert OutboxMessage.objects.get(message=sent).status == OutboxStatus.QUEUED

    finally:
        # every later migration again (other apps' too), for the tests that follow
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_conversations_import_nothing_from_channels() -> None:
    from pathlib import Path

    import wowdesk.conversations

    root = Path(wowdesk.conversations.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "wowdesk.channels" in line
    ]
    assert offenders == []
