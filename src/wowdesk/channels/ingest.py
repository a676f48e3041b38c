"""The one ingest path of every channel: store first, exactly once, then process.

This module is a pipeline edge (like a view or a task): it owns its transactions.
An item is handled in one transaction (one commit, one write lock on SQLite):
1. the envelope is inserted first, keyed by (brand, channel, external_id); for a repeat
   delivery the key is taken, nothing is written (``ON CONFLICT DO NOTHING``), and it is
   answered with the first one's ids;
2. inside a savepoint the customer is resolved, the conversation found or opened and the
   message appended (9 statements for a new customer, 7 for a follow-up; pinned in
   tests/channels/test_ingest_hot_path.py).
   A failure rolls back only the savepoint: the envelope stays, marked ``failed`` with the
   error, and is retried with backoff; after the last try it stays parked where a
   supervisor sees it (admin: Inbound envelopes; ``GET /api/v1/inbound?status=failed``).
Nothing is acknowledged (HTTP 202, SMTP 250) before that commit, so a crash before it
loses nothing the sender was told we have. Routing and SLA clocks react after the commit
(core.events; batched in ``wowdesk serve``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wowdesk.channels.models import EnvelopeStatus, InboundEnvelope
from wowdesk.channels.schema import InboundIn
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Inbox, Message
from wowdesk.core import fastsql
from wowdesk.core.errors import InvalidInput, ServiceError
from wowdesk.core.events import Event, emit
from wowdesk.customers.models import Customer
from wowdesk.customers.services import Contact, complete_customer, find_customer
from wowdesk.intelligence import services as intelligence
from wowdesk.intelligence.language import Ranking
from wowdesk.intelligence.language import rank as rank_language

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8

# When this process last took an inbound item (monotonic seconds): background enrichment
# (emotion scoring) waits while items are arriving, in any server process of this machine
# (the others see a file's modification time: with several processes, the one that gets
# no request would otherwise score at full speed, taking a core from the ones that do).
_last_ingest = [0.0]
_last_touch = [0.0]
BUSY_WINDOW = 0.5


def _busy_file() -> Path:
    return Path(settings.DATA_DIR) / "ingest.busy"


def _note_busy() -> None:
    now = time.monotonic()
    _last_ingest[0] = now
    if now - _last_touch[0] > BUSY_WINDOW / 4:
        _last_touch[0] = now
        with contextlib.suppress(OSError):
            _busy_file().touch()


def busy(window: float = BUSY_WINDOW) -> bool:
    """Did a server process of this machine take an inbound item within ``window`` s?"""
    if time.monotonic() - _last_ingest[0] < window:
        return True
    try:
        return time.time() - _busy_file().stat().st_mtime < window
    except OSError:
        return False


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: 10 s, 20 s, 40 s … capped at one hour."""
    return dt.timedelta(seconds=min(3600, 10 * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class IngestResult:
    envelope_id: int
    message_id: int | None
    conversation_id: int | None
    number: int | None
    status: str
    duplicate: bool


def validate(
    brand_id: int, item: InboundIn, inboxes: dict[tuple[int, str], Inbox] | None = None
) -> Inbox:
    """Checks that need the database, done before anything is stored (no half writes).
    Returns the inbox the item goes to. ``inboxes`` keeps default inboxes found (one
    writer batch reads each once)."""
    _contact(item).identities()  # raises InvalidInput with the field at fault
    if (
        item.conversation_id is not None
        and not Conversation.objects.filter(pk=item.conversation_id, brand_id=brand_id).exists()
    ):
        raise InvalidInput(_("No such conversation in this brand."), field="conversation_id")
    if inboxes is None or item.inbox not in (None, ""):
        return _inbox(brand_id, item)
    key = (brand_id, item.channel)
    inbox = inboxes.get(key)
    if inbox is None:
        inbox = inboxes[key] = _inbox(brand_id, item)
    return inbox


@dataclass
class Pending:
    """An item checked and ready to store (``validate`` passed): a writer job's payload."""

    brand_id: int
    item: InboundIn
    inbox: Inbox
    language: str | None = None  # for the texts of a rejection (the caller's language)
    ranked: Ranking | None = None  # the body's language candidates, ranked before the lock

    @classmethod
    def of(cls, brand_id: int, item: InboundIn, inbox: Inbox, language: str | None) -> Pending:
        """Ready to store: the CPU-only part of language detection is done here, before
        the writer's transaction (on SQLite, while nobody waits for the write lock)."""
        try:
            ranked: Ranking | None = rank_language(item.body)
        except Exception:  # the engine failed to load: detection is retried while storing
            log.exception("ranking the language of an inbound item failed")
            ranked = None
        return cls(brand_id, item, inbox, language, ranked)


@dataclass
class PendingJob:
    """A caller's item handed to the writer thread (channels.writer)."""

    pending: Pending
    future: Future[IngestResult] = field(default_factory=Future)

    def prepare(self, memo: dict[Any, Any]) -> Pending:
        return self.pending


def ingest(brand_id: int, item: InboundIn) -> IngestResult:
    """Store and process one item; its ids once committed. Raises what ``validate``
    raises (nothing stored) or the rejection of an item that was stored and marked."""
    from wowdesk.channels.writer import writer

    _note_busy()
    pending = Pending.of(brand_id, item, validate(brand_id, item), translation.get_language())
    if writer.accepts():
        return writer.submit(PendingJob(pending)).result()
    (outcome,) = store_batch([pending])
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def store_batch(items: list[Pending]) -> list[IngestResult | Exception]:
    """Store and process ``items`` in one transaction (one commit, one write lock), each
    item's processing in a savepoint of its own. The outcome of each, in order: its
    result, or the exception to raise to its sender (a rejection, marked on the stored
    envelope). An error storing an envelope itself (not a repeat: the database failing)
    fails the whole batch, which is rolled back: nobody is told anything was kept."""
    _note_busy()
    outcomes: list[IngestResult | Exception | None] = [None] * len(items)
    repeats: list[int] = []
    with transaction.atomic():
        for i, pending in enumerate(items):
            with _language(pending.language):
                stored = _store_one(pending)
            if stored is None:
                repeats.append(i)  # stored before (or earlier in this batch)
            else:
                outcomes[i] = stored
    for i in repeats:
        try:
            with _language(items[i].language):
                outcomes[i] = _repeat(items[i])
        except Exception as exc:
            outcomes[i] = exc
    return [o if o is not None else RuntimeError("not stored") for o in outcomes]


def _language(code: str | None) -> contextlib.AbstractContextManager[None]:
    return translation.override(code) if code else contextlib.nullcontext()


def _store_one(pending: Pending) -> IngestResult | ServiceError | None:
    """The envelope first (None: there is one already, a repeat), then the processing."""
    item = pending.item
    envelope = fastsql.insert(
        InboundEnvelope,
        unless_there=("brand", "channel", "external_id"),  # the envelope_idempotency key
        brand_id=pending.brand_id,
        channel=item.channel,
        external_id=item.external_id,
        payload=item.model_dump(mode="json", by_alias=True),
    )
    if envelope is None:
        return None
    rejected = _process_stored(envelope, item, pending.inbox, pending.ranked)
    return rejected if rejected is not None else _result(envelope, duplicate=False)


def _repeat(pending: Pending) -> IngestResult:
    """The answer to an item whose envelope already exists: the first one's ids."""
    item = pending.item
    existing = InboundEnvelope.objects.filter(
        brand_id=pending.brand_id, channel=item.channel, external_id=item.external_id
    ).first()
    if existing is None:  # not a repeat: some other constraint failed
        raise IntegrityError(f"inbound item {item.external_id!r} could not be stored")
    if existing.status in (EnvelopeStatus.RECEIVED, EnvelopeStatus.FAILED):
        existing = process(existing.pk)
    return _result(existing, duplicate=True)


def _process_stored(
    envelope: InboundEnvelope, item: InboundIn, inbox: Inbox, ranked: Ranking | None = None
) -> ServiceError | None:
    """Process a just-stored envelope inside its transaction. A failure rolls back the
    processing only and marks the envelope; a rejection is returned, to raise after the
    commit that keeps the envelope."""
    try:
        with transaction.atomic():
            _mark_processed(envelope, _deliver(envelope.brand_id, item, inbox, ranked))
    except ServiceError as exc:
        # The input itself is wrong: retrying cannot help; keep it for a person to see.
        _set_status(envelope, EnvelopeStatus.REJECTED, f"{exc.field or ''}: {exc.message}")
        return exc
    except Exception as exc:
        log.exception("processing inbound envelope %s failed", envelope.pk)
        _set_status(envelope, EnvelopeStatus.FAILED, f"{type(exc).__name__}: {exc}")
    return None


def _mark_processed(envelope: InboundEnvelope, message: Message) -> None:
    envelope.status = EnvelopeStatus.PROCESSED
    envelope.message = message
    envelope.conversation_id_cache = message.conversation_id
    envelope.attempts += 1
    envelope.error = ""
    envelope.processed_at = timezone.now()
    fastsql.update(
        InboundEnvelope,
        envelope.pk,
        status=envelope.status,
        message=message.pk,
        conversation_id_cache=envelope.conversation_id_cache,
        attempts=envelope.attempts,
        error="",
        processed_at=envelope.processed_at,
    )


def _set_status(envelope: InboundEnvelope, status: str, error: str) -> None:
    """A failed or rejected attempt: the error kept, a retry scheduled while any are left
    (the processing it reports was rolled back: no message)."""
    envelope.status = status
    envelope.error = error[:4000]
    envelope.attempts += 1
    envelope.message = None
    envelope.conversation_id_cache = None
    envelope.processed_at = None
    envelope.save(update_fields=["status", "error", "attempts"])
    if status == EnvelopeStatus.FAILED and envelope.attempts < MAX_ATTEMPTS:
        emit(Event.ENVELOPE_FAILED, envelope_id=envelope.pk, attempts=envelope.attempts)


def process(envelope_id: int) -> InboundEnvelope:
    """Turn a stored envelope into a message (a retry, or one left ``received``).
    Safe to call twice: the second is a no-op."""
    try:
        with transaction.atomic():
            envelope = InboundEnvelope.objects.select_for_update().get(pk=envelope_id)
            if envelope.status in (EnvelopeStatus.PROCESSED, EnvelopeStatus.REJECTED):
                return envelope
            item = InboundIn.model_validate(envelope.payload)
            _mark_processed(
                envelope, _deliver(envelope.brand_id, item, _inbox(envelope.brand_id, item))
            )
            return envelope
    except ServiceError as exc:
        # The input itself is wrong (e.g. the conversation was deleted since): retrying
        # cannot help; keep it, marked, for a person to look at.
        _mark(envelope_id, EnvelopeStatus.REJECTED, f"{exc.field or ''}: {exc.message}")
        raise
    except Exception as exc:
        log.exception("processing inbound envelope %s failed", envelope_id)
        _mark(envelope_id, EnvelopeStatus.FAILED, f"{type(exc).__name__}: {exc}")
        return InboundEnvelope.objects.get(pk=envelope_id)


def _mark(envelope_id: int, status: str, error: str) -> None:
    with transaction.atomic():
        _set_status(InboundEnvelope.objects.select_for_update().get(pk=envelope_id), status, error)


def on_envelope_failed(*, envelope_id: int, attempts: int) -> None:
    from wowdesk.channels.tasks import enqueue_later, process_envelope_task

    enqueue_later(process_envelope_task, timezone.now() + retry_delay(attempts), envelope_id)


def on_conversation_updated(*, conversation_id: int, changes: dict[str, Any], **_: Any) -> None:
    """In the merge's own write: the envelopes of a merged conversation lead to the one it
    was merged into (a repeated item is answered with the conversation that lives on)."""
    into = changes.get("merged_into")
    if into is None:
        return
    InboundEnvelope.objects.filter(conversation_id_cache=conversation_id).update(
        conversation_id_cache=into
    )


def retry_due_envelopes(now: dt.datetime | None = None, limit: int = 100) -> int:
    """The sweeper's part: process envelopes left received (a crash) or failed and due."""
    now = now or timezone.now()
    count = 0
    stale = now - dt.timedelta(seconds=30)
    candidates = InboundEnvelope.objects.filter(
        status__in=[EnvelopeStatus.RECEIVED, EnvelopeStatus.FAILED],
        attempts__lt=MAX_ATTEMPTS,
        received_at__lt=stale,
    ).order_by("received_at")[:limit]
    for envelope in candidates:
        if (
            envelope.status == EnvelopeStatus.FAILED
            and envelope.received_at + retry_delay(envelope.attempts) > now
        ):
            continue
        with contextlib.suppress(ServiceError):
            process(envelope.pk)
        count += 1
    return count


def _contact(item: InboundIn) -> Contact:
    handle_kind = "chat" if item.channel == "chat" else "social"
    return Contact(
        name=item.from_.name,
        email=item.from_.email,
        phone=item.from_.phone,
        handle=item.from_.handle,
        handle_kind=handle_kind,
    )


def _inbox(brand_id: int, item: InboundIn) -> Inbox:
    if item.inbox is None or item.inbox == "":
        return conversations.default_inbox(brand_id, item.channel)
    qs = Inbox.objects.filter(brand_id=brand_id)
    ref = item.inbox
    # An id (ASCII digits: "²".isdigit() too) within the column's range, else a name.
    if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit()):
        inbox = qs.filter(pk=int(ref)).first() if 0 < int(ref) <= 2**62 else None
    else:
        inbox = qs.filter(name=ref).first()
    if inbox is None:
        raise InvalidInput(_("No such inbox in this brand."), field="inbox")
    return inbox


def _deliver(
    brand_id: int, item: InboundIn, inbox: Inbox, ranked: Ranking | None = None
) -> Message:
    contact = _contact(item)
    found = find_customer(brand_id, contact)
    conversation: Conversation | None = None
    if item.conversation_id is not None:
        conversation = Conversation.objects.filter(
            pk=item.conversation_id, brand_id=brand_id
        ).first()
        if conversation is None:
            raise InvalidInput(_("No such conversation in this brand."), field="conversation_id")
        if conversation.merged_into_id is not None:
            conversation = conversations.live_conversation(conversation)
    elif found.customer is not None and item.channel != "email":
        # A mail that names no conversation opens a new one, even from a customer with
        # another one open (threading is by headers: channels/email/threading.py).
        conversation = conversations.find_open_conversation(found.customer, inbox)
    note = intelligence.annotate(
        item.body,
        fallback_language=intelligence.fallback_language(found.customer, conversation),
        ranked=ranked,
    )
    learnt = intelligence.learn_language(note, conversation, found.customer)
    customer, created = complete_customer(found, contact, language=learnt.customer)
    if learnt.customer and not created:
        Customer.objects.filter(pk=customer.pk).update(language=learnt.customer)
        customer.language = learnt.customer
    new_conversation = conversation is None
    if conversation is None:
        subject = item.subject.strip() or _first_line(item.body)
        conversation = conversations.create_conversation(
            inbox=inbox,
            customer=customer,
            subject=subject,
            language=learnt.conversation,
            for_incoming=True,
        )
    message = conversations.append_incoming(
        conversation,
        customer,
        conversations.IncomingMessage(
            body=item.body,
            channel=item.channel,
            external_id=item.external_id,
            html=item.html,
            sent_at=item.sent_at,
            meta={**(item.meta or {}), "language_source": note.language_source},
            language=note.language,
            language_confidence=note.language_confidence,
            conversation_language="" if new_conversation else learnt.conversation,
        ),
        new_conversation=new_conversation,
    )
    message.conversation = conversation
    return message


def _first_line(body: str, limit: int = 80) -> str:
    line = body.strip().splitlines()[0] if body.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _result(envelope: InboundEnvelope, *, duplicate: bool) -> IngestResult:
    number = _loaded_number(envelope)
    if number is None and envelope.conversation_id_cache is not None:
        number = (
            Conversation.objects.filter(pk=envelope.conversation_id_cache)
            .values_list("number", flat=True)
            .first()
        )
    return IngestResult(
        envelope_id=envelope.pk,
        message_id=envelope.message_id,
        conversation_id=envelope.conversation_id_cache,
        number=number,
        status=envelope.status,
        duplicate=duplicate,
    )


def _loaded_number(envelope: InboundEnvelope) -> int | None:
    """The conversation's number if ``process`` just loaded it (saves a query)."""
    if not InboundEnvelope.message.is_cached(envelope) or envelope.message is None:
        return None
    message = envelope.message
    if not Message.conversation.is_cached(message):
        return None
    return int(message.conversation.number)
