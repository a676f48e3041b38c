"""Encrypt and decrypt secrets with keys derived from an install's secret key. No Django.

A sealed value is a version prefix and a token: ``enc1:`` + a Fernet token (AES-128-CBC
with HMAC-SHA256, random IV), its key HKDF-SHA256 of the secret key. The prefix names the
scheme, so a later scheme can be added next to this one and old values still open.
``decrypt`` takes several secret keys (the current one first, then retired ones): values
sealed under a retired key still open, and are sealed under the current key the next time
they are written. A value without a prefix is a secret stored before sealing and is
returned as it is. A value that no key opens (tampered with, or sealed by another install)
raises ``SecretTampered``.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "enc1:"


class SecretTampered(Exception):
    """A sealed value that none of the keys opens."""


@functools.lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"wowdesk-vault",
        info=b"wowdesk secrets at rest v1",
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt(plaintext: str, secret_key: str) -> str:
    """``plaintext`` sealed under ``secret_key``; the empty string stays empty."""
    if plaintext == "":
        return ""
    return PREFIX + _fernet(secret_key).encrypt(plaintext.encode()).decode("ascii")


def decrypt(value: str, secret_keys: Sequence[str]) -> str:
    """The plaintext of a sealed ``value``, trying each key in turn."""
    if not is_encrypted(value):
        return value
    token = value[len(PREFIX) :].encode()
    for secret_key in secret_keys:
        try:
            return _fernet(secret_key).decrypt(token).decode()
        except (InvalidToken, UnicodeDecodeError):
            continue
    raise SecretTampered("no key opens this value (tampered with, or another secret key)")


def hint(plaintext: str) -> str:
    """What a page shows of a stored secret: its last four characters (none of a short one)."""
    if not plaintext:
        return ""
    if len(plaintext) < 12:
        return "••••"
    return "••••" + plaintext[-4:]
