"""The dashboards' queries at 1,000,000 conversations and 200,000 survey responses.

Data: ``bench/analytics_load.py`` (a year of 3 brands, 20 teams, 300 agents at 6 sites,
8 languages, 6 channels; ``--size tiny|small|full``), in a data dir that is reused between
runs; then ``analytics.rollups.rebuild()`` (timed: the "rebuild" number). The database is
SQLite in the data dir, or PostgreSQL when ``WOWDESK_DATABASE_URL`` is set (give it an empty
database; ``scripts/pg.sh``).

Timing is in-process with ``django.test.Client`` as a supervisor of the first brand (the
whole Django request: middleware, token, ninja, SQL, JSON; no HTTP). Every query a dashboard
makes runs over its variants (the three brands' supervisors, periods) ``--iterations`` times
after a warm-up: loyalty by day for 28/90/365 days, each grouping (agent, team, site,
channel, language, intent, tag, inbox) over 90 days, weekly and monthly trends, the previous
period, the drill-down's first page, the surveys page's comments, the live path (a
conversation resolved now, then the dashboard asked). Reported: p50/p99 wall, p50/p99 CPU
of the process, SQL queries per request; and the peers measured in the same run, since the
machine is noisy: ``GET /api/v1/health``, a ``COUNT(*)`` of one day's conversations and the
read bench's inbox list (``x_count_day`` = p50 / the count's p50). Target: p99 < 150 ms.

Then the export (``GET /api/v1/metrics/export``) of survey responses, CSV and JSON, read as
a client would (chunk by chunk): the peak of Python's allocations (``tracemalloc``) and the
growth of the process's RSS at ~10,000 and at every (~200,000) row: the ratio says whether
memory stays flat.

Prints JSON and writes ``bench/results/analytics-<vendor>.json`` (``--name``); the
comparison with the previous file goes to stderr and into the JSON.
Usage: ``.venv/bin/python -m bench.analytics [--size full] [--data-dir DIR] [--iterations N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import logging
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import analytics_load
from bench.lib.common import latency_summary, machine, now_iso, publish

TARGET_P99_MS = 150.0
COMPARE_KEYS = ("p50_ms", "p99_ms", "cpu_p99_ms", "queries_per_request", "x_count_day")
GROUPS = ("agent", "team", "site", "channel", "language", "intent", "tag", "inbox")

# one call of an operation: the status code (200 is success) and a short sample
Call = Callable[[], tuple[int, dict[str, Any]]]


def default_data_dir(size: str) -> Path:
    base = os.environ.get("WOWDESK_BENCH_DIR")
    root = Path(base) if base else Path(__file__).resolve().parent.parent / ".tmp" / "bench-data"
    vendor = "postgres" if os.environ.get("WOWDESK_DATABASE_URL") else "sqlite"
    return root / f"analytics-{size}-{vendor}"


def arguments() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--size", choices=sorted(analytics_load.SIZES), default="full")
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--iterations", type=int, default=60, help="requests per operation")
    p.add_argument("--only", default="", help="comma-separated operation names")
    p.add_argument(
        "--budget", type=float, default=0.0, help="seconds per operation (at least 10 requests)"
    )
    p.add_argument("--at-least", type=int, default=10, help="requests within the budget")
    p.add_argument("--rebuild", action="store_true", help="rebuild the rollups again")
    p.add_argument(
        "--facts",
        choices=("rebuild", "fill"),
        default="rebuild",
        help="rollups.rebuild(), or a bulk fill and the rebuild timed on --sample rows",
    )
    p.add_argument("--sample", type=int, default=5_000)
    p.add_argument("--no-export", action="store_true", help="skip the export's memory")
    p.add_argument("--name", default="", help="result file (default analytics-<vendor>)")
    p.add_argument("--results-dir", type=Path, default=None)
    p.add_argument("--no-save", action="store_true", help="print only")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


# --- measuring -------------------------------------------------------------------------


def measure(
    variants: list[Call],
    iterations: int,
    warmup: int = 2,
    budget_s: float = 0.0,
    at_least: int = 10,
) -> dict[str, Any]:
    """p50/p99 wall and CPU over ``iterations`` calls cycling through the variants (fewer,
    but at least ``at_least``, when ``budget_s`` seconds are spent), the SQL queries of the
    first variants, the statuses seen and a sample of the first answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for call in variants[:warmup]:
        call()
    seconds: list[float] = []
    cpu: list[float] = []
    statuses: set[int] = set()
    started = time.perf_counter()
    for i in range(max(iterations, len(variants))):
        if budget_s and i >= at_least and time.perf_counter() - started > budget_s:
            break
        call = variants[i % len(variants)]
        t0, c0 = time.perf_counter(), time.process_time()
        status, _ = call()
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        statuses.add(status)
    queries: list[int] = []
    sample: dict[str, Any] = {}
    for call in variants[:3]:
        with CaptureQueriesContext(connection) as ctx:
            status, got = call()
        queries.append(len(ctx.captured_queries))
        if not sample and status == 200:
            sample = got
    summary = latency_summary(seconds)
    cpu_ms = latency_summary(cpu)
    return {
        "requests": len(seconds),
        "variants": len(variants),
        **summary,
        "cpu_p50_ms": cpu_ms["p50_ms"],
        "cpu_p99_ms": cpu_ms["p99_ms"],
        "queries_per_request": max(queries) if queries else 0,
        "statuses": sorted(statuses),
        "sample": sample,
        "target_met": summary["p99_ms"] < TARGET_P99_MS and statuses == {200},
    }


