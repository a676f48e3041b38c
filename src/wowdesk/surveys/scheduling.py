"""Surveys: when they are made and when they go out.

* ``conversation.updated`` (after commit): a conversation resolved gets its surveys,
  due ``delay_minutes`` after the resolution (``services.schedule_resolved``); one
  reopened has its surveys not yet sent expired (``reopened``). A ``@many`` listener: a
  bulk resolve of a hundred conversations is a constant number of queries, and nothing
  at all when no status changed.
* the job ``surveys`` (every ``JOB_SECONDS``) sends the surveys due, one message per
  resolution, and expires those past their ``expires_at`` (``timeout``), in batches.
"""

from __future__ import annotations

from typing import Any

from wowdesk.core.events import many, when

JOB_SECONDS = 60.0


def register() -> None:
    """Listeners and jobs of this part (called from ``SurveysConfig.ready``)."""
    from wowdesk.core import events, jobs
    from wowdesk.core.events import Event, Phase

    events.listen(
        Event.CONVERSATION_UPDATED,
        "wowdesk.surveys.scheduling.on_conversation_updated",
        phase=Phase.COMMIT,
    )
    jobs.every(JOB_SECONDS, "surveys", "wowdesk.surveys.scheduling.run")


def _status_changed(**payload: Any) -> bool:
    return "status" in (payload.get("changes") or {})


def on_conversations_updated(payloads: list[dict[str, Any]]) -> None:
    """Resolved: surveys scheduled; reopened (any other status after resolved): the ones
    not yet sent expire."""
    from wowdesk.surveys import services

    resolved: list[int] = []
    resolvers: dict[int, int] = {}
    reopened: list[int] = []
    for p in payloads:
        status = (p.get("changes") or {}).get("status")
        if status == "resolved":
            resolved.append(p["conversation_id"])
            if p.get("actor_id"):
                resolvers[p["conversation_id"]] = p["actor_id"]
        elif status is not None:
            # only a resolved conversation has surveys waiting: any other status is a reopen
            reopened.append(p["conversation_id"])
    if reopened:
        services.expire_reopened(reopened)
    if resolved:
        services.schedule_resolved(resolved, resolvers=resolvers)


@when(_status_changed)
@many(on_conversations_updated)
def on_conversation_updated(**payload: Any) -> None:
    """A conversation resolved or reopened."""
    on_conversations_updated([payload])


def run() -> dict[str, int]:
    """The periodic job."""
    from wowdesk.surveys import services

    return services.run_job()
