"""Erlang C and Erlang A: the textbook case, the limits between them, and their shape."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.wfm import erlang as E

SL_80_20 = E.Target(service_level=0.8, seconds=20)


def test_the_textbook_case() -> None:
    """100 calls in 30 minutes, 180 s handle time, 80 % in 20 s: 14 agents at 88.8 %,
    20 scheduled with 30 % shrinkage; 13 agents would reach only 79.6 %."""
    s = E.staff([100], interval_seconds=1800, aht_seconds=180, target=SL_80_20, shrinkage=0.3)
    assert s.agents.tolist() == [14]
    assert s.scheduled.tolist() == [20]
    assert s.performance.service_level[0] == pytest.approx(0.8884, abs=5e-4)
    assert s.performance.occupancy[0] == pytest.approx(10 / 14)
    assert s.performance.asa_seconds[0] == pytest.approx(7.8, abs=0.1)
    below = E.erlang_c_performance([13], 10.0, 180, 20)
    assert below.service_level[0] == pytest.approx(0.7956, abs=5e-4)


def test_erlang_b_matches_the_recursion() -> None:
    a = 7.3
    b = 1.0
    for n in range(1, 30):
        b = a * b / (n + a * b)
        assert E.erlang_b([n], [a])[0] == pytest.approx(b, rel=1e-9)


def test_an_asa_target() -> None:
    s = E.staff([100], interval_seconds=1800, aht_seconds=180, target=E.Target(asa_seconds=15))
    # 12 agents: ASA 17.1 s; 13: 7.8 s... see the table in docs/wfm.md
    perf = E.erlang_c_performance([s.agents[0] - 1, s.agents[0]], 10.0, 180, 20)
    assert perf.asa_seconds[0] > 15 >= perf.asa_seconds[1]


def test_erlang_a_with_endless_patience_is_erlang_c() -> None:
    n = np.arange(11, 20)
    c = E.erlang_c_performance(n, 10.0, 180, 20)
    a = E.erlang_a_performance(n, 10.0, 180, 1e9, 20)
    assert np.allclose(a.service_level, c.service_level, atol=1e-4)
    assert np.allclose(a.asa_seconds, c.asa_seconds, rtol=1e-3)
    assert np.all(a.abandonment < 1e-4)


def test_erlang_a_impatient_callers_need_fewer_agents() -> None:
    kw = {"interval_seconds": 1800, "aht_seconds": 180, "target": SL_80_20}
    c = E.staff([100, 400], **kw)
    a = E.staff([100, 400], model="erlang_a", patience_seconds=60, **kw)
    assert np.all(a.agents <= c.agents)
    assert np.all(a.performance.service_level >= 0.8)
    assert np.all(a.performance.abandonment > 0)


def test_an_overloaded_erlang_a_queue_is_stable_and_loses_callers() -> None:
    p = E.erlang_a_performance([5], 10.0, 180, 120, 20)
    assert 0 < p.service_level[0] < 1
    assert p.abandonment[0] > 0.3
    assert math.isfinite(p.asa_seconds[0])
    assert p.occupancy[0] <= 1.0


def test_nothing_offered_needs_nobody() -> None:
    s = E.staff([0, 0], interval_seconds=1800, aht_seconds=180, target=SL_80_20, shrinkage=0.3)
    assert s.agents.tolist() == [0, 0] and s.scheduled.tolist() == [0, 0]


def test_the_occupancy_cap_adds_agents() -> None:
    kw = {"interval_seconds": 1800, "aht_seconds": 180, "target": SL_80_20}
    free = E.staff([1000], **kw)
    capped = E.staff([1000], occupancy_cap=0.85, **kw)
    assert capped.agents[0] >= math.ceil(100 / 0.85)
    assert capped.agents[0] > free.agents[0]


def test_chat_concurrency_divides_the_agents() -> None:
    kw = {"interval_seconds": 1800, "aht_seconds": 600, "target": SL_80_20}
    one = E.staff([300], **kw)
    three = E.staff([300], concurrency=3, **kw)
    assert three.agents[0] == math.ceil(one.agents[0] / 3)


@pytest.mark.parametrize(
    "bad",
    [
        {"service_level": 1.2, "seconds": 20},
        {"service_level": 0.8},
        {"asa_seconds": 0},
        {"service_level": 0.8, "seconds": -1},
    ],
)
def test_bad_targets_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(E.StaffingError):
        E.Target(**bad)


def test_bad_input_is_refused() -> None:
    with pytest.raises(E.StaffingError):
        E.staff([-1], interval_seconds=1800, aht_seconds=180, target=SL_80_20)
    with pytest.raises(E.StaffingError):
        E.staff([1], interval_seconds=1800, aht_seconds=180, target=SL_80_20, shrinkage=1.0)
    with pytest.raises(E.StaffingError):
        E.staff([1], interval_seconds=1800, aht_seconds=180, target=SL_80_20, model="erlang_a")


loads = st.floats(min_value=0.01, max_value=300.0, allow_nan=False)
targets = st.builds(
    E.Target,
    service_level=st.floats(min_value=0.5, max_value=0.95),
    seconds=st.floats(min_value=0, max_value=60),
)


@settings(max_examples=150)
@given(contacts=st.lists(st.integers(0, 3000), min_size=1, max_size=8), target=targets)
def test_staffing_is_monotone_in_load_and_never_below_the_offered_load(
    contacts: list[int], target: E.Target
) -> None:
    c = np.array(sorted(contacts))
    s = E.staff(c, interval_seconds=1800, aht_seconds=240, target=target)
    load = c * 240 / 1800
    assert np.all(np.diff(s.agents) >= 0)
    assert np.all(s.agents[c > 0] > load[c > 0])
    assert np.all(s.performance.service_level[c > 0] >= target.service_level - 1e-9)  # type: ignore[operator]


@settings(max_examples=100)
@given(load=loads, target=targets, patience=st.floats(min_value=10, max_value=2000))
def test_the_answer_is_the_least_that_meets_the_target(
    load: float, target: E.Target, patience: float
) -> None:
    for model in ("erlang_c", "erlang_a"):
        n = int(
            E.required_servers(
                [load],
                200.0,
                target,
                model=model,
                patience_seconds=patience,  # type: ignore[arg-type]
            )[0]
        )
        perf = (
            E.erlang_c_performance([n - 1, n], load, 200.0, target.seconds or 0)
            if model == "erlang_c"
            else E.erlang_a_performance(
                [max(n - 1, 0), n], load, 200.0, patience, target.seconds or 0
            )
        )
        assert perf.service_level[1] >= target.service_level - 1e-9  # type: ignore[operator]
        if n > 1:
            assert perf.service_level[0] < target.service_level  # type: ignore[operator]


@settings(max_examples=100)
@given(load=loads, patience=st.floats(min_value=5, max_value=5000), t=st.floats(0, 120))
def test_more_agents_never_serve_worse(load: float, patience: float, t: float) -> None:
    n = np.arange(1, int(load) + 15)
    for perf in (
        E.erlang_c_performance(n, load, 180, t),
        E.erlang_a_performance(n, load, 180, patience, t),
    ):
        assert np.all(np.diff(perf.service_level) >= -1e-9)
        assert np.all((perf.service_level >= 0) & (perf.service_level <= 1))
        assert np.all((perf.occupancy >= 0) & (perf.occupancy <= 1))
