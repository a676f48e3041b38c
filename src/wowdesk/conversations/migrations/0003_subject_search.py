"""Substring search on conversation subjects: an FTS5 trigram table on SQLite, a pg_trgm GIN
index on PostgreSQL (see wowdesk.core.textsearch)."""

from django.db import migrations

from wowdesk.core.textsearch import TextIndex, install, uninstall

INDEXES = [TextIndex("conversations_conversation", ("subject",))]


def forward(apps, schema_editor):
    install(schema_editor.connection, INDEXES)


def backward(apps, schema_editor):
    uninstall(schema_editor.connection, INDEXES)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0002_inbox_indexes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
