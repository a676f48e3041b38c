"""Visitor tokens and identity verification hashes (channels/chat/tokens.py)."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from wowdesk.channels.chat import tokens

ids = st.integers(min_value=1, max_value=2**62)
visitor_ids = st.from_regex(r"[a-z0-9]{1,40}", fullmatch=True)


@given(ids, visitor_ids)
def test_a_token_reads_back_for_its_inbox_only(inbox_id: int, visitor_id: str) -> None:
    token = tokens.issue(tokens.Visitor(inbox_id, visitor_id))
    assert tokens.read(token, inbox_id) == tokens.Visitor(inbox_id, visitor_id)
    assert tokens.read(token, inbox_id + 1) is None


@given(ids, visitor_ids, st.integers(min_value=0, max_value=10_000), st.characters())
def test_any_change_to_a_token_is_refused(
    inbox_id: int, visitor_id: str, where: int, char: str
) -> None:
    token = tokens.issue(tokens.Visitor(inbox_id, visitor_id))
    i = where % len(token)
    changed = token[:i] + char + token[i + 1 :]
    if changed != token:
        read = tokens.read(changed, inbox_id)
        # Base64 padding quirks may decode to the same bytes; never to another visitor.
        assert read is None or read == tokens.Visitor(inbox_id, visitor_id)


def test_garbage_is_refused() -> None:
    for junk in ("", "x", "a:b:c", "." * 600):
        assert tokens.read(junk, 1) is None


def test_user_hash_is_hex_hmac_sha256_as_the_brand_computes_it() -> None:
    expected = hmac.new(b"s3cret", b"user-1", hashlib.sha256).hexdigest()
    assert tokens.user_hash("s3cret", "user-1") == expected
    assert tokens.check_user_hash("s3cret", "user-1", expected.upper())
    assert not tokens.check_user_hash("s3cret", "user-2", expected)
    assert not tokens.check_user_hash("other", "user-1", expected)
    assert not tokens.check_user_hash("", "user-1", tokens.user_hash("", "user-1"))


@given(st.text(min_size=1, max_size=100), st.integers(1, 2**62), st.integers(1, 2**62))
def test_verified_visitor_ids_are_stable_handles_per_brand(
    user_id: str, brand_id: int, other_brand_id: int
) -> None:
    vid = tokens.verified_visitor_id(brand_id, user_id)
    assert vid == tokens.verified_visitor_id(brand_id, user_id)
    assert vid == vid.casefold() and vid.isalnum() and len(vid) == 33
    if other_brand_id != brand_id:
        assert vid != tokens.verified_visitor_id(other_brand_id, user_id)
    assert vid != tokens.legacy_verified_visitor_id(user_id)


def test_new_visitor_ids_differ() -> None:
    assert len({tokens.new_visitor_id() for _ in range(100)}) == 100
