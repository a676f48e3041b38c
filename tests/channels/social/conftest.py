"""Social fixtures: one inbox per network, signed posts, and a small HTTP server on
127.0.0.1 (ports 18500-18599) standing in for the networks' send APIs."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core.models import Brand

PAYLOADS = Path(__file__).parent / "payloads"
PORTS = range(18500, 18600)


def payload_bytes(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def payload(name: str) -> Any:
    return json.loads(payload_bytes(name))


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeApi:
    """Records each request; answers with the next scripted (status, body) or the
    network's documented success answer for that path."""

    base_url: str = ""
    requests: list[Seen] = field(default_factory=list)
    script: list[tuple[int, Any]] = field(default_factory=list)

    def answer(self, path: str) -> tuple[int, Any]:
        if self.script:
            return self.script.pop(0)
        if path.endswith("/sendMessage"):
            return 200, {
                "ok": True,
                "result": {"message_id": 1367, "date": 1441645600, "text": "…"},
            }
        if path.endswith("/me/messages"):
            return 200, {"recipient_id": "2345678901234567", "message_id": "m_AG5Hz2Uq7tuwNEhX"}
        if path.endswith("/messages"):
            return 200, {
                "messaging_product": "whatsapp",
                "contacts": [{"input": "16505551234", "wa_id": "16505551234"}],
                "messages": [{"id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}],
            }
        return 200, {"id": "generic-1"}


def _free_port() -> int:
    import random

    # a random order: two runs at once (the SQLite and PostgreSQL suites) rarely collide
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18500-18599")


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            parts = urlsplit(self.path)
            api.requests.append(
                Seen(
                    method="POST",
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw) if raw else None,
                )
            )
            status, body = api.answer(parts.path)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield api
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


SETTINGS: dict[str, dict[str, Any]] = {
    "generic": {"network": "generic", "secret": "generic-secret"},
    "whatsapp": {
        "network": "whatsapp",
        "app_secret": "meta-app-secret",
        "verify_token": "meatyhamhock",
        "access_token": "EAAJB-whatsapp-token",
        "phone_number_id": "106540352242922",
    },
    "telegram": {
        "network": "telegram",
        "secret_token": "tg-secret_123",
        "bot_token": "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
    },
    "messenger": {
        "network": "messenger",
        "app_secret": "meta-app-secret",
        "verify_token": "meatyhamhock",
        "access_token": "EAAJB-page-token",
    },
}


@pytest.fixture
def social_inbox(brand: Brand) -> Callable[..., Inbox]:
    def make(network: str, **extra: Any) -> Inbox:
        inbox = conversations.create_inbox(brand_id=brand.pk, name=network, channel="social")
        inbox.settings = {**SETTINGS[network], **extra}
        inbox.save(update_fields=["settings"])
        return inbox

    return make
