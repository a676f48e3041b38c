"""The report pages' filters, read from the URL (so a view is shareable): the period (a
preset or from/to), the grouping, the brand/site/team/agent/channel/language/inbox
filters and the viewer's time zone. Bad values → ``InvalidInput`` naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wowdesk.analytics.services import DIMENSIONS, TIME_GROUPS
from wowdesk.core.errors import InvalidInput
from wowdesk.core.input import check_date, check_int, check_line, check_timezone

PRESETS = {
    "today": gettext_lazy("Today"),
    "7d": gettext_lazy("Last 7 days"),
    "28d": gettext_lazy("Last 28 days"),
    "90d": gettext_lazy("Last 90 days"),
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "custom": gettext_lazy("Custom"),
}
ID_FILTERS = ("brand", "site", "team", "agent", "inbox", "tag")
TEXT_FILTERS = ("channel", "language", "product", "intent")
MAX_DAYS = 731


@dataclass
class Filters:
    date_from: dt.date
    date_to: dt.date  # inclusive
    preset: str
    group_by: str
    tz: str
    ids: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def query(self) -> dict[str, Any]:
        """The query of ``services.metrics`` / ``services.drill``."""
        return {
            "from": self.date_from,
            "to": self.date_to,
            "group_by": self.group_by,
            "tz": self.tz,
            **self.ids,
            **self.texts,
        }

    def params(self, **override: Any) -> dict[str, str]:
        """The URL parameters that give these filters back (for links and the export)."""
        out: dict[str, str] = {"preset": self.preset}
        if self.preset == "custom":
            out["from"] = self.date_from.isoformat()
            out["to"] = self.date_to.isoformat()
        out["group_by"] = self.group_by
        out["tz"] = self.tz
        out.update({k: str(v) for k, v in self.ids.items()})
        out.update(self.texts)
        for k, v in override.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = str(v)
        return out


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a preset, ``today`` in the viewer's time zone."""
    if preset == "today":
        return today, today
    if preset in ("7d", "28d", "90d"):
        return today - dt.timedelta(days=int(preset[:-1]) - 1), today
    first = today.replace(day=1)
    if preset == "this_month":
        return first, today
    if preset == "last_month":
        last = first - dt.timedelta(days=1)
        return last.replace(day=1), last
    raise InvalidInput(_("Unknown period."), field="preset")


def _date(value: str, name: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(_("Not a date (YYYY-MM-DD)."), field=name) from exc
    return check_date(day, name)


def read(
    get: Mapping[str, str], *, default_group: str, viewer_tz: str, now: dt.datetime
) -> Filters:
    """The filters of a request's query string."""
    tz = check_timezone(get.get("tz") or viewer_tz or "UTC", "tz")
    today = now.astimezone(ZoneInfo(tz)).date()
    preset = get.get("preset", "")
    if not preset:
        preset = "custom" if get.get("from") or get.get("to") else "28d"
    if preset not in PRESETS:
        raise InvalidInput(_("Unknown period."), field="preset")
    if preset == "custom":
        date_to = _date(get["to"], "to") if get.get("to") else today
        date_from = (
            _date(get["from"], "from") if get.get("from") else date_to - dt.timedelta(days=27)
        )
    else:
        date_from, date_to = preset_range(preset, today)
    if date_from > date_to:
        raise InvalidInput(_("The start is after the end."), field="from")
    if (date_to - date_from).days >= MAX_DAYS:
        raise InvalidInput(_("At most %(n)d days at a time.") % {"n": MAX_DAYS}, field="from")
    group_by = get.get("group_by") or default_group
    if group_by not in TIME_GROUPS + DIMENSIONS:
        raise InvalidInput(_("Unknown grouping."), field="group_by")
    ids = {k: check_int(get[k], k, lo=1) for k in ID_FILTERS if get.get(k)}
    texts = {k: check_line(get[k], k, max_length=100) for k in TEXT_FILTERS if get.get(k)}
    return Filters(date_from, date_to, preset, group_by, tz, ids, texts)
