"""Pushes to open WebSockets (agent workspace, chat widget) through the channel layer.

Every push is sent after the current transaction commits, so a browser never hears of a
row it cannot read yet, and a failed push is logged, never raised: the page catches up on
its next load.

The layer is Redis in cluster mode and in memory in the embedded default. The in-memory
layer lives in the server's event loop; code running in a thread that loop does not know
(the embedded worker's threads) hands the send to that loop.

Group names (one place, so producers and consumers agree):
- ``agent.<id>``: one agent's browsers (assignments, screen-pops).
- ``brand.<id>``: every agent of a brand (inbox changes, supervisor board).
- ``conversation.<id>``: whoever has the conversation open (messages, viewers, typing).
- ``visitor.<token-id>``: one chat visitor's widget connections.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

_server_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def brand_group(brand_id: int) -> str:
    return f"brand.{brand_id}"


def conversation_group(conversation_id: int) -> str:
    return f"conversation.{conversation_id}"


def visitor_group(visitor_id: int | str) -> str:
    return f"visitor.{visitor_id}"


def remember_server_loop() -> None:
    """Called from the server's event loop (a consumer's connect) so that threads outside
    it can reach the in-memory layer."""
    global _server_loop
    with _lock:
        _server_loop = asyncio.get_running_loop()


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
        loop = _server_loop
        if loop is not None and loop.is_running() and not _in_loop(loop):
            # Handed to the server's loop without waiting for it: a push never holds up
            # the request or task that caused it.
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
            future.add_done_callback(lambda f: _log_failure(f, group))
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # a push is best effort; the data is already committed
        log.exception("push to %s failed", group)


def _log_failure(future: Any, group: str) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("push to %s failed: %s", group, future.exception())


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
