"""Secrets at rest: values encrypted with a key derived from the install's secret key.

``seal`` turns a secret (an IMAP or SMTP password, a webhook secret of a voice or social
inbox) into ``enc1:`` + a Fernet token (``core/secrets_box.py``: the same secret sealed
twice gives two different strings). The key is HKDF-SHA256 of ``SECRET_KEY``; values
sealed under a key listed in ``SECRET_KEY_FALLBACKS`` still open. The database alone does
not give the secret away; losing the secret key loses the sealed values (they must be
entered again).
``EncryptedTextField`` seals on the way into the database and opens on the way out; a
value stored before the field was encrypted (no ``enc1:`` prefix) reads as it is and is
sealed the next time it is saved.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import models

from wowdesk.core import secrets_box

PREFIX = secrets_box.PREFIX
log = logging.getLogger(__name__)


class SecretUnreadable(Exception):
    """A sealed value that this install's keys cannot open (the secret key changed, or the
    value was tampered with)."""


def _keys() -> list[str]:
    """The current secret key, then the retired ones (``SECRET_KEY_FALLBACKS``)."""
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def seal(value: str) -> str:
    return secrets_box.encrypt(value, settings.SECRET_KEY)


def is_sealed(value: str) -> bool:
    return secrets_box.is_encrypted(value)


def open_sealed(value: str) -> str:
    try:
        return secrets_box.decrypt(value, _keys())
    except secrets_box.SecretTampered as exc:
        raise SecretUnreadable("sealed with another secret key, or altered") from exc


def reveal(value: Any, *, what: str = "secret") -> str:
    """The one way readers (the IMAP poller, the SMTP sender, webhook signature checks)
    get a stored secret: the plain value, or "" when it cannot be opened. That is logged
    as an error and not raised, so the reader goes on and fails as with a wrong secret
    (a mailbox shows the failed login; a webhook is refused)."""
    if not isinstance(value, str) or value == "":
        return ""
    try:
        return open_sealed(value)
    except SecretUnreadable:
        log.error("the stored %s cannot be decrypted: enter it again", what)
        return ""


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column holding a sealed secret; Python code sees the plain value."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        # Unusable is not fatal: the row still loads (the mailbox then fails to log in and
        # says so), and entering the password again fixes it.
        return reveal(str(value), what=f"{self.model.__name__}.{self.name}")

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return seal(str(value))
