"""Real servers for the chat tests, on 127.0.0.1 in this suite's port range (18400-18499):
redis-server, uvicorn processes of ``wowdesk.asgi:application`` and an in-thread uvicorn.

A missing binary skips the test, unless ``WOWDESK_REQUIRE_SERVICES=1`` (then it fails).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PORTS = range(18400, 18500)
STARTUP = 60.0  # seconds allowed for a server to come up on a busy machine


def unavailable(reason: str) -> None:
    if os.environ.get("WOWDESK_REQUIRE_SERVICES") == "1":
        pytest.fail(f"this test must run here but {reason}", pytrace=False)
    pytest.skip(reason)


def free_port(taken: set[int] | None = None) -> int:
    import random

    # a random order: two runs at once (the SQLite and PostgreSQL suites) rarely collide
    for port in random.sample(PORTS, len(PORTS)):
        if taken and port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            if taken is not None:
                taken.add(port)
            return port
    raise RuntimeError("no free port in 18400-18499")


def wait_for(check: Any, what: str, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start in {STARTUP} s")


@contextlib.contextmanager
def redis_server(port: int) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is absent (apt-get install redis-server)")
    assert binary is not None
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def pong() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    try:
        wait_for(pong, "redis-server", proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return bool(response.status == 200)


@contextlib.contextmanager
def uvicorn_processes(
    servers: list[tuple[int, dict[str, str], Path]], ready_url: str
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``wowdesk.asgi:application`` in processes of their own (port, environment, log
    file each), started together; yields once every one answers ``ready_url``."""
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for port, env, log in servers:
            cmd = [sys.executable, "-m", "uvicorn", "wowdesk.asgi:application"]
            cmd += ["--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"]
            cmd += ["--ws", "websockets-sansio", "--log-level", "warning"]
            with log.open("wb") as out:
                procs.append(subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT))
        for (port, _env, _log), proc in zip(servers, procs, strict=True):
            url = f"http://127.0.0.1:{port}{ready_url}"
            wait_for(lambda url=url: http_ok(url), f"uvicorn :{port}", proc)
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


@contextlib.contextmanager
def uvicorn_thread(app: Any, port: int) -> Iterator[str]:
    """An ASGI server in a thread of this process (sharing its database settings)."""
    import uvicorn

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        ws="websockets-sansio",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="chat-uvicorn", daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, "in-thread uvicorn")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
