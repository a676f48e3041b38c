"""Edge validators: the rules every way in (API, inbound fast path, workspace forms,
WebSockets) applies to what a client sends, so that bad input is refused with the name of
the field and never reaches a service, a database or a mail header.

Pure functions (no database, no settings). A refusal raises :class:`BadInput`, both an
``InvalidInput`` (a service's 422) and a ``ValueError`` (inside a pydantic validator it
becomes the schema's 422), carrying the field's name (a dotted path for JSON,
``meta.a.0``) and a translated reason.

- JSON (:func:`loads`, :func:`check_json`): at most ``MAX_JSON_DEPTH`` levels of nesting;
  no ``NaN``/``Infinity`` (Python's ``json`` accepts them, JSON does not), no number that
  overflows (``1e999`` parses to infinity), integers within 64 bits.
- Text (:func:`check_text`, :func:`check_line`): no NUL (PostgreSQL cannot store it); a
  single-line field (a name, a subject, a tag, an address) has no line break or other
  control character (a CR/LF in a name breaks every mail header made from it).
  :func:`single_line` is the sanitiser for what cannot be refused (a name in an email's
  From header): line breaks and control characters become one space.
- Datetimes (:func:`check_datetime`): an offset that overflows when converted to UTC
  (``9999-12-31T23:59:59-23:59``) or a year outside the window (1970-2100 by default).
- Time zones (:func:`check_timezone`): an IANA name zoneinfo knows, at most 64 characters.
- Query parameters (:func:`check_query`): at most ``MAX_QUERY_VALUE`` characters each.
- WebSocket frames (:func:`parse_frame`, :func:`check_frame`): a text frame of at most
  ``MAX_FRAME`` characters holding a JSON object (else the socket closes with
  ``CLOSE_BAD_INPUT`` and the reason), its fields of the right kind and length (else an
  error frame naming the field).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from wowdesk.core.errors import InvalidInput

MAX_JSON_DEPTH = 32
MAX_INT = 2**63 - 1
MIN_INT = -(2**63)
MAX_QUERY_VALUE = 1000
MAX_TIMEZONE = 64
# Datetimes a person or a client may set (filters, snoozes, a message's sent time).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 12, 31, 23, 59, 59, tzinfo=dt.UTC)

# Line breaks and every other control character: C0 (but TAB in multi-line text), DEL,
# C1 (NEL among them), and the Unicode line and paragraph separators.
_NOT_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]+")
_TZ_NAME = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")


class BadInput(InvalidInput, ValueError):
    """A value refused at the edge: ``field`` names it (``""``: the whole input). A
    ``ValueError`` for pydantic validators, an ``InvalidInput`` (422) for the services
    and the edges that report those."""

    field: str

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message, field=field, code="invalid")

    def at(self, prefix: str) -> BadInput:
        """The same refusal, its field inside ``prefix`` (``meta`` + ``a.b`` → ``meta.a.b``)."""
        if not prefix:
            return self
        return BadInput(self.message, f"{prefix}.{self.field}" if self.field else prefix)


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


# --- JSON ---------------------------------------------------------------------------------


class _Constant:
    """What ``NaN``, ``Infinity`` and ``-Infinity`` parse to, refused by :func:`check_json`."""

    def __init__(self, name: str, *, overflow: bool = False) -> None:
        self.name = name
        self.overflow = overflow


def _parse_int(text: str) -> int | _Constant:
    if len(text.lstrip("-")) > 19:  # also keeps int() from refusing 4,300+ digits itself
        return _Constant(text[:24], overflow=True)
    return int(text)


def loads(
    data: bytes | str, *, field: str = "", max_depth: int = MAX_JSON_DEPTH, allow_nul: bool = True
) -> Any:
    """Parse JSON as JSON is written: :class:`BadInput` for anything else, naming where
    the fault is (``field`` is the prefix, e.g. the name of the parameter)."""
    try:
        value = json.loads(data, parse_constant=_Constant, parse_int=_parse_int)
    except RecursionError as exc:
        raise BadInput(_("Nested too deeply."), field) from exc
    except UnicodeDecodeError as exc:
        raise BadInput(_("Not valid UTF-8."), field) from exc
    except ValueError as exc:
        raise BadInput(_("Not valid JSON: %(error)s") % {"error": exc}, field) from exc
    check_json(value, field=field, max_depth=max_depth, allow_nul=allow_nul)
    return value


def check_json(
    value: Any, *, field: str = "", max_depth: int = MAX_JSON_DEPTH, allow_nul: bool = True
) -> None:
    """Refuse values no JSON document could carry into storage: nesting deeper than
    ``max_depth``, non-finite numbers, integers beyond 64 bits, NUL in keys or strings
    (unless ``allow_nul``: the inbound endpoint drops them instead, ``channels/schema.py``),
    and (after :func:`loads`) the literals ``NaN``/``Infinity``. Walks without recursion."""
    stack: list[tuple[Any, str, int]] = [(value, field, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                raise BadInput(_("Nested deeper than %(n)d levels.") % {"n": max_depth}, path)
            if isinstance(item, dict):
                for key, sub in item.items():
                    if not isinstance(key, str):
                        raise BadInput(_("Object keys must be text."), path)
                    if not allow_nul and "\x00" in key:
                        raise BadInput(_("NUL characters are not allowed."), _join(path, key))
                    stack.append((sub, _join(path, key), depth + 1))
            else:
                for i, sub in enumerate(item):
                    stack.append((sub, _join(path, i), depth + 1))
        elif isinstance(item, _Constant):
            if item.overflow:
                raise BadInput(_("The number is out of range."), path)
            raise BadInput(_("%(value)s is not a number JSON allows.") % {"value": item.name}, path)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise BadInput(_("The number is out of range."), path)
        elif isinstance(item, int):
            if not MIN_INT <= item <= MAX_INT:
                raise BadInput(_("The number is out of range."), path)
        elif isinstance(item, str):
            if not allow_nul and "\x00" in item:
                raise BadInput(_("NUL characters are not allowed."), path)
        else:
            raise BadInput(_("Not a JSON value."), path)


# --- text ---------------------------------------------------------------------------------


def single_line(text: str) -> str:
    """``text`` as one line: each run of line breaks, control characters and spaces
    becomes one space, the ends trimmed. For names and subjects from channels that
    cannot be refused (an email's From header); the edges refuse them instead."""
    return _SPACES.sub(" ", text).strip()


def check_text(
    value: str, field: str, *, max_length: int | None = None, min_length: int = 0
) -> str:
    """Multi-line text (a message body, notes): no NUL, within the lengths."""
    if "\x00" in value:
        raise BadInput(_("NUL characters are not allowed."), field)
    if max_length is not None and len(value) > max_length:
        raise BadInput(_("At most %(n)d characters.") % {"n": max_length}, field)
    if len(value) < min_length:
        raise BadInput(_("This field is required."), field)
    return value


def check_line(
    value: str, field: str, *, max_length: int | None = None, min_length: int = 0
) -> str:
    """A single-line field (a name, a subject, a tag, an address): no line break, NUL or
    other control character, within the lengths."""
    bad = _NOT_IN_LINE.search(value)
    if bad is not None:
        if bad.group() == "\x00":
            raise BadInput(_("NUL characters are not allowed."), field)
        raise BadInput(_("Line breaks and control characters are not allowed."), field)
    return check_text(value, field, max_length=max_length, min_length=min_length)


def check_lines(values: Iterable[str], field: str, *, max_length: int | None = None) -> None:
    """:func:`check_line` for each item of a list, named ``field.i``."""
    for i, v in enumerate(values):
        check_line(v, _join(field, i), max_length=max_length)


def check_query(value: str, field: str, *, max_length: int = MAX_QUERY_VALUE) -> str:
    """A query parameter: no NUL or control character, at most ``max_length``."""
    return check_line(value, field, max_length=max_length)


# --- numbers, datetimes, time zones ---------------------------------------------------------


def check_int(value: object, field: str, *, lo: int = MIN_INT, hi: int = MAX_INT) -> int:
    """An integer from a form or a frame (``"12"`` or ``12``; not a bool, not ``1.5``)."""
    if isinstance(value, bool):
        raise BadInput(_("Not a whole number."), field)
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"-?[0-9]{1,19}", text):
            raise BadInput(_("Not a whole number."), field)
        number = int(text)
    elif isinstance(value, int):
        number = value
    else:
        raise BadInput(_("Not a whole number."), field)
    if not lo <= number <= hi:
        raise BadInput(_("Must be between %(lo)d and %(hi)d.") % {"lo": lo, "hi": hi}, field)
    return number


