"""Topics from texts: clustering of multilingual embeddings and their labels (pure: no
Django import). ``docs/voice-of-customer.md`` describes the method.

* The texts (a customer's first message, a survey's why) arrive as L2-normalised sentence
  embeddings (the multilingual encoder of ``intelligence/emotion.py``), so "my parcel never
  arrived", "mi paquete nunca llegó" and "我的包裹没有到" lie close together.
* :func:`cluster` runs k-means on the unit vectors (Euclidean distance on the sphere orders
  pairs as the cosine does) for every k in a range and keeps the k with the best silhouette
  (cosine, on a seeded sample for large sets). Seeded: the same input gives the same topics.
* :func:`top_terms` labels each cluster with its class-based TF-IDF terms (c-TF-IDF): the
  share of the cluster's texts holding a term, times ``log(1 + A / f)`` with ``A`` the mean
  number of texts per cluster and ``f`` the texts holding it in all clusters, so a term
  common to every cluster ranks low. Tokens are words, and character bigrams for Chinese
  and Japanese (``knowledge.retrieval.tokenize``); stop words and numbers are dropped.
* :func:`match` keeps a topic's identity across runs: each new centroid takes the previous
  topic whose centroid is nearest (an optimal one-to-one assignment), when similar enough.
* :func:`drivers` names the topics over-represented among detractors (lift > 1).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wowdesk.knowledge.retrieval import tokenize

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

SEED = 16
K_MIN = 2
K_MAX = 12
#: Fewer texts than this per possible cluster: no split (one topic, or none).
MIN_CLUSTER = 3
#: The fewest clusters tried is ``sqrt(texts) / K_FLOOR_DIVISOR`` (at least ``k_min``): the
#: silhouette of sentence embeddings favours a coarse split in two, which names nothing
#: useful once there are hundreds of texts.
K_FLOOR_DIVISOR = 4.0
#: Silhouette below which the texts are taken as one topic (no structure worth naming).
MIN_SILHOUETTE = 0.05
#: Points the silhouette is computed on (it is quadratic in the points).
SILHOUETTE_SAMPLE = 2000
#: Above this many texts, mini-batch k-means (flat memory, a few seconds for 100k texts).
MINIBATCH_ABOVE = 5000
#: Cosine similarity of two centroids above which a new topic is the previous one.
SAME_TOPIC = 0.8
TERMS = 6
#: Fewest detractors in a topic for it to be named a driver.
MIN_DRIVER_DETRACTORS = 2

# Words that say nothing of a topic, in the languages the seeds and the demo speak most.
_STOP_WORDS = """
    a an and are as at be been but by can could did do does for from had has have he her
    hi hello his how i i'm im if in into is it its just me my no not of on or our please
    so that the their them then there they this to too was we were what when where which
    who why will with would you your yours thanks thank dear regards am any get got one
    also still only very about after again all out up us
    el la los las un una unos unas y o de del en por para con que se es mi mis su sus no
    al lo le les me te nos hola gracias favor muy pero como ya está estoy
    der die das ein eine und oder zu mit von ist ich mein meine nicht bitte danke hallo
    den dem des es sie wir auf für im am noch
    le la les un une des et ou de du en pour avec que qui est je mon ma mes ne pas
    bonjour merci au aux ce cette se sur
    yang dan di ke dari untuk dengan saya tidak ini itu ada sudah belum apa terima kasih
    tolong mohon halo
    o a os as um uma e ou de do da em para com que não meu minha obrigado olá
    jeg min mit mine ikke og er det en et til på har med som af hej tak kan
    ik mijn niet het een en van op dat met voor heb hallo bedankt kunt
    il lo gli una di che non mio mia per con ho ciao grazie sono è
    bir ve bu da de için ile ben benim değil merhaba teşekkürler çok mi mı
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
CJK_STOP = frozenset(
    [
        "你好",
        "谢谢",
        "我的",
        "请问",
        "我们",
        "一个",
        "什么",
        "怎么",
        "没有",
        "可以",
        "です",
        "ます",
        "した",
    ]
)


@dataclass(frozen=True)
class Clustering:
    """Each text's cluster (``labels``, 0 … k-1, clusters ordered by size, largest first),
    the clusters' unit centroids, and the silhouette of the chosen k (``None``: one
    cluster)."""

    labels: IntArray
    centroids: FloatArray
    silhouette: float | None

    @property
    def k(self) -> int:
        return int(self.centroids.shape[0])


