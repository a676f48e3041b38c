"""``POST /api/v1/inbound`` in ``wowdesk serve`` without Django's request cycle.

The inbound endpoint is the one every channel pushes through, in bursts. Django's request
cycle (ten middlewares, the URL resolver, django-ninja's operation) cost more CPU than
storing the item did, and every request hopped to a worker thread and back. Here an
ASGI layer in front of Django answers the plain case itself: the body is read and
validated on the event loop with the endpoint's own schema (``InboundIn``); the token
check, the brand and the checks that need the database run in the writer thread
(channels/writer.py), which stores the item in its batch; the answer is the endpoint's
own (``channels.api.inbound_answer``), with the headers Django would add.

Anything else goes to Django unchanged, with the body it already read: another path or
method, a query string, a body that is not a JSON object valid for the schema (parsed
and validated by the API's rules, ``core/input.py``: Django refuses it with the field's
name), a missing or bad token, a brand the agent may not use, a failed check. Those
write nothing before they fail, so Django answers them exactly as without this layer
(the OpenAPI schema, the errors and their language are the endpoint's). What this layer
answers itself: 202 with the ids, the rejection of an item stored and marked
(``{"detail", "field", "code"}``, in the language the request asked for), or 429 with
``Retry-After`` for a token over its rate (``WOWDESK_INBOUND_RATE``, counted in the same
store as the endpoint's).
``WOWDESK_INBOUND_FAST_PATH=0`` turns it off.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils import translation
from django.utils.translation import trans_real
from pydantic import ValidationError

from wowdesk.channels import ingest
from wowdesk.channels.api import inbound_answer
from wowdesk.channels.schema import InboundIn
from wowdesk.channels.writer import writer
from wowdesk.core import input as edge
from wowdesk.core import permissions, ratelimit
from wowdesk.core.errors import ServiceError
from wowdesk.core.services import agent_for_token

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Any, Any, Any], Awaitable[None]]

PATH = "/api/v1/inbound"


class _Fallback:
    """The writer's answer when Django should answer instead (nothing was written)."""


FALLBACK = _Fallback()


@dataclass
class InboundRequest:
    """A writer job (channels.writer): a request's item, its token and its language."""

    token: str
    item: InboundIn
    language: str
    future: Future[Any] = field(default_factory=Future)

    def prepare(self, memo: dict[Any, Any]) -> ingest.Pending | _Fallback:
        """The endpoint's checks (``channels.api.inbound``); any failure: Django answers.
        The requests of one batch mostly carry one token: it is looked up once."""
        with translation.override(self.language):
            key = ("token", self.token)
            if key not in memo:
                memo[key] = agent_for_token(self.token)
            agent = memo[key]
            if agent is None:
                return FALLBACK
            try:
                brand_id = permissions.pick_brand(agent, self.item.brand_id)
                inbox = ingest.validate(brand_id, self.item, memo.setdefault("inboxes", {}))
            except ServiceError:
                return FALLBACK
            # Counted as in the endpoint (once: what Django answers is counted there); a
            # refusal (RateLimited) is answered by this layer, 429 with Retry-After.
            ratelimit.check(ratelimit.token_key(self.token), ratelimit.inbound_rate())
        return ingest.Pending.of(brand_id, self.item, inbox, self.language)


