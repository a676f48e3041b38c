"""Voice and social inboxes' secrets (webhook signing secrets, API tokens) stored in
``Inbox.settings`` in plain text are sealed (``channels/inbox_secrets.py``)."""

from django.db import migrations


def seal_inbox_secrets(apps, schema_editor):
    from wowdesk.channels.inbox_secrets import sealed_settings

    inbox = apps.get_model("conversations", "Inbox")
    for row in inbox.objects.filter(channel__in=["voice", "social", "email"]).only(
        "pk", "channel", "settings"
    ):
        if not isinstance(row.settings, dict):
            continue
        sealed = sealed_settings(row.channel, row.settings)
        if sealed != row.settings:
            inbox.objects.filter(pk=row.pk).update(settings=sealed)


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0006_outbox_to_conversations"),
        ("conversations", "0013_outbox_message"),
    ]

    operations = [migrations.RunPython(seal_inbox_secrets, migrations.RunPython.noop)]
