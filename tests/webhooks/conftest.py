"""A webhook receiver on 127.0.0.1 (a real HTTP server thread) for the webhook tests."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    # Status codes to answer with, in order; 200 once they are used up.
    answers: list[int] = field(default_factory=list)
    # Seconds to wait before answering (a slow receiver).
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[str]:
        return [r.headers["X-Wowdesk-Event"] for r in self.requests]


@pytest.fixture(autouse=True)
def private_addresses_allowed(settings: Any) -> None:
    """The receiver listens on 127.0.0.1: these tests allow webhooks to local addresses
    (``test_private_addresses.py`` tests the default, which refuses them)."""
    settings.CONFIG = dataclasses.replace(settings.CONFIG, webhook_private=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if state.delay:
                threading.Event().wait(state.delay)
            with state.lock:
                state.requests.append(Received(self.path, dict(self.headers.items()), raw))
                code = state.answers.pop(0) if state.answers else 200
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
