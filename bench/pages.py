"""The agent workspace pages on a big help desk: the inbox (views, filters, search, deep
pages) and the conversation page, rendered as HTML.

Data: ``bench/bulkload.py`` (100,000 conversations, 1,000,000 messages by default), the
same reused data dir as ``bench/read.py``. Timing: in-process ``django.test.Client`` with a
logged-in session (the whole Django request: middleware, session, auth, queries, template
rendering; no HTTP parsing), after a warm-up (each variant once); p50/p99 of wall-clock and
CPU time and the SQL queries per request. The agent is an admin of every brand (the widest
view).

Peers, in the same run: the JSON API's reads of the same data (``GET /api/v1/conversations``
for the open list; ``GET /api/v1/conversations/{id}``, with every message where the page
shows the newest 40, for the same conversations; token auth). ``x_api`` = the page's CPU
p50 / its peer's CPU p50: the price of the HTML, whatever the machine's load.

The three-pane workspace (issue 14): ``three_pane_*`` are the list, a conversation opened as
a whole page, the switch to another conversation (htmx's request, only the open pane) and
the search box; ``assets`` lists the workspace's static files, raw and gzipped.

Target (issue 4): p99 < 100 ms server time and a query count that does not grow with the
data. Prints JSON and writes ``bench/results/pages.json`` with the comparison to the last
run. Usage: ``.venv/bin/python -m bench.pages [--data-dir DIR] [--iterations N]``.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bulkload
from bench.lib.common import latency_summary, machine, now_iso, publish

TARGET_P99_MS = 100.0
Variant = tuple[str, dict[str, Any]]


def operations(rng: random.Random) -> dict[str, list[Variant]]:
    from django.db.models import Max

    from wowdesk.conversations.models import Conversation
    from wowdesk.customers.models import Customer

    conv_ids = list(Conversation.objects.values_list("id", flat=True))
    longest = Conversation.objects.order_by("-message_count", "id").values_list("id", flat=True)[:5]
    open_count = Conversation.objects.filter(status="open").count()
    deep = max(1, (open_count + 24) // 25 // 2)
    max_number = Conversation.objects.aggregate(m=Max("number"))["m"] or 1
    surnames = (
        sorted(
            {
                c.name.split()[-1]
                for c in Customer.objects.filter(pk__in=rng.sample(range(1, 30_000), 40))
                if c.name
            }
        )[:5]
        or sorted(  # a toy size has fewer customers than the sample's range
            {c.name.split()[-1] for c in Customer.objects.order_by("id")[:40] if c.name}
        )[:5]
    )

    def conv(i: int) -> str:
        return f"/inbox/c/{i}/"

    return {
        "inbox_mine": [("/inbox/", {"view": "mine"})],
        # the sidebar counts are cached 15 s: this one recounts on every request
        "inbox_mine_counts_uncached": [("/inbox/", {"view": "mine"})],
        "inbox_unassigned": [("/inbox/", {"view": "unassigned"})],
        "inbox_all_open": [("/inbox/", {"view": "all"})],
        "inbox_by_language": [("/inbox/", {"view": "all", "language": x}) for x in ("de", "fr")],
        "inbox_by_channel": [("/inbox/", {"view": "all", "channel": x}) for x in ("email", "chat")],
        "inbox_waiting": [("/inbox/", {"view": "waiting"})],
        "inbox_sla": [("/inbox/", {"view": "sla"})],
        "inbox_deep_page": [("/inbox/list/", {"view": "all", "page": deep})],
        "inbox_search_name": [("/inbox/list/", {"view": "all", "q": s}) for s in surnames],
        "inbox_search_number": [
            (
                "/inbox/list/",
                {"view": "all", "status": "any", "q": f"#{rng.randrange(1, max_number)}"},
            )
            for _ in range(5)
        ],
        "conversation_open": [(conv(i), {}) for i in rng.sample(conv_ids, 20)],
        "conversation_open_longest": [(conv(i), {}) for i in longest],
        # the three-pane workspace: the list alone, a conversation opened as a whole page
        # (list, conversation, context panel), the switch to another one from the list (the
        # htmx request: only the open pane), and the search box (the list swapped)
        "three_pane_list": [("/inbox/", {"view": "all"})],
        "three_pane_conversation": [(conv(i), {"view": "all"}) for i in rng.sample(conv_ids, 20)],
        "three_pane_switch": [(conv(i), {"view": "all"}) for i in rng.sample(conv_ids, 20)],
        "three_pane_search": [("/inbox/", {"view": "all", "q": s}) for s in surnames],
    }


# operations sent as htmx sends them: the HX-Target that the server answers with a part
HTMX_TARGET = {"three_pane_switch": "open-pane", "three_pane_search": "inbox-list"}
# static files a workspace page names (scripts, style sheets, the icon sprite, the emoji list
# the composer fetches on demand): what a browser downloads once
STATIC_REF = re.compile(r"""(?:src|href|data-[a-z-]+-url)=["']/static/([^"'?#]+)""")


def asset_sizes(pages: list[str]) -> dict[str, Any]:
    """Bytes and gzipped bytes (level 6, as web servers do) of each static file that the
    rendered ``pages`` reference, and the sum."""
    import gzip

    from django.contrib.staticfiles import finders

    names = sorted({m for html in pages for m in STATIC_REF.findall(html)})
    files: dict[str, dict[str, int]] = {}
    for name in names:
        found = finders.find(name)
        if not found:
            continue
        raw = Path(str(found)).read_bytes()
        files[name] = {"bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, 6))}
    return {
        "files": files,
        "total_bytes": sum(f["bytes"] for f in files.values()),
        "total_gzip_bytes": sum(f["gzip_bytes"] for f in files.values()),
    }


# operation -> its API peer (same rows, same run)
PEERS = {
    "inbox_all_open": "api_conversations_open",
    "conversation_open": "api_conversation",
    "conversation_open_longest": "api_conversation_longest",
}


def api_operations(ops: dict[str, list[Variant]]) -> dict[str, list[Variant]]:
    def read(variants: list[Variant]) -> list[Variant]:
        out: list[Variant] = []
        for path, _params in variants:
            pk = path.rstrip("/").rsplit("/", 1)[-1]
            out.append((f"/conversations/{pk}", {}))  # the conversation and its whole thread
        return out

    return {
        "api_conversations_open": [("/conversations", {"status": "open"})],
        "api_conversation": read(ops["conversation_open"]),
        "api_conversation_longest": read(ops["conversation_open_longest"]),
    }


def measure(
    call: Callable[[str, dict[str, Any]], Any],
    variants: list[Variant],
    iterations: int,
    before: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path, params in variants:  # warm-up: every variant once (SQLite's page cache)
        call(path, params)
    seconds: list[float] = []
    cpu: list[float] = []
    statuses: set[int] = set()
    for i in range(max(iterations, len(variants))):
        path, params = variants[i % len(variants)]
        before()
        t0, c0 = time.perf_counter(), time.process_time()
        response = call(path, params)
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        statuses.add(response.status_code)
    queries: list[int] = []
    for path, params in variants[:5]:
        before()
        with CaptureQueriesContext(connection) as ctx:
            call(path, params)
        queries.append(len(ctx.captured_queries))
    summary = latency_summary(seconds)
    cpu_ms = latency_summary(cpu)
    return {
        "requests": len(seconds),
        "variants": len(variants),
        **summary,
        "cpu_p50_ms": cpu_ms["p50_ms"],
        "cpu_p99_ms": cpu_ms["p99_ms"],
        "queries_min": min(queries),
        "queries_per_request": max(queries),
        "statuses": sorted(statuses),
        "target_met": summary["p99_ms"] < TARGET_P99_MS and statuses == {200},
    }


COMPARE_KEYS = ("p50_ms", "p99_ms", "cpu_p50_ms", "cpu_p99_ms", "queries_per_request", "x_api")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    a = bulkload.dataset_arguments(__doc__, "pages").parse_args(argv)
    size = bulkload.size_from(a)
    load_before = machine()
    data = bulkload.ensure_loaded(a.data_dir, size, progress=not a.quiet)

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from wowdesk.core.models import Brand
    from wowdesk.core.services import ensure_agent_with_token

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    agent, token = ensure_agent_with_token(email="bench@example.com", role="admin")
    agent.brands.set(Brand.objects.all())
    client = Client()
    client.force_login(agent.user)
    # As `wowdesk serve` does once it has loaded (wowdesk.asgi).
    from wowdesk.core.startup import freeze_startup_objects

    freeze_startup_objects()
    api = Client(headers={"Authorization": f"Bearer {token}"})

    def call(path: str, params: dict[str, Any]) -> Any:
        return client.get(path, params)

    def htmx(target: str) -> Callable[[str, dict[str, Any]], Any]:
        headers = {"HX-Request": "true", "HX-Target": target}
        return lambda path, params: client.get(path, params, headers=headers)

    def call_api(path: str, params: dict[str, Any]) -> Any:
        return api.get(f"/api/v1{path}", params)

    ops = operations(random.Random(size.seed))
    peers = api_operations(ops)
    wanted = {x.strip() for x in a.only.split(",") if x.strip()}
    results: dict[str, Any] = {}
    for name, variants in [*ops.items(), *peers.items()]:
        if (wanted and name not in wanted) or not variants:
            continue  # not asked for, or nothing of its kind in the data (a toy size)
        how = (
            call_api if name in peers else htmx(HTMX_TARGET[name]) if name in HTMX_TARGET else call
        )
        r = measure(
            how, variants, a.iterations, cache.clear if "uncached" in name else lambda: None
        )
        if name in peers:
            r["peer"] = True
            r["target_met"] = None  # a reference, not a page
        results[name] = r
        print(
            f"{name:28} p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms  "
            f"cpu p99 {r['cpu_p99_ms']:7.2f} ms  queries {r['queries_min']}-"
            f"{r['queries_per_request']}  "
            f"{'peer' if name in peers else 'ok' if r['target_met'] else 'MISS'}",
            file=sys.stderr,
        )
    for page, peer in PEERS.items():
        if page in results and peer in results and results[peer]["cpu_p50_ms"]:
            results[page]["x_api"] = round(
                results[page]["cpu_p50_ms"] / results[peer]["cpu_p50_ms"], 2
            )
    result: dict[str, Any] = {
        "benchmark": "pages",
        "run_at": now_iso(),
        "machine": load_before,
        "how": (
            "in-process django.test.Client with a session (middleware, auth, SQL, templates; "
            f"no HTTP), {connection.vendor}, admin of every brand; warm cache"
        ),
        "data": {"rows": data.get("rows"), "reused": data.get("reused")},
        "target_p99_ms": TARGET_P99_MS,
        "operations": results,
        "missed": [k for k, v in results.items() if v["target_met"] is False],
        "assets": asset_sizes(_workspace_pages(client)),
    }
    assets = result["assets"]
    for name, sizes in assets["files"].items():
        print(f"{name:28} {sizes['bytes']:8} B  gzip {sizes['gzip_bytes']:7} B", file=sys.stderr)
    print(
        f"{'static total':28} {assets['total_bytes']:8} B  gzip {assets['total_gzip_bytes']:7} B",
        file=sys.stderr,
    )
    return publish(result, a.name, COMPARE_KEYS, save=not a.no_save, out_dir=a.results_dir)


def _workspace_pages(client: Any) -> list[str]:
    """The inbox and a conversation in the three panes, as a browser first gets them."""
    from wowdesk.conversations.models import Conversation

    pages = [client.get("/inbox/").content.decode()]
    first = Conversation.objects.order_by("-id").values_list("id", flat=True).first()
    if first is not None:
        pages.append(client.get(f"/inbox/c/{first}/").content.decode())
    return pages


if __name__ == "__main__":
    main()