@dataclass(frozen=True)
class TopicFound:
    """One cluster with its label: ``members`` are the indices of its texts, ``example``
    the index of the text nearest its centroid."""

    members: tuple[int, ...]
    centroid: FloatArray
    terms: tuple[str, ...]
    example: int

    @property
    def label(self) -> str:
        return " · ".join(self.terms[:3])


@dataclass(frozen=True)
class Driver:
    """A topic's weight among detractors: ``lift`` = its share of detractors ÷ its share
    of all answers; ``excess`` the detractors above what its share of answers predicts."""

    topic: int
    detractors: int
    responses: int
    detractor_share: float
    response_share: float
    lift: float
    excess: float


def normalise_rows(vectors: npt.ArrayLike) -> FloatArray:
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("embeddings are a 2-d array (texts × dimensions)")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def _kmeans(x: FloatArray, k: int, seed: int) -> tuple[IntArray, FloatArray]:
    from sklearn.cluster import KMeans, MiniBatchKMeans

    model: KMeans | MiniBatchKMeans
    if len(x) > MINIBATCH_ABOVE:
        model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=2048)
    else:
        model = KMeans(n_clusters=k, random_state=seed, n_init=4)
    labels = np.asarray(model.fit_predict(x), dtype=np.intp)
    return labels, np.asarray(model.cluster_centers_, dtype=np.float64)


def _silhouette(x: FloatArray, labels: IntArray, seed: int) -> float:
    from sklearn.metrics import silhouette_score

    sample = SILHOUETTE_SAMPLE if len(x) > SILHOUETTE_SAMPLE else None
    return float(
        silhouette_score(x, labels, metric="cosine", sample_size=sample, random_state=seed)
    )


def _ordered(x: FloatArray, labels: IntArray) -> Clustering:
    """Renumber the clusters by size (largest first, ties by first member) and compute
    their unit centroids from the members."""
    sizes = Counter(int(v) for v in labels)
    first = {int(v): i for i, v in reversed(list(enumerate(labels)))}
    order = sorted(sizes, key=lambda c: (-sizes[c], first[c]))
    remap = {old: new for new, old in enumerate(order)}
    new_labels = np.array([remap[int(v)] for v in labels], dtype=np.intp)
    centroids = normalise_rows(
        np.stack([x[new_labels == c].mean(axis=0) for c in range(len(order))])
    )
    return Clustering(new_labels, centroids, None)


