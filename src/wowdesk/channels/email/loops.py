"""Mail that must never be answered nor open a conversation (RFC 3834), in one place."""

from __future__ import annotations

from collections.abc import Iterable

from wowdesk.channels.email.parse import ParsedMail
from wowdesk.customers.identity import InvalidAddress, inbox_address_key

MAILER_DAEMONS = ("mailer-daemon@", "postmaster@")


def loop_reason(parsed: ParsedMail, *, mail_from: str | None, own: Iterable[str]) -> str:
    """Why this mail is automatic (an auto-reply, a list, a bounce, our own mail looping
    back), or "" when a person wrote it. ``mail_from`` is the SMTP envelope sender
    (``""`` is the null sender of bounces; None when unknown, as for IMAP)."""
    reason = parsed.loop_reason()
    if reason:
        return reason
    if mail_from == "" or mail_from == "<>":
        return "null envelope sender"
    sender = parsed.from_email.lower()
    if sender.startswith(MAILER_DAEMONS):
        return f"From: {sender}"
    if sender and _key(sender) in {_key(a) for a in own if a}:
        return f"From our own address {sender}"
    return ""


def _key(address: str) -> str:
    """Addresses compared as inboxes claim them (case and plus-addressing folded)."""
    try:
        return inbox_address_key(address)
    except InvalidAddress:
        return address.strip().lower()
