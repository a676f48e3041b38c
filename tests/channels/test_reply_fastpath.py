"""``POST /api/v1/conversations/{id}/replies`` answered before Django
(channels/reply_fastpath.py) and written by the reply writer thread: every request is sent
through the fast path and, to a twin conversation, through Django alone; the status, the
headers (but the length), the body (but the ids and times) and the events must match, and
the fast path must answer the plain case itself and leave every other to Django.

The ASGI application is called directly; the writer thread has its own database
connection, so these tests commit for real (``transactional_db``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests.channels.test_fastpath_parity import CASES as EDGE_CASES
from tests.conftest import inbound
from wowdesk.asgi import HttpHandler, django_asgi_app
from wowdesk.channels import ingest
from wowdesk.channels.reply_fastpath import ReplyFastPath, reply_writer
from wowdesk.channels.schema import InboundIn
from wowdesk.conversations.models import Message, OutboxMessage
from wowdesk.core.events import Event
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.core.services import AgentInput, create_agent, create_brand, create_token

Answer = tuple[int, dict[bytes, bytes], bytes]
ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
# what differs between two replies written one after the other
VARYING = {"id", "created_at", "next_attempt_at"}


class Counting:
    """Django's ASGI app, counting the requests that reach it."""

    def __init__(self, app: Any = django_asgi_app) -> None:
        self.app = app
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await self.app(scope, receive, send)


def call(
    app: Any,
    path: str,
    body: bytes,
    token: str | None,
    *,
    query: bytes = b"",
    extra: list[tuple[bytes, bytes]] | None = None,
    scheme: str = "http",
) -> Answer:
    base = {b"host": b"testserver", b"content-type": b"application/json"}
    if token:
        base[b"authorization"] = f"Bearer {token}".encode()
    base.update(dict(extra or []))  # added or replaced
    headers = list(base.items())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    parts = [body]
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if parts:
            return {"type": "http.request", "body": parts.pop(), "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    start = messages[0]
    content = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], {k.lower(): v for k, v in start["headers"]}, content


@pytest.fixture(autouse=True)
def no_sessions_left(transactional_db: None) -> Iterator[None]:
    """Django's handler ran views in threads of its own; on PostgreSQL their sessions
    would keep the test database from being dropped."""
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                # our own sessions only: an autovacuum worker is the superuser's
                " AND usename = current_user"
            )


def _conversation(brand: Brand, n: str) -> int:
    item = InboundIn.model_validate(
        inbound(f"{brand.slug}-{n}", **{"from": {"email": f"c{n}@{brand.slug}.example"}})
    )
    return ingest.ingest(brand.pk, item).conversation_id


@pytest.fixture
def world(transactional_db: None) -> Iterator[dict[str, Any]]:
    brands = [create_brand(name="Acme", slug="acme"), create_brand(name="Globex", slug="globex")]
    tokens: dict[tuple[str, str], str] = {}
    agents: dict[tuple[str, str], Agent] = {}
    for b in brands:
        for role in ROLES:
            agent = create_agent(
                AgentInput(email=f"{role}@{b.slug}.example", name=f"{role} {b.name}", role=role),
                brands=[b],
            )
            agents[b.slug, role] = agent
            tokens[b.slug, role] = create_token(agent)
    reply_writer.start()
    try:
        yield {"brands": brands, "tokens": tokens, "agents": agents, "n": iter(range(10_000))}
    finally:
        reply_writer.stop()


def _twins(world: dict[str, Any], brand: Brand) -> tuple[int, int]:
    """Two conversations of ``brand`` alike: one for the fast path, one for Django."""
    n = next(world["n"])
    return _conversation(brand, f"{n}a"), _conversation(brand, f"{n}b")


def _replies() -> int:
    """Replies and notes written (routing writes activity lines of its own meanwhile)."""
    return Message.objects.filter(direction__in=["out", "note"]).count()


def _path(conversation_id: int) -> str:
    return f"/api/v1/conversations/{conversation_id}/replies"


def _both(
    world: dict[str, Any],
    token: str | None,
    ids: tuple[int, int],
    body: bytes,
    django: Any = django_asgi_app,
    **kw: Any,
) -> tuple[Answer, Answer, int]:
    """The request through the fast path (to ``ids[0]``) and through Django alone (to
    ``ids[1]``); and how many of the fast path's reached Django."""
    counting = Counting(django)
    fast = call(ReplyFastPath(counting), _path(ids[0]), body, token, **kw)
    alone = call(django, _path(ids[1]), body, token, **kw)
    return fast, alone, counting.calls


