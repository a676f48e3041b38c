"""Substring search on customers' name, email and phone and on identity values: FTS5 trigram
tables on SQLite, pg_trgm GIN indexes on PostgreSQL (see wowdesk.core.textsearch)."""

from django.db import migrations

from wowdesk.core.textsearch import TextIndex, install, uninstall

INDEXES = [
    TextIndex("customers_customer", ("name", "email", "phone")),
    TextIndex("customers_identity", ("value",)),
]


def forward(apps, schema_editor):
    install(schema_editor.connection, INDEXES)


def backward(apps, schema_editor):
    uninstall(schema_editor.connection, INDEXES)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
