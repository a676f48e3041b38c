"""Removing customer data from a conversation's text before it becomes a proposed article.

Pure (no Django). :func:`anonymise` replaces, in this order:

* URLs that carry a query string, a fragment or a long token in their path → ``[link]``
  (plain URLs such as ``https://acme.demo/help`` stay: they are part of an answer);
* email addresses → ``[email]``;
* card numbers (13–19 digits, spaced or dashed, Luhn-valid or not) and IBANs → ``[card]``
  / ``[iban]``;
* phone numbers (``+`` and a country code, or a run of 7+ digits with separators) →
  ``[phone]``;
* order, tracking and account numbers: ``#A12345``, ``ORD-2024-0001``, ``AE-7781-KX``,
  ``1Z999AA10123456784``, any run of 5+ digits → ``[number]``;
* street addresses (``12 Baker Street``, ``Hauptstraße 5``, ``Calle Mayor 12``) and
  postcodes of common countries (UK, US ZIP+4, Canada, the Netherlands; 4–5 digit codes
  before a town name) → ``[address]`` / ``[postcode]``;
* the names given (the customer's and the agent's, each word of them) and the name after a
  greeting or a sign-off (``Hi Maria``, ``Regards, John``) → ``[name]``.

Words shorter than 2 letters of a known name are left alone (an initial is not a name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME = "[name]"
EMAIL = "[email]"
PHONE = "[phone]"
NUMBER = "[number]"
ADDRESS = "[address]"
POSTCODE = "[postcode]"
CARD = "[card]"
IBAN = "[iban]"
LINK = "[link]"

_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+", re.IGNORECASE)
_URL_SECRET = re.compile(r"[?#]|[A-Za-z0-9_-]{20,}|/\d{4,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.\w{2,}", re.UNICODE)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_CARD = re.compile(r"(?<![\w-])(?:\d[ -]?){12,18}\d(?![\w-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)\d{1,3}[\s.\-/]*(?:\(\d{1,4}\)[\s.\-/]*)?\d(?:[\s.\-/]*\d){5,13}(?!\w)"
    r"|(?<![\w+])\(?\d{2,5}\)?[\s.\-/]\d{2,4}(?:[\s.\-/]\d{2,5}){1,3}(?![\w-])"
)
# A code mixing letters and digits, with or without dashes (ORD-2024-0001, AE-7781-KX,
# 1Z999AA10123456784, #A12345); at least 4 digits in all so words like "MP3" or "4K" stay.
_CODE = re.compile(
    r"#?\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b|#?\b[A-Za-z]*\d[A-Za-z0-9]*\b"
)
_HASH_NUMBER = re.compile(r"#\s?[A-Za-z0-9-]*\d[A-Za-z0-9-]*")
_DIGITS = re.compile(r"\d")
_HONORIFICS = r"(?:先生|女士|小姐|太太|様|さま|さん|殿|님|씨)"
_CJK_NAME = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")

_STREET_WORDS = (
    r"street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|drive|dr\.?|boulevard|blvd\.?|"
    r"way|court|ct\.?|place|pl\.?|square|terrace|close|crescent|highway|hwy"
)
_ADDRESS_EN = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){{1,3}}(?i:{_STREET_WORDS})(?!\w)",
    re.UNICODE,
)
_ADDRESS_EU = re.compile(
    r"\b(?:[A-ZÄÖÜ][\w'-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat|gracht"
    r"|plein|vej|gade|väg|gatan)|(?:Calle|Avenida|Av\.|Rue|Via|Viale|Piazza|Rua|Plaza|Paseo"
    r"|Carrer|Boulevard|Chemin|Avenue)\s+(?:(?:de|del|la|las|los|des|du|di|da|do)\s+)*"
    r"[A-ZÁÉÍÓÚÑÀÈÌÒÙÇ][\w'-]*(?:\s+[A-ZÁÉÍÓÚÑÀÈÌÒÙÇ][\w'-]*)?),?\s+\d{1,5}[A-Za-z]?\b",
    re.UNICODE,
)
_POSTCODE_UK = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_POSTCODE_CA = re.compile(r"\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b")
_POSTCODE_NL = re.compile(r"\b\d{4}\s?[A-Z]{2}\b")
_POSTCODE_US = re.compile(r"\b\d{5}-\d{4}\b")
_POSTCODE_TOWN = re.compile(r"\b(?:[A-Z]{1,2}-)?\d{4,5}(?=\s+[A-ZÄÖÜÉ][a-zäöüéèàßñ]+)", re.UNICODE)

_GREETING = re.compile(
    r"\b(?i:(?P<word>hi|hello|hey|dear|good (?:morning|afternoon|evening)|hallo|liebe[rs]?|"
    r"sehr geehrte[rs]?(?: (?:herr|frau))?|hola|estimad[oa]|bonjour|cher|chère|ciao|gentile|"
    r"beste|hej|olá|oi))[ ,]+(?P<name>[A-ZÀ-ÖØ-Þ][\w'-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'-]+)?)",
    re.UNICODE,
)
_SIGN_OFF = re.compile(
    r"\b(?i:(?P<word>regards|best regards|kind regards|best|thanks|thank you|cheers|sincerely|"
    r"yours|mit freundlichen grüßen|viele grüße|grüße|saludos|un saludo|atentamente|"
    r"cordialement|cordiali saluti|met vriendelijke groet|groeten))[ ,.!]*\n?\s*-?\s*"
    r"(?P<name>[A-ZÀ-ÖØ-Þ][\w'-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'-]+)?)\s*[.!]?\s*$",
    re.UNICODE | re.MULTILINE,
)
_SELF_INTRO = re.compile(
    r"\b(?i:(?P<word>my name is|this is|i am|i'm|me llamo|ich bin|ich heiße|je m'appelle))\s+"
    r"(?P<name>[A-ZÀ-ÖØ-Þ][\w'-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'-]+)?)",
    re.UNICODE,
)
# Capitalised words that follow a greeting word but are not names.
_NOT_NAMES = frozenset(
    {
        "there",
        "team",
        "all",
        "everyone",
        "support",
        "again",
        "the",
        "customer",
        "service",
        "sir",
        "madam",
        "i",
        "we",
        "you",
        "for",
        "and",
        "so",
        "much",
        "a",
        "lot",
        "in",
        "advance",
        "your",
        "our",
    }
)


def anonymise(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with customer data replaced by placeholders (see the module's docstring).
    ``names``: the known names (the customer's, the agent's), each word is removed."""
    out = _URL.sub(_link, text)
    out = _EMAIL.sub(EMAIL, out)
    out = _IBAN.sub(IBAN, out)
    out = _CARD.sub(_card, out)
    out = _ADDRESS_EU.sub(ADDRESS, out)
    out = _ADDRESS_EN.sub(ADDRESS, out)
    out = _PHONE.sub(_phone, out)
    out = _POSTCODE_US.sub(POSTCODE, out)
    out = _POSTCODE_UK.sub(POSTCODE, out)
    out = _POSTCODE_CA.sub(POSTCODE, out)
    out = _POSTCODE_NL.sub(POSTCODE, out)
    out = _POSTCODE_TOWN.sub(POSTCODE, out)
    out = _HASH_NUMBER.sub(NUMBER, out)
    out = _CODE.sub(_code, out)
    out = _known_names(out, names)
    out = _GREETING.sub(_named, out)
    out = _SIGN_OFF.sub(_named, out)
    out = _SELF_INTRO.sub(_named, out)
    return out


