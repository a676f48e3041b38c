"""Cluster mode: two server processes share one database and a Redis channel layer.

A visitor's WebSocket is on process 1; the agent answers through the API of process 2
(whose embedded worker delivers the outbox row); the reply reaches the visitor through
Redis. The typing indicator crosses the other way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.channels.chat.servers import free_port, redis_server, uvicorn_processes

TIMEOUT = 30.0  # generous: two servers and a worker on a busy 2-core machine

SETUP = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from wowdesk.channels.chat.services import ensure_widget, widget_settings
from wowdesk.conversations.services import create_inbox
from wowdesk.core.models import Agent, Presence
from wowdesk.core.services import AgentInput, create_agent, create_brand, create_token
brand = create_brand(name="Cluster Acme", slug="cluster-acme")
agent = create_agent(AgentInput(email="li@example.com", name="Li Wei"), brands=[brand])
Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
inbox = ensure_widget(create_inbox(brand_id=brand.pk, name="Website chat", channel="chat"))
print(json.dumps({"token": create_token(agent), "inbox": widget_settings(inbox).token,
                  "agent_id": agent.pk}))
"""


def _copy_test_schema(data_dir: Path) -> None:
    """Start from a copy of the migrated SQLite test database (a migrate from scratch
    costs tens of seconds on a busy machine); on PostgreSQL the setup migrates."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    data_dir.mkdir(parents=True)
    target = sqlite3.connect(data_dir / "wowdesk.sqlite3")
    try:
        connection.connection.backup(target)
    finally:
        target.close()


@pytest.fixture
def cluster(
    tmp_path: Path, django_db_setup: None, django_db_blocker: Any
) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        _copy_test_schema(tmp_path / "data")
    taken: set[int] = set()
    redis_port = free_port(taken)
    with redis_server(redis_port) as redis_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WOWDESK_")}
        env.update(
            DJANGO_SETTINGS_MODULE="wowdesk.settings",
            WOWDESK_DATA_DIR=str(tmp_path / "data"),
            WOWDESK_REDIS_URL=redis_url,
            WOWDESK_SECRET_KEY="cluster-test-key-shared-by-both-processes",
            WOWDESK_ALLOWED_HOSTS="127.0.0.1,localhost",
        )
        done = subprocess.run(
            [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        facts = json.loads(done.stdout.strip().splitlines()[-1])
        ready = f"/chat/{facts['inbox']}/config"
        with _two_servers(env, taken, tmp_path, ready) as ports:
            yield {**facts, "one": ports[0], "two": ports[1], "redis_port": redis_port}


@contextlib.contextmanager
def _two_servers(
    env: dict[str, str], taken: set[int], tmp_path: Path, ready: str
) -> Iterator[tuple[int, int]]:
    """Two uvicorn processes on free ports. A port found free can be taken by another
    program before uvicorn binds it (other suites share the machine): then new ports."""
    for attempt in range(3):
        ports = free_port(taken), free_port(taken)
        servers = [
            (ports[0], env, tmp_path / f"one-{attempt}.log"),
            (ports[1], {**env, "WOWDESK_EMBEDDED_WORKER": "1"}, tmp_path / f"two-{attempt}.log"),
        ]
        try:
            stack = contextlib.ExitStack()
            stack.enter_context(uvicorn_processes(servers, ready))
        except RuntimeError as exc:
            logs = " ".join(path.read_text(errors="replace") for _p, _e, path in servers)
            if "address already in use" in logs and attempt < 2:
                continue
            raise RuntimeError(f"{exc}: {logs[-2000:]}") from exc
        with stack:
            yield ports
        return


async def _frame(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if frame["type"] == kind:
            return dict(frame)


async def _scenario(c: dict[str, Any]) -> None:
    from websockets.asyncio.client import connect

    async with connect(f"ws://127.0.0.1:{c['one']}/ws/chat/") as ws:
        await ws.send(json.dumps({"type": "hello", "inbox": c["inbox"]}))
        welcome = await _frame(ws, "welcome")
        assert welcome["online"] is True
        await ws.send(json.dumps({"type": "message", "client_id": "cluster01", "body": "Hi!"}))
        ack = await _frame(ws, "ack")
        cid = ack["conversation_id"]

        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{c['two']}/api/v1",
            headers={"Authorization": f"Bearer {c['token']}"},
            timeout=TIMEOUT,
        ) as api:
            response = await api.post(
                f"/conversations/{cid}/replies", json={"body": "Hello from process two"}
            )
            assert response.status_code == 201, response.text
        pushed = await _frame(ws, "message")
        while pushed["direction"] != "out":  # the visitor's own echo may come first
            pushed = await _frame(ws, "message")
        assert pushed["body"] == "Hello from process two"
        assert pushed["author"] == "Li Wei"

        # Another producer (here the test) sends an agent's typing to the group in Redis.
        from channels_redis.core import RedisChannelLayer

        layer = RedisChannelLayer(hosts=[f"redis://127.0.0.1:{c['redis_port']}/0"])
        await layer.group_send(
            f"conversation.{cid}",
            {
                "type": "typing",
                "conversation_id": cid,
                "agent_id": c["agent_id"],
                "agent_name": "Li Wei",
                "is_typing": True,
            },
        )
        typing = await _frame(ws, "typing")
        assert typing == {"type": "typing", "is_typing": True, "name": "Li Wei"}
        await layer.close_pools()


@pytest.mark.slow
def test_reply_from_the_other_process_reaches_the_visitor(cluster: dict[str, Any]) -> None:
    asyncio.run(_scenario(cluster))
