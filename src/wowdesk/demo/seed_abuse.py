"""Demo data for abusive customers (``docs/abuse.md``): in each brand, one open report of
an angry customer (their first message as the evidence, by the agent who had the
conversation), for a supervisor to decide on ``/policies/abuse/``. It writes no message
(a decision would add activity lines dated now to the year's history). Deterministic (the
brand's first angry conversation by id) and run once per brand, with its history."""

from __future__ import annotations

from collections.abc import Sequence

from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.models import Agent
from wowdesk.policies import abuse_services


def seed(rows: Sequence[Conversation], angry: Sequence[bool], supervisors: Sequence[Agent]) -> int:
    """Returns the number of reports written (0 or 1)."""
    if not supervisors:
        return 0
    picked = sorted((r for r, a in zip(rows, angry, strict=True) if a), key=lambda r: r.pk)
    firsts = {
        m.conversation_id: m
        for m in Message.objects.filter(
            conversation_id__in=[r.pk for r in picked[:20]], direction=Direction.IN
        ).order_by("-id")
    }
    candidates = [r for r in picked[:20] if r.pk in firsts and r.assignee_id is not None]
    if not candidates:
        return 0
    reported = candidates[0]
    abuse_services.report_abuse(
        reported.assignee,  # type: ignore[arg-type]
        reported.customer,
        conversation_id=reported.pk,
        message_ids=[firsts[reported.pk].pk],
        note="Insults and shouting in every message; I asked twice to keep it polite.",
    )
    return 1
