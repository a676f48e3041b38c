"""``POST /api/v1/inbound`` answered before Django (channels/fastpath.py) and stored by the
writer thread (channels/writer.py): the same answers as the endpoint, byte for byte
where they can be, and everything that is not the plain case left to Django.

The ASGI application is called directly; the writer thread has its own database
connection, so these tests commit for real (``transactional_db``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils.translation import gettext as _

from tests.conftest import inbound
from wowdesk.asgi import django_asgi_app
from wowdesk.channels import ingest
from wowdesk.channels.fastpath import InboundFastPath
from wowdesk.channels.models import EnvelopeStatus, InboundEnvelope
from wowdesk.channels.writer import writer
from wowdesk.conversations.models import Message
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Role
from wowdesk.core.services import AgentInput, create_agent, create_brand, create_token

Answer = tuple[int, dict[bytes, bytes], bytes]


class CountingApp:
    """Django's ASGI app, counting the requests that reach it."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await django_asgi_app(scope, receive, send)


def call(
    app: Any,
    body: bytes,
    headers: list[tuple[bytes, bytes]],
    *,
    query: bytes = b"",
    chunks: int = 1,
    scheme: str = "http",
) -> Answer:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": scheme,
        "path": "/api/v1/inbound",
        "raw_path": b"/api/v1/inbound",
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    size = max(1, -(-len(body) // chunks))
    parts = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if parts:
            part = parts.pop(0)
            return {"type": "http.request", "body": part, "more_body": bool(parts)}
        await asyncio.sleep(3600)  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    start = messages[0]
    content = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], {k.lower(): v for k, v in start["headers"]}, content


def headers_for(token: str | None, language: str | None = None) -> list[tuple[bytes, bytes]]:
    out = [(b"host", b"testserver"), (b"content-type", b"application/json")]
    if token:
        out.append((b"authorization", f"Bearer {token}".encode()))
    if language:
        out.append((b"accept-language", language.encode()))
    return out


@pytest.fixture
def running_writer(transactional_db: None) -> Iterator[None]:
    writer.start()
    yield
    writer.stop()


@pytest.fixture(autouse=True)
def no_sessions_left(transactional_db: None) -> Iterator[None]:
    """Django's ASGI handler ran views in threads of its own, which have ended; on
    PostgreSQL their sessions would keep the test database from being dropped."""
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                # our own sessions only: an autovacuum worker is the superuser's
                " AND usename = current_user"
            )


@pytest.fixture
def setup(running_writer: None) -> dict[str, Any]:
    brand = create_brand(name="Acme", slug="acme")
    other = create_brand(name="Globex", slug="globex")
    agent = create_agent(
        AgentInput(email="agent@example.com", name="Agent", role=Role.AGENT), brands=[brand]
    )
    return {"brand": brand, "other": other, "agent": agent, "token": create_token(agent)}


def _comparable(headers: dict[bytes, bytes]) -> dict[bytes, bytes]:
    return {k: v for k, v in headers.items() if k != b"content-length"}


def test_plain_item_is_answered_as_the_endpoint_answers(setup: dict[str, Any]) -> None:
    fast = CountingApp()
    app = InboundFastPath(fast)
    status, headers, body = call(
        app, json.dumps(inbound("fp-1")).encode(), headers_for(setup["token"])
    )
    assert fast.calls == 0  # answered before Django
    assert status == 202
    data = json.loads(body)
    assert data["status"] == "processed" and data["duplicate"] is False
    message = Message.objects.get(pk=data["message_id"])
    assert message.conversation_id == data["conversation_id"]
    assert message.conversation.number == data["number"]
    assert message.conversation.brand_id == setup["brand"].pk

    # Django's own answer to the same kind of item: same status, keys and headers.
    d_status, d_headers, d_body = call(
        django_asgi_app,
        json.dumps(inbound("fp-2", **{"from": {"email": "bo@example.com"}})).encode(),
        headers_for(setup["token"]),
    )
    assert d_status == status
    assert list(json.loads(d_body)) == list(data)
    assert _comparable(d_headers) == _comparable(headers)


