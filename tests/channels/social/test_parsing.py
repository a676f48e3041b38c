"""Signatures and payload parsers, without Django: recorded payloads and hypothesis."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.channels.social.conftest import payload
from wowdesk.channels.social.networks import PARSERS, MalformedPayload, parse_telegram
from wowdesk.channels.social.signing import (
    SignatureError,
    hub_signature,
    sign,
    verify,
    verify_hub,
    verify_secret_token,
)

NOW = 1_750_000_000


@given(secret=st.text(min_size=1, max_size=40), body=st.binary(max_size=300))
def test_our_signature_round_trips_and_binds_body_and_time(secret: str, body: bytes) -> None:
    signature = sign(secret, body, NOW)
    verify(secret, body, signature, str(NOW), now=NOW + 10)
    with pytest.raises(SignatureError):
        verify(secret, body + b"x", signature, str(NOW), now=NOW)
    with pytest.raises(SignatureError):  # the same signature with another timestamp
        verify(secret, body, signature, str(NOW + 1), now=NOW)
    with pytest.raises(SignatureError):
        verify(secret + "x", body, signature, str(NOW), now=NOW)


def test_our_signature_refuses_replays_and_missing_headers() -> None:
    signature = sign("s", b"{}", NOW)
    with pytest.raises(SignatureError) as stale:
        verify("s", b"{}", signature, str(NOW), now=NOW + 301)
    assert not stale.value.missing
    with pytest.raises(SignatureError) as missing:
        verify("s", b"{}", None, str(NOW), now=NOW)
    assert missing.value.missing
    for bad_ts in ("", "12.5", "-1", "1e9", "９"):
        with pytest.raises(SignatureError):
            verify("s", b"{}", signature, bad_ts, now=NOW)
    with pytest.raises(SignatureError):  # an inbox without a secret accepts nothing
        verify("", b"{}", sign("", b"{}", NOW), str(NOW), now=NOW)


def test_meta_signature_is_hmac_sha256_of_the_raw_body() -> None:
    # hex HMAC-SHA256("It's a Secret to Everybody", "Hello, World!"), as GitHub and Meta
    # document the X-Hub-Signature-256 scheme
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert hub_signature("It's a Secret to Everybody", b"Hello, World!") == expected
    verify_hub("It's a Secret to Everybody", b"Hello, World!", expected)
    with pytest.raises(SignatureError):
        verify_hub("It's a Secret to Everybody", b"Hello, World?", expected)
    with pytest.raises(SignatureError):
        verify_secret_token("abc", "abd")
    verify_secret_token("abc", "abc")


def test_recorded_payloads_parse() -> None:
    [wa] = PARSERS["whatsapp"](payload("whatsapp_text.json"))
    assert (wa.user_id, wa.name, wa.account) == ("16505551234", "Sheena Nelson", "106540352242922")
    assert wa.sent_at is not None and wa.sent_at.year == 2025
    [tg] = parse_telegram(payload("telegram_message.json"))
    assert (tg.user_id, tg.reply_to, tg.extra["username"]) == ("1111111", "1111111", "Testusername")
    [fb] = PARSERS["messenger"](payload("messenger_text.json"))
    assert fb.extra["payload"] == "DEVELOPER_DEFINED_PAYLOAD"
    assert fb.sent_at is not None and fb.sent_at.year == 2016
    [generic] = PARSERS["generic"](payload("generic.json"))
    assert generic.network == "line" and generic.sent_at is not None


def test_telegram_edits_are_new_messages_and_group_chats_answer_the_group() -> None:
    edited = {
        "update_id": 10005,
        "edited_message": {
            "message_id": 1365,
            "date": 1441645532,
            "edit_date": 1441645600,
            "chat": {"id": -1001234567890, "type": "supergroup", "title": "Owners club"},
            "from": {"id": 1111111, "is_bot": False, "first_name": "Test"},
            "text": "My order #4521 has still not arrived",
        },
    }
    [msg] = parse_telegram(edited)
    assert msg.message_id == "-1001234567890:1365:edit:1441645600"
    assert msg.reply_to == "-1001234567890" and msg.user_id == "1111111"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.sampled_from(["whatsapp_business_account", "page", "messages", "text"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "object",
                    "entry",
                    "changes",
                    "value",
                    "messages",
                    "field",
                    "from",
                    "id",
                    "text",
                    "type",
                    "messaging",
                    "sender",
                    "message",
                    "mid",
                    "update_id",
                    "chat",
                    "user",
                    "message_id",
                    "network",
                    "contacts",
                    "body",
                    "timestamp",
                    "postback",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@pytest.mark.parametrize("network", sorted(PARSERS))
@given(data=json_values)
def test_parsers_raise_only_malformed_payload(network: str, data: Any) -> None:
    json.dumps(data)
    with contextlib.suppress(MalformedPayload):
        for msg in PARSERS[network](data):
            assert msg.message_id and msg.user_id and msg.reply_to
            assert isinstance(msg.text, str)
