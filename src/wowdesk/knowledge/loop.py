"""The knowledge loop: resolved conversations that no article covers become proposed
articles for the knowledge managers.

* ``conversation.updated`` with the status becoming resolved (after commit) records a
  candidate (``loop_services.record_candidate``);
* the job ``knowledge-loop`` (every ``JOB_SECONDS``) proposes every candidate resolved
  ``WOWDESK_KB_PROPOSAL_DAYS`` (7) days ago or more and not reopened since
  (``loop_services.run_due``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

JOB_SECONDS = 600.0


def register() -> None:
    """Listeners, panels and jobs of this part (called from ``KnowledgeConfig.ready``)."""
    from wowdesk.core import events, jobs
    from wowdesk.core.events import Event, Phase

    events.listen(
        Event.CONVERSATION_UPDATED,
        "wowdesk.knowledge.loop.on_conversation_updated",
        phase=Phase.COMMIT,
    )
    jobs.every(JOB_SECONDS, "knowledge-loop", "wowdesk.knowledge.loop.run")


def on_conversation_updated(
    *, conversation_id: int, brand_id: int, changes: dict[str, Any], **_: Any
) -> None:
    if changes.get("status") != "resolved":
        return
    from wowdesk.conversations.models import Conversation
    from wowdesk.knowledge import loop_services

    resolved_at = (
        Conversation.objects.filter(pk=conversation_id)
        .values_list("resolved_at", flat=True)
        .first()
    )
    loop_services.record_candidate(conversation_id, brand_id, resolved_at or timezone.now())


def run() -> None:
    """The periodic job."""
    from wowdesk.knowledge import loop_services

    loop_services.run_due()
