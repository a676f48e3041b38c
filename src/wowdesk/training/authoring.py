"""The scenario form's text fields as data, and back (pure: no Django import).

Policy limits are written one a line: an action, then optionally a number, then optionally a
currency (three capital letters) or a unit: ``refund 50 EUR``, ``replacement``,
``onsite_repair 48 hours``, ``warranty_extension 6 months``.
"""

from __future__ import annotations

import math
from typing import Any

MAX_ACTION = 64
MAX_UNIT = 16


class BadLine(ValueError):
    """A line that is not ``action [number [currency|unit]]``; ``index`` is its number."""

    def __init__(self, index: int) -> None:
        super().__init__(f"line {index}")
        self.index = index


def lines(text: str) -> list[str]:
    """The non-empty lines of ``text``, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_limits(text: str) -> list[dict[str, Any]]:
    """``"refund 50 EUR\\nreplacement"`` → ``[{"action": "refund", "limit": 50.0,
    "currency": "EUR"}, {"action": "replacement"}]``."""
    out: list[dict[str, Any]] = []
    for i, line in enumerate(lines(text)):
        parts = line.split()
        if len(parts) > 3 or len(parts[0]) > MAX_ACTION:
            raise BadLine(i)
        item: dict[str, Any] = {"action": parts[0]}
        if len(parts) > 1:
            try:
                limit = float(parts[1])
            except ValueError:
                raise BadLine(i) from None
            if not math.isfinite(limit) or limit < 0:
                raise BadLine(i)
            item["limit"] = limit
        if len(parts) > 2:
            unit = parts[2]
            if len(unit) > MAX_UNIT:
                raise BadLine(i)
            is_currency = len(unit) == 3 and unit.isascii() and unit.isalpha() and unit.isupper()
            item["currency" if is_currency else "unit"] = unit
        out.append(item)
    return out


def limit_line(item: dict[str, Any]) -> str:
    """One policy limit as the form writes it (the inverse of :func:`parse_limits`)."""
    parts = [str(item.get("action", ""))]
    limit = item.get("limit")
    if isinstance(limit, int | float) and not isinstance(limit, bool):
        parts.append(repr(float(limit)) if not float(limit).is_integer() else str(int(limit)))
    unit = item.get("currency") or item.get("unit")
    if unit and len(parts) > 1:
        parts.append(str(unit))
    return " ".join(parts)