def _summary(data: Any) -> dict[str, Any]:
    """A few numbers of an answer, to see that it answered something."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        if isinstance(data.get("groups"), list):
            groups = data["groups"]
            out["groups"] = len(groups)
            if groups and isinstance(groups[0], dict):
                first = groups[0]
                out["first_key"] = first.get("key")
                nps = first.get("nps")
                if isinstance(nps, dict):
                    out["first_nps"] = nps.get("value")
                    out["first_nps_responses"] = nps.get("responses")
                out["first_conversations"] = first.get("conversations")
        for key in ("total", "count"):
            if key in data:
                out[key] = data[key]
        for key in ("items", "conversations", "responses", "results"):
            if isinstance(data.get(key), list):
                out[key] = len(data[key])
        return out
    if isinstance(data, list):
        return {"items": len(data)}
    return {}


class Bench:
    """The data's facts the operations need, and the clients of the supervisors."""

    def __init__(self, now: dt.datetime, rng: random.Random) -> None:
        from django.conf import settings
        from django.test import Client

        from wowdesk.core.models import Agent, Brand
        from wowdesk.core.services import ensure_agent_with_token

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        self.now = now
        self.rng = rng
        self.brands = list(
            Brand.objects.filter(slug__in=["default", *(s for _n, s in analytics_load.BRANDS)])
            .order_by("id")
            .values_list("id", flat=True)
        ) or list(Brand.objects.order_by("id").values_list("id", flat=True)[:3])
        self.clients: list[Any] = []
        self.agents: list[Any] = []
        for i, brand_id in enumerate(self.brands):
            brand = Brand.objects.get(pk=brand_id)
            agent, token = ensure_agent_with_token(
                email=f"analytics-supervisor{i + 1}@bench.example.com",
                role="supervisor",
                brand=brand,
            )
            self.agents.append(Agent.objects.get(pk=agent.pk))
            self.clients.append(Client(headers={"Authorization": f"Bearer {token}"}))

    def api(self, i: int, path: str, params: dict[str, Any]) -> Call:
        client = self.clients[i % len(self.clients)]
        brand = self.brands[i % len(self.brands)]
        query = {"brand": brand, **params}

        def call() -> tuple[int, dict[str, Any]]:
            response = client.get(f"/api/v1{path}", query)
            if response.status_code != 200:
                return response.status_code, {}
            if getattr(response, "streaming", False):
                size = sum(len(chunk) for chunk in response.streaming_content)
                return 200, {"bytes": size}
            return 200, _summary(response.json())

        return call

    def period(self, days: int, *, back: int = 0) -> dict[str, str]:
        """The ``days`` days to today (in UTC), ``back`` periods earlier."""
        to = self.now.date() - dt.timedelta(days=days * back)
        return {"from": str(to - dt.timedelta(days=days - 1)), "to": str(to)}


