"""The outbound adapter of the email channel: an agent's reply leaves by SMTP.

Called by the outbox worker (``wowdesk.channels.outbox.deliver``), which retries with
backoff on :class:`TransientSendError` (a 4xx or no connection) and parks the message as
failed on :class:`PermanentSendError` (a 5xx).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from wowdesk.channels import inbox_secrets
from wowdesk.channels.adapters import PermanentSendError, TransientSendError
from wowdesk.channels.email.parse import LOOP_HEADER, SUBJECT_TOKEN_RE
from wowdesk.channels.email.services import config
from wowdesk.channels.email.threading import make_message_id, participants
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Attachment, Conversation, Direction, Inbox, Message
from wowdesk.customers.identity import InvalidAddress, clean_name, normalize_email
from wowdesk.customers.models import Identity, IdentityKind


@dataclass(frozen=True)
class Relay:
    """An SMTP server replies leave through: the inbox's own (``settings["smtp"]``, set on
    its settings page) or the installation's (``WOWDESK_EMAIL_*``)."""

    host: str
    port: int
    security: str = "none"  # "none", "starttls" or "ssl" (MailSecurity values)
    username: str = ""
    password: str = ""
    from_name: str = ""
    timeout: float = 30.0


def relay_for(inbox: Inbox | None) -> Relay:
    cfg = config()
    smtp = inbox_secrets.opened(inbox).get(inbox_secrets.SMTP) if inbox is not None else None
    if isinstance(smtp, dict) and smtp.get("host"):
        return Relay(
            host=str(smtp["host"]),
            port=int(smtp.get("port") or 587),
            security=str(smtp.get("security") or "none"),
            username=str(smtp.get("username") or ""),
            password=str(smtp.get("password") or ""),
            from_name=str(smtp.get("from_name") or ""),
            timeout=cfg.email_timeout,
        )
    return Relay(
        host=cfg.email_host,
        port=cfg.email_port,
        security="ssl" if cfg.email_use_ssl else "starttls" if cfg.email_use_tls else "none",
        username=cfg.email_user,
        password=cfg.email_password,
        timeout=cfg.email_timeout,
    )


