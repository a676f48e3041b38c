"""Inbound mail: spool the raw bytes and commit a row first, then parse, thread and hand
the mail to the one ingest path, or record why not (a loop, a bounce, bad mail).

This module is a pipeline edge like ``wowdesk.channels.ingest``: it owns its
transactions. Every write to the email channel's rows goes through here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import ValidationError

from wowdesk.channels import ingest
from wowdesk.channels.email.loops import loop_reason
from wowdesk.channels.email.models import EmailMailbox, RawMail, RawMailStatus
from wowdesk.channels.email.parse import DeliveryReport, ParsedMail, parse_mail
from wowdesk.channels.email.threading import Threading, our_message_pk, thread_mail
from wowdesk.channels.schema import InboundIn
from wowdesk.config import Config
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Attachment, Channel, Conversation, Inbox, Message
from wowdesk.core import i18n as i18n_text
from wowdesk.core.errors import ServiceError
from wowdesk.customers.identity import InvalidAddress, inbox_address_key

log = logging.getLogger(__name__)

MAX_ATTEMPTS = ingest.MAX_ATTEMPTS
SCHEMA_MAX_BODY = 200_000
SCHEMA_MAX_HTML = 1_000_000


def config() -> Config:
    cfg: Config = settings.CONFIG
    return cfg


# --- addresses ------------------------------------------------------------------------


def inboxes_for(address: str) -> list[Inbox]:
    """The one email inbox that takes mail for this address (an empty list: none).

    Addresses are compared as inboxes claim them (``inbox_address_key``): case folded,
    plus-addressing folded; each key belongs to one inbox in the whole installation."""
    try:
        key = inbox_address_key(address)
    except InvalidAddress:
        return []
    return list(Inbox.objects.filter(channel=Channel.EMAIL, address_key=key)[:1])


def own_addresses() -> set[str]:
    """Every address this installation sends from: a mail from one of them is our own
    (or another brand's) mail coming back, never a customer's."""
    cfg = config()
    addresses = set(
        Inbox.objects.filter(channel=Channel.EMAIL)
        .exclude(address="")
        .values_list("address", flat=True)
    )
    addresses |= {cfg.support_address, _bare(cfg.email_from)}
    return {a.lower() for a in addresses if a}


def _bare(address: str) -> str:
    from email.utils import parseaddr

    return parseaddr(address)[1] if address else ""


# --- store first ----------------------------------------------------------------------


def spool_dir() -> Path:
    return Path(settings.DATA_DIR) / "mail" / "spool"


def _spool(raw: bytes) -> tuple[str, str]:
    """Write the bytes durably under the data dir; the same bytes, the same file."""
    digest = hashlib.sha256(raw).hexdigest()
    relative = f"{digest[:2]}/{digest}.eml"
    path = spool_dir() / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return relative, digest


def read_spooled(row: RawMail) -> bytes | None:
    if not row.spool_path:
        return None
    path = spool_dir() / row.spool_path
    return path.read_bytes() if path.exists() else None


def store_raw(
    raw: bytes,
    *,
    source: str,
    inbox: Inbox | None,
    mail_from: str | None = None,
    rcpt_to: Iterable[str] = (),
    mailbox: EmailMailbox | None = None,
    uidvalidity: int | None = None,
    uid: int | None = None,
) -> tuple[RawMail, bool]:
    """Spool and commit one mail before anything reads it. An IMAP message already
    stored (same mailbox, UIDVALIDITY and UID) is found, not stored twice."""
    relative, digest = _spool(raw)
    try:
        with transaction.atomic():
            row = RawMail.objects.create(
                brand_id=inbox.brand_id if inbox else None,
                inbox=inbox,
                mailbox=mailbox,
                source=source,
                mail_from="<>" if mail_from == "" else (mail_from or "")[:400],
                rcpt_to=[r[:320] for r in rcpt_to][:100],
                spool_path=relative,
                size=len(raw),
                sha256=digest,
                imap_uidvalidity=uidvalidity,
                imap_uid=uid,
            )
        return row, True
    except IntegrityError:
        if mailbox is None:
            raise
        existing = RawMail.objects.get(mailbox=mailbox, imap_uidvalidity=uidvalidity, imap_uid=uid)
        return existing, False


def record_refused(
    *,
    source: str,
    inbox: Inbox | None,
    reason: str,
    size: int = 0,
    mailbox: EmailMailbox | None = None,
    uidvalidity: int | None = None,
    uid: int | None = None,
) -> RawMail:
    """A mail we did not take in at all (e.g. over the size limit), kept as a row with
    the reason so an admin sees it."""
    try:
        with transaction.atomic():
            return RawMail.objects.create(
                brand_id=inbox.brand_id if inbox else None,
                inbox=inbox,
                mailbox=mailbox,
                source=source,
                size=size,
                imap_uidvalidity=uidvalidity,
                imap_uid=uid,
                status=RawMailStatus.REJECTED,
                reason=reason[:4000],
                processed_at=timezone.now(),
            )
    except IntegrityError:
        return RawMail.objects.get(mailbox=mailbox, imap_uidvalidity=uidvalidity, imap_uid=uid)


def receive(raw: bytes, **kwargs: Any) -> RawMail:
    """Store, then process: what the SMTP listener and the IMAP poller call."""
    row, created = store_raw(raw, **kwargs)
    if created or row.status in (RawMailStatus.RECEIVED, RawMailStatus.FAILED):
        row = process_raw(row.pk)
    return row


# --- then process ---------------------------------------------------------------------


def _finish(row: RawMail, status: str, reason: str = "", **fields: Any) -> RawMail:
    row.status = status
    row.reason = reason[:4000]
    row.attempts += 1
    row.processed_at = timezone.now()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(
        update_fields=[
            "status",
            "reason",
            "attempts",
            "processed_at",
            "header_message_id",
            "subject",
            *fields,
        ]
    )
    return row


def process_raw(raw_id: int) -> RawMail:
    """Turn a stored mail into a message, a bounce record, an ignored automatic mail or
    a rejection with its reason. Never raises; safe to call twice."""
    row = RawMail.objects.select_related("inbox").get(pk=raw_id)
    if row.status not in (RawMailStatus.RECEIVED, RawMailStatus.FAILED):
        return row
    try:
        return _process(row)
    except Exception as exc:
        log.exception("processing raw mail %s failed", raw_id)
        row.refresh_from_db()
        status = RawMailStatus.FAILED if row.attempts + 1 < MAX_ATTEMPTS else RawMailStatus.REJECTED
        return _finish(row, status, f"{type(exc).__name__}: {exc}")


def _process(row: RawMail) -> RawMail:
    cfg = config()
    raw = read_spooled(row)
    if raw is None:
        return _finish(row, RawMailStatus.REJECTED, _("The spooled mail file is missing."))
    parsed = parse_mail(raw, max_attachment_bytes=cfg.email_max_attachment_bytes)
    row.header_message_id = parsed.message_id[:400]
    row.subject = parsed.subject[:300]
    inbox = row.inbox
    if inbox is None:
        return _finish(row, RawMailStatus.REJECTED, _("No inbox takes mail for this address."))
    brand_id = inbox.brand_id
    if parsed.report is not None:
        return _bounce(row, brand_id, parsed.report)
    reason = loop_reason(
        parsed,
        mail_from=(
            ("" if row.mail_from == "<>" else row.mail_from) if row.source == "smtp" else None
        ),
        own=own_addresses(),
    )
    if reason:
        return _ignore(row, brand_id, parsed, reason)
    if not parsed.from_email:
        return _finish(row, RawMailStatus.REJECTED, _("The mail has no sender address (From)."))
    threading = thread_mail(brand_id, parsed)
    item = _inbound(row, inbox, parsed, raw, threading)
    if isinstance(item, str):
        return _finish(row, RawMailStatus.REJECTED, item)
    from wowdesk.channels.ingest import ingest

    try:
        result = ingest(brand_id, item)
    except ServiceError as exc:
        detail = f"{exc.field}: {exc.message}" if exc.field else exc.message
        return _finish(row, RawMailStatus.REJECTED, detail)
    if result.message_id is None:
        status = RawMailStatus.FAILED if row.attempts + 1 < MAX_ATTEMPTS else RawMailStatus.REJECTED
        return _finish(row, status, _("Ingest did not finish: %(s)s") % {"s": result.status})
    message = Message.objects.get(pk=result.message_id)
    save_attachments(message, parsed)
    if threading.untrusted_reference is not None and not result.duplicate:
        _note_untrusted_reference(message, threading.untrusted_reference, parsed)
    return _finish(row, RawMailStatus.INGESTED, message=message)


def _note_untrusted_reference(message: Message, referenced_id: int, parsed: ParsedMail) -> None:
    """A mail referred to a conversation its sender takes no part in: it opened its own;
    both threads say so, so that an agent who knows better can merge them."""
    with transaction.atomic():
        referenced = Conversation.objects.select_related("inbox").get(pk=referenced_id)
        opened = Conversation.objects.select_related("inbox").get(pk=message.conversation_id)
        meta = {"email": {"untrusted_reference": referenced.pk, "opened": opened.pk}}
        conversations.add_activity(
            referenced,
            _(
                "A mail from %(sender)s, who is not a participant of this conversation, "
                "referred to it; it opened #%(number)s instead."
            )
            % {"sender": parsed.from_email, "number": opened.number},
            actor=None,
            meta=meta,
        )
        conversations.add_activity(
            opened,
            _(
                "This mail refers to #%(number)s, but its sender is not a participant "
                "there, so it opened a conversation of its own."
            )
            % {"number": referenced.number},
            actor=None,
            meta=meta,
        )


def _inbound(
    row: RawMail, inbox: Inbox, parsed: ParsedMail, raw: bytes, threading: Threading
) -> InboundIn | str:
    """The ingest envelope for a person's mail, or the reason it cannot be one."""
    from wowdesk.channels.email.parse import fallback_message_id

    cfg = config()
    body_limit = min(cfg.inbound_max_body_chars, SCHEMA_MAX_BODY)
    body = parsed.text.strip()
    if not body:
        body = (
            _("(This email has only attachments.)")
            if parsed.attachments
            else _("(This email has no text.)")
        )
    meta: dict[str, Any] = {
        "email": {
            "message_id": parsed.message_id,
            "in_reply_to": parsed.in_reply_to[:5],
            "references": parsed.references[-20:],
            "from": parsed.from_email,
            "reply_to": parsed.reply_to,
            "to": parsed.to[:20],
            "cc": parsed.cc[:20],
            "raw_mail_id": row.pk,
        }
    }
    if threading.untrusted_reference is not None:
        meta["email"]["untrusted_reference"] = threading.untrusted_reference
    if parsed.defects:
        meta["email"]["defects"] = parsed.defects[:20]
    if parsed.skipped_attachments:
        meta["email"]["skipped_attachments"] = parsed.skipped_attachments[:20]
    if len(body) > body_limit:
        meta["email"]["truncated"] = True
    try:
        return InboundIn.model_validate(
            {
                "channel": "email",
                "external_id": parsed.message_id or fallback_message_id(raw),
                "from": {"name": parsed.from_name, "email": parsed.from_email},
                "subject": parsed.subject,
                "body": body[:body_limit],
                "html": parsed.html[:SCHEMA_MAX_HTML],
                "sent_at": parsed.date,
                "conversation_id": threading.conversation_id,
                "inbox": inbox.pk,
                "meta": meta,
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg', '')}"[:4000]


def save_attachments(message: Message, parsed: ParsedMail) -> list[Attachment]:
    """Store the mail's attachments with the message once (a repeat finds them there)."""
    if not parsed.attachments or message.attachments.exists():
        return []
    with transaction.atomic():
        return [
            conversations.add_attachment(
                message,
                filename=part.filename or "attachment",
                content=part.data,
                content_type=part.content_type,
                content_id=part.content_id,
            )
            for part in parsed.attachments
        ]


def _ignore(row: RawMail, brand_id: int, parsed: ParsedMail, reason: str) -> RawMail:
    """An automatic mail: kept, noted in its conversation if it has one, never answered
    and never opening a conversation."""
    with transaction.atomic():
        conversation_id = thread_mail(brand_id, parsed).conversation_id
        conversation = (
            Conversation.objects.select_related("inbox").filter(pk=conversation_id).first()
            if conversation_id
            else None
        )
        if conversation is not None:
            spec = i18n_text.deferred(
                gettext_noop("Automatic email received and not answered (%(reason)s): %(subject)s"),
                reason=reason,
                subject=parsed.subject or "—",
            )
            conversations.add_activity(
                conversation,
                i18n_text.render(spec),
                actor=None,
                meta={"email": {"raw_mail_id": row.pk, "loop": reason}},
                i18n=spec,
            )
        return _finish(row, RawMailStatus.IGNORED, reason)


def _bounce(row: RawMail, brand_id: int, report: DeliveryReport) -> RawMail:
    """A delivery status notification: recorded on our original message (and its
    outbox row when delivery failed), never a conversation."""
    pks = [pk for pk in (our_message_pk(m) for m in report.original_message_ids) if pk]
    with transaction.atomic():
        original = (
            Message.objects.select_related("conversation__inbox")
            .filter(brand_id=brand_id, pk__in=pks)
            .first()
        )
        if original is None:
            return _finish(
                row,
                RawMailStatus.BOUNCE,
                _("Delivery report (%(action)s) for a message that is not ours.")
                % {"action": report.action or "?"},
            )
        record_bounce(original, report, raw_mail_id=row.pk)
        return _finish(
            row,
            RawMailStatus.BOUNCE,
            f"{report.action} {report.status} {report.recipient}".strip(),
            message=original,
        )


def record_bounce(message: Message, report: DeliveryReport, *, raw_mail_id: int) -> None:
    """Write what a delivery report says onto our outgoing message; a failure also
    parks its outbox row as failed with the server's words, for the agent to see."""
    bounce = {
        "action": report.action,
        "status": report.status,
        "recipient": report.recipient,
        "diagnostic": report.diagnostic,
        "raw_mail_id": raw_mail_id,
        "at": timezone.now().isoformat(),
    }
    conversations.set_message_meta(message, bounce=bounce)
    if report.action == "failed":
        detail = _("Bounced: %(status)s %(diagnostic)s") % {
            "status": report.status,
            "diagnostic": report.diagnostic,
        }
        from wowdesk.channels import failures, outbox

        outbox.fail_delivered(message, detail.strip(), kind=failures.BOUNCED)
        spec = i18n_text.deferred(
            gettext_noop("Our email to %(to)s could not be delivered: %(why)s"),
            to=report.recipient or "?",
            why=(report.diagnostic or report.status)[:300],
        )
        conversations.add_activity(
            message.conversation,
            i18n_text.render(spec),
            actor=None,
            meta={"email": {"bounce_of": message.pk, "raw_mail_id": raw_mail_id}},
            i18n=spec,
        )


def retry_pending(now: dt.datetime | None = None, limit: int = 100) -> int:
    """Process mail left ``received`` by a crash, or ``failed`` and due again."""
    now = now or timezone.now()
    rows = RawMail.objects.filter(
        status__in=[RawMailStatus.RECEIVED, RawMailStatus.FAILED],
        attempts__lt=MAX_ATTEMPTS,
        received_at__lt=now - dt.timedelta(seconds=30),
    ).order_by("received_at")[:limit]
    # The same backoff as every inbound item (channels.ingest.retry_delay).
    due = [
        row.pk
        for row in rows.only("pk", "status", "attempts", "received_at")
        if row.status != RawMailStatus.FAILED
        or row.received_at + ingest.retry_delay(row.attempts) <= now
    ]
    for pk in due:
        process_raw(pk)
    return len(due)


MAILBOX_FIELDS = (
    "host",
    "port",
    "security",
    "username",
    "password",
    "folder",
    "poll_interval",
    "is_active",
)


def save_mailbox(
    mailbox: EmailMailbox | None, *, inbox: Inbox, actor: Any, **fields: Any
) -> EmailMailbox:
    """Create (``mailbox`` None) or change an IMAP mailbox that feeds an email inbox."""
    from wowdesk.core.errors import InvalidInput
    from wowdesk.core.services import save_fields

    if inbox.channel != Channel.EMAIL:
        raise InvalidInput(_("An IMAP mailbox feeds an email inbox."), field="inbox")
    if mailbox is not None and mailbox.inbox_id != inbox.pk:
        raise InvalidInput(_("A mailbox stays with its inbox."), field="inbox")
    row = mailbox or EmailMailbox(inbox=inbox)
    values = {k: v for k, v in fields.items() if k in MAILBOX_FIELDS}
    audited = {k: v for k, v in values.items() if k != "password"}
    if "password" in values:
        row.password = values["password"]
    return save_fields(  # type: ignore[no-any-return]
        row,
        fields=audited,
        actor=actor,
        brand_id=inbox.brand_id,
        action="mailbox.create" if mailbox is None else "mailbox.update",
    )


def delete_mailbox(mailbox: EmailMailbox, *, actor: Any) -> None:
    """Stop fetching from an IMAP mailbox (what it fetched stays)."""
    from wowdesk.core.services import delete_row

    delete_row(mailbox, actor=actor, brand_id=mailbox.inbox.brand_id, action="mailbox.delete")
