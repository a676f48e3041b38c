"""Turn raw mail bytes into what the help desk needs, never raising.

Plain Python (the standard ``email`` package, ``policy.default``) with no Django import.
Broken MIME, unknown or wrong charsets, undecodable headers and missing parts are noted
in ``defects`` and worked around: a mail always parses into *something*.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email
import email.header
import email.utils
import hashlib
import html as html_lib
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message

import nh3

MSGID_RE = re.compile(r"<[^<>\s]{1,398}>")
SUBJECT_TOKEN_RE = re.compile(r"\[#(\d{1,12})\]")
LOOP_HEADER = "X-Wowdesk-Loop"
_UNFOLD = re.compile(r"\r?\n(?=[ \t])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""


@dataclass
class DeliveryReport:
    """What a DSN (RFC 3464 ``multipart/report; report-type=delivery-status``) says."""

    action: str = ""  # failed, delayed, delivered, relayed, expanded
    status: str = ""  # e.g. 5.1.1
    recipient: str = ""
    diagnostic: str = ""
    original_message_ids: list[str] = field(default_factory=list)


@dataclass
class ParsedMail:
    message_id: str = ""
    from_name: str = ""
    from_email: str = ""
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    date: dt.datetime | None = None
    text: str = ""
    html: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    skipped_attachments: list[dict[str, str | int]] = field(default_factory=list)
    auto_submitted: str = ""
    precedence: str = ""
    loop_header: str = ""
    list_id: str = ""
    report: DeliveryReport | None = None
    defects: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this mail answers, nearest first."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen

    def subject_numbers(self) -> list[int]:
        return [int(n) for n in SUBJECT_TOKEN_RE.findall(self.subject)]

    def loop_reason(self) -> str:
        """Why this mail must not be answered (RFC 3834), or "" for a person's mail."""
        auto = self.auto_submitted.strip().lower()
        if auto and auto != "no":
            return f"Auto-Submitted: {self.auto_submitted.strip()[:100]}"
        if self.precedence.strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
            return f"Precedence: {self.precedence.strip()[:100]}"
        if self.loop_header:
            return f"{LOOP_HEADER}: {self.loop_header[:100]}"
        if self.list_id:
            return f"List-Id: {self.list_id[:100]}"
        return ""


def clean_text(value: str) -> str:
    """No control characters (NUL cannot be stored by PostgreSQL) and no lone surrogates."""
    value = _CONTROL.sub("", value)
    return value.encode("utf-8", "replace").decode("utf-8")


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str]:
    """Decode text whose declared charset may be missing, unknown or wrong.

    The declared charset is tried strictly, then UTF-8 (the usual truth behind a wrong
    label), then the declared (or UTF-8) with replacement characters. Returns the text
    and a defect note ("" when the label was right)."""
    name = (charset or "").strip().strip('"').lower() or "us-ascii"
    try:
        codecs.lookup(name)
        known = True
    except LookupError:
        known = False
    if known:
        try:
            return data.decode(name), ""
        except (UnicodeDecodeError, LookupError, ValueError):
            pass
    try:
        return data.decode("utf-8"), (
            ""
            if name in {"us-ascii", "ascii"} and known
            else f"charset {name!r} was wrong; decoded as UTF-8"
        )
    except UnicodeDecodeError:
        pass
    fallback = name if known else "utf-8"
    try:
        return data.decode(fallback, errors="replace"), f"charset {name!r}: undecodable bytes"
    except (LookupError, ValueError):
        return data.decode("utf-8", errors="replace"), f"charset {name!r}: undecodable bytes"


def html_to_text(markup: str) -> str:
    """The readable text of an HTML part (for an HTML-only mail's plain body)."""
    markup = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</li\s*>|</tr\s*>|</h\d\s*>", "\n", markup)
    stripped = nh3.clean(markup, tags=set())
    text = html_lib.unescape(stripped)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _raw_header(msg: Message, name: str) -> str | None:
    """The header's text, decoded as well as possible, or None if absent."""
    try:
        value = msg.get(name)
        if value is not None:
            return clean_text(str(value))
    except Exception:  # policy.default can trip over malformed headers
        pass
    try:
        raw = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    except Exception:
        return None
    if raw is None:
        return None
    try:
        decoded = str(email.header.make_header(email.header.decode_header(str(raw))))
    except Exception:
        decoded = str(raw)
    return clean_text(decoded)


