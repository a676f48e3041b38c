"""How much reviewers agree, pure (no Django).

``alpha`` is Krippendorff's alpha (Krippendorff, K. (2011). *Computing Krippendorff's
Alpha-Reliability*. Annenberg School for Communication, University of Pennsylvania,
https://repository.upenn.edu/asc_papers/43), computed from the coincidence matrix, with
missing values allowed: ``1 - D_o / D_e``, observed over expected disagreement. The metric
is ``nominal``, ``ordinal`` or ``interval``. The paper's worked example (4 observers, 12
units, values 1–5 with gaps) gives α = 0.743 nominal, 0.815 ordinal, 0.849 interval; the
tests reproduce them.

In a calibration session the units are the scorecard's criteria and the coders the
reviewers; answers are normalised to 0 … 1 (``quality.scoring.normalise``) and compared
with the interval metric; N/A is a missing value.

``percent_agreement``: of all pairs of values given to the same unit, the share that are
equal (the plain figure people read next to alpha).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import permutations

Value = float
Units = Sequence[Sequence[Value | None]]  # one row per unit, one value (or None) per coder

METRICS = ("nominal", "ordinal", "interval")


def _pairable(units: Units) -> list[list[Value]]:
    return [vals for vals in ([v for v in u if v is not None] for u in units) if len(vals) >= 2]


def alpha(units: Units, metric: str = "interval") -> float | None:
    """Krippendorff's alpha over ``units``; None when fewer than two values are pairable
    (nothing to compare). Every value the same (no variation): 1.0 — the coders agree."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    rows = _pairable(units)
    if not rows:
        return None
    o: dict[tuple[Value, Value], float] = defaultdict(float)
    for vals in rows:
        m = len(vals)
        for a, b in permutations(range(m), 2):
            o[(vals[a], vals[b])] += 1.0 / (m - 1)
    n_c: dict[Value, float] = defaultdict(float)
    for (c, _k), w in o.items():
        n_c[c] += w
    n = sum(n_c.values())
    values = sorted(n_c)
    if len(values) == 1:
        return 1.0

    if metric == "nominal":

        def delta(c: Value, k: Value) -> float:
            return 0.0 if c == k else 1.0

    elif metric == "interval":

        def delta(c: Value, k: Value) -> float:
            return (c - k) ** 2

    else:
        rank = {v: i for i, v in enumerate(values)}
        cum = [0.0]
        for v in values:
            cum.append(cum[-1] + n_c[v])

        def delta(c: Value, k: Value) -> float:
            i, j = sorted((rank[c], rank[k]))
            between = cum[j + 1] - cum[i]  # n_g for g from c to k, inclusive
            return (between - (n_c[c] + n_c[k]) / 2.0) ** 2

    d_o = sum(w * delta(c, k) for (c, k), w in o.items()) / n
    d_e = sum(n_c[c] * n_c[k] * delta(c, k) for c in values for k in values) / (n * (n - 1))
    if d_e == 0:
        return 1.0
    return 1.0 - d_o / d_e


def percent_agreement(units: Units) -> float | None:
    """The share (0 … 1) of pairs of values of the same unit that are equal; None when no
    unit has two values."""
    agree = 0
    pairs = 0
    for vals in _pairable(units):
        for i in range(len(vals)):
            for j in range(i + 1, len(vals)):
                pairs += 1
                agree += vals[i] == vals[j]
    return agree / pairs if pairs else None