def open_relay(relay: Relay) -> smtplib.SMTP:
    """A connection to the relay, after EHLO, STARTTLS and login as the relay asks."""
    smtp: smtplib.SMTP
    if relay.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            relay.host, relay.port, timeout=relay.timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(relay.host, relay.port, timeout=relay.timeout)
    try:
        smtp.ehlo()
        if relay.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if relay.username:
            smtp.login(relay.username, relay.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def loop_token() -> str:
    """This installation's value for our loop header (stable, reveals nothing)."""
    return salted_hmac("wowdesk.channels.email.loop", "install").hexdigest()[:16]


def reply_subject(subject: str, number: int) -> str:
    subject = " ".join(subject.split()) or _("Your request")
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    if number not in [int(n) for n in SUBJECT_TOKEN_RE.findall(subject)]:
        subject = f"{subject} [#{number}]"
    return subject


def html_body(html: str) -> str:
    """The HTML part of a reply: the body inside ``dir="auto"``, so a mail reader lays an
    Arabic, Hebrew, Persian or Urdu reply out right to left (and a Latin one left to right)."""
    return f'<div dir="auto">{html}</div>'


def build_message(message: Message) -> tuple[EmailMessage, str, str]:
    """The MIME message for an outgoing reply, its envelope sender and recipient."""
    conversation = message.conversation
    inbox = conversation.inbox
    cfg = config()
    last_in = (
        Message.objects.filter(conversation=conversation, direction=Direction.IN, channel="email")
        .order_by("-id")
        .only("meta", "external_id")
        .first()
    )
    to = recipient(conversation, last_in)
    from_addr = inbox.address or parseaddr(cfg.email_from)[1] or cfg.support_address
    domain = from_addr.rpartition("@")[2] or "localhost"
    message_id = message.external_id or make_message_id(message.pk, domain)

    mail = EmailMessage()
    sender = relay_for(inbox).from_name or conversation.brand.name
    mail["From"] = formataddr((clean_name(sender), from_addr))
    mail["To"] = formataddr((clean_name(conversation.customer.name), to))
    if message.meta.get("cc"):
        mail["Cc"] = ", ".join(message.meta["cc"])  # the BCC is never in a header
    mail["Subject"] = reply_subject(conversation.subject, conversation.number)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id
    mail_meta = (last_in.meta or {}).get("email", {}) if last_in else {}
    parent = mail_meta.get("message_id") or (last_in.external_id if last_in else "")
    if parent:
        references = [r for r in mail_meta.get("references", []) if r != parent][-19:]
        mail["In-Reply-To"] = parent
        mail["References"] = " ".join([*references, parent])
    mail[LOOP_HEADER] = loop_token()
    mail.set_content(message.body)
    if message.html:
        mail.add_alternative(html_body(message.html), subtype="html")
    for attachment in Attachment.objects.filter(message=message):
        with attachment.file.open("rb") as fh:
            maintype, _sep, subtype = attachment.content_type.partition("/")
            mail.add_attachment(
                fh.read(),
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )
    return mail, from_addr, to


def recipient(conversation: Conversation, last_in: Message | None) -> str:
    """Where a reply goes: the latest mail's Reply-To, else its sender, whichever is a
    participant of the conversation (threading.participants), else the customer's
    address. A Reply-To naming anyone else never redirects the conversation."""
    allowed = participants(conversation.pk)
    mail_meta = (last_in.meta or {}).get("email", {}) if last_in else {}
    for candidate in (mail_meta.get("reply_to"), mail_meta.get("from")):
        if not candidate:
            continue
        try:
            if normalize_email(str(candidate)) in allowed:
                return str(candidate)
        except InvalidAddress:
            continue
    to = (
        Identity.objects.filter(customer_id=conversation.customer_id, kind=IdentityKind.EMAIL)
        .order_by("id")
        .values_list("value", flat=True)
        .first()
        or ""
    )
    if not to:
        raise PermanentSendError(_("The customer has no email address."), kind="no_address")
    return to


class EmailAdapter:
    """Registered as ``ADAPTERS["email"]``."""

    def send(self, message: Message) -> dict[str, str]:
        message = Message.objects.select_related(
            "conversation__inbox", "conversation__customer", "conversation__brand"
        ).get(pk=message.pk)
        if message.meta.get("forward"):
            mail, from_addr, to = build_forward(message)
            forward_inbox = Inbox.objects.filter(pk=message.meta["forward"]["inbox_id"]).first()
            deliver_smtp(mail, from_addr, [to], relay=relay_for(forward_inbox))
            return {"message_id": str(mail["Message-ID"]), "to": to}
        mail, from_addr, to = build_message(message)
        if not message.external_id:
            # Recorded before sending: the customer's answer threads even if we crash
            # right after the server took the mail.
            conversations.set_external_id(message, str(mail["Message-ID"]))
        recipients: list[str] = []
        for address in (to, *message.meta.get("cc", []), *message.meta.get("bcc", [])):
            if address.lower() not in (r.lower() for r in recipients):
                recipients.append(address)  # each address once, whichever list named it
        deliver_smtp(mail, from_addr, recipients, relay=relay_for(message.conversation.inbox))
        return {"message_id": str(mail["Message-ID"]), "to": to}


FORWARD_ATTACHMENTS_BYTES = 25 * 1024 * 1024  # files of one forwarded thread, in all


def build_forward(message: Message) -> tuple[EmailMessage, str, str]:
    """The mail of a forwarded conversation (``conversations.forward_conversation``): the
    agent's note, then the thread (the customer's messages and the replies, oldest first,
    never the notes), with their files, from the brand's email inbox."""
    forward = message.meta["forward"]
    conversation = message.conversation
    inbox = Inbox.objects.filter(pk=forward["inbox_id"]).first()
    cfg = config()
    from_addr = (inbox.address if inbox else "") or parseaddr(cfg.email_from)[1]
    from_addr = from_addr or cfg.support_address
    domain = from_addr.rpartition("@")[2] or "localhost"
    thread = list(
        Message.objects.filter(
            conversation=conversation, direction__in=(Direction.IN, Direction.OUT)
        )
        .select_related("author", "sender")
        .order_by("created_at", "id")
    )
    with translation.override(forward.get("language") or conversation.brand.default_language):
        lines = []
        if forward.get("note"):
            lines += [forward["note"], ""]
        lines.append(
            _("---------- Forwarded conversation #%(n)s ----------") % {"n": conversation.number}
        )
        lines.append(_("Subject: %(s)s") % {"s": conversation.subject})
        for m in thread:
            if m.direction == Direction.IN:
                who = (m.sender.name or m.sender.email) if m.sender else conversation.customer.name
            else:
                who = m.author.display_name if m.author else conversation.brand.name
            when = m.created_at.strftime("%Y-%m-%d %H:%M UTC")
            lines += ["", _("%(who)s wrote on %(when)s:") % {"who": who, "when": when}, m.body]
        subject = _("Fwd: %(s)s") % {"s": " ".join(conversation.subject.split())}
    mail = EmailMessage()
    mail["From"] = formataddr((clean_name(conversation.brand.name), from_addr))
    mail["To"] = forward["to"]
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_message_id(message.pk, domain)
    mail[LOOP_HEADER] = loop_token()
    mail.set_content("\n".join(lines))
    budget = FORWARD_ATTACHMENTS_BYTES
    for attachment in Attachment.objects.filter(message__in=thread).order_by("id"):
        if attachment.size > budget:
            continue
        budget -= attachment.size
        with attachment.file.open("rb") as fh:
            maintype, _sep, subtype = attachment.content_type.partition("/")
            mail.add_attachment(
                fh.read(),
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )
    return mail, from_addr, forward["to"]


def deliver_smtp(
    mail: EmailMessage, from_addr: str, to: list[str], *, relay: Relay | None = None
) -> None:
    """Hand the mail to the relay (the installation's when none is given). 4xx and network
    trouble are transient, 5xx permanent."""
    relay = relay or relay_for(None)
    try:
        with open_relay(relay) as smtp:
            smtp.send_message(mail, from_addr=from_addr, to_addrs=to)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        text = "; ".join(
            f"{addr}: {code} {_decode(msg)}" for addr, (code, msg) in exc.recipients.items()
        )
        if codes and all(500 <= c < 600 for c in codes):
            raise PermanentSendError(text) from exc
        raise TransientSendError(text) from exc
    except smtplib.SMTPResponseException as exc:
        text = f"{exc.smtp_code} {_decode(exc.smtp_error)}"
        if 500 <= exc.smtp_code < 600:
            raise PermanentSendError(text) from exc
        raise TransientSendError(text) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