def _link(m: re.Match[str]) -> str:
    url = m.group(0)
    rest = url.split("://", 1)[1]
    path = rest.split("/", 1)[1] if "/" in rest else ""
    return LINK if (_URL_SECRET.search(path) or "@" in rest) else url


def _card(m: re.Match[str]) -> str:
    token = m.group(0)
    digits = sum(c.isdigit() for c in token)
    # "00" opens an international phone number, never a card number
    return CARD if 13 <= digits <= 19 and not token.startswith("00") else token


def _phone(m: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in m.group(0))
    return PHONE if digits >= 7 else m.group(0)


def _code(m: re.Match[str]) -> str:
    token = m.group(0)
    digits = len(_DIGITS.findall(token))
    if token.startswith("[") or digits == 0:
        return token
    letters = sum(c.isalpha() for c in token)
    if digits >= 5 or (digits >= 3 and "-" in token) or (digits >= 4 and letters >= 1):
        return NUMBER
    return token


def _known_names(text: str, names: Iterable[str]) -> str:
    words = {
        w
        for name in names
        for w in re.split(r"[\s,.;:()<>\"]+", name or "")
        if len(w) >= 2 and "@" not in w and not w.isdigit()
    }
    if not words:
        return text
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE | re.UNICODE)
    out = pattern.sub(NAME, text)
    # Chinese, Japanese and Korean run words together ("田中様", "王先生"): a name written in
    # those scripts is removed wherever it stands, not only between word boundaries.
    cjk = sorted((w for w in words if _CJK_NAME.fullmatch(w)), key=len, reverse=True)
    if cjk:
        out = re.sub("|".join(re.escape(w) for w in cjk), NAME, out)
        # a full name written without a space ("王伟"): its family name before an honorific
        # ("王先生", "田中様") is a name too
        families = {w[:2] if len(w) == 4 else w[:1] for w in cjk if 2 <= len(w) <= 4}
        out = re.sub(
            rf"(?:{'|'.join(re.escape(f) for f in sorted(families, key=len, reverse=True))})"
            rf"(?={_HONORIFICS})",
            NAME,
            out,
        )
    # "[name] [name]" (first and last name) reads as one name.
    return re.sub(r"\[name\](?:\s+\[name\])+", NAME, out)


