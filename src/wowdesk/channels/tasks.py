"""Background work of the ingest pipeline (Django's tasks API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task
from django_tasks.base import Task


@task()
def process_envelope_task(envelope_id: int) -> str:
    from wowdesk.channels.ingest import process
    from wowdesk.core.errors import ServiceError

    try:
        return str(process(envelope_id).status)
    except ServiceError as exc:
        return f"rejected: {exc.message}"


@task()
def deliver_outbox_task(outbox_id: int) -> str:
    from wowdesk.channels.outbox import deliver

    return str(deliver(outbox_id).status)


@task()
def sweep_task() -> dict[str, int]:
    return sweep()


def sweep() -> dict[str, int]:
    """Pick up what a crash or a lost task left behind. The worker runs it every 30 s."""
    from wowdesk.channels.ingest import retry_due_envelopes
    from wowdesk.channels.outbox import deliver_due
    from wowdesk.routing import presence, sla
    from wowdesk.routing import services as routing
    from wowdesk.webhooks import services as webhooks

    done = {"envelopes": retry_due_envelopes(), "outbox": deliver_due()}
    done["sla_started"] = sla.start_missed()
    done.update(sla.check_due())
    done.update(routing.wake_snoozed())
    done.update(presence.sweep())
    done.update(routing.tick())
    done["webhooks"] = webhooks.deliver_due()
    return done


def enqueue_later(t: Task[Any, Any], when: dt.datetime, *args: Any) -> None:
    """Enqueue with ``run_after`` where the backend can defer; otherwise the sweeper
    picks the work up when it is due."""
    if t.get_backend().supports_defer:
        t.using(run_after=when).enqueue(*args)
