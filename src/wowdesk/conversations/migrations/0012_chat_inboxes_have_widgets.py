"""Every chat inbox has a widget token and secret: give them to chat inboxes that an
earlier release made on first use without one."""

import secrets

from django.db import migrations


def give_widgets(apps, schema_editor):  # type: ignore[no-untyped-def]
    Inbox = apps.get_model("conversations", "Inbox")
    for inbox in Inbox.objects.filter(channel="chat").iterator():
        settings = inbox.settings if isinstance(inbox.settings, dict) else {}
        widget = settings.get("widget") if isinstance(settings.get("widget"), dict) else {}
        if widget.get("token") and widget.get("secret"):
            continue
        widget = dict(widget)
        if not widget.get("token"):
            widget["token"] = secrets.token_urlsafe(18)
        if not widget.get("secret"):
            widget["secret"] = secrets.token_hex(32)
        inbox.settings = {**settings, "widget": widget}
        inbox.save(update_fields=["settings"])


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0011_merged_verbose_names"),
    ]

    operations = [migrations.RunPython(give_widgets, migrations.RunPython.noop)]