def _named(m: re.Match[str]) -> str:
    name = m.group("name")
    end = 0
    for part in re.finditer(r"\S+", name):
        if part.group(0).lower() in _NOT_NAMES or part.group(0).startswith("["):
            break
        end = part.end()
    if not end:
        return m.group(0)
    whole = m.group(0)
    start = m.start("name") - m.start(0)
    return whole[:start] + NAME + whole[start + end :]


_GREETING_LINE = re.compile(
    r"^\s*(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening)|hallo|hola|bonjour|"
    r"ciao|hej|olá|您好|你好)\b[^\n.!?]{0,40}[,.!:]?\s*(?:\n|$)",
)
_SIGN_OFF_TAIL = re.compile(
    r"\n\s*(?i:regards|best regards|kind regards|best|thanks|thank you|cheers|sincerely|"
    r"yours|mit freundlichen grüßen|viele grüße|saludos|un saludo|atentamente|cordialement)"
    r"[ ,.!]*(?:\n\s*)?(?:\[name\]|[A-ZÀ-ÖØ-Þ][\w'-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'-]*)?)?\s*[.!]?\s*$",
)
_INTRO = re.compile(
    r"^(?i:hi|hello|hey|hallo|hola|bonjour|dear)\b[^.!?\n]{0,30}[,!.]\s*"
    r"|^(?i:my name is|i am|i'm|this is)\s+\[name\][.,!]?\s*"
)
_SENTENCE = re.compile(r"[^.!?。？！\n]+[.!?。？！]?")


def strip_salutations(text: str) -> str:
    """``text`` without its greeting line and its sign-off (an answer read as an article)."""
    out = _GREETING_LINE.sub("", text, count=1)
    out = _SIGN_OFF_TAIL.sub("", out).strip()
    return out[:1].upper() + out[1:]


def title_from_question(question: str, max_chars: int = 120) -> str:
    """A title for a question: its first question of some length (6 words or more), else
    its first sentence that says something (4 words or more, not a greeting, an
    introduction or only placeholders), else its first sentence."""
    sentences: list[tuple[str, int]] = []
    for m in _SENTENCE.finditer(question):
        s = m.group(0).strip()
        while True:
            shorter = _INTRO.sub("", s, count=1).strip()
            if shorter == s:
                break
            s = shorter
        words = [w for w in re.split(r"\s+", re.sub(r"\[\w+\]", "", s)) if w]
        # a sentence without spaces (Chinese, Japanese) counts its characters by twos
        size = len(words) if len(words) > 1 else len(s.replace(" ", "")) // 2
        if s:
            sentences.append((s, size))
    line = next(
        (s for s, n in sentences if n >= 6 and s.endswith(("?", "？"))),
        next((s for s, n in sentences if n >= 4), sentences[0][0] if sentences else ""),
    )
    line = line or question.strip()
    line = line[:1].upper() + line[1:]
    return line if len(line) <= max_chars else line[: max_chars - 1].rstrip() + "…"
