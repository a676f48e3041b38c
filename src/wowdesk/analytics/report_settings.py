"""The brand's report settings (the first-contact resolution window and the weekly report
by email): read, changed by the brand's administrators, and the weekly report's "sent" mark.
The only writer of ``ReportSettings``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from wowdesk.analytics import rollups
from wowdesk.analytics.models import ReportSettings
from wowdesk.core import permissions
from wowdesk.core.errors import InvalidInput
from wowdesk.core.input import check_int
from wowdesk.core.models import Agent, Role

MAX_EMAILS = 50
FIELDS = ("fcr_days", "weekly_recipients", "weekly_emails", "weekly_weekday", "weekly_hour")


def settings_of(brand_id: int) -> ReportSettings:
    """The brand's settings (the defaults, stored, when it has none yet)."""
    rs, _created = ReportSettings.objects.get_or_create(brand_id=brand_id)
    return rs


def recipient_choices(brand_id: int) -> list[Agent]:
    """Who may get the weekly report: the brand's active supervisors and administrators."""
    return list(
        Agent.objects.filter(
            is_active=True,
            memberships__brand_id=brand_id,
            memberships__role__in=(Role.SUPERVISOR, Role.ADMIN),
        )
        .select_related("user")
        .distinct()
        .order_by("display_name")
    )


def as_dict(rs: ReportSettings) -> dict[str, Any]:
    return {
        "brand": rs.brand_id,
        "fcr_days": rs.fcr_days,
        "weekly_recipients": sorted(a.pk for a in rs.weekly_recipients.all()),
        "weekly_emails": list(rs.weekly_emails),
        "weekly_weekday": rs.weekly_weekday,
        "weekly_hour": rs.weekly_hour,
        "weekly_last_sent_at": rs.weekly_last_sent_at,
    }


def _emails(value: object) -> list[str]:
    if isinstance(value, str):
        value = [e for e in value.replace(",", "\n").split() if e]
    if not isinstance(value, list) or not all(isinstance(e, str) for e in value):
        raise InvalidInput(_("A list of email addresses."), field="weekly_emails")
    out: list[str] = []
    for e in value:
        e = e.strip()
        try:
            validate_email(e)
        except ValidationError as exc:
            raise InvalidInput(
                _("Not an email address: %(e)s") % {"e": e[:80]}, field="weekly_emails"
            ) from exc
        if e.lower() not in (o.lower() for o in out):
            out.append(e)
    if len(out) > MAX_EMAILS:
        raise InvalidInput(_("At most %(n)d addresses.") % {"n": MAX_EMAILS}, field="weekly_emails")
    return out


def _recipients(brand_id: int, value: object) -> list[int]:
    if not isinstance(value, list):
        raise InvalidInput(_("A list of agent ids."), field="weekly_recipients")
    ids = {check_int(v, "weekly_recipients", lo=1) for v in value}
    allowed = {a.pk for a in recipient_choices(brand_id)}
    if ids - allowed:
        raise InvalidInput(
            _("Only the brand's supervisors and administrators get the weekly report."),
            field="weekly_recipients",
        )
    return sorted(ids)


def do_update_settings(agent: Agent, brand_id: int, data: Mapping[str, Any]) -> ReportSettings:
    """Change the fields given in ``data`` (administrators of the brand)."""
    permissions.check_manages_surveys(agent, brand_id)
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown field."), field=sorted(unknown)[0])
    changes: dict[str, Any] = {}
    if "fcr_days" in data:
        changes["fcr_days"] = check_int(data["fcr_days"], "fcr_days", lo=1, hi=90)
    if "weekly_weekday" in data:
        changes["weekly_weekday"] = check_int(data["weekly_weekday"], "weekly_weekday", lo=0, hi=6)
    if "weekly_hour" in data:
        changes["weekly_hour"] = check_int(data["weekly_hour"], "weekly_hour", lo=0, hi=23)
    if "weekly_emails" in data:
        changes["weekly_emails"] = _emails(data["weekly_emails"])
    recipients = (
        _recipients(brand_id, data["weekly_recipients"]) if "weekly_recipients" in data else None
    )
    with transaction.atomic():
        rs = settings_of(brand_id)
        window_moved = "fcr_days" in changes and changes["fcr_days"] != rs.fcr_days
        for k, v in changes.items():
            setattr(rs, k, v)
        rs.save()
        if recipients is not None:
            rs.weekly_recipients.set(recipients)
        if window_moved:  # past resolutions are judged again with the new window
            transaction.on_commit(lambda: rollups.rebuild_task.enqueue(brand_id))
    return rs


def do_mark_weekly_sent(brand_id: int, at: dt.datetime, *, since: dt.datetime) -> bool:
    """Mark the weekly report sent at ``at`` unless it already was at or after ``since``
    (this week's send time); True when this call marked it (so it sends)."""
    rs = settings_of(brand_id)
    claimed = (
        ReportSettings.objects.filter(pk=rs.pk)
        .exclude(weekly_last_sent_at__gte=since)
        .update(weekly_last_sent_at=at)
    )
    return claimed == 1
