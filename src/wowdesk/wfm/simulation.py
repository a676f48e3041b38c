"""A discrete-event simulation of one queue through a day or a week of intervals (SimPy):
the service level each interval reaches, and how often it misses its target.

Pure (simpy and numpy; no Django).

Erlang's formulas give the average service level of an interval in a steady state. A real
interval is a random draw: its arrivals are a Poisson count, its handle times vary, callers
hang up, and the queue carries over from the interval before. So an interval staffed to
reach 80 % on average misses 80 % quite often; this module says how often.

Model of one replication:

* arrivals: in interval ``i``, a Poisson number with mean ``contacts[i]``, at uniform
  times in the interval (a Poisson process whose rate is constant within an interval);
* handle times: log-normal with mean ``aht_seconds`` and coefficient of variation
  ``handle_cv`` (1.0 is as spread as the exponential Erlang assumes; measured call
  centres are nearer 0.6–1.0);
* patience: exponential with mean ``patience_seconds`` (``None``: nobody hangs up);
* agents: ``agents[i]`` on the queue during interval ``i``; at a boundary, extra agents
  join at once, and agents who are no longer scheduled leave when their current contact
  ends (nobody is cut off mid-call);
* first come, first served.

An interval's service level is its arrivals answered within ``seconds`` over its arrivals
(those who hang up count as missed, as in :mod:`wowdesk.wfm.erlang`'s Erlang A); an
interval with no arrival met its target. Over ``replications`` independent runs (seeded),
:func:`simulate` reports per interval the mean service level, the 10th percentile, the
probability of missing the target, the abandonment and the mean wait of the answered.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class SimulationError(ValueError):
    """Input a simulation cannot run on."""


@dataclass(frozen=True)
class SimulationResult:
    """Per interval, over the replications."""

    service_level: FloatArray  # mean
    service_level_p10: FloatArray
    miss_probability: FloatArray  # share of replications below the target
    abandonment: FloatArray
    asa_seconds: FloatArray  # mean wait of the answered (NaN where none answered)
    offered: FloatArray  # mean arrivals
    replications: int

    @property
    def overall_miss_probability(self) -> float:
        """The share of (interval, replication) draws that missed, over intervals with
        traffic."""
        busy = self.offered > 0
        return float(self.miss_probability[busy].mean()) if busy.any() else 0.0


class _Floor:
    """Agents as tokens in a store; the scheduled number changes at interval boundaries."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.store: simpy.Store = simpy.Store(env)
        self.on_floor = 0  # scheduled agents present (busy or idle)
        self.leaving = 0  # busy agents who go when their contact ends

    def set_agents(self, n: int) -> None:
        # cancel departures first, then add or remove
        while n > self.on_floor and self.leaving:
            self.leaving -= 1
            self.on_floor += 1
        while n > self.on_floor:
            self.store.put(object())
            self.on_floor += 1
        while n < self.on_floor:
            self.on_floor -= 1
            if self.store.items:
                self.store.items.pop()
            else:
                self.leaving += 1

    def release(self, token: object) -> None:
        if self.leaving:
            self.leaving -= 1
        else:
            self.store.put(token)


