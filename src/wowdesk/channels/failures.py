"""Why a reply could not be delivered, in words the agent understands.

The outbox keeps the channel's own error text (``OutboxMessage.last_error``, for the API
and for whoever debugs the server) and, beside it, a *kind*: a short code chosen here from
the exception and its causes. People see the kind's sentence, translated when it is shown
(:func:`reason`), never the exception's English.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator

from django.utils.translation import gettext as _

REFUSED = "refused"
TIMEOUT = "timeout"
DNS = "dns"
AUTH = "auth"
TLS = "tls"
REJECTED = "rejected"  # a 5xx from the mail server
BUSY = "busy"  # a 4xx from the mail server
BOUNCED = "bounced"  # taken, then returned by a delivery report
NETWORK = "network"
API = "api"  # a social network's API answered with an error
NO_ADDRESS = "no_address"
SETUP = "setup"  # the inbox lacks what sending needs (credentials, an address to answer)
NO_ADAPTER = "no_adapter"
UNKNOWN = "unknown"

KINDS = (
    REFUSED,
    TIMEOUT,
    DNS,
    AUTH,
    TLS,
    REJECTED,
    BUSY,
    BOUNCED,
    NETWORK,
    API,
    NO_ADDRESS,
    SETUP,
    NO_ADAPTER,
    UNKNOWN,
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, then what caused it, and so on (each once)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify(exc: BaseException, channel: str = "") -> str:
    """The kind of failure ``exc`` (an adapter's error, usually wrapping the network's
    own) stands for. The most specific cause in the chain wins."""
    chain = list(_chain(exc))
    for e in chain:
        if isinstance(e, smtplib.SMTPAuthenticationError):
            return AUTH
        if isinstance(e, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _msg in e.recipients.values()]
            return REJECTED if codes and all(500 <= c < 600 for c in codes) else BUSY
        if isinstance(e, smtplib.SMTPResponseException):
            return REJECTED if 500 <= e.smtp_code < 600 else BUSY
    for e in chain:
        if isinstance(e, socket.gaierror):
            return DNS
        if isinstance(e, ConnectionRefusedError):
            return REFUSED
        if isinstance(e, TimeoutError):
            return TIMEOUT
        if isinstance(e, ssl.SSLError | ssl.CertificateError):
            return TLS
    names = [type(e).__name__ for e in chain]
    if any("Timeout" in n for n in names):  # httpx.ConnectTimeout, ReadTimeout …
        return TIMEOUT
    for e in chain:
        if isinstance(e, smtplib.SMTPServerDisconnected | ConnectionError):
            return NETWORK
        if isinstance(e, OSError):
            return NETWORK
    if any(n.startswith(("Connect", "Network", "Remote", "Protocol")) for n in names):
        return NETWORK
    kind = getattr(exc, "kind", "")
    if kind in KINDS:
        return str(kind)
    if channel == "social":
        return API
    return UNKNOWN


def reason(kind: str, channel: str = "") -> str:
    """The sentence for ``kind``, in the active language."""
    mail = channel == "email"
    if kind == REFUSED:
        return (
            _("connection refused by the mail server")
            if mail
            else _("connection refused by the server")
        )
    if kind == TIMEOUT:
        return _("the mail server did not answer in time") if mail else _("no answer in time")
    if kind == DNS:
        return _("the server's name could not be found (DNS)")
    if kind == AUTH:
        return _("the mail server refused our login")
    if kind == TLS:
        return _("the secure connection (TLS) failed")
    if kind == REJECTED:
        return _("the mail server rejected the message")
    if kind == BUSY:
        return _("the mail server is busy or refused for now")
    if kind == BOUNCED:
        return _("the customer's mail server returned it (bounce)")
    if kind == NETWORK:
        return _("the network connection failed")
    if kind == API:
        return _("the network's API returned an error")
    if kind == NO_ADDRESS:
        return _("the customer has no address on this channel")
    if kind == SETUP:
        return _("the inbox is not set up to send")
    if kind == NO_ADAPTER:
        return _("this channel cannot send replies")
    return _("an unexpected error")
