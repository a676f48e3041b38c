"""The outbox model is the conversations app's (its 0013 takes it over on the same
table): removed from this app's state only, the table and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0005_merged_verbose_names"),
        ("conversations", "0013_outbox_message"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutboxMessage")],
            database_operations=[],
        ),
    ]
