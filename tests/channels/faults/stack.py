"""A real deployment for the fault test: ``wowdesk serve --no-worker`` (uvicorn, the SMTP
listener), a separate ``wowdesk worker`` that can be killed and restarted, redis-server as
the channel layer between them, and an SMTP sink that records every mail it is handed.

Everything listens on 127.0.0.1 in this suite's port range (18600-18699) and is stopped at
the end. A missing redis-server skips, unless ``WOWDESK_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.channels.chat.servers import redis_server, wait_for

PORTS = range(18600, 18700)
BIN = Path(sys.executable).parent

SETUP = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from wowdesk.channels.chat.services import ensure_widget, widget_settings
from wowdesk.conversations.services import create_inbox
from wowdesk.core.models import Agent, Presence
from wowdesk.core.services import AgentInput, create_agent, create_token, default_brand
from wowdesk.setup import ensure_defaults
brand = default_brand()
ensure_defaults()
agent = create_agent(
    AgentInput(email="fault@example.com", name="Fay Ult", role="admin"), brands=[brand]
)
Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE, routing_opt_in=True)
inbox = ensure_widget(create_inbox(brand_id=brand.pk, name="Website chat", channel="chat"))
print(json.dumps({"token": create_token(agent), "inbox": widget_settings(inbox).token}))
"""


def free_port(taken: set[int]) -> int:
    """A free port of the range, picked at random: two runs at once (a developer's and
    CI's) rarely pick the same one."""
    import random
    import socket

    for port in random.sample(PORTS, len(PORTS)):
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise RuntimeError("no free port in 18600-18699")


@dataclass
class Sink:
    """An SMTP server standing in for the outbound relay: it keeps every Message-ID."""

    deliveries: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode()
        mail = message_from_bytes(raw, policy=default_policy)
        with self.lock:
            self.deliveries.append(str(mail.get("Message-ID", "")).strip())
        return "250 OK: taken"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(self.deliveries)


@contextlib.contextmanager
def smtp_sink(port: int) -> Iterator[Sink]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def copy_test_schema(data_dir: Path) -> None:
    """Start from a copy of the migrated SQLite test database (a migrate from scratch
    costs tens of seconds on a busy machine)."""
    from django.db import connection

    data_dir.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    target = sqlite3.connect(data_dir / "wowdesk.sqlite3")
    try:
        connection.connection.backup(target)
    finally:
        target.close()


@dataclass
class Stack:
    """The running deployment and what the test needs to drive and inspect it."""

    env: dict[str, str]
    logs: Path
    http_port: int
    smtp_port: int
    token: str
    chat_inbox: str
    sink: Sink
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    worker_runs: int = 0
    kills: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def database(self) -> Path:
        return Path(self.env["WOWDESK_DATA_DIR"]) / "wowdesk.sqlite3"

    def _spawn(self, args: list[str], log: str) -> subprocess.Popen[bytes]:
        with (self.logs / log).open("wb") as out:
            return subprocess.Popen(
                [str(BIN / "wowdesk"), *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_server(self) -> None:
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.http_port)]
        self.server = self._spawn([*args, "--no-worker", "--no-migrate"], "server.log")

        def ready() -> bool:
            with urllib.request.urlopen(f"{self.base_url}/api/v1/health", timeout=2) as r:
                return bool(r.status == 200)

        wait_for(ready, "wowdesk serve", self.server)

    def start_worker(self) -> None:
        self.worker_runs += 1
        self.worker = self._spawn(["worker", "--interval", "0.2"], f"worker-{self.worker_runs}.log")

    def kill_worker(self) -> None:
        """SIGKILL: no cleanup, no finally blocks, as a power cut or the OOM killer."""
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(10)
        self.kills += 1

    def worker_logs(self) -> str:
        return "\n".join(
            (self.logs / f"worker-{n}.log").read_text(errors="replace")
            for n in range(1, self.worker_runs + 1)
        )

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Read the server's database (read-only; WAL lets us read while it writes)."""
        db = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30)
        try:
            return list(db.execute(sql, args).fetchall())
        finally:
            db.close()

    def stop(self) -> None:
        for proc in (self.worker, self.server):
            if proc is None or proc.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


@contextlib.contextmanager
def running_stack(tmp: Path, *, lease_seconds: float = 10.0) -> Iterator[Stack]:
    """Set up a data dir from the test schema (the caller unblocks database access for
    the copy), then run the sink, redis, the server and a first worker."""
    data_dir = tmp / "data"
    taken: set[int] = set()
    http_port, smtp_port, sink_port, redis_port = (free_port(taken) for _ in range(4))
    with redis_server(redis_port) as redis_url, smtp_sink(sink_port) as sink:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WOWDESK_")}
        env.update(
            DJANGO_SETTINGS_MODULE="wowdesk.settings",
            WOWDESK_DATA_DIR=str(data_dir),
            WOWDESK_REDIS_URL=redis_url,
            WOWDESK_SECRET_KEY="fault-test-key-shared-by-server-and-worker",
            WOWDESK_ALLOWED_HOSTS="127.0.0.1,localhost",
            WOWDESK_SMTP_PORT=str(smtp_port),
            WOWDESK_EMAIL_HOST="127.0.0.1",
            WOWDESK_EMAIL_PORT=str(sink_port),
            WOWDESK_EMAIL_TIMEOUT="5",
            WOWDESK_OUTBOX_LEASE_SECONDS=str(lease_seconds),
        )
        done = subprocess.run(
            [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise RuntimeError(f"setup failed:\n{done.stderr[-3000:]}")
        facts = json.loads(done.stdout.strip().splitlines()[-1])
        stack = Stack(
            env=env,
            logs=tmp,
            http_port=http_port,
            smtp_port=smtp_port,
            token=facts["token"],
            chat_inbox=facts["inbox"],
            sink=sink,
        )
        try:
            stack.start_server()
            stack.start_worker()
            yield stack
        finally:
            stack.stop()
