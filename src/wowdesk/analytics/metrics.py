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
