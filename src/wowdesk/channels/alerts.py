"""What the channels' alerts say (registered with core.alerts in the app's ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def delivery_failed_sentence(params: dict[str, Any]) -> str:
    """What a ``delivery_failed`` alert says: the failure's reason in the reader's words."""
    from wowdesk.channels.failures import reason

    return _("A reply in conversation #%(n)s could not be delivered: %(reason)s") % {
        "n": int(params["number"]),
        "reason": reason(str(params.get("reason", "")), str(params.get("channel", ""))),
    }