def _same(fast: Answer, alone: Answer) -> None:
    assert fast[0] == alone[0], (fast, alone)
    assert {k: v for k, v in fast[1].items() if k != b"content-length"} == {
        k: v for k, v in alone[1].items() if k != b"content-length"
    }
    a, b = json.loads(fast[2]), json.loads(alone[2])
    if isinstance(a, dict) and isinstance(b, dict) and fast[0] == 201:
        assert a.keys() == b.keys()
        assert {k: v for k, v in a.items() if k not in VARYING} == {
            k: v for k, v in b.items() if k not in VARYING
        }
    else:
        assert a == b


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("own", [0, 1])
def test_a_reply_is_answered_as_the_endpoint_answers(
    world: dict[str, Any], event_log: Any, role: str, own: int
) -> None:
    brand = world["brands"][own]
    ids = _twins(world, brand)
    event_log.LOG.clear()
    body = json.dumps({"body": "  Your parcel left today.  "}).encode()
    fast, alone, reached = _both(world, world["tokens"][brand.slug, role], ids, body)
    assert reached == 0  # answered before Django
    assert fast[0] == 201
    _same(fast, alone)
    data = json.loads(fast[2])
    message = Message.objects.get(pk=data["id"])
    assert message.conversation_id == ids[0] and message.body == "Your parcel left today."
    assert message.author_id == world["agents"][brand.slug, role].pk
    assert data["delivery_state"] == "queued" and data["author"]["id"] == message.author_id
    assert OutboxMessage.objects.filter(message_id=data["id"]).count() == 1
    # the same events, with the same payloads but for the ids
    created = event_log.of(Event.MESSAGE_CREATED)
    assert [p["conversation_id"] for p in created] == list(ids)
    assert created[0]["message_id"] == data["id"]
    assert [
        {k: v for k, v in p.items() if k not in ("message_id", "conversation_id")} for p in created
    ] == [{"brand_id": brand.pk, "direction": "out", "rule_id": None}] * 2
    assert len(event_log.of(Event.OUTBOUND_QUEUED)) == 2


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("own", [0, 1])
def test_the_brand_wall(world: dict[str, Any], role: str, own: int) -> None:
    """Every role of each brand, on the other brand's conversations: Django's refusal,
    nothing written."""
    brand, other = world["brands"][own], world["brands"][1 - own]
    ids = _twins(world, other)
    before = _replies()
    body = json.dumps({"body": "Not yours"}).encode()
    fast, alone, reached = _both(world, world["tokens"][brand.slug, role], ids, body)
    assert reached == 1
    assert fast[0] == 403
    _same(fast, alone)
    assert _replies() == before


def test_a_private_note(world: dict[str, Any], event_log: Any) -> None:
    brand = world["brands"][0]
    ids = _twins(world, brand)
    event_log.LOG.clear()
    body = json.dumps({"body": "Customer called, see ticket 12", "private": True}).encode()
    fast, alone, reached = _both(world, world["tokens"][brand.slug, Role.AGENT], ids, body)
    assert reached == 0
    assert fast[0] == 201
    _same(fast, alone)
    data = json.loads(fast[2])
    assert data["direction"] == "note" and data["delivery"] is None
    assert not OutboxMessage.objects.filter(message_id=data["id"]).exists()
    assert event_log.of(Event.OUTBOUND_QUEUED) == []
    assert [p["direction"] for p in event_log.of(Event.MESSAGE_CREATED)] == ["note", "note"]


