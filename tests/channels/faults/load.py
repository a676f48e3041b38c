"""The mixed inbound load of the fault test: mail over SMTP, chat over WebSockets and
``POST /api/v1/inbound``, each with deliberate re-deliveries, and the agents' replies.

What was sent and what came back is kept in a :class:`Tally` for the test to compare with
the database, the SMTP sink and what the chat visitors received.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import smtplib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx

from tests.channels.faults.stack import Stack

TIMEOUT = 60.0  # generous: a loaded 2-core machine; nothing here measures time
REPEAT_RATE = 0.05  # share of items delivered a second time
# Mail costs ~4x the server CPU of an API item (bench/channels.py): a quarter of the load.
SHARES = {"email": 0.25, "chat": 0.35, "api": 0.4}
REPLY_SHARE = {"email": 0.5, "chat": 1.0, "api": 0.3}


@dataclass
class Tally:
    unique: dict[str, set[str]] = field(
        default_factory=lambda: {c: set() for c in SHARES}
    )  # external ids the channel acknowledged
    repeats: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    conversations: dict[str, set[int]] = field(default_factory=lambda: {c: set() for c in SHARES})
    replies: dict[int, str] = field(default_factory=dict)  # reply message id -> channel
    chat_received: Counter[int] = field(default_factory=Counter)  # pushed reply ids

    @property
    def acknowledged(self) -> int:
        return sum(len(ids) for ids in self.unique.values())


def split(total: int) -> dict[str, int]:
    counts = {c: int(total * share) for c, share in SHARES.items()}
    counts["api"] += total - sum(counts.values())
    return counts


# --- email ----------------------------------------------------------------------------


def mail(i: int, customers: int) -> tuple[str, bytes]:
    message_id = f"<fault-{i}@customers.example>"
    m = EmailMessage()
    m["From"] = f"Customer {i % customers} <c{i % customers}@customers.example>"
    m["To"] = "support@localhost"
    m["Subject"] = f"Order {i % customers} question"
    m["Message-ID"] = message_id
    m.set_content(f"Hello, this is message {i} about my order. Where is my parcel?")
    return message_id, m.as_bytes()


def send_mails(port: int, mails: list[tuple[str, bytes]], tally: Tally) -> None:
    """One SMTP client sending in sequence over one connection, retrying a 4xx as an
    MTA would (a retry is a re-delivery of the same bytes)."""
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT)
    try:
        for message_id, raw in mails:
            for _attempt in range(5):
                try:
                    smtp.sendmail("customer@customers.example", ["support@localhost"], raw)
                except smtplib.SMTPResponseException as exc:
                    tally.errors.append(f"smtp {exc.smtp_code} for {message_id}")
                    time.sleep(1)
                    continue
                if message_id in tally.unique["email"]:
                    tally.repeats["email"] += 1
                tally.unique["email"].add(message_id)
                break
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()


async def email_load(stack: Stack, count: int, rng: random.Random, tally: Tally) -> None:
    customers = max(1, count // 5)
    mails = [mail(i, customers) for i in range(count)]
    mails += rng.sample(mails, int(count * REPEAT_RATE))  # re-deliveries, later
    senders = 3
    await asyncio.gather(
        *(
            asyncio.to_thread(send_mails, stack.smtp_port, mails[n::senders], tally)
            for n in range(senders)
        )
    )


# --- API ------------------------------------------------------------------------------


async def api_load(client: httpx.AsyncClient, count: int, rng: random.Random, tally: Tally) -> None:
    customers = max(1, count // 4)
    bodies = [
        {
            "channel": "api",
            "external_id": f"fault-api-{i}",
            "from": {"name": f"Api {i % customers}", "email": f"a{i % customers}@api.example"},
            "subject": f"Question {i % customers}",
            "body": f"Message {i}: my invoice shows the wrong amount, please check.",
        }
        for i in range(count)
    ]
    bodies += rng.sample(bodies, int(count * REPEAT_RATE))
    first: dict[str, int] = {}

    async def post(body: dict[str, Any]) -> None:
        for _attempt in range(5):
            try:
                response = await client.post("/inbound", json=body)
            except httpx.HTTPError as exc:
                tally.errors.append(f"api {type(exc).__name__}")
                continue
            if response.status_code != 202:
                tally.errors.append(f"api {response.status_code}: {response.text[:200]}")
                await asyncio.sleep(1)
                continue
            data = response.json()
            key = body["external_id"]
            if key in first:
                tally.repeats["api"] += 1
                if not data["duplicate"] or data["message_id"] != first[key]:
                    tally.errors.append(f"api repeat {key} answered {data}")
            else:
                first[key] = data["message_id"]
            tally.unique["api"].add(key)
            tally.conversations["api"].add(data["conversation_id"])
            return

    queue = list(bodies)

    async def lane() -> None:
        while queue:
            await post(queue.pop(0))

    await asyncio.gather(*(lane() for _ in range(3)))


# --- chat -----------------------------------------------------------------------------


class Visitor:
    """One widget: a socket, a reader dispatching acks, and the replies pushed to it."""

    def __init__(self, ws: Any, tally: Tally) -> None:
        self.ws = ws
        self.tally = tally
        self.acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame["type"] == "ack":
                future = self.acks.pop(frame["client_id"], None)
                if future is not None and not future.done():
                    future.set_result(frame)
            elif frame["type"] == "message" and frame.get("direction") == "out":
                self.tally.chat_received[int(frame["id"])] += 1

    async def say(self, client_id: str, body: str) -> dict[str, Any]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.acks[client_id] = future
        await self.ws.send(json.dumps({"type": "message", "client_id": client_id, "body": body}))
        return await asyncio.wait_for(future, TIMEOUT)


async def chat_load(
    stack: Stack,
    count: int,
    rng: random.Random,
    tally: Tally,
    stay: asyncio.Event,
    visitors: int = 40,
) -> None:
    from websockets.asyncio.client import connect

    async def one(v: int, n: int) -> None:
        url = f"ws://127.0.0.1:{stack.http_port}/ws/chat/"
        async with connect(url, open_timeout=TIMEOUT, ping_interval=None) as ws:
            await ws.send(json.dumps({"type": "hello", "inbox": stack.chat_inbox}))
            json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))  # welcome
            visitor = Visitor(ws, tally)
            sent: dict[str, int] = {}
            for j in range(n):
                client_id = f"fault-{v:03d}-{j:05d}"
                await _chat_once(visitor, client_id, sent, tally)
                if rng.random() < REPEAT_RATE:  # the widget re-sends after a lost ack
                    await _chat_once(visitor, client_id, sent, tally)
            while not stay.is_set():  # stay online for the agents' replies
                await ws.send(json.dumps({"type": "ping"}))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stay.wait(), 15)
            visitor.reader.cancel()

    shares = [count // visitors + (1 if v < count % visitors else 0) for v in range(visitors)]
    await asyncio.gather(*(one(v, n) for v, n in enumerate(shares)))


async def _chat_once(visitor: Visitor, client_id: str, sent: dict[str, int], tally: Tally) -> None:
    ack = await visitor.say(client_id, f"Hi, message {client_id}: is my order on its way?")
    if client_id in sent:
        tally.repeats["chat"] += 1
        if not ack["duplicate"] or ack["message_id"] != sent[client_id]:
            tally.errors.append(f"chat repeat {client_id} answered {ack}")
    else:
        sent[client_id] = ack["message_id"]
    tally.unique["chat"].add(client_id)
    tally.conversations["chat"].add(ack["conversation_id"])


# --- the agents' replies --------------------------------------------------------------


async def replier(
    stack: Stack,
    client: httpx.AsyncClient,
    tally: Tally,
    stop: asyncio.Event,
    rng: random.Random,
) -> None:
    """Reply once to a share of every channel's conversations as they appear."""
    seen: set[int] = set()
    while True:
        stopping = stop.is_set()
        email = await asyncio.to_thread(
            stack.query,
            "SELECT DISTINCT conversation_id FROM conversations_message "
            "WHERE channel = 'email' AND direction = 'in'",
        )
        known = {**tally.conversations, "email": {row[0] for row in email}}
        for channel, ids in known.items():
            for cid in sorted(set(ids) - seen):
                seen.add(cid)
                if rng.random() < REPLY_SHARE[channel]:
                    await reply(client, cid, channel, tally)
        if stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


async def reply(client: httpx.AsyncClient, cid: int, channel: str, tally: Tally) -> None:
    for _attempt in range(5):
        try:
            response = await client.post(
                f"/conversations/{cid}/replies", json={"body": f"We are on it (#{cid})."}
            )
        except httpx.HTTPError as exc:
            tally.errors.append(f"reply {type(exc).__name__}")
            continue
        if response.status_code == 201:
            tally.replies[int(response.json()["id"])] = channel
            return
        tally.errors.append(f"reply {response.status_code}: {response.text[:200]}")
        await asyncio.sleep(1)


async def wait_until(check: Callable[[], Awaitable[bool]], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(1)
    return await check()
