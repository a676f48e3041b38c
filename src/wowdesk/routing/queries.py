"""Routing's part of the conversation list (conversations.queries): the ``sla`` view."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from wowdesk.routing.models import SlaState


def sla_due_soon(now: dt.datetime, soon: dt.timedelta) -> Q:
    """Conversations whose SLA clock is due within ``soon``, or already warned or breached."""
    return Q(sla__due_at__isnull=False, sla__due_at__lte=now + soon) | Q(
        sla__state__in=[SlaState.WARNING, SlaState.BREACHED]
    )
