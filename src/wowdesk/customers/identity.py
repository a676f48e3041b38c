"""Normalising channel addresses so one person is found again however they write in.

Pure functions, no Django: property-tested in ``tests/customers/test_identity.py``.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata

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


def clean_name(value: str, limit: int = 200) -> str:
    """A person's name as one line: line breaks, tabs and other control or separator
    characters become single spaces (a name goes into mail headers, where CR or LF
    cannot stand), surrounding space is dropped, and at most ``limit`` characters kept."""
    text = "".join(" " if _unprintable(c) else c for c in value)
    return " ".join(text.split())[:limit].strip()


def _unprintable(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Zl", "Zp", "Cs"}


def inbox_address_key(value: str) -> str:
    """The key under which an email inbox claims an address, the same for every way of
    writing it: case folded (Unicode too), the domain in IDNA form, and plus-addressing
    (``support+billing@``) counted as the address before the ``+``. Raises InvalidAddress."""
    email = value.strip().strip("<>").strip()
    local, _, domain = email.rpartition("@")
    if len(email) > 320 or not _EMAIL_RE.match(f"{local}@{domain.lower()}"):
        raise InvalidAddress(f"not an email address: {value!r}")
    local = local.split("+", 1)[0].casefold()
    domain = domain.rstrip(".").casefold()
    # Not a valid IDNA name: kept case folded, it still names one key.
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    if not local or not domain:
        raise InvalidAddress(f"not an email address: {value!r}")
    return f"{local}@{domain}"[:320]


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
