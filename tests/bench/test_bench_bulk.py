"""bench/bulk.py runs end to end on a toy size (no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

from tests.bench.test_bench_smoke import TOY, _run, pytestmark  # noqa: F401


def test_bulk_benchmark_runs(tmp_path: Path) -> None:
    data, results = tmp_path / "data", tmp_path / "results"
    args = ["--data-dir", str(data), "--results-dir", str(results), "--iterations", "2", *TOY]
    out = _run("bench.bulk", *args, "--quiet")
    ops = out["operations"]
    assert set(ops) == {"bulk_update_100", "bulk_undo_100"}
    assert ops["bulk_update_100"]["runs"] == 2 and ops["bulk_undo_100"]["runs"] == 2
    assert ops["bulk_update_100"]["queries_per_run"] > 0
    assert out["skipped_rows"] == 0
    assert (results / "bulk.json").exists()
