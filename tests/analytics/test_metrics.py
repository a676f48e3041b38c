"""The measures' definitions (analytics/metrics.py): worked examples and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wowdesk.analytics import metrics

counts_0_10 = st.dictionaries(st.integers(0, 10), st.integers(0, 500), max_size=11)


def test_nps_worked_example() -> None:
    # 50 promoters, 30 passives, 20 detractors of 100: NPS 30
    result = metrics.nps({10: 30, 9: 20, 8: 20, 7: 10, 6: 5, 3: 10, 0: 5})
    assert (result.promoters, result.passives, result.detractors) == (50, 30, 20)
    assert result.value == pytest.approx(30.0)
    # variance (0.5 + 0.2 - 0.09) / 100 = 0.0061; half width 1.96 * 0.0781 * 100 = 15.31
    assert result.ci95 is not None
    low, high = result.ci95
    assert low == pytest.approx(30 - 15.308, abs=0.01) and high == pytest.approx(
        30 + 15.308, abs=0.01
    )


def test_csat_is_the_top_two_box_share() -> None:
    result = metrics.csat({5: 6, 4: 2, 3: 1, 1: 1})
    assert result.value == pytest.approx(80.0) and result.responses == 10


def test_ces_mean_and_easy_share() -> None:
    result = metrics.ces({7: 2, 5: 1, 2: 1})
    assert result.value == pytest.approx(5.25) and result.easy == pytest.approx(75.0)


def test_nothing_to_measure_is_none() -> None:
    assert metrics.nps({}).value is None and metrics.nps({}).ci95 is None
    assert metrics.csat({}).value is None and metrics.ces({}).value is None
    assert metrics.rate(1, 0) is None and metrics.quantile([], 0.5) is None


@given(counts_0_10)
def test_nps_is_within_its_interval_and_bounds(counts: dict[int, int]) -> None:
    result = metrics.nps(counts)
    if result.responses == 0:
        assert result.value is None
        return
    assert result.value is not None and result.ci95 is not None
    assert -100.0 <= result.ci95[0] <= result.value <= result.ci95[1] <= 100.0
    assert result.promoters + result.passives + result.detractors == result.responses


@given(counts_0_10, counts_0_10)
def test_rollups_add_counts_not_averages(a: dict[int, int], b: dict[int, int]) -> None:
    together = metrics.nps(metrics.add_counts(a, b))
    assert together.responses == metrics.nps(a).responses + metrics.nps(b).responses
    assert together.promoters == metrics.nps(a).promoters + metrics.nps(b).promoters


@given(st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=200), st.floats(0, 1))
def test_quantile_lies_within_the_values_and_is_monotone(values: list[float], q: float) -> None:
    got = metrics.quantile(values, q)
    assert got is not None and min(values) <= got <= max(values)
    assert metrics.quantile(values, 0.0) == min(values)
    assert metrics.quantile(values, 1.0) == max(values)
    upper = metrics.quantile(values, min(q + 0.1, 1.0))
    assert upper is not None and upper >= got - 1e-9 * max(1.0, abs(got))


def test_median_of_even_count_interpolates() -> None:
    assert metrics.quantile([1, 2, 3, 4], 0.5) == 2.5
    assert math.isclose(metrics.quantile([0, 10], 0.9) or 0, 9.0)


# --- the quantile sketch of times ------------------------------------------------------------

times = st.lists(st.floats(0, 10 * 365 * 86400, allow_nan=False), min_size=1, max_size=200)


@given(st.floats(0, 1e9, allow_nan=False))
def test_a_time_is_within_its_bin(seconds: float) -> None:
    k = metrics.time_bin(seconds)
    if seconds < 1:
        assert k == 0
    else:
        assert metrics.GROWTH ** (k - 1) <= seconds < metrics.GROWTH**k
        value = metrics.bin_value(k)
        assert abs(value - seconds) <= metrics.RELATIVE_ERROR * seconds * (1 + 1e-9)


@given(times, st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]))
def test_histogram_quantile_is_within_the_error_bound(values: list[float], q: float) -> None:
    counts: dict[int, int] = {}
    for v in values:
        counts[metrics.time_bin(v)] = counts.get(metrics.time_bin(v), 0) + 1
    exact = metrics.nearest_rank(values, q)
    estimate = metrics.histogram_quantile(counts, q)
    assert exact is not None and estimate is not None
    assert abs(estimate - exact) <= max(metrics.RELATIVE_ERROR * exact * (1 + 1e-9), 1.0)


@given(times, times)
def test_histograms_of_two_groups_add(a: list[float], b: list[float]) -> None:
    def hist(values: list[float]) -> dict[int, int]:
        out: dict[int, int] = {}
        for v in values:
            out[metrics.time_bin(v)] = out.get(metrics.time_bin(v), 0) + 1
        return out

    together = metrics.add_counts(hist(a), hist(b))
    assert together == hist(a + b)
    assert metrics.histogram_quantile(together, 0.5) == metrics.histogram_quantile(hist(a + b), 0.5)


def test_histogram_quantile_worked_example() -> None:
    # 1, 2, 3, 4 s: the nearest-rank median is 2 s, its bin reads 2 s within 2.5 %
    counts = {metrics.time_bin(s): 1 for s in (1.0, 2.0, 3.0, 4.0)}
    assert metrics.histogram_quantile(counts, 0.5) == pytest.approx(2.0, rel=0.025)
    assert metrics.histogram_quantile({}, 0.5) is None
    assert metrics.nearest_rank([1, 2, 3, 4], 0.5) == 2
    assert metrics.mean(10.0, 4) == 2.5 and metrics.mean(None, 0) is None
