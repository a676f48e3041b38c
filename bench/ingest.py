"""Ingest throughput: ``POST /api/v1/inbound`` against a live ``wowdesk serve`` on SQLite.

For each ``--workers`` value: a fresh data dir is migrated, an admin token made
(``wowdesk token create --email bench@example.com --role admin``) and the server started on
127.0.0.1. Then, over ``--concurrency`` keep-alive connections:

1. warm-up (not measured);
2. the peer: ``GET /api/v1/health`` (one ``SELECT 1``) — the same server, client and
   concurrency, so "ingest costs X× a health check" holds on a noisy machine;
3. ingest: a seeded mix of new customers and follow-ups on email, api, chat and social,
   unique ``external_id`` s plus ~5% repeats of already answered ones (must return the same
   ids with ``duplicate: true``) and ~1% sent twice at once (racing: exactly one is new);
4. checks through the API: envelope, conversation and customer totals match what was sent.

Bounded in requests (``--requests``) and time (``--max-seconds``). Prints JSON and writes
``bench/results/ingest.json``; the comparison with the previous file goes to stderr and into
the printed JSON. Usage: ``.venv/bin/python -m bench.ingest [--workers 1,2]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.common import (
    latency_summary,
    live_server,
    machine,
    now_iso,
    publish,
    tree_cpu_seconds,
    wait_until_quiet,
)
from bench.lib.rawhttp import HttpError, Pool

TARGET_MSG_PER_S = 300.0
CHANNELS = (("email", 0.5), ("api", 0.25), ("chat", 0.15), ("social", 0.10))
WORDS = tuple(
    [
        "order",
        "parcel",
        "refund",
        "broken",
        "lamp",
        "shade",
        "delivery",
        "late",
        "invoice",
        "warranty",
        "replace",
        "colour",
        "size",
        "return",
        "label",
        "courier",
        "address",
        "payment",
        "card",
        "charged",
        "twice",
        "battery",
        "screen",
        "app",
        "login",
        "password",
        "reset",
        "thanks",
        "hello",
        "please",
        "help",
        "urgent",
        "again",
        "still",
        "waiting",
    ]
)


@dataclass
class Workload:
    """A seeded stream of inbound bodies: new customers, follow-ups and repeats."""

    seed: int
    followup_rate: float = 0.5
    dup_rate: float = 0.05
    race_rate: float = 0.01
    rng: random.Random = field(init=False)
    customers: list[tuple[str, dict[str, str]]] = field(default_factory=list, init=False)
    seq: int = field(default=0, init=False)
    # an email without a reference opens a conversation of its own (mail threads by its
    # headers), so each email follow-up is one more conversation
    email_followups: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def _channel(self) -> str:
        x = self.rng.random()
        for name, weight in CHANNELS:
            if x < weight:
                return name
            x -= weight
        return CHANNELS[0][0]

    def _text(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def new_body(self, run_tag: str) -> dict[str, Any]:
        self.seq += 1
        if self.customers and self.rng.random() < self.followup_rate:
            channel, sender = self.rng.choice(self.customers)
            new_customer = False
            if channel == "email":
                self.email_followups += 1
        else:
            channel = self._channel()
            n = len(self.customers) + 1
            if channel in ("chat", "social"):
                sender = {"name": f"Visitor {n}", "handle": f"@visitor{n}-{run_tag}"}
            else:
                sender = {"name": f"Customer {n}", "email": f"c{n}.{run_tag}@example.com"}
            self.customers.append((channel, sender))
            new_customer = True
        return {
            "channel": channel,
            "external_id": f"{run_tag}-{self.seq}",
            "from": sender,
            "subject": self._text(4).capitalize() if new_customer else "",
            "body": self._text(self.rng.randint(8, 60)).capitalize() + ".",
            "_new_customer": new_customer,
        }


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    firsts: dict[str, dict[str, Any]] = field(default_factory=dict)
    duplicates_sent: int = 0
    duplicates_ok: int = 0
    duplicates_bad: list[str] = field(default_factory=list)
    races: int = 0
    races_ok: int = 0
    new_customers: int = 0
    sent: int = 0
    ok: int = 0


async def _post(client: Pool, body: dict[str, Any], out: Outcome) -> dict[str, Any] | None:
    payload = {k: v for k, v in body.items() if not k.startswith("_")}
    t0 = time.perf_counter()
    try:
        response = await client.post("/api/v1/inbound", json=payload)
    except HttpError as exc:
        out.errors.append(f"{type(exc).__name__}: {exc}")
        return None
    finally:
        out.sent += 1
    out.latencies.append(time.perf_counter() - t0)
    if response.status_code != 202:
        out.errors.append(f"{response.status_code}: {response.text[:200]}")
        return None
    out.ok += 1
    data: dict[str, Any] = response.json()
    return data


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("message_id", "conversation_id", "number", "status")
    return all(a.get(k) == b.get(k) for k in keys) and a.get("message_id") is not None


async def drive_ingest(
    client: Pool,
    workload: Workload,
    *,
    requests: int,
    concurrency: int,
    max_seconds: float,
    run_tag: str,
) -> tuple[Outcome, float]:
    out = Outcome()
    answered: list[tuple[dict[str, Any], dict[str, Any]]] = []
    budget = {"left": requests}
    deadline = time.monotonic() + max_seconds

    async def one() -> None:
        rng = workload.rng
        x = rng.random()
        if answered and x < workload.dup_rate:
            body, original = rng.choice(answered)
            budget["left"] -= 1
            out.duplicates_sent += 1
            got = await _post(client, body, out)
            if got is not None and got.get("duplicate") is True and _same(got, original):
                out.duplicates_ok += 1
            else:
                out.duplicates_bad.append(f"{body['external_id']}: {got} vs {original}")
            return
        body = workload.new_body(run_tag)
        if body["_new_customer"]:
            out.new_customers += 1
        first: dict[str, Any] | None
        if x < workload.dup_rate + workload.race_rate and budget["left"] >= 2:
            budget["left"] -= 2
            out.races += 1
            a, b = await asyncio.gather(_post(client, body, out), _post(client, body, out))
            if (
                a is not None
                and b is not None
                and _same(a, b)
                and sorted([a["duplicate"], b["duplicate"]]) == [False, True]
            ):
                out.races_ok += 1
            else:
                out.duplicates_bad.append(f"race {body['external_id']}: {a} / {b}")
            first = a if a is not None and not a.get("duplicate") else b
        else:
            budget["left"] -= 1
            first = await _post(client, body, out)
        if first is not None:
            out.firsts[body["external_id"]] = first
            answered.append((body, first))

    async def worker() -> None:
        while budget["left"] > 0 and time.monotonic() < deadline:
            await one()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return out, time.perf_counter() - t0


async def drive_health(
    client: Pool, *, requests: int, concurrency: int, max_seconds: float
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    left = {"n": requests}
    deadline = time.monotonic() + max_seconds

    async def worker() -> None:
        nonlocal errors
        while left["n"] > 0 and time.monotonic() < deadline:
            left["n"] -= 1
            t0 = time.perf_counter()
            try:
                r = await client.get("/api/v1/health")
                if r.status_code != 200:
                    errors += 1
            except HttpError:
                errors += 1
            latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - t0


async def _total(client: Pool, path: str, params: dict[str, Any]) -> int:
    r = await client.get(path, params=params)
    if r.status_code != 200:
        raise RuntimeError(f"GET {path}: {r.status_code} {r.text[:200]}")
    return int(r.json()["total"])


async def run_one(
    *,
    workers: int,
    port: int,
    data_dir: Path,
    requests: int,
    health_requests: int,
    warmup: int,
    concurrency: int,
    max_seconds: float,
    seed: int,
) -> dict[str, Any]:
    with live_server(data_dir, port, workers=workers) as server:
        headers = {"Authorization": f"Bearer {server.token}"}
        async with Pool(server.base_url, concurrency, headers) as client:
            warm = Workload(seed + 1000, dup_rate=0, race_rate=0)
            await drive_ingest(
                client,
                warm,
                requests=warmup,
                concurrency=concurrency,
                max_seconds=max_seconds,
                run_tag="warm",
            )
            await drive_health(
                client, requests=warmup, concurrency=concurrency, max_seconds=max_seconds
            )
            # Steady state: each process has loaded its models (language at the first
            # message, emotion in the background at start) and scored the warm-up.
            settled_s = await wait_until_quiet(server.pid)

            cpu0, ccpu0 = tree_cpu_seconds(server.pid), time.process_time()
            h_lat, h_err, h_wall = await drive_health(
                client, requests=health_requests, concurrency=concurrency, max_seconds=max_seconds
            )
            cpu1, ccpu1 = tree_cpu_seconds(server.pid), time.process_time()

            workload = Workload(seed)
            out, wall = await drive_ingest(
                client,
                workload,
                requests=requests,
                concurrency=concurrency,
                max_seconds=max_seconds,
                run_tag=f"w{workers}",
            )
            cpu2, ccpu2 = tree_cpu_seconds(server.pid), time.process_time()

            unique = len(out.firsts)
            expected_envelopes = unique + warmup
            checks = {
                "envelopes_total": await _total(client, "/api/v1/inbound", {"limit": 1}),
                "envelopes_processed": await _total(
                    client, "/api/v1/inbound", {"limit": 1, "status": "processed"}
                ),
                "expected_envelopes": expected_envelopes,
                "conversations_total": await _total(
                    client, "/api/v1/conversations", {"page_size": 1}
                ),
                "customers_total": await _total(client, "/api/v1/customers", {"page_size": 1}),
                "expected_customers": out.new_customers + len(warm.customers),
                "expected_conversations": out.new_customers
                + len(warm.customers)
                + workload.email_followups
                + warm.email_followups,
            }
    msg_per_s = len(out.latencies) / wall if wall else 0.0
    health_rps = len(h_lat) / h_wall if h_wall else 0.0
    h_cpu_ms = (cpu1 - cpu0) * 1000 / max(1, len(h_lat))
    i_cpu_ms = (cpu2 - cpu1) * 1000 / max(1, len(out.latencies))
    checks["all_ok"] = (
        checks["envelopes_total"] == expected_envelopes
        and checks["envelopes_processed"] == expected_envelopes
        and checks["customers_total"] == checks["expected_customers"]
        and checks["conversations_total"] == checks["expected_conversations"]
    )
    return {
        "workers": workers,
        "concurrency": concurrency,
        "requests_sent": out.sent,
        "wall_s": round(wall, 2),
        "msg_per_s": round(msg_per_s, 1),
        "latency": latency_summary(out.latencies),
        "errors": len(out.errors),
        "error_samples": out.errors[:5],
        "ok_responses": out.ok,
        "unique_messages": unique,
        "new_customers": out.new_customers,
        "duplicates": {
            "sent": out.duplicates_sent,
            "same_ids": out.duplicates_ok,
            "racing_pairs": out.races,
            "racing_pairs_ok": out.races_ok,
            "bad_samples": out.duplicates_bad[:5],
        },
        "health_peer": {
            "requests": len(h_lat),
            "req_per_s": round(health_rps, 1),
            "errors": h_err,
            "latency": latency_summary(h_lat),
            "server_cpu_ms_per_req": round(h_cpu_ms, 3),
        },
        "server_cpu_ms_per_msg": round(i_cpu_ms, 3),
        "server_settled_after_warmup_s": round(settled_s, 1),
        "client_cpu_ms_per_msg": round((ccpu2 - ccpu1) * 1000 / max(1, len(out.latencies)), 3),
        "client_cpu_ms_per_health": round((ccpu1 - ccpu0) * 1000 / max(1, len(h_lat)), 3),
        "ingest_vs_health_cost": round(health_rps / msg_per_s, 2) if msg_per_s else None,
        "ingest_vs_health_server_cpu": round(i_cpu_ms / h_cpu_ms, 2) if h_cpu_ms else None,
        "checks": checks,
        "target_msg_per_s": TARGET_MSG_PER_S,
        "target_met": msg_per_s >= TARGET_MSG_PER_S,
    }


COMPARE_KEYS = (
    "msg_per_s",
    "latency.p50_ms",
    "latency.p99_ms",
    "health_peer.req_per_s",
    "ingest_vs_health_cost",
    "server_cpu_ms_per_msg",
)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--workers", default="1,2", help="uvicorn worker counts, comma-separated")
    p.add_argument("--requests", type=int, default=3000, help="inbound requests per run")
    p.add_argument("--health-requests", type=int, default=3000)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--max-seconds", type=float, default=180.0, help="per phase")
    p.add_argument("--port", type=int, default=8140, help="first port; one per worker count")
    p.add_argument("--data-dir", type=Path, default=Path("/tmp/h4/ingest"))
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--name", default="ingest", help="result file name (bench/results/NAME.json)")
    p.add_argument("--results-dir", type=Path, default=None)
    p.add_argument("--no-save", action="store_true", help="print only")
    a = p.parse_args(argv)

    result: dict[str, Any] = {
        "benchmark": "ingest",
        "run_at": now_iso(),
        "machine": machine(),
        "how": (
            "live `wowdesk serve` (uvicorn, SQLite WAL, embedded worker) on 127.0.0.1; "
            "asyncio keep-alive HTTP/1.1 load generator (bench/lib/rawhttp.py) on the same "
            "machine; "
            "peer = GET /api/v1/health on the same server in the same run"
        ),
        "params": {
            "requests": a.requests,
            "health_requests": a.health_requests,
            "warmup": a.warmup,
            "concurrency": a.concurrency,
            "seed": a.seed,
        },
        "runs": {},
    }
    for i, w in enumerate(int(x) for x in a.workers.split(",") if x.strip()):
        run = asyncio.run(
            run_one(
                workers=w,
                port=a.port + i,
                data_dir=a.data_dir / f"w{w}",
                requests=a.requests,
                health_requests=a.health_requests,
                warmup=a.warmup,
                concurrency=a.concurrency,
                max_seconds=a.max_seconds,
                seed=a.seed,
            )
        )
        result["runs"][f"workers_{w}"] = run
        print(
            f"workers={w}: {run['msg_per_s']} msg/s, p99 {run['latency']['p99_ms']} ms, "
            f"health {run['health_peer']['req_per_s']} req/s, errors {run['errors']}",
            file=sys.stderr,
        )
    return publish(result, a.name, COMPARE_KEYS, save=not a.no_save, out_dir=a.results_dir)


if __name__ == "__main__":
    main()
