"""Translation providers against real HTTP servers on 127.0.0.1 speaking each protocol."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.intelligence.translation_servers import FakeLibreTranslate, FakeOpenAIChat
from wowdesk.intelligence.translation import (
    CachedTranslator,
    InMemoryTranslationCache,
    LibreTranslateProvider,
    NoTranslationProvider,
    OpenAICompatibleProvider,
    Translation,
    TranslationCache,
    TranslationProvider,
    cache_key,
    clean_model_output,
    from_libretranslate_code,
    libretranslate_code,
    normalize_language,
    provider_from_settings,
    same_language,
)

MODEL = "toy-translator"


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate() as server:
        yield server


@pytest.fixture
def chat() -> Iterator[FakeOpenAIChat]:
    with FakeOpenAIChat() as server:
        yield server


def _closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- LibreTranslate ----------------------------------------------------------------------


def test_libretranslate_translates_with_known_source(libre: FakeLibreTranslate) -> None:
    result = LibreTranslateProvider(libre.url).translate(
        "Mein Paket ist nicht angekommen.", "en", "de"
    )
    assert result == Translation(
        text="My parcel has not arrived.",
        source_language="de",
        target_language="en",
        provider="libretranslate",
        available=True,
        detail="",
        cached=False,
    )
    (request,) = libre.posts("/translate")
    assert request.body == {
        "q": "Mein Paket ist nicht angekommen.",
        "source": "de",
        "target": "en",
        "format": "text",
    }


@pytest.mark.parametrize(("iso_codes", "reported"), [(True, "zh-Hans"), (False, "zh")])
def test_libretranslate_auto_detects_source(iso_codes: bool, reported: str) -> None:
    with FakeLibreTranslate(iso_codes=iso_codes) as server:
        result = LibreTranslateProvider(server.url).translate("我的订单还没有到。", "en")
    assert result.available
    assert result.text == "My order has not arrived yet."
    assert result.source_language == reported
    assert server.posts("/translate")[0].body["source"] == "auto"


@pytest.mark.parametrize(
    ("target", "sent", "expected"),
    [
        ("zh-Hans", "zh", "您的订单明天送达。"),
        ("zh_CN", "zh", "您的订单明天送达。"),
        ("zh-TW", "zt", "您的訂單明天送達。"),
        ("zh-Hant", "zt", "您的訂單明天送達。"),
    ],
)
def test_libretranslate_chinese_scripts_use_model_codes(
    target: str, sent: str, expected: str
) -> None:
    # An older server knows only model codes: "zh-Hans" would be "not supported".
    with FakeLibreTranslate(iso_codes=False) as server:
        result = LibreTranslateProvider(server.url).translate(
            "Your order arrives tomorrow.", target, "en"
        )
    assert (result.available, result.text) == (True, expected)
    assert server.posts("/translate")[0].body["target"] == sent


def test_libretranslate_brazilian_portuguese_is_pb() -> None:
    with FakeLibreTranslate(iso_codes=False) as server:
        result = LibreTranslateProvider(server.url).translate("Where is my order?", "pt-BR", "en")
    assert result.text == "Onde está meu pedido?"
    assert server.posts("/translate")[0].body["target"] == "pb"


def test_libretranslate_code_mapping_round_trip() -> None:
    assert [libretranslate_code(t) for t in ("de-AT", "EN", "pt", "pt-BR", "zh-HK")] == [
        "de",
        "en",
        "pt",
        "pb",
        "zt",
    ]
    assert [from_libretranslate_code(c) for c in ("zt", "pb", "zh", "zh-Hans", "de")] == [
        "zh-Hant",
        "pt-BR",
        "zh",
        "zh-Hans",
        "de",
    ]


def test_libretranslate_unsupported_target_is_unavailable(libre: FakeLibreTranslate) -> None:
    result = LibreTranslateProvider(libre.url).translate("Hello", "sw", "en")
    assert result.available is False
    assert result.text is None
    assert result.provider == "libretranslate"
    assert result.detail == (
        "no translation available: the translation service answered HTTP 400: sw is not supported"
    )


def test_libretranslate_api_key_sent_and_wrong_key_refused() -> None:
    with FakeLibreTranslate(api_keys={"k-good"}) as server:
        good = LibreTranslateProvider(server.url, api_key="k-good").translate(
            "¿Dónde está mi pedido?", "en", "es"
        )
        wrong = LibreTranslateProvider(server.url, api_key="k-bad").translate(
            "¿Dónde está mi pedido?", "en", "es"
        )
        missing = LibreTranslateProvider(server.url).translate("¿Dónde está mi pedido?", "en", "es")
    assert good.text == "Where is my order?"
    assert server.posts("/translate")[0].body["api_key"] == "k-good"
    assert wrong.available is False
    assert "HTTP 403" in wrong.detail and "Invalid API key" in wrong.detail
    assert missing.available is False
    assert "Please contact the server operator" in missing.detail


def test_libretranslate_server_error_and_rate_limit(libre: FakeLibreTranslate) -> None:
    provider = LibreTranslateProvider(libre.url)
    libre.broken = True
    broken = provider.translate("Hello", "de", "en")
    libre.broken = False
    libre.rate_limited = True
    limited = provider.translate("Hello", "de", "en")
    assert broken.available is False
    assert "HTTP 500" in broken.detail and "Cannot translate text" in broken.detail
    assert limited.available is False
    assert "rate-limiting" in limited.detail and "429" in limited.detail


def test_proxy_error_page_is_unavailable_not_an_exception(libre: FakeLibreTranslate) -> None:
    libre.raw_failure = (502, "<html><body>502 Bad Gateway</body></html>")
    result = LibreTranslateProvider(libre.url).translate("Hello", "de", "en")
    assert result.available is False
    assert result.detail.startswith("no translation available: ")
    assert "HTTP 502" in result.detail


def test_unreachable_server_is_unavailable() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    for provider in (LibreTranslateProvider(url), OpenAICompatibleProvider(url + "/v1", MODEL)):
        result = provider.translate("Hello", "de", "en")
        assert result.available is False
        assert result.detail == (
            "no translation available: the translation service cannot be reached"
        )


def test_bad_url_is_unavailable_not_an_exception() -> None:
    result = LibreTranslateProvider("not a url").translate("Hello", "de", "en")
    assert result.available is False
    assert "cannot be reached" in result.detail


@pytest.mark.parametrize("kind", ["libretranslate", "openai"])
def test_timeout_returns_before_the_server_answers(kind: str) -> None:
    server: FakeLibreTranslate | FakeOpenAIChat
    server = FakeLibreTranslate() if kind == "libretranslate" else FakeOpenAIChat()
    server.hold = threading.Event()  # the server answers only once this is set
    with server:
        provider: TranslationProvider
        if kind == "libretranslate":
            provider = LibreTranslateProvider(server.url, timeout=0.3)
        else:
            provider = OpenAICompatibleProvider(server.url + "/v1", MODEL, timeout=0.3)
        result = provider.translate("Hello", "de", "en")
        # The client gave up while the server was still holding the request.
        assert len(server.requests) == 1
        assert server.answered == 0
        server.hold.set()
    assert result.available is False
    assert result.detail == (
        "no translation available: the translation service did not answer within 0.3 s"
    )


# --- OpenAI-compatible -------------------------------------------------------------------


def test_openai_translates_and_sends_a_faithful_prompt(chat: FakeOpenAIChat) -> None:
    provider = OpenAICompatibleProvider(chat.url + "/v1/", MODEL)
    result = provider.translate("Mein Paket ist nicht angekommen.", "en", "de")
    assert result == Translation(
        text="My parcel has not arrived.",
        source_language="de",
        target_language="en",
        provider="openai",
        available=True,
    )
    (request,) = chat.posts("/v1/chat/completions")
    assert request.body["model"] == MODEL
    assert request.body["temperature"] == 0
    system, user = request.body["messages"]
    assert system["role"] == "system"
    assert "from German into English" in system["content"]
    assert "numbers" in system["content"] and "links" in system["content"]
    assert user == {"role": "user", "content": "Mein Paket ist nicht angekommen."}
    assert "Authorization" not in request.headers


def test_openai_keeps_numbers_and_links(chat: FakeOpenAIChat) -> None:
    text = "Order #A-1042 ships on 2024-05-03: see https://example.com/t?id=7"
    result = OpenAICompatibleProvider(chat.url + "/v1", MODEL).translate(text, "es", "en")
    assert result.text == "El pedido #A-1042 se envía el 2024-05-03: vea https://example.com/t?id=7"


def test_openai_without_source_says_only_the_target(chat: FakeOpenAIChat) -> None:
    result = OpenAICompatibleProvider(chat.url + "/v1", MODEL).translate(
        "Your order arrives tomorrow.", "zh-CN"
    )
    assert result.text == "您的订单明天送达。"
    assert result.source_language is None
    system = chat.posts("/v1/chat/completions")[0].body["messages"][0]["content"]
    assert "into Chinese (Simplified)" in system and " from " not in system


def test_openai_api_key_and_wrong_key() -> None:
    with FakeOpenAIChat(api_key="sk-right") as server:
        ok = OpenAICompatibleProvider(server.url + "/v1", MODEL, api_key="sk-right").translate(
            "Mein Paket ist nicht angekommen.", "en", "de"
        )
        wrong = OpenAICompatibleProvider(server.url + "/v1", MODEL, api_key="sk-wrong").translate(
            "Mein Paket ist nicht angekommen.", "en", "de"
        )
        missing = OpenAICompatibleProvider(server.url + "/v1", MODEL).translate(
            "Mein Paket ist nicht angekommen.", "en", "de"
        )
    assert ok.text == "My parcel has not arrived."
    assert server.requests[0].headers["Authorization"] == "Bearer sk-right"
    assert wrong.available is False
    assert "HTTP 401" in wrong.detail and "Incorrect API key provided" in wrong.detail
    assert missing.available is False
    assert "HTTP 401" in missing.detail and "didn't provide an API key" in missing.detail


def test_openai_unknown_model_is_404(chat: FakeOpenAIChat) -> None:
    result = OpenAICompatibleProvider(chat.url + "/v1", "llama-9000").translate("Hello", "de", "en")
    assert result.available is False
    assert result.detail == (
        "no translation available: the model or endpoint was not found (HTTP 404): "
        "The model `llama-9000` does not exist or you do not have access to it."
    )


def test_openai_wrong_base_url_is_404(chat: FakeOpenAIChat) -> None:
    result = OpenAICompatibleProvider(chat.url, MODEL).translate("Hello", "de", "en")  # no /v1
    assert result.available is False
    assert "HTTP 404" in result.detail and "Invalid URL" in result.detail


@pytest.mark.parametrize("wrap", ["think", "quotes", "fence", "label"])
def test_openai_wrappers_are_stripped(chat: FakeOpenAIChat, wrap: str) -> None:
    chat.wrap = wrap
    result = OpenAICompatibleProvider(chat.url + "/v1", MODEL).translate(
        "We will send you a new parcel today.", "de", "en"
    )
    assert result.text == "Wir senden Ihnen heute ein neues Paket."


def test_openai_cut_off_or_empty_answer_is_unavailable(chat: FakeOpenAIChat) -> None:
    provider = OpenAICompatibleProvider(chat.url + "/v1", MODEL)
    chat.finish_reason = "length"
    cut = provider.translate("We will send you a new parcel today.", "de", "en")
    chat.finish_reason = "stop"
    chat.content = "   "
    empty = provider.translate("We will send you a new parcel today.", "de", "en")
    assert cut.available is False and "before the translation was complete" in cut.detail
    assert empty.available is False and "empty translation" in empty.detail


def test_openai_malformed_answer_is_unavailable(chat: FakeOpenAIChat) -> None:
    chat.raw_failure = (200, "<html>not json</html>")
    result = OpenAICompatibleProvider(chat.url + "/v1", MODEL).translate("Hello", "de", "en")
    assert result.available is False
    assert "could not be read" in result.detail


# --- Unicode -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "source", "target", "expected"),
    [
        ("我的订单还没有到。", "zh", "en", "My order has not arrived yet."),
        ("Your order arrives tomorrow.", "en", "zh", "您的订单明天送达。"),
        ("طلبي لم يصل بعد 📦", "ar", "en", "My order has not arrived yet 📦"),
        ("Your order arrives tomorrow 🚚", "en", "ar", "طلبك يصل غدا 🚚"),
    ],
)
def test_unicode_round_trip_both_providers(
    libre: FakeLibreTranslate,
    chat: FakeOpenAIChat,
    text: str,
    source: str,
    target: str,
    expected: str,
) -> None:
    providers: list[TranslationProvider] = [
        LibreTranslateProvider(libre.url),
        OpenAICompatibleProvider(chat.url + "/v1", MODEL),
    ]
    for provider in providers:
        assert provider.translate(text, target, source).text == expected
    assert libre.posts("/translate")[0].body["q"] == text
    assert chat.posts("/v1/chat/completions")[0].body["messages"][1]["content"] == text


def test_emoji_only_text_comes_back_unchanged(libre: FakeLibreTranslate) -> None:
    assert LibreTranslateProvider(libre.url).translate("😀👍", "de", "en").text == "😀👍"


# --- identity, offline default -----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"), [("en", "en"), ("en-GB", "en"), ("zh-CN", "zh-Hans"), ("pt", "pt_BR")]
)
def test_same_language_is_identity_without_http(
    libre: FakeLibreTranslate, source: str, target: str
) -> None:
    result = LibreTranslateProvider(libre.url).translate("Hallo 你好", target, source)
    assert result == Translation(
        text="Hallo 你好",
        source_language=source,
        target_language=target,
        provider="identity",
        available=True,
    )
    assert libre.requests == []


def test_empty_text_is_identity_without_http(libre: FakeLibreTranslate) -> None:
    result = LibreTranslateProvider(libre.url).translate("  \n", "de", "en")
    assert (result.provider, result.available, result.text) == ("identity", True, "  \n")
    assert libre.requests == []


def test_chinese_scripts_are_different_languages(libre: FakeLibreTranslate) -> None:
    assert not same_language("zh", "zh-TW")
    result = LibreTranslateProvider(libre.url).translate("我的訂單還沒有到。", "zh", "zh-Hant")
    assert result.provider == "libretranslate"
    assert len(libre.requests) == 1


def test_undetermined_source_is_auto(libre: FakeLibreTranslate) -> None:
    result = LibreTranslateProvider(libre.url).translate(
        "Mein Paket ist nicht angekommen.", "en", "und"
    )
    assert result.text == "My parcel has not arrived."
    assert result.source_language == "de"
    assert libre.posts("/translate")[0].body["source"] == "auto"


def test_no_translation_provider_says_so_plainly() -> None:
    provider = NoTranslationProvider()
    result = provider.translate("我的订单还没有到。", "en", "zh")
    assert result == Translation(
        text=None,
        source_language="zh",
        target_language="en",
        provider="none",
        available=False,
        detail="no translation available: no provider configured",
    )
    assert provider.translate("Hello", "en", "en").available is True


def test_details_go_through_django_gettext(monkeypatch: pytest.MonkeyPatch) -> None:
    import django.utils.translation as dj

    monkeypatch.setattr(dj, "gettext", lambda message: f"<<{message}>>")
    detail = NoTranslationProvider().translate("Hello", "de", "en").detail
    assert detail == "<<no translation available: <<no provider configured>>>>"


# --- cache -------------------------------------------------------------------------------


def test_cache_hit_makes_no_second_request(libre: FakeLibreTranslate) -> None:
    translator = CachedTranslator(LibreTranslateProvider(libre.url), InMemoryTranslationCache())
    first = translator.translate("我的订单还没有到。", "en")
    second = translator.translate("我的订单还没有到。", "en")
    assert len(libre.posts("/translate")) == 1
    assert (first.cached, second.cached) == (False, True)
    assert second.text == first.text == "My order has not arrived yet."
    assert second.source_language == "zh-Hans"  # the detected language is kept
    assert second.provider == "libretranslate"
    # A different target is a different entry.
    translator.translate("我的订单还没有到。", "de")
    assert len(libre.posts("/translate")) == 2


def test_failures_are_not_cached(libre: FakeLibreTranslate) -> None:
    translator = CachedTranslator(LibreTranslateProvider(libre.url), InMemoryTranslationCache())
    libre.broken = True
    assert translator.translate("Hello", "de", "en").available is False
    libre.broken = False
    again = translator.translate("Hello", "de", "en")
    assert (again.available, again.cached, again.text) == (True, False, "[de] Hello")
    assert len(libre.posts("/translate")) == 2


def test_cache_key_separates_provider_model_languages_and_text() -> None:
    base = ("openai", "m1", "de", "en", "Hallo")
    variants = [
        ("libretranslate", "m1", "de", "en", "Hallo"),
        ("openai", "m2", "de", "en", "Hallo"),
        ("openai", "m1", None, "en", "Hallo"),
        ("openai", "m1", "de", "fr", "Hallo"),
        ("openai", "m1", "de", "en", "Hallo!"),
    ]
    keys = {cache_key(*base), *(cache_key(*v) for v in variants)}
    assert len(keys) == 6
    assert cache_key("openai", "m1", "DE", "en_US", "Hallo") == cache_key(
        "openai", "m1", "de", "en-us", "Hallo"
    )
    assert all(len(k) == 64 for k in keys)


def test_in_memory_cache_evicts_least_recently_used() -> None:
    cache = InMemoryTranslationCache(maxsize=2)
    cache.set("a", "1")
    cache.set("b", "2")
    assert cache.get("a") == "1"  # a is now the most recent
    cache.set("c", "3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("1", None, "3")
    assert len(cache) == 2
    assert isinstance(cache, TranslationCache)


class _BrokenCache:
    def get(self, key: str) -> str | None:
        raise RuntimeError("database down")

    def set(self, key: str, value: str) -> None:
        raise RuntimeError("database down")


def test_broken_cache_still_translates(libre: FakeLibreTranslate) -> None:
    translator = CachedTranslator(LibreTranslateProvider(libre.url), _BrokenCache())
    result = translator.translate("Mein Paket ist nicht angekommen.", "en", "de")
    assert (result.available, result.text) == (True, "My parcel has not arrived.")


# --- configuration -----------------------------------------------------------------------


def test_provider_from_settings_builds_each_kind(libre: FakeLibreTranslate) -> None:
    none = provider_from_settings("", "", "", "")
    assert isinstance(none, NoTranslationProvider)
    assert isinstance(provider_from_settings("NONE"), NoTranslationProvider)
    lt = provider_from_settings("libretranslate", libre.url + "/", "", "k")
    assert isinstance(lt, LibreTranslateProvider)
    assert (lt.url, lt.api_key, lt.timeout) == (libre.url, "k", 10.0)
    oa = provider_from_settings(
        " OpenAI ", "http://127.0.0.1:11434/v1", "qwen2.5:3b", "", timeout=5
    )
    assert isinstance(oa, OpenAICompatibleProvider)
    assert (oa.base_url, oa.model, oa.api_key, oa.timeout) == (
        "http://127.0.0.1:11434/v1",
        "qwen2.5:3b",
        None,
        5,
    )
    cached = provider_from_settings("libretranslate", libre.url, cache=InMemoryTranslationCache())
    assert isinstance(cached, CachedTranslator)
    assert cached.translate("Hello", "de", "en").text == "[de] Hello"
    for provider in (none, lt, oa, cached):
        assert isinstance(provider, TranslationProvider)


@pytest.mark.parametrize(
    ("kind", "url", "model", "message"),
    [
        ("deepl", "http://x", "", "unknown translation provider"),
        ("libretranslate", "", "", "WOWDESK_TRANSLATION_URL"),
        ("openai", "http://x/v1", "", "WOWDESK_TRANSLATION_MODEL"),
    ],
)
def test_provider_from_settings_rejects_bad_configuration(
    kind: str, url: str, model: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        provider_from_settings(kind, url, model, "")


# --- pure helpers, property-tested -------------------------------------------------------


_plain = (
    st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\"'“”「」«»`<>"),
        min_size=1,
    )
    .map(str.strip)
    .filter(lambda s: s and not s.lower().startswith(("translation", "here")))
)


@given(_plain)
def test_clean_leaves_a_plain_translation_alone(text: str) -> None:
    assert clean_model_output(text, "original") == text


@given(_plain, st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_clean_drops_reasoning_and_quotes(text: str, thought: str) -> None:
    thought = thought.replace("</think>", "")
    assert clean_model_output(f"<think>{thought}</think>\n“{text}”", "original") == text


def test_clean_keeps_quotes_the_original_had() -> None:
    assert clean_model_output('"Hallo"', '"Hello"') == '"Hallo"'
    assert clean_model_output("Translation: notes", "Translation: notes") == "Translation: notes"


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_ ", max_size=20))
def test_normalize_language_is_idempotent(tag: str) -> None:
    once = normalize_language(tag)
    assert normalize_language(once) == once
    assert once == once.lower() and "_" not in once


@given(st.sampled_from(["en", "de", "zh", "zh-TW", "zh-Hans", "pt-BR", "ar", "es-MX"]))
def test_same_language_is_reflexive_and_code_mapping_stable(tag: str) -> None:
    assert same_language(tag, tag)
    assert same_language(tag, tag.upper().replace("-", "_"))
    assert libretranslate_code(tag) == libretranslate_code(normalize_language(tag))
