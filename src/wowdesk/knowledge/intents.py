"""Recognising what a customer wants: one intent model per brand over the pure classifier in
:mod:`wowdesk.knowledge.intent`.

A brand's training set (:func:`training_set`):

* every published, public article with an ``intent`` (source rows and translations): its title
  and the sentences of its body (a question written in the body counts as an example);
* the first customer message of every conversation where an agent marked an article with an
  intent as the suggestion that solved it (``SuggestionUse`` action ``solved``);
* the shipped out-of-scope class: ``data/intent_oos.jsonl`` (CLINC150's ``oos_train``, CC BY
  3.0, see ``data/INTENT_OOS_LICENSE.md``).

The model is written to ``<data dir>/models/intents/brand-<id>.npz`` by :func:`train_brand`
(``wowdesk kb-train-intents``, ``wowdesk migrate`` and a background job every
:data:`REFRESH_SECONDS` that retrains a brand whose training set changed: the digest of the set
differs from the one stored in the model). :func:`classify` only reads models, cached per
process; a brand without a model is out of scope.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from wowdesk.knowledge import intent as pure
from wowdesk.knowledge.models import Article, ArticleStatus, SuggestionUse

logger = logging.getLogger(__name__)

OOS_FILE = Path(__file__).with_name("data") / "intent_oos.jsonl"
REFRESH_SECONDS = 120.0
#: Body sentences kept per article (the first ones: where an article says what it is about).
SENTENCES_PER_ARTICLE = 25
MIN_WORDS, MAX_WORDS = 2, 40
MAX_TEXT = 5000
#: The most recent "solved it" marks a brand's model learns from.
MAX_SOLVED = 5000


@dataclass(frozen=True)
class IntentResult:
    intent: str | None
    confidence: float
    out_of_scope: bool
    article_id: int | None = None


# --- the training set -------------------------------------------------------------------------

_MARKDOWN = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|[*_`#>|]+")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|[\n\r]+|(?<=[。！？])")


def sentences(markdown: str) -> list[str]:
    """The sentences of an article body (Markdown marks and links' targets removed)."""
    text = _MARKDOWN.sub(lambda m: m.group(1) or " ", markdown)
    out = []
    for piece in _SENTENCE_END.split(text):
        piece = " ".join(piece.split()).lstrip("-+0123456789. ")
        words = len(piece.split()) if " " in piece else len(piece) // 3  # CJK: no spaces
        if MIN_WORDS <= words <= MAX_WORDS:
            out.append(piece)
    return out


def shipped_oos() -> list[str]:
    with OOS_FILE.open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle if line.strip()]


def training_set(brand_id: int) -> tuple[list[str], list[str]]:
    """(texts, intents) of the brand, in a stable order."""
    texts: list[str] = []
    labels: list[str] = []
    articles = (
        Article.objects.filter(brand_id=brand_id, status=ArticleStatus.PUBLISHED, internal=False)
        .exclude(intent="")
        .order_by("pk")
        .only("title", "body", "intent")
    )
    for article in articles:
        for text in [article.title, *sentences(article.body)[:SENTENCES_PER_ARTICLE]]:
            if text.strip():
                texts.append(text.strip())
                labels.append(article.intent)
    solved = (
        SuggestionUse.objects.filter(
            brand_id=brand_id, action=SuggestionUse.Action.SOLVED, article__isnull=False
        )
        .exclude(article__intent="")
        .select_related("article", "message")
        .order_by("-pk")[:MAX_SOLVED]
    )
    from wowdesk.conversations.models import Message

    for use in reversed(list(solved)):
        assert use.article is not None
        body = ""
        if use.message is not None and use.message.direction == "in":
            body = use.message.body
        if not body:
            first = (
                Message.objects.filter(conversation_id=use.conversation_id, direction="in")
                .order_by("pk")
                .values_list("body", flat=True)
                .first()
            )
            body = first or ""
        if body.strip():
            texts.append(body.strip()[:MAX_TEXT])
            labels.append(use.article.intent)
    return texts, labels


def training_digest(brand_id: int) -> str | None:
    """Fingerprint of what the brand's model would learn from; None with no labelled data."""
    texts, labels = training_set(brand_id)
    return _digest(texts, labels, shipped_oos()) if texts else None


def _digest(texts: list[str], labels: list[str], oos: list[str]) -> str:
    # the same fingerprint :func:`pure.fit` stores in the model
    return pure.digest_of(
        [pure.normalise(t) for t in [*texts, *oos]], [*labels, *[pure.OUT_OF_SCOPE] * len(oos)]
    )


