"""Automation rules, evaluated: conditions against the facts of one event, and the plan of
what a matching rule does. Pure (no Django): the listener gathers the facts and carries
the plan out through the conversations services.

Text is compared case-insensitively and Unicode-folded (NFKC, then ``casefold``): ``"Ä"``
equals ``"ä"``, ``"ﬁ"`` contains ``"fi"``. A fact that is a list (``tags``) matches when
one of its items does (``not_equals``: when none does). ``gt``/``lt`` compare numbers,
and priorities by rank (low < normal < high < urgent); anything else never matches them.
An empty list of conditions matches every event.

A brand's custom fields are facts too: ``custom_fields.<key>`` (kind ``custom``: equal
as numbers when both sides are numbers, else as text; a checkbox is ``"true"`` or
``"false"``; a multiselect is a list). The action ``custom_fields`` sets values
(``{"type": "custom_fields", "value": {"key": value}}``, ``null`` removes a key); the
service checks both against the brand's definitions.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

EVENTS = ("message.created", "conversation.created", "conversation.updated", "message.annotated")
OPS = ("contains", "equals", "not_equals", "in", "gt", "lt")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("open", "pending", "snoozed", "resolved")
DIRECTIONS = ("in", "out", "note")

# field -> kind: text, choice (priority/status/direction), id (inbox/team/assignee), list
FIELDS: dict[str, str] = {
    "body": "text",
    "subject": "text",
    "channel": "text",
    "language": "text",
    "emotion_label": "text",
    "direction": "text",
    "priority": "priority",
    "status": "text",
    "tags": "list",
    "inbox": "id",
    "team": "id",
    "assignee": "id",
    "emotion": "number",
    "customer.vip_tier": "text",
    "customer.email": "text",
    "customer.name": "text",
    "customer.language": "text",
}
OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "text": ("contains", "equals", "not_equals", "in"),
    "list": ("contains", "equals", "not_equals", "in"),
    "id": ("equals", "not_equals", "in"),
    "number": ("equals", "not_equals", "in", "gt", "lt"),
    "priority": ("equals", "not_equals", "in", "gt", "lt"),
    "custom": OPS,
}
CUSTOM_PREFIX = "custom_fields."
_CUSTOM_KEY = re.compile(r"[a-z](?:_?[a-z0-9]){0,49}")


def kind_of(name: Any) -> str | None:
    """The kind of a condition's field (``FIELDS``, or ``custom`` for a custom field's
    ``custom_fields.<key>``); None for an unknown one."""
    if not isinstance(name, str):
        return None
    if name.startswith(CUSTOM_PREFIX) and _CUSTOM_KEY.fullmatch(name[len(CUSTOM_PREFIX) :]):
        return "custom"
    return FIELDS.get(name)


ACTIONS = (
    "add_tag",
    "set_priority",
    "assign_team",
    "assign_agent",
    "add_note",
    "send_reply",
    "set_status",
    "custom_fields",
)
MAX_TEXT = 10_000


def gettext_noop(message: str) -> str:
    """Marks a message id for the catalog; the service translates it (no Django here)."""
    return message


class RuleError(ValueError):
    """A condition or action that cannot be evaluated; ``field`` names it
    (``conditions.0.op``), ``message`` is a message id with its ``params``."""

    def __init__(self, field: str, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.field = field
        self.message = message
        self.params = params


def fold(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).casefold()


MAX_ID = 2**62


def _number(value: Any) -> float | None:
    """A finite number, or None (``"nan"``, ``"1e999"``, text, booleans)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) <= 2**63 else None
    if isinstance(value, float | str):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    return None


def _id(value: Any) -> int | None:
    """A row id (a whole number from 1 to ``MAX_ID``), or None."""
    number = _number(value)
    if number is None or number != int(number) or not 1 <= number <= MAX_ID:
        return None
    return int(number)


def _rank(kind: str, value: Any) -> float | None:
    if kind == "priority":
        folded = fold(value) if value is not None else ""
        return float(PRIORITIES.index(folded)) if folded in PRIORITIES else None
    return _number(value)


