"""Review scores, pure (no Django).

A scorecard is a list of criteria, each with a weight and a kind:

* ``yes_no_na``: ``"yes"`` counts 1, ``"no"`` 0, ``"na"`` (not applicable) is left out;
* ``scale_1_5``: 1 … 5 maps to 0 … 1 (``(v - 1) / 4``); ``"na"`` is left out too.

The score is the weighted mean of the criteria that apply, times 100: the weights of the
criteria left out are shared among the others (renormalised), so a review where "policy"
did not apply is not pulled down by it. A review where nothing applies has no score.

Handle time is never a criterion: quality reviews coach how a conversation was handled, and
scoring speed teaches agents to hurry customers off (the issue's "handle time is never a
score"); ``is_handle_time`` recognises such a key or label so the services refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

YES_NO_NA = "yes_no_na"
SCALE_1_5 = "scale_1_5"
KINDS = (YES_NO_NA, SCALE_1_5)
NA = "na"
MAX_WEIGHT = 100.0

# Words that name handle time (or speed of handling) in the languages of the UI.
_HANDLE_TIME = re.compile(
    r"(handl\w*[\s_-]*time|\baht\b|average[\s_-]*handl|handling[\s_-]*speed|"
    r"time[\s_-]*to[\s_-]*(handle|resolve)|处理时长|处理时间|通话时长)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    weight: float
    kind: str
    description: str = ""


DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion("empathy", "Empathy", 25, SCALE_1_5, "Acknowledged how the customer felt."),
    Criterion("accuracy", "Accuracy", 25, YES_NO_NA, "What was said was correct."),
    Criterion("resolution", "Resolution", 25, YES_NO_NA, "The problem was solved."),
    Criterion("clarity", "Clarity", 15, SCALE_1_5, "Clear, simple, in the customer's words."),
    Criterion("policy", "Policy", 10, YES_NO_NA, "Granted within the framework."),
)


def is_handle_time(text: str) -> bool:
    """Whether a criterion's key or label names handle time."""
    return bool(_HANDLE_TIME.search(text.replace("_", " ")))


def valid_value(kind: str, value: object) -> bool:
    """Whether ``value`` is an answer of a criterion of ``kind``."""
    if value == NA:
        return True
    if kind == YES_NO_NA:
        return value in ("yes", "no")
    if kind == SCALE_1_5:
        return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5
    return False


def normalise(kind: str, value: object) -> float | None:
    """The answer as 0 … 1; None for N/A."""
    if value == NA or value is None:
        return None
    if kind == YES_NO_NA:
        return 1.0 if value == "yes" else 0.0
    if kind == SCALE_1_5 and isinstance(value, int | float):
        return (float(value) - 1.0) / 4.0
    raise ValueError(f"not a {kind} answer: {value!r}")


def weighted_score(criteria: Sequence[Criterion], scores: Mapping[str, object]) -> float | None:
    """0 … 100: the weighted mean of the criteria answered and applicable; None when none
    applies (or every applicable weight is 0). A criterion not answered counts as N/A."""
    total = 0.0
    weights = 0.0
    for c in criteria:
        v = normalise(c.kind, scores.get(c.key, NA))
        if v is None or c.weight <= 0:
            continue
        total += c.weight * v
        weights += c.weight
    if weights <= 0:
        return None
    return round(100.0 * total / weights, 2)
