"""Call-event parsing and Twilio's signature, without Django."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.channels.voice.conftest import payload
from wowdesk.channels.voice.events import (
    CallEventKind,
    MalformedEvent,
    parse_asterisk,
    parse_generic,
    parse_twilio,
    twilio_signature,
    twilio_valid,
)

# The worked example of Twilio's security documentation (and its helper libraries' tests).
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
DOC_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_twilio_signature_matches_the_documented_example() -> None:
    assert twilio_signature("12345", DOC_URL, DOC_PARAMS.items()) == DOC_SIGNATURE
    assert twilio_valid("12345", DOC_URL, DOC_PARAMS.items(), DOC_SIGNATURE)


def test_twilio_signature_holds_with_or_without_the_default_port() -> None:
    with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    assert twilio_valid("12345", with_port, DOC_PARAMS.items(), DOC_SIGNATURE)
    signed_with_port = twilio_signature("12345", with_port, DOC_PARAMS.items())
    assert twilio_valid("12345", DOC_URL, DOC_PARAMS.items(), signed_with_port)


def test_twilio_signature_fails_on_any_change() -> None:
    assert not twilio_valid("54321", DOC_URL, DOC_PARAMS.items(), DOC_SIGNATURE)
    assert not twilio_valid("12345", DOC_URL + "&baz=3", DOC_PARAMS.items(), DOC_SIGNATURE)
    changed = {**DOC_PARAMS, "Digits": "1235"}
    assert not twilio_valid("12345", DOC_URL, changed.items(), DOC_SIGNATURE)
    assert not twilio_valid("12345", DOC_URL, DOC_PARAMS.items(), "")


def test_twilio_repeated_parameters_sort_by_value() -> None:
    a = twilio_signature("t", "https://x.test/h", [("A", "2"), ("A", "1"), ("B", "0")])
    b = twilio_signature("t", "https://x.test/h", [("B", "0"), ("A", "1"), ("A", "2")])
    assert a == b


@given(
    params=st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=20), max_size=8),
    token=st.text(min_size=1, max_size=32),
)
def test_twilio_signature_round_trip(params: dict[str, str], token: str) -> None:
    url = "https://desk.example.com/hooks/voice/1/twilio"
    signature = twilio_signature(token, url, params.items())
    assert twilio_valid(token, url, list(reversed(list(params.items()))), signature)
    assert not twilio_valid(token + "x", url, params.items(), signature)


def test_twilio_payloads_map_to_call_events() -> None:
    ring = parse_twilio(payload("twilio_incoming_call.json"))
    assert ring is not None and ring.kind == CallEventKind.RINGING
    assert (ring.caller, ring.called) == ("+14158675309", "+18005551212")
    answered = parse_twilio(payload("twilio_dial_answered.json"))
    assert answered is not None and answered.kind == CallEventKind.ANSWERED
    assert answered.call_id == "CA5bb2f6e2f5f9f4b1c2d3e4f5a6b7c8d9"  # the parent call
    assert answered.agent is not None and answered.agent.extension == "alice"
    ended = parse_twilio(payload("twilio_status_completed.json"))
    assert ended is not None and (ended.kind, ended.duration) == (CallEventKind.ENDED, 185)
    recording = parse_twilio(payload("twilio_recording.json"))
    assert recording is not None and recording.kind == CallEventKind.RECORDING
    assert recording.recording_url.startswith("https://api.twilio.com/")
    # Twilio itself answering (TwiML runs) is not a person answering
    assert parse_twilio({"CallSid": "CA1", "CallStatus": "in-progress", "From": "+1"}) is None
    with pytest.raises(MalformedEvent):
        parse_twilio({"CallStatus": "ringing"})


def test_asterisk_events_map_to_call_events() -> None:
    ring = parse_asterisk(payload("asterisk_stasis_start.json"))
    assert ring is not None and ring.kind == CallEventKind.RINGING
    assert (ring.caller, ring.called, ring.caller_name) == (
        "+493012345678",
        "+498001234567",
        "Ana Lima",
    )
    up = parse_asterisk(payload("asterisk_state_up.json"))
    assert up is not None and up.agent is not None and up.agent.extension == "201"
    gone = parse_asterisk(payload("asterisk_destroyed.json"))
    assert gone is not None and gone.duration == 185 and gone.outcome == "completed"
    originated = {**payload("asterisk_stasis_start.json")}
    originated["channel"] = {**originated["channel"], "state": "Up"}
    assert parse_asterisk(originated) is None


def test_generic_events_are_checked() -> None:
    event = parse_generic(payload("generic_ended.json"))
    assert (event.kind, event.duration) == (CallEventKind.ENDED, 185)
    bad: Any
    for bad in (
        [],
        {"event": "ringing", "call_id": "c"},  # no caller
        {"event": "ended", "call_id": "c", "duration": -1},
        {"event": "ended", "call_id": "c", "recording_url": "javascript:alert(1)"},
        {"event": "answered", "call_id": "c", "agent": {"id": True}},
        {"event": "ended", "call_id": ""},
    ):
        with pytest.raises(MalformedEvent):
            parse_generic(bad)


field_names = st.sampled_from(
    [
        "event",
        "call_id",
        "from",
        "to",
        "agent",
        "duration",
        "recording_url",
        "timestamp",
        "type",
        "channel",
        "recording",
        "state",
        "id",
        "caller",
        "number",
        "creationtime",
    ]
)
words = st.sampled_from(
    [
        "ringing",
        "ended",
        "StasisStart",
        "ChannelStateChange",
        "ChannelDestroyed",
        "RecordingFinished",
        "Ring",
        "Up",
        "channel:1",
        "+4930123456",
    ]
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | words,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(field_names, inner),
    max_leaves=20,
)


@given(st.dictionaries(field_names, json_values) | json_values)
def test_parsers_raise_only_malformed_event(data: Any) -> None:
    json.dumps(data)
    for parse in (parse_generic, parse_asterisk):
        with contextlib.suppress(MalformedEvent):
            parse(data)
