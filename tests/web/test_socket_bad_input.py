"""The workspace WebSocket refuses bad frames (core/input.py): a broken frame or a field
of the wrong kind is answered with an error frame naming the field, a binary or
over-long frame closes the socket with 4400 and the reason; the connection and the
server survive. Each role of each of two brands."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import quick_conversation
from tests.web.test_live_consumer import (  # noqa: F401 (the autouse fixture)
    TIMEOUT,
    connected,
    cookie_for,
    fresh_layer_and_cache,
    receive,
    run,
    view,
)
from wowdesk.core import input as edge
from wowdesk.core.models import Agent, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]

BAD_FRAMES: list[tuple[str, str]] = [
    ("{not json", ""),
    ("[1, 2]", ""),
    ('"text"', ""),
    ("", ""),
    ('{"action": "view", "conversation_id": NaN}', "conversation_id"),
    ('{"action": "view", "conversation_id": Infinity}', "conversation_id"),
    ('{"action": "view", "conversation_id": 1e999}', "conversation_id"),
    ('{"action": "view", "conversation_id": 1e300}', "conversation_id"),
    ('{"action": "view", "conversation_id": 99999999999999999999}', "conversation_id"),
    ('{"action": "view", "conversation_id": 9223372036854775807}', "conversation_id"),
    ('{"action": "view", "conversation_id": "12abc"}', "conversation_id"),
    ('{"action": "view", "conversation_id": true}', "conversation_id"),
    ('{"action": "view", "conversation_id": {"a": 1}}', "conversation_id"),
    ('{"action": "view"}', "conversation_id"),
    ('{"action": "typing", "conversation_id": 1, "is_typing": "yes"}', "is_typing"),
    ('{"action": ["view"]}', "action"),
    ('{"action": "view", "x": "a\\u0000b"}', "x"),
    ('{"action": "heartbeat", "deep": ' + "[" * 50 + "]" * 50 + "}", "deep"),
    ("[" * 10_000 + "]" * 10_000, ""),
]


@pytest.fixture
def people(
    make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand
) -> dict[tuple[str, str], Agent]:
    return {
        (role, b.slug): make_agent(role, brands=[b]) for role in ROLES for b in (brand, other_brand)
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_bad_frames_get_an_error_frame_naming_the_field(
    people: dict[tuple[str, str], Agent], brand: Brand, role: str, slug: str
) -> None:
    agent = people[(role, slug)]
    mine = quick_conversation(agent.brands.get())
    cookie = cookie_for(agent.user)

    async def scenario() -> None:
        ws = await connected(cookie)
        for text, field in BAD_FRAMES:
            await ws.send_to(text)
            event = await receive(ws)
            assert event["type"] == "error" and event["error"] == "invalid", (text, event)
            assert event["field"].startswith(field), (text, event)
            assert event["detail"]
        # the socket still works
        assert await view(ws, mine.pk) != []
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize("role", ROLES)
def test_the_other_brands_conversation_is_refused(
    people: dict[tuple[str, str], Agent], brand: Brand, other_brand: Brand, role: str
) -> None:
    theirs = quick_conversation(other_brand)
    cookie = cookie_for(people[(role, brand.slug)].user)

    async def scenario() -> None:
        ws = await connected(cookie)
        await ws.send_json_to({"action": "view", "conversation_id": theirs.pk})
        event = await receive(ws)
        assert event == {"type": "error", "error": "forbidden", "action": "view"}
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "websocket.receive", "text": json.dumps({"action": "x" * edge.MAX_FRAME})},
        {"type": "websocket.receive", "bytes": b'{"action": "heartbeat"}'},
        {"type": "websocket.receive", "text": " " * (edge.MAX_FRAME + 1)},
    ],
)
def test_an_over_long_or_binary_frame_closes_with_a_reason(
    people: dict[tuple[str, str], Agent], brand: Brand, frame: dict[str, Any]
) -> None:
    cookie = cookie_for(people[(Role.AGENT, brand.slug)].user)

    async def scenario() -> None:
        ws = await connected(cookie)
        await ws.send_input(frame)
        closed = await ws.receive_output(TIMEOUT)
        assert closed["type"] == "websocket.close"
        assert closed["code"] == edge.CLOSE_BAD_INPUT
        assert closed["reason"] and len(closed["reason"].encode()) <= 123

    run(scenario)
