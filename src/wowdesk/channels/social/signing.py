"""Webhook signatures: ours (HMAC-SHA256 over timestamp and body), Meta's
``X-Hub-Signature-256`` and Telegram's secret token.

Pure functions, no Django: property-tested in ``tests/channels/social/test_signing.py``.
The voice webhooks use the same generic scheme.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Wowdesk-Signature"
TIMESTAMP_HEADER = "X-Wowdesk-Timestamp"
# A signed request older (or newer) than this is refused: a captured request cannot be
# replayed later. Re-deliveries inside the window are caught by the idempotency key.
MAX_SKEW_SECONDS = 300


class SignatureError(Exception):
    """The request is not from who it says. ``missing`` tells 401 (no credentials) from
    403 (wrong credentials)."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, ``"<timestamp>." + body``)."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    *,
    now: float,
    max_skew: int = MAX_SKEW_SECONDS,
) -> None:
    """Check our generic scheme; raise SignatureError when it does not hold."""
    if not secret:
        raise SignatureError("no webhook secret is configured for this inbox")
    if not signature or not timestamp:
        raise SignatureError(
            f"{SIGNATURE_HEADER} and {TIMESTAMP_HEADER} headers are required", missing=True
        )
    ts = timestamp.strip()
    if not (ts.isascii() and ts.isdigit()) or len(ts) > 12:
        raise SignatureError("the timestamp must be Unix seconds")
    if abs(now - int(ts)) > max_skew:
        raise SignatureError("the timestamp is too far from now (replayed or clock skew)")
    if not hmac.compare_digest(sign(secret, body, int(ts)), signature.strip()):
        raise SignatureError("the signature does not match")


def hub_signature(app_secret: str, body: bytes) -> str:
    """Meta's ``X-Hub-Signature-256``: ``sha256=`` + HMAC-SHA256(app secret, raw body)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_hub(app_secret: str, body: bytes, signature: str | None) -> None:
    if not app_secret:
        raise SignatureError("no app secret is configured for this inbox")
    if not signature:
        raise SignatureError("the X-Hub-Signature-256 header is required", missing=True)
    if not hmac.compare_digest(hub_signature(app_secret, body), signature.strip()):
        raise SignatureError("the signature does not match")


def verify_secret_token(expected: str, given: str | None) -> None:
    """Telegram sends the ``secret_token`` given to ``setWebhook`` back in a header."""
    if not expected:
        raise SignatureError("no secret token is configured for this inbox")
    if not given:
        raise SignatureError("the X-Telegram-Bot-Api-Secret-Token header is required", missing=True)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise SignatureError("the secret token does not match")
