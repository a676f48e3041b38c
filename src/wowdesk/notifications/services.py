"""Every write of notifications and preferences, and the reads the edges share.

``deliver`` turns drafts into rows in a constant number of queries whatever their number
(the listeners call it once per batch of events): the agents who work in each draft's
brand (one query), their preferences (one), the unread rows repeats fold into (one), then
one insert and one update. The actor of a change is never told of it. Each agent who got
something hears ``notification`` on their own socket group (``agent.<id>``; agent ids are
global, so the group is nobody else's in any brand); the browser then fetches the bell
with an ordinary request, which applies the usual scoping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.core import i18n
from wowdesk.core.errors import InvalidInput, NotFound
from wowdesk.core.models import Agent, Membership
from wowdesk.core.permissions import visible_brand_ids
from wowdesk.core.realtime import agent_group, publish
from wowdesk.notifications.models import Kind, Notification, Preference

PUSH = "notification"  # pushed to the agent's group when something arrived or was read
MAX_PARAM = 300  # characters of one title parameter
# Kinds whose repeats on one conversation fold into one unread row; each approval asked
# for is its own.
COALESCED = frozenset({Kind.ASSIGNED, Kind.MENTIONED, Kind.CUSTOMER_REPLIED, Kind.SLA_WARNING})


@dataclass
class Draft:
    agent_id: int
    brand_id: int
    kind: str
    conversation_id: int | None = None
    actor_id: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    count: int = 1

    @property
    def key(self) -> tuple[int, str, int | None]:
        return (self.agent_id, self.kind, self.conversation_id)


def _clean_params(params: dict[str, Any]) -> dict[str, Any]:
    """Scalars (strings cut to ``MAX_PARAM``) and text specs (``*_i18n``, see
    ``core.i18n``); anything else is dropped."""
    return {
        k: (v[:MAX_PARAM] if isinstance(v, str) else v)
        for k, v in params.items()
        if isinstance(v, str | int | float | bool)
        or v is None
        or (k.endswith("_i18n") and isinstance(v, dict) and isinstance(v.get("msgid"), str))
    }


def deliver(drafts: Iterable[Draft]) -> list[Notification]:
    """Store ``drafts``: not for their own actor, only to agents working in the brand, only
    kinds the agent keeps on; repeats of a kind (``COALESCED``) on one conversation while
    unread fold into one row (its ``count`` grows). Returns the rows written."""
    wanted = [d for d in drafts if d.agent_id and d.agent_id != d.actor_id]
    if not wanted:
        return []
    agent_ids = {d.agent_id for d in wanted}
    members = set(
        Membership.objects.filter(
            agent_id__in=agent_ids,
            brand_id__in={d.brand_id for d in wanted},
            agent__is_active=True,
        ).values_list("agent_id", "brand_id")
    )
    prefs = {p.agent_id: p for p in Preference.objects.filter(agent_id__in=agent_ids)}
    merged: dict[tuple[int, str, int | None], Draft] = {}
    singles: list[Draft] = []
    for d in wanted:
        if (d.agent_id, d.brand_id) not in members:
            continue
        pref = prefs.get(d.agent_id)
        if pref is not None and not pref.wants(d.kind):
            continue
        if d.conversation_id is None or d.kind not in COALESCED:
            singles.append(d)
            continue
        seen = merged.get(d.key)
        if seen is None:
            merged[d.key] = Draft(**{**d.__dict__})
        else:
            seen.count += d.count
            seen.actor_id, seen.params = d.actor_id, d.params
    now = timezone.now()
    existing: dict[tuple[int, str, int | None], Notification] = {}
    if merged:
        for found in Notification.objects.filter(
            read_at__isnull=True,
            agent_id__in={k[0] for k in merged},
            kind__in={k[1] for k in merged},
            conversation_id__in={k[2] for k in merged},
        ):
            existing.setdefault((found.agent_id, found.kind, found.conversation_id), found)
    updated: list[Notification] = []
    created: list[Notification] = []
    for key, d in merged.items():
        row = existing.get(key)
        if row is None:
            singles.append(d)
            continue
        row.count += d.count
        row.actor_id = d.actor_id
        row.params = _clean_params(d.params)
        row.updated_at = now
        updated.append(row)
    for d in singles:
        created.append(
            Notification(
                agent_id=d.agent_id,
                brand_id=d.brand_id,
                kind=d.kind,
                conversation_id=d.conversation_id,
                actor_id=d.actor_id,
                params=_clean_params(d.params),
                count=d.count,
                created_at=now,
                updated_at=now,
            )
        )
    if created:
        Notification.objects.bulk_create(created)
    if updated:
        Notification.objects.bulk_update(updated, ["count", "actor", "params", "updated_at"])
    for agent_id in sorted({n.agent_id for n in created + updated}):
        publish(agent_group(agent_id), PUSH, reason="new")
    return created + updated


def notify_approval_needed(
    *,
    agent_ids: Iterable[int],
    brand_id: int,
    what: str,
    what_i18n: i18n.Spec | None = None,
    conversation_id: int | None = None,
    actor_id: int | None = None,
    number: int | None = None,
    path: str = "",
) -> list[Notification]:
    """Ask ``agent_ids`` (of ``brand_id``) to approve ``what`` (a short line, e.g. "a
    refund of 40 EUR"; ``what_i18n``: the same as a text spec, shown in each reader's
    language), optionally about a conversation; ``path``: the page where it is decided when
    there is no conversation (opening the notification goes there)."""
    params: dict[str, Any] = {"what": what}
    if what_i18n is not None:
        params["what_i18n"] = what_i18n
    if number is not None:
        params["number"] = number
    if path:
        params["path"] = path
    return deliver(
        Draft(
            agent_id=a,
            brand_id=brand_id,
            kind=Kind.APPROVAL_NEEDED,
            conversation_id=conversation_id,
            actor_id=actor_id,
            params=params,
        )
        for a in agent_ids
    )


# --- the agent's own ----------------------------------------------------------------------


def mine(agent: Agent) -> QuerySet[Notification]:
    """The agent's notifications in the brands they work for, newest first."""
    return Notification.objects.filter(
        agent_id=agent.pk, brand_id__in=visible_brand_ids(agent)
    ).order_by("-updated_at", "-id")


