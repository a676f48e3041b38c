"""API: the one inbound endpoint of every channel, and the supervisor's view of what
failed on the way in or out."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from wowdesk.channels import failures, ingest, outbox
from wowdesk.channels.models import EnvelopeStatus, InboundEnvelope
from wowdesk.channels.schema import InboundIn, InboundOut
from wowdesk.conversations.models import OutboxMessage, OutboxStatus
from wowdesk.core import permissions, ratelimit
from wowdesk.core.api import me
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS

router = Router(tags=["channels"])


@router.post("/inbound", response={202: InboundOut, **ERRORS})
def inbound(request: HttpRequest, payload: InboundIn) -> Status[InboundOut]:
    """One inbound message from any channel. Stored before anything else; the same
    ``external_id`` again returns the same ids and stores nothing new. A follow-up from
    the same customer joins their open conversation on that inbox (a mail only when it
    names its conversation). At most ``WOWDESK_INBOUND_RATE`` items per token per second:
    beyond, 429 with ``Retry-After``."""
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    ratelimit.check(ratelimit.token_key(token), ratelimit.inbound_rate())
    brand_id = permissions.pick_brand(me(request), payload.brand_id)
    return Status(202, inbound_out(ingest.ingest(brand_id, payload)))


def inbound_out(result: ingest.IngestResult) -> InboundOut:
    """The answer to an inbound item."""
    return InboundOut(**inbound_answer(result))


def inbound_answer(result: ingest.IngestResult) -> dict[str, Any]:
    """The fields of ``InboundOut``, in its order, as plain JSON values (channels/fastpath.py
    answers with them directly: building the schema cost a tenth of its CPU)."""
    return {
        "message_id": result.message_id,
        "conversation_id": result.conversation_id,
        "number": result.number,
        "status": result.status,
        "duplicate": result.duplicate,
    }


class EnvelopeOut(Schema):
    id: int
    brand_id: int
    channel: str
    external_id: str
    status: str
    attempts: int
    error: str
    message_id: int | None
    received_at: dt.datetime
    processed_at: dt.datetime | None


class EnvelopesOut(Schema):
    items: list[EnvelopeOut]
    total: int


@router.get("/inbound", response={200: EnvelopesOut, **ERRORS})
def list_envelopes(
    request: HttpRequest, status: EnvelopeStatus | None = None, limit: int = Query(50, ge=1, le=500)
) -> EnvelopesOut:
    """Inbound items by state (supervisors): ``failed`` and ``rejected`` ones need a look."""
    permissions.require_role(me(request), Role.SUPERVISOR)
    qs = permissions.scope(InboundEnvelope.objects.all(), me(request), role=Role.SUPERVISOR)
    if status:
        qs = qs.filter(status=status)
    return EnvelopesOut(items=[EnvelopeOut.from_orm(e) for e in qs[:limit]], total=qs.count())


class OutboxOut(Schema):
    id: int
    message_id: int
    conversation_id: int
    channel: str
    status: str
    attempts: int
    last_error: str
    # why the last attempt failed (channels.failures) and that reason in words
    error_kind: str
    reason: str
    state: str
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None


def outbox_out(o: OutboxMessage) -> OutboxOut:
    return OutboxOut(
        id=o.pk,
        message_id=o.message_id,
        conversation_id=o.message.conversation_id,
        channel=o.channel,
        status=o.status,
        attempts=o.attempts,
        last_error=o.last_error,
        error_kind=o.error_kind,
        reason=failures.reason(o.error_kind, o.channel) if o.error_kind else "",
        state=outbox.state(o),
        next_attempt_at=o.next_attempt_at,
        sent_at=o.sent_at,
    )


@router.get("/outbox", response={200: list[OutboxOut], **ERRORS})
def list_outbox(
    request: HttpRequest, status: OutboxStatus | None = None, limit: int = Query(50, ge=1, le=500)
) -> list[OutboxOut]:
    """Outgoing messages by delivery state; ``failed`` ones are never silently dropped."""
    qs = permissions.scope(OutboxMessage.objects.select_related("message"), me(request))
    if status:
        qs = qs.filter(status=status)
    return [outbox_out(o) for o in qs.order_by("-id")[:limit]]


@router.post("/outbox/{outbox_id}/retry", response={200: OutboxOut, **ERRORS})
def retry_outbox(request: HttpRequest, outbox_id: int) -> OutboxOut:
    """Send a failed message again (its author, the assignee or a supervisor)."""
    from django.db import transaction

    with transaction.atomic():
        row = permissions.get_for_agent(
            OutboxMessage.objects.select_related("message"), me(request), outbox_id
        )
        outbox.retry_failed(row, actor=me(request))
    return outbox_out(row)
