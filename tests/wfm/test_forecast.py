"""Forecasts: the methods on series whose answer is known, the backtest's scores, holidays,
the interval, and the intraday re-forecast."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.wfm import forecast as F

MONDAY = dt.date(2026, 1, 5)


def weekly(weeks: int, slots: int = 48, seed: int = 0, noise: float = 0.0) -> F.DaySeries:
    rng = np.random.default_rng(seed)
    week = rng.uniform(0, 50, (7, slots))
    values = np.vstack([week] * weeks)
    if noise:
        values = np.maximum(values + rng.normal(0, noise, values.shape), 0)
    return F.DaySeries(MONDAY, values, np.ones(7 * weeks, dtype=bool))


def test_every_method_repeats_a_perfectly_weekly_series() -> None:
    h = weekly(8)
    targets = [h.date(h.days) + dt.timedelta(days=i) for i in range(7)]
    week = h.values[:7]
    for m in ("seasonal_naive", "weekday_average", "level_profile"):
        assert np.allclose(F.predict(h, targets, F.Calendar(), m), week), m
    bt = F.backtest(h, F.Calendar())
    assert bt.scores["seasonal_naive"].wape == pytest.approx(0.0, abs=1e-12)


def test_averaging_beats_seasonal_naive_on_noisy_counts() -> None:
    rng = np.random.default_rng(3)
    rate = rng.uniform(5, 40, (7, 48))
    values = np.vstack([rng.poisson(rate) for _ in range(20)]).astype(float)
    h = F.DaySeries(MONDAY, values, np.ones(140, dtype=bool))
    bt = F.backtest(h, F.Calendar())
    assert bt.scores["weekday_average"].wape < 0.85 * bt.scores["seasonal_naive"].wape
    assert bt.best != "seasonal_naive"


def test_rows_of_a_finer_interval_are_summed_and_missing_days_are_absent() -> None:
    rows = [
        (dt.datetime(2026, 1, 5, 9, 0), 2.0),
        (dt.datetime(2026, 1, 5, 9, 6), 3.0),
        (dt.datetime(2026, 1, 5, 9, 36), 1.0),
        (dt.datetime(2026, 1, 7, 0, 0), 4.0),
    ]
    h = F.DaySeries.from_intervals(rows, interval_minutes=30)
    assert h.days == 3 and h.slots == 48
    assert h.present.tolist() == [True, False, True]
    assert h.values[0, 18] == 5.0 and h.values[0, 19] == 1.0 and h.values[2, 0] == 4.0
    with pytest.raises(F.ForecastError):
        F.DaySeries.from_intervals(rows, interval_minutes=7)
    with pytest.raises(F.ForecastError):
        F.DaySeries.from_intervals([(dt.datetime(2026, 1, 5), -1.0)], interval_minutes=30)


def test_a_holiday_is_forecast_with_the_factor_learnt_from_past_holidays() -> None:
    h = weekly(10)
    values = h.values.copy()
    past = [h.date(30), h.date(50)]
    for d in (30, 50):
        values[d] *= 0.25
    h = F.DaySeries(h.first, values, h.present)
    future = h.date(h.days + 2)
    cal = F.Calendar(holidays=frozenset([*past, future]))
    out = F.predict(h, [future], cal, "weekday_average")[0]
    # the ordinary forecast leaves the past holidays out of its average
    ordinary = F.predict(h, [future], F.Calendar(holidays=frozenset(past)), "weekday_average")[0]
    assert np.allclose(ordinary, h.values[2])
    assert np.allclose(out, 0.25 * ordinary)
    # a planner's special day wins
    special = F.Calendar(holidays=cal.holidays, special={future: 2.0})
    assert np.allclose(F.predict(h, [future], special, "weekday_average")[0], 2 * ordinary)


def test_the_forecast_picks_the_best_method_and_brackets_itself() -> None:
    h = weekly(12, noise=4.0, seed=5)
    fc = F.forecast(h, F.Calendar(), first=h.date(h.days), days=7)
    assert fc.method == min(fc.scores.values(), key=lambda s: s.wape).method
    assert fc.values.shape == (7, 48)
    assert np.all(fc.lower <= fc.values + 1e-9) and np.all(fc.values <= fc.upper + 1e-9)
    with pytest.raises(F.ForecastError):
        F.forecast(h, F.Calendar(), first=h.first, days=7)


def test_a_short_history_falls_back_to_the_weekday_average() -> None:
    h = weekly(2)
    fc = F.forecast(h, F.Calendar(), first=h.date(h.days), days=7)
    assert fc.method == "weekday_average" and fc.scores == {}


@settings(max_examples=80)
@given(
    planned=st.lists(st.floats(0, 100), min_size=4, max_size=48),
    seen=st.integers(0, 48),
    factor=st.floats(0, 5),
)
def test_the_intraday_reforecast_keeps_actuals_and_bounds_the_rest(
    planned: list[float], seen: int, factor: float
) -> None:
    p = np.array(planned)
    n = min(seen, len(p))
    actual = p[:n] * factor
    out = F.reforecast_intraday(p, actual)
    assert np.allclose(out[:n], actual)
    assert np.all(out[n:] >= 0.5 * p[n:] - 1e-9) and np.all(out[n:] <= 2 * p[n:] + 1e-9)


@settings(max_examples=40)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 1439), st.integers(0, 50)), max_size=60)
)
def test_building_a_series_keeps_every_contact(rows: list[tuple[int, int, int]]) -> None:
    data = [
        (dt.datetime(2026, 3, 1) + dt.timedelta(days=d, minutes=m), float(n)) for d, m, n in rows
    ]
    if not data:
        return
    h = F.DaySeries.from_intervals(data, interval_minutes=15)
    assert h.values.sum() == pytest.approx(sum(n for _, _, n in rows))
