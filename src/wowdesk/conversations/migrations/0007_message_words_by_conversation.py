"""Word search in message bodies answers "which conversations" from the index itself (SQLite:
a contentless FTS5 table keyed by conversation id * 2^32 + message id, see
wowdesk.core.textsearch); it replaces the table of 0004, which needed a look-up of every
matching message. PostgreSQL keeps 0004's GIN index: nothing changes there."""

from django.db import migrations

from wowdesk.core.textsearch import TextIndex, install, uninstall

OLD = TextIndex("conversations_message", ("body",), words=True)
NEW = TextIndex("conversations_message", ("body",), words=True, group="conversation_id")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        uninstall(schema_editor.connection, [OLD])
        install(schema_editor.connection, [NEW])


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        uninstall(schema_editor.connection, [NEW])
        install(schema_editor.connection, [OLD])


class Migration(migrations.Migration):
    dependencies = [("conversations", "0006_macro_attachment")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
