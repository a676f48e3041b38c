"""The live agent workspace over WebSockets (``ws/workspace/``).

One connection per open workspace tab. It joins the agent's own group (assignments,
screen-pops) and the groups of the brands the agent works for (inbox changes, presence),
and, while the tab shows a conversation, that conversation's group (new messages, who else
is viewing or typing). Every event the groups carry that this module knows is forwarded to
the browser as JSON, ``{"type": "message.created", ...}``; other producers share the same
groups, so unknown event types are dropped silently. Who views a conversation also goes to
its brand as ``row.viewers`` (the lists draw the viewers' initials on each row), except to
the tab that caused it and to the conversation's own viewers, who get ``viewers``.

Who is viewing a conversation lives in the Django cache (Redis in cluster mode, so every
ASGI process sees the same list): one entry per connection, refreshed by the browser's
heartbeat and forgotten ``VIEWER_TTL`` seconds after the last one, so a crashed process
leaves no ghost viewer for long.

Client → server messages:

- ``{"action": "view", "conversation_id": 12}``: this tab now shows conversation 12.
- ``{"action": "leave"}``: it shows none.
- ``{"action": "typing", "conversation_id": 12, "is_typing": true}``
- ``{"action": "heartbeat", "idle": 42}``: every ``HEARTBEAT`` seconds, with the seconds
  since the person's last input in this tab (and at once when the tab turns idle or
  active again).

A frame that is not a JSON object, or has a field of the wrong kind (a ``conversation_id``
that is not an id), is answered ``{"type": "error", "error": "invalid", "field",
"detail", "action"}``; a binary frame or one over ``MAX_FRAME`` characters closes the
socket with 4400 and the reason.

Each connection is also one of the agent's open tabs (``routing/presence.py``): opening
one puts an agent the system had set away or offline online again; heartbeats without
input for ``WOWDESK_AWAY_AFTER_MINUTES`` in every tab set them away; the last tab closing
sets them offline after ``presence.GRACE`` seconds, unless another tab opened meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.cache import cache
from django.utils.translation import gettext

from wowdesk.conversations.models import Conversation
from wowdesk.core import input as edge
from wowdesk.core import realtime
from wowdesk.core.models import Agent
from wowdesk.core.permissions import visible_brand_ids
from wowdesk.routing import presence

log = logging.getLogger(__name__)

# Close codes the browser acts on: it stops reconnecting after these.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# The agent was deactivated while the tab was open (``session.close`` on the agent's group).
CLOSE_DEACTIVATED = CLOSE_FORBIDDEN

HEARTBEAT = 20  # seconds between the browser's heartbeats (live.js uses the same)
VIEWER_TTL = 45  # a viewer not heard from for this long is gone
TYPING_TTL = 8  # "is typing" fades if the "stopped typing" message never comes
GROUP_REFRESH = 3600  # seconds between re-joins of the long-lived groups

# The fields of each action, checked before it runs (``core/input.py``).
ACTION_FIELDS: dict[str, dict[str, edge.FrameField]] = {
    "view": {"conversation_id": edge.FrameField("int", required=True)},
    "typing": {
        "conversation_id": edge.FrameField("int", required=True),
        "is_typing": edge.FrameField("bool"),
    },
}

# Event types forwarded to the browser; see docs/workspace-live.md.
ROW_VIEWERS = "row.viewers"  # who views a conversation, for the lists of its brand
FORWARDED = frozenset(
    {
        "message.created",
        "conversation.updated",
        "conversation.assigned",
        "viewers",
        "typing",
        "typing.customer",
        "presence.changed",
        "call.ringing",
        "message.delivery",
        "delivery.failed",
        "board.changed",
        "message.annotated",
        "notification",
        "wow.story",  # a new story on the brand's WOW wall (surveys/wow_services.py)
    }
)


@dataclass(frozen=True)
class Me:
    agent_id: int
    name: str
    brand_ids: frozenset[int]


@database_sync_to_async
def _load_agent(user: Any) -> Me | None:
    agent = (
        Agent.objects.filter(user=user, is_active=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if agent is None:
        return None
    return Me(agent.pk, str(agent), frozenset(visible_brand_ids(agent)))


@database_sync_to_async
def _brand_of(conversation_id: int) -> int | None:
    return (
        Conversation.objects.filter(pk=conversation_id).values_list("brand_id", flat=True).first()
    )


# --- who is viewing (the cache) -----------------------------------------------------------


def _viewers_key(conversation_id: int) -> str:
    return f"wowdesk:viewers:{conversation_id}"


Entries = dict[str, dict[str, Any]]  # channel name → {agent_id, name, seen, typing_until}


def visible_viewers(entries: Entries, now: float) -> list[dict[str, Any]]:
    """One line per agent (an agent may have two tabs open), typing if any tab types,
    in a stable order; entries not refreshed within ``VIEWER_TTL`` are left out."""
    by_agent: dict[int, dict[str, Any]] = {}
    for entry in entries.values():
        if now - entry["seen"] > VIEWER_TTL:
            continue
        typing = entry["typing_until"] > now
        seen = by_agent.get(entry["agent_id"])
        if seen is None:
            by_agent[entry["agent_id"]] = {
                "agent_id": entry["agent_id"],
                "name": entry["name"],
                "typing": typing,
            }
        else:
            seen["typing"] = seen["typing"] or typing
    return sorted(by_agent.values(), key=lambda v: (v["name"], v["agent_id"]))


class _Locked:
    """A short cross-process lock around the read-modify-write of one viewers list
    (``cache.add`` is atomic on every backend). If it cannot be had in about half a second
    the update goes ahead anyway: a lost update heals at the next heartbeat."""

    def __init__(self, conversation_id: int) -> None:
        self.key = f"{_viewers_key(conversation_id)}:lock"
        self.held = False

    async def __aenter__(self) -> None:
        for _ in range(50):
            if await cache.aadd(self.key, 1, timeout=2):
                self.held = True
                return
            await asyncio.sleep(0.01)

    async def __aexit__(self, *exc: object) -> None:
        if self.held:
            await cache.adelete(self.key)


async def update_viewers(
    conversation_id: int, channel_name: str, entry: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Put (or with ``None`` remove) this connection's entry; return the viewers before and
    after, so the caller broadcasts only when the list someone sees has changed."""
    now = time.time()
    key = _viewers_key(conversation_id)
    async with _Locked(conversation_id):
        entries: Entries = await cache.aget(key) or {}
        before = visible_viewers(entries, now)
        entries = {k: v for k, v in entries.items() if now - v["seen"] <= VIEWER_TTL}
        if entry is None:
            entries.pop(channel_name, None)
        else:
            entries[channel_name] = entry
        if entries:
            await cache.aset(key, entries, timeout=VIEWER_TTL * 2)
        else:
            await cache.adelete(key)
    return before, visible_viewers(entries, now)


