"""WCAG contrast of the design system's colours (static/web/wowdesk.css): the ratio of two
colours' relative luminances, and the tokens' light/dark pairs read from the stylesheet.
Pure functions, no Django."""

from __future__ import annotations

import re

RGB = tuple[int, int, int]

_HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_TOKEN = re.compile(
    r"(--[\w-]+)\s*:\s*light-dark\(\s*(#[0-9a-fA-F]{3,6})\s*,\s*(#[0-9a-fA-F]{3,6})\s*\)"
)


def parse_hex(text: str) -> RGB:
    """``#rgb`` or ``#rrggbb`` → (r, g, b) in 0…255; anything else is a ValueError."""
    found = _HEX.match(text.strip())
    if not found:
        raise ValueError(f"not a hex colour: {text!r}")
    digits = found.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """Relative luminance (WCAG 2.x), 0 for black … 1 for white."""
    r, g, b = rgb
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: RGB, b: RGB) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter over the darker: 1 … 21."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def hsl_to_rgb(h: float, s: float, lightness: float) -> RGB:
    """CSS ``hsl(h s% l%)`` (h in degrees, s and l in 0…1) → (r, g, b) in 0…255."""
    h = h % 360
    c = (1 - abs(2 * lightness - 1)) * s
    x = c * (1 - abs((h / 60) % 2 - 1))
    m = lightness - c / 2
    r, g, b = [
        (c, x, 0.0),
        (x, c, 0.0),
        (0.0, c, x),
        (0.0, x, c),
        (x, 0.0, c),
        (c, 0.0, x),
    ][int(h // 60) % 6]
    return round((r + m) * 255), round((g + m) * 255), round((b + m) * 255)


def tokens(css: str) -> dict[str, tuple[RGB, RGB]]:
    """Every ``--name: light-dark(#light, #dark)`` of a stylesheet: name → (light, dark)."""
    return {
        m.group(1): (parse_hex(m.group(2)), parse_hex(m.group(3))) for m in _TOKEN.finditer(css)
    }
