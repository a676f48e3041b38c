"""What the knowledge app keeps about a customer (``customer.erasing``, docs/privacy.md).

Bot sessions of the customer's conversations keep intent, outcome, confidence and times
(the bot's reports); their summary and what was tried are blanked. Proposals the
knowledge loop drafted from those conversations keep their status; their title and body
(the customer's words, perhaps) become ``[erased]``. Searches (``SearchLog``) are not
tied to a customer: the help center and the API log them without one.
"""

from __future__ import annotations

from typing import Any

from wowdesk.conversations.models import Conversation
from wowdesk.core import privacy as core_privacy
from wowdesk.core.privacy import ERASED, scrub
from wowdesk.knowledge.models import BotSession, Proposal


def on_customer_erasing(customer_id: int, brand_id: int) -> None:
    conversation_ids = Conversation.objects.filter(customer_id=customer_id).values("pk")
    sessions = list(BotSession.objects.filter(conversation_id__in=conversation_ids))
    for s in sessions:
        s.summary = ERASED if s.summary else ""
        s.tried = scrub(s.tried)
    BotSession.objects.bulk_update(sessions, ["summary", "tried"])
    core_privacy.tally("bot_sessions", len(sessions))
    proposals = Proposal.objects.filter(conversation_id__in=conversation_ids).update(
        title=ERASED, body=ERASED
    )
    core_privacy.tally("proposals", proposals)


def export_bot_sessions(customer_id: int, brand_id: int) -> list[dict[str, Any]]:
    return [
        {
            "conversation_id": s.conversation_id,
            "language": s.language,
            "intent": s.intent,
            "outcome": s.outcome,
            "summary": s.summary,
        }
        for s in BotSession.objects.filter(conversation__customer_id=customer_id).order_by("pk")
    ]


def register() -> None:
    """Listener and export section (called from ``KnowledgeConfig.ready``)."""
    from wowdesk.core.events import Event, Phase, listen

    listen(
        Event.CUSTOMER_ERASING,
        "wowdesk.knowledge.privacy.on_customer_erasing",
        phase=Phase.TRANSACTION,
    )
    core_privacy.register_exporter(
        "bot_sessions", "wowdesk.knowledge.privacy.export_bot_sessions", order=40
    )
