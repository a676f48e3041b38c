""" "Test connection" for an email inbox: log in to its IMAP mailbox and select the folder;
connect to its SMTP relay, EHLO and log in. Each with a timeout; the answer says what
worked or why not, and nothing is fetched or sent."""

from __future__ import annotations

import contextlib
import dataclasses
import imaplib
import smtplib
import socket
import ssl
from dataclasses import dataclass

from django.utils.translation import gettext as _

from wowdesk.channels.email import imap
from wowdesk.channels.email.models import EmailMailbox
from wowdesk.channels.email.outbound import Relay, open_relay

TIMEOUT = 10.0


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    reason: str


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value)
    return str(value)


def _network(exc: BaseException, host: str, port: int) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return _("No answer from %(host)s:%(port)s in time.") % {"host": host, "port": port}
    if isinstance(exc, ssl.SSLError):
        return _("TLS failed: %(reason)s") % {"reason": exc}
    return (
        _("Could not connect to %(host)s:%(port)s: %(reason)s")
        % {
            "host": host,
            "port": port,
            "reason": exc.strerror or exc,
        }
        if isinstance(exc, OSError)
        else str(exc)
    )


def probe_imap(mailbox: EmailMailbox, timeout: float = TIMEOUT) -> ProbeResult:
    """Log in and select the folder (then log out)."""
    try:
        conn = imap.connect(mailbox, timeout=timeout)
    except imaplib.IMAP4.error as exc:
        return ProbeResult(False, _("IMAP refused: %(reason)s") % {"reason": _text(exc.args)})
    except OSError as exc:
        return ProbeResult(False, _network(exc, mailbox.host, mailbox.port))
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        conn.logout()
    return ProbeResult(
        True,
        _("IMAP: logged in as %(user)s and opened %(folder)s.")
        % {"user": mailbox.username, "folder": mailbox.folder},
    )


def probe_smtp(relay: Relay, timeout: float = TIMEOUT) -> ProbeResult:
    """Connect, EHLO (STARTTLS) and log in when a user is set (then QUIT)."""
    relay = dataclasses.replace(relay, timeout=timeout)
    try:
        smtp = open_relay(relay)
    except smtplib.SMTPAuthenticationError as exc:
        return ProbeResult(
            False,
            _("SMTP login refused: %(code)s %(reason)s")
            % {"code": exc.smtp_code, "reason": _text(exc.smtp_error)},
        )
    except smtplib.SMTPResponseException as exc:
        return ProbeResult(
            False,
            _("SMTP refused: %(code)s %(reason)s")
            % {"code": exc.smtp_code, "reason": _text(exc.smtp_error)},
        )
    except smtplib.SMTPException as exc:
        return ProbeResult(False, _("SMTP refused: %(reason)s") % {"reason": exc})
    except OSError as exc:
        return ProbeResult(False, _network(exc, relay.host, relay.port))
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
    if relay.username:
        return ProbeResult(
            True,
            _("SMTP: connected to %(host)s and logged in as %(user)s.")
            % {"host": relay.host, "user": relay.username},
        )
    return ProbeResult(True, _("SMTP: connected to %(host)s.") % {"host": relay.host})