def operations(b: Bench) -> dict[str, list[Call]]:
    """Every query the dashboards make, with their variants (one per brand)."""
    from django.db.models import Count, Q

    from wowdesk.conversations.models import Conversation
    from wowdesk.surveys.models import SurveyResponse

    n = len(b.brands)
    ops: dict[str, list[Call]] = {}

    # peers in the same run
    day = b.now - dt.timedelta(days=3)

    def count_day(i: int) -> Call:
        lo = day.replace(hour=0)
        brand = b.brands[i]

        def call() -> tuple[int, dict[str, Any]]:
            c = Conversation.objects.filter(
                brand_id=brand, created_at__gte=lo, created_at__lt=lo + dt.timedelta(days=1)
            ).count()
            return 200, {"count": c}

        return call

    ops["peer_health"] = [b.api(0, "/health", {})]
    ops["peer_count_one_day"] = [count_day(i) for i in range(n)]
    ops["peer_inbox_list"] = [b.api(i, "/conversations", {"status": "open"}) for i in range(n)]

    # loyalty: NPS/CSAT/CES by day, with the previous period beside it
    for days in (28, 90, 365):
        ops[f"loyalty_by_day_{days}d"] = [
            b.api(i, "/metrics", {**b.period(days), "group_by": "day"}) for i in range(n)
        ]
    ops["trend_by_week_365d"] = [
        b.api(i, "/metrics", {**b.period(365), "group_by": "week"}) for i in range(n)
    ]
    ops["trend_by_month_365d"] = [
        b.api(i, "/metrics", {**b.period(365), "group_by": "month"}) for i in range(n)
    ]
    # every answer has the previous period beside it; without it, to see what it costs
    ops["totals_90d"] = [b.api(i, "/metrics", b.period(90)) for i in range(n)]
    ops["totals_90d_without_previous"] = [
        b.api(i, "/metrics", {**b.period(90), "previous": "0"}) for i in range(n)
    ]
    ops["totals_90d_a_year_ago"] = [b.api(i, "/metrics", b.period(90, back=3)) for i in range(n)]
    for group in GROUPS:
        ops[f"group_by_{group}_90d"] = [
            b.api(i, "/metrics", {**b.period(90), "group_by": group}) for i in range(n)
        ]
    ops["group_by_agent_365d"] = [
        b.api(i, "/metrics", {**b.period(365), "group_by": "agent"}) for i in range(n)
    ]
    # filtered: one team's agents, one channel by day, one language
    teams = _first_team_per_brand(b.brands)
    ops["team_filter_by_agent_90d"] = [
        b.api(i, "/metrics", {**b.period(90), "group_by": "agent", "team": teams[i]})
        for i in range(n)
        if teams.get(i)
    ]
    ops["channel_filter_by_day_90d"] = [
        b.api(i, "/metrics", {**b.period(90), "group_by": "day", "channel": "chat"})
        for i in range(n)
    ]
    ops["language_filter_by_week_365d"] = [
        b.api(i, "/metrics", {**b.period(365), "group_by": "week", "language": "id"})
        for i in range(n)
    ]
    # drill-down: the conversations behind a number (analytics.services.drill), first page
    # of 25 as the drill-down page lists them; and with the page's total
    for measure, days in (("nps_detractors", 90), ("not_fcr", 28), ("backlog", 28)):
        ops[f"drill_{measure}_{days}d"] = [_drill(b, i, measure, days) for i in range(n)]
    ops["drill_nps_detractors_90d_with_count"] = [
        _drill(b, i, "nps_detractors", 90, count=True) for i in range(n)
    ]

    # the surveys page: answers with a why, newest first, one page and the total
    def comments(i: int, days: int) -> Call:
        brand = b.brands[i]
        lo = b.now - dt.timedelta(days=days)

        def call() -> tuple[int, dict[str, Any]]:
            qs = SurveyResponse.objects.filter(brand_id=brand, answered_at__gte=lo).exclude(
                comment=""
            )
            page = list(
                qs.order_by("-answered_at", "-id").values(
                    "id", "kind", "score", "comment", "answered_at", "agent_id", "conversation_id"
                )[:25]
            )
            agg = qs.aggregate(n=Count("id"), low=Count("id", filter=Q(score__lte=6)))
            return 200, {"items": len(page), "total": agg["n"]}

        return call

    ops["survey_comments_page_90d"] = [comments(i, 90) for i in range(n)]
    ops["survey_responses_api_90d"] = [
        b.api(i, "/survey-responses", {**b.period(90)}) for i in range(n)
    ]
    ops["live_resolve_then_today"] = [_live(b, i) for i in range(n)]
    ops.update(reference_operations(b))
    return ops