def test_a_repeat_gets_the_first_ids(setup: dict[str, Any]) -> None:
    app = InboundFastPath(CountingApp())
    payload = json.dumps(inbound("fp-rep")).encode()
    first = json.loads(call(app, payload, headers_for(setup["token"]))[2])
    again = json.loads(call(app, payload, headers_for(setup["token"]))[2])
    assert again["duplicate"] is True
    assert {k: again[k] for k in ("message_id", "conversation_id", "number")} == {
        k: first[k] for k in ("message_id", "conversation_id", "number")
    }
    assert InboundEnvelope.objects.count() == 1


def test_a_body_in_several_chunks(setup: dict[str, Any]) -> None:
    fast = CountingApp()
    status, _h, _b = call(
        InboundFastPath(fast),
        json.dumps(inbound("fp-chunks")).encode(),
        headers_for(setup["token"]),
        chunks=5,
    )
    assert (status, fast.calls) == (202, 0)


@pytest.mark.parametrize(
    ("case", "expected_status"),
    [
        ("no token", 401),
        ("bad token", 401),
        ("not json", 400),
        ("not an object", 422),
        ("schema", 422),
        ("other brand", 403),
        ("conversation elsewhere", 422),
        ("query string", 202),
        ("cookie", 202),
        ("host not allowed", 400),
    ],
)
def test_everything_else_is_answered_by_django(
    setup: dict[str, Any], case: str, expected_status: int
) -> None:
    token: str | None = setup["token"]
    payload: Any = inbound(f"fb-{case}")
    query = b""
    extra: list[tuple[bytes, bytes]] = []
    if case == "no token":
        token = None
    elif case == "bad token":
        token = "wdk_not-a-token"
    elif case == "schema":
        payload["channel"] = "pigeon"
    elif case == "other brand":
        payload["brand_id"] = setup["other"].pk
    elif case == "conversation elsewhere":
        payload["conversation_id"] = 10**9
    elif case == "query string":
        query = b"x=1"
    elif case == "cookie":
        extra = [(b"cookie", b"django_language=en")]
    elif case == "host not allowed":
        extra = [(b"host", b"evil.example")]
    body = {
        "not json": b"{not json",
        "not an object": b"[1, 2]",
    }.get(case, json.dumps(payload).encode())
    django = CountingApp()
    sent = [h for h in headers_for(token) if not (extra and h[0] == extra[0][0])] + extra
    status, _headers, content = call(InboundFastPath(django), body, sent, query=query)
    assert django.calls == 1
    assert status == expected_status, content
    if status >= 400:
        assert b"detail" in content or case == "host not allowed"
        assert InboundEnvelope.objects.count() == 0  # nothing half-written


def test_errors_from_django_keep_the_requested_language(setup: dict[str, Any]) -> None:
    payload = inbound("fb-zh", conversation_id=10**9)
    status, headers, content = call(
        InboundFastPath(CountingApp()),
        json.dumps(payload).encode(),
        headers_for(setup["token"], "zh-Hans"),
    )
    assert status == 422
    assert headers[b"content-language"] == b"zh-hans"
    assert json.loads(content)["detail"] == "本品牌下没有这个会话。"


def test_a_rejection_after_storing_is_answered_in_the_senders_language(
    setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise InvalidInput(_("No such conversation in this brand."), field="conversation_id")

    monkeypatch.setattr(ingest, "_deliver", refuse)
    django = CountingApp()
    status, headers, content = call(
        InboundFastPath(django),
        json.dumps(inbound("rej-1")).encode(),
        headers_for(setup["token"], "zh-Hans"),
    )
    assert django.calls == 0
    assert status == 422
    assert json.loads(content) == {
        "detail": "本品牌下没有这个会话。",
        "field": "conversation_id",
        "code": "InvalidInput",
    }
    assert headers[b"content-language"] == b"zh-hans"
    envelope = InboundEnvelope.objects.get()
    assert envelope.status == EnvelopeStatus.REJECTED  # kept, for a person to see


@pytest.mark.no_ingest_writer
def test_without_the_writer_django_answers(transactional_db: None) -> None:
    brand = create_brand(name="Acme", slug="acme")
    agent = create_agent(
        AgentInput(email="a@example.com", name="A", role=Role.AGENT), brands=[brand]
    )
    django = CountingApp()
    status, _h, _c = call(
        InboundFastPath(django),
        json.dumps(inbound("nw-1")).encode(),
        headers_for(create_token(agent)),
    )
    assert (status, django.calls) == (202, 1)
    assert not writer.running
