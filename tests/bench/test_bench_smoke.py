"""The benchmark scripts run end to end on a toy size (no timing is asserted, ever)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench.lib.common import compare, percentile

REPO = Path(__file__).resolve().parents[2]

# They measure SQLite on their own data dirs: a PostgreSQL run of the suite adds nothing.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("WOWDESK_DATABASE_URL")), reason="benchmarks run on SQLite"
)


def _run(module: str, *args: str, timeout: float = 300) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WOWDESK_")}
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


TOY = [
    "--conversations", "120", "--messages", "900", "--customers", "60", "--agents", "3",
    "--teams", "2", "--tags", "4", "--purchases", "10",
]  # fmt: skip


def test_read_benchmark_runs_and_compares(tmp_path: Path) -> None:
    data, results = tmp_path / "data", tmp_path / "results"
    args = ["--data-dir", str(data), "--results-dir", str(results), "--iterations", "3", *TOY]
    first = _run("bench.read", *args, "--quiet")
    assert first["data"]["rows"]["conversations"] == 120
    assert first["data"]["rows"]["messages"] == 900
    assert first["data"]["reused"] is False
    ops = first["operations"]
    assert {"inbox_filtered_deep", "conversation_open", "search_customers_name"} <= set(ops)
    assert all(op["statuses"] == [200] for op in ops.values()), ops
    assert all(op["queries_per_request"] > 0 for op in ops.values())
    assert json.loads((results / "read.json").read_text())["operations"].keys() == ops.keys()

    second = _run("bench.read", *args, "--quiet", "--only", "conversation_open")
    assert second["data"]["reused"] is True  # the same load is not made twice
    ratios = second["comparison"]["ratios"]
    assert "operations.conversation_open.p99_ms" in ratios


def test_pages_and_bulk_benchmarks_run(tmp_path: Path) -> None:
    data, results = tmp_path / "data", tmp_path / "results"
    args = ["--data-dir", str(data), "--results-dir", str(results), "--iterations", "2", *TOY]
    pages = _run("bench.pages", *args, "--quiet")
    ops = pages["operations"]
    assert {"three_pane_conversation", "three_pane_switch", "three_pane_search"} <= set(ops)
    assert all(op["statuses"] == [200] for op in ops.values()), ops
    # the sizes are those of the files the rendered pages name
    assert {"web/wowdesk.css", "web/composer.js", "web/icons.svg"} <= set(pages["assets"]["files"])
    bulk = _run("bench.bulk", *args, "--quiet")
    assert bulk["operations"]["bulk_update_100"]["queries_per_run"] > 0


@pytest.mark.slow
def test_first_load_benchmark_runs_in_chromium(tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's Chromium is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data, results = tmp_path / "data", tmp_path / "results"
    result = _run(
        "bench.first_load", "--data-dir", str(data), "--results-dir", str(results),
        "--iterations", "3", "--port", str(port), "--quiet", *TOY,
    )  # fmt: skip
    for page in ("inbox", "conversation"):
        run = result["pages"][page]
        assert run["runs"] == 3 and run["requests"] > 5
        assert 0 < run["ttfb_p50_ms"] <= run["usable_p50_ms"] <= run["load_max_ms"] + 1


@pytest.mark.slow
def test_ingest_benchmark_runs_against_a_live_server(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = _run(
        "bench.ingest",
        "--workers", "1", "--requests", "40", "--health-requests", "20", "--warmup", "4",
        "--concurrency", "4", "--port", str(port), "--data-dir", str(tmp_path / "data"),
        "--results-dir", str(tmp_path / "results"),
    )  # fmt: skip
    run = result["runs"]["workers_1"]
    assert run["errors"] == 0, run["error_samples"]
    assert run["ok_responses"] == run["requests_sent"] == 40
    assert run["duplicates"]["same_ids"] == run["duplicates"]["sent"]
    assert run["duplicates"]["racing_pairs_ok"] == run["duplicates"]["racing_pairs"]
    assert run["checks"]["all_ok"], run["checks"]
    assert (tmp_path / "results" / "ingest.json").exists()


@pytest.mark.slow
def test_reply_benchmark_runs_against_a_live_server(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = _run(
        "bench.reply",
        "--requests", "24", "--warmup", "4", "--concurrency", "4", "--agents", "2",
        "--port", str(port), "--data-dir", str(tmp_path / "data"),
        "--results-dir", str(tmp_path / "results"),
    )  # fmt: skip
    run = result["run"]
    assert run["inbound"]["errors"] == run["reply"]["errors"] == 0, run
    assert run["inbound"]["requests"] == run["reply"]["requests"] == 24
    assert run["checks"]["all_ok"], run["checks"]
    assert run["reply_vs_inbound"]["server_cpu_with_background"] is not None
    assert (tmp_path / "results" / "reply.json").exists()


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) == 0.0


def test_compare_gives_new_over_old_for_shared_keys() -> None:
    old = {"a": {"p99_ms": 40.0, "x": 1}, "b": {"p99_ms": 0}}
    new = {"a": {"p99_ms": 20.0, "x": 2}, "c": {"p99_ms": 5.0}}
    assert compare(new, old, ["p99_ms"]) == {"a.p99_ms": {"old": 40.0, "new": 20.0, "new/old": 0.5}}


def _toy_datasets(root: Path) -> Path:
    """A few bitext rows and xSID sentences (written here: tests read nothing outside the repo)."""
    import csv

    (root / "bitext").mkdir(parents=True)
    (root / "xsid").mkdir()
    intents = {
        "cancel_order": ("I want to cancel my order", "Open your orders and choose Cancel."),
        "get_refund": ("how do I get my money back", "Request a refund from the order page."),
        "track_order": ("where is my parcel", "Follow the tracking link in the email."),
    }
    with (root / "bitext" / "toy.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["instruction", "intent", "response"])
        for intent, (question, answer) in intents.items():
            for n in range(4):
                writer.writerow([f"{question} {n}", intent, f"{answer} ({n})"])
    sentences = {
        "en": [("will it rain today", "weather/find"), ("set an alarm at 7", "alarm/set_alarm")],
        "de": [("regnet es heute", "weather/find"), ("stell einen Wecker um 7", "alarm/set_alarm")],
        "zh": [("今天会下雨吗", "weather/find"), ("设一个七点的闹钟", "alarm/set_alarm")],
    }
    for lang, items in sentences.items():
        lines = []
        for n, (text, intent) in enumerate(items * 2, start=1):
            head = [] if lang == "en" else [f"# id = {n}"]
            lines += [*head, f"# text = {text}", f"# intent = {intent}", "1\tx\tO", ""]
        (root / "xsid" / f"{lang}.valid.conll").write_text("\n".join(lines), encoding="utf-8")
    return root


def test_knowledge_benchmark_runs_and_compares(tmp_path: Path) -> None:
    data = _toy_datasets(tmp_path / "datasets")
    args = [
        "--datasets", str(data), "--data-dir", str(tmp_path / "data"),
        "--results-dir", str(tmp_path / "results"), "--articles", "40", "--samples", "5",
        "--queries", "2", "--bitext-answers", "2",
    ]  # fmt: skip
    first = _run("bench.knowledge", *args)
    quality = first["quality"]
    assert quality["bitext_en"]["articles"] == 3
    assert {"lexical", "semantic", "rrf", "weighted_0.6"} <= set(quality["bitext_en"])
    assert {"en", "de", "zh"} == set(quality["xsid_cross_lingual"]["languages"])
    latency = first["latency"]
    assert latency["rows"] == 40 and latency["search_api"]["statuses"] == [200]
    assert latency["index"]["embedding_bytes"] == 40 * 512 * 4
    agent_side = latency["suggestions_api"]
    assert agent_side["statuses"] == [200] and agent_side["macros_in_brand"] == 40
    for read in ("first_read", "repeat_read"):
        assert agent_side[read]["samples"] == 5 and agent_side[read]["p95_ms"] > 0
    # the repeat read is the cached answer: fewer queries than computing it
    first_q = agent_side["first_read"]["queries_per_request"]["mean"]
    assert agent_side["repeat_read"]["queries_per_request"]["mean"] < first_q
    assert agent_side["articles_per_answer"] > 0
    for part in ("article_page", "search_page"):
        page = latency["help_center"][part]
        assert page["statuses"] == [200] and page["samples"] == 5
        assert page["queries_per_request"]["max"] > 0
    assert len(first["machine"]["loadavg_after"]) == 3
    second = _run("bench.knowledge", *args)
    assert second["comparison"]["previous_run_at"] == first["run_at"]


def test_analytics_benchmark_runs_on_a_tiny_load(tmp_path: Path) -> None:
    data, results = tmp_path / "data", tmp_path / "results"
    args = ["--size", "tiny", "--data-dir", str(data), "--results-dir", str(results)]
    first = _run("bench.analytics", *args, "--iterations", "2", "--quiet")
    rows = first["data"]["rows"]
    assert rows["conversations"] == 600 and rows["messages"] > 600
    assert 0 < rows["responses"] <= rows["surveys"]
    assert first["data"]["reused"] is False and first["rebuild"]["rows"] == 600
    ops = first["operations"]
    for name in ("loyalty_by_day_28d", "loyalty_by_day_365d", "totals_90d_without_previous",
                 "group_by_tag_90d", "drill_nps_detractors_90d", "survey_comments_page_90d",
                 "live_resolve_then_today"):  # fmt: skip
        assert ops[name]["requests"] >= 3, name
    assert ops["peer_count_one_day"]["statuses"] == [200]
    assert ops["survey_comments_page_90d"]["statuses"] == [200]
    assert all(ops[k]["statuses"] == [200] for k in ops if k.startswith("reference_"))
    export = first["export"]
    assert {"csv_10k", "csv_all", "json_10k", "json_all"} <= set(export)
    saved = json.loads((results / "analytics-sqlite.json").read_text())
    assert saved["operations"].keys() == ops.keys()

    # the same load is not made twice; the comparison with the previous file is attached
    args += ["--iterations", "2", "--quiet", "--only", "loyalty_by_day_28d", "--no-export"]
    second = _run("bench.analytics", *args)
    assert second["data"]["reused"] is True
    assert "operations.loyalty_by_day_28d.p99_ms" in second["comparison"]["ratios"]


def test_roster_benchmark_runs_quick(tmp_path: Path) -> None:
    result = _run("bench.roster", "--quick", "--seconds", "6", "--results-dir", str(tmp_path))
    assert result["instance"]["quick"] is True and result["shifts"] > 0
    assert result["hard_rule_violations"] == 0
    assert result["lower_bound_hours"] <= result["hours"]
    assert list(tmp_path.glob("roster-*-quick.json"))
