"""One rule picks the translation a reader gets (search, the help center, the bot)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wowdesk.knowledge import retrieval

codes = st.sampled_from(["en", "es", "es-mx", "de", "zh-hans", "zh-hant", "fr", "pt-br", "id"])


def test_asked_then_chain_then_default_each_once() -> None:
    assert retrieval.language_order("ES_mx", ["de", "es-mx"], "EN") == ["es-mx", "de", "en"]
    assert retrieval.language_order(None, [], "en") == ["en"]
    assert retrieval.language_order("", [" "], None) == []


def test_same_code_first_then_same_base_language() -> None:
    assert retrieval.pick_language(["en", "es", "es-mx"], ["es-mx"]) == "es-mx"
    assert retrieval.pick_language(["en", "es"], ["es-mx"]) == "es"
    assert retrieval.pick_language(["en", "zh-hans"], ["zh-hant", "en"]) == "zh-hans"
    assert retrieval.pick_language(["en", "de"], ["fr", "de"]) == "de"
    assert retrieval.pick_language(["en"], ["fr"]) is None


@given(st.lists(codes, min_size=1, unique=True), st.lists(codes, max_size=4))
def test_the_pick_is_available_and_no_earlier_language_had_a_match(
    available: list[str], order: list[str]
) -> None:
    chosen = retrieval.pick_language(available, order)
    bases = {code.split("-")[0] for code in available}
    if chosen is None:
        assert not any(w.split("-")[0] in bases for w in order)
        return
    assert chosen in available
    first = next(w for w in order if w.split("-")[0] in bases)
    assert chosen == first or chosen.split("-")[0] == first.split("-")[0]
