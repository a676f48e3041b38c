"""The chat widget's WebSocket refuses bad frames (core/input.py): an error frame naming
the field, nothing stored; a binary or over-long frame closes the socket with 4400 and
the reason. The socket keeps working after a refused frame."""

from __future__ import annotations

import json

import pytest

from tests.channels.chat.conftest import TIMEOUT, Socket, run, visitor
from wowdesk.channels.chat import services as chat
from wowdesk.channels.models import InboundEnvelope
from wowdesk.conversations.models import Direction, Inbox, Message
from wowdesk.core import input as edge
from wowdesk.customers.models import Customer

pytestmark = pytest.mark.usefixtures("transactional_db", "fresh_layer_and_cache")


def ref(inbox: Inbox) -> str:
    return chat.widget_settings(inbox).token


BAD_FRAMES: list[tuple[str, str]] = [
    ("{not json", ""),
    ("[1]", ""),
    ("", ""),
    ("[" * 10_000 + "]" * 10_000, ""),
    ('{"type": "message", "client_id": "c1", "body": NaN}', "body"),
    ('{"type": "message", "client_id": "c1", "body": "hi", "n": 1e999}', "n"),
    ('{"type": "message", "client_id": "c1", "body": "hi", "n": -Infinity}', "n"),
    ('{"type": "message", "client_id": "c1", "body": {"a": [1]}}', "body"),
    ('{"type": "message", "client_id": "c1", "body": 12}', "body"),
    ('{"type": "message", "client_id": "c1", "body": "a\\u0000b"}', "body"),
    ('{"type": "message", "client_id": "c1", "body": "hi", "name": "Ana\\r\\nBcc: x"}', "name"),
    ('{"type": "message", "client_id": "c1", "body": "hi", "name": "A\\u2028B"}', "name"),
    ('{"type": "message", "client_id": "c\\n1", "body": "hi"}', "client_id"),
    ('{"type": "message", "client_id": "c1", "body": "' + "x" * 5001 + '"}', "body"),
    ('{"type": "message", "meta": ' + '{"a":' * 40 + "1" + "}" * 40 + "}", "meta"),
    ('{"type": "typing", "is_typing": "yes"}', "is_typing"),
    ('{"type": "email", "email": "a@b.c\\r\\nBcc: d@e.f"}', "email"),
    ('{"type": "email", "email": "a@b.c", "name": ["x"]}', "name"),
]


def test_bad_frames_get_an_error_naming_the_field_and_nothing_is_stored(
    chat_inbox: Inbox,
) -> None:
    async def scenario() -> None:
        ws, welcome = await visitor(ref(chat_inbox))
        assert welcome["type"] == "welcome"
        for text, field in BAD_FRAMES:
            await ws.send_input({"type": "websocket.receive", "text": text})
            frame = await ws.receive_json()
            assert frame["type"] == "error" and frame["code"] == "invalid", (text, frame)
            assert frame["field"].startswith(field), (text, frame)
            assert frame["message"]
        # still open, and a good message goes through
        await ws.send_json({"type": "message", "client_id": "ok-000001", "body": "Hello"})
        ack = await ws.receive_type("ack")
        assert ack["message_id"] is not None
        await ws.close()

    run(scenario)
    assert InboundEnvelope.objects.count() == 1
    assert list(Message.objects.filter(direction=Direction.IN).values_list("body", flat=True)) == [
        "Hello"
    ]
    assert list(Customer.objects.values_list("name", flat=True)) == [""]


@pytest.mark.parametrize(
    "hello",
    [
        {"type": "hello", "inbox": {"a": 1}},
        {"type": "hello", "inbox": "x\r\ny"},
        {"type": "hello", "inbox": 1e300},
        {"type": "hello", "inbox": "i", "token": "t" * 5000},
        {"type": "hello", "inbox": "i", "lang": ["zh"]},
    ],
)
def test_a_broken_hello_is_refused_with_the_field(
    chat_inbox: Inbox, hello: dict[str, object]
) -> None:
    async def scenario() -> None:
        from wowdesk.asgi import application

        ws = Socket(application)
        await ws.connect()
        await ws.send_json(hello)
        frame = await ws.receive_json()
        assert frame["type"] == "error" and frame["code"] == "invalid"
        assert frame["field"] in hello
        await ws.close()

    run(scenario)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "websocket.receive", "text": json.dumps({"type": "x" * edge.MAX_FRAME})},
        {"type": "websocket.receive", "bytes": b'{"type": "ping"}'},
    ],
)
def test_an_over_long_or_binary_frame_closes_with_a_reason(
    chat_inbox: Inbox, frame: dict[str, object]
) -> None:
    async def scenario() -> None:
        ws, _welcome = await visitor(ref(chat_inbox))
        await ws.send_input(frame)
        error = await ws.receive_json()
        assert error["type"] == "error" and error["code"] == "invalid"
        closed = await ws.receive_output(TIMEOUT)
        assert closed["type"] == "websocket.close" and closed["code"] == edge.CLOSE_BAD_INPUT
        assert closed["reason"]

    run(scenario)
