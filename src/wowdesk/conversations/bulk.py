"""Bulk actions on many conversations at once, and their undo.

``bulk_update`` applies one set of changes to conversations chosen by id or by a list's
filter (``queries.ConversationQuery``): each row decided by the rules of a change of one
conversation (``services.plan_update``, shared with ``update_conversation``: its brand
wall, an agent cannot create tags, an assignee must work for the row's brand) and the
batch written set-wise (``services.update_conversations``: a number of statements that
does not grow with the rows). A row the actor may not change is skipped with its reason;
the others are written in batches, each batch its own transaction, so that its events go
out when it commits.

The values before the change are kept under an undo token for ``UNDO_TTL`` (the cache:
Redis in cluster mode). ``bulk_undo`` puts them back where the conversation was not
changed since (its ``version`` is still the one the bulk change left); the others are
reported and left as they are.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.conversations import queries, services
from wowdesk.conversations.models import Conversation, Macro, Priority, Status
from wowdesk.core.errors import Conflict, InvalidInput, NotFound, ServiceError
from wowdesk.core.models import Agent

MAX_BULK = 5_000  # conversations of one request
BATCH = 200  # conversations of one transaction
UNDO_TTL = 600  # seconds an undo token is kept

# The reasons a row is skipped (stable codes, shown translated by ``reason_text``).
NOT_FOUND = "not_found"
CHANGED_SINCE = "changed_since"
EXPIRED = "expired"


@dataclass
class BulkChanges:
    """What to do to every chosen conversation; ``services.UNSET``: leave it."""

    status: str | None = None
    priority: str | None = None
    assignee_id: int | services.Unset | None = services.UNSET
    team_id: int | services.Unset | None = services.UNSET
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)
    macro_id: int | None = None

    def is_empty(self) -> bool:
        return (
            self.status is None
            and self.priority is None
            and isinstance(self.assignee_id, services.Unset)
            and isinstance(self.team_id, services.Unset)
            and not self.add_tags
            and not self.remove_tags
            and self.macro_id is None
        )


@dataclass
class BulkResult:
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    undo_token: str = ""


def parse_changes(data: dict[str, Any], actor: Agent) -> BulkChanges:
    """The changes of a request: ``status``, ``priority``, ``assignee`` (an agent id,
    ``"me"`` or ``null`` for nobody), ``team`` (a team id or ``null``), ``add_tags``,
    ``remove_tags``, ``macro_id`` (a macro whose actions apply). Unknown keys and values
    are refused naming the field (``changes.<key>``)."""
    if not isinstance(data, dict):
        raise InvalidInput(_("changes is an object."), field="changes")
    known = {"status", "priority", "assignee", "team", "add_tags", "remove_tags", "macro_id"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInput(
            _("Unknown change: %(k)s") % {"k": ", ".join(unknown)}, field=f"changes.{unknown[0]}"
        )
    changes = BulkChanges()
    if "status" in data:
        if data["status"] not in Status.values:
            raise InvalidInput(_("Unknown status."), field="changes.status")
        if data["status"] == Status.SNOOZED:  # a snooze needs its time: one at a time
            raise InvalidInput(
                _("A snooze needs a time: snooze conversations one at a time."),
                field="changes.status",
            )
        changes.status = data["status"]
    if "priority" in data:
        if data["priority"] not in Priority.values:
            raise InvalidInput(_("Unknown priority."), field="changes.priority")
        changes.priority = data["priority"]
    if "assignee" in data:
        changes.assignee_id = _an_id(data["assignee"], "changes.assignee", me=actor.pk)
    if "team" in data:
        changes.team_id = _an_id(data["team"], "changes.team")
    for key in ("add_tags", "remove_tags"):
        if key in data:
            names = data[key]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise InvalidInput(_("Tags are a list of names."), field=f"changes.{key}")
            setattr(changes, key, services.clean_tag_names(names, field=f"changes.{key}"))
    if "macro_id" in data and data["macro_id"] is not None:
        changes.macro_id = _an_id(data["macro_id"], "changes.macro_id")
    if changes.is_empty():
        raise InvalidInput(_("Say what to change."), field="changes")
    return changes


def _an_id(value: Any, name: str, *, me: int | None = None) -> int | None:
    if value is None:
        return None
    if me is not None and value == "me":
        return me
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**62:
        raise InvalidInput(_("An id is a positive whole number."), field=name)
    return value


def chosen_ids(
    actor: Agent, *, ids: list[int] | None, query: queries.ConversationQuery | None
) -> tuple[list[int], list[dict[str, Any]]]:
    """The conversations to change and those skipped as not found: by ``ids`` (each one
    of the actor's brands, else skipped as not found, whether it exists elsewhere or not:
    another brand's conversation is not told apart from none), or every one ``query``
    finds. More than ``MAX_BULK`` → InvalidInput (``ids`` or ``filter``)."""
    if (ids is None) == (query is None):
        raise InvalidInput(_("Send ids or a filter, not both."), field="ids")
    if ids is not None:
        if len(ids) > MAX_BULK:
            raise InvalidInput(
                _("At most %(n)d conversations at once.") % {"n": MAX_BULK}, field="ids"
            )
        wanted = list(dict.fromkeys(ids))
        found = set(
            queries.visible(actor)
            .filter(pk__in=wanted, merged_into__isnull=True)
            .values_list("pk", flat=True)
        )
        skipped = [{"id": i, "reason": NOT_FOUND} for i in wanted if i not in found]
        return [i for i in wanted if i in found], skipped
    assert query is not None
    listing = queries.Listing(actor, query)
    total = listing.total()
    if total > MAX_BULK:
        raise InvalidInput(
            _("This filter finds %(total)d conversations; at most %(n)d at once: narrow it.")
            % {"total": total, "n": MAX_BULK},
            field="filter",
        )
    rows = listing.rows(end=MAX_BULK).filter(merged_into__isnull=True)
    return list(rows.values_list("pk", flat=True)[:MAX_BULK]), []


def _request(
    conversation: Conversation, changes: BulkChanges, macro: Macro | None, actor: Agent
) -> dict[str, Any]:
    """One row's change, as keyword arguments of ``services.update_conversation``: the
    macro's changes (``services.macro_changes``; a macro that is unknown or of another
    brand → InvalidInput), then the request's own changes over them."""
    planned: dict[str, Any] = {}
    if changes.macro_id is not None:
        if macro is None:
            raise InvalidInput(_("No such macro in this brand."), field="macro_id")
        planned = services.macro_changes(conversation, macro, actor)
    if changes.add_tags or changes.remove_tags:
        have = planned.get("tags") or [t.name for t in conversation.tags.all()]
        planned["tags"] = [
            t for t in dict.fromkeys([*have, *changes.add_tags]) if t not in changes.remove_tags
        ]
    if changes.status is not None:
        planned["status"] = changes.status
    if changes.priority is not None:
        planned["priority"] = changes.priority
    if not isinstance(changes.assignee_id, services.Unset):
        planned["assignee_id"] = changes.assignee_id
    if not isinstance(changes.team_id, services.Unset):
        planned["team_id"] = changes.team_id
    return planned


