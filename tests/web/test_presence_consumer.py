"""Presence over the workspace WebSocket: tabs counted per agent, heartbeats with the idle
time, the last tab closing; driven through the real ASGI application."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from tests.web.test_live_consumer import (  # noqa: F401  (the fixture is used by name)
    TIMEOUT,
    connected,
    cookie_for,
    fresh_layer_and_cache,
    receive_type,
    run,
)
from wowdesk.core.models import Agent, Presence
from wowdesk.routing import presence
from wowdesk.routing.services import set_presence


def _state(agent: Agent) -> tuple[str, bool]:
    a = Agent.objects.get(pk=agent.pk)
    return a.presence, a.presence_auto


def test_two_tabs_one_closes_still_online_both_close_offline(
    make_agent: Callable[..., Agent],
) -> None:
    agent = make_agent(name="Li Wei")
    cookie = cookie_for(agent.user)  # signs in: online
    set_presence(Agent.objects.get(pk=agent.pk), Presence.OFFLINE, auto=True)  # tabs closed

    async def scenario() -> None:
        one = await connected(cookie)
        assert await sync_to_async(_state)(agent) == (Presence.ONLINE, False)  # back
        two = await connected(cookie)
        await one.disconnect()
        later = time.time() + presence.GRACE + 1
        assert not await sync_to_async(presence.settle)(agent.pk, later)
        assert await sync_to_async(_state)(agent) == (Presence.ONLINE, False)
        await two.disconnect()
        assert await sync_to_async(presence.settle)(agent.pk, later)
        assert await sync_to_async(_state)(agent) == (Presence.OFFLINE, True)

    run(scenario)


def test_the_last_tab_closing_sets_offline_in_process(
    make_agent: Callable[..., Agent], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(presence, "GRACE", 0.0)
    agent = make_agent()
    cookie = cookie_for(agent.user)
    Agent.objects.filter(pk=agent.pk).update(presence_changed_at=None)

    async def scenario() -> None:
        ws = await connected(cookie)
        await ws.disconnect()
        for _ in range(int(TIMEOUT * 10) + 20):  # the disconnect settles after GRACE + 1 s
            if (await sync_to_async(_state)(agent))[0] == Presence.OFFLINE:
                break
            await asyncio.sleep(0.1)
        assert await sync_to_async(_state)(agent) == (Presence.OFFLINE, True)

    run(scenario)


def test_idle_heartbeats_set_away_and_tell_the_tab(
    make_agent: Callable[..., Agent], settings: Any
) -> None:
    settings.WOWDESK_AWAY_AFTER_MINUTES = 3
    agent = make_agent()
    cookie = cookie_for(agent.user)

    async def scenario() -> None:
        ws = await connected(cookie)
        await ws.send_json_to({"action": "heartbeat", "idle": 179})
        await ws.send_json_to({"action": "heartbeat", "idle": 181})
        event = await receive_type(ws, "presence.changed")
        assert (event["agent_id"], event["presence"]) == (agent.pk, Presence.AWAY)
        assert await sync_to_async(_state)(agent) == (Presence.AWAY, True)
        await ws.send_json_to({"action": "heartbeat", "idle": 2})
        event = await receive_type(ws, "presence.changed")
        assert event["presence"] == Presence.ONLINE
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize("idle", ["600", -5, None, True, [1], {"s": 1}, float("nan")])
def test_odd_idle_values_count_as_active(
    make_agent: Callable[..., Agent], settings: Any, idle: Any
) -> None:
    settings.WOWDESK_AWAY_AFTER_MINUTES = 1
    agent = make_agent()
    cookie = cookie_for(agent.user)

    async def scenario() -> None:
        ws = await connected(cookie)
        await ws.send_json_to({"action": "heartbeat", "idle": idle})
        await ws.send_json_to({"action": "heartbeat", "idle": idle})
        # still connected and answering; still online
        await ws.send_json_to({"action": "view", "conversation_id": 10**9})
        event = await receive_type(ws, "error")
        while event["error"] == "invalid":
            # NaN is no JSON: the edge refuses those heartbeats (core/input.py)
            assert idle != idle, event
            event = await receive_type(ws, "error")
        assert event["error"] == "forbidden"
        assert await sync_to_async(_state)(agent) == (Presence.ONLINE, False)
        await ws.disconnect()

    run(scenario)


def test_a_presence_failure_never_closes_the_workspace(
    make_agent: Callable[..., Agent], monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = make_agent()
    cookie = cookie_for(agent.user)

    def broken(*args: Any) -> None:
        raise RuntimeError("database away")

    for step in ("tab_opened", "heartbeat", "tab_closed"):
        monkeypatch.setattr(presence, step, broken)

    async def scenario() -> None:
        ws = await connected(cookie)
        await ws.send_json_to({"action": "heartbeat", "idle": 1})
        await ws.send_json_to({"action": "view", "conversation_id": 10**9})
        event = await receive_type(ws, "error")
        assert event["error"] == "forbidden"  # still connected and answering
        await ws.disconnect()

    run(scenario)
