"""A training scenario from a resolved conversation's transcript (pure: no Django import).

:func:`build` turns the customer's and the agents' messages into the fields of a scenario,
every text passed through ``knowledge.anonymise`` with the names known (the customer's and
every agent's): the opening message (the first customer message), the facts the simulated
customer tells when asked (the problem, the other things the customer wrote, the product,
whether an order number was given), the mood (the first customer message's emotion), the
market (the phone's country code, else the language), the difficulty (length and mood), the
expected resolution (the agents' last reply, without greeting and sign-off), the key points
(the short action sentences of the agents' last two replies, the KB articles used) and a
title (the subject, else the customer's question).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wowdesk.knowledge.anonymise import NUMBER, anonymise, strip_salutations, title_from_question

MAX_KEY_POINTS = 4
MAX_POINT_WORDS = 14
MAX_RESOLUTION_CHARS = 600

# the intelligence app's emotion labels → scenario moods
MOOD_OF_EMOTION = {
    "angry": "angry",
    "frustrated": "frustrated",
    "neutral": "worried",
    "satisfied": "calm",
    "delighted": "calm",
}
_MOOD_RANK = {"calm": 0, "worried": 1, "frustrated": 2, "angry": 3}

CALLING_CODES = {
    "1": "US",
    "7": "RU",
    "20": "EG",
    "27": "ZA",
    "31": "NL",
    "32": "BE",
    "33": "FR",
    "34": "ES",
    "39": "IT",
    "41": "CH",
    "43": "AT",
    "44": "GB",
    "45": "DK",
    "46": "SE",
    "47": "NO",
    "48": "PL",
    "49": "DE",
    "52": "MX",
    "55": "BR",
    "61": "AU",
    "62": "ID",
    "65": "SG",
    "81": "JP",
    "82": "KR",
    "86": "CN",
    "90": "TR",
    "91": "IN",
    "351": "PT",
    "852": "HK",
    "886": "TW",
    "966": "SA",
    "971": "AE",
}
LANGUAGE_MARKETS = {
    "de": "DE",
    "fr": "FR",
    "es": "ES",
    "it": "IT",
    "ja": "JP",
    "zh": "CN",
    "ko": "KR",
    "pt": "BR",
    "nl": "NL",
    "id": "ID",
    "ar": "SA",
    "en": "US",
    "da": "DK",
    "sv": "SE",
    "nb": "NO",
    "no": "NO",
    "fi": "FI",
    "pl": "PL",
    "tr": "TR",
    "ru": "RU",
    "hi": "IN",
    "th": "TH",
    "vi": "VN",
}

# verbs that make a sentence of an agent's reply an action the customer gets
_ACTION = re.compile(
    r"\b(?:send|sent|sending|ship|shipped|refund|refunded|replace|replacement|repair|credit|"
    r"extend|extended|reset|update|upgrade|cancel|cancelled|exchange|return|label|voucher|"
    r"discount|arrange|book|booked|schedule|technician|warranty|"
    r"senden|schicken|erstatten|ersatz|reparatur|gutschrift|austausch|"
    r"envoy|rembours|remplac|répar|avoir|"
    r"enviar|envia|reembols|reemplaz|repar|abono)\w*"
    r"|退款|更换|维修|补发|寄|赔偿|延长|返金|交換|修理|発送|お送り|リセット|延長",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?。？！\n]+[.!?。？！]?")
_THANKS = re.compile(
    r"^\s*(?:thanks|thank you|danke|merci|gracias|谢谢|hi|hello|hallo|hola|bonjour|dear)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Line:
    role: str  # "customer" | "agent"
    body: str
    emotion: str = ""  # the intelligence label of a customer message, if scored


@dataclass(frozen=True)
class Source:
    lines: Sequence[Line]
    names: Sequence[str] = ()  # the customer's and the agents' names
    subject: str = ""
    language: str = "en"
    phone: str = ""  # the customer's phone (E.164), for the market only
    products: Sequence[str] = ()  # from the customer's purchases
    order_refs: Sequence[str] = ()  # from purchases: removed wherever they appear
    kb_titles: Sequence[str] = ()  # articles used in the conversation
    policy_limits: Sequence[dict[str, Any]] = field(default_factory=list)


def market_of(phone: str, language: str) -> str:
    digits = re.sub(r"\D", "", phone or "") if (phone or "").startswith("+") else ""
    for size in (3, 2, 1):
        if digits[:size] in CALLING_CODES:
            return CALLING_CODES[digits[:size]]
    return LANGUAGE_MARKETS.get((language or "").lower().split("-")[0], "")


def difficulty_of(turns: int, mood: str) -> str:
    points = turns + 2 * _MOOD_RANK.get(mood, 2)
    if points <= 5:
        return "easy"
    if points >= 10:
        return "hard"
    return "medium"


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def key_points_of(replies: Sequence[str], kb_titles: Iterable[str] = ()) -> list[str]:
    """Short action sentences of the agents' last two replies, then the KB titles used."""
    points: list[str] = []
    for reply in replies[-2:]:
        for s in sentences(strip_salutations(reply)):
            if _THANKS.match(s) or not _ACTION.search(s):
                continue
            words = s.split()
            if len(words) > MAX_POINT_WORDS:
                s = " ".join(words[:MAX_POINT_WORDS])
            s = s.rstrip(".!?。！？ ")
            if s and s not in points:
                points.append(s)
    points = points[:MAX_KEY_POINTS]
    for t in kb_titles:
        if t and t not in points and len(points) < MAX_KEY_POINTS + 2:
            points.append(t)
    return points


