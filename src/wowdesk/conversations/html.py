"""Customer HTML is sanitised once, before it is stored for display."""

from __future__ import annotations

import html as html_lib
from html.parser import HTMLParser

import nh3

# Tags both profiles keep: what an email or a help-center article may show.
_COMMON_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# Customer and agent messages: the inline formatting mail clients write.
ALLOWED_TAGS = set(_COMMON_TAGS | {"b", "div", "i", "s", "span", "sub", "sup", "u"})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"colspan"},
    "th": {"colspan"},
}
# Help-center articles (rendered Markdown): strike-through, six heading levels, table
# alignment, list start.
ARTICLE_TAGS = set(_COMMON_TAGS | {"del", "h5", "h6"})
ARTICLE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}


def sanitize_html(raw: str) -> str:
    """A message's HTML as stored for display: no script, style or event handler; inline
    images by ``cid:`` too."""
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
    )


def sanitize_article_html(raw: str, *, image_prefix: str) -> str:
    """An article's HTML as a help center shows it: no script, style or event handler;
    links open with ``rel="noopener noreferrer"``; images only from ``image_prefix`` (our
    own attachment URLs) or over https."""

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            if value.startswith(image_prefix) or value.lower().startswith("https://"):
                return value
            return None
        return value

    return nh3.clean(
        raw,
        tags=ARTICLE_TAGS,
        attributes=ARTICLE_ATTRIBUTES,
        attribute_filter=keep,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
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