def _raw_values(msg: Message, name: str) -> list[str]:
    """Every value of a header as the mail wrote it (encoded words still encoded), with
    8-bit bytes (SMTPUTF8) read as UTF-8."""
    try:
        items = msg.raw_items()
    except Exception:
        return []
    values = []
    for key, value in items:
        if key.lower() != name.lower():
            continue
        text = str(value)
        try:
            text = text.encode("ascii", "surrogateescape").decode("utf-8", "replace")
        except UnicodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
        values.append(_UNFOLD.sub("", text).replace("\r", " ").replace("\n", " "))
    return values


def decode_display_name(value: str) -> str:
    """A display name as a person reads it: RFC 2047 encoded words decoded (also inside
    quotes, as mail programs do), on one line, without control characters."""
    text = value
    if "=?" in text:
        try:
            text = str(email.header.make_header(email.header.decode_header(text)))
        except Exception:  # a broken encoded word: keep the text as written
            text = value
    text = "".join(" " if unicodedata.category(c) in {"Cc", "Zl", "Zp", "Cs"} else c for c in text)
    return " ".join(clean_text(text).split())[:200]


def parse_address_list(values: list[str]) -> list[tuple[str, str]]:
    """(display name, address) pairs of address header values in any form RFC 5322
    allows: ``"Doe, John" <j@x>``, encoded words, ``j@x (John Doe)``, quoted pairs,
    groups. Entries without an address are dropped; names are one line."""
    out: list[tuple[str, str]] = []
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:
        return out
    for display, addr in pairs:
        addr = clean_text(addr).strip()
        if "@" in addr and len(addr) <= 320 and not any(c.isspace() for c in addr):
            out.append((decode_display_name(display), addr))
    return out


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    found = parse_address_list(_raw_values(msg, name))
    if found:
        return found
    # No raw value that reads as addresses: what the email package makes of the header.
    try:
        values = [str(v) for v in msg.get_all(name) or []]
    except Exception:
        raw = _raw_header(msg, name)
        values = [raw] if raw else []
    return parse_address_list(values)


def _msgids(value: str | None) -> list[str]:
    return MSGID_RE.findall(value or "")[:100]


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    name = clean_text(str(name or "")).replace("/", "_").replace("\\", "_").strip()
    return name[:255]


def _is_attachment(part: Message) -> bool:
    try:
        disposition = (part.get_content_disposition() or "").lower()
    except Exception:
        disposition = ""
    if disposition == "attachment":
        return True
    return bool(_filename(part)) and part.get_content_maintype() != "text"


def _payload_bytes(part: Message, result: ParsedMail) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        result.defects.append(f"undecodable part: {type(exc).__name__}")
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _add_attachment(part: Message, data: bytes, result: ParsedMail, max_bytes: int) -> None:
    filename = _filename(part) or "attachment"
    content_type = clean_text(part.get_content_type())[:255]
    if len(data) > max_bytes:
        result.skipped_attachments.append(
            {"filename": filename, "size": len(data), "reason": "too large"}
        )
        return
    cid = (_raw_header(part, "Content-ID") or "").strip().strip("<>")[:255]
    result.attachments.append(ParsedAttachment(filename, content_type, data, cid))


def _walk(part: Message, result: ParsedMail, max_attachment: int, depth: int = 0) -> None:
    if depth > 20:
        result.defects.append("MIME nested too deep")
        return
    ctype = part.get_content_type()
    if part.is_multipart():
        payload = part.get_payload()
        subs = [s for s in payload if isinstance(s, Message)] if isinstance(payload, list) else []
        if ctype == "multipart/report" and depth == 0 and _report(part, result):
            subs = subs[:1]  # the human-readable part; the rest was read as the report
        for sub in subs:
            _walk(sub, result, max_attachment, depth + 1)
        return
    if _is_attachment(part) or part.get_content_maintype() not in {"text"}:
        if part.get_content_maintype() == "multipart":  # a multipart that failed to parse
            result.defects.append("broken multipart")
        data = _payload_bytes(part, result)
        if data:
            _add_attachment(part, data, result, max_attachment)
        return
    data = _payload_bytes(part, result)
    text, defect = decode_bytes(data, part.get_content_charset())
    if defect:
        result.defects.append(defect)
    text = clean_text(text)
    if ctype == "text/html":
        if not result.html:
            result.html = text
    elif not result.text:
        result.text = text


