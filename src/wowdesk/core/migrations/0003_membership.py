"""Roles per brand: the agent-brand table becomes core.Membership with a role; every
existing pair gets the agent's role."""

from django.db import migrations, models


def copy_roles(apps, schema_editor):  # type: ignore[no-untyped-def]
    Agent = apps.get_model("core", "Agent")
    Membership = apps.get_model("core", "Membership")
    for role in ("agent", "supervisor", "admin"):
        ids = Agent.objects.filter(role=role).values_list("id", flat=True)
        Membership.objects.filter(agent_id__in=ids).update(role=role)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_agent_channel_capacity_agent_language_levels_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "agent",
                            models.ForeignKey(
                                on_delete=models.deletion.CASCADE,
                                related_name="memberships",
                                to="core.agent",
                            ),
                        ),
                        (
                            "brand",
                            models.ForeignKey(
                                on_delete=models.deletion.CASCADE,
                                related_name="memberships",
                                to="core.brand",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "core_agent_brands",
                        "unique_together": {("agent", "brand")},
                        "verbose_name": "membership",
                        "verbose_name_plural": "memberships",
                    },
                ),
                migrations.AlterField(
                    model_name="agent",
                    name="brands",
                    field=models.ManyToManyField(
                        related_name="agents", through="core.Membership", to="core.brand"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[("agent", "Agent"), ("supervisor", "Supervisor"), ("admin", "Administrator")],
                default="agent",
                max_length=16,
                verbose_name="role",
            ),
        ),
        migrations.RunPython(copy_roles, migrations.RunPython.noop),
    ]
