"""Searching the knowledge base: the one entry point every surface calls (help center,
widget, agents' suggestions, the answer bot, the API).

``search_articles`` returns the best articles for a query within one brand, each in the
asker's language when that translation exists. The hybrid index (``retrieval.py``) of a
brand's published rows is held in memory per process, saved under
``<data dir>/search/brand-<id>.{npz,json}`` and loaded lazily. A per-brand
:class:`~wowdesk.knowledge.models.SearchIndexState` (a random key + a version counter) says
when it is stale: ``on_articles_changed`` bumps the version after the change commits and
enqueues :func:`reindex_task`, which brings the saved index up to date in the background;
a process whose index is behind loads the newer file, or syncs itself (only the rows whose
``updated_at`` or ``version`` changed are embedded again). See docs/knowledge-search.md.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django_tasks import task

from wowdesk.knowledge import retrieval
from wowdesk.knowledge.models import (
    Article,
    ArticleStatus,
    SearchIndexState,
    SearchLog,
)

log = logging.getLogger(__name__)

SNIPPET_CHARS = 200
#: The safety rebuild's period (a lost task or a crash between commit and enqueue).
SAFETY_SYNC_SECONDS = 600.0
#: The least fused score (``retrieval``'s weighted fusion, in [0, 1]) an article needs to be
#: shown to a customer (help center search, the widget's suggestions): below it the search
#: says "no result" (and is logged with 0 results). Measured on the demo help center
#: (tests/knowledge/test_search_relevance.py): questions no article covers, in eight
#: languages, score at most about 0.16 ("wie spät ist es" 0.156, "bitcoin" 0.085); questions
#: an article answers, also in another language than the article's, score at least about
#: 0.19 ("lupa kata sandi" → "I forgot my password" 0.192, "删除账户" 0.306). Agents' search
#: (API, suggestions) and the answer bot keep their own rules.
MIN_CUSTOMER_SCORE = 0.17


@dataclass(frozen=True)
class Hit:
    article_id: int  # the row shown: the translation in the asked language when it exists
    source_id: int  # the article's source row (shared by all its translations)
    title: str
    language: str
    score: float
    snippet: str


def _embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    from wowdesk.intelligence.emotion import embed

    return embed(texts)


@dataclass
class _Held:
    index: retrieval.HybridIndex
    key: str
    saved: int  # the version last saved to (or loaded from) the file; -1: none


_held: dict[int, _Held] = {}
_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()
embedder: Callable[[Sequence[str]], npt.NDArray[np.float32]] = _embed


def register() -> None:
    """The safety sync of every brand's index (core.jobs, in the worker)."""
    from wowdesk.core import jobs

    jobs.every(SAFETY_SYNC_SECONDS, "kb-search-index", "wowdesk.knowledge.search.sync_all")


def index_dir() -> Path:
    return Path(settings.DATA_DIR) / "search"


def _stem(brand_id: int) -> Path:
    return index_dir() / f"brand-{brand_id}"


def _lock(brand_id: int) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(brand_id, threading.Lock())


def _state(brand_id: int) -> tuple[str, int]:
    """The brand's (key, version); the row is made on first use."""
    row = SearchIndexState.objects.filter(brand_id=brand_id).values_list("key", "version").first()
    if row is None:
        from wowdesk.core.models import Brand

        if not Brand.objects.filter(pk=brand_id).exists():
            return "", 0
        state, _ = SearchIndexState.objects.get_or_create(brand_id=brand_id)
        row = (state.key, state.version)
    return str(row[0]), int(row[1])


def _docs(brand_id: int, ids: Sequence[int] | None = None) -> list[retrieval.Doc]:
    rows = Article.objects.filter(brand_id=brand_id, status=ArticleStatus.PUBLISHED)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return [
        retrieval.Doc(
            id=pk,
            source_id=source or pk,
            language=language,
            title=title,
            body=body,
            internal=internal,
            stamp=_stamp(updated, version),
        )
        for pk, source, language, title, body, internal, updated, version in rows.values_list(
            "pk",
            "translation_of_id",
            "language",
            "title",
            "body",
            "internal",
            "updated_at",
            "version",
        )
    ]


def _stamp(updated: Any, version: int) -> str:
    return f"{updated.isoformat() if updated else ''}#{version}"


