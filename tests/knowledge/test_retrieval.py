"""The pure hybrid index (knowledge/retrieval.py): scores, collapsing, removal, files,
tokenisation, and cross-lingual search with the real multilingual encoder."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wowdesk.knowledge import retrieval
from wowdesk.knowledge.retrieval import Doc, HybridIndex


def hashed_embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """A deterministic bag-of-tokens embedding (no model): enough for the index's rules."""
    out = np.zeros((len(texts), 512), dtype=np.float32)
    for row, text in enumerate(texts):
        for token in retrieval.tokenize(text):
            h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big")
            out[row, h % 512] += 1.0 if (h >> 9) & 1 else -1.0
        norm = np.linalg.norm(out[row])
        out[row] = out[row] / norm if norm else out[row]
    return out


WORDS = ["refund", "order", "cancel", "password", "delivery", "invoice", "account", "box"]
word_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
doc_lists = st.lists(
    st.tuples(word_text, word_text, st.booleans(), st.integers(0, 5)), min_size=1, max_size=12
)


def build(rows: list[tuple[str, str, bool, int]]) -> HybridIndex:
    index = HybridIndex(hashed_embed)
    docs = []
    for i, (title, body, internal, group) in enumerate(rows, start=1):
        # rows of the same group are translations of the group's first row
        source = next((j for j, r in enumerate(rows, start=1) if r[3] == group and j <= i), i)
        docs.append(Doc(i, source, "en", title, body, internal))
    index.upsert(docs)
    return index


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=doc_lists,
    query=word_text,
    fusion=st.sampled_from(["weighted", "rrf", "lexical", "semantic"]),
)
def test_results_are_scored_in_0_1_one_per_source_from_indexed_rows(
    rows: list[tuple[str, str, bool, int]], query: str, fusion: str
) -> None:
    index = build(rows)
    results = index.search(query, limit=50, include_internal=True, fusion=fusion)
    assert all(0.0 < r.score <= 1.0 for r in results)
    assert {r.doc_id for r in results} <= index.ids()
    sources = [r.source_id for r in results]
    assert len(sources) == len(set(sources))
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    for r in results:
        doc = index.get(r.doc_id)
        assert doc is not None and doc.source_id == r.source_id


@settings(max_examples=30, deadline=None)
@given(rows=doc_lists, query=word_text)
def test_internal_rows_only_when_asked(rows: list[tuple[str, str, bool, int]], query: str) -> None:
    index = build(rows)
    public = index.search(query, limit=50)
    assert all(not index.get(r.doc_id).internal for r in public)  # type: ignore[union-attr]


@settings(max_examples=30, deadline=None)
@given(rows=doc_lists, data=st.data())
def test_a_removed_row_is_never_found(
    rows: list[tuple[str, str, bool, int]], data: st.DataObject
) -> None:
    index = build(rows)
    gone = data.draw(st.sampled_from(sorted(index.ids())))
    index.remove([gone])
    assert gone not in index
    for row in rows:
        for query in (row[0], row[1]):
            results = index.search(query, limit=50, include_internal=True)
            assert gone not in {r.doc_id for r in results}


def test_lexical_score_is_one_for_a_perfect_match_and_lower_for_a_partial_one() -> None:
    index = HybridIndex(hashed_embed)
    index.upsert(
        [Doc(1, 1, "en", "refund policy", "how refunds work"), Doc(2, 2, "en", "box", "box")]
    )
    [best] = index.search("zebra quokka", fusion="lexical") or [None]
    assert best is None  # no shared word: nothing lexical
    full = index.lexical_scores("refund policy")
    half = index.lexical_scores("refund quokka")
    assert 0 < half[0] < full[0] <= 1.0
    assert full[1] == 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Where is my ORDER?", ["where", "is", "my", "order"]),
        ("退款政策", ["退款", "款政", "政策"]),
        ("注文をキャンセル", ["注文", "文を", "をキ", "キャ", "ャン", "ンセ", "セル"]),
        ("iPhone 退款", ["iphone", "退款"]),
        ("Ｒｅｆｕｎｄ", ["refund"]),  # full-width letters are normalised
        ("猫", ["猫"]),
        ("¿Cómo cancelo?", ["cómo", "cancelo"]),
    ],
)
def test_tokenize(text: str, expected: list[str]) -> None:
    assert retrieval.tokenize(text) == expected