def _undo_key(token: str) -> str:
    return f"wowdesk:bulk-undo:{token}"


def bulk_update(
    actor: Agent,
    changes: BulkChanges,
    *,
    ids: list[int] | None = None,
    query: queries.ConversationQuery | None = None,
) -> BulkResult:
    """Apply ``changes`` to the conversations of ``ids`` or of ``query`` (see module)."""
    chosen, skipped = chosen_ids(actor, ids=ids, query=query)
    result = BulkResult(skipped=skipped, undo_token=secrets.token_urlsafe(18))
    macro = (
        Macro.objects.filter(pk=changes.macro_id).first() if changes.macro_id is not None else None
    )
    entries: list[dict[str, Any]] = []
    for start in range(0, len(chosen), BATCH):
        batch = chosen[start : start + BATCH]
        with transaction.atomic():
            rows = _locked(Conversation.objects.all(), batch)
            requests: list[tuple[Conversation, dict[str, Any]]] = []
            for pk in batch:
                conversation = rows[pk]
                try:
                    requests.append((conversation, _request(conversation, changes, macro, actor)))
                except ServiceError as exc:
                    result.skipped.append({"id": pk, "reason": exc.code, "detail": exc.message})
            outcomes = services.update_conversations(requests, actor=actor)
            for conversation, before, outcome in outcomes:
                pk = conversation.pk
                if isinstance(outcome, ServiceError):
                    result.skipped.append(
                        {"id": pk, "reason": outcome.code, "detail": outcome.message}
                    )
                elif not outcome:
                    result.unchanged.append(pk)
                else:
                    result.updated.append(pk)
                    entries.append({"id": pk, "version": conversation.version, "before": before})
        if entries:
            cache.set(
                _undo_key(result.undo_token),
                {"actor_id": actor.pk, "entries": entries},
                UNDO_TTL,
            )
    if not entries:
        result.undo_token = ""
    return result


