"""What an alert says, in the viewer's language and time zone.

An alert is stored with its ``kind`` and the values of its sentence (``data["params"]``);
the sentence is put together when someone reads it (the supervisor board, the API's
``message``), so a supervisor reading Chinese sees Chinese and a due time in their own
zone. ``Alert.text`` keeps the sentence in the server's language for older readers, and
is what an alert without params (made before they were stored) shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from wowdesk.core.models import Alert, AlertKind


def local_time(value: dt.datetime) -> str:
    """A moment in the active time zone and the active language's format."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _target(code: Any) -> str:
    from wowdesk.routing.models import SlaTarget

    return str(SlaTarget(code).label) if code in SlaTarget.values else str(code)


def sentence(kind: str, params: dict[str, Any]) -> str | None:
    """The sentence of an alert of ``kind``, or None when ``params`` do not fit it."""
    try:
        if kind == AlertKind.SLA_BREACH:
            return _("SLA breached (%(t)s) in conversation #%(n)s") % {
                "t": _target(params["target"]),
                "n": int(params["number"]),
            }
        if kind == AlertKind.SLA_WARNING:
            due = parse_datetime(str(params["due"])) if params.get("due") else None
            return _("SLA due %(due)s (%(t)s) in conversation #%(n)s") % {
                "due": local_time(due) if due else "",
                "t": _target(params["target"]),
                "n": int(params["number"]),
            }
        if kind == AlertKind.MOOD_DROP:
            return _("Mood dropped from %(a).1f to %(b).1f in conversation #%(n)s") % {
                "a": float(params["from"]),
                "b": float(params["to"]),
                "n": int(params["number"]),
            }
        if kind == AlertKind.DELIVERY_FAILED:
            from wowdesk.channels.failures import reason

            return _("A reply in conversation #%(n)s could not be delivered: %(reason)s") % {
                "n": int(params["number"]),
                "reason": reason(str(params.get("reason", "")), str(params.get("channel", ""))),
            }
    except (KeyError, TypeError, ValueError):
        return None
    return None


def message(alert: Alert) -> str:
    """What ``alert`` says to the current reader."""
    params = (alert.data or {}).get("params")
    said = sentence(alert.kind, params) if isinstance(params, dict) else None
    if said is not None:
        return said
    from wowdesk.core.i18n import alert_text

    return alert_text(alert)  # the stored text's message id and values, or the text
