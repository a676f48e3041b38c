"""HTTP requests run in a bounded pool of long-lived threads that keep their database
connections (wowdesk.asgi.HttpHandler): many requests open at most one connection per
pool thread, on SQLite and on PostgreSQL alike (a thread per request left every finished
thread's persistent connection open until PostgreSQL refused more clients)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from wowdesk.asgi import SERVER_HTTP_THREADS, SQLITE_HTTP_THREADS, HttpHandler


async def _get(app: Any, path: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    messages: list[dict[str, Any]] = []
    sent = [False]

    async def receive() -> dict[str, Any]:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    return int(messages[0]["status"])


@pytest.mark.django_db(transaction=True)
def test_many_requests_open_at_most_one_connection_per_pool_thread() -> None:
    handler = HttpHandler()
    opened: list[int] = []
    lock = threading.Lock()

    def on_created(sender: Any, connection: Any, **_: Any) -> None:
        with lock:
            opened.append(threading.get_ident())

    connection_created.connect(on_created)
    try:

        async def burst() -> list[int]:
            codes: list[int] = []
            for _round in range(3):  # three bursts: the threads and connections stay
                codes += await asyncio.gather(*(_get(handler, "/api/v1/health") for _ in range(40)))
            return codes

        codes = asyncio.run(burst())
    finally:
        connection_created.disconnect(on_created)
        handler.pool.shutdown()
    assert codes == [200] * 120  # each health check ran a query
    size = handler.pool._max_workers
    assert size == (SQLITE_HTTP_THREADS if connection.vendor == "sqlite" else SERVER_HTTP_THREADS)
    assert len(opened) <= size  # one connection per thread, kept across the bursts
    assert len(set(opened)) == len(opened)