def build(source: Source) -> dict[str, Any]:
    """The scenario's fields (see the module's docstring); every text anonymised."""
    names = [n for n in source.names if n]

    def clean(text: str) -> str:
        out = text
        for ref in source.order_refs:
            if ref and len(ref) >= 3:
                out = re.sub(re.escape(ref), NUMBER, out, flags=re.IGNORECASE)
        return anonymise(out, names).strip()

    lines = [Line(x.role, clean(x.body), x.emotion) for x in source.lines if x.body.strip()]
    customer = [x for x in lines if x.role == "customer"]
    agent = [x.body for x in lines if x.role == "agent"]
    opening = customer[0].body if customer else clean(source.subject)
    first_emotion = next(
        (x.emotion for x in source.lines if x.role == "customer" and x.body.strip()), ""
    )
    mood = MOOD_OF_EMOTION.get(first_emotion, "frustrated")
    facts: dict[str, str] = {}
    problem = title_from_question(opening) if opening else ""
    if problem:
        facts["problem"] = problem
    if source.products:
        facts["product"] = clean(source.products[0])
    if NUMBER in " ".join(x.body for x in customer) or source.order_refs:
        facts["order"] = NUMBER
    more = " ".join(x.body for x in customer[1:3])
    if more:
        facts["details"] = more[:500]
    facts["customer_name"] = "[name]"
    expected = strip_salutations(agent[-1]) if agent else ""
    if len(expected) > MAX_RESOLUTION_CHARS:
        expected = expected[: MAX_RESOLUTION_CHARS - 1].rstrip() + "…"
    title = clean(source.subject) or title_from_question(opening)
    return {
        "title": (title or problem or "Scenario")[:200],
        "opening": opening,
        "facts": facts,
        "transcript": [{"role": x.role, "body": x.body} for x in lines],
        "mood": mood,
        "language": source.language or "en",
        "market": market_of(source.phone, source.language),
        "difficulty": difficulty_of(len(lines), mood),
        "product": facts.get("product", ""),
        "expected_resolution": expected,
        "key_points": key_points_of(agent, (clean(t) for t in source.kb_titles)),
        "policy_limits": list(source.policy_limits),
    }
