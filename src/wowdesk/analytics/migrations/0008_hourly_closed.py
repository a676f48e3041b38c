from typing import Any

from django.db import migrations, models


def count_closed(apps: Any, schema_editor: Any) -> None:
    """Count the facts already closed per hour (``rollups.closed_hour``), adding the hours
    in which facts were closed but none opened."""
    from wowdesk.analytics.rollups import closed_hour

    ConversationFact = apps.get_model("analytics", "ConversationFact")
    HourlyRollup = apps.get_model("analytics", "HourlyRollup")
    counts: dict[tuple[int, Any], int] = {}
    for brand_id, created, resolved in (
        ConversationFact.objects.filter(resolved_at__isnull=False)
        .values_list("brand_id", "created_at", "resolved_at")
        .iterator(chunk_size=5000)
    ):
        key = (brand_id, closed_hour(created, resolved))
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return
    batch = []
    for row in HourlyRollup.objects.only("pk", "brand_id", "hour").iterator(chunk_size=2000):
        n = counts.pop((row.brand_id, row.hour), 0)
        if n:
            row.closed = n
            batch.append(row)
    HourlyRollup.objects.bulk_update(batch, ["closed"], batch_size=2000)
    HourlyRollup.objects.bulk_create(
        [
            HourlyRollup(brand_id=brand_id, hour=hour, closed=n, bins={}, histogram=b"")
            for (brand_id, hour), n in counts.items()
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0007_fact_agent_handle_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="hourlyrollup",
            name="closed",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(count_closed, migrations.RunPython.noop),
    ]
