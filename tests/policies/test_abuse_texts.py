"""The courteous templates: every level in every language has its text; the customer's
language, then the brand's, then English; a brand's wording first; Arabic is right to left."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from wowdesk.customers.restrictions import withholds
from wowdesk.policies import abuse_texts as t

CHANNELS = ("api", "email", "chat", "voice", "social", "web")
LATIN = re.compile(r"[A-Za-z]")


@given(
    level=st.sampled_from(t.LEVELS),
    language=st.sampled_from(t.LANGUAGES),
    channel=st.sampled_from(CHANNELS),
    brand=st.text(min_size=1, max_size=30),
)
def test_every_level_and_language_has_text(
    level: str, language: str, channel: str, brand: str
) -> None:
    body = t.text(level, language, brand=brand, channel=channel)
    assert body.strip() and brand in body
    assert "{" not in t.TEXTS[language][level].replace("{brand}", "").replace("{channel}", "")
    if level == "restricted":
        assert t.channel_name(channel, language) in body


def test_every_language_is_complete() -> None:
    for language in t.LANGUAGES:
        assert set(t.TEXTS[language]) == set(t.LEVELS), language
        assert set(t.CHANNELS[language]) == set(CHANNELS), language
    for language in ("ja", "zh-hans", "ar"):  # no English word left in them
        for level in t.LEVELS:
            assert not LATIN.search(
                t.TEXTS[language][level].replace("{brand}", "").replace("{channel}", "")
            ), (language, level)


@given(st.text(max_size=12), st.text(max_size=12))
def test_the_language_picked_is_always_one_we_have(language: str, fallback: str) -> None:
    assert t.pick_language(language, fallback) in t.TEXTS


def test_customer_then_brand_then_english() -> None:
    assert t.pick_language("de-AT", "fr") == "de"
    assert t.pick_language("nl", "fr") == "fr"
    assert t.pick_language("nl", "sv") == "en"
    assert t.pick_language("zh-CN", "en") == "zh-hans"
    assert t.pick_language("pt-BR", "en") == "pt"
    assert t.text("blocked", "it", brand="Acme").startswith("Buongiorno, siamo Acme.")


def test_the_brands_wording_comes_first() -> None:
    own = {"warned": {"en": "{brand} asks you to be kind.", "de": "Bitte freundlich, {brand}."}}
    assert t.text("warned", "de", overrides=own, brand="Acme") == "Bitte freundlich, Acme."
    assert t.text("warned", "en", overrides=own, brand="Acme") == "Acme asks you to be kind."
    # a language the brand did not write: the built-in text of that language
    assert t.text("warned", "fr", overrides=own, brand="Acme").startswith("Bonjour")
    # the brand's English beats English only, never the customer's own language
    assert t.text("warned", "nl", overrides=own, brand="Acme") == "Acme asks you to be kind."
    # a stray brace in a brand's wording: as written, never an error
    assert t.text("blocked", "en", overrides={"blocked": {"en": "Bye {x"}}) == "Bye {x"


def test_right_to_left() -> None:
    assert t.is_rtl("ar") and t.is_rtl("ar-EG") and not t.is_rtl("ja")


@given(
    level=st.sampled_from(("", "warned", "restricted", "blocked")),
    allowed=st.sampled_from(CHANNELS),
    channel=st.sampled_from(CHANNELS),
)
def test_what_a_restriction_withholds(level: str, allowed: str, channel: str) -> None:
    held = withholds(level, allowed, channel)
    if level == "blocked":
        assert held
    elif level == "restricted":
        assert held == (channel != allowed)
    else:
        assert not held
