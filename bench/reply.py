"""A reply against an inbound message: the server CPU of ``POST
/api/v1/conversations/{id}/replies`` beside ``POST /api/v1/inbound``, in one run against
one live ``wowdesk serve`` on SQLite.

A fresh data dir is migrated, an admin token and ``--agents`` agent tokens are made
(``wowdesk token create``, real tokens of real agents) and the server started on
127.0.0.1. Then, over ``--concurrency`` keep-alive connections (spread over the agents'
tokens):

1. warm-up (not measured): inbound messages and replies to them;
2. inbound: ``--requests`` messages from as many new customers on the API channel, each
   opening a conversation;
3. replies: one agent reply to each of those conversations (distinct conversations, the
   API inbox, so the outbox row is delivered by the API adapter in the background);
4. checks through the API: every reply answered 201 and, once the server is quiet, a
   sample of them shows ``delivery_state: sent``.

For each phase the server's CPU (the process tree, from /proc) is read when the phase
starts, when its last answer arrived (``during``) and when the server has been quiet for
``--quiet-for`` seconds (``with_background``: what the requests left to do after their
answer, delivery and routing of a reply, scoring of a message, is counted too; the
emotion scorer waits until no message came for a moment, so a phase is over only once
the server stayed quiet longer than that wait, else its scoring is counted in the next
phase). ``reply_vs_inbound`` is the
ratio of the CPU per reply to the CPU per inbound message of the same run. Prints JSON and
writes ``bench/results/reply.json``. Usage: ``.venv/bin/python -m bench.reply``.
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

from bench.ingest import WORDS  # the same vocabulary as the inbound workload
from bench.lib.common import (
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


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_during_s: float = 0.0
    cpu_total_s: float = 0.0
    settle_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        n = max(1, len(self.latencies))
        return {
            "requests": len(self.latencies),
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "wall_s": round(self.wall_s, 2),
            "per_s": round(len(self.latencies) / self.wall_s, 1) if self.wall_s else 0.0,
            "latency": latency_summary(self.latencies),
            "server_cpu_ms_during": round(self.cpu_during_s * 1000 / n, 3),
            "server_cpu_ms_with_background": round(self.cpu_total_s * 1000 / n, 3),
            "settled_after_s": round(self.settle_s, 1),
        }


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


async def _drive(
    pools: list[Pool],
    jobs: list[tuple[str, dict[str, Any], int]],
    concurrency: int,
    out: Phase,
) -> None:
    """Send ``(path, body, expected status)`` jobs over ``concurrency`` clients; client
    ``i`` uses the token of pool ``i % len(pools)``."""
    queue = list(reversed(jobs))

    async def client(i: int) -> None:
        pool = pools[i % len(pools)]
        while queue:
            path, body, expected = queue.pop()
            t0 = time.perf_counter()
            try:
                r = await pool.post(path, json=body)
            except HttpError as exc:
                out.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            out.latencies.append(time.perf_counter() - t0)
            if r.status_code != expected:
                out.errors.append(f"{path} {r.status_code}: {r.text[:200]}")
                continue
            out.answers.append(r.json())

    t0 = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(concurrency)))
    out.wall_s = time.perf_counter() - t0


async def _settle(pid: int, quiet_for: float, every: float = 0.5) -> float:
    """Wait until the server used under 5% of a core in every ``every`` s for ``quiet_for``
    s in a row (at most a minute); the seconds until that quiet stretch began."""
    t0 = time.monotonic()
    quiet = 0.0
    while quiet < quiet_for and time.monotonic() - t0 < 60.0:
        cpu = tree_cpu_seconds(pid)
        await asyncio.sleep(every)
        quiet = quiet + every if (tree_cpu_seconds(pid) - cpu) / every < 0.05 else 0.0
    return time.monotonic() - t0 - quiet


async def _measured(
    pid: int,
    pools: list[Pool],
    jobs: list[tuple[str, dict[str, Any], int]],
    concurrency: int,
    quiet_for: float,
) -> Phase:
    out = Phase()
    cpu0 = tree_cpu_seconds(pid)
    await _drive(pools, jobs, concurrency, out)
    cpu1 = tree_cpu_seconds(pid)
    out.settle_s = await _settle(pid, quiet_for)
    cpu2 = tree_cpu_seconds(pid)
    out.cpu_during_s, out.cpu_total_s = cpu1 - cpu0, cpu2 - cpu0
    return out


def _inbound_jobs(rng: random.Random, tag: str, n: int) -> list[tuple[str, dict[str, Any], int]]:
    return [
        (
            "/api/v1/inbound",
            {
                "channel": "api",
                "external_id": f"{tag}-{i}",
                "from": {"name": f"Customer {tag} {i}", "email": f"c{i}.{tag}@example.com"},
                "subject": _text(rng, 4),
                "body": _text(rng, rng.randint(8, 60)),
            },
            202,
        )
        for i in range(n)
    ]


def _reply_jobs(
    rng: random.Random, conversation_ids: list[int]
) -> list[tuple[str, dict[str, Any], int]]:
    return [
        (f"/api/v1/conversations/{cid}/replies", {"body": _text(rng, rng.randint(8, 60))}, 201)
        for cid in conversation_ids
    ]


async def run(
    *,
    port: int,
    data_dir: Path,
    requests: int,
    warmup: int,
    concurrency: int,
    agents: int,
    seed: int,
    quiet_for: float,
    server_env_extra: dict[str, str],
) -> dict[str, Any]:
    rng = random.Random(seed)
    with live_server(data_dir, port, extra_env=server_env_extra) as server:
        env = server_env(data_dir)
        tokens = [
            wowdesk(["token", "create", "--email", f"agent{i}@example.com", "--role", "agent"], env)
            .strip()
            .splitlines()[-1]
            for i in range(agents)
        ]
        admin = Pool(server.base_url, concurrency, {"Authorization": f"Bearer {server.token}"})
        size = max(1, concurrency // agents + 1)
        pools = [Pool(server.base_url, size, {"Authorization": f"Bearer {t}"}) for t in tokens]
        try:
            warm = Phase()
            await _drive([admin], _inbound_jobs(rng, "warm", warmup), concurrency, warm)
            warm_ids = [int(a["conversation_id"]) for a in warm.answers]
            await _drive(pools, _reply_jobs(rng, warm_ids), concurrency, warm)
            if warm.errors:
                raise RuntimeError(f"warm-up failed: {warm.errors[:3]}")
            settled = await _settle(server.pid, quiet_for)

            inbound = await _measured(
                server.pid, [admin], _inbound_jobs(rng, "run", requests), concurrency, quiet_for
            )
            ids = list(dict.fromkeys(int(a["conversation_id"]) for a in inbound.answers))
            replies = await _measured(
                server.pid, pools, _reply_jobs(rng, ids), concurrency, quiet_for
            )

            sample = rng.sample(ids, min(20, len(ids)))
            states: dict[str, int] = {}
            for cid in sample:
                r = await admin.get(f"/api/v1/conversations/{cid}")
                for m in r.json()["messages"]:
                    if m["direction"] == "out":
                        states[str(m["delivery_state"])] = (
                            states.get(str(m["delivery_state"]), 0) + 1
                        )
        finally:
            await admin.close()
            for pool in pools:
                await pool.close()
    i, r = inbound.summary(), replies.summary()
    checks = {
        "conversations": len(ids),
        "replies_created": len(replies.answers),
        "sampled_delivery_states": states,
        "all_ok": (
            not inbound.errors
            and not replies.errors
            and len(ids) == requests
            and len(replies.answers) == len(ids)
            and states == {"sent": len(sample)}
        ),
    }

    def ratio(key: str) -> float | None:
        return round(r[key] / i[key], 2) if i[key] else None

    return {
        "inbound": i,
        "reply": r,
        "reply_vs_inbound": {
            "server_cpu_during": ratio("server_cpu_ms_during"),
            "server_cpu_with_background": ratio("server_cpu_ms_with_background"),
        },
        "target_met": bool(
            r["server_cpu_ms_with_background"] <= i["server_cpu_ms_with_background"]
        ),
        "server_settled_after_warmup_s": round(settled, 1),
        "checks": checks,
    }


COMPARE_KEYS = (
    "run.inbound.server_cpu_ms_during",
    "run.inbound.server_cpu_ms_with_background",
    "run.reply.server_cpu_ms_during",
    "run.reply.server_cpu_ms_with_background",
    "run.reply.latency.p50_ms",
    "run.reply_vs_inbound.server_cpu_with_background",
)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--requests", type=int, default=1000, help="inbound messages, then replies")
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--agents", type=int, default=4, help="agent tokens the clients share")
    p.add_argument("--port", type=int, default=8160)
    p.add_argument("--data-dir", type=Path, default=Path("/tmp/h4/reply"))
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--name", default="reply", help="result file name (bench/results/NAME.json)")
    p.add_argument("--results-dir", type=Path, default=None)
    p.add_argument("--no-save", action="store_true", help="print only")
    p.add_argument(
        "--quiet-for",
        type=float,
        default=3.0,
        help="seconds the server must stay quiet before a phase counts as over",
    )
    p.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable for the server, e.g. WOWDESK_REPLY_FAST_PATH=0 (repeatable)",
    )
    a = p.parse_args(argv)
    server_env_extra = dict(kv.split("=", 1) for kv in a.server_env)
    result: dict[str, Any] = {
        "benchmark": "reply",
        "run_at": now_iso(),
        "machine": machine(),
        "how": (
            "live `wowdesk serve` (uvicorn, 1 worker, SQLite WAL, embedded worker) on "
            "127.0.0.1; asyncio keep-alive HTTP/1.1 clients (bench/lib/rawhttp.py); inbound "
            "messages (API channel, new customers) then one reply each to those "
            "conversations with agents' tokens; server CPU from /proc over the process tree"
        ),
        "params": {
            "requests": a.requests,
            "warmup": a.warmup,
            "concurrency": a.concurrency,
            "agents": a.agents,
            "seed": a.seed,
            "quiet_for_s": a.quiet_for,
            "server_env": server_env_extra,
        },
    }
    result["run"] = asyncio.run(
        run(
            port=a.port,
            data_dir=a.data_dir,
            requests=a.requests,
            warmup=a.warmup,
            concurrency=a.concurrency,
            agents=a.agents,
            seed=a.seed,
            quiet_for=a.quiet_for,
            server_env_extra=server_env_extra,
        )
    )
    run_ = result["run"]
    print(
        f"inbound {run_['inbound']['server_cpu_ms_with_background']} ms CPU/msg, "
        f"reply {run_['reply']['server_cpu_ms_with_background']} ms CPU/reply, "
        f"ratio {run_['reply_vs_inbound']['server_cpu_with_background']}",
        file=sys.stderr,
    )
    return publish(result, a.name, COMPARE_KEYS, save=not a.no_save, out_dir=a.results_dir)


if __name__ == "__main__":
    main()
