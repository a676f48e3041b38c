"""The pure intent classifier (wowdesk.knowledge.intent): probabilities, threshold, OOS, storage."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from tests.knowledge.intent_examples import EXAMPLES, OUT_OF_SCOPE, rows
from wowdesk.knowledge import intent as I

UNSEEN = {
    "card_arrival": ["my card hasn't shown up in the post", "is my card on its way?"],
    "reset_password": ["I cannot remember my password", "reset password"],
    "refund": ["give me a refund", "I'd like to be refunded"],
    "cancel_order": ["cancel the order please", "I need to cancel my order now"],
    "opening_hours": ["when do you open tomorrow", "what are the hours of the store"],
    "change_address": ["please change my address", "I need to update my address"],
}
FAR_AWAY = ["how far is the moon from the earth", "sing me a lullaby about dragons"]


@pytest.fixture(scope="module")
def lexical() -> I.IntentModel:
    texts, labels = rows()
    return I.fit(texts, labels, oos_texts=OUT_OF_SCOPE, use_embeddings=False)


@pytest.fixture(scope="module")
def full() -> I.IntentModel:
    texts, labels = rows()
    return I.fit(texts, labels, oos_texts=OUT_OF_SCOPE)


def test_labels_are_the_intents_and_the_out_of_scope_class(lexical: I.IntentModel) -> None:
    assert set(lexical.labels) == {*EXAMPLES, I.OUT_OF_SCOPE}


@pytest.mark.parametrize("which", ["lexical", "full"])
def test_probabilities_sum_to_one(which: str, request: pytest.FixtureRequest) -> None:
    model: I.IntentModel = request.getfixturevalue(which)
    texts = [t for ts in UNSEEN.values() for t in ts] + FAR_AWAY + ["", "?", "ok " * 3000]
    p = model.probabilities(texts)
    assert p.shape == (len(texts), len(model.labels))
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("which", ["lexical", "full"])
def test_unseen_phrasings_get_their_intent(which: str, request: pytest.FixtureRequest) -> None:
    model: I.IntentModel = request.getfixturevalue(which)
    texts = [t for ts in UNSEEN.values() for t in ts]
    truth = [label for label, ts in UNSEEN.items() for _ in ts]
    predictions = model.predict(texts, threshold=0.0)
    right = sum(p.label == t for p, t in zip(predictions, truth, strict=True))
    assert right >= len(texts) - 2, [(p.label, t) for p, t in zip(predictions, truth, strict=True)]


def test_out_of_scope_text_is_out_of_scope(full: I.IntentModel) -> None:
    for text in [*FAR_AWAY, "what's the population of brazil", "write a poem about autumn"]:
        prediction = full.predict([text])[0]
        assert prediction.out_of_scope, (text, prediction)
        assert prediction.intent is None


def test_below_the_threshold_is_out_of_scope(lexical: I.IntentModel) -> None:
    text = UNSEEN["refund"][0]
    best = lexical.predict([text], threshold=0.0)[0]
    assert best.intent == "refund" and not best.out_of_scope
    above = lexical.predict([text], threshold=min(1.0, best.confidence + 0.01))[0]
    assert above.out_of_scope and above.intent is None and above.label == "refund"


@pytest.mark.parametrize("which", ["lexical", "full"])
def test_raising_the_threshold_never_raises_coverage(
    which: str, request: pytest.FixtureRequest
) -> None:
    model: I.IntentModel = request.getfixturevalue(which)
    texts = [t for ts in UNSEEN.values() for t in ts] + FAR_AWAY + OUT_OF_SCOPE[:3]
    p = model.probabilities(texts)
    coverage = [
        sum(not d.out_of_scope for d in model.decide(p, threshold))
        for threshold in np.linspace(0.0, 1.0, 41)
    ]
    assert coverage[0] > 0
    assert all(a >= b for a, b in itertools.pairwise(coverage))
    assert coverage[-1] <= 1  # a probability of exactly 1 at most


def test_saved_model_predicts_the_same(tmp_path: Path, lexical: I.IntentModel) -> None:
    path = tmp_path / "models" / "intent.npz"
    lexical.save(path)
    again = I.IntentModel.read(path)
    assert again is not None
    assert again.labels == lexical.labels and again.digest == lexical.digest
    texts = [t for ts in UNSEEN.values() for t in ts] + FAR_AWAY
    np.testing.assert_allclose(again.probabilities(texts), lexical.probabilities(texts), atol=1e-5)
    assert not list(tmp_path.glob("models/.intent-*"))  # no temp file left behind


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_unreadable_file_reads_as_no_model(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "m.npz"
    path.write_bytes(content)
    assert I.IntentModel.read(path) is None
    assert I.IntentModel.read(tmp_path / "missing.npz") is None


def test_digest_ignores_order_and_sees_any_change() -> None:
    texts, labels = rows()
    d = I.digest_of(texts, labels)
    assert I.digest_of(texts[::-1], labels[::-1]) == d
    assert I.digest_of(texts[:-1], labels[:-1]) != d
    changed = list(labels)
    changed[0] = "refund"
    assert I.digest_of(texts, changed) != d


def test_calibration_fits_a_threshold_and_a_temperature_on_held_out_rows() -> None:
    # enough rows to calibrate: each example repeated with small variations
    texts, labels = rows()
    many = [
        f"{t} {suffix}"
        for t in texts
        for suffix in ("", "please", "thanks", "hello", "asap", "now", "today")
    ]
    many_labels = [lab for lab in labels for _ in range(7)]
    model = I.fit(many, many_labels, oos_texts=OUT_OF_SCOPE * 3, use_embeddings=False)
    assert model.info["calibration_rows"] > 0
    assert 0.0 < model.threshold <= 1.0
    assert model.temperature != I.DEFAULT_TEMPERATURE


def test_answering_threshold_keeps_precision() -> None:
    confidence = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5])
    correct = np.array([True, True, True, True, False, True, False])
    threshold = I.answering_threshold(confidence, correct, target=0.97)
    answered = confidence >= threshold
    assert correct[answered].mean() >= 0.97
    assert threshold == 0.8
    assert I.answering_threshold(confidence, ~correct | True, target=0.97) == 0.5
    assert I.answering_threshold(np.array([0.9]), np.array([False])) == 1.0


@pytest.mark.parametrize(
    ("texts", "labels"),
    [([], []), (["a"], []), (["a", "b"], ["x"])],
)
def test_bad_training_input_is_refused(texts: list[str], labels: list[str]) -> None:
    with pytest.raises(ValueError):
        I.fit(texts, labels, use_embeddings=False)


def test_a_single_intent_still_gives_probabilities() -> None:
    model = I.fit(["reset my password", "forgot password"], ["pw", "pw"], use_embeddings=False)
    p = model.probabilities(["password"])
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert model.predict(["password"])[0].intent == "pw"
