"""Intent recognition with out-of-scope detection. Pure module (no Django).

Method and measured accuracy: ``docs/knowledge-intent.md``.

* Features: TF-IDF of word 1–2-grams and of character 2–5-grams (``char_wb``: within word
  boundaries, so misspellings and inflections still share features), concatenated with a
  multilingual sentence embedding (``wowdesk.intelligence.emotion.embed``: 512 numbers,
  Universal Sentence Encoder Multilingual, shipped inside its wheel) scaled by
  :data:`EMBEDDING_WEIGHT`. The lexical part catches the exact wording of a domain ("top up",
  "PIN"), the embedding the paraphrases and the other languages.
* A linear SVM (one-vs-rest, scikit-learn's ``LinearSVC``) over those features; one class per
  intent plus :data:`OUT_OF_SCOPE` when out-of-scope examples are given.
* Probabilities: a softmax of the SVM scores times a temperature fitted on a held-out part of
  the training data (minimum log-loss), so they sum to 1 and mean roughly what they say.
* The answering threshold: on the same held-out part (with half of the out-of-scope examples,
  weighted to :data:`OOS_WEIGHT_SHARE` of the rows), the lowest maximum probability at which the
  answered texts are :data:`CALIBRATION_TARGET` right (a margin over the bot's
  :data:`TARGET_PRECISION`; out-of-scope texts answered count as wrong). Below it, or when the
  best class is :data:`OUT_OF_SCOPE`, the text is out of scope. Small training sets (a brand's
  few articles) keep :data:`DEFAULT_TEMPERATURE` and :data:`DEFAULT_THRESHOLD`.

The trained model is stored as plain arrays (``.npz``, no pickle): the vocabularies, IDF
weights, SVM weights, temperature and threshold.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

OUT_OF_SCOPE = "oos"
FORMAT_VERSION = 1
#: Scale of the (L2-normalised) sentence embedding beside the TF-IDF blocks (each of norm 1).
EMBEDDING_WEIGHT = 2.0
#: The SVM's C (inverse regularisation).
SVM_C = 1.0
DEFAULT_TEMPERATURE = 5.0
DEFAULT_THRESHOLD = 0.5
TARGET_PRECISION = 0.97
#: Share of the training rows held out to fit the temperature and the threshold (of the
#: out-of-scope rows, usually few, half).
CALIBRATION_SHARE = 0.15
OOS_CALIBRATION_SHARE = 0.5
#: The threshold is fitted for this precision on the held-out rows: a margin over
#: :data:`TARGET_PRECISION` for the optimism of picking the threshold on those same rows.
CALIBRATION_TARGET = 0.98
#: On the held-out rows, the out-of-scope ones weigh together this share of all (a bot meets
#: more of them than a training set holds).
OOS_WEIGHT_SHARE = 0.1
#: Fewer training rows than this (or fewer than 4 per class): keep the defaults.
MIN_ROWS_TO_CALIBRATE = 300
MAX_CHARS = 2000
SEED = 0

FloatArray = npt.NDArray[np.float64]
Embedder = Callable[[Sequence[str]], npt.NDArray[np.float32]]


def default_embedder(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    from wowdesk.intelligence.emotion import embed

    return embed(texts)


def normalise(text: str) -> str:
    return " ".join(text[:MAX_CHARS].split())


@dataclass(frozen=True)
class Prediction:
    intent: str | None  # None when out of scope
    label: str  # the best class (may be OUT_OF_SCOPE)
    confidence: float  # probability of the best class
    out_of_scope: bool


def _softmax(z: FloatArray) -> FloatArray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _vectorizers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32
    )
    return words, chars


@dataclass
class IntentModel:
    labels: tuple[str, ...]
    words: Any  # fitted TfidfVectorizer
    chars: Any
    coef: npt.NDArray[np.float32]  # (classes, features)
    intercept: npt.NDArray[np.float32]
    temperature: float = DEFAULT_TEMPERATURE
    threshold: float = DEFAULT_THRESHOLD
    digest: str = ""
    use_embeddings: bool = True
    info: dict[str, Any] = field(default_factory=dict)

    # --- scoring ---------------------------------------------------------------------------

    def features(
        self,
        texts: Sequence[str],
        embeddings: npt.NDArray[np.float32] | None = None,
        embedder: Embedder | None = None,
    ) -> Any:
        return _features(self.words, self.chars, texts, embeddings, embedder, self.use_embeddings)

    def scores(self, x: Any) -> FloatArray:
        return np.asarray(x @ self.coef.T, dtype=np.float64) + self.intercept

    def probabilities(
        self,
        texts: Sequence[str],
        embeddings: npt.NDArray[np.float32] | None = None,
        embedder: Embedder | None = None,
    ) -> FloatArray:
        """One row per text, one column per label (:attr:`labels`); rows sum to 1."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        return _softmax(self.temperature * self.scores(self.features(texts, embeddings, embedder)))

    def decide(self, probabilities: FloatArray, threshold: float | None = None) -> list[Prediction]:
        limit = self.threshold if threshold is None else threshold
        out = []
        for row in probabilities:
            best = int(np.argmax(row))
            label = self.labels[best]
            confidence = float(row[best])
            oos = label == OUT_OF_SCOPE or confidence < limit
            out.append(Prediction(None if oos else label, label, round(confidence, 4), oos))
        return out

    def predict(
        self,
        texts: Sequence[str],
        *,
        threshold: float | None = None,
        embeddings: npt.NDArray[np.float32] | None = None,
        embedder: Embedder | None = None,
    ) -> list[Prediction]:
        return self.decide(self.probabilities(texts, embeddings, embedder), threshold)

    # --- storage ---------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename) so a reader never sees half a file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".intent-", suffix=".npz", dir=path.parent)
        meta = {
            "version": FORMAT_VERSION,
            "labels": list(self.labels),
            "temperature": self.temperature,
            "threshold": self.threshold,
            "digest": self.digest,
            "use_embeddings": self.use_embeddings,
            "info": self.info,
        }
        arrays: dict[str, Any] = {
            "meta": np.array(json.dumps(meta)),
            "coef": self.coef.astype(np.float32),
            "intercept": self.intercept.astype(np.float32),
        }
        for name, vectorizer in (("words", self.words), ("chars", self.chars)):
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            arrays[f"{name}_terms"] = np.array(terms, dtype=str)
            arrays[f"{name}_idf"] = vectorizer.idf_.astype(np.float32)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez_compressed(handle, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def read(cls, path: Path) -> IntentModel | None:
        """The model stored at ``path``, or None when absent, of another format or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("version") != FORMAT_VERSION:
                    return None
                words, chars = _vectorizers()
                for name, vectorizer in (("words", words), ("chars", chars)):
                    terms = z[f"{name}_terms"].tolist()
                    vectorizer.vocabulary_ = {t: i for i, t in enumerate(terms)}
                    vectorizer.idf_ = z[f"{name}_idf"].astype(np.float64)
                return cls(
                    labels=tuple(meta["labels"]),
                    words=words,
                    chars=chars,
                    coef=z["coef"],
                    intercept=z["intercept"],
                    temperature=float(meta["temperature"]),
                    threshold=float(meta["threshold"]),
                    digest=str(meta["digest"]),
                    use_embeddings=bool(meta["use_embeddings"]),
                    info=dict(meta.get("info") or {}),
                )
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile):
            return None


def _features(
    words: Any,
    chars: Any,
    texts: Sequence[str],
    embeddings: npt.NDArray[np.float32] | None,
    embedder: Embedder | None,
    use_embeddings: bool,
) -> Any:
    from scipy.sparse import csr_matrix, hstack

    cleaned = [normalise(t) for t in texts]
    blocks = [words.transform(cleaned), chars.transform(cleaned)]
    if use_embeddings:
        if embeddings is None:
            embeddings = (embedder or default_embedder)(cleaned)
        blocks.append(csr_matrix(np.asarray(embeddings, dtype=np.float32) * EMBEDDING_WEIGHT))
    return hstack(blocks, format="csr", dtype=np.float32)


def digest_of(texts: Sequence[str], labels: Sequence[str]) -> str:
    """Fingerprint of a training set (order-independent) and of this module's format."""
    h = hashlib.sha256(f"v{FORMAT_VERSION}".encode())
    for row in sorted(f"{label}\t{text}" for text, label in zip(texts, labels, strict=True)):
        h.update(row.encode("utf-8", "replace"))
        h.update(b"\n")
    return h.hexdigest()[:16]


def _fit_svm(x: Any, y: Sequence[str]) -> tuple[tuple[str, ...], Any, Any]:
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=SVM_C, random_state=SEED).fit(x, np.asarray(y))
    classes = tuple(str(c) for c in svm.classes_)
    coef = np.asarray(svm.coef_, dtype=np.float32)
    intercept = np.asarray(svm.intercept_, dtype=np.float32)
    if len(classes) == 2:  # binary LinearSVC gives one row: score of classes[1]
        coef = np.vstack([-coef, coef])
        intercept = np.array([-intercept[0], intercept[0]], dtype=np.float32)
    return classes, coef, intercept


