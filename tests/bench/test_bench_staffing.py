"""bench/staffing.py runs end to end on a toy size and agrees with the textbook loop (no
timing is asserted)."""

from __future__ import annotations

from tests.bench.test_bench_smoke import _run, pytestmark  # noqa: F401


def test_staffing_benchmark_runs() -> None:
    out = _run("bench.staffing", "--quick")
    assert out["cells"] == 5 * 48
    assert out["peer_textbook_loop"]["same_agents_as_erlang_c"] is True
    assert out["erlang_a"]["agent_intervals"] <= out["erlang_c"]["agent_intervals"]
