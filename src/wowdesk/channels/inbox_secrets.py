"""The secrets of voice, social and email inboxes, kept in ``Inbox.settings`` sealed
(``core/vault.py``): webhook signing secrets and tokens, API tokens, the SMTP password.

Readers (webhook signature checks, outbound clients, the SMTP sender) get them through
``opened``; writers through ``set_secret`` / ``rotate``. Pages show a secret in full only in
the answer that made it (``rotate``), afterwards ``hint`` (its last characters).
"""

from __future__ import annotations

import secrets as random_tokens
from typing import Any

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core import secrets_box, vault

# The settings keys that hold secrets, per channel (the rest are plain settings).
SECRET_KEYS: dict[str, tuple[str, ...]] = {
    "voice": ("secret", "twilio_auth_token"),
    "social": ("secret", "app_secret", "secret_token", "verify_token", "access_token", "bot_token"),
}
# Secrets wowdesk makes up itself (the provider is told them): a rotate makes a new one.
GENERATED: dict[str, tuple[str, ...]] = {
    "voice": ("secret",),
    "social": ("secret", "secret_token", "verify_token"),
}
SMTP = "smtp"


def opened(inbox: Inbox) -> dict[str, Any]:
    """The inbox's settings with every secret in plain text (an unreadable one is "")."""
    settings = dict(inbox.settings or {})
    for key in SECRET_KEYS.get(inbox.channel, ()):
        if key in settings:
            settings[key] = vault.reveal(settings[key], what=f"inbox {inbox.pk} {key}")
    smtp = settings.get(SMTP)
    if isinstance(smtp, dict) and "password" in smtp:
        settings[SMTP] = {
            **smtp,
            "password": vault.reveal(smtp["password"], what=f"inbox {inbox.pk} SMTP password"),
        }
    return settings


def secret(inbox: Inbox, key: str) -> str:
    return str(opened(inbox).get(key) or "")


def sealed_settings(channel: str, settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` with its plain secrets sealed (sealed ones stay as they are)."""
    out = dict(settings)
    for key in SECRET_KEYS.get(channel, ()):
        value = out.get(key)
        if isinstance(value, str) and value and not vault.is_sealed(value):
            out[key] = vault.seal(value)
    smtp = out.get(SMTP)
    if isinstance(smtp, dict):
        password = smtp.get("password")
        if isinstance(password, str) and password and not vault.is_sealed(password):
            out[SMTP] = {**smtp, "password": vault.seal(password)}
    return out


def set_secret(inbox: Inbox, key: str, value: str) -> Inbox:
    """Store one secret of the inbox (sealed); "" removes it."""
    if key not in SECRET_KEYS.get(inbox.channel, ()):
        raise ValueError(f"{key!r} is no secret of a {inbox.channel} inbox")
    return conversations.set_inbox_setting(inbox, key, vault.seal(value) if value else "")


def rotate(inbox: Inbox, key: str) -> str:
    """Make, store and return a new random secret (shown once by the caller)."""
    if key not in GENERATED.get(inbox.channel, ()):
        raise ValueError(f"{key!r} is not made by wowdesk for a {inbox.channel} inbox")
    value = random_tokens.token_urlsafe(32)
    set_secret(inbox, key, value)
    return value


def hints(inbox: Inbox) -> dict[str, str]:
    """Each stored secret as a page shows it: masked."""
    plain = opened(inbox)
    return {
        key: secrets_box.hint(str(plain.get(key) or ""))
        for key in SECRET_KEYS.get(inbox.channel, ())
    }


# The plain (not secret) settings a settings page may write, per channel.
PLAIN_KEYS: dict[str, tuple[str, ...]] = {
    "voice": ("default_region", "public_base_url", "recording_url"),
    "social": ("network", "reply_url", "phone_number_id"),
}
SMTP_KEYS = ("host", "port", "security", "username", "from_name")


def configure(
    inbox: Inbox,
    *,
    plain: dict[str, Any] | None = None,
    secrets: dict[str, str] | None = None,
    smtp: dict[str, Any] | None = None,
    smtp_password: str = "",
) -> Inbox:
    """Write an inbox's channel settings from its settings page: ``plain`` values as
    given, ``secrets`` sealed (an empty one keeps the stored secret), ``smtp`` the email
    inbox's relay (``smtp_password`` empty keeps the stored password; ``{}`` removes the
    relay: replies leave through the installation's)."""
    for key, value in (plain or {}).items():
        if key not in PLAIN_KEYS.get(inbox.channel, ()):
            raise ValueError(f"{key!r} is no setting of a {inbox.channel} inbox")
        conversations.set_inbox_setting(inbox, key, value)
    for key, value in (secrets or {}).items():
        if value:
            set_secret(inbox, key, value)
    if smtp == {}:
        conversations.set_inbox_setting(inbox, SMTP, {})
    elif smtp is not None:
        stored = (inbox.settings or {}).get(SMTP)
        old_password = stored.get("password", "") if isinstance(stored, dict) else ""
        section = {k: smtp[k] for k in SMTP_KEYS if k in smtp}
        section["password"] = vault.seal(smtp_password) if smtp_password else old_password
        conversations.set_inbox_setting(inbox, SMTP, section)
    return inbox
