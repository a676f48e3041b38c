"""Customer HTML is sanitised once, before it is stored for display."""

from __future__ import annotations

import html as html_lib
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"colspan"},
    "th": {"colspan"},
}


def sanitize_html(raw: str) -> str:
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
    )


def text_to_html(text: str) -> str:
    """Plain text as safe HTML paragraphs."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + html_lib.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


class _ImageFinder(HTMLParser):
    """The exact text of each ``<img>`` start tag with a ``src`` that would be fetched."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._image(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._image(tag, attrs)

    def _image(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "img":
            return
        values = {name: value or "" for name, value in attrs}
        src = values.get("src", "").strip()
        if src and not src.lower().startswith("cid:"):
            raw = self.get_starttag_text()
            if raw:
                self.found[raw] = values


def hold_remote_images(sanitised: str) -> tuple[str, int]:
    """Sanitised HTML with every fetched image held back: ``src`` moves to
    ``data-remote-src`` (the workspace puts it back when the agent asks), so opening a
    message tells no tracking pixel that it was read. ``cid:`` images (parts of the mail)
    stay. Returns the HTML and how many images were held."""
    if "<img" not in sanitised.lower():
        return sanitised, 0
    finder = _ImageFinder()
    finder.feed(sanitised)
    finder.close()
    held = 0
    out = sanitised
    for raw, values in finder.found.items():
        attrs = [f'data-remote-src="{html_lib.escape(values["src"], quote=True)}"']
        attrs += [
            f'{name}="{html_lib.escape(values[name], quote=True)}"'
            for name in ("alt", "title")
            if values.get(name)
        ]
        held += out.count(raw)
        out = out.replace(raw, f'<img class="remote-image" {" ".join(attrs)}>')
    return out, held
