"""Erlang C and Erlang A: service level, waiting and occupancy of a queue, and the agents
a target needs — vectorised over many intervals at once.

Pure (numpy and scipy, no Django).

**Erlang C** (M/M/N, no abandonment; A. K. Erlang 1917). Offered load ``a = λ · AHT`` in
Erlangs. With Erlang B ``B(N, a)`` — the Poisson(a) probability of ``N`` over that of at
most ``N``, evaluated here in closed form (``scipy.special.pdtr`` and ``gammaln``), so any
``N`` per interval costs the same —, the probability that a contact waits is
``C = N·B / (N − a·(1 − B))`` for ``N > a``, and

* service level ``SL(t) = 1 − C · exp(−(N − a) · t / AHT)``,
* average speed of answer ``ASA = C · AHT / (N − a)``,
* occupancy ``a / N``.

**Erlang A** (M/M/N+M: callers hang up after an exponential patience with mean
``patience``; Palm 1943, Mandelbaum & Zeltyn 2007). The birth–death chain of the number of
contacts in the system is solved directly: below ``N`` it is Poisson-shaped (its total
relative to state ``N`` is ``1/B − 1``), above it the ratio of state ``N + k`` to ``N`` is
``∏_{j=1..k} y / (x + j)`` with ``x = N · patience / AHT`` and ``y = λ · patience``. A
contact that arrives (PASTA) to find ``N + k − 1`` contacts is ``k``-th in the queue; it
moves up one place at rate ``Nμ + (j−1)θ`` while it hangs up at rate ``θ`` (``μ = 1/AHT``,
``θ = 1/patience``). So it is answered with probability ``x / (x + k)`` (the product
telescopes), and given that, its wait is a sum of exponentials with rates ``Nμ + jθ``,
``j = 1..k``, whose distribution function is the regularised incomplete beta function
``I_{1 − exp(−θ t)}(k, x + 1)`` (``scipy.special.betainc``) and whose mean is
``Σ_j 1/(Nμ + jθ)``. Hence, exactly up to the truncation of the chain (terms below 1e-12
of the total are dropped):

* ``service_level``: answered within ``t`` among all offered contacts (those who hang up
  count as missed),
* ``asa_seconds``: the mean wait of the answered contacts,
* ``abandonment``: the share of offered contacts who hang up,
* occupancy ``λ · P(answered) · AHT / N``.

**Required agents** (:func:`required_agents`): the least ``N`` whose service level (or ASA)
meets the target and whose occupancy stays under the cap. Erlang C steps up from the
offered load (a few steps: the answer is about ``a + β·√a``); Erlang A bisects between 1
and the Erlang C answer (abandonment never needs more agents than Erlang C for the same
target: a contact who would hang up would have waited past ``t``).

**Chat concurrency** ``c``: an agent works ``c`` chats at once; the queue is solved with
``N · c`` servers of the chat's handle time and the agents are ``ceil(servers / c)`` — the
usual approximation (it assumes a chat's handle time does not grow with concurrency; the
handle time given should be the one measured at that concurrency).

**Shrinkage** ``s`` (breaks, training, absence) is applied once, at the end:
``scheduled = ceil(agents / (1 − s))``. The textbook case — 100 calls in 30 minutes, 180 s
handle time, 80 % in 20 s — needs 14 agents (88.8 %) and 20 scheduled at 30 % shrinkage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betainc, gammaln, pdtr

Model = Literal["erlang_c", "erlang_a"]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Terms of the chain below this share of the total are dropped (Erlang A).
_TAIL = 1e-12
# The most agents one interval may need; a bigger answer is refused as unrealistic input.
MAX_AGENTS = 100_000


class StaffingError(ValueError):
    """Input that cannot be staffed (a negative load, a target out of range…)."""


@dataclass(frozen=True)
class Target:
    """What an interval must reach: ``service_level`` within ``seconds`` (e.g. 0.8 in 20 s),
    or an average speed of answer of at most ``asa_seconds``."""

    service_level: float | None = None
    seconds: float | None = None
    asa_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.asa_seconds is None:
            if self.service_level is None or self.seconds is None:
                raise StaffingError("a target is a service level with seconds, or an ASA")
            if not 0.0 < self.service_level < 1.0:
                raise StaffingError("the service level is a share between 0 and 1 (excluded)")
            if self.seconds < 0 or not math.isfinite(self.seconds):
                raise StaffingError("the target's seconds must be zero or more")
        elif self.asa_seconds <= 0 or not math.isfinite(self.asa_seconds):
            raise StaffingError("the ASA target must be more than zero seconds")


@dataclass(frozen=True)
class Performance:
    """What ``agents`` achieve in each interval (arrays of one length)."""

    agents: IntArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    wait_probability: FloatArray
    abandonment: FloatArray


def checked_contacts(
    contacts: ArrayLike, interval_seconds: float, aht_seconds: float
) -> FloatArray:
    """``contacts`` as floats, refused (``StaffingError``) when negative or not finite, or
    when the interval or the handle time is not positive."""
    if interval_seconds <= 0 or aht_seconds <= 0:
        raise StaffingError("the interval and the handle time must be more than zero")
    c = np.asarray(contacts, dtype=np.float64)
    if np.any(c < 0) or not np.all(np.isfinite(c)):
        raise StaffingError("contacts must be zero or more")
    return c


def offered_load(contacts: ArrayLike, interval_seconds: float, aht_seconds: float) -> FloatArray:
    """Erlangs offered by ``contacts`` arriving in an interval of ``interval_seconds``."""
    return checked_contacts(contacts, interval_seconds, aht_seconds) * (
        aht_seconds / interval_seconds
    )


def _log_erlang_b(n: FloatArray, a: FloatArray) -> FloatArray:
    """``log B(N, a)`` for ``a > 0``, ``N ≥ 0``."""
    log_pmf = n * np.log(a) - a - gammaln(n + 1.0)
    with np.errstate(divide="ignore"):
        return np.minimum(log_pmf - np.log(pdtr(n, a)), 0.0)


def erlang_b(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Blocking probability ``B(N, a)`` for each pair, in closed form (Poisson pmf / cdf)."""
    n = np.asarray(agents, dtype=np.float64)
    a = np.asarray(load, dtype=np.float64)
    n, a = np.broadcast_arrays(n, a)
    out = np.ones(n.shape, dtype=np.float64)
    pos = a > 0
    out[~pos] = np.where(n[~pos] > 0, 0.0, 1.0)
    if np.any(pos):
        nn, aa = n[pos], a[pos]
        log_pmf = nn * np.log(aa) - aa - gammaln(nn + 1.0)
        cdf = pdtr(nn, aa)
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.exp(log_pmf) / cdf
        out[pos] = np.clip(np.nan_to_num(b, nan=1.0, posinf=1.0), 0.0, 1.0)
    return out


