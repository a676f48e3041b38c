"""The simulation agrees with Erlang where Erlang holds, and shows what Erlang hides: how
often an interval staffed for its target misses it."""

from __future__ import annotations

import numpy as np
import pytest

from wowdesk.wfm import erlang as E
from wowdesk.wfm import simulation as S

KW = {"interval_seconds": 1800.0, "aht_seconds": 180.0, "service_level": 0.8, "seconds": 20.0}


def test_the_textbook_staffing_meets_its_target_on_average_and_misses_some_intervals() -> None:
    r = S.simulate([14] * 8, [100] * 8, replications=40, seed=11, **KW)  # type: ignore[arg-type]
    erlang = E.erlang_c_performance([14], 10.0, 180, 20).service_level[0]
    # the mean of the intervals' shares is near Erlang's long-run share
    assert abs(float(r.service_level[2:].mean()) - erlang) < 0.04
    assert r.service_level.mean() >= 0.8
    # and yet a good share of the intervals miss 80 % (Erlang's average hides it)
    assert 0.03 < r.overall_miss_probability < 0.4
    assert np.all(r.service_level_p10 <= r.service_level)
    assert np.all(r.abandonment == 0)


def test_impatient_callers_match_erlang_a() -> None:
    r = S.simulate([12] * 8, [100] * 8, patience_seconds=120, replications=40, seed=2, **KW)  # type: ignore[arg-type]
    a = E.erlang_a_performance([12], 10.0, 180, 120, 20)
    assert abs(float(r.service_level[2:].mean()) - a.service_level[0]) < 0.05
    assert abs(float(r.abandonment[2:].mean()) - a.abandonment[0]) < 0.03


def test_more_agents_never_serve_worse_on_the_same_draws() -> None:
    few = S.simulate([11] * 6, [100] * 6, replications=15, seed=5, **KW)  # type: ignore[arg-type]
    many = S.simulate([13] * 6, [100] * 6, replications=15, seed=5, **KW)  # type: ignore[arg-type]
    assert np.all(many.service_level >= few.service_level - 1e-12)
    assert np.all(many.miss_probability <= few.miss_probability + 1e-12)


def test_an_empty_floor_answers_nobody_and_a_quiet_interval_meets_its_target() -> None:
    r = S.simulate([0, 3], [20, 0], patience_seconds=60, replications=5, seed=1, **KW)  # type: ignore[arg-type]
    # only the last callers of the first interval, answered when agents arrive
    assert r.service_level[0] < 0.05 and r.miss_probability[0] == 1
    assert r.abandonment[0] > 0.9
    assert r.service_level[1] == 1 and r.miss_probability[1] == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"agents": [1, 2], "contacts": [1]},
        {"agents": [-1], "contacts": [1]},
        {"agents": [1], "contacts": [1], "service_level": 1.5},
        {"agents": [1], "contacts": [1], "patience_seconds": 0},
        {"agents": [1], "contacts": [1], "replications": 0},
    ],
)
def test_bad_input_is_refused(bad: dict[str, object]) -> None:
    kw: dict[str, object] = {**KW, **bad}
    agents, contacts = kw.pop("agents"), kw.pop("contacts")
    with pytest.raises(S.SimulationError):
        S.simulate(agents, contacts, **kw)  # type: ignore[arg-type]
