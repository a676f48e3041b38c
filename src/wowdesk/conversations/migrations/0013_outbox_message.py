"""The outbox belongs to the conversations app: the model is taken over as it is, on the
table it has (``ingest_outboxmessage``), so an installation keeps its rows. Only Django's
state changes here; the ingest app's 0006 drops the model from its own state."""

import django.db.models.deletion
from django.db import migrations, models


def relabel_content_type(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Permissions given on the outbox stay given: its content type changes app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label="conversations", model="outboxmessage").exists():
        return
    ContentType.objects.filter(app_label="ingest", model="outboxmessage").update(
        app_label="conversations"
    )


def label_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label="ingest", model="outboxmessage").exists():
        return
    ContentType.objects.filter(app_label="conversations", model="outboxmessage").update(
        app_label="ingest"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0012_chat_inboxes_have_widgets"),
        ("core", "0005_merged_verbose_names"),
        ("ingest", "0005_merged_verbose_names"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("api", "API"),
                                    ("email", "Email"),
                                    ("chat", "Chat"),
                                    ("voice", "Voice"),
                                    ("social", "Social"),
                                    ("web", "Web form"),
                                ],
                                max_length=16,
                                verbose_name="channel",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("sent", "Sent"),
                                    ("failed", "Failed"),
                                ],
                                default="queued",
                                max_length=16,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "attempts",
                            models.PositiveIntegerField(default=0, verbose_name="attempts"),
                        ),
                        (
                            "next_attempt_at",
                            models.DateTimeField(db_index=True, verbose_name="next attempt at"),
                        ),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        (
                            "error_kind",
                            models.CharField(blank=True, max_length=32, verbose_name="error kind"),
                        ),
                        (
                            "sent_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "brand",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="outbox",
                                to="core.brand",
                                verbose_name="brand",
                            ),
                        ),
                        (
                            "message",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="outbox",
                                to="conversations.message",
                                verbose_name="message",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "outbox message",
                        "verbose_name_plural": "outbox",
                        "db_table": "ingest_outboxmessage",
                        "ordering": ["next_attempt_at", "id"],
                        "indexes": [
                            models.Index(
                                fields=["status", "next_attempt_at"],
                                name="ingest_outb_status_e8e11f_idx",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, label_back),
    ]
