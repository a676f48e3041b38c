"""Secrets at rest: values encrypted with a key derived from the install's secret key.

``seal`` turns a secret (an IMAP password) into ``enc1:`` + a Fernet token (AES-128-CBC
with HMAC-SHA256, random IV: the same secret sealed twice gives two different strings).
The key is HKDF-SHA256 of ``SECRET_KEY``, so the database alone does not give the secret
away; losing the secret key loses the sealed values (they must be entered again).
``EncryptedTextField`` seals on the way into the database and opens on the way out; a
value stored before the field was encrypted (no ``enc1:`` prefix) reads as it is and is
sealed the next time it is saved.
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


class SecretUnreadable(Exception):
    """A sealed value that this install's key cannot open (the secret key changed)."""


@functools.lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"wowdesk-vault",
        info=b"wowdesk secrets at rest v1",
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    if value == "":
        return value
    return PREFIX + _fernet(settings.SECRET_KEY).encrypt(value.encode()).decode("ascii")


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def open_sealed(value: str) -> str:
    if not is_sealed(value):
        return value
    try:
        return _fernet(settings.SECRET_KEY).decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("sealed with another secret key") from exc


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column holding a sealed secret; Python code sees the plain value."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        try:
            return open_sealed(str(value))
        except SecretUnreadable:
            # Unusable, not fatal: the row still loads (the mailbox then fails to log in
            # and says so), and entering the password again fixes it.
            return ""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return seal(str(value))
