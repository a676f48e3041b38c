"""The survey's words: every language has every text; the fallback chain."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wowdesk.surveys import texts


def test_every_language_has_every_text_and_the_brand_placeholder_where_english_has_it() -> None:
    english = texts.TEXTS["en"]
    for language in texts.LANGUAGES:
        chosen = texts.TEXTS[language]
        assert set(chosen) == set(english), language
        for key, value in english.items():
            assert ("{brand}" in chosen[key]) == ("{brand}" in value), (language, key)


def test_customer_language_then_brand_default_then_english() -> None:
    assert texts.pick_language("id", "de") == "id"
    assert texts.pick_language("de-AT", "en") == "de"
    assert texts.pick_language("zh", "en") == "zh-hans"
    assert texts.pick_language("zh_CN", "en") == "zh-hans"
    assert texts.pick_language("sw", "fr") == "fr"
    assert texts.pick_language("", "") == "en"
    assert texts.text("question.nps", "id", brand="Acme").endswith("kolega?")
    assert "Acme" in texts.text("question.nps", "id", brand="Acme")
    assert texts.text("send", "sw", "es") == "Enviar"


def test_arabic_is_right_to_left() -> None:
    assert texts.is_rtl("ar") and texts.is_rtl("ar-EG")
    assert not texts.is_rtl("en") and not texts.is_rtl("")


@given(st.text(max_size=12), st.text(max_size=12))
def test_any_language_code_gets_a_language_that_has_the_texts(language: str, fallback: str) -> None:
    assert texts.pick_language(language, fallback) in texts.TEXTS
