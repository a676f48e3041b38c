"""The clustering and labelling of the voice of the customer (analytics/topics.py, pure)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.analytics import topics


def blobs(
    k: int, per: int, dim: int, seed: int, spread: float = 0.05
) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.normal(size=(dim, dim)))[0][:k]  # orthonormal: well apart
    points, truth = [], []
    for c in range(k):
        for _ in range(per):
            points.append(centres[c] + rng.normal(scale=spread, size=dim))
            truth.append(c)
    order = rng.permutation(len(points))
    return np.array(points)[order], [truth[i] for i in order]


@settings(max_examples=15, deadline=None)
@given(k=st.integers(2, 6), per=st.integers(4, 12), seed=st.integers(0, 10_000))
def test_well_separated_blobs_are_recovered(k: int, per: int, seed: int) -> None:
    x, truth = blobs(k, per, 24, seed)
    found = topics.cluster(x)
    assert found.k == k
    # the same partition, whatever the numbering
    pairs = set(zip(found.labels.tolist(), truth, strict=True))
    assert len(pairs) == k
    sizes = [int((found.labels == c).sum()) for c in range(found.k)]
    assert sizes == sorted(sizes, reverse=True)


def test_clustering_is_deterministic() -> None:
    x, _truth = blobs(4, 10, 16, 3, spread=0.3)
    a, b = topics.cluster(x), topics.cluster(x)
    assert a.labels.tolist() == b.labels.tolist()
    assert np.allclose(a.centroids, b.centroids)


def test_one_topic_when_there_is_no_structure_or_few_texts() -> None:
    assert topics.cluster(np.zeros((0, 8))).k == 0
    assert topics.cluster(np.ones((4, 8))).k == 1
    two = topics.cluster(np.eye(8)[:2])
    assert two.k == 1 and two.labels.tolist() == [0, 0]


def test_labels_come_from_the_clusters_own_words() -> None:
    texts = [
        "parcel never arrived",
        "where is my parcel",
        "parcel late again",
        "mi paquete no llegó",
        "screen broken refund",
        "broken screen again",
        "refund for the broken screen",
        "pantalla rota reembolso",
        "包裹没有到",
        "包裹丢了",
        "屏幕坏了退款",
        "屏幕碎了",
    ]
    truth = [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1]
    rng = np.random.default_rng(1)
    x = np.array([np.eye(16)[t] + rng.normal(scale=0.02, size=16) for t in truth])
    found = topics.topics(texts, x)
    assert len(found) == 2
    for topic in found:
        own = set().union(*(topics.terms_of(texts[i]) for i in topic.members))
        assert set(topic.terms) <= own
        assert topic.example in topic.members
    by_first = {truth[t.members[0]]: t for t in found}
    assert "parcel" in by_first[0].terms and "包裹" in by_first[0].terms
    assert "broken" in by_first[1].terms and "屏幕" in by_first[1].terms
    assert "the" not in by_first[1].terms and "my" not in by_first[0].terms


def test_a_term_common_to_every_cluster_ranks_below_a_distinctive_one() -> None:
    terms = topics.top_terms([["order late", "order late"], ["order broken", "order broken"]])
    assert terms[0][0] == "late" and terms[1][0] == "broken"


def test_match_keeps_identity_one_to_one() -> None:
    prev = np.eye(4)[:3]
    cur = np.array([np.eye(4)[2] + 0.01, np.eye(4)[0], np.eye(4)[3]])
    assert topics.match(prev, cur) == {0: 2, 1: 0}
    assert topics.match(np.zeros((0, 4)), cur) == {}


def test_drivers_are_the_topics_over_represented_among_detractors() -> None:
    # 100 answers, 20 detractors; topic 0 holds 10 answers and 8 detractors
    found = topics.drivers([8, 2, 1], [10, 40, 5], 20, 100)
    assert [d.topic for d in found] == [0]
    assert found[0].lift == (8 / 20) / (10 / 100)
    assert topics.drivers([1], [1], 0, 10) == []


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=6),
)
def test_driver_lift_above_one(rows: list[tuple[int, int]]) -> None:
    det = [min(d, r) for d, r in rows]
    resp = [r for _d, r in rows]
    total_d, total_r = sum(det) + 1, sum(resp) + 3
    for d in topics.drivers(det, resp, total_d, total_r):
        assert d.lift > 1 and d.excess > 0 and d.detractors >= topics.MIN_DRIVER_DETRACTORS


def test_weekly_counts_and_change() -> None:
    assert topics.weekly_counts([0.5, 1, 8, 20, 100], 3) == [1, 1, 2]
    assert topics.change(6, 4) == 50.0
    assert topics.change(3, 0) is None
