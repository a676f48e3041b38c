"""Hybrid retrieval over knowledge-base articles (pure: no Django import).

One :class:`Doc` is one article row (each translation its own row, sharing ``source_id``).
The index scores a query two ways and fuses them:

* **lexical**: BM25 (k1 = 1.2, b = 0.75) on a sparse term-frequency matrix (scipy). Tokens
  are lower-cased NFKC words for space-separated scripts and overlapping character bigrams
  for runs of Chinese, Japanese and Korean characters (a run of one character is kept as a
  unigram), so a Chinese query matches a Chinese article without a word segmenter. The
  lexical score of a document is normalised by the best score any document could get for
  that query (the sum over the query's terms of ``idf × (k1 + 1)``), so it lies in [0, 1]
  and means the same across queries.
* **semantic**: cosine similarity of multilingual sentence embeddings (the ``embed``
  callable given to the index: 512-d, L2-normalised) of the query and of each row's title +
  the start of its body, clipped to [0, 1]. A Chinese or Spanish question lands near an
  English article.

:data:`FUSION` ``"weighted"`` returns ``SEMANTIC_WEIGHT × semantic + (1 − SEMANTIC_WEIGHT) ×
lexical``, a score in [0, 1] usable as a threshold; ``"rrf"`` (reciprocal-rank fusion,
scaled so rank 1 in both lists is 1.0) is kept for the benchmark, which measures both
(``bench/knowledge.py``). Results collapse to one per ``source_id`` (its best row).

Rows can be added and removed without rebuilding: the embeddings of unchanged rows are kept;
the BM25 weights (they depend on document frequencies and the mean length) are recomputed
from the stored term counts on the next search, which is vectorised over the non-zeros.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

Embedder = Callable[[Sequence[str]], npt.NDArray[np.float32]]

K1 = 1.2
B = 0.75
#: Weight of the semantic score in the weighted fusion (chosen on bench/knowledge.py's
#: retrieval-quality sets; see docs/knowledge-search.md).
SEMANTIC_WEIGHT = 0.6
RRF_K = 60
FUSION = "weighted"
#: Characters of the body embedded after the title.
EMBED_BODY_CHARS = 600
#: Candidates taken from each list before fusing.
CANDIDATES = 100
FORMAT_VERSION = 1

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # han
    "\uac00-\ud7af"  # hangul syllables
)
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_]+", re.UNICODE)
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")
_MARKDOWN = re.compile(r"[#*_`>|~\[\]()!]+|https?://\S+")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str) -> list[str]:
    """Words of space-separated scripts; character bigrams of CJK runs."""
    out: list[str] = []
    for match in _TOKEN.finditer(normalise(text)):
        token = match.group()
        if _CJK_RUN.match(token):
            if len(token) == 1:
                out.append(token)
            else:
                out.extend(token[i : i + 2] for i in range(len(token) - 1))
        else:
            out.append(token)
    return out


def plain(text: str) -> str:
    """Markdown reduced to its words (for embedding and snippets)."""
    return " ".join(_MARKDOWN.sub(" ", text).split())


@dataclass(frozen=True)
class Doc:
    id: int
    source_id: int
    language: str
    title: str
    body: str
    internal: bool = False
    stamp: str = ""  # the row's change marker (e.g. updated_at): a changed stamp = re-index


@dataclass(frozen=True)
class Result:
    source_id: int
    doc_id: int  # the best-scoring row of the source
    score: float
    lexical: float
    semantic: float


def embed_text(doc: Doc) -> str:
    return f"{doc.title}\n{plain(doc.body)[:EMBED_BODY_CHARS]}"


class HybridIndex:
    """Documents, their embeddings and term counts; searched by :meth:`search`."""

    def __init__(self, embed: Embedder, dim: int = 512) -> None:
        self.embed = embed
        self.dim = dim
        self.docs: list[Doc] = []
        self.embeddings = np.zeros((0, dim), dtype=np.float32)
        self.counts: list[dict[str, int]] = []
        self.version = 0
        self.owner = ""  # who the index belongs to (the caller's key), saved with it
        self._position: dict[int, int] = {}
        self._weights: sparse.csc_matrix | None = None
        self._vocab: dict[str, int] = {}
        self._idf = np.zeros(0)
        self._internal = np.zeros(0, dtype=bool)
        self._sources = np.zeros(0, dtype=np.int64)
        self._rows: dict[int, list[Doc]] = {}

    # --- contents --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._position

    def ids(self) -> set[int]:
        return set(self._position)

    def get(self, doc_id: int) -> Doc | None:
        pos = self._position.get(doc_id)
        return self.docs[pos] if pos is not None else None

    def rows_of(self, source_id: int) -> list[Doc]:
        """The indexed rows of one source (the source and its translations)."""
        self._prepare()
        return list(self._rows.get(source_id, ()))

    def stamps(self) -> dict[int, str]:
        return {d.id: d.stamp for d in self.docs}

    def copy(self) -> HybridIndex:
        """An index with the same rows that can be changed while this one is searched
        (the arrays are shared: changes replace them, never write into them)."""
        other = HybridIndex(self.embed, self.dim)
        other.docs = list(self.docs)
        other.counts = list(self.counts)
        other.embeddings = self.embeddings
        other.version = self.version
        other.owner = self.owner
        other._position = dict(self._position)
        return other

    def upsert(
        self,
        docs: Iterable[Doc],
        batch: int = 64,
        progress: Callable[[int, int], object] | None = None,
    ) -> int:
        """Add rows, replacing those with the same id; returns how many were embedded.
        ``progress(done, total)`` is called after each batch."""
        new = list({d.id: d for d in docs}.values())
        if not new:
            return 0
        self.remove(d.id for d in new if d.id in self._position)
        vectors = []
        for i in range(0, len(new), batch):
            chunk = new[i : i + batch]
            vectors.append(np.asarray(self.embed([embed_text(d) for d in chunk]), np.float32))
            if progress is not None:
                progress(i + len(chunk), len(new))
        self.embeddings = np.vstack([self.embeddings, *vectors]).astype(np.float32, copy=False)
        for d in new:
            self._position[d.id] = len(self.docs)
            self.docs.append(d)
            self.counts.append(_count(tokenize(f"{d.title} {d.title} {plain(d.body)}")))
        self._weights = None
        return len(new)

    def remove(self, ids: Iterable[int]) -> int:
        gone = {i for i in ids if i in self._position}
        if not gone:
            return 0
        keep = [p for p, d in enumerate(self.docs) if d.id not in gone]
        self.docs = [self.docs[p] for p in keep]
        self.counts = [self.counts[p] for p in keep]
        self.embeddings = self.embeddings[keep]
        self._position = {d.id: p for p, d in enumerate(self.docs)}
        self._weights = None
        return len(gone)

    # --- BM25 ------------------------------------------------------------------------------

    def _prepare(self) -> sparse.csc_matrix:
        if self._weights is not None:
            return self._weights
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        for r, counts in enumerate(self.counts):
            for term, tf in counts.items():
                rows.append(r)
                cols.append(vocab.setdefault(term, len(vocab)))
                tfs.append(tf)
        n = len(self.docs)
        tf = sparse.csr_matrix(
            (np.asarray(tfs, np.float32), (rows, cols)), shape=(n, max(1, len(vocab)))
        )
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        avg = float(lengths.mean()) if n else 1.0
        df = np.bincount(np.asarray(cols, np.int64), minlength=tf.shape[1])
        self._idf = np.log1p((n - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B + B * lengths / max(avg, 1e-9))
        tf = tf.tocoo()
        data = self._idf[tf.col] * tf.data * (K1 + 1) / (tf.data + norm[tf.row])
        weights = sparse.csc_matrix((data.astype(np.float32), (tf.row, tf.col)), tf.shape)
        self._vocab = vocab
        self._internal = np.array([d.internal for d in self.docs], dtype=bool)
        self._sources = np.array([d.source_id for d in self.docs], dtype=np.int64)
        by_source: dict[int, list[Doc]] = {}
        for d in self.docs:
            by_source.setdefault(d.source_id, []).append(d)
        self._rows = by_source
        self._weights = weights  # last: a reader that sees it sees the rest
        return weights

    def prepare(self) -> None:
        """Compute the BM25 weights now (they are otherwise computed by the next search)."""
        self._prepare()

    def lexical_scores(self, query: str) -> npt.NDArray[np.float64]:
        """BM25 of every row for ``query``, divided by the best score possible: in [0, 1]."""
        weights = self._prepare()
        n = len(self.docs)
        terms = _count(tokenize(query))
        if not terms or not n:
            return np.zeros(n)
        unknown_idf = math.log1p((n + 0.5) / 0.5)
        cols, mult, ceiling = [], [], 0.0
        for term, qtf in terms.items():
            col = self._vocab.get(term)
            ceiling += qtf * (K1 + 1) * (self._idf[col] if col is not None else unknown_idf)
            if col is not None:
                cols.append(col)
                mult.append(qtf)
        if not cols or ceiling <= 0:
            return np.zeros(n)
        scores = weights[:, cols] @ np.asarray(mult, np.float64)
        return np.clip(np.asarray(scores).ravel() / ceiling, 0.0, 1.0)

    def semantic_scores(self, query_vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        if not len(self.docs):
            return np.zeros(0)
        # einsum, not BLAS: on a busy machine OpenBLAS's threads spin against each other
        # (a 10k x 512 product: ~1 ms here, 15-30 ms through multi-threaded sgemv)
        sims = np.einsum("ij,j->i", self.embeddings, np.asarray(query_vector, np.float32).ravel())
        return np.clip(sims.astype(np.float64), 0.0, 1.0)

    # --- search ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        include_internal: bool = False,
        fusion: str | None = None,
        semantic_weight: float | None = None,
        query_vector: npt.NDArray[np.float32] | None = None,
    ) -> list[Result]:
        """The best sources for ``query``, one result each, best first.

        ``fusion``: "weighted" (default, :data:`FUSION`), "rrf", "lexical" or "semantic".
        """
        fusion = fusion or FUSION
        weight = SEMANTIC_WEIGHT if semantic_weight is None else semantic_weight
        if not self.docs or not query.strip() or limit <= 0:
            return []
        self._prepare()
        lexical = self.lexical_scores(query) if fusion != "semantic" else np.zeros(len(self))
        if fusion == "lexical":
            semantic = np.zeros(len(self))
        else:
            vector = self.embed([query])[0] if query_vector is None else query_vector
            semantic = self.semantic_scores(vector)
        if fusion == "rrf":
            fused = _rrf(lexical, semantic)
        elif fusion == "lexical":
            fused = lexical
        elif fusion == "semantic":
            fused = semantic
        else:
            fused = weight * semantic + (1.0 - weight) * lexical
        if not include_internal:
            fused = np.where(self._internal, -1.0, fused)
        k = max(200, limit * 20)
        out = self._collapse(fused, lexical, semantic, _top(fused, k), limit)
        if len(out) < limit and int(np.count_nonzero(fused > 0)) > k:
            out = self._collapse(fused, lexical, semantic, _top(fused, len(fused)), limit)
        return out

    def _collapse(
        self,
        fused: npt.NDArray[np.float64],
        lexical: npt.NDArray[np.float64],
        semantic: npt.NDArray[np.float64],
        order: npt.NDArray[np.intp],
        limit: int,
    ) -> list[Result]:
        """The first ``limit`` sources in ``order``, each at its best row."""
        out: list[Result] = []
        seen: set[int] = set()
        for pos in order:
            score = float(fused[pos])
            if score <= 0.0:
                break
            source = int(self._sources[pos])
            if source in seen:
                continue
            seen.add(source)
            out.append(
                Result(
                    source_id=source,
                    doc_id=self.docs[pos].id,
                    score=round(min(1.0, score), 6),
                    lexical=float(lexical[pos]),
                    semantic=float(semantic[pos]),
                )
            )
            if len(out) >= limit:
                break
        return out

    def memory_bytes(self) -> int:
        """Bytes held by the embeddings and the BM25 matrix."""
        weights = self._prepare()
        return int(
            self.embeddings.nbytes
            + weights.data.nbytes
            + weights.indices.nbytes
            + weights.indptr.nbytes
        )

    # --- files -----------------------------------------------------------------------------

    def save(self, stem: Path) -> None:
        """Write ``stem.npz`` (embeddings) and ``stem.json`` (rows, counts), each atomically
        (temp file + rename); both carry the same generation, so a reader that finds them
        from two different saves treats the index as absent."""
        stem.parent.mkdir(parents=True, exist_ok=True)
        generation = uuid.uuid4().hex
        _atomic(
            stem.with_suffix(".npz"),
            lambda h: np.savez(
                h,
                embeddings=self.embeddings,
                ids=np.array([d.id for d in self.docs], np.int64),
                generation=np.array(generation),
            ),
        )
        meta = {
            "format": FORMAT_VERSION,
            "generation": generation,
            "version": self.version,
            "owner": self.owner,
            "docs": [asdict(d) for d in self.docs],
            "counts": self.counts,
        }
        _atomic(
            stem.with_suffix(".json"),
            lambda h: h.write(json.dumps(meta, ensure_ascii=False).encode()),
        )

    @classmethod
    def load(cls, stem: Path, embed: Embedder, dim: int = 512) -> HybridIndex | None:
        """The index saved at ``stem``, or None if absent, unreadable or half-written."""
        try:
            meta: dict[str, Any] = json.loads(stem.with_suffix(".json").read_text("utf-8"))
            with np.load(stem.with_suffix(".npz"), allow_pickle=False) as z:
                embeddings = np.asarray(z["embeddings"], np.float32)
                ids = [int(i) for i in z["ids"]]
                generation = str(z["generation"])
        except (OSError, ValueError, KeyError):
            return None
        if meta.get("format") != FORMAT_VERSION or meta.get("generation") != generation:
            return None
        docs = [Doc(**d) for d in meta["docs"]]
        if [d.id for d in docs] != ids or embeddings.shape != (len(docs), dim):
            return None
        index = cls(embed, dim)
        index.docs = docs
        index.embeddings = embeddings
        index.counts = [dict(c) for c in meta["counts"]]
        index.version = int(meta.get("version", 0))
        index.owner = str(meta.get("owner", ""))
        index._position = {d.id: p for p, d in enumerate(docs)}
        return index


def _top(scores: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    """Positions of the ``k`` best scores, best first (ties: lower position first); all of
    them when fewer than ``k`` are positive, so collapsing never runs out early."""
    positive = int(np.count_nonzero(scores > 0))
    if positive <= k or k >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k)[:k]
    return part[np.lexsort((part, -scores[part]))]


def _count(tokens: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in tokens:
        out[t] = out.get(t, 0) + 1
    return out


def _rrf(
    lexical: npt.NDArray[np.float64], semantic: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Reciprocal-rank fusion of the two lists' top :data:`CANDIDATES`, scaled to [0, 1]."""
    fused = np.zeros(len(lexical))
    for scores in (lexical, semantic):
        top = np.argsort(-scores, kind="stable")[:CANDIDATES]
        top = top[scores[top] > 0]
        fused[top] += 1.0 / (RRF_K + 1 + np.arange(len(top)))
    return fused * (RRF_K + 1) / 2.0


def _atomic(path: Path, write: Callable[[Any], Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- which translation a reader gets ----------------------------------------------------------


def language_order(asked: str | None, chain: Iterable[str], default: str | None) -> list[str]:
    """The languages to try for a reader, in order: the one asked for, the help center's
    fallback chain, the brand's default language (lower-cased, ``_`` → ``-``, each once)."""
    order = [asked or "", *chain, default or ""]
    cleaned = (str(code).strip().lower().replace("_", "-") for code in order)
    return list(dict.fromkeys(code for code in cleaned if code))


def pick_language(available: Sequence[str], order: Sequence[str]) -> str | None:
    """The first of ``available`` (article languages, in their order) a reader of ``order``
    gets: for each language in turn, the same code, else the same base language (``es``
    matches ``es-mx``); None when none matches (the caller falls back to the source)."""
    for wanted in order:
        for code in available:
            if code.lower() == wanted:
                return code
        base = wanted.split("-")[0]
        for code in available:
            if code.lower().split("-")[0] == base:
                return code
    return None
