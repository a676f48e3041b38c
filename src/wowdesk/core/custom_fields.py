"""Custom field values, checked per kind. Pure (no Django): the services hold the brand's
definitions (``core.models.CustomField``) and translate the messages raised here.

A value as stored, per kind:

- ``text``: one line (no line break or other control character), trimmed, at most
  ``MAX_TEXT`` characters; an empty text is no value.
- ``number``: a finite decimal number (a JSON number, or a text such as ``"12.50"``),
  at most ``MAX_DIGITS`` significant digits and less than ``NUMBER_LIMIT`` in size;
  stored as a whole number when it is one, else as a float.
- ``date``: a calendar date as ``yyyy-mm-dd``.
- ``dropdown``: one of the field's options (exactly as written there).
- ``multiselect``: some of the field's options, each once, stored in the options' order;
  an empty list is no value.
- ``checkbox``: ``true`` or ``false``.

``null`` (None) is no value: a patch with ``null`` removes the key.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = ("text", "number", "date", "dropdown", "multiselect", "checkbox")
WITH_OPTIONS = ("dropdown", "multiselect")
APPLIES_TO = ("conversation", "customer")
MAX_TEXT = 1000
MAX_DIGITS = 15
NUMBER_LIMIT = Decimal(10) ** 15
MAX_OPTIONS = 100
MAX_OPTION = 100
MAX_NAME = 100
KEY = re.compile(r"[a-z](?:_?[a-z0-9])*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def gettext_noop(message: str) -> str:
    """Marks a message id for the catalog; the service translates it (no Django here)."""
    return message


class FieldError(ValueError):
    """A value or definition that is refused: ``field`` names where (``custom_fields.size``),
    ``message`` is a message id, ``params`` its parameters."""

    def __init__(self, field: str, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.field = field
        self.message = message
        self.params = params


def _one_line(text: str) -> bool:
    return not any(unicodedata.category(ch)[0] == "C" for ch in text)


def clean_value(kind: str, value: Any, options: Sequence[str] = (), *, where: str = "value") -> Any:
    """``value`` as stored for a field of ``kind`` (None: no value), or ``FieldError``."""
    if value is None:
        return None
    if kind == "text":
        if not isinstance(value, str):
            raise FieldError(where, gettext_noop("A text."))
        if not _one_line(value):
            raise FieldError(where, gettext_noop("One line of text, without control characters."))
        text = value.strip()
        if len(text) > MAX_TEXT:
            raise FieldError(where, gettext_noop("At most %(n)d characters."), n=MAX_TEXT)
        return text or None
    if kind == "number":
        return _number(value, where)
    if kind == "date":
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise FieldError(where, gettext_noop("A date as yyyy-mm-dd."))
        try:
            dt.date.fromisoformat(value)
        except ValueError as exc:
            raise FieldError(where, gettext_noop("No such date: %(v)s."), v=value) from exc
        return value
    if kind == "dropdown":
        if not isinstance(value, str) or value not in options:
            raise FieldError(where, gettext_noop("Not one of the options: %(v)s."), v=_short(value))
        return value
    if kind == "multiselect":
        if not isinstance(value, list | tuple):
            raise FieldError(where, gettext_noop("A list of options."))
        chosen = set()
        for item in value:
            if not isinstance(item, str) or item not in options:
                raise FieldError(
                    where, gettext_noop("Not one of the options: %(v)s."), v=_short(item)
                )
            chosen.add(item)
        return [o for o in options if o in chosen] or None
    if kind == "checkbox":
        if not isinstance(value, bool):
            raise FieldError(where, gettext_noop("true or false."))
        return value
    raise FieldError(where, gettext_noop("Unknown kind: %(v)s."), v=_short(kind))


def _short(value: Any) -> str:
    return str(value)[:64]


def _number(value: Any, where: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FieldError(where, gettext_noop("A number."))
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(where, gettext_noop("A finite number."))
    if isinstance(value, str) and not _DECIMAL.fullmatch(value.strip()):
        raise FieldError(where, gettext_noop("A number."))
    try:
        number = Decimal(value.strip() if isinstance(value, str) else repr(value))
    except InvalidOperation as exc:
        raise FieldError(where, gettext_noop("A number.")) from exc
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise FieldError(where, gettext_noop("A number smaller than 10^15."))
    number = number.normalize() if number else Decimal(0)
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise FieldError(where, gettext_noop("At most %(n)d significant digits."), n=MAX_DIGITS)
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def from_form(kind: str, raw: str | list[str] | None) -> Any:
    """A value as a form or a query string sends it (text; a list for a multiselect), in
    the shape ``clean_value`` checks: ``""`` is no value, a checkbox is ``true``/``false``
    (``on``/``1`` also true)."""
    if kind == "multiselect":
        items = raw if isinstance(raw, list) else ([raw] if raw else [])
        return [i for i in items if i] or None
    text = raw[-1] if isinstance(raw, list) and raw else raw
    if not isinstance(text, str) or not text.strip():
        return None
    if kind == "checkbox":
        lowered = text.strip().lower()
        if lowered in ("true", "on", "1", "yes"):
            return True
        if lowered in ("false", "off", "0", "no"):
            return False
        return text
    return text


def merge(
    definitions: Mapping[str, Mapping[str, Any]],
    current: Mapping[str, Any],
    patch: Any,
    *,
    field: str = "custom_fields",
) -> dict[str, Any]:
    """``current`` with ``patch`` merged in: each key of ``patch`` set (checked against its
    definition, ``{"kind", "options"}``) or, for ``null`` or an empty value, removed.
    A key that has no definition (unknown or archived) may only be removed."""
    if not isinstance(patch, Mapping):
        raise FieldError(field, gettext_noop("An object of field keys and values."))
    out = dict(current)
    for key, value in patch.items():
        where = f"{field}.{key}"
        definition = definitions.get(key)
        if definition is None:
            if value is None:
                out.pop(key, None)
                continue
            raise FieldError(where, gettext_noop("Unknown field: %(v)s."), v=_short(key))
        cleaned = clean_value(
            str(definition["kind"]), value, definition.get("options") or (), where=where
        )
        if cleaned is None:
            out.pop(key, None)
        else:
            out[key] = cleaned
    return out


def missing(values: Mapping[str, Any], required: Sequence[str]) -> list[str]:
    """The keys of ``required`` that have no value in ``values``."""
    return [k for k in required if values.get(k) in (None, "", [])]


def clean_key(key: Any) -> str:
    """A field's key: a lower-case slug (letters and digits, starting with a letter, words
    joined by single ``_``: a key is also a JSON path and a query parameter's name)."""
    if not isinstance(key, str) or len(key) > 50 or not KEY.fullmatch(key):
        raise FieldError(
            "key",
            gettext_noop(
                "A key is 1 to 50 lower-case letters and digits, starting with a letter, "
                "words joined by single _."
            ),
        )
    return key


def clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise FieldError("name", gettext_noop("A field needs a name."))
    if not _one_line(name) or len(name.strip()) > MAX_NAME:
        raise FieldError("name", gettext_noop("One line of at most %(n)d characters."), n=MAX_NAME)
    return name.strip()


def clean_options(kind: str, options: Any) -> list[str]:
    """The options of a field of ``kind``: for a dropdown or a multiselect 1 to
    ``MAX_OPTIONS`` distinct one-line texts (trimmed, empty ones dropped); none otherwise."""
    if kind not in WITH_OPTIONS:
        if options:
            raise FieldError(
                "options", gettext_noop("Only dropdowns and multiselects have options.")
            )
        return []
    if not isinstance(options, list | tuple):
        raise FieldError("options", gettext_noop("A list of options."))
    out: list[str] = []
    for i, option in enumerate(options):
        if not isinstance(option, str) or not _one_line(option) or len(option) > MAX_OPTION:
            raise FieldError(
                f"options.{i}", gettext_noop("One line of at most %(n)d characters."), n=MAX_OPTION
            )
        text = option.strip()
        if text and text in out:
            raise FieldError(f"options.{i}", gettext_noop("Twice: %(v)s."), v=text)
        if text:
            out.append(text)
    if not out:
        raise FieldError("options", gettext_noop("At least one option."))
    if len(out) > MAX_OPTIONS:
        raise FieldError("options", gettext_noop("At most %(n)d options."), n=MAX_OPTIONS)
    return out
