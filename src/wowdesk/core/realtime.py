"""Pushes to open WebSockets (agent workspace, chat widget) through the channel layer.

Every push is sent after the current transaction commits, so a browser never hears of a
row it cannot read yet, and a failed push is logged, never raised: the page catches up on
its next load.

The layer is Redis in cluster mode and in memory in the embedded default. The in-memory
layer lives in the server's event loop; code running in a thread that loop does not know
(the embedded worker's threads, a request's database thread) hands the send to that
loop, where a few lanes send them one after the other (:class:`PushLanes`): the pushes of
one group keep their order, and a burst of pushes holds at most :data:`PUSH_LANES` Redis
connections instead of one each.

Group names (one place, so producers and consumers agree):
- ``agent.<id>``: one agent's browsers (assignments, screen-pops).
- ``brand.<id>``: every agent of a brand (inbox changes, supervisor board).
- ``conversation.<id>``: whoever has the conversation open (messages, viewers, typing).
- ``visitor.<brand id>.<visitor id>``: one chat visitor's widget connections.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import zlib
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

PUSH_LANES = 8
PUSH_BACKLOG = 10_000  # per lane; beyond it a push is dropped and logged

_lanes: PushLanes | None = None  # of the server's event loop
_lock = threading.Lock()


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def brand_group(brand_id: int) -> str:
    return f"brand.{brand_id}"


def conversation_group(conversation_id: int) -> str:
    return f"conversation.{conversation_id}"


def visitor_group(brand_id: int, visitor_id: int | str) -> str:
    """One chat visitor's connections; the brand is part of the name, so no group is
    shared across brands whatever the visitor id."""
    return f"visitor.{brand_id}.{visitor_id}"


# Pushed to an agent's group when the agent is deactivated: every open socket of that agent
# closes (``web/consumers.py``).
SESSION_CLOSE = "session.close"


def close_agent_sockets(agent_id: int, reason: str) -> None:
    """After commit, close every open workspace socket of the agent."""
    publish(agent_group(agent_id), SESSION_CLOSE, reason=reason)


def remember_server_loop() -> None:
    """Called from the server's event loop (a consumer's connect) so that threads outside
    it can hand their pushes to that loop (the in-memory layer lives there)."""
    global _lanes
    with _lock:
        if _lanes is None or _lanes.loop is not asyncio.get_running_loop():
            _lanes = PushLanes()


def publish(group: str, event_type: str, **data: Any) -> None:
    """Send ``{"type": event_type, **data}`` to ``group`` once the transaction commits.

    ``event_type`` uses dots (``message.created``); Channels calls the consumer's
    ``message_created`` handler.
    """
    message = {"type": event_type, **data}
    transaction.on_commit(lambda: send_now(group, message))


def send_now(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer) and group not in layer.groups:
        return  # nobody of this process listens: nothing to hand to the loop
    try:
        lanes = _lanes
        if lanes is not None and lanes.loop.is_running() and not _in_loop(lanes.loop):
            # Handed to the server's loop without waiting for it: a push never holds up
            # the request or task that caused it.
            lanes.hand_over(layer, group, message)
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # a push is best effort; the data is already committed
        log.exception("push to %s failed", group)


class PushLanes:
    """Pushes handed to the running event loop from other threads. A group always takes
    the same lane and a lane sends one push at a time, so the pushes of a group arrive in
    the order they were committed. Made in the loop it serves."""

    def __init__(self, lanes: int = PUSH_LANES) -> None:
        self.loop = asyncio.get_running_loop()
        self.queues: list[asyncio.Queue[tuple[Any, str, dict[str, Any]]]] = [
            asyncio.Queue(PUSH_BACKLOG) for _ in range(lanes)
        ]
        # Kept: the loop holds only weak references to its tasks.
        self.tasks = [self.loop.create_task(self._drain(q)) for q in self.queues]

    def hand_over(self, layer: Any, group: str, message: dict[str, Any]) -> None:
        """Thread-safe: queue ``group_send(group, message)`` on the loop."""
        self.loop.call_soon_threadsafe(self._enqueue, layer, group, message)

    def _enqueue(self, layer: Any, group: str, message: dict[str, Any]) -> None:
        queue = self.queues[zlib.crc32(group.encode()) % len(self.queues)]
        try:
            queue.put_nowait((layer, group, message))
        except asyncio.QueueFull:
            log.error("push to %s dropped: %s pushes wait already", group, PUSH_BACKLOG)

    async def _drain(self, queue: asyncio.Queue[tuple[Any, str, dict[str, Any]]]) -> None:
        while True:
            layer, group, message = await queue.get()
            try:
                await layer.group_send(group, message)
            except Exception as exc:
                log.error("push to %s failed: %s", group, exc)
            finally:
                queue.task_done()

    async def drained(self) -> None:
        """Wait until every push queued so far was sent (the tests use it)."""
        for queue in self.queues:
            await queue.join()


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
