"""What makes a notification (registered in ``NotificationsConfig.ready``).

- ``assigned``: a conversation's assignee became someone, by another agent, a rule or
  routing (never the agent who took it themself).
- ``customer_replied``: a customer message on a conversation with an assignee; repeats
  while unread fold into one with a count.
- ``mentioned``: a note naming ``@Display Name`` of an agent of the conversation's brand
  (``mentions.py``); never its author, never an agent of another brand.
- ``sla_warning``: a target of a conversation is about to breach: its assignee, or, while
  it has none, the members of its team (nobody when it has neither: the supervisor board
  shows it).

Each runs after the commit; ``on_messages_created`` is a batch listener with a constant
number of queries per batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.events import many, when
from wowdesk.core.models import Agent, Membership, Team
from wowdesk.notifications import services
from wowdesk.notifications.mentions import Directory
from wowdesk.notifications.models import Kind
from wowdesk.notifications.services import Draft

EXCERPT = 140


def _assigned(*, changes: dict[str, Any] | None = None, **_: Any) -> bool:
    return bool((changes or {}).get("assignee_id"))


def on_conversations_updated(payloads: list[dict[str, Any]]) -> None:
    """``on_conversation_updated`` for many (a bulk change): the rows and the actors'
    names in one query each, the notifications delivered together."""
    wanted = [p for p in payloads if int(p["changes"]["assignee_id"]) != p.get("actor_id")]
    if not wanted:
        return
    rows = {
        r["id"]: r
        for r in Conversation.objects.filter(pk__in=[p["conversation_id"] for p in wanted]).values(
            "id", "number", "subject", "assignee_id"
        )
    }
    names = dict(
        Agent.objects.filter(
            pk__in={p["actor_id"] for p in wanted if p.get("actor_id")}
        ).values_list("pk", "display_name")
    )
    drafts = []
    for p in wanted:
        draft = _assigned_draft(p, rows.get(p["conversation_id"]), names)
        if draft is not None:
            drafts.append(draft)
    if drafts:
        services.deliver(drafts)


def _assigned_draft(
    p: dict[str, Any], row: Mapping[str, Any] | None, names: dict[int, str]
) -> Draft | None:
    assignee_id = int(p["changes"]["assignee_id"])
    if row is None or row["assignee_id"] != assignee_id:
        return None  # gone, or assigned elsewhere since
    actor_id, rule_id, source = p.get("actor_id"), p.get("rule_id"), p.get("source", "")
    by = "routing" if source == "routing" else "rule" if rule_id else "agent" if actor_id else ""
    params = {"number": row["number"], "subject": row["subject"], "by": by}
    if actor_id:
        params["actor"] = names.get(actor_id) or ""
    return Draft(
        agent_id=assignee_id,
        brand_id=p["brand_id"],
        kind=Kind.ASSIGNED,
        conversation_id=p["conversation_id"],
        actor_id=actor_id,
        params=params,
    )


@when(_assigned)
@many(on_conversations_updated)
def on_conversation_updated(
    *,
    conversation_id: int,
    brand_id: int,
    changes: dict[str, Any],
    actor_id: int | None = None,
    rule_id: int | None = None,
    source: str = "",
    **_: Any,
) -> None:
    on_conversations_updated(
        [
            {
                "conversation_id": conversation_id,
                "brand_id": brand_id,
                "changes": changes,
                "actor_id": actor_id,
                "rule_id": rule_id,
                "source": source,
            }
        ]
    )


def on_messages_created(payloads: list[dict[str, Any]]) -> None:
    """Customer messages and notes of a batch: a query for the messages, one for the
    names of the brands' agents (when there are notes), then ``deliver``."""
    ids = [p["message_id"] for p in payloads if p.get("direction") in (Direction.IN, "note")]
    if not ids:
        return
    rows = list(
        Message.objects.filter(pk__in=ids, direction__in=(Direction.IN, Direction.NOTE))
        .order_by("id")
        .values(
            "id",
            "direction",
            "body",
            "brand_id",
            "author_id",
            "author__display_name",
            "conversation_id",
            "conversation__number",
            "conversation__subject",
            "conversation__assignee_id",
        )
    )
    note_brands = {r["brand_id"] for r in rows if r["direction"] == Direction.NOTE}
    names: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if note_brands:
        for agent_id, brand_id, name in Membership.objects.filter(
            brand_id__in=note_brands, agent__is_active=True
        ).values_list("agent_id", "brand_id", "agent__display_name"):
            names[brand_id].append((agent_id, name))
    directories = {b: Directory(pairs) for b, pairs in names.items()}
    drafts: list[Draft] = []
    for r in rows:
        params = {"number": r["conversation__number"], "subject": r["conversation__subject"]}
        if r["direction"] == Direction.IN:
            if r["conversation__assignee_id"]:
                drafts.append(
                    Draft(
                        agent_id=r["conversation__assignee_id"],
                        brand_id=r["brand_id"],
                        kind=Kind.CUSTOMER_REPLIED,
                        conversation_id=r["conversation_id"],
                        params=params,
                    )
                )
            continue
        directory = directories.get(r["brand_id"])
        if directory is None:
            continue
        excerpt = " ".join(r["body"].split())[:EXCERPT]
        for agent_id in sorted(directory.find(r["body"])):
            drafts.append(
                Draft(
                    agent_id=agent_id,
                    brand_id=r["brand_id"],
                    kind=Kind.MENTIONED,
                    conversation_id=r["conversation_id"],
                    actor_id=r["author_id"],
                    params={
                        **params,
                        "actor": r["author__display_name"] or "",
                        "excerpt": excerpt,
                    },
                )
            )
    services.deliver(drafts)


def on_sla_warning(*, conversation_id: int, brand_id: int, target: str, **_: Any) -> None:
    row = (
        Conversation.objects.filter(pk=conversation_id)
        .values("number", "subject", "assignee_id", "team_id")
        .first()
    )
    if row is None:
        return
    if row["assignee_id"]:
        agent_ids = [row["assignee_id"]]
    elif row["team_id"]:
        agent_ids = list(
            Team.members.through.objects.filter(team_id=row["team_id"]).values_list(
                "agent_id", flat=True
            )
        )
    else:
        return
    params = {"number": row["number"], "subject": row["subject"], "target": target}
    services.deliver(
        Draft(
            agent_id=a,
            brand_id=brand_id,
            kind=Kind.SLA_WARNING,
            conversation_id=conversation_id,
            params=params,
        )
        for a in agent_ids
    )