def _erlang_c(agents: FloatArray, load: FloatArray) -> FloatArray:
    """Probability of waiting; 1 where ``N ≤ a`` (the queue grows without bound)."""
    b = erlang_b(agents, load)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = agents * b / (agents - load * (1.0 - b))
    return np.where(agents > load, np.clip(c, 0.0, 1.0), 1.0)


def erlang_c_performance(
    agents: ArrayLike, load: ArrayLike, aht_seconds: float, seconds: float = 20.0
) -> Performance:
    """Erlang C service level within ``seconds``, ASA, occupancy for each interval."""
    n = np.asarray(agents, dtype=np.float64)
    a = np.asarray(load, dtype=np.float64)
    n, a = np.broadcast_arrays(n, a)
    c = _erlang_c(n, a)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sl = np.where(stable, 1.0 - c * np.exp(-(n - a) * seconds / aht_seconds), 0.0)
        asa = np.where(stable, c * aht_seconds / (n - a), np.inf)
        occ = np.where(n > 0, np.minimum(a / np.where(n > 0, n, 1.0), 1.0), 0.0)
    sl = np.where(a <= 0, 1.0, sl)
    asa = np.where(a <= 0, 0.0, asa)
    return Performance(
        agents=n.astype(np.int64),
        service_level=np.clip(sl, 0.0, 1.0),
        asa_seconds=asa,
        occupancy=occ,
        wait_probability=np.where(a <= 0, 0.0, c),
        abandonment=np.zeros_like(a),
    )


