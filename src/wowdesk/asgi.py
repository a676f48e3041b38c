"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wowdesk.settings")

from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.handlers.asgi import ASGIHandler
from django.db import connection
from django.http import HttpRequest, HttpResponseBase

django.setup(set_prefix=False)


class HttpHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain and the view run in one hop to a
    worker thread, as under WSGI. (Django's own async chain adapts every sync middleware
    and hook on its own: some fifteen thread switches per request, measured at 2–3x the
    server CPU of a health check; see bench/ingest.py.)

    On SQLite, which has one writer at a time, all requests of a process run in the same
    thread: writers queue here instead of sleeping in SQLite's busy handler, which put
    p99 latencies in seconds under concurrent inbound traffic. On PostgreSQL each request
    gets its own thread (Django's default), so one slow view does not hold up the others.
    """

    def __init__(self) -> None:
        self.load_middleware(is_async=False)
        self.one_thread = connection.vendor == "sqlite"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        if self.one_thread:
            await self.handle(scope, receive, send)
        else:
            async with ThreadSensitiveContext():
                await self.handle(scope, receive, send)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


django_asgi_app = HttpHandler()

from wowdesk.web.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)

if os.environ.get("WOWDESK_EMBEDDED_WORKER") == "1":
    # `wowdesk serve` in the embedded default: the task worker runs in this process.
    from wowdesk.core.worker import start_background_worker

    start_background_worker()
