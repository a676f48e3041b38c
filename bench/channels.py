"""Channels: mail/s through the SMTP listener, and the chat round trip visitor → agent.

One fresh data dir on SQLite, ``wowdesk migrate``, an admin token, an agent with a password
and a chat inbox; then ``wowdesk serve`` (embedded worker, SMTP listener) on 127.0.0.1.

1. SMTP ingest: ``--smtp-senders`` threads, each an ``smtplib`` client sending its share of
   ``--mails`` (400) over one connection to the listener (one mail, one ``250`` after the mail is
   stored and processed). The peer, measured in the same run with the same concurrency:
   ``POST /api/v1/inbound`` of the same number of items (``lib/rawhttp.py``). Reported:
   mails/s, API items/s, and their ratio (``smtp_vs_api``), which holds on a noisy machine.
2. Chat round trip: an agent's workspace socket (``/ws/workspace/``, session cookie from
   ``/login/``) joined to the brand group; ``--visitors`` widget sockets (``/ws/chat/``)
   connected at once, each sending ``--chat-messages`` (3) messages, each after a random
   pause of 0 to 2x ``--chat-pause`` (15 s; ~13 messages/s in all). The
   latency of one message is from just before the visitor's frame is sent to the agent's
   socket receiving ``message.created`` with that message's id (the id comes in the
   visitor's ``ack``). p50/p99 over all messages; the peer is the visitor's own ack latency.

Prints JSON and writes ``bench/results/channels.json``; the comparison with the previous file
goes to stderr and into the printed JSON.
Usage: ``.venv/bin/python -m bench.channels [--mails 1000] [--visitors 200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import smtplib
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.lib.common import (
    REPO,
    latency_summary,
    live_server,
    machine,
    now_iso,
    publish,
    server_env,
    tree_cpu_seconds,
    wowdesk,
)
from bench.lib.rawhttp import HttpError, Pool

AGENT_EMAIL = "bench-agent@example.com"
AGENT_PASSWORD = "bench-agent-password-1"
TIMEOUT = 120.0

CHAT_INBOX = """
from wowdesk.channels.chat.services import ensure_widget, widget_settings
from wowdesk.conversations.services import create_inbox
from wowdesk.core.services import default_brand
inbox = ensure_widget(create_inbox(brand_id=default_brand().pk, name="Bench chat", channel="chat"))
print(widget_settings(inbox).token)
"""


# --- SMTP ingest and its peer ----------------------------------------------------------


def _mail(i: int, tag: str) -> bytes:
    m = EmailMessage()
    m["From"] = f"Customer {i % 300} <c{i % 300}.{tag}@customers.example>"
    m["To"] = "support@localhost"
    m["Subject"] = f"Order {i % 300}: where is my parcel?"
    m["Message-ID"] = f"<bench-{tag}-{i}@customers.example>"
    m.set_content(f"Hello, message {i}. My parcel has not arrived yet; could you check it?")
    return m.as_bytes()


def smtp_rate(port: int, mails: int, senders: int, tag: str) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    raws = [_mail(i, tag) for i in range(mails)]

    def sender(share: list[bytes]) -> None:
        mine: list[float] = []
        with smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT) as smtp:
            for raw in share:
                t0 = time.perf_counter()
                try:
                    smtp.sendmail("c@customers.example", ["support@localhost"], raw)
                except smtplib.SMTPException as exc:
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=sender, args=(raws[n::senders],)) for n in range(senders)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "mails": mails,
        "senders": senders,
        "accepted": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(wall, 2),
        "per_s": round(len(latencies) / wall, 1),
        "latency": latency_summary(latencies),
    }


async def api_rate(
    base_url: str, token: str, items: int, concurrency: int, tag: str
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    queue = list(range(items))
    headers = {"Authorization": f"Bearer {token}"}
    async with Pool(base_url, concurrency, headers=headers) as pool:

        async def lane() -> None:
            while queue:
                i = queue.pop()
                body = {
                    "channel": "api",
                    "external_id": f"bench-api-{tag}-{i}",
                    "from": {"name": f"Api {i % 300}", "email": f"a{i % 300}.{tag}@api.example"},
                    "subject": f"Order {i % 300}: where is my parcel?",
                    "body": f"Hello, message {i}. My parcel has not arrived yet; could you check?",
                }
                t0 = time.perf_counter()
                try:
                    response = await pool.post("/api/v1/inbound", json=body)
                except HttpError as exc:
                    errors.append(str(exc)[:200])
                    continue
                if response.status_code != 202:
                    errors.append(f"{response.status_code}: {response.text[:200]}")
                    continue
                latencies.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    return {
        "items": items,
        "concurrency": concurrency,
        "accepted": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(wall, 2),
        "per_s": round(len(latencies) / wall, 1),
        "latency": latency_summary(latencies),
    }


# --- chat round trip -------------------------------------------------------------------


async def agent_cookies(base_url: str) -> dict[str, str]:
    """Log in through the login page as a browser would; the session and CSRF cookies."""
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as client:
        page = await client.get("/login/")
        csrf = client.cookies.get("csrftoken") or ""
        response = await client.post(
            "/login/",
            data={"username": AGENT_EMAIL, "password": AGENT_PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{base_url}/login/"},
        )
        session = client.cookies.get("sessionid")
        if not session:
            raise RuntimeError(f"login failed: {page.status_code} {response.status_code}")
        return {"sessionid": session, "csrftoken": csrf}


async def chat_round_trip(
    base_url: str, inbox: str, visitors: int, messages: int, seed: int, pause: float
) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    ws_url = base_url.replace("http://", "ws://")
    cookies = await agent_cookies(base_url)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    pushed: dict[int, float] = {}
    sent_at: dict[int, float] = {}
    acks: list[float] = []
    errors: list[str] = []
    rng = random.Random(seed)

    async with connect(
        f"{ws_url}/ws/workspace/",
        additional_headers={"Cookie": cookie},
        origin=base_url,  # type: ignore[arg-type]
        open_timeout=TIMEOUT,
        ping_interval=None,
    ) as agent:

        async def listen() -> None:
            async for raw in agent:
                frame = json.loads(raw)
                if frame.get("type") == "message.created" and frame.get("direction") == "in":
                    pushed.setdefault(int(frame["message_id"]), time.perf_counter())

        listener = asyncio.create_task(listen())
        all_connected = asyncio.Event()
        connected = [0]

        async def visitor(v: int, pauses: list[float]) -> None:
            async with connect(
                f"{ws_url}/ws/chat/", open_timeout=TIMEOUT, ping_interval=None
            ) as ws:
                await ws.send(json.dumps({"type": "hello", "inbox": inbox}))
                await _frame(ws, "welcome")
                connected[0] += 1
                if connected[0] == visitors:
                    all_connected.set()
                await asyncio.wait_for(all_connected.wait(), TIMEOUT)
                for j, pause in enumerate(pauses):
                    await asyncio.sleep(pause)
                    t0 = time.perf_counter()
                    client_id = f"bench-{v:04d}-{j:04d}"
                    await ws.send(
                        json.dumps(
                            {"type": "message", "client_id": client_id, "body": f"Hi {v}/{j}"}
                        )
                    )
                    ack = await _frame(ws, "ack")
                    acks.append(time.perf_counter() - t0)
                    if ack.get("message_id") is None:
                        errors.append(str(ack)[:200])
                        continue
                    sent_at[int(ack["message_id"])] = t0

        # Paced like people typing (a pause of 0..2x ``pause`` before each message), so
        # the round trip is measured below saturation, not as a queue.
        plans = [[rng.uniform(0.0, 2 * pause) for _ in range(messages)] for _ in range(visitors)]
        t0 = time.perf_counter()
        await asyncio.gather(*(visitor(v, p) for v, p in enumerate(plans)))
        deadline = time.monotonic() + 30
        while set(sent_at) - set(pushed) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        wall = time.perf_counter() - t0
        listener.cancel()
    round_trips = [pushed[m] - t for m, t in sent_at.items() if m in pushed]
    return {
        "visitors": visitors,
        "messages_per_visitor": messages,
        "mean_pause_s": pause,
        "sent": len(sent_at),
        "pushed_to_agent": len(round_trips),
        "missing": len(set(sent_at) - set(pushed)),
        "errors": len(errors),
        "seconds": round(wall, 2),
        "round_trip": latency_summary(round_trips),
        "ack": latency_summary(acks),
    }


async def _frame(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if frame.get("type") == kind:
            return dict(frame)


# --- main ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(args.data_dir or REPO / ".tmp" / "bench-channels")
    extra = {"WOWDESK_SMTP_PORT": str(args.smtp_port)}
    env = server_env(data_dir, extra)
    result: dict[str, Any] = {"run_at": now_iso(), "machine": machine()}
    with live_server(data_dir, args.port, extra_env=extra) as server:
        add = ["agent", "add", "--email", AGENT_EMAIL, "--name", "Bench Agent"]
        wowdesk([*add, "--role", "admin", "--password", AGENT_PASSWORD], env)
        inbox = wowdesk(["manage", "shell", "-c", CHAT_INBOX], env).strip().splitlines()[-1]
        tag = str(int(time.time()))
        # warm-up (not measured): both paths, a few items each
        smtp_rate(args.smtp_port, 20, 2, f"warm{tag}")
        asyncio.run(api_rate(server.base_url, server.token, 20, 2, f"warm{tag}"))

        cpu0 = tree_cpu_seconds(server.pid)
        smtp = smtp_rate(args.smtp_port, args.mails, args.smtp_senders, tag)
        cpu1 = tree_cpu_seconds(server.pid)
        api = asyncio.run(
            api_rate(server.base_url, server.token, args.mails, args.smtp_senders, tag)
        )
        cpu2 = tree_cpu_seconds(server.pid)
        smtp["server_cpu_ms_per_item"] = round((cpu1 - cpu0) * 1000 / max(1, smtp["accepted"]), 2)
        api["server_cpu_ms_per_item"] = round((cpu2 - cpu1) * 1000 / max(1, api["accepted"]), 2)
        result["smtp_ingest"] = smtp
        result["api_ingest_peer"] = api
        result["smtp_vs_api"] = {
            "rate": round(smtp["per_s"] / api["per_s"], 3) if api["per_s"] else None,
            "server_cpu": round(smtp["server_cpu_ms_per_item"] / api["server_cpu_ms_per_item"], 3)
            if api["server_cpu_ms_per_item"]
            else None,
        }
        result["chat"] = asyncio.run(
            chat_round_trip(
                server.base_url,
                inbox,
                args.visitors,
                args.chat_messages,
                seed=args.seed,
                pause=args.chat_pause,
            )
        )
        rt, ack = result["chat"]["round_trip"], result["chat"]["ack"]
        result["chat"]["round_trip_vs_ack_p50"] = (
            round(rt["p50_ms"] / ack["p50_ms"], 3) if ack["p50_ms"] else None
        )
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=18650, help="HTTP port of the server")
    p.add_argument("--smtp-port", type=int, default=18651, help="its SMTP listener's port")
    p.add_argument("--mails", type=int, default=400)
    p.add_argument("--smtp-senders", type=int, default=8)
    p.add_argument("--visitors", type=int, default=200)
    p.add_argument("--chat-messages", type=int, default=3, help="per visitor")
    p.add_argument("--chat-pause", type=float, default=15.0, help="mean seconds between")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--data-dir", default="")
    p.add_argument("--no-save", action="store_true", help="print only")
    args = p.parse_args()
    result = run(args)
    publish(
        result,
        "channels",
        ["per_s", "p50_ms", "p99_ms", "rate", "server_cpu"],
        save=not args.no_save,
    )


if __name__ == "__main__":
    main()