def fit_temperature(scores: FloatArray, truth: npt.NDArray[np.int64]) -> float:
    """The softmax temperature minimising the log-loss of ``scores`` (grid, then refined)."""

    def loss(t: float) -> float:
        p = _softmax(t * scores)
        return float(-np.log(np.clip(p[np.arange(len(truth)), truth], 1e-12, None)).mean())

    grid = np.geomspace(0.5, 200.0, 40)
    best = float(min(grid, key=loss))
    fine = np.linspace(best / 1.2, best * 1.2, 21)
    return float(min(fine, key=loss))


def answering_threshold(
    confidence: FloatArray,
    correct: npt.NDArray[np.bool_],
    target: float = TARGET_PRECISION,
    weights: FloatArray | None = None,
) -> float:
    """The lowest confidence whose answers (every row at or above it) are ≥ ``target`` right.

    ``correct`` is False for a wrong intent and for out-of-scope text given an intent;
    ``weights`` (default 1) count some rows more than others. 1.0 when no threshold reaches it.
    """
    if len(confidence) == 0:
        return DEFAULT_THRESHOLD
    w = np.ones(len(confidence)) if weights is None else np.asarray(weights, dtype=np.float64)
    order = np.argsort(-confidence, kind="stable")
    precision = np.cumsum(w[order] * correct[order]) / np.cumsum(w[order])
    ok = np.nonzero(precision >= target)[0]
    if len(ok) == 0:
        return 1.0
    return float(confidence[order][ok[-1]])


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    oos_texts: Sequence[str] = (),
    embeddings: npt.NDArray[np.float32] | None = None,
    oos_embeddings: npt.NDArray[np.float32] | None = None,
    embedder: Embedder | None = None,
    use_embeddings: bool = True,
    calibrate: bool | None = None,
    target_precision: float = CALIBRATION_TARGET,
) -> IntentModel:
    """Train on ``texts``/``labels`` (plus ``oos_texts`` as the out-of-scope class).

    ``embeddings`` (and ``oos_embeddings``) may be given precomputed, row for row.
    """
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    if not texts:
        raise ValueError("no training examples")
    all_texts = [normalise(t) for t in [*texts, *oos_texts]]
    all_labels = [*labels, *([OUT_OF_SCOPE] * len(oos_texts))]
    emb: npt.NDArray[np.float32] | None = None
    if use_embeddings:
        if embeddings is not None and (oos_embeddings is not None or not oos_texts):
            parts = [embeddings]
            if oos_texts and oos_embeddings is not None:
                parts.append(oos_embeddings)
            emb = np.vstack(parts).astype(np.float32)
        else:
            emb = (embedder or default_embedder)(all_texts)
    digest = digest_of(all_texts, all_labels)
    counts = Counter(all_labels)
    if calibrate is None:
        calibrate = len(all_texts) >= MIN_ROWS_TO_CALIBRATE and min(counts.values()) >= 4
    temperature, threshold = DEFAULT_TEMPERATURE, DEFAULT_THRESHOLD
    info: dict[str, Any] = {"rows": len(all_texts), "classes": len(counts)}
    if calibrate:
        rng = np.random.default_rng(SEED)
        held = np.zeros(len(all_texts), dtype=bool)
        for label in counts:  # stratified: the same share of every class
            idx = np.array([i for i, lab in enumerate(all_labels) if lab == label])
            rng.shuffle(idx)
            share = OOS_CALIBRATION_SHARE if label == OUT_OF_SCOPE else CALIBRATION_SHARE
            held[idx[: max(1, round(len(idx) * share))]] = True
        train_idx, held_idx = np.nonzero(~held)[0], np.nonzero(held)[0]
        part = _train(
            [all_texts[i] for i in train_idx],
            [all_labels[i] for i in train_idx],
            emb[train_idx] if emb is not None else None,
            use_embeddings,
        )
        held_texts = [all_texts[i] for i in held_idx]
        scores = part.scores(part.features(held_texts, emb[held_idx] if emb is not None else None))
        position = {label: i for i, label in enumerate(part.labels)}
        truth = np.array([position[all_labels[i]] for i in held_idx], dtype=np.int64)
        temperature = fit_temperature(scores, truth)
        p = _softmax(temperature * scores)
        best = p.argmax(axis=1)
        answered = np.array([part.labels[b] != OUT_OF_SCOPE for b in best])
        correct = (best == truth) & answered
        confidence = np.where(answered, p.max(axis=1), 0.0)
        is_oos = truth == position.get(OUT_OF_SCOPE, -1)
        weights = np.ones(len(truth))
        if is_oos.any() and not is_oos.all():
            # out-of-scope rows weigh OOS_WEIGHT_SHARE of the total together
            share = OOS_WEIGHT_SHARE / (1 - OOS_WEIGHT_SHARE)
            weights[is_oos] = share * (~is_oos).sum() / is_oos.sum()
        threshold = answering_threshold(
            confidence[answered], correct[answered], target_precision, weights[answered]
        )
        info.update({"calibration_rows": len(held_idx)})
    model = _train(all_texts, all_labels, emb, use_embeddings)
    model.temperature, model.threshold, model.digest = temperature, threshold, digest
    model.info = info
    return model


def _train(
    texts: Sequence[str],
    labels: Sequence[str],
    embeddings: npt.NDArray[np.float32] | None,
    use_embeddings: bool,
) -> IntentModel:
    words, chars = _vectorizers()
    words.fit(texts)
    try:
        chars.fit(texts)
    except ValueError:  # a tiny set where no character n-gram occurs twice
        chars.set_params(min_df=1)
        chars.fit(texts)
    x = _features(words, chars, texts, embeddings, None, use_embeddings)
    if len(set(labels)) == 1:
        # one class: a constant model (every text gets it with probability 1)
        coef = np.zeros((1, x.shape[1]), dtype=np.float32)
        return IntentModel((labels[0],), words, chars, coef, np.zeros(1, dtype=np.float32),
                           use_embeddings=use_embeddings)  # fmt: skip
    classes, coef, intercept = _fit_svm(x, labels)
    return IntentModel(classes, words, chars, coef, intercept, use_embeddings=use_embeddings)
