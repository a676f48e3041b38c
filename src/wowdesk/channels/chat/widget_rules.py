"""Pure rules of the chat widget (no Django): colour contrast, allowed page origins, the
expected answer time, visitor page details and what an uploaded file really is."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# The widget's languages (its JS dictionary has exactly these; ``auto`` follows the page).
LANGUAGES = ("en", "zh-Hans", "de", "es", "fr", "id", "ja", "ar")
POSITIONS = ("right", "left")
FIELD_MODES = ("off", "optional", "required")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# WCAG AA for normal text: white text on the primary colour needs at least this ratio.
MIN_CONTRAST = 4.5
MAX_DOMAINS = 50
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN = re.compile(rf"^(\*\.)?({_LABEL}\.)*{_LABEL}$")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2) of ``#rrggbb``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_with_white(colour: str) -> float:
    """The contrast ratio of white text on ``colour`` (1 to 21)."""
    return 1.05 / (luminance(colour) + 0.05)


def normalize_domain(raw: str) -> str | None:
    """A host name as the allowed-domains list keeps it (lower case, no scheme, port or
    path; ``*.shop.example`` allows every subdomain), or None when it is not one."""
    text = raw.strip().lower()
    if "://" in text:
        text = urlsplit(text).hostname or ""
    text = text.split("/")[0].split(":")[0].rstrip(".")
    if not text or len(text) > 253 or not DOMAIN.match(text):
        return None
    return text


def origin_allowed(origin: str | None, domains: Iterable[str], *, own_host: str = "") -> bool:
    """May a page of ``origin`` use the widget? Any origin when no domain is listed; else
    the host must be a listed one (or a subdomain of a ``*.`` entry). The desk's own host
    (its demo page and settings preview) is always allowed."""
    allowed = [d for d in domains if d]
    if not allowed:
        return True
    if not origin or origin == "null":
        return False
    host = (urlsplit(origin).hostname or "").lower().rstrip(".")
    if not host:
        return False
    if own_host and host == own_host.split(":")[0].lower():
        return True
    for entry in allowed:
        if entry.startswith("*."):
            base = entry[2:]
            if host == base or host.endswith("." + base):
                return True
        elif host == entry:
            return True
    return False


def expected_answer_minutes(
    first_response_seconds: Iterable[float], waiting: int, agents_online: int
) -> int | None:
    """What "we usually answer in N minutes" says: the median first-response time of the
    recent chats, plus the queue ahead (each waiting chat beyond the online agents adds
    half a median). None with no recent answered chat. At least one minute."""
    samples = sorted(s for s in first_response_seconds if s >= 0)
    if not samples:
        return None
    median = statistics.median(samples)
    ahead = max(0, waiting - max(agents_online, 0))
    seconds = median + ahead * median / 2
    return max(1, round(seconds / 60))


# Visitor page details sent by the widget at connect: field → longest accepted value.
PAGE_FIELDS = {
    "url": 2000,
    "title": 300,
    "referrer": 2000,
    "browser": 500,
    "language": 35,
    "timezone": 64,
}
TIMEZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class PageProblem(Exception):
    field: str
    reason: str  # "type", "length", "url", "format"


def clean_page(raw: Any) -> dict[str, str]:
    """The visitor's page details, checked: a dict of known string fields, each within its
    length; URLs http(s) only; language a tag; time zone an IANA name. Unknown keys are
    dropped, empty values left out. Raises PageProblem naming the field."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise PageProblem("page", "type")
    out: dict[str, str] = {}
    for key, limit in PAGE_FIELDS.items():
        value = raw.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise PageProblem(f"page.{key}", "type")
        value = value.strip()
        if len(value) > limit:
            raise PageProblem(f"page.{key}", "length")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise PageProblem(f"page.{key}", "format")
        if key in ("url", "referrer") and value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise PageProblem(f"page.{key}", "url")
        if key == "language" and not LANGUAGE_TAG.match(value):
            raise PageProblem(f"page.{key}", "format")
        if key == "timezone" and not TIMEZONE.match(value):
            raise PageProblem(f"page.{key}", "format")
        if value:
            out[key] = value
    return out


# --- what a file is -------------------------------------------------------------------------

# Leading bytes of the types a visitor may send, and the type they are stored as.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
# Executables and scripts: refused whatever their name says.
DANGEROUS: tuple[bytes, ...] = (
    b"MZ",  # Windows PE
    b"\x7fELF",
    b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
DANGEROUS_EXTENSIONS = frozenset(
    [
        "exe",
        "com",
        "bat",
        "cmd",
        "msi",
        "scr",
        "pif",
        "vbs",
        "vbe",
        "js",
        "jse",
        "wsf",
        "wsh",
        "ps1",
        "sh",
        "jar",
        "app",
        "dll",
        "cpl",
        "hta",
        "lnk",
        "reg",
    ]
)
# Plain text types: accepted when the bytes are text (UTF-8, no NUL).
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv", "log": "text/plain"}


@dataclass(frozen=True)
class FileVerdict:
    ok: bool
    content_type: str = ""
    reason: str = ""  # "empty", "too_large", "dangerous", "type", "mismatch"


def _is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def sniff(filename: str, head: bytes, size: int, max_bytes: int) -> FileVerdict:
    """What a visitor's file is, by its bytes (its name and declared type are claims): an
    image (PNG, JPEG, GIF, WebP), a PDF or plain text; executables and scripts are
    refused, as is a name whose extension says another type than the bytes."""
    if size <= 0:
        return FileVerdict(False, reason="empty")
    if size > max_bytes:
        return FileVerdict(False, reason="too_large")
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in DANGEROUS_EXTENSIONS or any(head.startswith(sig) for sig in DANGEROUS):
        return FileVerdict(False, reason="dangerous")
    found = next((t for sig, t in SIGNATURES if head.startswith(sig)), "")
    if not found and _is_webp(head):
        found = "image/webp"
    if found:
        expected = {
            "png": "image/png",
            "jpg": "image/jpeg",
            "jpeg": "image/jpeg",
            "gif": "image/gif",
            "webp": "image/webp",
            "pdf": "application/pdf",
        }.get(ext)
        if expected is not None and expected != found:
            return FileVerdict(False, reason="mismatch")
        if expected is None and ext:
            return FileVerdict(False, reason="mismatch")
        return FileVerdict(True, content_type=found)
    if ext in TEXT_TYPES and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a character cut at the end of the head is fine
                return FileVerdict(False, reason="type")
        return FileVerdict(True, content_type=TEXT_TYPES[ext])
    return FileVerdict(False, reason="type")
