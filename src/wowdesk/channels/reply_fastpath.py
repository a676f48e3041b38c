"""``POST /api/v1/conversations/{id}/replies`` in ``wowdesk serve`` without Django's request
cycle, its replies written in batches by a writer thread of their own.

The shape of the inbound fast path (channels/fastpath.py): an ASGI layer in front of
Django answers the plain case itself. On the event loop: the path, no query string, no
cookie, one of each header, a JSON body (the API's parser, ``core/input.py``; no NUL,
which the API refuses) valid for the endpoint's own schema (``ReplyIn``) without
``translate_to``, a bearer token, and Django's own middleware chain on this kind of
request (``django_edge``: the host check, redirects, the language, the headers it adds).
In the writer thread ``wowdesk-replies`` (``ReplyWriter``), before the batch's
transaction: the token's agent (``agent_for_token``, as the API's auth), the conversation
(``conversations.services.conversation_for_reply``, as the endpoint) and the brand wall
(``core.permissions.check_brand``, as the endpoint). Then the batch in one transaction,
each reply in a savepoint of its own, written by the endpoint's service
(``conversations.services.add_reply``: the message, its outbox row, the conversation;
``outbound.queued`` and ``message.created`` after the commit, as from the endpoint).
After the commit each caller gets the endpoint's answer: 201 and ``MessageOut``, rendered
by the API's renderer.

Anything else goes to Django unchanged, with the body already read: no or a bad token, a
conversation that does not exist or is another brand's (Django answers 404 or 403), a
body the schema or the service refuses, ``translate_to`` (a provider call), a batch that
failed. Those write nothing before they fail, so Django answers them exactly as without
this layer. ``WOWDESK_REPLY_FAST_PATH=0`` turns it off.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from ninja.renderers import JSONRenderer
from pydantic import ValidationError

from wowdesk.channels.fastpath import (
    FALLBACK,
    InboundFastPath,
    Receive,
    Scope,
    Send,
    _Fallback,
    _replay,
    django_edge,
)
from wowdesk.channels.writer import IngestWriter
from wowdesk.conversations import services
from wowdesk.conversations.models import Conversation
from wowdesk.core import input as edge
from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent
from wowdesk.core.services import agent_for_token

PATH = re.compile(r"/api/v1/conversations/([1-9][0-9]{0,17})/replies")
# The path the middleware chain is run with (``django_edge``): they read no id.
EDGE_PATH = "/api/v1/conversations/1/replies"


@dataclass
class ReplyRequest:
    """A writer job: a reply's conversation id, body and privacy, its token and language."""

    token: str
    conversation_id: int
    body: str
    private: bool
    language: str
    headers: tuple[tuple[bytes, bytes], ...] = ()
    future: Future[Any] = field(default_factory=Future)

    def prepare(self, memo: dict[Any, Any]) -> PendingReply | _Fallback:
        """The endpoint's checks (auth, ``_for_reply``); any refusal: Django answers."""
        key = ("token", self.token)
        if key not in memo:
            memo[key] = agent_for_token(self.token)
        agent: Agent | None = memo[key]
        if agent is None:
            return FALLBACK
        conversation = services.conversation_for_reply(self.conversation_id)
        if conversation is None:
            return FALLBACK
        try:
            permissions.check_brand(agent, conversation.brand_id)
        except ServiceError:
            return FALLBACK
        return PendingReply(self, agent, conversation)


@dataclass
class PendingReply:
    request: ReplyRequest
    agent: Agent
    conversation: Conversation


def write_replies(items: list[PendingReply]) -> list[bytes | _Fallback]:
    """The replies in one transaction, each in a savepoint: a reply the service refuses
    (or that fails) rolls back alone and is left to Django. The answers' bodies, rendered
    after the commit."""
    from wowdesk.conversations.api import message_out

    written: list[Any] = []
    with transaction.atomic():
        for item in items:
            message: Any
            try:
                with transaction.atomic(), translation.override(item.request.language):
                    message = services.add_reply(
                        item.conversation,
                        author=item.agent,
                        body=item.request.body,
                        private=item.request.private,
                    )
            except ServiceError:
                message = FALLBACK
            written.append(message)
    answers: list[bytes | _Fallback] = []
    for item, message in zip(items, written, strict=True):
        if isinstance(message, _Fallback):
            answers.append(message)
            continue
        with translation.override(item.request.language):
            answers.append(render(message_out(message).model_dump()))
    return answers


_RENDERER = JSONRenderer()  # the API's own (``wowdesk.api`` keeps django-ninja's default)


def render(data: dict[str, Any]) -> bytes:
    """The API's JSON of a 201 answer (``NinjaAPI.create_response``)."""
    return _RENDERER.render(HttpRequest(), data, response_status=201).encode()


class ReplyWriter(IngestWriter):
    """The ingest writer's loop (batches, reactions after the answers) for replies."""

    thread_name = "wowdesk-replies"
    what = "replies"


reply_writer = ReplyWriter(store=write_replies, pending=PendingReply)


class ReplyFastPath(InboundFastPath):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = (
            PATH.fullmatch(scope["path"])
            if scope["type"] == "http" and scope["method"] == "POST"
            else None
        )
        if match is None or scope.get("query_string") or not reply_writer.running:
            await self.app(scope, receive, send)
            return
        body, whole = await self._read(receive)
        job = self._reply_job(scope, body, int(match.group(1))) if whole else None
        outcome: Any = FALLBACK
        if job is not None:
            try:
                outcome = await asyncio.wrap_future(reply_writer.submit(job))
            except Exception:
                outcome = FALLBACK  # nothing was kept: Django answers
        if isinstance(outcome, _Fallback) or job is None:
            await self.app(scope, _replay(body, whole, receive), send)
            return
        await self._send_body(send, outcome, job.headers)

    @staticmethod
    def _reply_job(scope: Scope, body: bytes, conversation_id: int) -> ReplyRequest | None:
        from wowdesk.conversations.api import ReplyIn

        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in headers:  # a repeated header: leave it to Django
                return None
            headers[name] = value
        if b"cookie" in headers:
            return None
        if not headers.get(b"content-type", b"").startswith(b"application/json"):
            return None
        if b"\x00" in body or b"\\u0000" in body:  # RejectNulMiddleware's 400
            return None
        edge_answer = django_edge(scope, headers, EDGE_PATH)
        if edge_answer is None:
            return None
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            data = edge.loads(body)
            if not isinstance(data, dict):
                return None
            payload = ReplyIn.model_validate(data)
        except (ValueError, ValidationError):
            return None
        if payload.translate_to is not None or payload.cc or payload.bcc:
            return None
        return ReplyRequest(
            token=token,
            conversation_id=conversation_id,
            body=payload.body,
            private=payload.private,
            language=edge_answer.language,
            headers=edge_answer.headers,
        )

    @staticmethod
    async def _send_body(
        send: Send, body: bytes, edge_headers: tuple[tuple[bytes, bytes], ...]
    ) -> None:
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *edge_headers,
        ]
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        await send({"type": "http.response.body", "body": body})