def test_chinese_query_matches_chinese_article_lexically() -> None:
    index = HybridIndex(hashed_embed)
    index.upsert(
        [
            Doc(1, 1, "zh", "如何申请退款", "您可以在订单页面申请退款。"),
            Doc(2, 2, "zh", "修改密码", "在账户设置中修改密码。"),
        ]
    )
    [first, *_] = index.search("我想退款", fusion="lexical")
    assert first.doc_id == 1


def test_upsert_replaces_a_changed_row(tmp_path: Path) -> None:
    index = HybridIndex(hashed_embed)
    index.upsert([Doc(1, 1, "en", "cancel order", "cancel", stamp="a")])
    index.upsert([Doc(1, 1, "en", "invoice copy", "invoice", stamp="b")])
    assert len(index) == 1
    assert index.search("cancel", fusion="lexical") == []
    assert index.search("invoice", fusion="lexical")[0].doc_id == 1


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index = build([("refund order", "refund", False, 0), ("password", "account", True, 1)])
    index.version = 7
    index.owner = "k1"
    index.save(tmp_path / "idx")
    again = HybridIndex.load(tmp_path / "idx", hashed_embed)
    assert again is not None
    assert (again.version, again.owner, again.ids()) == (7, "k1", index.ids())
    assert again.search("refund", include_internal=True) == index.search(
        "refund", include_internal=True
    )


@pytest.mark.parametrize("damage", ["missing_json", "missing_npz", "mixed", "garbage"])
def test_a_damaged_or_mixed_save_is_not_loaded(tmp_path: Path, damage: str) -> None:
    first = build([("refund order", "refund", False, 0)])
    first.save(tmp_path / "idx")
    npz = (tmp_path / "idx.npz").read_bytes()
    second = build([("refund order", "refund", False, 0)])
    second.save(tmp_path / "idx")
    if damage == "missing_json":
        (tmp_path / "idx.json").unlink()
    elif damage == "missing_npz":
        (tmp_path / "idx.npz").unlink()
    elif damage == "mixed":  # the embeddings of one save with the rows of another
        (tmp_path / "idx.npz").write_bytes(npz)
    else:
        (tmp_path / "idx.json").write_text("{not json")
    assert HybridIndex.load(tmp_path / "idx", hashed_embed) is None


@pytest.fixture(scope="module")
def real_index() -> HybridIndex:
    from wowdesk.intelligence.emotion import embed

    index = HybridIndex(embed)
    index.upsert(
        [
            Doc(
                1,
                1,
                "en",
                "How to request a refund",
                "To get your money back, open the order and choose Request a refund.",
            ),
            Doc(
                2,
                2,
                "en",
                "Resetting your password",
                "Forgot your password? Use the reset link on the sign-in page.",
            ),
            Doc(
                3,
                3,
                "en",
                "Tracking your delivery",
                "Follow your parcel with the tracking number in the shipping email.",
            ),
            Doc(
                4,
                4,
                "en",
                "Changing your billing address",
                "Update the billing address in your account settings.",
            ),
        ]
    )
    return index


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("¿Cómo puedo obtener un reembolso de mi dinero?", 1),
        ("我想要退款", 1),
        ("忘记密码了怎么办", 2),
        ("¿Dónde está mi paquete?", 3),
        ("Wo ist mein Paket?", 3),
    ],
)
def test_cross_lingual_question_finds_the_english_article(
    real_index: HybridIndex, query: str, expected: int
) -> None:
    results = real_index.search(query, limit=3)
    assert results and results[0].source_id == expected


def test_many_rows_of_few_sources_still_fill_the_limit() -> None:
    """More matching rows than the candidates taken first, most of them one source's."""
    index = HybridIndex(hashed_embed)
    index.upsert(Doc(i, 1, "en", "refund", f"refund {i}") for i in range(1, 400))
    index.upsert(Doc(i, i, "en", "refund order", "refund") for i in range(400, 403))
    results = index.search("refund", limit=4, fusion="lexical")
    assert sorted(r.source_id for r in results) == [1, 400, 401, 402]
