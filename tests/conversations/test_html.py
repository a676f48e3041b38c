"""Customer HTML is sanitised; plain text becomes escaped paragraphs."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.conversations.html import hold_remote_images, sanitize_html, text_to_html


def test_sanitize_keeps_formatting_and_drops_active_content() -> None:
    raw = (
        '<div style="x"><h1>Title</h1><p class="c">A <em>b</em> <a href="https://x.y" '
        'onclick="z()">link</a></p><script>bad()</script><style>p{}</style>'
        '<form><input name="p"></form><a href="javascript:evil()">j</a>'
        '<img src="data:image/png;base64,AAA"><img src="cid:part1"></div>'
    )
    out = sanitize_html(raw)
    assert "<h1>Title</h1>" in out
    assert "<em>b</em>" in out
    assert 'href="https://x.y"' in out
    assert 'rel="noopener noreferrer nofollow"' in out
    for bad in (
        "<script",
        "bad()",
        "<style",
        "<form",
        "<input",
        "onclick",
        "javascript:",
        "data:image",
        "style=",
        "class=",
    ):
        assert bad not in out, bad
    assert 'src="cid:part1"' in out


def test_text_to_html() -> None:
    assert text_to_html("a\r\nb\n\n\n\nc") == "<p>a<br>b</p><p>c</p>"
    assert text_to_html("") == ""
    assert text_to_html("<b>&") == "<p>&lt;b&gt;&amp;</p>"


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_text_to_html_never_lets_markup_through(text: str) -> None:
    out = text_to_html(text)
    inner = out.replace("<p>", "").replace("</p>", "").replace("<br>", "")
    assert "<" not in inner
    assert ">" not in inner
    # nothing of the text is lost but blank paragraphs and line-break style
    assert html_lib.unescape(inner).replace("\r", "") == "".join(
        p.replace("\n", "") for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()
    ).replace("\r", "")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdefghijklmnopqrstuvwxyzscript:"))))
def test_sanitize_never_outputs_a_script_tag(raw: str) -> None:
    out = sanitize_html(raw).lower()
    assert "<script" not in out
    assert "javascript:" not in out or "href" not in out


# --- remote images held back until the agent asks ------------------------------------------

REMOTE_SRC = re.compile(r"<img\b[^>]*(?<![\w-])src=", re.I)


@pytest.mark.parametrize(
    "raw",
    [
        '<p>Hi<img src="https://track.example/p.gif?u=42&amp;m=7" width="1" height="1"></p>',
        "<img src=http://track.example/open.png>",
        '<img src="//track.example/p.gif" alt="logo">',
        '<IMG SRC="HTTPS://TRACK.EXAMPLE/P.GIF">',
        '<img src="/inbox/c/1/update/">',
        '<img alt="a>b" src="https://track.example/x.gif"><img src="https://track.example/x.gif">',
    ],
)
def test_remote_images_are_held_back(raw: str) -> None:
    held, count = hold_remote_images(sanitize_html(raw))
    assert count == raw.lower().count("<img")
    assert REMOTE_SRC.search(held) is None, held
    assert held.count("data-remote-src=") == count


def test_embedded_parts_and_text_are_left_alone() -> None:
    html = sanitize_html('<p>See <b>cid</b>:</p><img src="cid:part1" alt="chart">')
    assert hold_remote_images(html) == (html, 0)
    plain = sanitize_html("<p>No images, just &lt;img src=x&gt; as text</p>")
    assert hold_remote_images(plain) == (plain, 0)


def test_the_held_image_keeps_its_address_and_words() -> None:
    held, _count = hold_remote_images(
        sanitize_html('<img src="https://a.example/x.png?a=1&b=2" alt="Our &quot;logo&quot;">')
    )
    assert 'data-remote-src="https://a.example/x.png?a=1&amp;b=2"' in held
    assert 'alt="Our &quot;logo&quot;"' in held


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.builds(
                lambda src, alt: f'<img src="{src}" alt="{alt}">',
                st.sampled_from(["https://t.example/p.gif", "//x.example/a", "/local", "cid:p"]),
                st.text(max_size=10),
            ),
            st.sampled_from(["<p>", "</p>", "<b>", "<img>", "<img src=>", "<a href='x'>"]),
        ),
        max_size=12,
    )
)
def test_no_image_that_would_be_fetched_survives(parts: list[str]) -> None:
    held, _count = hold_remote_images(sanitize_html("".join(parts)))
    for src in re.findall(r"<img\b[^>]*?(?<![\w-])src=\"([^\"]*)\"", held):
        assert src.lower().startswith("cid:") or src == "", held
