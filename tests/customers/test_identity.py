"""Normalising channel addresses (a pure module): examples and properties."""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wowdesk.customers.identity import (
    InvalidAddress,
    normalize,
    normalize_email,
    normalize_handle,
    normalize_phone,
)

PROPS = settings(max_examples=150, deadline=None)
KINDS = st.sampled_from(["email", "phone", "chat", "social", "external"])

# Text that looks like addresses often enough to reach the interesting branches.
address_like = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=string.ascii_letters + string.digits + "@.+-_<> ", max_size=40),
    st.emails().map(str),
    st.from_regex(r"\A\+?[0-9 ()\-]{3,25}\Z"),
    st.text(min_size=300, max_size=340, alphabet="aİßK@."),
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ana@Example.COM", "ana@example.com"),
        ("  <ana@example.com>  ", "ana@example.com"),
        ("root@localhost", "root@localhost"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
    ],
)
def test_email_examples(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "ana", "ana@", "@example.com", "a b@example.com", "ana@example", "a@b@c.com"]
)
def test_email_rejects(raw: str) -> None:
    with pytest.raises(InvalidAddress):
        normalize_email(raw)


@pytest.mark.parametrize(
    "raw",
    ["+49 30 123456", "+49 (30) 123-456", "+4930123456", "004930123456", "0049 30 123456"],
)
def test_one_phone_number_many_spellings(raw: str) -> None:
    assert normalize_phone(raw) == "+4930123456"


def test_national_numbers_need_a_region() -> None:
    with pytest.raises(InvalidAddress):
        normalize_phone("030 123456")
    assert normalize_phone("030 123456", "DE") == "+4930123456"
    assert normalize_phone("(415) 555-2671", "US") == "+14155552671"


@pytest.mark.parametrize("raw", ["", "  ", "12", "+1", "phone", "+" + "1" * 40])
def test_phone_rejects(raw: str) -> None:
    with pytest.raises(InvalidAddress):
        normalize_phone(raw)


@pytest.mark.parametrize(
    ("raw", "expected"), [("@Ana", "ana"), ("  Ana_42 ", "ana_42"), ("@ Straße", "strasse")]
)
def test_handle_examples(raw: str, expected: str) -> None:
    assert normalize_handle(raw) == expected


@pytest.mark.parametrize("raw", ["", "@", " @ ", "two words"])
def test_handle_rejects(raw: str) -> None:
    with pytest.raises(InvalidAddress):
        normalize_handle(raw)


@PROPS
@given(KINDS, address_like)
@example("chat", "@@ana")
@example("email", "a@b.c" + "İ" * 315)
def test_normalize_is_idempotent_and_only_raises_invalid_address(kind: str, raw: str) -> None:
    try:
        once = normalize(kind, raw)
    except InvalidAddress:
        return
    assert normalize(kind, once) == once


@PROPS
@given(st.emails().map(str))
def test_emails_are_case_insensitive(email: str) -> None:
    try:
        base = normalize_email(email)
    except InvalidAddress:
        return
    assert normalize_email(email.upper()) == base
    assert normalize_email(email.lower()) == base
    assert normalize_email(email.swapcase()) == base
    assert base == base.lower()


@PROPS
@given(st.from_regex(r"\A\+[1-9][0-9]{6,13}\Z"))
def test_phone_spacing_and_00_prefix_do_not_matter(number: str) -> None:
    try:
        base = normalize_phone(number)
    except InvalidAddress:
        return
    digits = number[1:]
    spaced = "+" + " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))
    assert normalize_phone(spaced) == base
    assert normalize_phone("00" + digits) == base
    assert base.startswith("+")
    assert base[1:].isdigit()
