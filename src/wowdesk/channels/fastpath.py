"""``POST /api/v1/inbound`` in ``wowdesk serve`` without Django's request cycle.

The inbound endpoint is the one every channel pushes through, in bursts. Django's request
cycle (ten middlewares, the URL resolver, django-ninja's operation) cost more CPU than
storing the item did, and every request hopped to a worker thread and back. Here an
ASGI layer in front of Django answers the plain case itself: the body is read and
validated on the event loop with the endpoint's own schema (``InboundIn``); the token
check, the brand and the checks that need the database run in the writer thread
(channels/writer.py), which stores the item in its batch; the answer is the endpoint's
own (``channels.api.inbound_answer``). Django's own middleware chain
(``settings.MIDDLEWARE``) is run on each kind of request once (``django_edge``: the
scheme and the headers it reads): its host check (ALLOWED_HOSTS), its redirects
(SECURE_SSL_REDIRECT), the language it picks and the headers it adds (the security
headers, HSTS on HTTPS, X-Frame-Options, Content-Language) are the fast path's.

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
import io
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.handlers.asgi import ASGIRequest
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.module_loading import import_string
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
log = logging.getLogger(__name__)


class _Fallback:
    """The writer's answer when Django should answer instead (nothing was written)."""


FALLBACK = _Fallback()


@dataclass
class InboundRequest:
    """A writer job (channels.writer): a request's item, its token and its language."""

    token: str
    item: InboundIn
    language: str
    # what Django's middlewares add to the answer (``django_edge``)
    headers: tuple[tuple[bytes, bytes], ...] = ()
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
                await self._respond(send, exc.status, _error(exc), job.headers, _extra(exc))
                return
            except Exception:
                # Nothing was kept (the batch's transaction failed): Django tries again
                # and answers as it would (the external_id makes the retry safe).
                outcome = FALLBACK
        if isinstance(outcome, _Fallback):
            await self.app(scope, _replay(body, whole, receive), send)
            return
        await self._respond(send, 202, inbound_answer(outcome), job.headers if job else ())

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
        if not headers.get(b"content-type", b"").startswith(b"application/json"):
            return None
        # Django's middlewares (settings.MIDDLEWARE) on this request: the host check
        # (ALLOWED_HOSTS: Django answers 400), a redirect (SECURE_SSL_REDIRECT), the
        # language and the headers of the answer.
        edge_answer = django_edge(scope, headers)
        if edge_answer is None:
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
        return InboundRequest(
            token=token, item=item, language=edge_answer.language, headers=edge_answer.headers
        )

    @staticmethod
    async def _respond(
        send: Send,
        status: int,
        data: dict[str, Any],
        edge_headers: tuple[tuple[bytes, bytes], ...],
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        body = json.dumps(data).encode()
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *edge_headers,
            *(extra or []),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _error(exc: ServiceError) -> dict[str, Any]:
    return {"detail": exc.message, "field": exc.field, "code": exc.code}


def _extra(exc: ServiceError) -> list[tuple[bytes, bytes]]:
    """The headers an error adds to Django's answer (``wowdesk.api.on_service_error``)."""
    retry_after = getattr(exc, "retry_after", None)
    return [] if retry_after is None else [(b"retry-after", str(retry_after).encode())]


@dataclass(frozen=True)
class EdgeAnswer:
    """What Django's middlewares make of a request: its language, and the headers they put
    on its answer."""

    language: str
    headers: tuple[tuple[bytes, bytes], ...]


# The request headers the middlewares read for this endpoint (host, HTTPS behind a proxy,
# language); the answer is the same for the same values, so it is worked out once.
_EDGE_HEADERS = (
    b"host",
    b"x-forwarded-host",
    b"x-forwarded-port",
    b"x-forwarded-proto",
    b"forwarded",
    b"accept-language",
    b"user-agent",  # CommonMiddleware's DISALLOWED_USER_AGENTS
)


def django_edge(scope: Scope, headers: dict[bytes, bytes], path: str = PATH) -> EdgeAnswer | None:
    """Run Django's own middleware chain (``settings.MIDDLEWARE``, the code that runs for
    the endpoint) on this request with a stand-in for the endpoint's answer: None when a
    middleware answers itself or refuses the request (a host not in ALLOWED_HOSTS, an
    HTTPS redirect): Django then answers the request as it would. Worked out once per
    scheme, server and the headers the middlewares read (a bounded cache, cleared when a
    setting changes). ``path``: the endpoint's (for one with ids in its path, a
    representative one: the middlewares read no id)."""
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    names: tuple[bytes, ...] = _EDGE_HEADERS
    if proxy:
        names = (*names, proxy[0].removeprefix("HTTP_").lower().replace("_", "-").encode())
    key = tuple((n, headers[n]) for n in names if n in headers)
    server = scope.get("server")
    return _edge(scope.get("scheme", "http"), tuple(server) if server else None, key, path)


@lru_cache(maxsize=256)
def _edge(
    scheme: str,
    server: tuple[Any, ...] | None,
    headers: tuple[tuple[bytes, bytes], ...],
    path: str = PATH,
) -> EdgeAnswer | None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [*headers, (b"content-type", b"application/json")],
        "server": server,
    }
    request = ASGIRequest(scope, io.BytesIO(b""))
    stand_in = HttpResponse(b"", status=202, content_type="application/json; charset=utf-8")
    request._wowdesk_answer = stand_in  # type: ignore[attr-defined]
    with translation.override(translation.get_language()):  # the chain activates one
        try:
            answer = _chain()(request)
        except (SuspiciousOperation, PermissionDenied):  # Django answers 400 or 403, logs it
            return None
        except Exception:  # whatever it is, Django's handler answers it
            log.exception("the middleware chain failed on a request to %s", path)
            return None
    if answer is not stand_in:
        return None
    added = tuple(
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in answer.items()
        if name.lower() not in ("content-type", "content-length")
    )
    return EdgeAnswer(language=answer.get("Content-Language", ""), headers=added)


def _stand_in(request: HttpRequest) -> HttpResponse:
    answer: HttpResponse = request._wowdesk_answer  # type: ignore[attr-defined]
    return answer


@lru_cache(maxsize=1)
def _chain() -> Any:
    """``settings.MIDDLEWARE`` around the stand-in endpoint, as Django's handler nests
    them (built once: WhiteNoise reads the static files when it starts)."""
    handler: Any = _stand_in
    for path in reversed(settings.MIDDLEWARE):
        handler = import_string(path)(handler)
    return handler


def _forget(**_: Any) -> None:
    _edge.cache_clear()
    _chain.cache_clear()


setting_changed.connect(_forget, dispatch_uid="wowdesk.channels.fastpath.forget")


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