BAD_BODIES = {
    "empty body": b"",
    "empty reply": b'{"body": ""}',
    "only spaces": b'{"body": "   \\n  "}',
    "no body field": b'{"private": true}',
    "body not a string": b'{"body": 12}',
    "private not a bool": b'{"body": "hi", "private": "maybe"}',
    "too long": json.dumps({"body": "x" * 100_001}).encode(),
    "a NUL": b'{"body": "a\\u0000b"}',
    "not JSON": b'{"body": ',
    "a list": b'["hi"]',
    "NaN": b'{"body": "hi", "private": NaN}',
    "body null": b'{"body": null}',
    "a body nested too deep": b'{"body": "hi", "x": ' + b"[" * 200 + b"]" * 200 + b"}",
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_bodies_get_the_endpoints_refusal(world: dict[str, Any], case: str) -> None:
    brand = world["brands"][0]
    ids = _twins(world, brand)
    before = _replies()
    fast, alone, reached = _both(
        world, world["tokens"][brand.slug, Role.AGENT], ids, BAD_BODIES[case]
    )
    assert fast[0] in (400, 422), fast
    assert reached == 1
    _same(fast, alone)
    assert json.loads(fast[2])["field"] is not None or case in ("not JSON", "a list", "empty body")
    assert _replies() == before


@pytest.mark.parametrize(
    "case",
    [
        "no token",
        "a bad token",
        "a revoked agent",
        "a missing conversation",
        "a query string",
        "translate_to",
        "cc",
        "bcc",
        "a cookie",
    ],
)
def test_everything_else_is_left_to_django(world: dict[str, Any], case: str) -> None:
    brand = world["brands"][0]
    ids = _twins(world, brand)
    token: str | None = world["tokens"][brand.slug, Role.AGENT]
    payload: dict[str, Any] = {"body": "Hello"}
    kw: dict[str, Any] = {}
    if case == "no token":
        token = None
    elif case == "a bad token":
        token = "wd_" + "x" * 40
    elif case == "a revoked agent":
        agent = world["agents"][brand.slug, Role.SUPERVISOR]
        token = world["tokens"][brand.slug, Role.SUPERVISOR]
        agent.is_active = False
        agent.save(update_fields=["is_active"])
    elif case == "a missing conversation":
        ids = (ids[1] + 1000, ids[1] + 1001)
    elif case == "a query string":
        kw["query"] = b"x=1"
    elif case == "translate_to":
        payload["translate_to"] = "de"
    elif case in ("cc", "bcc"):
        payload[case] = ["copy@example.com"]  # checked by the service (an email reply only)
    elif case == "a cookie":
        kw["extra"] = [(b"cookie", b"django_language=de")]
    before = _replies()
    fast, alone, reached = _both(world, token, ids, json.dumps(payload).encode(), **kw)
    assert reached == 1, fast
    _same(fast, alone)
    if case in ("a query string", "a cookie"):
        assert fast[0] == 201
        assert _replies() == before + 2
    else:
        assert fast[0] in (401, 404, 422), fast
        assert _replies() == before


def test_a_chinese_client_gets_the_answer_in_chinese(world: dict[str, Any]) -> None:
    brand = world["brands"][1]
    ids = _twins(world, brand)
    body = json.dumps({"body": "谢谢"}).encode()
    extra = [(b"accept-language", b"zh-CN,zh;q=0.9")]
    fast, alone, reached = _both(
        world, world["tokens"][brand.slug, Role.ADMIN], ids, body, extra=extra
    )
    assert reached == 0
    _same(fast, alone)
    assert fast[1][b"content-language"] == b"zh-hans"


def test_replies_of_many_clients_are_written_in_one_batch(world: dict[str, Any]) -> None:
    """Sixteen clients at once: each gets its own reply, written by the writer thread."""
    brand = world["brands"][0]
    ids = [_conversation(brand, f"batch-{i}") for i in range(16)]
    tokens = [world["tokens"][brand.slug, role] for role in ROLES]
    app = ReplyFastPath(Counting())

    async def one(i: int) -> Answer:
        return await asyncio.to_thread(
            call, app, _path(ids[i]), json.dumps({"body": f"reply {i}"}).encode(), tokens[i % 3]
        )

    async def everyone() -> list[Answer]:
        return await asyncio.gather(*(one(i) for i in range(16)))

    answers = asyncio.run(everyone())
    assert [a[0] for a in answers] == [201] * 16
    for i, answer in enumerate(answers):
        message = Message.objects.get(pk=json.loads(answer[2])["id"])
        assert (message.conversation_id, message.body) == (ids[i], f"reply {i}")
    assert app.app.calls == 0


def test_the_switch() -> None:
    from wowdesk.config import Config

    assert Config.from_env({}).reply_fast_path is True
    assert Config.from_env({"WOWDESK_REPLY_FAST_PATH": "0"}).reply_fast_path is False
    assert Config.from_env({"WOWDESK_REPLY_FAST_PATH": "1"}).reply_fast_path is True


def test_without_the_writer_thread_django_answers(world: dict[str, Any]) -> None:
    brand = world["brands"][0]
    ids = _twins(world, brand)
    reply_writer.stop()
    fast, alone, reached = _both(
        world, world["tokens"][brand.slug, Role.AGENT], ids, b'{"body": "hi"}'
    )
    assert reached == 1
    _same(fast, alone)
    assert fast[0] == 201


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_the_middlewares_answer_as_django_does(
    settings: Any, world: dict[str, Any], case: str
) -> None:
    """Every security setting of the inbound fast path's parity test: the host check, a
    refused user agent, HTTPS (HSTS, a proxy, the redirect), the security headers, the
    language; Django alone is a handler built under the test's settings."""
    overrides, scheme, extra, answered_fast = EDGE_CASES[case]
    for name, value in overrides.items():
        setattr(settings, name, value)
    brand = world["brands"][0]
    ids = _twins(world, brand)
    before = _replies()
    django = HttpHandler()
    try:
        fast, alone, reached = _both(
            world,
            world["tokens"][brand.slug, Role.AGENT],
            ids,
            b'{"body": "Thanks"}',
            django,
            extra=list(extra.items()),
            scheme=scheme,
        )
    finally:
        if django.pool is not None:
            django.pool.shutdown()
    assert reached == (0 if answered_fast else 1), fast
    assert fast[0] == alone[0], (fast, alone)
    # a redirect names the request's own path: its twin's id on the Django side
    twin = (_path(ids[0]).encode(), _path(ids[1]).encode())
    assert {k: v.replace(*twin) for k, v in fast[1].items() if k != b"content-length"} == {
        k: v for k, v in alone[1].items() if k != b"content-length"
    }
    assert _replies() == before + (2 if fast[0] == 201 else 0)
