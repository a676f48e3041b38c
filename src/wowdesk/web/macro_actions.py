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


def shown(value: Any) -> str:
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
            parts.append(_("set %(f)s to %(v)s") % {"f": name, "v": shown(value)})
    return ", ".join(parts)


def with_summaries(macros: Iterable[Macro], brand_id: int) -> list[Macro]:
    """The macros, each with ``action_summary`` (for the composer's option)."""
    rows = list(macros)
    team_ids = {m.actions.get("team_id") for m in rows if (m.actions or {}).get("team_id")}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("id", "name"))
    for m in rows:
        m.action_summary = summary(m.actions or {}, brand_id=brand_id, teams=teams)  # type: ignore[attr-defined]
    return rows


# --- the macro settings page's custom field actions ---------------------------------------


def field_input_name(brand_id: int, key: str) -> str:
    """A custom field input's name on the macro form: the brand's id in it, so that a new
    macro's form (every brand of the supervisor) keeps each brand's fields apart."""
    return f"cf_{brand_id}__{key}"


def custom_field_actions(post: Any, brand_id: int) -> dict[str, Any]:
    """The form's custom field values for the macro's brand, as ``from_form`` reads them
    (empty: leave the field as it is); checked when the macro is saved."""
    from wowdesk.core import custom_fields as pure

    out: dict[str, Any] = {}
    for d in core_fields.for_brand(brand_id, "conversation"):
        name = field_input_name(brand_id, d["key"])
        kind = d["kind"]
        raw = post.getlist(name) if kind == "multiselect" else post.get(name, "")
        value = pure.from_form(kind, raw)
        if value is not None:
            out[d["key"]] = value
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def custom_field_rows(brands: Iterable[Any], actions: dict[str, Any]) -> list[dict[str, Any]]:
    """One input per conversation custom field of each brand, with the macro's value."""
    values = actions.get("custom_fields") or {}
    rows: list[dict[str, Any]] = []
    for brand in brands:
        for d in core_fields.for_brand(brand.pk, "conversation"):
            value = values.get(d["key"])
            rows.append(
                {
                    "key": d["key"],
                    "label": d["name"],
                    "kind": d["kind"],
                    "options": d["options"] or [],
                    "brand_name": brand.name,
                    "input": field_input_name(brand.pk, d["key"]),
                    "text": _text(value),
                    "chosen": value if isinstance(value, list) else [],
                }
            )
    return rows
