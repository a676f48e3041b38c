"""The score of a role-play: outcomes per criterion, feedback that quotes the trainee, the
scorecard's weights with a fallback."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.training.test_simulator import EMPATHIC_CORRECT, LAMP, PHRASES, play
from wowdesk.training import scoring


def result_of(messages: list[str], weights: dict[str, float] | None = None) -> scoring.Result:
    turns = play(LAMP, messages)
    state = turns[-1].state
    return scoring.score(messages, state.log, LAMP, state.outcome, weights)


def test_a_good_session_scores_high_and_says_why() -> None:
    r = result_of([EMPATHIC_CORRECT])
    assert r.total >= 85
    c = r.criteria
    assert c["empathy"].score == 1.0 and "sorry" in c["empathy"].params["quote"]
    assert c["resolution"].score == 1.0
    assert c["accuracy"].msgid.startswith("You covered every key point")
    assert c["policy"].score == 1.0 and c["clarity"].score == 1.0


def test_a_rude_session_scores_low_and_quotes_the_rudeness() -> None:
    r = result_of(["Calm down, it's your fault.", "Whatever."])
    assert r.total < 40
    assert r.criteria["empathy"].score == 0.0
    assert "Calm down" in r.criteria["empathy"].params["quote"]
    assert r.criteria["resolution"].score <= 0.3
    assert "send a new shade" in r.criteria["accuracy"].params["missing"]


def test_a_policy_breach_costs_the_policy_criterion() -> None:
    r = result_of(["I'm sorry. I will refund 90 EUR and send a new shade."])
    assert r.criteria["policy"].score == 0.0
    assert "90 EUR > 50 EUR" in r.criteria["policy"].params["breach"]


def test_long_sentences_cost_clarity() -> None:
    long = " ".join(["word"] * 60) + "."
    r = result_of([long])
    assert r.criteria["clarity"].score == 0.0 and r.criteria["clarity"].params["words"] == 60


def test_scorecard_weights_and_fallback() -> None:
    assert scoring.weights_for(None) == scoring.weights_for({"speed": 3.0})
    assert abs(sum(scoring.weights_for(None).values()) - 1) < 1e-9
    only_policy = result_of(["I'll refund 99 EUR."], {"policy": 1.0})
    assert only_policy.total == 0.0
    only_clarity = result_of(["I'll refund 99 EUR."], {"clarity": 2.0, "handle_time": 5})
    assert only_clarity.total == 100.0


@given(st.lists(st.sampled_from(PHRASES), min_size=1, max_size=12))
def test_score_is_within_0_and_100(messages: list[str]) -> None:
    r = result_of(messages)
    assert 0 <= r.total <= 100
    assert set(r.criteria) == set(scoring.CRITERIA)
    for c in r.criteria.values():
        assert 0 <= c.score <= 1
        assert c.msgid % c.params if c.params else c.msgid


def test_scorecard_weights_fall_back_without_a_scorecard() -> None:
    from wowdesk.training.services import scorecard_weights

    assert scorecard_weights(None) is None