def erlang_a_performance(
    agents: ArrayLike,
    load: ArrayLike,
    aht_seconds: float,
    patience_seconds: float,
    seconds: float = 20.0,
) -> Performance:
    """Erlang A (exponential patience) measures for each interval; see the module text."""
    if patience_seconds <= 0:
        raise StaffingError("patience must be more than zero seconds")
    n = np.asarray(agents, dtype=np.float64)
    a = np.asarray(load, dtype=np.float64)
    n, a = np.broadcast_arrays(n, a)
    n = n.copy()
    a = a.copy()
    m = n.size
    sl = np.ones(m)
    asa = np.zeros(m)
    occ = np.zeros(m)
    pw = np.zeros(m)
    ab = np.zeros(m)
    nf, af = n.ravel(), a.ravel()
    live = (af > 0) & (nf > 0)
    dead = (af > 0) & (nf <= 0)  # nobody answers
    sl[dead], asa[dead], pw[dead], ab[dead] = 0.0, np.inf, 1.0, 1.0
    if np.any(live):
        nn, aa = nf[live], af[live]
        x = nn * patience_seconds / aht_seconds  # Nμ/θ
        y = aa * patience_seconds / aht_seconds  # λ/θ
        log_b = _log_erlang_b(nn, aa)
        # log Σ_{n<N} π_n/π_N = log(1/B − 1); -inf when N = 0 … never here (N ≥ 1)
        with np.errstate(divide="ignore"):
            log_low = np.log(-np.expm1(log_b)) - log_b
        # enough queue states for the terms to fall below _TAIL of the total
        peak = np.maximum(y - x, 0.0)
        k_max = int(min(np.max(peak + 12.0 * np.sqrt(y + 1.0) + 30.0), 20_000))
        k = np.arange(1, k_max + 1, dtype=np.float64)  # queue position of an arrival
        # r[k-1] = π_{N+k-1}/π_N: 1, y/(x+1), y²/((x+1)(x+2)), …  (log space)
        log_step = np.log(y)[:, None] - np.log(x[:, None] + k[None, :])
        log_r = np.concatenate([np.zeros((len(nn), 1)), np.cumsum(log_step, axis=1)], axis=1)
        # scaled by the largest term (log-sum-exp), so that no term overflows
        top = np.maximum(log_r.max(axis=1), log_low)
        r = np.exp(log_r - top[:, None])  # shape (m, k_max + 1): states N .. N + k_max
        low = np.exp(log_low - top)
        total = low + r.sum(axis=1)
        arrive = r[:, :-1] / total[:, None]  # P(arrival is k-th in the queue), k = 1..k_max
        answered_if = x[:, None] / (x[:, None] + k[None, :])
        mu = 1.0 / aht_seconds
        theta = 1.0 / patience_seconds
        rates = nn[:, None] * mu + k[None, :] * theta
        mean_wait = np.cumsum(1.0 / rates, axis=1)  # given answered, from position k
        u = -math.expm1(-theta * seconds)
        weight = arrive * answered_if
        relevant = arrive > _TAIL
        within = np.zeros_like(arrive)
        if seconds > 0 and np.any(relevant):
            kk = np.broadcast_to(k[None, :], arrive.shape)[relevant]
            xx = np.broadcast_to(x[:, None], arrive.shape)[relevant]
            within[relevant] = betainc(kk, xx + 1.0, u)
        p_immediate = low / total
        p_answered = p_immediate + weight.sum(axis=1)
        sl[live] = p_immediate + (weight * within).sum(axis=1)
        ab[live] = 1.0 - p_answered
        pw[live] = 1.0 - p_immediate
        with np.errstate(divide="ignore", invalid="ignore"):
            asa[live] = np.where(
                p_answered > 0, (weight * mean_wait).sum(axis=1) / p_answered, np.inf
            )
        occ[live] = np.minimum(aa * p_answered / nn, 1.0)
    shape = n.shape
    return Performance(
        agents=n.astype(np.int64),
        service_level=np.clip(sl, 0.0, 1.0).reshape(shape),
        asa_seconds=asa.reshape(shape),
        occupancy=occ.reshape(shape),
        wait_probability=np.clip(pw, 0.0, 1.0).reshape(shape),
        abandonment=np.clip(ab, 0.0, 1.0).reshape(shape),
    )


def _meets(perf: Performance, target: Target, cap: float) -> NDArray[np.bool_]:
    if target.asa_seconds is not None:
        ok = perf.asa_seconds <= target.asa_seconds + 1e-12
    else:
        assert target.service_level is not None
        ok = perf.service_level >= target.service_level - 1e-12
    # the occupancy the agents reach (Erlang A: of the answered contacts only)
    return ok & (perf.occupancy <= cap + 1e-9)


