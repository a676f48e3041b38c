"""Policies: grants and approvals — the listeners, the approval deadline job, the alert's
sentence (called from ``PoliciesConfig.ready``).

* ``grant.created`` / ``grant.decided`` (after commit) → ``on_grant_changed``: the
  conversation's open tabs hear ``message.created`` (the activity line) and
  ``conversation.updated``; the brand's boards hear ``board.changed``; the requester's
  own tabs hear ``grant.changed``;
* (a customer's erasure is ``policies/privacy.py``'s: the grants keep their figures, their
  reason and details are erased;)
* the job ``approval-overdue`` (every ``OVERDUE_SECONDS``) → ``services.run_overdue``: one
  ``approval_overdue`` alert per pending approval past its deadline, once.
"""

from __future__ import annotations

from typing import Any

OVERDUE_SECONDS = 60.0


def register() -> None:
    """Register this part's listeners, jobs and alert sentence."""
    from wowdesk.core import alerts, jobs
    from wowdesk.core.events import Event, Phase, listen
    from wowdesk.core.i18n import register_choices
    from wowdesk.core.models import AlertKind
    from wowdesk.policies import services

    register_choices("grant_action", "wowdesk.policies.models.GrantAction")
    listen(Event.GRANT_CREATED, "wowdesk.policies.grants.on_grant_changed", phase=Phase.COMMIT)
    listen(Event.GRANT_DECIDED, "wowdesk.policies.grants.on_grant_changed", phase=Phase.COMMIT)
    jobs.every(OVERDUE_SECONDS, "approval-overdue", "wowdesk.policies.services.run_overdue")
    alerts.register(AlertKind.APPROVAL_OVERDUE, services.overdue_sentence)


def on_grant_changed(
    *,
    grant_id: int,
    brand_id: int,
    conversation_id: int,
    agent_id: int | None,
    status: str,
    approval_id: int | None = None,
    **_: Any,
) -> None:
    """Tell open workspaces: the conversation (its new activity line), the brand's board,
    and the requesting agent."""
    from wowdesk.core.realtime import agent_group, brand_group, conversation_group, publish

    data = {"grant_id": grant_id, "conversation_id": conversation_id, "status": status}
    publish(
        conversation_group(conversation_id), "conversation.updated", conversation_id=conversation_id
    )
    publish(conversation_group(conversation_id), "grant.changed", **data)
    if approval_id is not None:
        publish(brand_group(brand_id), "board.changed", approval_id=approval_id)
    if agent_id is not None:
        publish(agent_group(agent_id), "grant.changed", **data)
