"""bench/staffing.py and bench/forecast.py run end to end on a toy size (no timing is
asserted)."""

from __future__ import annotations

from tests.bench.test_bench_smoke import _run, pytestmark  # noqa: F401


def test_staffing_benchmark_runs() -> None:
    out = _run("bench.staffing", "--quick")
    assert out["cells"] == 5 * 48
    assert out["peer_textbook_loop"]["same_agents_as_erlang_c"] is True
    assert out["erlang_a"]["agent_intervals"] <= out["erlang_c"]["agent_intervals"]


def test_forecast_benchmark_runs_or_says_why_not() -> None:
    out = _run("bench.forecast", "--quick")
    (series,) = out["series"].values()
    if "skipped" in series:  # the public data sets are not beside this checkout
        assert "not found" in series["skipped"]
        return
    assert series["origins"] == 3
    assert set(series["methods"]) >= {"seasonal_naive", "weekday_average"}
    assert series["methods"]["seasonal_naive"]["wape_vs_seasonal_naive"] == 0.0