def _scalar_equals(kind: str, fact: Any, value: Any) -> bool:
    if fact is None or value is None:
        return fact is None and value is None
    if kind in ("id", "number"):
        a, b = _number(fact), _number(value)
        return a is not None and a == b
    if kind == "custom":
        a, b = _number(fact), _number(value)
        if a is not None and b is not None:
            return a == b
    return fold(fact) == fold(value)


def matches(condition: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """One condition against the facts (a missing fact is None)."""
    name = condition["field"]
    op = condition["op"]
    value = condition.get("value")
    kind = kind_of(name) or "text"
    fact = facts.get(name)
    items: list[Any] = list(fact) if isinstance(fact, list | tuple | set) else [fact]
    if op == "contains":
        if kind == "list" or (kind == "custom" and isinstance(fact, list | tuple)):
            return any(_scalar_equals("text", i, value) for i in items)
        return fact is not None and fold(value) in fold(fact)
    if op == "equals":
        return any(_scalar_equals(kind, i, value) for i in items)
    if op == "not_equals":
        return not any(_scalar_equals(kind, i, value) for i in items)
    if op == "in":
        choices = value if isinstance(value, list | tuple) else [value]
        return any(_scalar_equals(kind, i, c) for i in items for c in choices)
    if op in ("gt", "lt"):
        a, b = _rank(kind, fact), _rank(kind, value)
        if a is None or b is None:
            return False
        return a > b if op == "gt" else a < b
    return False


def evaluate(conditions: Iterable[Mapping[str, Any]], facts: Mapping[str, Any]) -> bool:
    """Every condition holds (all of them; none: always)."""
    return all(matches(c, facts) for c in conditions)


# --- checking what a person wrote -----------------------------------------------------


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def check_conditions(conditions: Any) -> list[dict[str, Any]]:
    """The conditions as stored, or ``RuleError`` naming the first bad part."""
    if not isinstance(conditions, list):
        raise RuleError("conditions", gettext_noop("Conditions are a list."))
    out: list[dict[str, Any]] = []
    for i, c in enumerate(conditions):
        where = f"conditions.{i}"
        if not isinstance(c, Mapping):
            raise RuleError(
                where, gettext_noop("A condition is an object with field, op and value.")
            )
        name, op, value = c.get("field"), c.get("op"), c.get("value")
        found = kind_of(name)
        if found is None:
            raise RuleError(
                f"{where}.field", gettext_noop("Unknown field: %(v)s."), v=str(name)[:64]
            )
        kind = found
        if op not in OPS:
            raise RuleError(f"{where}.op", gettext_noop("Unknown operator: %(v)s."), v=str(op)[:32])
        if op not in OPS_BY_KIND[kind]:
            raise RuleError(
                f"{where}.op",
                gettext_noop("The operator %(op)s does not apply to %(f)s."),
                op=op,
                f=name,
            )
        if op == "in":
            if not isinstance(value, list) or not value or not all(_scalar(v) for v in value):
                raise RuleError(f"{where}.value", gettext_noop("A list of one or more values."))
            if len(value) > 100:
                raise RuleError(f"{where}.value", gettext_noop("At most 100 values."))
        elif op in ("gt", "lt"):
            if _rank(kind, value) is None:
                raise RuleError(
                    f"{where}.value",
                    gettext_noop("A priority.")
                    if kind == "priority"
                    else gettext_noop("A number."),
                )
        elif not _scalar(value):
            raise RuleError(f"{where}.value", gettext_noop("A text or a number."))
        if kind == "id" and any(
            _id(v) is None for v in (value if isinstance(value, list) else [value])
        ):
            raise RuleError(f"{where}.value", gettext_noop("An id."))
        if kind == "number" and any(
            _number(v) is None for v in (value if isinstance(value, list) else [value])
        ):
            raise RuleError(f"{where}.value", gettext_noop("A number."))
        if kind == "priority" and op in ("equals", "not_equals") and fold(value) not in PRIORITIES:
            raise RuleError(
                f"{where}.value", gettext_noop("Unknown priority: %(v)s."), v=str(value)[:32]
            )
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and len(v) > 1000:
                raise RuleError(f"{where}.value", gettext_noop("At most 1000 characters."))
        out.append({"field": name, "op": op, "value": value})
    return out


def check_actions(actions: Any) -> list[dict[str, Any]]:
    """The actions as stored (at least one), or ``RuleError`` naming the first bad part.
    Whether a team, agent or tag exists in the brand is the service's to check."""
    if not isinstance(actions, list) or not actions:
        raise RuleError("actions", gettext_noop("At least one action."))
    out: list[dict[str, Any]] = []
    for i, a in enumerate(actions):
        where = f"actions.{i}"
        if not isinstance(a, Mapping):
            raise RuleError(where, gettext_noop("An action is an object with type and value."))
        kind, value = a.get("type"), a.get("value")
        if kind not in ACTIONS:
            raise RuleError(
                f"{where}.type", gettext_noop("Unknown action: %(v)s."), v=str(kind)[:32]
            )
        if kind == "set_priority":
            if not isinstance(value, str) or value not in PRIORITIES:
                raise RuleError(
                    f"{where}.value", gettext_noop("Unknown priority: %(v)s."), v=str(value)[:32]
                )
        elif kind == "set_status":
            if not isinstance(value, str) or value not in STATUSES or value == "snoozed":
                raise RuleError(
                    f"{where}.value", gettext_noop("Unknown status: %(v)s."), v=str(value)[:32]
                )
        elif kind in ("assign_team", "assign_agent"):
            if value is not None and (not isinstance(value, int) or _id(value) is None):
                raise RuleError(f"{where}.value", gettext_noop("An id (or null: nobody)."))
        elif kind == "custom_fields":
            if not isinstance(value, Mapping) or not value:
                raise RuleError(
                    f"{where}.value", gettext_noop("An object of field keys and values.")
                )
            value = dict(value)
        else:
            if not isinstance(value, str) or not value.strip():
                raise RuleError(f"{where}.value", gettext_noop("A text."))
            if len(value) > (64 if kind == "add_tag" else MAX_TEXT):
                raise RuleError(f"{where}.value", gettext_noop("Too long."))
        out.append({"type": kind, "value": value.strip() if isinstance(value, str) else value})
    return out


# --- planning -------------------------------------------------------------------------


@dataclass
class Plan:
    """What a matching rule changes: one conversation update, then notes and replies.
    ``done`` lists the (action, value) pairs that change something, in order."""

    tags: list[str] | None = None
    priority: str | None = None
    status: str | None = None
    team: int | None = None
    set_team: bool = False
    assignee: int | None = None
    set_assignee: bool = False
    notes: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] | None = None
    done: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def updates_conversation(self) -> bool:
        return bool(
            self.tags is not None
            or self.priority
            or self.status
            or self.set_team
            or self.set_assignee
            or self.custom_fields
        )


