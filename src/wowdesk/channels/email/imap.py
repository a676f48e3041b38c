"""IMAP polling of configured mailboxes, with IDLE when the server offers it.

Exactly once: each message is fetched with ``BODY.PEEK[]``, stored (spool + row, unique
per mailbox, UIDVALIDITY and UID), then flagged ``\\Seen`` and the mailbox's ``last_uid``
advanced. A crash in between fetches it again and finds the stored row.

One poller per mailbox in the whole cluster: a worker process leases a mailbox
(``lease_owner``/``lease_until``) and renews the lease while its poller runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import logging
import re
import socket
import ssl
import threading
import time

from django.db import close_old_connections, connections, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from wowdesk.channels.email import services
from wowdesk.channels.email.models import EmailMailbox, MailSecurity
from wowdesk.core import vault

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=120)
IDLE_SECONDS = 60.0
MANAGER_TICK = 5.0
RETRY_EVERY = 30.0
_SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


class PasswordUnreadable(imaplib.IMAP4.error):
    """The mailbox's stored password cannot be decrypted (the secret key changed, or the
    value was altered): shown as the mailbox's error; entering the password fixes it."""


def _check_password(mailbox: EmailMailbox) -> None:
    if mailbox.password or mailbox.pk is None:
        return
    raw = (
        EmailMailbox.objects.filter(pk=mailbox.pk)
        .annotate(raw=Cast("password", TextField()))
        .values_list("raw", flat=True)
        .first()
    )
    if raw and vault.is_sealed(raw):
        raise PasswordUnreadable(
            "the stored password cannot be decrypted (another secret key?): enter it again"
        )


def connect(mailbox: EmailMailbox, timeout: float = 30.0) -> imaplib.IMAP4:
    _check_password(mailbox)
    conn: imaplib.IMAP4
    if mailbox.security == MailSecurity.SSL:
        conn = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
        if mailbox.security == MailSecurity.STARTTLS:
            conn.starttls(ssl_context=ssl.create_default_context())
    conn.login(mailbox.username, mailbox.password)
    typ, _data = conn.select(_quote(mailbox.folder))
    if typ != "OK":
        raise imaplib.IMAP4.error(f"cannot select folder {mailbox.folder!r}")
    return conn


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uidvalidity(conn: imaplib.IMAP4) -> int | None:
    _typ, data = conn.response("UIDVALIDITY")
    try:
        return int(data[0]) if data and data[0] is not None else None
    except (TypeError, ValueError):
        return None


def fetch_new(conn: imaplib.IMAP4, mailbox: EmailMailbox) -> int:
    """Store every message above ``last_uid``; returns how many were taken in."""
    validity = _uidvalidity(conn)
    if validity is not None and mailbox.uidvalidity != validity:
        # A new UIDVALIDITY means the UIDs were renumbered: start again from the first
        # (Message-IDs keep the ingest from storing a mail twice).
        mailbox.uidvalidity = validity
        mailbox.last_uid = 0
        mailbox.save(update_fields=["uidvalidity", "last_uid"])
    typ, data = conn.uid("SEARCH", f"UID {mailbox.last_uid + 1}:*")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"UID SEARCH failed: {data!r}")
    uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > mailbox.last_uid)
    cfg = services.config()
    taken = 0
    for uid in uids:
        typ, data = conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
        size_match = _SIZE_RE.search(b" ".join(d for d in data if isinstance(d, bytes)))
        size = int(size_match.group(1)) if size_match else 0
        if size > cfg.email_max_message_bytes:
            services.record_refused(
                source="imap",
                inbox=mailbox.inbox,
                mailbox=mailbox,
                uidvalidity=validity,
                uid=uid,
                size=size,
                reason=_("The mail is larger than %(limit)s bytes.")
                % {"limit": cfg.email_max_message_bytes},
            )
        else:
            typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next(
                (part[1] for part in data if isinstance(part, tuple) and len(part) == 2), None
            )
            if typ != "OK" or raw is None:
                log.warning("mailbox %s: UID %s vanished before it was fetched", mailbox, uid)
                continue
            services.receive(
                bytes(raw),
                source="imap",
                inbox=mailbox.inbox,
                mailbox=mailbox,
                uidvalidity=validity,
                uid=uid,
            )
            taken += 1
        conn.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
        EmailMailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid)
        mailbox.last_uid = uid
    EmailMailbox.objects.filter(pk=mailbox.pk).update(last_checked_at=timezone.now(), last_error="")
    return taken


def poll_once(mailbox_id: int) -> int:
    """Connect, take in what is new, log out (polling without IDLE; tests; the admin)."""
    mailbox = EmailMailbox.objects.select_related("inbox").get(pk=mailbox_id)
    conn = connect(mailbox)
    try:
        return fetch_new(conn, mailbox)
    finally:
        _logout(conn)