def unread_count(agent: Agent) -> int:
    return mine(agent).filter(read_at__isnull=True).count()


def get_mine(agent: Agent, pk: int) -> Notification:
    """One of the agent's notifications; anyone else's (any brand) is not found."""
    row = mine(agent).filter(pk=pk).first() if 0 < pk < 2**62 else None
    if row is None:
        raise NotFound(_("Not found."), field="id")
    return row


def mark_read(agent: Agent, pk: int) -> Notification:
    row = get_mine(agent, pk)
    if row.read_at is None:
        row.read_at = timezone.now()
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=row.read_at)
        publish(agent_group(agent.pk), PUSH, reason="read")
    return row


def mark_all_read(agent: Agent) -> int:
    n = mine(agent).filter(read_at__isnull=True).update(read_at=timezone.now())
    if n:
        publish(agent_group(agent.pk), PUSH, reason="read")
    return n


def preferences(agent: Agent) -> Preference:
    """The agent's preferences (the defaults, unsaved, when they never set any)."""
    return Preference.objects.filter(agent_id=agent.pk).first() or Preference(agent_id=agent.pk)


def set_preferences(
    agent: Agent,
    *,
    in_app: dict[str, Any] | None = None,
    desktop: bool | None = None,
    sound: bool | None = None,
) -> Preference:
    """Change some of the agent's preferences; ``in_app`` maps kinds to on/off (the kinds
    not named keep their setting). An unknown kind or a value that is not true/false is
    refused naming it."""
    pref = preferences(agent)
    if in_app is not None:
        kinds = set(Kind.values)
        merged = dict(pref.in_app)
        for kind, on in in_app.items():
            if kind not in kinds:
                raise InvalidInput(_("Unknown kind of notification."), field=f"in_app.{kind}")
            if not isinstance(on, bool):
                raise InvalidInput(_("Must be true or false."), field=f"in_app.{kind}")
            merged[kind] = on
        pref.in_app = {k: v for k, v in merged.items() if v is False}
    if desktop is not None:
        pref.desktop = bool(desktop)
    if sound is not None:
        pref.sound = bool(sound)
    pref.save()
    return pref
