"""The chat widget's WebSocket (``/ws/chat/``): one visitor's connection.

The protocol is JSON frames with a ``type``. The widget speaks first:

- ``hello`` {inbox, token?, user_id?, user_hash?, lang?, page?} → ``welcome`` {token,
  visitor, verified, online, config, estimate, conversation_id, history}; a wrong user
  hash, a page Origin the inbox does not allow or an unknown inbox → ``error`` and the
  socket closes (4403 / 4404). ``page`` {url, title, referrer, browser, language,
  timezone} is checked (``widget_rules.clean_page``) and kept with the visitor's next
  message for the agent; a wrong one is answered with an ``invalid`` error naming the
  field (``page.url``…) and left out, the chat goes on.
- ``message`` {client_id, body, name?, email?} → ``ack`` {client_id, message_id,
  conversation_id, duplicate}; the message is also sent as ``message`` to every tab of
  the visitor.
- ``typing`` {is_typing} → ``typing.customer`` to the conversation's agents.
- ``email`` {email, name?} → ``email.saved``: the conversation may continue by email.
- ``ping`` → ``pong`` (keeps the visitor counted as present).

``message`` and ``email`` frames count against ``WOWDESK_CHAT_RATE`` per visitor per
10 s; beyond it the answer is ``error`` {code: "rate_limited", retry_after}. Other
frames (``typing``, ``ping``…) have five times that budget and are dropped beyond it;
frames that make no sense (before ``hello``, unknown types) are answered with an error.
20 refusals of any of these in a row close the socket with 4429.
A frame that is not a JSON object (or nested too deeply, or with ``NaN``, NUL…), or a
field of the wrong kind or length (a name with a line break, a body over ``MAX_BODY``)
→ ``error`` {code: "invalid", field, message}; nothing is stored. A binary frame or one
over ``MAX_FRAME`` characters: the same error, and the socket closes with 4400.

The server pushes ``message`` (an agent's reply, or the visitor's own from another tab),
``typing`` {is_typing, name} (an agent typing) and ``read`` {up_to} (an agent opened the
conversation: the visitor's messages up to this id are read). The socket joins
``visitor.<brand id>.<visitor id>`` and ``conversation.<id>``; other producers send other
event types to the latter, which this consumer ignores.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.utils import translation

from wowdesk.channels.chat import services, tokens
from wowdesk.channels.chat.tokens import Visitor
from wowdesk.conversations.models import Inbox
from wowdesk.core import input as edge
from wowdesk.core.errors import Forbidden, NotFound, ServiceError
from wowdesk.core.ratelimit import RateLimited
from wowdesk.core.realtime import conversation_group, remember_server_loop, visitor_group

log = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429
# Frames refused in a row (over a rate, or making no sense) before the socket is closed.
MAX_REFUSALS = 20

# The fields of each frame, checked before it is acted on (``core/input.py``).
FRAME_FIELDS: dict[str, dict[str, edge.FrameField]] = {
    "hello": {
        "inbox": edge.FrameField("ref", max_length=200),
        "token": edge.FrameField("line", max_length=4000),
        "user_id": edge.FrameField("line", max_length=200),
        "user_hash": edge.FrameField("line", max_length=200),
        "lang": edge.FrameField("line", max_length=35),
    },
    "message": {
        "client_id": edge.FrameField("line", max_length=100),
        "body": edge.FrameField("text", max_length=services.MAX_BODY),
        "name": edge.FrameField("line", max_length=200),
        "email": edge.FrameField("line", max_length=320),
    },
    "typing": {"is_typing": edge.FrameField("bool")},
    "email": {
        "email": edge.FrameField("line", max_length=320),
        "name": edge.FrameField("line", max_length=200),
    },
}


def _language(code: Any) -> str:
    code = str(code or "").strip().lower()
    return "zh-hans" if code.startswith("zh") else "en"


class VisitorConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    inbox: Inbox | None = None
    visitor: Visitor | None = None
    conversation_id: int | None = None
    language: str = "en"
    refusals: int = 0
    page: dict[str, str] | None = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Other producers send other event types to the shared conversation group.
        try:
            known = getattr(self, get_handler_name(message), None) is not None
        except ValueError:
            known = False
        if not known:
            return
        await super().dispatch(message)

    async def connect(self) -> None:
        remember_server_loop()
        self.groups_joined: set[str] = set()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        layer = get_channel_layer()
        if layer is not None:
            for group in getattr(self, "groups_joined", set()):
                await layer.group_discard(group, self.channel_name)
        if self.visitor is not None and self.inbox is not None:
            await sync_to_async(services.mark_offline)(self.inbox.brand_id, self.visitor.visitor_id)
        raise StopConsumer()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        """A frame from the widget (``core/input.py``): a binary or over-long one closes
        the socket (4400, with the reason); a broken one, or a field of the wrong kind,
        is answered with an ``error`` frame (code ``invalid``) naming the field."""
        try:
            content = edge.parse_frame(text_data, bytes_data)
        except edge.FrameTooLarge as exc:
            await self._error("invalid", exc.field, exc.message)
            await self.close(code=edge.CLOSE_BAD_INPUT, reason=edge.close_reason(exc))
            return
        except edge.BadInput as exc:
            await self._error("invalid", exc.field, exc.message)
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self._junk("bad_frame", "")
            return
        kind = content.get("type")
        if isinstance(kind, str) and kind in FRAME_FIELDS:
            try:
                edge.check_frame(content, FRAME_FIELDS[kind])
            except edge.BadInput as exc:
                client_id = content.get("client_id") if kind == "message" else None
                extra = {"client_id": client_id} if isinstance(client_id, str) else {}
                await self._error("invalid", exc.field, exc.message, **extra)
                return
        if kind == "hello":
            if self.visitor is not None:
                await self._junk("already_said_hello", "")
                return
            await self._hello(content)
            return
        if self.visitor is None or self.inbox is None:
            await self._junk("hello_first", "")
            return
        if kind not in ("message", "email"):  # those two count against the message rate
            try:
                await sync_to_async(services.check_rate)(self.inbox, self.visitor, kind="frame")
            except RateLimited:
                await self._over()  # dropped without a word
                return
            if kind in ("typing", "ping"):
                self.refusals = 0
        if kind == "message":
            await self._message(content)
        elif kind == "typing":
            await self._typing(bool(content.get("is_typing")))
        elif kind == "email":
            await self._email(content)
        elif kind == "ping":
            await sync_to_async(services.mark_online)(self.inbox.brand_id, self.visitor.visitor_id)
            await self.send_json({"type": "pong"})
        else:
            await self._junk("unknown_type", "type")

    async def _junk(self, code: str, field: str) -> None:
        """A frame that makes no sense here: said so; a stream of them closes the socket."""
        await self._error(code, field, "")
        await self._over()

    async def _over(self) -> None:
        """One more frame refused; ``MAX_REFUSALS`` in a row close the socket (4429)."""
        self.refusals += 1
        if self.refusals >= MAX_REFUSALS:
            await self.close(code=CLOSE_TOO_MANY, reason="too many refused frames")

    # --- frames from the widget ---------------------------------------------------------

    async def _hello(self, content: dict[str, Any]) -> None:
        self.language = _language(content.get("lang"))
        try:
            with translation.override(self.language):
                self.page = services.clean_page(content.get("page")) or None
        except ServiceError as exc:
            self.page = None
            await self._error("invalid", exc.field or "page", exc.message)
        try:
            welcome = await database_sync_to_async(self._open)(content)
        except ServiceError as exc:
            await self._error(exc.code, exc.field or "", exc.message)
            code = 4400
            if isinstance(exc, Forbidden):
                code = CLOSE_FORBIDDEN
            elif isinstance(exc, NotFound):
                code = CLOSE_NOT_FOUND
            await self.close(code=code, reason=exc.code or "refused")
            return
        assert self.visitor is not None and self.inbox is not None
        await self._join(visitor_group(self.inbox.brand_id, self.visitor.visitor_id))
        if self.conversation_id is not None:
            await self._join(conversation_group(self.conversation_id))
        await self.send_json(welcome)

    def _open(self, content: dict[str, Any]) -> dict[str, Any]:
        with translation.override(self.language):
            inbox = services.find_inbox(str(content.get("inbox") or ""))
            headers = dict(self.scope.get("headers") or [])
            services.check_origin(
                inbox,
                headers.get(b"origin", b"").decode("latin-1") or None,
                headers.get(b"host", b"").decode("latin-1"),
            )
            visitor = services.open_session(
                inbox,
                token=str(content.get("token") or ""),
                user_id=str(content.get("user_id") or "")[:200],
                user_hash=str(content.get("user_hash") or "")[:200],
            )
            conversation = services.current_conversation(inbox, visitor.visitor_id)
            services.mark_online(inbox.brand_id, visitor.visitor_id)
            self.inbox, self.visitor = inbox, visitor
            self.conversation_id = conversation.pk if conversation else None
            return {
                "type": "welcome",
                "token": tokens.issue(visitor),
                "visitor": visitor.visitor_id,
                "verified": visitor.verified,
                "online": services.agents_on_shift(inbox.brand_id),
                "config": services.widget_settings(inbox).public(),
                "estimate": services.answer_estimate(inbox),
                "conversation_id": self.conversation_id,
                "history": services.history(conversation),
            }

    async def _refused(self, exc: RateLimited, **extra: Any) -> None:
        """Over the chat rate: an error frame saying when to try again; a visitor that
        keeps sending regardless is disconnected (4429)."""
        await self._error(
            exc.code, exc.field or "", exc.message, retry_after=exc.retry_after, **extra
        )
        await self._over()

    async def _message(self, content: dict[str, Any]) -> None:
        client_id = str(content.get("client_id") or "")
        try:
            result, echo = await database_sync_to_async(self._post)(content)
        except RateLimited as exc:
            await self._refused(exc, client_id=client_id)
            return
        except ServiceError as exc:
            await self._error(exc.code, exc.field or "", exc.message, client_id=client_id)
            return
        self.refusals = 0
        if result.conversation_id is not None and result.conversation_id != self.conversation_id:
            if self.conversation_id is not None:
                await self._leave(conversation_group(self.conversation_id))
            self.conversation_id = result.conversation_id
            await self._join(conversation_group(result.conversation_id))
        await self.send_json(
            {
                "type": "ack",
                "client_id": client_id,
                "message_id": result.message_id,
                "conversation_id": result.conversation_id,
                "duplicate": result.duplicate,
            }
        )
        layer = get_channel_layer()
        if echo is not None and layer is not None and self.visitor is not None and self.inbox:
            await layer.group_send(
                visitor_group(self.inbox.brand_id, self.visitor.visitor_id),
                {"type": "chat.message", "message": echo},
            )

    def _post(self, content: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
        assert self.inbox is not None and self.visitor is not None
        with translation.override(self.language):
            result = services.post_message(
                self.inbox,
                self.visitor,
                client_id=str(content.get("client_id") or ""),
                body=str(content.get("body") or ""),
                name=str(content.get("name") or ""),
                email=str(content.get("email") or ""),
                language=self.language,
                page=self.page,
            )
        if result.message_id is not None:
            self.page = None  # kept with this message
        echo = None
        if result.message_id is not None and not result.duplicate:
            from wowdesk.conversations.models import Message

            message = Message.objects.filter(pk=result.message_id).first()
            echo = services.message_out(message) if message is not None else None
        return result, echo

    async def _typing(self, is_typing: bool) -> None:
        layer = get_channel_layer()
        if self.conversation_id is None or layer is None:
            return
        await layer.group_send(
            conversation_group(self.conversation_id),
            {
                "type": "typing.customer",
                "conversation_id": self.conversation_id,
                "is_typing": is_typing,
            },
        )

    async def _email(self, content: dict[str, Any]) -> None:
        assert self.inbox is not None and self.visitor is not None
        inbox, visitor = self.inbox, self.visitor

        def save() -> None:
            with translation.override(self.language):
                services.check_rate(inbox, visitor)
                services.remember_email(
                    inbox,
                    visitor,
                    str(content.get("email") or "")[:320],
                    name=str(content.get("name") or "")[:200],
                )

        try:
            await database_sync_to_async(save)()
        except RateLimited as exc:
            await self._refused(exc)
            return
        except ServiceError as exc:
            await self._error(exc.code, exc.field or "", exc.message)
            return
        self.refusals = 0
        await self.send_json({"type": "email.saved"})

    # --- events from the channel layer ----------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "message", **event["message"]})

    async def chat_read(self, event: dict[str, Any]) -> None:
        """An agent opened the conversation: these messages of the visitor are read."""
        await self.send_json({"type": "read", "up_to": int(event["up_to"])})

    async def typing(self, event: dict[str, Any]) -> None:
        """An agent typing in the conversation's workspace."""
        if event.get("conversation_id") != self.conversation_id:
            return
        await self.send_json(
            {
                "type": "typing",
                "is_typing": bool(event.get("is_typing")),
                "name": str(event.get("agent_name") or ""),
            }
        )

    # --- helpers ------------------------------------------------------------------------

    async def _join(self, group: str) -> None:
        layer = get_channel_layer()
        if layer is not None and group not in self.groups_joined:
            await layer.group_add(group, self.channel_name)
            self.groups_joined.add(group)

    async def _leave(self, group: str) -> None:
        layer = get_channel_layer()
        if layer is not None and group in self.groups_joined:
            await layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)

    async def _error(self, code: str, field: str, message: str, **extra: Any) -> None:
        await self.send_json(
            {"type": "error", "code": code, "field": field, "message": message, **extra}
        )
