"""The outbox: a reply is queued in the reply's own transaction and delivered after commit
by its channel adapter, with retries and a visible ``failed`` state."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.channels import failures
from wowdesk.channels.adapters import PermanentSendError, adapter_for
from wowdesk.channels.models import OutboxMessage, OutboxStatus
from wowdesk.conversations.models import Message
from wowdesk.core import audit, permissions
from wowdesk.core.events import Event, emit
from wowdesk.core.models import Agent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min … capped at one hour."""
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def queue_outbound(message: Message) -> OutboxMessage:
    row = OutboxMessage.objects.create(
        brand_id=message.brand_id,
        message=message,
        channel=message.channel,
        next_attempt_at=timezone.now(),
    )
    emit(Event.OUTBOUND_QUEUED, outbox_id=row.pk)
    return row


def on_outbound_queued(*, outbox_id: int) -> None:
    from wowdesk.channels.tasks import deliver_outbox_task

    deliver_outbox_task.enqueue(outbox_id)


def lease() -> dt.timedelta:
    """How long a row being sent is left to its sender (longer than any send can take)."""
    return dt.timedelta(seconds=settings.CONFIG.outbox_lease_seconds)


def in_flight(row: OutboxMessage, now: dt.datetime) -> bool:
    """Claimed by a sender whose lease runs: an attempt began and has no outcome yet
    (every failed attempt records its error; a sent row is no longer queued)."""
    return (
        row.status == OutboxStatus.QUEUED
        and row.attempts > 0
        and not row.last_error
        and row.next_attempt_at > now
    )


def deliver(outbox_id: int) -> OutboxMessage:
    """Try to send one queued message now. Safe to call twice, and at once from two
    workers: the row is claimed with a lease (``next_attempt_at`` moved past the send)
    before the adapter runs, so a task and the sweeper never send it both.

    A sender killed after the channel took the message but before the row says so
    leaves the row claimed; when the lease expires the sweeper sends it again with the
    same channel id (the email Message-ID), so delivery is at least once, and a
    duplicate is possible only in that window (docs/channels.md, "Nothing lost")."""
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().select_related("message").get(pk=outbox_id)
        now = timezone.now()
        if row.status != OutboxStatus.QUEUED or in_flight(row, now):
            return row
        if row.attempts > 0 and not row.last_error:
            log.warning(
                "outbox %s in doubt: an earlier attempt stopped without an outcome; "
                "sending message %s again",
                outbox_id,
                row.message_id,
            )
        row.attempts += 1
        row.next_attempt_at = now + lease()
        row.save(update_fields=["attempts", "next_attempt_at"])
    adapter = adapter_for(row.channel)
    error = kind = ""
    result: dict[str, str] | None = None
    permanent = False
    if adapter is None:
        error = f"no outbound adapter for channel '{row.channel}' is configured"
        kind, permanent = failures.NO_ADAPTER, True
    else:
        try:
            result = adapter.send(row.message)
        except PermanentSendError as exc:
            error, permanent = str(exc) or type(exc).__name__, True
            kind = failures.classify(exc, row.channel)
        except Exception as exc:  # network, server busy…: try again later
            log.warning("sending outbox %s failed: %s", outbox_id, exc)
            error = f"{type(exc).__name__}: {exc}"
            kind = failures.classify(exc, row.channel)
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().get(pk=outbox_id)
        now = timezone.now()
        if result is not None:
            row.status = OutboxStatus.SENT
            row.sent_at = now
            row.last_error = row.error_kind = ""
            Message.objects.filter(pk=row.message_id).update(sent_at=now)
        elif permanent or row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.FAILED
            row.last_error, row.error_kind = error[:4000], kind
        else:
            row.last_error, row.error_kind = error[:4000], kind
            row.next_attempt_at = now + backoff(row.attempts)
            transaction.on_commit(lambda: _schedule(outbox_id, row.next_attempt_at))
        row.save()
        _changed(row)
    return row


def fail_delivered(message: Message, error: str, *, kind: str) -> OutboxMessage | None:
    """The channel took the message but reports later that it could not deliver it (an
    email bounce): its row is parked as failed, as a failed attempt would have left it."""
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().filter(message=message).first()
        if row is None:
            return None
        row.status = OutboxStatus.FAILED
        row.last_error, row.error_kind = error[:4000], kind
        row.save(update_fields=["status", "last_error", "error_kind"])
        _changed(row)
    return row


def state(row: OutboxMessage) -> str:
    """What the message shows: ``queued`` (not tried yet, or being sent), ``retrying`` (an
    attempt failed, another is due at ``next_attempt_at``), ``sent`` or ``failed``."""
    if row.status == OutboxStatus.QUEUED and row.last_error:
        return "retrying"
    return str(row.status)


def _changed(row: OutboxMessage) -> None:
    """After each change of a row's delivery state: the conversation's flag, and the event
    (the message updates live, the author hears of a failure)."""
    from wowdesk.conversations.services import note_delivery
    from wowdesk.core.models import AlertKind
    from wowdesk.core.services import create_alert

    conversation_id, number = (
        Message.objects.filter(pk=row.message_id)
        .values_list("conversation_id", "conversation__number")
        .get()
    )
    note_delivery(conversation_id)
    if row.status == OutboxStatus.FAILED:
        create_alert(
            row.brand_id,
            AlertKind.DELIVERY_FAILED,
            _("A reply in conversation #%(n)s could not be delivered: %(reason)s")
            % {"n": number, "reason": failures.reason(row.error_kind, row.channel)},
            conversation_id=conversation_id,
            message_id=row.message_id,
            params={"number": number, "reason": row.error_kind, "channel": row.channel},
        )
    emit(
        Event.MESSAGE_DELIVERY_CHANGED,
        outbox_id=row.pk,
        brand_id=row.brand_id,
        message_id=row.message_id,
        conversation_id=conversation_id,
        state=state(row),
    )


def _schedule(outbox_id: int, when: dt.datetime) -> None:
    from wowdesk.channels.tasks import deliver_outbox_task
    from wowdesk.core.jobs import enqueue_later

    enqueue_later(deliver_outbox_task, when, outbox_id)


@transaction.atomic
def retry_failed(row: OutboxMessage, *, actor: Agent | None = None) -> OutboxMessage:
    """A person asked to try a failed message again: the author, the conversation's
    assignee or a supervisor of its brand (``permissions.check_may_retry``)."""
    from wowdesk.core.errors import InvalidInput

    message = Message.objects.select_related("conversation").get(pk=row.message_id)
    if actor is not None:
        permissions.check_may_retry(actor, message)
    if row.status != OutboxStatus.FAILED:
        raise InvalidInput(_("Only a failed message can be retried."), field="outbox_id")
    before = {"status": row.status, "attempts": row.attempts, "error_kind": row.error_kind}
    row.status = OutboxStatus.QUEUED
    row.attempts = 0
    row.last_error = row.error_kind = ""
    row.next_attempt_at = timezone.now()
    row.save(update_fields=["status", "attempts", "last_error", "error_kind", "next_attempt_at"])
    audit.record(
        action="outbox.retry",
        obj=row,
        actor=actor,
        brand_id=row.brand_id,
        before=before,
        after={"status": row.status},
    )
    emit(Event.OUTBOUND_QUEUED, outbox_id=row.pk)
    _changed(row)
    return row


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
