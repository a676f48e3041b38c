"""Normalising channel addresses so one person is found again however they write in.

Pure functions, no Django: property-tested in ``tests/customers/test_identity.py``.
"""

from __future__ import annotations

import re

import phonenumbers

_EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+$|^[^@\s<>\"]+@localhost$")


class InvalidAddress(ValueError):
    """The address cannot be a channel identity of this kind."""


def normalize_email(value: str) -> str:
    email = value.strip().strip("<>").strip()
    if len(email) > 320 or not _EMAIL_RE.match(email):
        raise InvalidAddress(f"not an email address: {value!r}")
    local, _, domain = email.rpartition("@")
    # Domains are case-insensitive; local parts technically are not, but every
    # mailbox provider treats them so, and so do help desks.
    normalized = f"{local.lower()}@{domain.lower()}"
    if len(normalized) > 320:  # lowering can lengthen text (İ → i̇)
        raise InvalidAddress(f"not an email address: {value!r}")
    return normalized


def normalize_phone(value: str, default_region: str | None = None) -> str:
    """E.164 (``+4930123456``). Without a leading ``+`` a default region is needed."""
    raw = value.strip()
    if not raw or len(raw) > 40:
        raise InvalidAddress(f"not a phone number: {value!r}")
    if default_region is None and raw.startswith("00"):
        raw = "+" + raw[2:]  # 00 is the international prefix (ITU-T E.164) in most countries
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidAddress(f"not a phone number: {value!r}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidAddress(f"not a possible phone number: {value!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_handle(value: str) -> str:
    """A social or chat handle: trimmed, case folded, a leading ``@`` dropped."""
    handle = value.strip()
    while handle.startswith("@"):  # all of them, or "@@ana" and "@ana" would differ
        handle = handle[1:].strip()
    handle = handle.casefold()
    if not handle or len(handle) > 320 or any(c.isspace() for c in handle):
        raise InvalidAddress(f"not a handle: {value!r}")
    return handle


def normalize(kind: str, value: str) -> str:
    if kind == "email":
        return normalize_email(value)
    if kind == "phone":
        return normalize_phone(value)
    return normalize_handle(value)
