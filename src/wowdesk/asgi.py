"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wowdesk.settings")

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections, connection
from django.http import HttpRequest, HttpResponseBase

django.setup(set_prefix=False)


# HTTP requests run in this many long-lived threads per process (see below).
SQLITE_HTTP_THREADS = 4
SERVER_HTTP_THREADS = 32  # PostgreSQL: at most this many connections per process for HTTP


class HttpHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain and the view run in one hop to a
    worker thread, as under WSGI. (Django's own async chain adapts every sync middleware
    and hook on its own: some fifteen thread switches per request, several times the
    server CPU of a health check; see bench/ingest.py.)

    Requests run in a pool of long-lived threads, each keeping its database connection
    (``CONN_MAX_AGE``). On SQLite, which has one writer at a time, the pool is small: few
    writers at once, so they rarely sleep in SQLite's busy handler (sixteen concurrent
    ones put p99 latencies in seconds), yet a slow view (a translation provider call) does
    not hold up every other request. On PostgreSQL it is larger, and it bounds the
    connections a process holds: Django's default, a new thread per request, leaves each
    finished thread's persistent connection open until the server refuses more clients.
    """

    def __init__(self) -> None:
        self.load_middleware(is_async=False)
        threads = SQLITE_HTTP_THREADS if connection.vendor == "sqlite" else SERVER_HTTP_THREADS
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="wowdesk-http")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        run = sync_to_async(self._get_response_pooled, thread_sensitive=False, executor=self.pool)
        return await run(request)

    def _get_response_pooled(self, request: HttpRequest) -> HttpResponseBase:
        # Django's request signals, which open and close database connections, run in
        # another thread: do the same here for this thread's connection.
        close_old_connections()
        try:
            return self.get_response(request)
        finally:
            close_old_connections()


django_asgi_app = HttpHandler()

from wowdesk.channels.fastpath import InboundFastPath  # noqa: E402
from wowdesk.channels.reply_fastpath import ReplyFastPath, reply_writer  # noqa: E402
from wowdesk.web.routing import websocket_urlpatterns  # noqa: E402

http_app: Any = django_asgi_app
if settings.CONFIG.reply_fast_path:
    # POST /api/v1/conversations/{id}/replies' plain case (channels/reply_fastpath.py)
    http_app = ReplyFastPath(http_app)
if os.environ.get("WOWDESK_INBOUND_FAST_PATH", "1") != "0":
    # POST /api/v1/inbound's plain case is answered before Django (channels/fastpath.py).
    http_app = InboundFastPath(http_app)

application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)

if os.environ.get("WOWDESK_EMBEDDED_WORKER") == "1":
    # `wowdesk serve` in the embedded default: the task worker runs in this process.
    from wowdesk.worker import start_background_worker

    start_background_worker()

from wowdesk.channels.writer import writer  # noqa: E402

if os.environ.get("WOWDESK_INGEST_WRITER", "1") != "0" and os.environ.get("WOWDESK_SERVING") == "1":
    # `wowdesk serve`: inbound items of every channel are stored in batches by one thread
    # (channels/writer.py). Elsewhere (tests, scripts) they are stored inline.
    writer.start()
if settings.CONFIG.reply_fast_path and os.environ.get("WOWDESK_SERVING") == "1":
    # `wowdesk serve`: the fast path's replies are written in batches by one thread
    # (channels/reply_fastpath.py); without it, every reply goes through Django.
    reply_writer.start()

from wowdesk.core.startup import freeze_startup_objects  # noqa: E402

freeze_startup_objects()
