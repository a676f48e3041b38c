"""Word search in message bodies (``GET /conversations?body=``): an FTS5 ``unicode61``
table on SQLite, a GIN ``tsvector`` index on PostgreSQL (see wowdesk.core.textsearch)."""

from django.db import migrations

from wowdesk.core.textsearch import TextIndex, install, uninstall

INDEXES = [TextIndex("conversations_message", ("body",), words=True)]


def forward(apps, schema_editor):
    install(schema_editor.connection, INDEXES)


def backward(apps, schema_editor):
    uninstall(schema_editor.connection, INDEXES)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0003_subject_search")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
