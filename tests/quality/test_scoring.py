"""``quality.scoring`` (pure): weights, N/A renormalised, the kinds' scales, never handle
time; property-tested."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wowdesk.quality import scoring
from wowdesk.quality.scoring import SCALE_1_5, YES_NO_NA, Criterion

CARD = [
    Criterion("empathy", "Empathy", 25, SCALE_1_5),
    Criterion("accuracy", "Accuracy", 25, YES_NO_NA),
    Criterion("resolution", "Resolution", 25, YES_NO_NA),
    Criterion("clarity", "Clarity", 15, SCALE_1_5),
    Criterion("policy", "Policy", 10, YES_NO_NA),
]


def test_rule_outcomes() -> None:
    assert (
        scoring.weighted_score(
            CARD, {k.key: "yes" for k in CARD if k.kind == YES_NO_NA} | {"empathy": 5, "clarity": 5}
        )
        == 100.0
    )
    assert scoring.weighted_score(CARD, {"accuracy": "no"}) == 0.0  # the rest N/A
    # N/A leaves the weights out: policy N/A, the others full → 100
    full = {"empathy": 5, "accuracy": "yes", "resolution": "yes", "clarity": 5, "policy": "na"}
    assert scoring.weighted_score(CARD, full) == 100.0
    # 1–5 maps to 0 … 1
    assert scoring.weighted_score([CARD[0]], {"empathy": 3}) == 50.0
    assert scoring.weighted_score([CARD[0]], {"empathy": 1}) == 0.0
    assert scoring.weighted_score(CARD, {}) is None
    assert scoring.weighted_score(CARD, {k.key: "na" for k in CARD}) is None
    # (25*1 + 25*0) / 50
    assert scoring.weighted_score(CARD, {"accuracy": "yes", "resolution": "no"}) == 50.0


def test_valid_values() -> None:
    assert scoring.valid_value(YES_NO_NA, "yes") and scoring.valid_value(YES_NO_NA, "na")
    assert not scoring.valid_value(YES_NO_NA, 1) and not scoring.valid_value(YES_NO_NA, "maybe")
    assert scoring.valid_value(SCALE_1_5, 1) and scoring.valid_value(SCALE_1_5, 5)
    for bad in (0, 6, 2.5, True, "3", None):
        assert not scoring.valid_value(SCALE_1_5, bad)


def test_handle_time_is_never_a_criterion() -> None:
    for text in (
        "handle_time",
        "Handle time",
        "AHT",
        "Average handling time",
        "处理时长",
        "time to resolve",
        "handling-speed",
    ):
        assert scoring.is_handle_time(text), text
    for text in ("empathy", "Resolution", "policy", "Chat handling", "Time zone care"):
        assert not scoring.is_handle_time(text), text


answers = st.fixed_dictionaries(
    {},
    optional={
        "empathy": st.sampled_from([1, 2, 3, 4, 5, "na"]),
        "accuracy": st.sampled_from(["yes", "no", "na"]),
        "resolution": st.sampled_from(["yes", "no", "na"]),
        "clarity": st.sampled_from([1, 2, 3, 4, 5, "na"]),
        "policy": st.sampled_from(["yes", "no", "na"]),
    },
)


@given(answers)
def test_score_is_within_0_100_and_na_is_like_absent(scores: dict[str, object]) -> None:
    s = scoring.weighted_score(CARD, scores)
    assert s is None or 0 <= s <= 100
    present = {k: v for k, v in scores.items() if v != "na"}
    assert scoring.weighted_score(CARD, present) == s


@given(answers, st.floats(min_value=0.1, max_value=50))
def test_scaling_every_weight_changes_nothing(scores: dict[str, object], factor: float) -> None:
    scaled = [Criterion(c.key, c.label, c.weight * factor, c.kind) for c in CARD]
    a, b = scoring.weighted_score(CARD, scores), scoring.weighted_score(scaled, scores)
    assert (a is None and b is None) or abs(a - b) < 0.02  # type: ignore[operator]


@given(answers)
def test_a_better_answer_never_lowers_the_score(scores: dict[str, object]) -> None:
    before = scoring.weighted_score(CARD, scores)
    if before is None or scores.get("accuracy") != "no":
        return
    after = scoring.weighted_score(CARD, {**scores, "accuracy": "yes"})
    assert after is not None and after >= before