def reference_operations(b: Bench) -> dict[str, list[Call]]:
    """Not a dashboard's query: the same numbers aggregated straight from the tables, with
    the indexes they have (what a page view would cost without rollups)."""
    from django.db.models import Count, F, Q
    from django.db.models.functions import TruncDate

    from wowdesk.conversations.models import Conversation
    from wowdesk.surveys.models import SurveyResponse

    def loyalty(i: int, days: int, by: str) -> Call:
        brand = b.brands[i]
        lo = b.now - dt.timedelta(days=days)

        def call() -> tuple[int, dict[str, Any]]:
            qs = SurveyResponse.objects.filter(brand_id=brand, answered_at__gte=lo)
            key = TruncDate("answered_at") if by == "day" else F(by)
            rows = list(
                qs.annotate(key=key)
                .values("key", "kind")
                .annotate(
                    n=Count("id"),
                    high=Count(
                        "id",
                        filter=Q(kind="nps", score__gte=9)
                        | Q(kind="csat", score__gte=4)
                        | Q(kind="ces", score__gte=5),
                    ),
                    low=Count("id", filter=Q(kind="nps", score__lte=6)),
                )
                .order_by("key", "kind")
            )
            return 200, {"groups": len(rows)}

        return call

    def conversations(i: int, days: int) -> Call:
        brand = b.brands[i]
        lo = b.now - dt.timedelta(days=days)

        def call() -> tuple[int, dict[str, Any]]:
            rows = list(
                Conversation.objects.filter(brand_id=brand, created_at__gte=lo)
                .annotate(key=TruncDate("created_at"))
                .values("key")
                .annotate(n=Count("id"), resolved=Count("id", filter=Q(status="resolved")))
                .order_by("key")
            )
            return 200, {"groups": len(rows)}

        return call

    n = len(b.brands)
    return {
        "reference_responses_by_day_28d": [loyalty(i, 28, "day") for i in range(n)],
        "reference_responses_by_day_365d": [loyalty(i, 365, "day") for i in range(n)],
        "reference_responses_by_agent_90d": [loyalty(i, 90, "agent_id") for i in range(n)],
        "reference_conversations_by_day_90d": [conversations(i, 90) for i in range(n)],
    }


def _drill(b: Bench, i: int, measure: str, days: int, *, count: bool = False) -> Call:
    try:
        from wowdesk.analytics.services import drill
    except ImportError:
        return lambda: (404, {})
    agent = b.agents[i]
    query = {"brand": str(b.brands[i]), **b.period(days)}

    def call() -> tuple[int, dict[str, Any]]:
        qs = drill(agent, query, measure)
        page = list(
            qs.values("id", "number", "subject", "status", "assignee_id", "created_at")[:25]
        )
        out = {"items": len(page)}
        if count:
            out["total"] = qs.count()
        return 200, out

    return call


def _first_team_per_brand(brands: list[int]) -> dict[int, int]:
    from wowdesk.core.models import Team

    out: dict[int, int] = {}
    for i, brand in enumerate(brands):
        team = Team.objects.filter(brand_id=brand).order_by("id").values_list("id", flat=True)
        first = team.first()
        if first is not None:
            out[i] = first
    return out


def _live(b: Bench, i: int) -> Call:
    """The live path: an agent resolves an open conversation (``PATCH``: the events keep
    the rollups up to date when the transaction commits), then the supervisor's dashboard
    asks for today against the last hour's counts. Timed together."""
    from wowdesk.conversations.models import Conversation

    brand = b.brands[i]
    open_ids = list(
        Conversation.objects.filter(brand_id=brand, status="open", assignee__isnull=False)
        .order_by("-id")
        .values_list("id", flat=True)[:400]
    )
    client = b.clients[i]
    ask = b.api(i, "/metrics", {**b.period(1), "group_by": "day"})
    state = {"k": 0}

    def call() -> tuple[int, dict[str, Any]]:
        if state["k"] >= len(open_ids):
            return 0, {}
        cid = open_ids[state["k"]]
        state["k"] += 1
        r = client.patch(
            f"/api/v1/conversations/{cid}",
            {"status": "resolved"},
            content_type="application/json",
        )
        if r.status_code != 200:
            return r.status_code, {}
        return ask()

    return call