def _logout(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except Exception:  # a broken connection is closed anyway
        with contextlib.suppress(Exception):
            conn.shutdown()


def supports_idle(conn: imaplib.IMAP4) -> bool:
    return "IDLE" in conn.capabilities


def idle_wait(conn: imaplib.IMAP4, seconds: float) -> bool:
    """RFC 2177 IDLE (``imaplib`` has none before Python 3.14): True when the server
    announces new mail. On a read timeout the connection cannot be trusted and
    :class:`TimeoutError` is raised; the caller reconnects."""
    tag = conn._new_tag()  # type: ignore[attr-defined]
    conn.send(tag + b" IDLE\r\n")
    line = conn.readline()
    if not line.startswith(b"+"):
        raise imaplib.IMAP4.error(f"IDLE refused: {line!r}")
    deadline = time.monotonic() + seconds
    news = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        conn.sock.settimeout(remaining)
        try:
            line = conn.readline()
        except TimeoutError as exc:
            raise TimeoutError("IDLE ended without news") from exc
        if not line:
            raise imaplib.IMAP4.abort("connection closed during IDLE")
        if re.match(rb"\* \d+ (EXISTS|RECENT)", line):
            news = True
            break
    conn.sock.settimeout(30.0)
    conn.send(b"DONE\r\n")
    while True:
        line = conn.readline()
        if not line:
            raise imaplib.IMAP4.abort("connection closed after IDLE")
        if line.startswith(tag):
            break
    return news


class MailboxPoller(threading.Thread):
    """Watches one mailbox until stopped: fetch, then IDLE (or sleep ``poll_interval``)."""

    def __init__(self, mailbox_id: int, idle_seconds: float = IDLE_SECONDS) -> None:
        super().__init__(name=f"wowdesk-imap-{mailbox_id}", daemon=True)
        self.mailbox_id = mailbox_id
        self.idle_seconds = idle_seconds
        self.halt = threading.Event()
        self.conn: imaplib.IMAP4 | None = None
        self.cycles = 0

    def stop(self) -> None:
        self.halt.set()
        conn = self.conn
        if conn is not None:
            with contextlib.suppress(Exception):  # wakes a blocked IDLE read
                conn.sock.shutdown(socket.SHUT_RDWR)

    def run(self) -> None:
        try:
            self._run()
        finally:
            connections.close_all()

    def _run(self) -> None:
        failures = 0
        while not self.halt.is_set():
            try:
                close_old_connections()
                self._session()
                failures = 0
            except Exception as exc:
                if self.halt.is_set():
                    break
                failures += 1
                log.warning("IMAP mailbox %s: %s", self.mailbox_id, exc)
                EmailMailbox.objects.filter(pk=self.mailbox_id).update(
                    last_error=f"{type(exc).__name__}: {exc}"[:4000]
                )
                self.halt.wait(min(300.0, 2.0**failures))
            finally:
                if self.conn is not None:
                    _logout(self.conn)
                    self.conn = None
                close_old_connections()

    def _session(self) -> None:
        mailbox = EmailMailbox.objects.select_related("inbox").get(pk=self.mailbox_id)
        self.conn = conn = connect(mailbox)
        idle = supports_idle(conn)
        while not self.halt.is_set():
            mailbox.refresh_from_db(fields=["last_uid", "uidvalidity", "is_active"])
            if not mailbox.is_active:
                return
            fetch_new(conn, mailbox)
            self.cycles += 1
            if idle:
                try:
                    idle_wait(conn, self.idle_seconds)
                except TimeoutError:
                    return  # reconnect: a timed-out socket file cannot be read again
            else:
                self.halt.wait(mailbox.poll_interval)
                conn.noop()


class MailboxManager:
    """Leases active mailboxes and runs one :class:`MailboxPoller` for each; also
    processes stored mail a crash left behind."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.owner = get_random_string(24)
        self.idle_seconds = idle_seconds
        self.pollers: dict[int, MailboxPoller] = {}

    def tick(self) -> None:
        now = timezone.now()
        with transaction.atomic():
            EmailMailbox.objects.filter(is_active=True).filter(
                Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=self.owner)
            ).update(lease_owner=self.owner, lease_until=now + LEASE)
        mine = set(
            EmailMailbox.objects.filter(is_active=True, lease_owner=self.owner).values_list(
                "pk", flat=True
            )
        )
        for pk in list(self.pollers):
            if pk not in mine or not self.pollers[pk].is_alive():
                self.pollers.pop(pk).stop()
        for pk in mine - set(self.pollers):
            poller = MailboxPoller(pk, self.idle_seconds)
            self.pollers[pk] = poller
            poller.start()

    def stop(self) -> None:
        for poller in self.pollers.values():
            poller.stop()
        EmailMailbox.objects.filter(lease_owner=self.owner).update(lease_owner="", lease_until=None)
        self.pollers.clear()


def run_mail_forever(stop: threading.Event, tick: float = MANAGER_TICK) -> None:
    """The worker's mail thread: IMAP pollers, and stored mail left unprocessed."""
    manager = MailboxManager()
    last_retry = 0.0
    try:
        while not stop.is_set():
            try:
                close_old_connections()
                manager.tick()
                if time.monotonic() - last_retry >= RETRY_EVERY:
                    last_retry = time.monotonic()
                    services.retry_pending()
            except Exception:
                log.exception("mail thread failed")
            finally:
                close_old_connections()
            stop.wait(tick)
    finally:
        manager.stop()
        connections.close_all()


def start_mail_thread(stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(
        target=run_mail_forever, args=(stop,), name="wowdesk-mail", daemon=True
    )
    thread.start()
    return thread
