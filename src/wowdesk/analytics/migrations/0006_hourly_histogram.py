from typing import Any

from django.db import migrations, models


def pack_existing(apps: Any, schema_editor: Any) -> None:
    """Fill the packed histogram of the hours already rolled up from their JSON bins."""
    from wowdesk.analytics.rollups import pack_bins

    HourlyRollup = apps.get_model("analytics", "HourlyRollup")
    batch = []
    for row in HourlyRollup.objects.only("pk", "bins").iterator(chunk_size=2000):
        row.histogram = pack_bins(row.bins or {})
        batch.append(row)
        if len(batch) >= 2000:
            HourlyRollup.objects.bulk_update(batch, ["histogram"])
            batch = []
    if batch:
        HourlyRollup.objects.bulk_update(batch, ["histogram"])


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0005_merge_rollups_topics"),
    ]

    operations = [
        migrations.AddField(
            model_name="hourlyrollup",
            name="histogram",
            field=models.BinaryField(default=b""),
        ),
        migrations.RunPython(pack_existing, migrations.RunPython.noop),
    ]
