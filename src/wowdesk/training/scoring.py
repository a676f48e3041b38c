"""The score of a finished role-play (pure: no Django import).

:func:`score` takes the trainee's messages, the simulator's analysis of each (``State.log``),
the outcome and the scenario's brief, and rates five criteria, each 0..1 with a feedback
sentence that quotes what the trainee did or missed:

* ``empathy`` — acknowledging the customer (share of empathic messages, the first one
  counts most); rudeness or blame costs half;
* ``accuracy`` — the key points covered and how well the answers are grounded in the
  scenario's facts and the brand's knowledge base (BM25, ``simulator.GROUNDED``);
* ``resolution`` — the expected resolution offered (1 when the customer accepted it; an
  escalation caps it at 0.3);
* ``clarity`` — sentence length: up to 20 words a sentence is clear, 45 or more is not;
* ``policy`` — within the limits (0 when any offer went beyond them).

The total is the weighted mean × 100: the weights of the scenario's scorecard where it names
these criteria, else :data:`DEFAULT_WEIGHTS`. Handle time is never a score.

Feedback is a *spec* (``{"msgid", "params"}``, ``core.i18n``): translated when shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wowdesk.training.simulator import GROUNDED, Brief

CRITERIA: tuple[str, ...] = ("empathy", "accuracy", "resolution", "clarity", "policy")
DEFAULT_WEIGHTS: dict[str, float] = {
    "empathy": 0.25,
    "accuracy": 0.25,
    "resolution": 0.25,
    "clarity": 0.1,
    "policy": 0.15,
}
CLEAR_WORDS = 20
UNCLEAR_WORDS = 45
QUOTE_CHARS = 80


def gettext_noop(message: str) -> str:
    """Marks a message id for the catalog; translated when the feedback is shown."""
    return message


@dataclass(frozen=True)
class Criterion:
    score: float
    msgid: str
    params: dict[str, Any]

    def spec(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": self.params}


@dataclass(frozen=True)
class Result:
    total: float  # 0..100
    criteria: dict[str, Criterion]


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def empathy(messages: Sequence[str], log: Sequence[Mapping[str, Any]]) -> Criterion:
    if not log:
        return Criterion(0.0, gettext_noop("You did not answer the customer."), {})
    rude = [i for i, a in enumerate(log) if a.get("rude")]
    kind = [
        i for i, a in enumerate(log) if (a.get("empathy") or a.get("named")) and not a.get("rude")
    ]
    first = 1.0 if 0 in kind else 0.0
    value = _clip(0.5 * first + 0.5 * len(kind) / len(log) + (0.25 if kind and not first else 0.0))
    if rude:
        value = _clip(value - 0.5)
        return Criterion(
            value,
            gettext_noop('You wrote "%(quote)s", which reads as blame or rudeness.'),
            {"quote": quote(messages[rude[0]])},
        )
    if kind:
        return Criterion(
            value,
            gettext_noop('You acknowledged the customer: "%(quote)s".'),
            {"quote": quote(messages[kind[0]])},
        )
    return Criterion(
        0.0,
        gettext_noop(
            "You never acknowledged how the customer feels: an apology or "
            '"I understand" would have helped.'
        ),
        {},
    )


def accuracy(log: Sequence[Mapping[str, Any]], brief: Brief, messages: Sequence[str]) -> Criterion:
    covered = list(dict.fromkeys(p for a in log for p in a.get("points", ())))
    best = max((float(a.get("grounded", 0.0)) for a in log), default=0.0)
    grounding = _clip(best / (2 * GROUNDED))
    if brief.key_points:
        share = len(covered) / len(brief.key_points)
        value = _clip(0.8 * share + 0.2 * grounding)
    else:
        value = grounding
    missing = [p for p in brief.key_points if p not in covered]
    if missing:
        return Criterion(
            value,
            gettext_noop("You did not mention: %(missing)s."),
            {"missing": "; ".join(quote(p, 40) for p in missing)},
        )
    if brief.key_points:
        return Criterion(
            value,
            gettext_noop("You covered every key point: %(points)s."),
            {"points": "; ".join(quote(p, 40) for p in covered)},
        )
    if best >= GROUNDED and messages:
        i = max(range(len(log)), key=lambda k: float(log[k].get("grounded", 0.0)))
        return Criterion(
            value,
            gettext_noop('Your answer matches the facts and the help articles: "%(quote)s".'),
            {"quote": quote(messages[i])},
        )
    return Criterion(
        value,
        gettext_noop("Your answers did not use the facts of the case or the help articles."),
        {},
    )


def resolution(
    log: Sequence[Mapping[str, Any]], brief: Brief, outcome: str, messages: Sequence[str]
) -> Criterion:
    offered = [i for i, a in enumerate(log) if a.get("offers_resolution")]
    best = max((float(a.get("resolution", 0.0)) for a in log), default=0.0)
    if outcome == "accepted":
        i = offered[-1] if offered else len(messages) - 1
        return Criterion(
            1.0,
            gettext_noop('The customer accepted your resolution: "%(quote)s".'),
            {"quote": quote(messages[i]) if messages else ""},
        )
    value = 0.6 if offered else _clip(best)
    if outcome == "escalated":
        value = min(value, 0.3)
        return Criterion(
            value,
            gettext_noop(
                'The customer asked for a manager. The expected resolution: "%(expected)s".'
            ),
            {"expected": quote(brief.expected_resolution, 160)},
        )
    if offered:
        return Criterion(
            value,
            gettext_noop(
                "You offered the resolution, but the customer was not yet calm enough to accept it."
            ),
            {},
        )
    return Criterion(
        value,
        gettext_noop('You did not offer the expected resolution: "%(expected)s".'),
        {"expected": quote(brief.expected_resolution, 160)},
    )


def clarity(messages: Sequence[str], log: Sequence[Mapping[str, Any]]) -> Criterion:
    if not log:
        return Criterion(0.0, gettext_noop("You did not answer the customer."), {})
    per = [float(a.get("words", 0)) / max(1, int(a.get("sentences", 1))) for a in log]
    mean = sum(per) / len(per)
    value = (
        _clip(1 - (mean - CLEAR_WORDS) / (UNCLEAR_WORDS - CLEAR_WORDS))
        if mean > CLEAR_WORDS
        else 1.0
    )
    worst = max(range(len(per)), key=per.__getitem__)
    if value < 1.0:
        return Criterion(
            value,
            gettext_noop('Your sentences are long (%(words)s words on average), e.g. "%(quote)s".'),
            {"words": round(mean), "quote": quote(messages[worst])},
        )
    return Criterion(
        value,
        gettext_noop("Your messages were short and clear (%(words)s words a sentence)."),
        {"words": round(mean)},
    )


def policy(log: Sequence[Mapping[str, Any]], brief: Brief) -> Criterion:
    found = [b for a in log for b in a.get("breaches", ())]
    if found:
        return Criterion(
            0.0,
            gettext_noop("You offered more than the policy allows: %(breach)s."),
            {"breach": "; ".join(dict.fromkeys(found))},
        )
    if brief.limits:
        return Criterion(1.0, gettext_noop("You stayed within the policy limits."), {})
    return Criterion(
        1.0, gettext_noop("No policy limit applied, and you offered nothing beyond one."), {}
    )


def weights_for(scorecard: Mapping[str, float] | None) -> dict[str, float]:
    """The weights to combine with: the scorecard's for the criteria it names (by key),
    else the defaults. Always positive and summing to 1."""
    chosen = {k: float(v) for k, v in (scorecard or {}).items() if k in CRITERIA and float(v) > 0}
    if not chosen:
        chosen = dict(DEFAULT_WEIGHTS)
    total = sum(chosen.values())
    return {k: v / total for k, v in chosen.items()}


def score(
    messages: Sequence[str],
    log: Sequence[Mapping[str, Any]],
    brief: Brief,
    outcome: str,
    weights: Mapping[str, float] | None = None,
) -> Result:
    """The trainee's score (0..100) and per-criterion feedback (see the module's docstring)."""
    messages = list(messages)[: len(log)] + [""] * max(0, len(log) - len(messages))
    criteria = {
        "empathy": empathy(messages, log),
        "accuracy": accuracy(log, brief, messages),
        "resolution": resolution(log, brief, outcome, messages),
        "clarity": clarity(messages, log),
        "policy": policy(log, brief),
    }
    w = weights_for(weights)
    total = 100 * sum(criteria[k].score * v for k, v in w.items())
    return Result(total=round(max(0.0, min(100.0, total)), 1), criteria=criteria)
