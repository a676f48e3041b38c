"""The delivery of the outbox: a reply is queued by ``conversations.services.add_reply``
in the reply's own transaction and delivered after commit here, by its channel adapter,
with retries and a visible ``failed`` state. Every outcome is written back through the
conversations services (``claim_delivery``, ``record_delivery``), which own the rows."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from wowdesk.channels import failures
from wowdesk.channels.adapters import PermanentSendError, adapter_for
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Message, OutboxMessage, OutboxStatus
from wowdesk.core.events import outside_transaction
from wowdesk.core.models import Agent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min … capped at one hour."""
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


# In `wowdesk serve`, a reply is sent by one of a few threads of the process that wrote
# it, right after the commit: no task row to write, poll and close for each reply. A row
# whose process stopped before sending it is sent by the worker's sweeper (``deliver_due``).
SENDER_THREADS = 2
_senders: ThreadPoolExecutor | None = None
_senders_lock = threading.Lock()


@outside_transaction
def on_outbound_queued(*, outbox_id: int, **_: object) -> None:
    """Hand the row to a sender thread; without one, enqueue its task (one statement of
    its own: no transaction, which on SQLite is the write lock, for every reply)."""
    if os.environ.get("WOWDESK_SERVING") == "1":
        _sender_pool().submit(_deliver_here, outbox_id)
        return
    from wowdesk.channels.tasks import deliver_outbox_task

    deliver_outbox_task.enqueue(outbox_id)


def _sender_pool() -> ThreadPoolExecutor:
    global _senders
    with _senders_lock:
        if _senders is None:
            _senders = ThreadPoolExecutor(SENDER_THREADS, thread_name_prefix="wowdesk-outbox")
        return _senders


def _deliver_here(outbox_id: int) -> None:
    close_old_connections()
    try:
        deliver(outbox_id)
    except Exception:  # the row stays queued: the sweeper sends it
        log.exception("delivering outbox %s failed", outbox_id)
    finally:
        close_old_connections()


def lease() -> dt.timedelta:
    """How long a row being sent is left to its sender (longer than any send can take)."""
    return dt.timedelta(seconds=settings.CONFIG.outbox_lease_seconds)


def in_flight(row: OutboxMessage, now: dt.datetime) -> bool:
    """Claimed by a sender whose lease runs (``conversations.services``)."""
    return conversations.delivery_in_flight(row, now)


def deliver(outbox_id: int) -> OutboxMessage:
    """Try to send one queued message now. Safe to call twice, and at once from two
    workers: the row is claimed with a lease (``next_attempt_at`` moved past the send)
    before the adapter runs, so a task and the sweeper never send it both. No transaction
    is open while the adapter talks to the network.

    A sender killed after the channel took the message but before the row says so
    leaves the row claimed; when the lease expires the sweeper sends it again with the
    same channel id (the email Message-ID), so delivery is at least once, and a
    duplicate is possible only in that window (docs/channels.md, "Nothing lost")."""
    row, claimed = conversations.claim_delivery(outbox_id, until=timezone.now() + lease())
    if not claimed:
        return row
    if row.attempts > 1 and not row.last_error:
        log.warning(
            "outbox %s in doubt: an earlier attempt stopped without an outcome; "
            "sending message %s again",
            outbox_id,
            row.message_id,
        )
    adapter = adapter_for(row.channel)
    error = kind = ""
    permanent = False
    if adapter is None:
        error = f"no outbound adapter for channel '{row.channel}' is configured"
        kind, permanent = failures.NO_ADAPTER, True
    else:
        try:
            adapter.send(row.message)
        except PermanentSendError as exc:
            error, permanent = str(exc) or type(exc).__name__, True
            kind = failures.classify(exc, row.channel)
        except Exception as exc:  # network, server busy…: try again later
            log.warning("sending outbox %s failed: %s", outbox_id, exc)
            error = f"{type(exc).__name__}: {exc}"
            kind = failures.classify(exc, row.channel)
        else:
            return conversations.record_delivery(outbox_id, sent=True)
    retry_at = None
    if not permanent and row.attempts < MAX_ATTEMPTS:
        retry_at = timezone.now() + backoff(row.attempts)
    row = conversations.record_delivery(outbox_id, error=error, kind=kind, retry_at=retry_at)
    if retry_at is not None:
        when = retry_at
        transaction.on_commit(lambda: _schedule(outbox_id, when))
    return row


def fail_delivered(message: Message, error: str, *, kind: str) -> OutboxMessage | None:
    """The channel took the message but reports later that it could not deliver it (an
    email bounce): its row is parked as failed."""
    return conversations.fail_delivered(message, error, kind=kind)


def state(row: OutboxMessage) -> str:
    """What the message shows (``OutboxMessage.state``)."""
    return row.state()


def _schedule(outbox_id: int, when: dt.datetime) -> None:
    from wowdesk.channels.tasks import deliver_outbox_task
    from wowdesk.core.jobs import enqueue_later

    enqueue_later(deliver_outbox_task, when, outbox_id)


def retry_failed(row: OutboxMessage, *, actor: Agent | None = None) -> OutboxMessage:
    """A person asked to try a failed message again (``conversations.services``)."""
    return conversations.retry_delivery(row, actor=actor)


def deliver_due(now: dt.datetime | None = None, limit: int = 100) -> int:
    """The sweeper's part: queued rows whose time has come (e.g. after a worker crash)."""
    now = now or timezone.now()
    ids = list(
        OutboxMessage.objects.filter(
            status=OutboxStatus.QUEUED, next_attempt_at__lte=now - dt.timedelta(seconds=30)
        ).values_list("id", flat=True)[:limit]
    )
    for pk in ids:
        deliver(pk)
    return len(ids)