def _report(part: Message, result: ParsedMail) -> bool:
    """Read a delivery status notification: its first recipient block and the original
    message's Message-ID. False if this report is not about delivery."""
    if str(part.get_param("report-type") or "").lower() != "delivery-status":
        return False
    report = DeliveryReport()
    payload = part.get_payload()
    for sub in payload if isinstance(payload, list) else []:
        if not isinstance(sub, Message):
            continue
        ctype = sub.get_content_type()
        if ctype == "message/delivery-status":
            blocks = sub.get_payload()
            if isinstance(blocks, str):
                text, _ = decode_bytes(_payload_bytes(sub, result), "utf-8")
                blocks = [
                    email.message_from_string(b, policy=policy.compat32)
                    for b in re.split(r"\r?\n\r?\n", text)
                ]
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                action = (_raw_header(block, "Action") or "").strip().lower()
                if not action:
                    continue
                report.action = report.action or action
                report.status = report.status or (_raw_header(block, "Status") or "").strip()
                recipient = _raw_header(block, "Final-Recipient") or ""
                report.recipient = report.recipient or recipient.split(";")[-1].strip()
                report.diagnostic = (
                    report.diagnostic
                    or (_raw_header(block, "Diagnostic-Code") or "").strip()[:1000]
                )
        elif ctype in {"message/rfc822", "message/global", "text/rfc822-headers"}:
            inner = sub.get_payload()
            original: Message | None = None
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                original = inner[0]
            else:
                text, _ = decode_bytes(_payload_bytes(sub, result), "utf-8")
                original = email.message_from_string(text, policy=policy.compat32)
            ids = _msgids(_raw_header(original, "Message-ID"))
            report.original_message_ids.extend(ids)
    result.report = report
    return True


def parse_mail(raw: bytes, *, max_attachment_bytes: int = 10 * 1024 * 1024) -> ParsedMail:
    """Parse raw RFC 5322 bytes. Never raises; problems are listed in ``defects``."""
    result = ParsedMail()
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
    except Exception as exc:  # the parser itself is lenient; this is belt and braces
        result.defects.append(f"unparsable: {type(exc).__name__}")
        text, _ = decode_bytes(raw, "utf-8")
        result.text = clean_text(text)
        return result
    try:
        _headers(msg, result)
    except Exception as exc:
        result.defects.append(f"headers: {type(exc).__name__}: {exc}"[:300])
    try:
        _walk(msg, result, max_attachment_bytes)
    except Exception as exc:
        result.defects.append(f"body: {type(exc).__name__}: {exc}"[:300])
    for defect in getattr(msg, "defects", [])[:10]:
        result.defects.append(type(defect).__name__)
    if not result.text.strip() and result.html:
        result.text = html_to_text(result.html)
    result.defects = [clean_text(d)[:300] for d in result.defects]
    return result


def _headers(msg: EmailMessage | Message, result: ParsedMail) -> None:
    ids = _msgids(_raw_header(msg, "Message-ID"))
    result.message_id = ids[0] if ids else ""
    senders = _addresses(msg, "From") or _addresses(msg, "Sender")
    if senders:
        result.from_name, result.from_email = senders[0]
    reply_to = _addresses(msg, "Reply-To")
    result.reply_to = reply_to[0][1] if reply_to else ""
    result.to = [a for _, a in _addresses(msg, "To")][:50]
    result.cc = [a for _, a in _addresses(msg, "Cc")][:50]
    result.subject = " ".join((_raw_header(msg, "Subject") or "").split())[:998]
    date = _raw_header(msg, "Date")
    if date:
        try:
            parsed = email.utils.parsedate_to_datetime(date)
            result.date = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            result.defects.append("bad Date header")
    result.in_reply_to = _msgids(_raw_header(msg, "In-Reply-To"))
    result.references = _msgids(_raw_header(msg, "References"))
    result.auto_submitted = (_raw_header(msg, "Auto-Submitted") or "")[:200]
    result.precedence = (_raw_header(msg, "Precedence") or "")[:200]
    result.loop_header = (_raw_header(msg, LOOP_HEADER) or "").strip()[:200]
    result.list_id = (_raw_header(msg, "List-Id") or "").strip()[:200]
    for name in ("X-Autoreply", "X-Autorespond"):
        if _raw_header(msg, name) and not result.auto_submitted:
            result.auto_submitted = f"{name}: yes"


def fallback_message_id(raw: bytes) -> str:
    """A stable id for a mail without a Message-ID: the same bytes, the same id."""
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@wowdesk.invalid>"
