"""Why a delivery failed: the kind of failure (``conversations.delivery``) an adapter's
exception stands for, chosen here from the exception and its causes."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator

from wowdesk.conversations.delivery import (  # noqa: F401 (the kinds, for the adapters)
    API,
    AUTH,
    BOUNCED,
    BUSY,
    DNS,
    KINDS,
    NETWORK,
    NO_ADAPTER,
    NO_ADDRESS,
    REFUSED,
    REJECTED,
    SETUP,
    TIMEOUT,
    TLS,
    UNKNOWN,
    reason,
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
