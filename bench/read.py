"""Read paths on a big help desk: inbox lists, opening a conversation or a customer, search.

Data: ``bench/bulkload.py`` (100,000 conversations, 1,000,000 messages, 30,000 customers by
default) in a data dir that is reused between runs. Timing: in-process with
``django.test.Client`` — the whole Django request (middleware, auth, ninja, queries, JSON)
but no HTTP parsing or network — so these are server-side times. Each operation runs over
several variants (pages, filters, ids, search terms), ``--iterations`` times in all after a
warm-up; p50/p99 and the number of SQL queries per request are reported, and the p50 of
``GET /api/v1/health`` in the same run as a peer (``x_health`` = p50 / health p50).

Target: p99 < 50 ms per operation. Prints JSON and writes ``bench/results/read.json``
(``--name``); the comparison with the previous file goes to stderr and into the JSON.
Usage: ``.venv/bin/python -m bench.read [--data-dir DIR] [--iterations N]``.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bulkload
from bench.lib.common import latency_summary, machine, now_iso, publish

TARGET_P99_MS = 50.0

Variant = tuple[str, dict[str, Any]]


def operations(rng: random.Random) -> dict[str, list[Variant]]:
    """What an agent's screen asks for, with realistic arguments taken from the data."""
    from django.db.models import Count, Max

    from wowdesk.conversations.models import Conversation
    from wowdesk.customers.models import Customer, Identity

    conv_ids = list(Conversation.objects.values_list("id", flat=True))
    cust_ids = list(Customer.objects.filter(merged_into__isnull=True).values_list("id", flat=True))
    longest = Conversation.objects.order_by("-message_count", "id").values_list("id", flat=True)[:5]
    heavy = (
        Conversation.objects.values("customer_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("customer_id", flat=True)[:5]
    )
    max_number = Conversation.objects.aggregate(m=Max("number"))["m"] or 1
    customers = list(Customer.objects.filter(pk__in=rng.sample(cust_ids, 20)).order_by("id"))
    surnames = sorted({c.name.split()[-1] for c in customers if c.name})
    emails = [c.email for c in customers if c.email]
    phones = list(
        Identity.objects.filter(kind="phone").order_by("id").values_list("value", flat=True)[:10]
    )
    filtered_open = Conversation.objects.filter(
        status="open", language="de", assignee__isnull=True
    ).count()
    last_filtered_page = max(1, (filtered_open + 24) // 25)
    open_pages = max(1, (Conversation.objects.filter(status="open").count() + 24) // 25)
    all_pages = max(1, (len(conv_ids) + 24) // 25)

    def conv(i: int) -> str:
        return f"/conversations/{i}"

    return {
        "inbox_open_page1": [("/conversations", {"status": "open"})],
        "inbox_filtered_page1": [
            ("/conversations", {"status": "open", "language": lang, "assignee": "none"})
            for lang in ("de", "en", "fr")
        ],
        "inbox_filtered_deep": [
            (
                "/conversations",
                {"status": "open", "language": "de", "assignee": "none", "page": p},
            )
            for p in {last_filtered_page, max(1, last_filtered_page // 2)}
        ],
        "inbox_open_deep": [
            ("/conversations", {"status": "open", "page": p})
            for p in {open_pages, max(1, open_pages // 2)}
        ],
        "inbox_all_deep": [("/conversations", {"page": min(all_pages, 2000)})],
        "inbox_waiting_sort": [
            ("/conversations", {"status": "open,pending", "sort": "waiting_since"})
        ],
        "inbox_tag": [("/conversations", {"tag": "tag-05", "status": "open"})],
        "conversation_open": [(conv(i), {}) for i in rng.sample(conv_ids, 20)],
        "conversation_open_longest": [(conv(i), {}) for i in longest],
        "customer_open": [(f"/customers/{i}", {}) for i in rng.sample(cust_ids, 20)],
        "customer_open_heaviest": [(f"/customers/{i}", {}) for i in heavy],
        "customer_list_page1": [("/customers", {})],
        "search_conversations_name": [("/conversations", {"q": s}) for s in surnames[:5]],
        "search_conversations_email": [("/conversations", {"q": e}) for e in emails[:5]],
        "search_conversations_number": [
            ("/conversations", {"q": f"#{rng.randrange(1, max_number + 1)}"}) for _ in range(5)
        ],
        "search_conversations_subject": [
            ("/conversations", {"q": w}) for w in ("refund", "Paket", "colis", "replacement")
        ],
        "search_message_bodies": [
            ("/conversations", {"body": w}) for w in ("lamp", "refund", "Paket kaputt", "colis")
        ],
        "search_message_bodies_open": [
            ("/conversations", {"body": w, "status": "open"}) for w in ("charged twice", "Paket")
        ],
        "search_customers_name": [("/customers", {"q": s}) for s in surnames[:5]],
        "search_customers_email": [("/customers", {"q": e}) for e in emails[:5]],
        "search_customers_phone": [("/customers", {"q": p}) for p in phones[:5]],
    }


def measure(
    call: Callable[[str, dict[str, Any]], Any],
    variants: list[Variant],
    iterations: int,
    warmup: int = 2,
) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path, params in variants[:warmup]:
        call(path, params)
    seconds: list[float] = []
    cpu: list[float] = []
    statuses: set[int] = set()
    for i in range(max(iterations, len(variants))):
        path, params = variants[i % len(variants)]
        t0, c0 = time.perf_counter(), time.process_time()
        response = call(path, params)
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        statuses.add(response.status_code)
    queries: list[int] = []
    sample: dict[str, Any] = {}
    for path, params in variants[:3]:
        with CaptureQueriesContext(connection) as ctx:
            response = call(path, params)
        queries.append(len(ctx.captured_queries))
        if not sample and response.status_code == 200:
            data = response.json()
            sample = {k: data[k] for k in ("total", "page", "total_is_estimate") if k in data} or {
                "items": len(data.get("messages", data.get("conversations", [])))
            }
    summary = latency_summary(seconds)
    cpu_ms = latency_summary(cpu)
    return {
        "requests": len(seconds),
        "variants": len(variants),
        **summary,
        # CPU time of this process only: what the request costs, without the waits for a
        # core that a busy machine adds to wall-clock percentiles
        "cpu_p50_ms": cpu_ms["p50_ms"],
        "cpu_p99_ms": cpu_ms["p99_ms"],
        "queries_per_request": max(queries) if queries else 0,
        "statuses": sorted(statuses),
        "sample": sample,
        "target_met": summary["p99_ms"] < TARGET_P99_MS and statuses == {200},
    }


COMPARE_KEYS = ("p50_ms", "p99_ms", "cpu_p99_ms", "queries_per_request", "x_health")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    a = bulkload.dataset_arguments(__doc__, "read").parse_args(argv)
    size = bulkload.size_from(a)
    load_before = machine()
    data = bulkload.ensure_loaded(a.data_dir, size, progress=not a.quiet)

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from wowdesk.core.services import ensure_agent_with_token

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    _agent, token = ensure_agent_with_token(email="bench@example.com", role="admin")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    # As `wowdesk serve` does once it has loaded (wowdesk.asgi), and bench/pages.py: without
    # it, a full collection of the loader's objects lands in some request's p99.
    from wowdesk.core.startup import freeze_startup_objects

    freeze_startup_objects()

    def call(path: str, params: dict[str, Any]) -> Any:
        return client.get(f"/api/v1{path}", params)

    ops = operations(random.Random(size.seed))
    wanted = {x.strip() for x in a.only.split(",") if x.strip()}
    health = measure(call, [("/health", {})], a.iterations * 2)
    results: dict[str, Any] = {}
    for name, variants in ops.items():
        if wanted and name not in wanted:
            continue
        r = measure(call, variants, a.iterations)
        r["x_health"] = round(r["p50_ms"] / health["p50_ms"], 1) if health["p50_ms"] else None
        results[name] = r
        print(
            f"{name:30} p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms  "
            f"cpu p99 {r['cpu_p99_ms']:7.2f} ms  queries {r['queries_per_request']:2}  "
            f"{'ok' if r['target_met'] else 'MISS'}",
            file=sys.stderr,
        )
    result: dict[str, Any] = {
        "benchmark": "read",
        "run_at": now_iso(),
        "machine": load_before,
        "how": (
            "in-process django.test.Client (server-side: middleware, auth, ninja, SQL, JSON; "
            f"no HTTP), {connection.vendor}, admin token; warm cache"
        ),
        "data": {
            "rows": data.get("rows"),
            "reused": data.get("reused"),
            "load_timings": data.get("timings"),
        },
        "target_p99_ms": TARGET_P99_MS,
        "health_peer": {k: health[k] for k in ("p50_ms", "p99_ms")},
        "operations": results,
        "missed": [k for k, v in results.items() if not v["target_met"]],
        "missed_on_cpu_time": [k for k, v in results.items() if v["cpu_p99_ms"] >= TARGET_P99_MS],
    }
    return publish(result, a.name, COMPARE_KEYS, save=not a.no_save, out_dir=a.results_dir)


if __name__ == "__main__":
    main()