def sync(index: retrieval.HybridIndex, brand_id: int) -> dict[str, int]:
    """Bring ``index`` in line with the brand's published rows: drop the rows gone, embed
    the new and changed ones (by ``updated_at`` and ``version``)."""
    current = {
        pk: _stamp(updated, version)
        for pk, updated, version in Article.objects.filter(
            brand_id=brand_id, status=ArticleStatus.PUBLISHED
        ).values_list("pk", "updated_at", "version")
    }
    stamps = index.stamps()
    gone = [i for i in stamps if i not in current]
    changed = [i for i, stamp in current.items() if stamps.get(i) != stamp]
    removed = index.remove(gone)
    added = index.upsert(_docs(brand_id, changed)) if changed else 0
    return {"removed": removed, "embedded": added}


def brand_index(brand_id: int, *, persist: bool = False) -> retrieval.HybridIndex:
    """The brand's index, up to date with its state version.

    One indexed read per call (the brand's key and version) tells whether the index held
    in memory is current. When it is behind, a copy is synced (only changed rows embedded)
    and kept in memory; the file is written by the background task (``persist``: when the
    version saved is behind) and when the index was built from nothing here."""
    key, version = _state(brand_id)
    if not key:  # no such brand
        return retrieval.HybridIndex(embedder)

    def current(h: _Held | None) -> bool:
        return (
            h is not None
            and h.key == key
            and h.index.version == version
            and (not persist or h.saved == version)
        )

    held = _held.get(brand_id)
    if held is not None and current(held):
        return held.index
    with _lock(brand_id):
        held = _held.get(brand_id)
        if held is not None and current(held):
            return held.index
        saved = -1
        if held is not None and held.key == key:
            # only the changed rows are embedded again; a copy: other threads search it
            index = held.index if held.index.version == version else held.index.copy()
            saved = held.saved
        else:
            loaded = _load(brand_id, key)  # a new process: the file, if it is this row's
            index = loaded or retrieval.HybridIndex(embedder)
            saved = loaded.version if loaded is not None else -1
        if index.version != version or (not len(index) and saved < 0):
            sync(index, brand_id)
            index.version = version
        if persist or saved < 0:
            _save(brand_id, key, index)
            saved = version
        index.prepare()  # before other threads see it
        _held[brand_id] = _Held(index=index, key=key, saved=saved)
        return index


def _load(brand_id: int, key: str) -> retrieval.HybridIndex | None:
    index = retrieval.HybridIndex.load(_stem(brand_id), embedder)
    return index if index is not None and index.owner == key else None


def _save(brand_id: int, key: str, index: retrieval.HybridIndex) -> None:
    stem = _stem(brand_id)
    index.owner = key
    try:
        index.save(stem)
    except OSError as error:  # a read-only data dir: the index stays in memory
        log.warning("search: cannot write %s (%s)", stem, error)


def rebuild(brand_id: int, progress: Callable[[int, int], object] | None = None) -> int:
    """Build the brand's index from scratch and save it; returns the rows indexed.
    ``progress(done, total)`` follows the embedding."""
    with _lock(brand_id):
        key, version = _state(brand_id)
        index = retrieval.HybridIndex(embedder)
        index.upsert(_docs(brand_id), progress=progress)
        index.version = version
        _save(brand_id, key, index)
        _held[brand_id] = _Held(index=index, key=key, saved=version)
        return len(index)


def sync_all() -> dict[str, int]:
    """Bring every brand's saved index up to date (the worker's safety job)."""
    brands = set(
        Article.objects.filter(status=ArticleStatus.PUBLISHED).values_list("brand_id", flat=True)
    )
    for brand_id in brands:
        brand_index(brand_id, persist=True)
    return {"brands": len(brands)}


@task()
def reindex_task(brand_id: int) -> int:
    """Bring the brand's saved index up to date (after a publish, an edit, a removal)."""
    return len(brand_index(brand_id, persist=True))


# --- the article shown ---------------------------------------------------------------------


def _language_order(brand_id: int, language: str | None) -> list[str]:
    """Asked language → the help center's fallback chain → the brand's default language
    (one query: the brand joined to its help center)."""
    from wowdesk.core.models import Brand

    row = (
        Brand.objects.filter(pk=brand_id)
        .values_list("default_language", "help_center__fallback_chain")
        .first()
    )
    default, chain = row if row is not None else (None, None)
    return retrieval.language_order(language, chain or [], default)


def embed_query(query: str) -> npt.NDArray[np.float32]:
    """The query's embedding, computed once when a caller compares the same text with
    more than the articles (the suggestions' macros)."""
    return np.asarray(embedder([query])[0], np.float32)


