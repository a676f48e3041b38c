"""A chat visitor sends at most ``WOWDESK_CHAT_RATE`` messages per 10 s; beyond it the
widget hears when to try again, and a visitor who keeps on is disconnected."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from tests.channels.chat.conftest import run, visitor
from wowdesk.channels.chat import services as chat
from wowdesk.channels.chat.consumers import CLOSE_TOO_MANY, MAX_REFUSALS
from wowdesk.conversations.models import Inbox, Message
from wowdesk.core import ratelimit
from wowdesk.core.ratelimit import MemoryStore

pytestmark = pytest.mark.usefixtures("transactional_db", "fresh_layer_and_cache")


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(settings: Any) -> Iterator[Clock]:
    settings.CONFIG = dataclasses.replace(settings.CONFIG, chat_rate=3)
    frozen = Clock()
    ratelimit.use(MemoryStore(clock=frozen))
    yield frozen
    ratelimit.use(None)


def ref(inbox: Inbox) -> str:
    return chat.widget_settings(inbox).token


def test_messages_over_the_rate_are_refused_with_retry_after(
    chat_inbox: Inbox, clock: Clock
) -> None:
    async def scenario() -> None:
        ws, welcome = await visitor(ref(chat_inbox))
        for i in range(3):
            await ws.send_json({"type": "message", "client_id": f"m000000{i}", "body": f"#{i}"})
            assert (await ws.receive_type("ack"))["client_id"] == f"m000000{i}"
        await ws.send_json({"type": "message", "client_id": "m0000009", "body": "one too many"})
        error = await ws.receive_type("error")
        assert error["code"] == "rate_limited" and error["client_id"] == "m0000009"
        assert error["retry_after"] >= 1
        # the email frame counts against the same budget
        await ws.send_json({"type": "email", "email": "ana@example.com"})
        assert (await ws.receive_type("error"))["code"] == "rate_limited"

        # another visitor of the same widget has a budget of their own
        other, _ = await visitor(ref(chat_inbox))
        await other.send_json({"type": "message", "client_id": "o0000001", "body": "hi"})
        assert (await other.receive_type("ack"))["message_id"]
        await other.close()

        # a second tab of the same visitor shares the visitor's budget
        tab, _ = await visitor(ref(chat_inbox), token=welcome["token"])
        await tab.send_json({"type": "message", "client_id": "t0000001", "body": "tab"})
        assert (await tab.receive_type("error"))["code"] == "rate_limited"
        await tab.close()

        clock.now += 10 / 3  # one message's worth of time
        await ws.send_json({"type": "message", "client_id": "m0000009", "body": "one too many"})
        assert (await ws.receive_type("ack"))["client_id"] == "m0000009"
        await ws.close()

    run(scenario)
    assert Message.objects.filter(direction="in").count() == 5


def test_a_visitor_who_keeps_sending_is_disconnected(chat_inbox: Inbox, clock: Clock) -> None:
    async def scenario() -> None:
        ws, _ = await visitor(ref(chat_inbox))
        for i in range(3 + MAX_REFUSALS):
            await ws.send_json({"type": "message", "client_id": f"f{i:07d}", "body": "spam"})
        assert await ws.closed_with() == CLOSE_TOO_MANY

    run(scenario)
    assert Message.objects.filter(direction="in").count() == 3


def test_other_frames_have_a_budget_and_junk_closes_the_socket(
    chat_inbox: Inbox, clock: Clock
) -> None:
    async def scenario() -> None:
        ws, _ = await visitor(ref(chat_inbox))
        for _ in range(15):  # five times the message rate of 3
            await ws.send_json({"type": "ping"})
            assert (await ws.receive_json())["type"] == "pong"
        await ws.send_json({"type": "ping"})  # over: dropped without a word
        await ws.send_json({"type": "message", "client_id": "m0000001", "body": "still here"})
        assert (await ws.receive_json())["type"] == "ack"  # the next frame is the ack
        await ws.close()

        junk, _ = await visitor(ref(chat_inbox))
        for _ in range(MAX_REFUSALS):
            await junk.send_json({"type": "nonsense"})
        assert await junk.closed_with() == CLOSE_TOO_MANY

        early = await visitor_socket()
        for _ in range(MAX_REFUSALS):
            await early.send_json({"type": "message", "body": "before hello"})
        assert await early.closed_with() == CLOSE_TOO_MANY

    run(scenario)


async def visitor_socket() -> Any:
    from tests.channels.chat.conftest import Socket
    from wowdesk.asgi import application

    ws = Socket(application)
    await ws.connect()
    return ws
