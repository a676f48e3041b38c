"""Routing decisions per second with 600 agents, 65 languages and 15 sites.

Two measurements in one run:
1. ``engine``: the decision alone (``routing.engine``), on a snapshot of 600 agents whose
   on-shift state was computed from their weekly shifts in 15 time zones. The indexed
   ``Roster.choose`` (what the app uses) against its peer, the full scan ``choose`` over
   every agent, on the same requests: decisions/s, p50/p99 µs of one decision, and the
   ratio. Target: ≥ 2,000 decisions/s.
2. ``service``: ``routing.services.route_waiting`` on SQLite in a fresh data dir: the
   queue of unassigned conversations served end to end (snapshot query, decision,
   assignment write, activity message and audit row per conversation): conversations/s.

Prints JSON, writes ``bench/results/routing.json`` and compares with the previous file.
Usage: ``.venv/bin/python bench/routing.py [--decisions N] [--conversations N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.common import latency_summary, machine, now_iso, publish

ZONES = [
    "Asia/Manila",
    "Europe/Berlin",
    "America/Toronto",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Europe/London",
    "America/Sao_Paulo",
    "Africa/Cairo",
    "Australia/Sydney",
    "America/Los_Angeles",
    "Asia/Jakarta",
    "Europe/Istanbul",
    "America/Mexico_City",
    "Asia/Dubai",
    "Europe/Warsaw",
]
# 65 ISO 639-1 codes
LANGS = [
    "en",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "nl",
    "sv",
    "da",
    "no",
    "fi",
    "pl",
    "cs",
    "sk",
    "hu",
    "ro",
    "bg",
    "el",
    "tr",
    "ru",
    "uk",
    "sr",
    "hr",
    "sl",
    "lt",
    "lv",
    "et",
    "ar",
    "he",
    "fa",
    "ur",
    "hi",
    "bn",
    "ta",
    "te",
    "mr",
    "gu",
    "kn",
    "ml",
    "th",
    "vi",
    "id",
    "ms",
    "tl",
    "zh",
    "ja",
    "ko",
    "kk",
    "uz",
    "az",
    "ka",
    "hy",
    "sq",
    "mk",
    "bs",
    "is",
    "ga",
    "cy",
    "eu",
    "ca",
    "gl",
    "af",
    "sw",
    "am",
    "mn",
]
CHANNELS = ["email", "chat", "voice", "social", "api"]
SHIFTS = [
    "mon-fri 08:00-16:00",
    "mon-fri 16:00-00:00",
    "mon-fri 00:00-08:00",
    "sat-sun 08:00-20:00",
    "sat-sun 20:00-08:00",
]


def make_agents(rng: random.Random, n: int) -> list[dict[str, Any]]:
    agents = []
    for i in range(n):
        langs = ["en", *rng.sample(LANGS[1:], rng.randint(1, 4))]
        agents.append(
            {
                "id": i + 1,
                "name": f"Agent {i + 1}",
                "site": f"Site {i % 15}",
                "tz": ZONES[i % 15],
                "langs": langs,
                "levels": {c: rng.randint(2, 5) for c in langs},
                "shifts": [rng.choice(SHIFTS)]
                + ([rng.choice(SHIFTS)] if rng.random() < 0.3 else []),
                "presence": "online" if rng.random() < 0.85 else "away",
                "capacity": {"*": 10, "chat": 3},
                "load": {ch: rng.randint(0, 3) for ch in rng.sample(CHANNELS, 2)},
            }
        )
    return agents


def bench_engine(decisions: int, seed: int) -> dict[str, Any]:
    from wowdesk.routing.engine import AgentState, Requirement, Roster, choose
    from wowdesk.routing.shifts import is_on_shift, parse_shifts

    rng = random.Random(seed)
    raw = make_agents(rng, 600)
    now = dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)
    t0 = time.perf_counter()
    states = [
        AgentState(
            id=a["id"],
            name=a["name"],
            site=a["site"],
            presence=a["presence"],
            on_shift=is_on_shift(parse_shifts(a["shifts"]), a["tz"], now),
            languages=a["levels"],
            skills=frozenset(),
            capacity=a["capacity"],
            load=a["load"],
            last_assigned_at=rng.random() * 1e6,
        )
        for a in raw
    ]
    roster = Roster(states)
    snapshot_ms = (time.perf_counter() - t0) * 1000
    reqs = [
        Requirement(channel=rng.choice(CHANNELS), language=rng.choice(LANGS))
        for _ in range(decisions)
    ]

    def run(decide: Any) -> tuple[list[float], float, list[int | None]]:
        times, picks = [], []
        start = time.perf_counter()
        for req in reqs:
            t = time.perf_counter()
            d = decide(req)
            times.append(time.perf_counter() - t)
            picks.append(d.agent.id if d.agent else None)
        return times, time.perf_counter() - start, picks

    fast_t, fast_total, fast_picks = run(roster.choose)
    scan_t, scan_total, scan_picks = run(lambda r: choose(states, r))
    assert fast_picks == scan_picks, "the indexed roster must decide like the full scan"

    def us(ts: list[float]) -> dict[str, float]:
        s = latency_summary(ts)
        return {"p50_us": round(s["p50_ms"] * 1000, 1), "p99_us": round(s["p99_ms"] * 1000, 1)}

    return {
        "agents": 600,
        "languages": len(LANGS),
        "sites": 15,
        "decisions": decisions,
        "on_shift_now": sum(a.on_shift for a in states),
        "assigned_share": round(sum(p is not None for p in fast_picks) / decisions, 3),
        "snapshot_build_ms": round(snapshot_ms, 1),
        "roster": {"decisions_per_s": round(decisions / fast_total), **us(fast_t)},
        "full_scan_peer": {"decisions_per_s": round(decisions / scan_total), **us(scan_t)},
        "speedup_vs_full_scan": round(scan_total / fast_total, 2),
    }


def bench_service(conversations: int, seed: int) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="wowdesk-bench-routing-")
    os.environ["WOWDESK_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wowdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from wowdesk.conversations.models import Conversation, Inbox
    from wowdesk.core.models import Agent, Brand, Presence, Site
    from wowdesk.customers.models import Customer
    from wowdesk.routing.services import route_waiting

    rng = random.Random(seed)
    brand = Brand.objects.create(name="Bench", slug="bench")
    sites = [Site.objects.create(name=f"Site {i}", timezone=z) for i, z in enumerate(ZONES)]
    from django.contrib.auth import get_user_model

    User = get_user_model()
    raw = make_agents(rng, 600)
    users = User.objects.bulk_create(
        [User(username=f"a{a['id']}@bench", email=f"a{a['id']}@bench") for a in raw]
    )
    agents = Agent.objects.bulk_create(
        [
            Agent(
                user=u,
                display_name=a["name"],
                languages=a["langs"],
                language_levels=a["levels"],
                timezone=a["tz"],
                site=sites[i % 15],
                shifts=["mon-sun 00:00-24:00"],
                presence=Presence.ONLINE,
                capacity=1000,
                channel_capacity={},
            )
            for i, (u, a) in enumerate(zip(users, raw, strict=True))
        ]
    )
    Agent.brands.through.objects.bulk_create(
        [Agent.brands.through(agent_id=a.pk, brand_id=brand.pk) for a in agents]
    )
    inbox = Inbox.objects.create(brand=brand, name="Chat", channel="chat")
    customers = Customer.objects.bulk_create(
        [Customer(brand=brand, name=f"C{i}") for i in range(conversations)]
    )
    now = timezone.now()
    Conversation.objects.bulk_create(
        [
            Conversation(
                brand=brand,
                number=i + 1,
                inbox=inbox,
                customer=c,
                subject="Help",
                language=rng.choice(LANGS[:20]),
                created_at=now,
                updated_at=now,
                waiting_since=now,
            )
            for i, c in enumerate(customers)
        ]
    )
    t0 = time.perf_counter()
    with transaction.atomic():
        assigned = route_waiting(brand.pk, limit=conversations)
    seconds = time.perf_counter() - t0
    return {
        "database": "sqlite",
        "agents": 600,
        "conversations_waiting": conversations,
        "assigned": assigned,
        "seconds": round(seconds, 3),
        "conversations_routed_per_s": round(assigned / seconds, 1) if seconds else 0,
        "ms_per_conversation": round(seconds / max(1, assigned) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "run_at": now_iso(),
        "machine": machine(),
        "engine": bench_engine(args.decisions, args.seed),
        "service": bench_service(args.conversations, args.seed),
    }
    result["target"] = {
        "decisions_per_s": 2000,
        "met": result["engine"]["roster"]["decisions_per_s"] >= 2000,
    }
    publish(
        result,
        "routing",
        ["decisions_per_s", "p99_us", "conversations_routed_per_s"],
        save=not args.no_save,
    )


if __name__ == "__main__":
    main()
