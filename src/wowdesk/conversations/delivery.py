"""Why a reply could not be delivered, in words the agent understands.

An outbox row (``OutboxMessage``) keeps the channel's own error text (``last_error``, for
the API and for whoever debugs the server) and, beside it, a *kind*: one of the short
codes here, chosen by the channel's delivery (``channels.failures.classify``). People see
the kind's sentence, translated when it is shown (:func:`reason`), never the exception's
English.
"""

from __future__ import annotations

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
