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

from wowdesk.core.events import many

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


def on_conversations_updated(payloads: list[dict[str, Any]]) -> None:
    """Conversations just resolved become candidates of the loop (one batch: a bulk resolve
    of a hundred is two queries, and nothing at all when none was resolved)."""
    resolved = {
        p["conversation_id"]: p["brand_id"]
        for p in payloads
        if (p.get("changes") or {}).get("status") == "resolved"
    }
    if not resolved:
        return
    from wowdesk.conversations.models import Conversation
    from wowdesk.knowledge import loop_services

    when = dict(Conversation.objects.filter(pk__in=list(resolved)).values_list("id", "resolved_at"))
    now = timezone.now()
    loop_services.record_candidates(
        [(cid, brand_id, when.get(cid) or now) for cid, brand_id in resolved.items()]
    )


@many(on_conversations_updated)
def on_conversation_updated(**payload: Any) -> None:
    """A conversation resolved becomes a candidate of the loop."""
    on_conversations_updated([payload])


def run() -> None:
    """The periodic job."""
    from wowdesk.knowledge import loop_services

    loop_services.run_due()