def _pick_row(
    index: retrieval.HybridIndex,
    rows: list[retrieval.Doc],
    order: list[str],
    source_id: int,
) -> retrieval.Doc:
    by_language = {d.language.lower(): d for d in rows}
    chosen = retrieval.pick_language(list(by_language), order)
    if chosen is not None:
        return by_language[chosen]
    source = index.get(source_id)
    return source if source is not None else rows[0]


def search_articles(
    brand_id: int,
    query: str,
    *,
    language: str | None = None,
    limit: int = 10,
    include_internal: bool = False,
    query_vector: npt.NDArray[np.float32] | None = None,
) -> list[Hit]:
    """The best published articles of the brand for ``query``, best first.
    ``query_vector``: the query's embedding when the caller has it (:func:`embed_query`)."""
    if not query.strip() or limit <= 0:
        return []
    index = brand_index(brand_id)
    results = index.search(
        query, limit=limit, include_internal=include_internal, query_vector=query_vector
    )
    if not results:
        return []
    order = _language_order(brand_id, language)
    hits = []
    for r in results:
        rows = [d for d in index.rows_of(r.source_id) if include_internal or not d.internal]
        doc = _pick_row(index, rows, order, r.source_id)
        hits.append(
            Hit(
                article_id=doc.id,
                source_id=r.source_id,
                title=doc.title,
                language=doc.language,
                score=r.score,
                snippet=snippet(doc.body, query),
            )
        )
    return hits


def relevant(hits: Sequence[Hit], min_score: float = MIN_CUSTOMER_SCORE) -> list[Hit]:
    """The hits good enough to show a customer (:data:`MIN_CUSTOMER_SCORE`)."""
    return [h for h in hits if h.score >= min_score]


# --- snippets ------------------------------------------------------------------------------


def _terms(query: str) -> list[str]:
    words = {t for t in retrieval.tokenize(query) if len(t) > 1 or not t.isascii()}
    return sorted(words, key=len, reverse=True)


def snippet(body: str, query: str, chars: int = SNIPPET_CHARS) -> str:
    """Plain text of about ``chars`` characters: the window holding the most different
    words of the query (the earliest such)."""
    text = retrieval.plain(body)
    lowered = retrieval.normalise(text)
    terms = _terms(query)
    found = sorted((m.start(), t) for t in terms for m in re.finditer(re.escape(t), lowered))[:200]
    start = 0
    if found:
        span = chars * 3 // 4

        def covered(i: int) -> int:
            return len({t for p, t in found if found[i][0] <= p < found[i][0] + span})

        best = max(range(len(found)), key=lambda i: (covered(i), -i))
        start = max(0, found[best][0] - chars // 4)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    part = text[start : start + chars]
    return ("…" if start else "") + part + ("…" if start + chars < len(text) else "")


def highlight(text: str, query: str) -> str:
    """``text`` HTML-escaped, the query's words wrapped in ``<mark>``."""
    terms = _terms(query)
    if not terms:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        out.append(f"<mark>{html.escape(m.group())}</mark>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


# --- changes and the log -------------------------------------------------------------------


def on_articles_changed(brand_id: int, article_ids: list[int]) -> None:
    """Called by the article services after a publish, unpublish, archive, edit or delete:
    the brand's index version goes up (every process sees its index is stale) and, after
    the commit, a task updates the saved index."""
    updated = SearchIndexState.objects.filter(brand_id=brand_id).update(version=F("version") + 1)
    if not updated and _state(brand_id)[0]:  # made now, at version 0: one more
        SearchIndexState.objects.filter(brand_id=brand_id).update(version=F("version") + 1)

    def enqueue() -> None:
        try:
            reindex_task.enqueue(brand_id)
        except Exception:  # the safety job and the next search catch up
            log.exception("search: cannot enqueue the index update of brand %s", brand_id)

    transaction.on_commit(enqueue)


def log_search(brand_id: int, query: str, language: str, source: str, hits: list[Hit]) -> None:
    """Keep one search for the reports (searches with no result, top article)."""
    top = hits[0] if hits else None
    SearchLog.objects.create(
        brand_id=brand_id,
        query=query[:300],
        language=(language or "")[:16],
        source=source,
        results=len(hits),
        top_article_id=top.article_id if top else None,
        top_score=top.score if top else None,
    )


def held_brands() -> dict[int, dict[str, Any]]:
    """What this process holds (for the CLI and tests)."""
    return {b: {"rows": len(h.index), "version": h.index.version} for b, h in _held.items()}