# --- the consumer -------------------------------------------------------------------------


class WorkspaceConsumer(AsyncJsonWebsocketConsumer):
    me: Me | None = None
    viewing: int | None = None
    viewing_brand: int | None = None  # the brand of the conversation viewed
    typing_until: float = 0.0
    joined: list[str]
    joined_at: float = 0.0

    # Set once the server has closed the socket: a frame already read, or a group event
    # already queued, must not send after the close (the ASGI server refuses it).
    closing = False

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        self.closing = True
        await super().close(code=code, reason=reason)

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        if self.closing:
            return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    async def send_json(self, content: Any, close: bool = False) -> None:
        if self.closing:
            return
        await super().send_json(content, close=close)

    async def connect(self) -> None:
        user = self.scope.get("user")
        me = await _load_agent(user) if user is not None and user.is_authenticated else None
        if me is None:
            # Accept, then close with a code the browser can read (a refused handshake
            # only shows as 1006, indistinguishable from a network failure).
            await self.accept()
            unauthenticated = user is None or not user.is_authenticated
            await self.close(code=CLOSE_UNAUTHENTICATED if unauthenticated else CLOSE_FORBIDDEN)
            return
        realtime.remember_server_loop()
        self.me = me
        self.joined = [realtime.agent_group(me.agent_id)]
        self.joined += [realtime.brand_group(b) for b in sorted(me.brand_ids)]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined_at = time.monotonic()
        await self.accept()  # in its groups first: nothing sent after "open" is missed
        await _presence(presence.tab_opened, me.agent_id, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.me is None:
            return
        await self._leave()
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        left = await _presence(presence.tab_closed, self.me.agent_id, self.channel_name)
        if left == 0:
            task = asyncio.get_running_loop().create_task(_settle_later(self.me.agent_id))
            _SETTLING.add(task)
            task.add_done_callback(_SETTLING.discard)

    # --- from the browser

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """A frame from the browser (``core/input.py``): a binary or over-long one closes
        the socket (4400, with the reason); a broken one is answered with an error frame
        naming the field."""
        if self.me is None:
            return
        content: dict[str, Any] = {}
        try:
            content = edge.parse_frame(text_data, bytes_data)
            await self.receive_json(content)
        except edge.FrameTooLarge as exc:
            await self.close(code=edge.CLOSE_BAD_INPUT, reason=edge.close_reason(exc))
        except edge.BadInput as exc:
            action = content.get("action")
            await self.send_json(
                {
                    "type": "error",
                    "error": "invalid",
                    "field": exc.field,
                    "detail": exc.message,
                    "action": action if isinstance(action, str) else None,
                }
            )

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        """Raises ``BadInput`` for a field of the wrong kind (``ACTION_FIELDS``)."""
        action = content.get("action")
        if not isinstance(action, str):
            raise edge.BadInput(gettext("Must be text."), "action")
        fields = edge.check_frame(content, ACTION_FIELDS.get(action, {}))
        if action == "view":
            await self._view(fields["conversation_id"])
        elif action == "leave":
            await self._leave()
        elif action == "typing":
            if self.viewing is not None and fields["conversation_id"] == self.viewing:
                await self._typing(bool(fields["is_typing"]))
        elif action == "heartbeat":
            await self._heartbeat(_seconds(content.get("idle")))

    async def _heartbeat(self, idle: float | None = None) -> None:
        assert self.me is not None
        await _presence(presence.heartbeat, self.me.agent_id, self.channel_name, idle)
        if self.viewing is not None:
            await self._refresh(self.viewing)
        # Redis forgets group members after a day (group_expiry): a tab open that long
        # joins again.
        if time.monotonic() - self.joined_at > GROUP_REFRESH:
            self.joined_at = time.monotonic()
            for group in self.joined:
                await self.channel_layer.group_add(group, self.channel_name)

    async def _view(self, conversation_id: int) -> None:
        assert self.me is not None
        if conversation_id == self.viewing:
            await self._refresh(conversation_id)
            return
        brand_id = await _brand_of(conversation_id)
        if brand_id is None or brand_id not in self.me.brand_ids:
            await self.send_json({"type": "error", "error": "forbidden", "action": "view"})
            return
        await self._leave()
        self.viewing = conversation_id
        self.viewing_brand = brand_id
        self.typing_until = 0.0
        await self.channel_layer.group_add(
            realtime.conversation_group(conversation_id), self.channel_name
        )
        await self._refresh(conversation_id, always=True)

    async def _leave(self) -> None:
        conversation_id, self.viewing = self.viewing, None
        if conversation_id is None:
            return
        await self.channel_layer.group_discard(
            realtime.conversation_group(conversation_id), self.channel_name
        )
        before, after = await update_viewers(conversation_id, self.channel_name, None)
        if before != after:
            await self._broadcast_viewers(conversation_id, after)

    async def _typing(self, is_typing: bool) -> None:
        assert self.me is not None and self.viewing is not None
        was = self.typing_until > time.time()
        self.typing_until = time.time() + TYPING_TTL if is_typing else 0.0
        await update_viewers(self.viewing, self.channel_name, self._entry())
        if was != is_typing or is_typing:
            await self.channel_layer.group_send(
                realtime.conversation_group(self.viewing),
                {
                    "type": "typing",
                    "conversation_id": self.viewing,
                    "agent_id": self.me.agent_id,
                    "agent_name": self.me.name,
                    "is_typing": is_typing,
                },
            )

    async def _refresh(self, conversation_id: int, *, always: bool = False) -> None:
        before, after = await update_viewers(conversation_id, self.channel_name, self._entry())
        if always or before != after:
            await self._broadcast_viewers(conversation_id, after)

    def _entry(self) -> dict[str, Any]:
        assert self.me is not None
        return {
            "agent_id": self.me.agent_id,
            "name": self.me.name,
            "seen": time.time(),
            "typing_until": self.typing_until,
        }

    async def _broadcast_viewers(self, conversation_id: int, viewers: list[dict[str, Any]]) -> None:
        """``viewers`` to the conversation's viewers; ``row.viewers`` to the other tabs of
        its brand (the lists show who is viewing each row; see ``dispatch``)."""
        await self.channel_layer.group_send(
            realtime.conversation_group(conversation_id),
            {"type": "viewers", "conversation_id": conversation_id, "viewers": viewers},
        )
        if self.viewing_brand is not None:
            await self.channel_layer.group_send(
                realtime.brand_group(self.viewing_brand),
                {
                    "type": ROW_VIEWERS,
                    "conversation_id": conversation_id,
                    "viewers": viewers,
                    "origin": self.channel_name,
                },
            )

    # --- from the groups

    async def dispatch(self, message: dict[str, Any]) -> None:
        kind = str(message.get("type", ""))
        if kind.startswith("websocket."):
            await super().dispatch(message)
        elif kind == realtime.SESSION_CLOSE and self.me is not None:
            # Deactivated: out of every group at once, then closed with the reason.
            await self.disconnect(CLOSE_DEACTIVATED)
            self.me = None
            await self.close(code=CLOSE_DEACTIVATED, reason=str(message.get("reason", ""))[:100])
        elif kind == ROW_VIEWERS and self.me is not None:
            # not to the tab that caused it, nor to the conversation's own viewers (they
            # have the "viewers" event)
            if (
                message.get("origin") != self.channel_name
                and message.get("conversation_id") != self.viewing
            ):
                await self.send_json({k: v for k, v in message.items() if k != "origin"})
        elif kind in FORWARDED and self.me is not None:
            await self.send_json(message)
        # anything else is another producer's event: not for this browser


_SETTLING: set[asyncio.Task[None]] = set()


async def _settle_later(agent_id: int) -> None:
    """The agent's last tab closed: offline once ``presence.GRACE`` has passed with no tab
    back (the sweeper does the same if this process stops first)."""
    await asyncio.sleep(presence.GRACE + 1)
    await _presence(presence.settle, agent_id)


async def _presence(step: Callable[..., Any], *args: Any) -> Any:
    """A presence step off the event loop; its failing (the database away a moment) is
    logged and never closes the workspace (the next heartbeat or the sweeper catches up)."""
    try:
        return await database_sync_to_async(step)(*args)
    except Exception:
        log.exception("presence: %s failed", step.__name__)
        return None


def _seconds(value: Any) -> float | None:
    """A non-negative number of seconds from the browser, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value < 0:  # NaN, negative
        return None
    return float(min(value, 10**7))