# --- models on disk, cached per process -------------------------------------------------------


def model_path(brand_id: int) -> Path:
    return Path(settings.DATA_DIR) / "models" / "intents" / f"brand-{brand_id}.npz"


_cache: dict[int, tuple[float, pure.IntentModel | None]] = {}
_cache_lock = threading.Lock()
_train_locks: dict[int, threading.Lock] = {}


def _train_lock(brand_id: int) -> threading.Lock:
    with _cache_lock:
        return _train_locks.setdefault(brand_id, threading.Lock())


def load_model(brand_id: int) -> pure.IntentModel | None:
    """The brand's stored model (None when it has none), re-read when the file changes."""
    path = model_path(brand_id)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = -1
    cached = _cache.get(brand_id)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    model = pure.IntentModel.read(path) if mtime >= 0 else None
    with _cache_lock:
        _cache[brand_id] = (mtime, model)
    return model


def forget(brand_id: int | None = None) -> None:
    """Drop cached models (all, or one brand's)."""
    with _cache_lock:
        if brand_id is None:
            _cache.clear()
        else:
            _cache.pop(brand_id, None)


def train_brand(brand_id: int, *, force: bool = False) -> pure.IntentModel | None:
    """Train the brand's model and store it, unless the stored one was made from the same set.

    A brand with no intent-labelled data loses its model (everything is out of scope).
    """
    with _train_lock(brand_id):
        texts, labels = training_set(brand_id)
        path = model_path(brand_id)
        if not texts:
            path.unlink(missing_ok=True)
            forget(brand_id)
            return None
        oos = shipped_oos()
        digest = _digest(texts, labels, oos)
        current = load_model(brand_id)
        if current is not None and current.digest == digest and not force:
            return current
        model = pure.fit(texts, labels, oos_texts=oos)
        model.save(path)
        forget(brand_id)
        logger.info("intents: brand %s trained on %d texts", brand_id, len(texts))
        return load_model(brand_id)


def brands_with_intents() -> list[int]:
    ids = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, internal=False)
        .exclude(intent="")
        .values_list("brand_id", flat=True)
        .distinct()
    )
    stored = set()
    folder = Path(settings.DATA_DIR) / "models" / "intents"
    if folder.is_dir():
        for path in folder.glob("brand-*.npz"):
            try:
                stored.add(int(path.stem.removeprefix("brand-")))
            except ValueError:
                continue
    return sorted(set(ids) | stored)


def train_all(
    brand_ids: Iterable[int] | None = None,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[int, bool]:
    """Train (or keep) the models of the given brands (default: every brand with intents);
    returns brand id → whether it has a model."""
    out: dict[int, bool] = {}
    for brand_id in list(brand_ids) if brand_ids is not None else brands_with_intents():
        out[brand_id] = train_brand(brand_id, force=force) is not None
        if progress is not None:
            progress(brand_id)
    return out


def refresh_stale() -> None:
    """The background job: retrain every brand whose training set changed."""
    for brand_id in brands_with_intents():
        try:
            train_brand(brand_id)
        except Exception:  # one brand's failure must not stop the others
            logger.exception("intents: training brand %s failed", brand_id)


def register() -> None:
    from wowdesk.core import jobs

    jobs.every(
        REFRESH_SECONDS, "knowledge.intents.refresh", "wowdesk.knowledge.intents.refresh_stale"
    )


# --- classifying ----------------------------------------------------------------------------


def article_for(brand_id: int, intent: str) -> int | None:
    """The source id of the brand's published public article answering ``intent``."""
    rows = (
        Article.objects.filter(
            brand_id=brand_id, intent=intent, status=ArticleStatus.PUBLISHED, internal=False
        )
        .order_by("pk")
        .values_list("pk", "translation_of_id")
    )
    sources = [int(source or pk) for pk, source in rows]
    published_sources = [int(pk) for pk, source in rows if source is None]
    # a published source first; else the source of a published translation
    return published_sources[0] if published_sources else (sources[0] if sources else None)


def classify(brand_id: int, text: str, language: str | None = None) -> IntentResult:
    """The intent of ``text`` for the brand; ``out_of_scope`` when below the threshold."""
    model = load_model(brand_id)
    if model is None or not text.strip():
        return IntentResult(intent=None, confidence=0.0, out_of_scope=True)
    prediction = model.predict([text[:MAX_TEXT]])[0]
    if prediction.out_of_scope or prediction.intent is None:
        return IntentResult(None, prediction.confidence, True)
    return IntentResult(
        prediction.intent,
        prediction.confidence,
        False,
        article_for(brand_id, prediction.intent),
    )
