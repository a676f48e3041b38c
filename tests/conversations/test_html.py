"""Customer HTML is sanitised; plain text becomes escaped paragraphs."""

from __future__ import annotations

import html as html_lib

from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.conversations.html import sanitize_html, text_to_html


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