# --- the export's memory -----------------------------------------------------------------


def _rss_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def export_memory(b: Bench) -> dict[str, Any]:
    """The export of survey responses, CSV and JSON, over ~10,000 rows and over every row:
    rows, bytes, seconds, peak Python allocations while streaming, RSS growth."""
    from wowdesk.surveys.models import SurveyResponse

    brand_ids = b.brands
    total = SurveyResponse.objects.filter(brand_id=b.brands[0]).count()
    # the date from which the first brand has ~10,000 answers (or all of a small load)
    small_from = (
        SurveyResponse.objects.filter(brand_id=b.brands[0])
        .order_by("-answered_at")
        .values_list("answered_at", flat=True)[min(total - 1, 9_999) :][:1]
    )
    first_small = next(iter(small_from), None)
    span_small = {
        "from": str((first_small or b.now).date()),
        "to": str(b.now.date()),
    }
    span_all = {"from": str((b.now - dt.timedelta(days=366)).date()), "to": str(b.now.date())}
    out: dict[str, Any] = {"brand_responses": total, "brands": len(brand_ids)}
    client = b.clients[0]
    for fmt in ("csv", "json"):
        for label, span in (("10k", span_small), ("all", span_all)):
            params = {"brand": b.brands[0], "format": fmt, "table": "responses", **span}
            gc.collect()
            rss0 = _rss_kb()
            tracemalloc.start()
            t0 = time.perf_counter()
            response = client.get("/api/v1/metrics/export", params)
            size, lines, chunks = 0, 0, 0
            if response.status_code == 200:
                body = response.streaming_content if response.streaming else [response.content]
                for chunk in body:
                    size += len(chunk)
                    lines += chunk.count(b"\n")
                    chunks += 1
            seconds = time.perf_counter() - t0
            _cur, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            out[f"{fmt}_{label}"] = {
                "status": response.status_code,
                "streaming": bool(getattr(response, "streaming", False)),
                "span": span,
                "bytes": size,
                "lines": lines,
                "chunks": chunks,
                "seconds": round(seconds, 2),
                "peak_python_kb": round(peak / 1024),
                "rss_growth_kb": max(0, _rss_kb() - rss0),
            }
    for fmt in ("csv", "json"):
        small, big = out[f"{fmt}_10k"], out[f"{fmt}_all"]
        if small["peak_python_kb"] and big["status"] == 200:
            out[f"{fmt}_peak_ratio_all_vs_10k"] = round(
                big["peak_python_kb"] / small["peak_python_kb"], 2
            )
            out[f"{fmt}_bytes_ratio_all_vs_10k"] = round(big["bytes"] / max(1, small["bytes"]), 1)
    return out


# --- the run -----------------------------------------------------------------------------