def _locked(queryset: QuerySet[Conversation], pks: list[int]) -> dict[int, Conversation]:
    """The rows of ``pks`` (locked until the transaction ends), with what the rules read."""
    return {
        c.pk: c
        for c in queryset.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related("inbox")
        .prefetch_related("tags")
    }


@dataclass
class UndoResult:
    restored: list[int] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


def bulk_undo(actor: Agent, token: str) -> UndoResult:
    """Put back the values a bulk change replaced, once; only its actor may. A
    conversation changed since (another version) keeps that change and is reported as
    ``changed_since``. An unknown or expired token → NotFound (``undo_token``)."""
    stored = cache.get(_undo_key(token)) if isinstance(token, str) and token else None
    if stored is None or stored.get("actor_id") != actor.pk:
        raise NotFound(_("Nothing to undo: the undo has expired or was used."), field="undo_token")
    cache.delete(_undo_key(token))
    result = UndoResult()
    entries: list[dict[str, Any]] = stored["entries"]
    now = timezone.now()
    for start in range(0, len(entries), BATCH):
        batch = entries[start : start + BATCH]
        with transaction.atomic():
            rows = _locked(queries.visible(actor), [e["id"] for e in batch])
            requests: list[tuple[Conversation, dict[str, Any]]] = []
            for entry in batch:
                conversation = rows.get(entry["id"])
                if conversation is None:
                    result.skipped.append({"id": entry["id"], "reason": NOT_FOUND})
                elif conversation.version != entry["version"]:
                    result.skipped.append({"id": entry["id"], "reason": CHANGED_SINCE})
                else:
                    requests.append((conversation, _restore_request(entry, now, conversation)))
            outcomes = services.update_conversations(requests, actor=actor)
            for conversation, _before, outcome in outcomes:
                if isinstance(outcome, Conflict):
                    result.skipped.append({"id": conversation.pk, "reason": CHANGED_SINCE})
                elif isinstance(outcome, ServiceError):
                    result.skipped.append(
                        {"id": conversation.pk, "reason": outcome.code, "detail": outcome.message}
                    )
                else:
                    result.restored.append(conversation.pk)
    return result


def _restore_request(
    entry: dict[str, Any], now: dt.datetime, conversation: Conversation
) -> dict[str, Any]:
    """The change that puts back an entry's values (its version was checked)."""
    before: dict[str, Any] = entry["before"]
    until = before.get("snoozed_until")
    snooze: dt.datetime | services.Unset | None = services.UNSET
    status = before["status"]
    if status == Status.SNOOZED and until:
        wake = dt.datetime.fromisoformat(until)
        # a snooze whose time has passed meanwhile wakes as the snooze would have
        snooze, status = (wake, None) if wake > now else (services.UNSET, Status.OPEN)
    had = before.get("custom_fields") or {}
    has = conversation.custom_fields or {}
    fields_back = {k: had.get(k) for k in {*had, *has} if had.get(k) != has.get(k)}
    return {
        "custom_fields": fields_back or None,
        "status": status,
        "priority": before["priority"],
        "assignee_id": before["assignee_id"],
        "team_id": before["team_id"],
        "tags": before["tags"],
        "snoozed_until": snooze,
    }


def reason_text(code: str) -> str:
    """A skipped row's reason for a person."""
    texts = {
        NOT_FOUND: _("not found"),
        CHANGED_SINCE: _("changed since by someone else"),
        EXPIRED: _("the undo has expired"),
        "Forbidden": _("not allowed"),
        "InvalidInput": _("not possible for this conversation"),
        "Conflict": _("changed since by someone else"),
    }
    return texts.get(code, code)
