"""Background work of the webhooks (Django's tasks API)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook_task(delivery_id: int) -> str:
    from wowdesk.webhooks.services import deliver

    done = deliver(delivery_id)
    return str(done.status) if done is not None else "not due"
