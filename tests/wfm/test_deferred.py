"""Deferred work (email) planned by its backlog, and a language's channels pooled."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.wfm import deferred as D
from wowdesk.wfm import erlang as E

TARGET = E.Target(service_level=0.8, seconds=20)
HALF_HOUR = 1800.0

counts = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=40.0)), min_size=1, max_size=60
)
windows = st.sampled_from([600.0, 1800.0, 3600.0, 4 * 3600.0, 8 * 3600.0, 24 * 3600.0])
ahts = st.sampled_from([60.0, 240.0, 600.0, 1500.0])
caps = st.sampled_from([1.0, 0.85, 0.5])


def _replay(agents: np.ndarray, work: np.ndarray, capacity: float) -> np.ndarray:
    """Work done by the end of each interval when the staffed capacity works the backlog."""
    backlog, done, out = 0.0, 0.0, []
    for s in range(len(work)):
        backlog += work[s]
        d = min(backlog, agents[s] * capacity)
        backlog -= d
        done += d
        out.append(done)
    return np.asarray(out)


def _due(work: np.ndarray, offset: int) -> np.ndarray:
    """Work due by the end of each interval."""
    n = len(work)
    due = np.zeros(n)
    for t, w in enumerate(work):
        due[min(t + offset, n - 1)] += w
    return np.cumsum(due)


def test_a_trickle_of_email_at_night_needs_an_agent_only_when_its_deadline_comes() -> None:
    night = [0.05] * 16  # 8 hours of half hours
    plan = D.deferred_agents(night, HALF_HOUR, 600.0, response_seconds=4 * 3600)
    # 0.05 × 600 s = 30 s of work a half hour: one agent at the first deadline clears it
    assert plan.agents.tolist() == [0] * 7 + [1] + [0] * 7 + [1]
    assert plan.agents.sum() < len(night)
    assert plan.latest_response_seconds.max() <= 4 * 3600
    # Erlang staffs 1 agent every half hour for the same contacts
    assert E.staff(night, interval_seconds=HALF_HOUR, aht_seconds=600, target=TARGET).agents.sum()
    assert plan.backlog_contacts[6] > 0 and plan.backlog_contacts[7] == 0


def test_a_window_shorter_than_the_interval_is_worked_in_the_interval() -> None:
    plan = D.deferred_agents([10.0, 0.0, 5.0], HALF_HOUR, 360.0, response_seconds=600)
    assert plan.agents.tolist() == [2, 0, 1]
    assert plan.latest_response_seconds.tolist() == [1800.0, 0.0, 1800.0]


@settings(max_examples=150, deadline=None)
@given(counts, ahts, windows, caps)
def test_every_item_is_done_within_its_window(
    contacts: list[float], aht: float, window: float, cap: float
) -> None:
    plan = D.deferred_agents(contacts, HALF_HOUR, aht, response_seconds=window, occupancy_cap=cap)
    work = np.asarray(contacts) * aht
    capacity = HALF_HOUR * cap
    done = _replay(plan.agents, work, capacity)
    due = _due(work, D.due_offset(HALF_HOUR, window))
    assert np.all(done >= due - 1e-6)
    # the agent-time is at least the workload, and all of it is worked by the end
    assert plan.agents.sum() * capacity >= work.sum() - 1e-6
    assert math.isclose(done[-1], work.sum(), abs_tol=1e-6)
    # responses stay within the window (a window under an interval: the interval itself)
    busy = work > 1e-6
    assert np.all(plan.latest_response_seconds[busy] <= max(window, HALF_HOUR) + 1e-6)
    assert np.all(plan.backlog_contacts >= -1e-9)


@settings(max_examples=150, deadline=None)
@given(counts, ahts, windows, caps)
def test_no_interval_has_more_agents_than_the_due_work_or_the_open_work_needs(
    contacts: list[float], aht: float, window: float, cap: float
) -> None:
    plan = D.deferred_agents(contacts, HALF_HOUR, aht, response_seconds=window, occupancy_cap=cap)
    work = np.asarray(contacts) * aht
    capacity = HALF_HOUR * cap
    done = np.concatenate([[0.0], _replay(plan.agents, work, capacity)])
    due = _due(work, D.due_offset(HALF_HOUR, window))
    arrived = np.cumsum(work)
    for s in range(len(contacts)):
        open_due = max(due[s] - done[s], 0.0)
        open_all = max(arrived[s] - done[s], 0.0)
        # the deadlines' need, or agents the open work keeps busy all the interval
        assert plan.agents[s] <= max(
            math.ceil(open_due / capacity - 1e-9), math.floor(open_all / capacity + 1e-9)
        )
        if open_all < capacity - 1e-6 and open_due <= 1e-6:
            assert plan.agents[s] == 0


@settings(max_examples=100, deadline=None)
@given(counts, ahts, windows)
def test_a_longer_window_never_needs_more_agent_time(
    contacts: list[float], aht: float, window: float
) -> None:
    short = D.deferred_agents(contacts, HALF_HOUR, aht, response_seconds=window)
    long = D.deferred_agents(contacts, HALF_HOUR, aht, response_seconds=window * 2)
    assert long.agents.sum() <= short.agents.sum()
    # never more than staffing each interval's own work in that interval
    own = np.ceil(np.asarray(contacts) * aht / HALF_HOUR - 1e-9)
    assert short.agents.sum() <= own.sum()


def _queue(contacts: list[float], aht: float, window: float = 4 * 3600) -> D.Queue:
    return D.Queue(contacts=contacts, aht_seconds=aht, response_seconds=window)


def _separate(imm: dict[str, D.Queue], dfr: dict[str, D.Queue]) -> tuple[np.ndarray, int]:
    alone = [D.immediate_alone(q, interval_seconds=HALF_HOUR, target=TARGET) for q in imm.values()]
    plans = [
        D.deferred_agents(q.contacts, HALF_HOUR, q.aht_seconds, q.response_seconds).agents
        for q in dfr.values()
    ]
    return np.asarray(alone), int(sum(a.sum() for a in alone) + sum(p.sum() for p in plans))


language = st.integers(min_value=1, max_value=24).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(min_value=0, max_value=60), min_size=n, max_size=n),
        st.lists(st.floats(min_value=0, max_value=60), min_size=n, max_size=n),
        st.lists(st.floats(min_value=0, max_value=30), min_size=n, max_size=n),
    )
)


@settings(max_examples=80, deadline=None)
@given(language, ahts, ahts, ahts, windows)
def test_pooled_language_lies_between_the_busiest_channel_and_the_channels_apart(
    series: tuple[list[float], list[float], list[float]],
    chat_aht: float,
    phone_aht: float,
    email_aht: float,
    window: float,
) -> None:
    chat, phone, email = series
    imm = {"chat": _queue(chat, chat_aht), "voice": _queue(phone, phone_aht)}
    dfr = {"email": _queue(email, email_aht, window)}
    r = D.pooled_language_requirement(imm, dfr, interval_seconds=HALF_HOUR, target=TARGET)
    alone, apart_total = _separate(imm, dfr)
    assert np.all(r.agents >= alone.max(axis=0))
    assert np.all(r.immediate <= alone.sum(axis=0))
    assert r.agents.sum() <= apart_total
    assert np.array_equal(r.agents, r.immediate + r.deferred)
    # the email alone is planned exactly as the deferred part
    assert r.deferred.sum() == D.deferred_agents(email, HALF_HOUR, email_aht, window).agents.sum()


@settings(max_examples=80, deadline=None)
@given(language, ahts, ahts, st.floats(min_value=1.0, max_value=4.0))
def test_pooled_language_is_monotone_in_load(
    series: tuple[list[float], list[float], list[float]],
    chat_aht: float,
    email_aht: float,
    factor: float,
) -> None:
    chat, phone, email = series

    def need(f: float) -> D.LanguageRequirement:
        return D.pooled_language_requirement(
            {"chat": _queue([c * f for c in chat], chat_aht), "voice": _queue(phone, 180.0)},
            {"email": _queue([e * f for e in email], email_aht)},
            interval_seconds=HALF_HOUR,
            target=TARGET,
        )

    low, high = need(1.0), need(factor)
    assert np.all(high.immediate >= low.immediate)
    assert high.deferred.sum() >= low.deferred.sum()


def test_three_german_channels_at_night_need_one_agent_not_three() -> None:
    night = 8
    r = D.pooled_language_requirement(
        {"chat": _queue([0.3] * night, 600), "voice": _queue([0.3] * night, 300)},
        {"email": _queue([0.05] * night, 600)},
        interval_seconds=HALF_HOUR,
        target=TARGET,
    )
    assert r.immediate.tolist() == [1] * night
    assert r.agents.max() <= 2 and r.agents.sum() <= night + 1