def rebuild(data_dir: Path, *, again: bool, fill: bool, sample: int) -> dict[str, Any]:
    """The report facts, once per load (kept in the load's marker and reused while every
    conversation has its fact; ``--rebuild`` runs it again). ``rollups.rebuild()`` timed;
    or, with ``--facts fill`` (the full size: the rebuild takes most of an hour on the
    shared machine), ``analytics_load.fill_facts()`` and ``rollups.refresh`` timed on
    ``sample`` conversations, extrapolated to all."""
    import json

    from wowdesk.analytics import rollups
    from wowdesk.analytics.models import ConversationFact
    from wowdesk.conversations.models import Conversation

    info = analytics_load.marker(data_dir) or {}
    done = info.get("rebuild")
    total = Conversation.objects.count()
    if not again and done and ConversationFact.objects.count() >= total:
        return {**done, "reused": True}
    t0, c0 = time.perf_counter(), time.process_time()
    if not fill:
        rows = rollups.rebuild()
        done = {
            "mode": "rollups.rebuild()",
            "rows": rows,
            "seconds": round(time.perf_counter() - t0, 1),
            "cpu_seconds": round(time.process_time() - c0, 1),
        }
    else:
        filled = analytics_load.fill_facts()
        ids = list(Conversation.objects.order_by("-id").values_list("id", flat=True)[:sample])
        t1, c1 = time.perf_counter(), time.process_time()
        rows = rollups.refresh(ids)
        wall, cpu = time.perf_counter() - t1, time.process_time() - c1
        analytics_load.fill_facts()  # the sample's intents (the loader keeps them aside)
        done = {
            "mode": "fill_facts() + rollups.refresh() of a sample",
            "fill": filled,
            "sample_rows": rows,
            "sample_seconds": round(wall, 1),
            "sample_cpu_seconds": round(cpu, 1),
            "rows_per_second": round(rows / wall) if wall else None,
            "extrapolated_rebuild_seconds": round(total * wall / max(1, rows)),
            "extrapolated_rebuild_cpu_seconds": round(total * cpu / max(1, rows)),
        }
    done.update(at=now_iso(), loadavg_1m_after=round(os.getloadavg()[0], 2))
    if info:
        info["rebuild"] = done
        (data_dir / analytics_load.MARKER).write_text(json.dumps(info, indent=2) + "\n")
    return {**done, "reused": False}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    a = arguments().parse_args(argv)
    size = analytics_load.SIZES[a.size]
    data_dir = a.data_dir or default_data_dir(a.size)
    load_before = machine()
    data = analytics_load.ensure_loaded(data_dir, size, progress=not a.quiet)
    # a 404 of an endpoint that is not there is reported in the result, not logged per call
    logging.getLogger("django.request").setLevel(logging.ERROR)
    rebuilt = rebuild(data_dir, again=a.rebuild, fill=a.facts == "fill", sample=a.sample)

    from django.db import connection

    from wowdesk.core.startup import freeze_startup_objects

    now = dt.datetime.fromisoformat(data["now"])
    bench = Bench(now, random.Random(size.seed))
    ops = operations(bench)
    freeze_startup_objects()
    wanted = {x.strip() for x in a.only.split(",") if x.strip()}
    results: dict[str, Any] = {}
    base: float | None = None
    for name, variants in ops.items():
        if (wanted and name not in wanted and not name.startswith("peer_")) or not variants:
            continue
        iterations = a.iterations if name != "live_resolve_then_today" else min(a.iterations, 60)
        r = measure(variants, iterations, budget_s=a.budget, at_least=a.at_least, warmup=1)
        if name == "peer_count_one_day":
            base = r["p50_ms"] or None
        r["x_count_day"] = round(r["p50_ms"] / base, 1) if base else None
        results[name] = r
        print(
            f"{name:32} p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  "
            f"cpu p99 {r['cpu_p99_ms']:8.2f} ms  q {r['queries_per_request']:2}  "
            f"{r['statuses']} {'ok' if r['target_met'] else 'MISS'}",
            file=sys.stderr,
        )
    export = None if a.no_export else export_memory(bench)
    dashboard = {k: v for k, v in results.items() if not k.startswith(("peer_", "reference_"))}
    result: dict[str, Any] = {
        "benchmark": "analytics",
        "run_at": now_iso(),
        "machine": {**load_before, "loadavg_after": [round(x, 2) for x in os.getloadavg()]},
        "database": connection.vendor,
        "how": (
            "in-process django.test.Client (server-side: middleware, token, ninja, SQL, JSON; "
            f"no HTTP), {connection.vendor}, supervisors of each brand in turn; warm cache; "
            f"{a.iterations} requests per operation after a warm-up request"
            + (f" (or {a.budget:g} s, at least {a.at_least})" if a.budget else "")
        ),
        "size": a.size,
        "data": {
            "wanted": asdict(size),
            "rows": data.get("rows"),
            "reused": data.get("reused"),
            "load_timings": data.get("timings"),
            "now": data.get("now"),
        },
        "rebuild": rebuilt,
        "target_p99_ms": TARGET_P99_MS,
        "operations": results,
        "export": export,
        "missed": [k for k, v in dashboard.items() if not v["target_met"]],
        "missed_on_cpu_time": [k for k, v in dashboard.items() if v["cpu_p99_ms"] >= TARGET_P99_MS],
    }
    name = a.name or f"analytics-{'postgres' if connection.vendor == 'postgresql' else 'sqlite'}"
    return publish(result, name, COMPARE_KEYS, save=not a.no_save, out_dir=a.results_dir)


if __name__ == "__main__":
    main()
