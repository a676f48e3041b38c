"""Avatars with initials: the letters, and a hue from a hash of the name (the same name has
the same colour on every page and for every agent). Pure functions, no Django."""

from __future__ import annotations

import hashlib
import unicodedata

HUES = 12  # the palette's steps round the colour wheel (wowdesk.css .avatar.hue-0 … hue-11)


def initials(name: str) -> str:
    """Up to two letters: the first letters of the first and last words ("Ana Costa" → "AC"),
    the first two characters of a single word written without spaces (Chinese, Japanese:
    "王小明" → "王小"), "?" for no name. An address gives its local part's first letter."""
    text = unicodedata.normalize("NFC", name or "").strip()
    if "@" in text and " " not in text:
        text = text.split("@", 1)[0]
    words = [w for w in text.replace(".", " ").replace("_", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        word = words[0]
        if word[:1].isascii():
            return word[:1].upper()
        return word[:2]
    return (words[0][:1] + words[-1][:1]).upper()


def hue(name: str) -> int:
    """The avatar's colour step, 0 … HUES-1, from a stable hash of the name."""
    digest = hashlib.blake2s((name or "").strip().casefold().encode(), digest_size=2).digest()
    return int.from_bytes(digest, "big") % HUES
