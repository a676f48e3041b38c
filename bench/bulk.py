"""A bulk action on 100 conversations, and its undo, on the benchmark data set.

Data: ``bench/bulkload.py`` (the same reused data dir as ``bench/read.py`` and
``bench/pages.py``). Each iteration picks 100 open conversations of one brand and runs
``conversations.bulk.bulk_update`` (priority and a tag: each row decided by the rules of
a single change and written set-wise, with its activity lines, audit rows and events) and
then ``bulk_undo``, both as an admin of every brand. Timing: in-process wall clock; p50/p99
per operation and the SQL queries per run, listeners after commit included (they do not
grow with the rows; docs/bulk-performance.md).

Prints JSON and writes ``bench/results/bulk.json``. Usage:
``.venv/bin/python -m bench.bulk [--data-dir DIR] [--iterations N]``.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bulkload
from bench.lib.common import latency_summary, machine, now_iso, publish

ROWS = 100  # conversations of one bulk action


def main(argv: list[str] | None = None) -> dict[str, Any]:
    a = bulkload.dataset_arguments(__doc__, "bulk").parse_args(argv)
    size = bulkload.size_from(a)
    load_before = machine()
    data = bulkload.ensure_loaded(a.data_dir, size, progress=not a.quiet)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wowdesk.conversations import bulk
    from wowdesk.conversations.models import Conversation
    from wowdesk.core.models import Brand
    from wowdesk.core.services import ensure_agent_with_token

    agent, _token = ensure_agent_with_token(email="bench@example.com", role="admin")
    agent.brands.set(Brand.objects.all())
    rng = random.Random(size.seed)
    brand_id = Conversation.objects.order_by("id").values_list("brand_id", flat=True).first()
    pool = list(
        Conversation.objects.filter(brand_id=brand_id, merged_into__isnull=True).values_list(
            "id", flat=True
        )[:20_000]
    )
    rows = min(ROWS, len(pool))
    timings: dict[str, list[float]] = {"bulk_update_100": [], "bulk_undo_100": []}
    queries: dict[str, list[int]] = {"bulk_update_100": [], "bulk_undo_100": []}
    skipped = 0
    for i in range(a.iterations):
        ids = rng.sample(pool, rows)
        changes = bulk.parse_changes(
            {"priority": ("high", "urgent")[i % 2], "add_tags": ["bench-bulk"]}, agent
        )
        with CaptureQueriesContext(connection) as seen:
            started = time.perf_counter()
            result = bulk.bulk_update(agent, changes, ids=ids)
            timings["bulk_update_100"].append(time.perf_counter() - started)
        queries["bulk_update_100"].append(len(seen.captured_queries))
        skipped += len(result.skipped)
        if not result.undo_token:
            continue
        with CaptureQueriesContext(connection) as seen:
            started = time.perf_counter()
            bulk.bulk_undo(agent, result.undo_token)
            timings["bulk_undo_100"].append(time.perf_counter() - started)
        queries["bulk_undo_100"].append(len(seen.captured_queries))
    operations = {
        name: {
            **latency_summary(values),
            "runs": len(values),
            "rows": rows,
            "queries_per_run": max(queries[name], default=0),
            "queries_per_row": round(max(queries[name], default=0) / max(rows, 1), 1),
        }
        for name, values in timings.items()
    }
    result_doc: dict[str, Any] = {
        "benchmark": "bulk",
        "at": now_iso(),
        "machine": load_before,
        "data": {"rows": data.get("rows"), "reused": data.get("reused")},
        "operations": operations,
        "skipped_rows": skipped,
    }
    keys = [f"operations.{n}.{k}" for n in operations for k in ("p50_ms", "p99_ms")]
    return publish(result_doc, a.name, keys, save=not a.no_save, out_dir=a.results_dir)


if __name__ == "__main__":
    main()
