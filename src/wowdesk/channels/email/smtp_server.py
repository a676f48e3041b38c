"""The inbound SMTP listener (aiosmtpd), started by ``wowdesk serve``.

RCPT: an address no email inbox claims is refused with 550 and the reason. DATA: the
bytes are spooled and committed, then processed; the client hears 250 once the mail is
stored. A mail over ``WOWDESK_EMAIL_MAX_MESSAGE_BYTES`` is refused with 552 by aiosmtpd.
Nothing a client sends can stop the listener: every error becomes a 451 for that mail.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections, connections

from wowdesk.channels.email import services

log = logging.getLogger(__name__)


def _in_thread(fn: Any, *args: Any, **kwargs: Any) -> Any:
    close_old_connections()
    try:
        return fn(*args, **kwargs)
    finally:
        # Each mail is a unit of work, like a request: no connection left open in a
        # pool thread that may sit idle for hours.
        connections.close_all()


class InboundHandler:
    """aiosmtpd handler: database work runs in a small thread pool (two writers at most,
    which suits SQLite's one writer and is plenty for PostgreSQL on two cores)."""

    def __init__(self, threads: int = 2) -> None:
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="wowdesk-smtp")

    async def _run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, lambda: _in_thread(fn, *args, **kwargs))

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        try:
            inboxes = await self._run(services.inboxes_for, address)
        except Exception:
            log.exception("looking up the inbox for %r failed", address)
            return "451 4.3.0 Temporary failure looking up the recipient, try again later"
        if not inboxes:
            return f"550 5.1.1 <{address}>: no inbox of this help desk takes mail for this address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            await self._run(
                receive_for_recipients, raw, envelope.mail_from or "", list(envelope.rcpt_tos)
            )
        except Exception:
            log.exception("storing an inbound mail failed")
            return "451 4.3.0 Could not store the message, try again later"
        return "250 OK: stored"


def receive_for_recipients(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> list[int]:
    """One stored (and processed) raw mail per inbox the recipients name."""
    seen: dict[int, Any] = {}
    for rcpt in rcpt_tos:
        for inbox in services.inboxes_for(rcpt):
            seen.setdefault(inbox.pk, inbox)
    rows = [
        services.receive(raw, source="smtp", inbox=inbox, mail_from=mail_from, rcpt_to=rcpt_tos)
        for inbox in seen.values()
    ]
    return [r.pk for r in rows]


class InboundController(Controller):
    """aiosmtpd's controller with our limits; SMTPUTF8 on, no AUTH (this is an MX)."""

    def __init__(self, host: str, port: int, max_bytes: int) -> None:
        super().__init__(
            InboundHandler(),
            hostname=host,
            port=port,
            data_size_limit=max_bytes,
            enable_SMTPUTF8=True,
            ident="wowdesk",
        )


def start_smtp_server(host: str | None = None, port: int | None = None) -> InboundController:
    """Start the listener in its own thread (with its own event loop) and return it;
    ``controller.stop()`` stops it."""
    cfg = services.config()
    controller = InboundController(
        host or cfg.smtp_host, port or cfg.smtp_port, cfg.email_max_message_bytes
    )
    controller.start()
    log.info("SMTP listening on %s:%s", controller.hostname, controller.port)
    return controller
