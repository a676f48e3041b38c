"""Every icon the templates ask for is in the vendored sprite, and the tags render it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template

import wowdesk
from wowdesk.web.templatetags.wowdesk_ui import CHANNEL_ICONS, STATUS_ICONS

WEB = Path(wowdesk.__file__).parent / "web"
SPRITE = (WEB / "static/web/icons.svg").read_text(encoding="utf-8")
SYMBOLS = set(re.findall(r'<symbol id="([\w-]+)"', SPRITE))


def _used_in_templates() -> set[str]:
    used: set[str] = set()
    for path in (WEB / "templates").rglob("*.html"):
        used |= set(re.findall(r'{%\s*icon\s+"([\w-]+)"', path.read_text(encoding="utf-8")))
    return used


def test_every_icon_used_is_in_the_sprite() -> None:
    used = _used_in_templates() | set(CHANNEL_ICONS.values()) | set(STATUS_ICONS.values())
    assert len(used) > 10
    assert used - SYMBOLS == set()
    assert (WEB / "static/web/vendor/heroicons-LICENSE.txt").read_text().startswith("Heroicons")


def test_the_sprite_holds_only_symbols_with_a_view_box() -> None:
    assert len(SYMBOLS) == SPRITE.count("<symbol ")
    assert SPRITE.count('viewBox="0 0 20 20"') == len(SYMBOLS)
    assert "<script" not in SPRITE and "http://www.w3.org/2000/svg" in SPRITE


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            '{% icon "envelope" %}',
            '<svg class="icon icon-envelope" aria-hidden="true" focusable="false">'
            '<use href="/static/web/icons.svg#envelope"></use></svg>',
        ),
        (
            '{% icon "clock" label %}',
            '<svg class="icon icon-clock" role="img" aria-label="Due &lt;soon&gt;">'
            '<use href="/static/web/icons.svg#clock"></use></svg>',
        ),
        ('{% channel_icon "voice" %}', "#phone"),
        ('{% channel_icon "carrier-pigeon" %}', "#chat-bubble-left-right"),
        ('{% status_icon "resolved" %}', "#check-circle"),
        (
            "{% avatar name %}",
            'title="Ana Costa &lt;ana@example.com&gt;" aria-hidden="true">AC</span>',
        ),
    ],
)
def test_the_tags_render(source: str, expected: str) -> None:
    # text from the data (a customer's name) is escaped
    data = {"label": "Due <soon>", "name": "Ana Costa <ana@example.com>"}
    html = Template("{% load wowdesk_ui %}" + source).render(Context(data))
    assert expected in html