def _one_run(
    rng: np.random.Generator,
    agents: Sequence[int],
    contacts: Sequence[float],
    interval_seconds: float,
    aht_seconds: float,
    handle_cv: float,
    patience_seconds: float | None,
    seconds: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    n_int = len(agents)
    offered = np.zeros(n_int)
    within = np.zeros(n_int)
    abandoned = np.zeros(n_int)
    answered = np.zeros(n_int)
    wait_sum = np.zeros(n_int)
    env = simpy.Environment()
    floor = _Floor(env)
    sigma = math.sqrt(math.log(1.0 + handle_cv**2)) if handle_cv > 0 else 0.0
    mu = math.log(aht_seconds) - sigma**2 / 2.0

    def controller() -> Generator[Any, Any, None]:
        for i in range(n_int):
            floor.set_agents(int(agents[i]))
            yield env.timeout(interval_seconds)

    def caller(i: int, handle: float, patience: float) -> Generator[Any, Any, None]:
        arrived = env.now
        get = floor.store.get()
        if math.isinf(patience):
            token = yield get
        else:
            result = yield get | env.timeout(patience)
            if get not in result:
                get.cancel()
                abandoned[i] += 1
                return
            token = result[get]
        wait = env.now - arrived
        answered[i] += 1
        wait_sum[i] += wait
        if wait <= seconds:
            within[i] += 1
        yield env.timeout(handle)
        floor.release(token)

    def arrivals() -> Generator[Any, Any, None]:
        for i in range(n_int):
            start = i * interval_seconds
            k = int(rng.poisson(max(float(contacts[i]), 0.0)))
            offered[i] = k
            times = np.sort(rng.uniform(0.0, interval_seconds, k)) + start
            handles = rng.lognormal(mu, sigma, k) if sigma > 0 else np.full(k, aht_seconds)
            patience = (
                rng.exponential(patience_seconds, k)
                if patience_seconds is not None
                else np.full(k, math.inf)
            )
            for t, h, p in zip(times, handles, patience, strict=True):
                if t > env.now:
                    yield env.timeout(t - env.now)
                env.process(caller(i, float(h), float(p)))
        # let the last interval's callers finish (bounded: the floor keeps its agents)
        yield env.timeout(0)

    env.process(controller())
    env.process(arrivals())
    env.run(until=n_int * interval_seconds + 4 * 3600)
    return offered, within, abandoned, answered, wait_sum


def simulate(
    agents: Sequence[int],
    contacts: Sequence[float],
    *,
    interval_seconds: float,
    aht_seconds: float,
    service_level: float,
    seconds: float,
    patience_seconds: float | None = None,
    handle_cv: float = 1.0,
    replications: int = 100,
    seed: int = 0,
) -> SimulationResult:
    """Run ``replications`` independent days (or weeks) of the queue; see the module."""
    if len(agents) != len(contacts) or not len(agents):
        raise SimulationError("one number of agents per interval of contacts")
    if interval_seconds <= 0 or aht_seconds <= 0 or replications < 1:
        raise SimulationError("interval, handle time and replications must be positive")
    if any(a < 0 for a in agents) or any(c < 0 for c in contacts):
        raise SimulationError("agents and contacts are zero or more")
    if not 0 < service_level < 1 or seconds < 0:
        raise SimulationError("the target is a share between 0 and 1 within seconds ≥ 0")
    if patience_seconds is not None and patience_seconds <= 0:
        raise SimulationError("patience must be more than zero seconds")
    n_int = len(agents)
    rng = np.random.default_rng(seed)
    sl = np.zeros((replications, n_int))
    ab = np.zeros((replications, n_int))
    offered_all = np.zeros((replications, n_int))
    answered_all = np.zeros((replications, n_int))
    wait_all = np.zeros((replications, n_int))
    for r in range(replications):
        offered, within, abandoned, answered, wait_sum = _one_run(
            rng,
            agents,
            contacts,
            interval_seconds,
            aht_seconds,
            handle_cv,
            patience_seconds,
            seconds,
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            sl[r] = np.where(offered > 0, within / offered, 1.0)
            ab[r] = np.where(offered > 0, abandoned / offered, 0.0)
        offered_all[r] = offered
        answered_all[r] = answered
        wait_all[r] = wait_sum
    answered_total = answered_all.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = np.where(answered_total > 0, wait_all.sum(axis=0) / answered_total, np.nan)
    return SimulationResult(
        service_level=sl.mean(axis=0),
        service_level_p10=np.quantile(sl, 0.1, axis=0),
        miss_probability=(sl < service_level - 1e-12).mean(axis=0),
        abandonment=ab.mean(axis=0),
        asa_seconds=asa,
        offered=offered_all.mean(axis=0),
        replications=replications,
    )