def cluster(
    embeddings: npt.ArrayLike,
    *,
    k_min: int = K_MIN,
    k_max: int = K_MAX,
    seed: int = SEED,
) -> Clustering:
    """Cluster the texts' embeddings; k chosen by silhouette in ``k_min … k_max`` (fewer
    when there are few texts; at least ``sqrt(n) / K_FLOOR_DIVISOR`` when there are
    many). No text: no cluster."""
    x = normalise_rows(embeddings) if len(np.asarray(embeddings)) else np.zeros((0, 1))
    n = len(x)
    if n == 0:
        return Clustering(np.zeros(0, dtype=np.intp), np.zeros((0, x.shape[1])), None)
    top = min(k_max, n // MIN_CLUSTER, n - 1)
    if top < max(k_min, 2) or len(np.unique(x.round(6), axis=0)) < 2:
        return _ordered(x, np.zeros(n, dtype=np.intp))
    low = min(top, max(k_min, 2, round(np.sqrt(n) / K_FLOOR_DIVISOR)))
    best: tuple[float, IntArray] | None = None
    for k in range(low, top + 1):
        labels, _centres = _kmeans(x, k, seed)
        if len(set(labels.tolist())) < 2:
            continue
        score = _silhouette(x, labels, seed)
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    if best is None or best[0] < MIN_SILHOUETTE:
        return _ordered(x, np.zeros(n, dtype=np.intp))
    found = _ordered(x, best[1])
    return Clustering(found.labels, found.centroids, best[0])


def terms_of(text: str) -> set[str]:
    """The distinct label terms of a text: words (no stop word, no number, no single
    letter of a space-separated script) and CJK bigrams."""
    out = set()
    for token in tokenize(text):
        if token in STOP_WORDS or token in CJK_STOP or token.isdigit():
            continue
        if len(token) == 1 and token.isascii():
            continue
        out.add(token)
    return out


def top_terms(groups: Sequence[Sequence[str]], n: int = TERMS) -> list[tuple[str, ...]]:
    """Class-based TF-IDF: the ``n`` best terms of each group of texts. A term is counted
    once per text; a group's terms all come from its own texts."""
    per_group = [Counter(t for text in texts for t in terms_of(text)) for texts in groups]
    total: Counter[str] = Counter()
    for counts in per_group:
        total.update(counts)
    mean_size = (sum(len(texts) for texts in groups) / len(groups)) if groups else 0.0
    out: list[tuple[str, ...]] = []
    for texts, counts in zip(groups, per_group, strict=True):
        size = max(len(texts), 1)
        # terms of two texts or more first (a word of one text does not name a topic)
        scored = [
            (counts[t] >= 2 or size < 4, counts[t] / size * np.log(1.0 + mean_size / total[t]), t)
            for t in counts
        ]
        scored.sort(key=lambda row: (not row[0], -row[1], row[2]))
        out.append(tuple(t for _shared, _score, t in scored[:n]))
    return out


def topics(
    texts: Sequence[str],
    embeddings: npt.ArrayLike,
    *,
    k_min: int = K_MIN,
    k_max: int = K_MAX,
    seed: int = SEED,
) -> list[TopicFound]:
    """The topics of ``texts`` (one embedding a text), largest first."""
    if len(texts) != len(np.asarray(embeddings)):
        raise ValueError("one embedding per text")
    found = cluster(embeddings, k_min=k_min, k_max=k_max, seed=seed)
    if not len(texts):
        return []
    x = normalise_rows(embeddings)
    groups = [np.flatnonzero(found.labels == c) for c in range(found.k)]
    labels = top_terms([[texts[int(i)] for i in g] for g in groups])
    result = []
    for c, members in enumerate(groups):
        similarity = x[members] @ found.centroids[c]
        example = int(members[int(np.argmax(similarity))])
        result.append(
            TopicFound(
                members=tuple(int(i) for i in members),
                centroid=found.centroids[c],
                terms=labels[c],
                example=example,
            )
        )
    return result


def match(
    previous: npt.ArrayLike, current: npt.ArrayLike, threshold: float = SAME_TOPIC
) -> dict[int, int]:
    """Which previous topic each current one continues: ``{current index: previous
    index}``, one-to-one, maximising the total cosine similarity, pairs below
    ``threshold`` left out."""
    prev = np.asarray(previous, dtype=np.float64)
    cur = np.asarray(current, dtype=np.float64)
    if not len(prev) or not len(cur):
        return {}
    from scipy.optimize import linear_sum_assignment

    similarity = normalise_rows(cur) @ normalise_rows(prev).T
    rows, cols = linear_sum_assignment(-similarity)
    return {
        int(r): int(c) for r, c in zip(rows, cols, strict=True) if similarity[r, c] >= threshold
    }


def drivers(
    detractors: Sequence[int],
    responses: Sequence[int],
    total_detractors: int,
    total_responses: int,
    *,
    min_detractors: int = MIN_DRIVER_DETRACTORS,
) -> list[Driver]:
    """The drivers of detractors: topics (by index) whose share among the detractors
    exceeds their share among all answers, with at least ``min_detractors`` detractors;
    the largest excess first. ``detractors[t]`` and ``responses[t]`` count the answers
    whose conversation is in topic ``t``; the totals count each answer once."""
    if total_detractors <= 0 or total_responses <= 0:
        return []
    out = []
    for t, (d, r) in enumerate(zip(detractors, responses, strict=True)):
        if r <= 0 or d < min_detractors:
            continue
        d_share = d / total_detractors
        r_share = r / total_responses
        lift = d_share / r_share
        if lift <= 1.0:
            continue
        excess = d - r * total_detractors / total_responses
        out.append(Driver(t, d, r, d_share, r_share, lift, excess))
    out.sort(key=lambda drv: (-drv.excess, -drv.lift, drv.topic))
    return out


def weekly_counts(ages_days: Sequence[float], weeks: int) -> list[int]:
    """Counts per 7-day bucket, oldest first; ``ages_days`` is how long ago each item was
    (0 ≤ age < 7 × weeks lands in a bucket; others are left out)."""
    counts = [0] * weeks
    for age in ages_days:
        if 0 <= age < 7 * weeks:
            counts[weeks - 1 - int(age // 7)] += 1
    return counts


def change(current: int, previous: int) -> float | None:
    """Week-over-week change in %, ``None`` when there was nothing the week before."""
    if previous <= 0:
        return None
    return 100.0 * (current - previous) / previous