def plan(actions: Sequence[Mapping[str, Any]], facts: Mapping[str, Any]) -> Plan:
    """The actions, less those that would change nothing (a tag already there, the
    priority it already has)."""
    out = Plan()
    tags = list(facts.get("tags") or [])
    have = {fold(t) for t in tags}
    for a in actions:
        kind, value = a["type"], a.get("value")
        if kind == "add_tag":
            if fold(value) not in have:
                have.add(fold(value))
                tags.append(str(value))
                out.tags = list(tags)
                out.done.append((kind, value))
        elif kind == "set_priority":
            if value != (out.priority or facts.get("priority")):
                out.priority = str(value)
                out.done.append((kind, value))
        elif kind == "set_status":
            if value != (out.status or facts.get("status")):
                out.status = str(value)
                out.done.append((kind, value))
        elif kind == "assign_team":
            current = out.team if out.set_team else facts.get("team")
            if value != current:
                out.team, out.set_team = value, True
                out.done.append((kind, value))
        elif kind == "assign_agent":
            current = out.assignee if out.set_assignee else facts.get("assignee")
            if value != current:
                out.assignee, out.set_assignee = value, True
                out.done.append((kind, value))
        elif kind == "custom_fields":
            have_values = {**(facts.get("custom_fields") or {}), **(out.custom_fields or {})}
            wanted = value if isinstance(value, Mapping) else {}
            changed = {k: v for k, v in wanted.items() if have_values.get(k) != v}
            if changed:
                out.custom_fields = {**(out.custom_fields or {}), **changed}
                out.done.append((kind, changed))
        elif kind == "add_note":
            out.notes.append(str(value))
            out.done.append((kind, value))
        elif kind == "send_reply":
            out.replies.append(str(value))
            out.done.append((kind, value))
    return out
