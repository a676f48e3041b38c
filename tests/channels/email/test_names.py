"""Sender names in every form RFC 5322 (and RFC 2047) allows are kept, on one line."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wowdesk.channels.email.parse import parse_address_list, parse_mail
from wowdesk.customers.identity import clean_name


def sender_of(header: str) -> tuple[str, str]:
    mail = parse_mail(f"From: {header}\r\nSubject: x\r\n\r\nbody\r\n".encode())
    return mail.from_name, mail.from_email


@pytest.mark.parametrize(
    ("header", "name", "address"),
    [
        ('"Doe, John" <j@x.test>', "Doe, John", "j@x.test"),
        ("=?utf-8?q?Doe=2C_John?= <j@x.test>", "Doe, John", "j@x.test"),
        ('"=?utf-8?q?Doe=2C_John?=" <j@x.test>', "Doe, John", "j@x.test"),
        ("=?utf-8?q?Doe=2C?=\r\n =?utf-8?q?_John?= <j@x.test>", "Doe, John", "j@x.test"),
        ("=?utf-8?b?5p2O5by6?= <li@x.test>", "李强", "li@x.test"),
        ("=?iso-8859-1?q?Fran=E7ois?= <f@x.test>", "François", "f@x.test"),
        ("j@x.test (John Doe)", "John Doe", "j@x.test"),
        ('"John \\"JD\\" Doe" <j@x.test>', 'John "JD" Doe', "j@x.test"),
        ('"Ana\\\\Lima" <a@x.test>', "Ana\\Lima", "a@x.test"),
        ('"Giant; \\"Big\\" Box" <s@x.test>', 'Giant; "Big" Box', "s@x.test"),
        ("Zoë Ünal <z@x.test>", "Zoë Ünal", "z@x.test"),
        ("<j@x.test>", "", "j@x.test"),
        ("j@x.test", "", "j@x.test"),
        ("Team: Ana <a@x.test>, b@x.test;", "Ana", "a@x.test"),
        ("=?utf-8?q?Ana=0D=0ABcc=3A_x=40y=2Ez?= <a@x.test>", "Ana Bcc: x@y.z", "a@x.test"),
    ],
)
def test_sender_name_forms(header: str, name: str, address: str) -> None:
    assert sender_of(header) == (name, address)


NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=60,
)


@given(NAMES)
def test_any_name_written_by_a_mail_program_reads_back(name: str) -> None:
    expected = clean_name(name)
    mail = EmailMessage()
    try:
        mail["From"] = Address(display_name=expected, addr_spec="j@x.test")
    except ValueError:  # names the email package itself refuses to write
        return
    mail["Subject"] = "x"
    mail.set_content("body")
    parsed = parse_mail(mail.as_bytes())
    assert parsed.from_email == "j@x.test"
    assert parsed.from_name == clean_name(parsed.from_name)
    # The email package folds long names at a space into two encoded words, and the
    # whitespace between encoded words is no part of the text (RFC 2047 6.2): such a
    # space is lost on the way, every character is kept.
    assert parsed.from_name.replace(" ", "") == expected.replace(" ", "")
    if len(mail["From"].encode()) < 60:  # one line, nothing folded: exactly the name
        assert parsed.from_name == expected


@given(NAMES)
def test_formataddr_names_read_back(name: str) -> None:
    expected = clean_name(name)
    header = formataddr((expected, "j@x.test"), charset="utf-8")
    assert parse_address_list([header]) == [(expected, "j@x.test")]


@given(st.text(max_size=200))
def test_parsed_names_are_one_line_and_addresses_have_no_space(value: str) -> None:
    for name, address in parse_address_list([value]):
        assert not any(c in name for c in "\r\n\t\x0b\x0c\x85\u2028\u2029")
        assert name == name.strip()
        assert "@" in address and not any(c.isspace() for c in address)


@given(st.text(max_size=300))
def test_clean_name_is_one_line_and_stable(value: str) -> None:
    cleaned = clean_name(value)
    assert not any(c in cleaned for c in "\r\n\t\x0b\x0c\x85\u2028\u2029")
    assert len(cleaned) <= 200
    assert clean_name(cleaned) == cleaned