class InboundFastPath:
    def __init__(self, app: App) -> None:
        self.app = app
        self.max_body = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] != "POST"
            or scope.get("query_string")
            or not writer.running
        ):
            await self.app(scope, receive, send)
            return
        body, whole = await self._read(receive)
        job = self._job(scope, body) if whole else None
        outcome: Any = FALLBACK
        if job is not None:
            try:
                outcome = await asyncio.wrap_future(writer.submit(job))
            except ServiceError as exc:  # refused (over its rate, or stored and marked)
                await self._respond(send, exc.status, _error(exc), job.language, _extra(exc))
                return
            except Exception:
                # Nothing was kept (the batch's transaction failed): Django tries again
                # and answers as it would (the external_id makes the retry safe).
                outcome = FALLBACK
        if isinstance(outcome, _Fallback):
            await self.app(scope, _replay(body, whole, receive), send)
            return
        await self._respond(send, 202, inbound_answer(outcome), job.language if job else "")

    async def _read(self, receive: Receive) -> tuple[bytes, bool]:
        """The body, and whether it is all there (not over the limit, no disconnect)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), False
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_body:
                return b"".join(chunks), False
            if not message.get("more_body", False):
                return b"".join(chunks), True

    @staticmethod
    def _job(scope: Scope, body: bytes) -> InboundRequest | None:
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in headers:  # a repeated header: leave it to Django
                return None
            headers[name] = value
        if b"cookie" in headers:  # a session or a language cookie: Django decides
            return None
        if not _allowed_host(headers):  # Django answers 400, as for any other path
            return None
        if not headers.get(b"content-type", b"").startswith(b"application/json"):
            return None
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            data = edge.loads(body)  # the API's parser: JSON as JSON is written
            if not isinstance(data, dict):
                return None
            item = InboundIn.model_validate(data, context={"edge": True})
        except (ValueError, ValidationError):
            return None
        language = _language(headers.get(b"accept-language", b"").decode("latin-1"))
        return InboundRequest(token=token, item=item, language=language)

    @staticmethod
    async def _respond(
        send: Send,
        status: int,
        data: dict[str, Any],
        language: str,
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        body = json.dumps(data).encode()
        headers = _headers(body, language) + (extra or [])
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _error(exc: ServiceError) -> dict[str, Any]:
    return {"detail": exc.message, "field": exc.field, "code": exc.code}


def _extra(exc: ServiceError) -> list[tuple[bytes, bytes]]:
    """The headers an error adds to Django's answer (``wowdesk.api.on_service_error``)."""
    retry_after = getattr(exc, "retry_after", None)
    return [] if retry_after is None else [(b"retry-after", str(retry_after).encode())]


def _allowed_host(headers: dict[bytes, bytes]) -> bool:
    """Django's ``HttpRequest.get_host`` check (ALLOWED_HOSTS), for the plain case: a Host
    header (a forwarded host, when trusted, is left to Django)."""
    if settings.USE_X_FORWARDED_HOST and b"x-forwarded-host" in headers:
        return False
    host = headers.get(b"host", b"").decode("latin-1")
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def _language(accept: str) -> str:
    """The language Django's LocaleMiddleware picks from Accept-Language (no cookie)."""
    for code, _q in trans_real.parse_accept_lang_header(accept):
        if code == "*":
            break
        if not trans_real.language_code_re.search(code):
            continue
        try:
            return trans_real.get_supported_language_variant(code)
        except LookupError:
            continue
    try:
        return trans_real.get_supported_language_variant(settings.LANGUAGE_CODE)
    except LookupError:
        return str(settings.LANGUAGE_CODE)


def _headers(body: bytes, language: str) -> list[tuple[bytes, bytes]]:
    """What Django's middlewares put on this endpoint's answer (compared in the tests)."""
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"vary", b"Accept-Language"),
        (b"content-language", language.encode()),
    ]
    frame = getattr(settings, "X_FRAME_OPTIONS", "DENY")
    if frame:
        headers.append((b"x-frame-options", frame.encode()))
    if getattr(settings, "SECURE_CONTENT_TYPE_NOSNIFF", True):
        headers.append((b"x-content-type-options", b"nosniff"))
    referrer = getattr(settings, "SECURE_REFERRER_POLICY", "same-origin")
    if referrer:
        value = referrer if isinstance(referrer, str) else ",".join(referrer)
        headers.append((b"referrer-policy", value.encode()))
    opener = getattr(settings, "SECURE_CROSS_ORIGIN_OPENER_POLICY", "same-origin")
    if opener:
        headers.append((b"cross-origin-opener-policy", opener.encode()))
    return headers


def _replay(body: bytes, whole: bool, receive: Receive) -> Receive:
    """A ``receive`` that gives Django the body already read, then the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not whole}
        return await receive()

    return replay
