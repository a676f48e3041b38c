"""The definitions of the measures (pure: no Django import). ``docs/metrics.md`` cites each.

Every loyalty measure is computed from counts per score (``{score: count}``), so the same
function serves one conversation, a day's rollup or a year: rollups add counts, never
averages. Percentages are on the 0–100 scale; ``None`` when there is nothing to measure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5 % point of the standard normal distribution

ScoreCounts = Mapping[int, int]


@dataclass(frozen=True)
class Csat:
    value: float | None  # % of answers 4 or 5 among all answers 1–5
    responses: int
    satisfied: int


@dataclass(frozen=True)
class Nps:
    value: float | None  # % promoters (9–10) − % detractors (0–6), −100 … 100
    promoters: int
    passives: int
    detractors: int
    responses: int
    ci95: tuple[float, float] | None  # normal-approximation 95 % interval, clipped to ±100


@dataclass(frozen=True)
class Ces:
    value: float | None  # mean of the 1–7 answers
    easy: float | None  # % of answers 5–7
    responses: int


def _total(counts: ScoreCounts, low: int, high: int) -> int:
    return sum(n for s, n in counts.items() if low <= s <= high)


def csat(counts: ScoreCounts) -> Csat:
    """Customer satisfaction: the share of satisfied answers (4 "satisfied" and 5 "very
    satisfied") among all answers on the 1–5 scale (the "top-two-box" definition)."""
    responses = _total(counts, 1, 5)
    satisfied = _total(counts, 4, 5)
    value = 100.0 * satisfied / responses if responses else None
    return Csat(value, responses, satisfied)


def nps(counts: ScoreCounts) -> Nps:
    """Net Promoter Score (Reichheld, 2003): % promoters (9–10) minus % detractors (0–6)
    on the 0–10 scale. The 95 % interval uses the variance of a difference of two
    multinomial proportions, ``(p_P + p_D − (p_P − p_D)²) / n``."""
    promoters = _total(counts, 9, 10)
    passives = _total(counts, 7, 8)
    detractors = _total(counts, 0, 6)
    n = promoters + passives + detractors
    if not n:
        return Nps(None, 0, 0, 0, 0, None)
    p_p, p_d = promoters / n, detractors / n
    value = 100.0 * (p_p - p_d)
    variance = max(p_p + p_d - (p_p - p_d) ** 2, 0.0) / n
    half = 100.0 * Z95 * math.sqrt(variance)
    ci = (max(value - half, -100.0), min(value + half, 100.0))
    return Nps(value, promoters, passives, detractors, n, ci)


def ces(counts: ScoreCounts) -> Ces:
    """Customer Effort Score on the 7-point agreement scale ("<brand> made it easy to
    handle my issue", 1 strongly disagree … 7 strongly agree): the mean, and the share of
    answers 5–7 (agree)."""
    responses = _total(counts, 1, 7)
    if not responses:
        return Ces(None, None, 0)
    mean = sum(s * n for s, n in counts.items() if 1 <= s <= 7) / responses
    easy = 100.0 * _total(counts, 5, 7) / responses
    return Ces(mean, easy, responses)


def rate(part: int, whole: int) -> float | None:
    """``part`` as a % of ``whole`` (None when ``whole`` is 0)."""
    return 100.0 * part / whole if whole else None


def quantile(values: Iterable[float], q: float) -> float | None:
    """The ``q`` quantile (0 ≤ q ≤ 1) of ``values`` by linear interpolation between the
    closest ranks (the default of NumPy and of PostgreSQL's ``percentile_cont``)."""
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0.0 <= q <= 1.0:
        raise ValueError("q must be within 0 and 1")
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def add_counts(*many: ScoreCounts) -> dict[int, int]:
    """Counts per score of several groups together (what a rollup over them holds)."""
    total: dict[int, int] = {}
    for counts in many:
        for score, n in counts.items():
            total[score] = total.get(score, 0) + n
    return total


# --- times: a quantile sketch that adds up ---------------------------------------------------
#
# A time (seconds ≥ 0) falls in a log-spaced bin: bin 0 holds [0, 1 s), bin k ≥ 1 holds
# [G^(k−1), G^k) with G = 1.05. A bin is read as its geometric middle G^(k−½), so any time
# of 1 s or more is within a factor √G of its bin's value: the relative error of a quantile
# read from counts per bin is at most √1.05 − 1 < 2.5 % (under 1 s: at most 1 s). Counts per
# bin of two groups add, so one hour, a day or a year of a rollup give quantiles the same
# way. 10 years of seconds fit in 400 bins.

GROWTH = 1.05
_LOG_GROWTH = math.log(GROWTH)
RELATIVE_ERROR = math.sqrt(GROWTH) - 1.0


def time_bin(seconds: float) -> int:
    """The histogram bin of a time in seconds (negative times count as 0)."""
    if seconds < 1.0:
        return 0
    k = math.floor(math.log(seconds) / _LOG_GROWTH) + 1
    # guard the floating-point edges: G^(k−1) ≤ seconds < G^k
    if seconds < GROWTH ** (k - 1):
        k -= 1
    elif seconds >= GROWTH**k:
        k += 1
    return k


def bin_value(k: int) -> float:
    """The value a bin stands for: 0 for bin 0, else the geometric middle of its bounds."""
    return 0.0 if k <= 0 else GROWTH ** (k - 0.5)


def nearest_rank(values: Iterable[float], q: float) -> float | None:
    """The nearest-rank ``q`` quantile: the smallest value with at least ``q`` of all values
    at or below it (the median of 1, 2, 3, 4 is 2)."""
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0.0 <= q <= 1.0:
        raise ValueError("q must be within 0 and 1")
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def histogram_quantile(counts: Mapping[int, int], q: float) -> float | None:
    """The nearest-rank ``q`` quantile of the times counted per bin (``{bin: count}``), as
    its bin's value: within ``RELATIVE_ERROR`` of the exact nearest-rank quantile (or 1 s
    for times under 1 s). None without any time."""
    if not 0.0 <= q <= 1.0:
        raise ValueError("q must be within 0 and 1")
    n = sum(c for c in counts.values() if c > 0)
    if not n:
        return None
    rank = max(1, math.ceil(q * n))
    seen = 0
    for k in sorted(counts):
        if counts[k] <= 0:
            continue
        seen += counts[k]
        if seen >= rank:
            return bin_value(k)
    return bin_value(max(counts))  # not reached


def mean(total: float | None, count: int) -> float | None:
    """``total / count`` (None when ``count`` is 0)."""
    return (total or 0.0) / count if count else None
