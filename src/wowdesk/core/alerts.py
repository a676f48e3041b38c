"""Supervisor alerts: their one writer (``create``, ``acknowledge``) and what an alert says,
in the viewer's language and time zone.

An alert is stored with its ``kind`` and the values of its sentence (``data["params"]``);
the sentence is put together when someone reads it (the supervisor board, the API's
``message``), so a supervisor reading Chinese sees Chinese and a due time in their own
zone. The app that raises a kind registers its sentence (``register`` in its
``AppConfig.ready``): the core knows no app. ``Alert.text`` keeps the sentence in the
server's language for older readers, and is what an alert without params shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from wowdesk.core import audit, realtime
from wowdesk.core.events import Event, emit
from wowdesk.core.models import Agent, Alert

#: kind → the function that makes its sentence from the stored params (raising KeyError,
#: TypeError or ValueError when they do not fit it).
Formatter = Callable[[dict[str, Any]], str]
_formatters: dict[str, Formatter] = {}


def register(kind: str, formatter: Formatter) -> None:
    """The sentence of alerts of ``kind`` (the app raising them calls this from its
    ``AppConfig.ready``)."""
    _formatters[str(kind)] = formatter


def local_time(value: dt.datetime) -> str:
    """A moment in the active time zone and the active language's format."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def sentence(kind: str, params: dict[str, Any]) -> str | None:
    """The sentence of an alert of ``kind``, or None when nobody registered the kind or
    ``params`` do not fit it."""
    formatter = _formatters.get(kind)
    if formatter is None:
        return None
    try:
        return formatter(params)
    except (KeyError, TypeError, ValueError):
        return None


def message(alert: Alert) -> str:
    """What ``alert`` says to the current reader."""
    params = (alert.data or {}).get("params")
    said = sentence(alert.kind, params) if isinstance(params, dict) else None
    if said is not None:
        return said
    from wowdesk.core.i18n import alert_text

    return alert_text(alert)  # the stored text's message id and values, or the text


def create(
    brand_id: int,
    kind: str,
    text: str,
    *,
    conversation_id: int | None = None,
    message_id: int | None = None,
    data: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    i18n: dict[str, Any] | None = None,
) -> Alert:
    """Something a supervisor should look at now (``GET /api/v1/alerts``), announced as
    ``alert.raised``. ``params``: the values of the kind's sentence, which ``message``
    puts together in the reader's language and time zone; ``i18n``
    (``core.i18n.deferred``, kept in ``data["i18n"]``) is the stored text's message id
    and values, for readers of other languages when the kind has no sentence of its own;
    ``text`` is the sentence in the server's language."""
    data = dict(data or {})
    if params is not None:
        data["params"] = params
    if i18n is not None:
        data["i18n"] = i18n
    alert = Alert.objects.create(
        brand_id=brand_id,
        kind=kind,
        text=text[:500],
        conversation_id=conversation_id,
        message_id=message_id,
        data=data,
    )
    emit(Event.ALERT_RAISED, alert_id=alert.pk, brand_id=brand_id, kind=str(kind))
    return alert


def acknowledge(alert: Alert, *, actor: Agent) -> Alert:
    """A supervisor of the alert's brand has seen it (once; later calls change nothing)."""
    from wowdesk.core import permissions

    permissions.check_supervisor_of(actor, alert.brand_id)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit.record(
            action="alert.acknowledge",
            obj=alert,
            actor=actor,
            brand_id=alert.brand_id,
            after={"acknowledged_at": alert.acknowledged_at.isoformat()},
        )
        # other supervisors' boards refresh (web/static/web/live.js)
        realtime.publish(realtime.brand_group(alert.brand_id), "board.changed", alert_id=alert.pk)
    return alert
