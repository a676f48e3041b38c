"""The widget's script: its texts in every language, and its size budget."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from wowdesk.channels.chat import widget_rules

STATIC = Path(__file__).resolve().parents[3] / "src/wowdesk/web/static/chat"
WIDGET = STATIC / "widget.js"
BUDGET = 30 * 1024  # bytes, gzipped


def dictionary() -> dict[str, dict[str, str]]:
    source = WIDGET.read_text(encoding="utf-8")
    match = re.search(r"/\*i18n\*/(.*?)/\*/i18n\*/", source, re.S)
    assert match, "the dictionary markers are missing"
    data: dict[str, dict[str, str]] = json.loads(match.group(1))
    return data


def test_every_language_has_every_text() -> None:
    texts = dictionary()
    assert list(texts) == list(widget_rules.LANGUAGES)  # the settings offer exactly these
    keys = set(texts["en"])
    for lang, entries in texts.items():
        assert set(entries) == keys, (lang, keys ^ set(entries))
        for key, value in entries.items():
            assert value.strip(), (lang, key)
            # placeholders survive translation
            for mark in ("%s", "%d"):
                assert (mark in value) == (mark in texts["en"][key]), (lang, key)
        if lang != "en":  # translated, not copied (a word may be shared: "Chat")
            same = [k for k in keys if entries[k] == texts["en"][k]]
            assert len(same) <= 2, (lang, same)


def test_widget_fits_the_size_budget() -> None:
    # the widget has its styles inside the script (its shadow root); nothing else loads
    size = len(gzip.compress(WIDGET.read_bytes(), compresslevel=9))
    assert size < BUDGET, size
    assert "@import" not in WIDGET.read_text(encoding="utf-8")
    code = WIDGET.read_text(encoding="utf-8").split("*/", 1)[1]  # after the usage comment
    # it loads nothing from anywhere but the desk (the SVG namespace is a name, not a load)
    assert set(re.findall(r"https?://[^\"' ]+", code)) <= {"http://www.w3.org/2000/svg"}
