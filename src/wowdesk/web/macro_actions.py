"""What a macro's actions will do, in words for the composer ("Will also: set status
Resolved, add tag refund") and the macro settings page's custom field inputs. The actions
themselves are carried out by ``conversations.services.apply_macro_actions``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from wowdesk.conversations.models import Macro, Priority, Status
from wowdesk.core import fields as core_fields
from wowdesk.core.models import Team


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def summary(actions: dict[str, Any], *, brand_id: int, teams: dict[int, str]) -> str:
    """The actions of a macro as one line of phrases, "" when it has none."""
    parts: list[str] = []
    if actions.get("status") in Status.values:
        parts.append(_("set status %(s)s") % {"s": Status(actions["status"]).label})
    if actions.get("priority") in Priority.values:
        parts.append(_("set priority %(p)s") % {"p": Priority(actions["priority"]).label})
    for tag in actions.get("tags") or []:
        parts.append(_("add tag %(t)s") % {"t": tag})
    if actions.get("team_id"):
        name = teams.get(actions["team_id"], f"#{actions['team_id']}")
        parts.append(_("set team %(t)s") % {"t": name})
    if actions.get("assign_to_me"):
        parts.append(_("assign to you"))
    names = {d["key"]: d["name"] for d in core_fields.for_brand(brand_id, "conversation")}
    for key, value in (actions.get("custom_fields") or {}).items():
        name = names.get(key, key)
        if value is None:
            parts.append(_("clear %(f)s") % {"f": name})
        else:
            parts.append(_("set %(f)s to %(v)s") % {"f": name, "v": _shown(value)})
    return ", ".join(parts)


def with_summaries(macros: Iterable[Macro], brand_id: int) -> list[Macro]:
    """The macros, each with ``action_summary`` (for the composer's option)."""
    rows = list(macros)
    team_ids = {m.actions.get("team_id") for m in rows if (m.actions or {}).get("team_id")}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("id", "name"))
    for m in rows:
        m.action_summary = summary(m.actions or {}, brand_id=brand_id, teams=teams)  # type: ignore[attr-defined]
    return rows
