"""Background work of the ingest pipeline (Django's tasks API)."""

from __future__ import annotations

from django_tasks import task


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
    """Pick up what a crash or a lost task left behind: inbound envelopes not processed,
    outbox rows whose time has come. The worker runs it every 30 s (core.jobs)."""
    from wowdesk.channels.ingest import retry_due_envelopes
    from wowdesk.channels.outbox import deliver_due

    return {"envelopes": retry_due_envelopes(), "outbox": deliver_due()}