def required_servers(
    load: ArrayLike,
    aht_seconds: float,
    target: Target,
    *,
    model: Model = "erlang_c",
    patience_seconds: float | None = None,
    occupancy_cap: float = 1.0,
) -> IntArray:
    """The least servers per interval that meet ``target`` with occupancy ≤ the cap
    (0 where nothing is offered)."""
    if not 0.0 < occupancy_cap <= 1.0:
        raise StaffingError("the occupancy cap is a share above 0 and at most 1")
    if model == "erlang_a" and (patience_seconds is None or patience_seconds <= 0):
        raise StaffingError("Erlang A needs the callers' patience in seconds")
    a = np.asarray(load, dtype=np.float64).ravel()
    seconds = target.seconds if target.seconds is not None else 0.0
    out = np.zeros(a.size, dtype=np.int64)
    busy = a > 0
    if not np.any(busy):
        return out.reshape(np.shape(load))
    # Erlang C: step up from the least stable N (and the occupancy cap's floor)
    idx = np.flatnonzero(busy)
    n = np.maximum(np.floor(a[idx]) + 1.0, np.ceil(a[idx] / occupancy_cap - 1e-9))
    while idx.size:
        if np.any(n > MAX_AGENTS):
            raise StaffingError("an interval needs more agents than this tool plans for")
        perf = erlang_c_performance(n, a[idx], aht_seconds, seconds)
        ok = _meets(perf, target, occupancy_cap)
        out[idx[ok]] = n[ok].astype(np.int64)
        idx, n = idx[~ok], n[~ok] + 1.0
    if model == "erlang_c":
        return out.reshape(np.shape(load))
    assert patience_seconds is not None
    # Erlang A: bisect in [1, Erlang C's answer]; the answer is the least N that meets it
    idx = np.flatnonzero(busy)
    hi = out[idx].astype(np.float64)
    # make sure hi meets the target (it does in every case tried; this is the guard)
    todo = np.arange(idx.size)
    while todo.size:
        perf = erlang_a_performance(hi[todo], a[idx[todo]], aht_seconds, patience_seconds, seconds)
        todo = todo[~_meets(perf, target, occupancy_cap)]
        hi[todo] += 1.0
        if np.any(hi > MAX_AGENTS):
            raise StaffingError("an interval needs more agents than this tool plans for")
    lo = np.zeros(idx.size)  # 0 agents answer nobody: lo always fails
    while True:
        open_ = hi - lo > 1
        if not np.any(open_):
            break
        mid = np.floor((lo + hi) / 2.0)
        sel = np.flatnonzero(open_)
        perf = erlang_a_performance(mid[sel], a[idx[sel]], aht_seconds, patience_seconds, seconds)
        ok = _meets(perf, target, occupancy_cap)
        hi[sel[ok]] = mid[sel[ok]]
        lo[sel[~ok]] = mid[sel[~ok]]
    out[idx] = hi.astype(np.int64)
    return out.reshape(np.shape(load))


@dataclass(frozen=True)
class Staffing:
    """Per interval: agents on the phones, agents scheduled (after shrinkage), and what the
    agents on the phones achieve."""

    agents: IntArray
    scheduled: IntArray
    performance: Performance


def staff(
    contacts: ArrayLike,
    *,
    interval_seconds: float,
    aht_seconds: float,
    target: Target,
    shrinkage: float = 0.0,
    model: Model = "erlang_c",
    patience_seconds: float | None = None,
    occupancy_cap: float = 1.0,
    concurrency: int = 1,
) -> Staffing:
    """Agents needed per interval for ``contacts`` per interval (see the module text)."""
    if not 0.0 <= shrinkage < 1.0:
        raise StaffingError("shrinkage is a share from 0 up to (not including) 1")
    if concurrency < 1:
        raise StaffingError("concurrency is at least 1")
    a = offered_load(contacts, interval_seconds, aht_seconds)
    servers = required_servers(
        a,
        aht_seconds,
        target,
        model=model,
        patience_seconds=patience_seconds,
        occupancy_cap=occupancy_cap,
    )
    agents = -(-servers // concurrency)  # ceil
    seconds = target.seconds if target.seconds is not None else 20.0
    n = (agents * concurrency).astype(np.float64)
    if model == "erlang_a":
        assert patience_seconds is not None
        perf = erlang_a_performance(n, a, aht_seconds, patience_seconds, seconds)
    else:
        perf = erlang_c_performance(n, a, aht_seconds, seconds)
    perf = Performance(
        agents=agents.astype(np.int64),
        service_level=perf.service_level,
        asa_seconds=perf.asa_seconds,
        # the share of an agent's chat slots in use
        occupancy=perf.occupancy,
        wait_probability=perf.wait_probability,
        abandonment=perf.abandonment,
    )
    scheduled = np.ceil(agents / (1.0 - shrinkage) - 1e-9).astype(np.int64)
    return Staffing(agents=agents.astype(np.int64), scheduled=scheduled, performance=perf)