def check_datetime(
    value: dt.datetime,
    field: str,
    *,
    earliest: dt.datetime = EARLIEST,
    latest: dt.datetime = LATEST,
) -> dt.datetime:
    """An aware datetime (naive is taken as UTC) that converts to UTC without overflow
    and falls within ``earliest``..``latest``; returned in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        utc = value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise BadInput(_("The date is out of range."), field) from exc
    if not earliest <= utc <= latest:
        raise BadInput(
            _("The date must be between %(a)s and %(b)s.")
            % {"a": earliest.date().isoformat(), "b": latest.date().isoformat()},
            field,
        )
    return utc


def check_date(
    value: dt.date, field: str, *, earliest: dt.datetime = EARLIEST, latest: dt.datetime = LATEST
) -> dt.date:
    """A calendar date within the window of :func:`check_datetime`."""
    if not earliest.date() <= value <= latest.date():
        raise BadInput(
            _("The date must be between %(a)s and %(b)s.")
            % {"a": earliest.date().isoformat(), "b": latest.date().isoformat()},
            field,
        )
    return value


def parse_datetime(
    text: str, field: str, *, earliest: dt.datetime = EARLIEST, latest: dt.datetime = LATEST
) -> dt.datetime:
    """An ISO 8601 datetime from a form or a frame, checked by :func:`check_datetime`."""
    check_line(text, field, max_length=64)
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise BadInput(_("Not a date and time."), field) from exc
    return check_datetime(value, field, earliest=earliest, latest=latest)


@functools.lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def check_timezone(name: str, field: str = "timezone") -> str:
    """An IANA time zone name zoneinfo knows (``Europe/Berlin``, ``UTC``)."""
    if len(name) > MAX_TIMEZONE or not _TZ_NAME.fullmatch(name):
        raise BadInput(_("Unknown time zone: %(tz)s") % {"tz": name[:MAX_TIMEZONE]}, field)
    if name not in _known_zones():
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise BadInput(_("Unknown time zone: %(tz)s") % {"tz": name}, field) from exc
    return name


# --- WebSocket frames ------------------------------------------------------------------------

MAX_FRAME = 64 * 1024  # characters of one text frame from a browser
CLOSE_BAD_INPUT = 4400  # the close code for a frame that cannot be a message at all


class FrameTooLarge(BadInput):
    """A frame over the size limit, or a binary frame: the socket is closed (4400)."""


@dataclass(frozen=True)
class FrameField:
    """One field of a frame: ``kind`` is ``line`` (one line of text), ``text`` (may
    have line breaks), ``int``, ``ref`` (an id or one line of text) or ``bool``; absent
    or ``null`` is allowed unless ``required``."""

    kind: str
    max_length: int = 200
    required: bool = False
    lo: int = 1
    hi: int = 2**62


def parse_frame(
    text_data: str | None, bytes_data: bytes | None, *, max_chars: int = MAX_FRAME
) -> dict[str, Any]:
    """A client's text frame as a JSON object (:func:`loads`' rules, no NUL anywhere).
    :class:`FrameTooLarge` for a binary or over-long frame, :class:`BadInput` for the rest."""
    if text_data is None:
        raise FrameTooLarge(_("Only text frames are accepted."), "")
    if len(text_data) > max_chars:
        raise FrameTooLarge(_("A frame may be at most %(n)d characters.") % {"n": max_chars}, "")
    value = loads(text_data, allow_nul=False)
    if not isinstance(value, dict):
        raise BadInput(_("A frame must be a JSON object."), "")
    return value


def check_frame(content: dict[str, Any], fields: dict[str, FrameField]) -> dict[str, Any]:
    """The frame's known fields, checked: text is text (not a number or an object),
    within its length, one line where it must be; integers are integers in range."""
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        value = content.get(name)
        if value is None:
            if spec.required:
                raise BadInput(_("This field is required."), name)
            out[name] = None
            continue
        if spec.kind == "bool":
            if not isinstance(value, bool):
                raise BadInput(_("Must be true or false."), name)
            out[name] = value
        elif spec.kind == "int" or (spec.kind == "ref" and isinstance(value, int)):
            out[name] = check_int(value, name, lo=spec.lo, hi=spec.hi)
        elif not isinstance(value, str):
            raise BadInput(_("Must be text."), name)
        elif spec.kind in ("line", "ref"):
            out[name] = check_line(value, name, max_length=spec.max_length)
        else:
            out[name] = check_text(value, name, max_length=spec.max_length)
    return out


def close_reason(exc: BadInput) -> str:
    """A close frame's reason (at most 123 bytes of UTF-8)."""
    text = f"{exc.field}: {exc.message}" if exc.field else exc.message
    return text.encode()[:123].decode(errors="ignore")
