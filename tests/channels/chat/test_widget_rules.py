"""The widget's pure rules: colour contrast, allowed origins, the answer estimate, page
details and what a visitor's file is."""

from __future__ import annotations

import pytest

from wowdesk.channels.chat import widget_rules as rules


@pytest.mark.parametrize(
    ("colour", "readable"),
    [
        ("#4f46e5", True),
        ("#000000", True),
        ("#1d4ed8", True),
        ("#767676", True),  # the lightest grey that passes AA on white
        ("#777777", False),
        ("#ffffff", False),
        ("#ffff00", False),
        ("#a5b4fc", False),
    ],
)
def test_contrast_with_white(colour: str, readable: bool) -> None:
    assert (rules.contrast_with_white(colour) >= rules.MIN_CONTRAST) is readable
    assert rules.contrast_with_white("#000000") == pytest.approx(21.0)
    assert rules.contrast_with_white("#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("Shop.Example", "shop.example"),
        ("https://shop.example/path?q=1", "shop.example"),
        ("shop.example:8443", "shop.example"),
        ("*.acme.example", "*.acme.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("localhost", "localhost"),
        ("", None),
        ("http://", None),
        ("shop example", None),
        ("bad_host.example", None),
        ("-bad.example", None),
        ("a." * 130 + "example", None),
        ("*.*.example", None),
    ],
)
def test_normalize_domain(raw: str, kept: str | None) -> None:
    assert rules.normalize_domain(raw) == kept


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://shop.example", True),
        ("http://shop.example:8080", True),
        ("https://www.acme.example", True),
        ("https://acme.example", True),
        ("https://a.b.acme.example", True),
        ("https://evil.example", False),
        ("https://shop.example.evil.example", False),
        ("https://notacme.example", False),
        ("https://evilshop.example", False),
        ("null", False),
        ("", False),
        (None, False),
        ("https://desk.example", True),  # the desk itself (demo page, preview)
    ],
)
def test_origin_allowed(origin: str | None, allowed: bool) -> None:
    domains = ["shop.example", "*.acme.example"]
    assert rules.origin_allowed(origin, domains, own_host="desk.example:8000") is allowed
    assert rules.origin_allowed(origin, [])  # no list: any page


def test_expected_answer_minutes() -> None:
    assert rules.expected_answer_minutes([], 3, 1) is None
    assert rules.expected_answer_minutes([60, 120, 600], 0, 2) == 2  # the median
    assert rules.expected_answer_minutes([10], 0, 1) == 1  # at least one minute
    # a queue beyond the agents online adds half a median per waiting chat
    assert rules.expected_answer_minutes([240], 5, 1) == 4 + 4 * 2
    assert rules.expected_answer_minutes([240], 1, 3) == 4
    assert rules.expected_answer_minutes([240, -5], 0, 0) == 4  # a negative sample is noise


def test_clean_page_keeps_known_fields_within_limits() -> None:
    page = rules.clean_page(
        {
            "url": "https://shop.example/lamps?id=3",
            "title": "Lamps",
            "referrer": "",
            "browser": "Mozilla/5.0",
            "language": "de-DE",
            "timezone": "Europe/Berlin",
            "extra": "dropped",
        }
    )
    assert page == {
        "url": "https://shop.example/lamps?id=3",
        "title": "Lamps",
        "browser": "Mozilla/5.0",
        "language": "de-DE",
        "timezone": "Europe/Berlin",
    }
    assert rules.clean_page(None) == {}


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        ("https://x", "page", "type"),
        ({"url": "javascript:alert(1)"}, "page.url", "url"),
        ({"url": "file:///etc/passwd"}, "page.url", "url"),
        ({"referrer": "data:text/html,x"}, "page.referrer", "url"),
        ({"url": "https://x.example/" + "a" * 2000}, "page.url", "length"),
        ({"title": "t" * 301}, "page.title", "length"),
        ({"title": 5}, "page.title", "type"),
        ({"title": "two\nlines"}, "page.title", "format"),
        ({"language": "de DE"}, "page.language", "format"),
        ({"timezone": "../../etc"}, "page.timezone", "format"),
        ({"timezone": ["UTC"]}, "page.timezone", "type"),
    ],
)
def test_clean_page_refuses_naming_the_field(raw: object, field: str, reason: str) -> None:
    with pytest.raises(rules.PageProblem) as caught:
        rules.clean_page(raw)
    assert (caught.value.field, caught.value.reason) == (field, reason)


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 40
WEBP = b"RIFF\x10\0\0\0WEBPVP8 " + b"\0" * 20


@pytest.mark.parametrize(
    ("name", "head", "verdict"),
    [
        ("photo.png", PNG, "image/png"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("photo", JPEG, "image/jpeg"),
        ("anim.gif", b"GIF89a" + b"\0" * 10, "image/gif"),
        ("pic.webp", WEBP, "image/webp"),
        ("invoice.pdf", b"%PDF-1.7\n", "application/pdf"),
        ("notes.txt", "Grüße\n".encode(), "text/plain"),
        ("rows.csv", b"a,b\n1,2\n", "text/csv"),
        ("setup.exe", b"MZ\x90\0", "dangerous"),
        ("photo.png", b"MZ\x90\0", "dangerous"),  # an executable named as an image
        ("run.sh", b"echo hi", "dangerous"),
        ("notes.txt", b"#!/bin/sh\nrm -rf /", "dangerous"),
        ("tool", b"\x7fELF\x02", "dangerous"),
        ("app.png", b"\xcf\xfa\xed\xfe", "dangerous"),
        ("photo.exe", PNG, "dangerous"),
        ("invoice.pdf", PNG, "mismatch"),
        ("photo.html", PNG, "mismatch"),
        ("page.html", b"<html><script>", "type"),
        ("archive.zip", b"PK\x03\x04", "type"),
        ("notes.txt", b"bin\x00ary", "type"),
        ("notes.txt", b"\xff\xfe\xfa bad utf-8 here", "type"),
    ],
)
def test_sniff(name: str, head: bytes, verdict: str) -> None:
    result = rules.sniff(name, head, len(head), 1000)
    if "/" in verdict:
        assert result.ok and result.content_type == verdict
    else:
        assert not result.ok and result.reason == verdict


def test_sniff_limits() -> None:
    assert rules.sniff("a.png", b"", 0, 1000).reason == "empty"
    assert rules.sniff("a.png", PNG, 1001, 1000).reason == "too_large"
    assert rules.sniff("a.png", PNG, 1000, 1000).ok
