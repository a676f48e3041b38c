"""The simulated customer of a role-play (pure: no Django import; deterministic given a seed).

A :class:`Brief` is what the customer knows (the scenario: opening, facts, mood, expected
resolution, key points, policy limits, language). A :class:`State` is where the talk stands:
the mood level (0 calm … 4 furious), the facts told, the questions asked, the key points the
trainee has covered, the turns, and the outcome once the talk is over.

:func:`analyse` reads one trainee message: empathy (acknowledging feelings, an apology,
addressing the customer by name — word lists in en/de/fr/es/zh/ja), correctness (the key
points and the expected resolution it covers, and how well it is grounded in the facts and
the brand's knowledge-base texts: BM25 of ``knowledge.retrieval``), what it asks that the
customer knows (a fact to answer), policy breaches (offering more than the limits), rudeness
or blame, and stalling ("please wait" with nothing else).

:func:`respond` applies the analysis: the mood falls when the trainee is empathic and
correct and rises when not (an empathic, correct message never raises it); the customer
accepts and closes when the expected resolution is offered and they are calm enough, asks
for a manager when the mood peaks (a second time ends the talk), and otherwise answers from
mood-and-intent templates in the scenario's language (en, de, fr, es, zh, ja; others get
English), filled with facts.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from wowdesk.knowledge.retrieval import Doc, HybridIndex, tokenize

MOODS: tuple[str, ...] = ("calm", "worried", "frustrated", "angry", "furious")
MAX_MOOD = len(MOODS) - 1
MAX_TURNS = 20
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "zh", "ja")
GROUNDED = 0.2  # lexical score (0..1) against facts and KB texts that counts as grounded


def mood_level(mood: str) -> int:
    """The level of a mood name (``MOODS``); unknown names are "frustrated"."""
    return MOODS.index(mood) if mood in MOODS else 2


def language_of(tag: str) -> str:
    """The simulator's language for a language tag (``zh-hans`` → ``zh``); English otherwise."""
    primary = (tag or "en").lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else "en"


@dataclass(frozen=True)
class Limit:
    """One policy action the trainee may grant: ``refund`` up to 50 EUR, ``warranty_extension``
    up to 6 months, ``onsite_repair`` within 48 hours, or an action without a number."""

    action: str
    limit: float | None = None
    currency: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Brief:
    opening: str
    facts: dict[str, str] = field(default_factory=dict)
    mood: int = 2
    language: str = "en"
    expected_resolution: str = ""
    key_points: tuple[str, ...] = ()
    limits: tuple[Limit, ...] = ()


@dataclass
class State:
    mood: int
    turns: int = 0
    facts_told: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    points_hit: list[str] = field(default_factory=list)
    escalations: int = 0
    outcome: str = ""  # "", "accepted", "escalated", "ended" (too many turns)
    log: list[dict[str, Any]] = field(default_factory=list)  # one analysis per trainee turn

    @property
    def done(self) -> bool:
        return bool(self.outcome)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], brief: Brief) -> State:
        if not data:
            return cls(mood=brief.mood)
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        state = cls(**known)
        state.mood = max(0, min(MAX_MOOD, int(state.mood)))
        return state


@dataclass(frozen=True)
class Analysis:
    empathy: tuple[str, ...] = ()  # the cues found
    named: bool = False  # addressed the customer by name (placeholder)
    points: tuple[str, ...] = ()  # key points this message covers
    resolution: float = 0.0  # share of the expected resolution's words it holds
    offers_resolution: bool = False
    grounded: float = 0.0  # best lexical score against facts and KB texts
    asks: tuple[str, ...] = ()  # fact keys asked for
    breaches: tuple[str, ...] = ()  # e.g. "refund 80 EUR > 50 EUR"
    rude: tuple[str, ...] = ()
    stalling: bool = False
    words: int = 0
    sentences: int = 0

    @property
    def empathic(self) -> bool:
        return bool(self.empathy or self.named) and not self.rude

    @property
    def correct(self) -> bool:
        return (
            bool(self.points) or self.offers_resolution or self.grounded >= GROUNDED
        ) and not self.breaches


@dataclass(frozen=True)
class Turn:
    reply: str
    state: State
    analysis: Analysis
    intent: str


# --- word lists -------------------------------------------------------------------------------

EMPATHY: dict[str, tuple[str, ...]] = {
    "en": (
        "sorry",
        "apologise",
        "apologize",
        "apologies",
        "understand",
        "frustrating",
        "i see how",
        "i can imagine",
        "must be",
        "that sounds",
        "thank you for your patience",
        "thanks for your patience",
        "i hear you",
        "i appreciate",
        "completely understandable",
        "you're right",
        "you are right",
    ),
    "de": (
        "tut mir leid",
        "entschuldigung",
        "entschuldigen",
        "verstehe",
        "verständlich",
        "ärgerlich",
        "kann mir vorstellen",
        "danke für ihre geduld",
        "sie haben recht",
        "bedauern",
    ),
    "fr": (
        "désolé",
        "désolée",
        "excuse",
        "excuses",
        "je comprends",
        "comprends",
        "frustrant",
        "j'imagine",
        "merci de votre patience",
        "vous avez raison",
        "navré",
        "navrée",
    ),
    "es": (
        "lo siento",
        "disculpe",
        "disculpas",
        "perdón",
        "entiendo",
        "comprendo",
        "frustrante",
        "me imagino",
        "gracias por su paciencia",
        "tiene razón",
        "lamento",
    ),
    "zh": (
        "抱歉",
        "对不起",
        "理解",
        "不好意思",
        "感谢您的耐心",
        "给您带来不便",
        "您说得对",
        "明白您",
    ),
    "ja": (
        "申し訳",
        "ご迷惑",
        "お詫び",
        "ご不便",
        "お気持ち",
        "理解",
        "おっしゃる通り",
        "恐れ入ります",
    ),
}

RUDE: dict[str, tuple[str, ...]] = {
    "en": (
        "calm down",
        "not my problem",
        "your fault",
        "your own fault",
        "you should have",
        "stupid",
        "ridiculous",
        "whatever",
        "shut up",
        "read the manual",
        "as i already said",
        "deal with it",
        "not our fault",
        "you people",
        "i don't care",
        "can't help you",
        "cannot help you",
    ),
    "de": (
        "beruhigen sie sich",
        "nicht mein problem",
        "ihre schuld",
        "selbst schuld",
        "hätten sie",
        "lächerlich",
        "egal",
        "lesen sie die anleitung",
    ),
    "fr": (
        "calmez-vous",
        "pas mon problème",
        "votre faute",
        "ridicule",
        "peu importe",
        "lisez le manuel",
        "vous auriez dû",
    ),
    "es": (
        "cálmese",
        "calmese",
        "no es mi problema",
        "su culpa",
        "ridículo",
        "me da igual",
        "lea el manual",
        "debería haber",
    ),
    "zh": ("不是我的问题", "你的错", "您的错", "冷静", "随便", "自己看说明书", "没办法"),
    "ja": (
        "落ち着いて",
        "あなたのせい",
        "お客様のせい",
        "知りません",
        "説明書を読んで",
        "どうでもいい",
    ),
}

STALL: dict[str, tuple[str, ...]] = {
    "en": ("please wait", "one moment", "hold on", "let me check", "bear with me", "just a sec"),
    "de": ("bitte warten", "einen moment", "moment bitte", "ich prüfe"),
    "fr": ("veuillez patienter", "un instant", "un moment", "je vérifie"),
    "es": ("espere", "un momento", "un segundo", "déjeme revisar"),
    "zh": ("请稍等", "稍等", "等一下", "我查一下"),
    "ja": ("少々お待ち", "お待ちください", "確認します"),
}

ASK: dict[str, tuple[str, ...]] = {
    "en": ("?", "could you", "can you", "please send", "please tell", "please provide", "may i"),
    "de": ("?", "könnten sie", "können sie", "bitte senden", "bitte nennen"),
    "fr": ("?", "pourriez-vous", "pouvez-vous", "merci de m'envoyer", "merci d'indiquer"),
    "es": ("?", "podría", "puede", "por favor envíe", "por favor indique"),
    "zh": ("?", "？", "请问", "能否", "可以提供", "请提供", "请告诉"),
    "ja": ("?", "？", "教えて", "いただけますか", "お送りください", "ご提供"),
}

# words that, in a question, point to one of the usual facts
FACT_WORDS: dict[str, tuple[str, ...]] = {
    "order": (
        "order",
        "bestell",
        "commande",
        "pedido",
        "订单",
        "number",
        "nummer",
        "numéro",
        "注文",
        "番号",
    ),
    "product": (
        "product",
        "model",
        "item",
        "produkt",
        "modell",
        "produit",
        "modèle",
        "producto",
        "产品",
        "型号",
        "製品",
        "商品",
        "型番",
    ),
    "problem": (
        "problem",
        "issue",
        "happen",
        "wrong",
        "fehler",
        "problème",
        "问题",
        "情况",
        "症状",
        "状況",
    ),
    "purchased": (
        "when",
        "date",
        "bought",
        "purchase",
        "gekauft",
        "acheté",
        "compró",
        "购买",
        "購入",
    ),
    "serial": ("serial", "serien", "série", "serie", "序列号", "シリアル"),
    "photo": ("photo", "picture", "image", "foto", "照片", "图片", "写真", "画像"),
    "address": ("address", "adresse", "dirección", "地址", "住所"),
    "wants": ("expect", "like us to", "want", "prefer", "erwarten", "souhaitez", "desea", "希望"),
}

NAME_PLACEHOLDER = "[name]"

_STOP_WORDS = (
    "a an the and or but to of in on for with at by from is are was were be been it this "
    "that we you i our your will can would could should have has had do does did not no "
    "yes as so if then than there here me my us them they he she his her its please just "
    "also very all any der die das und oder zu von mit für ist sind wir sie ich ein eine "
    "einen dem den des nicht le la les et ou de du des un une pour avec est sont nous vous "
    "je pas que qui el los las y o del por con es son nosotros usted yo no que una unos"
)
STOP: frozenset[str] = frozenset(_STOP_WORDS.split())

_AMOUNT = re.compile(
    r"(?P<pre>[€$£¥]|eur|usd|gbp|cny|jpy|chf)?\s?(?P<num>\d+(?:[.,]\d{1,2})?)\s?"
    r"(?P<post>[€$£¥]|eur|euros?|usd|dollars?|gbp|pounds?|cny|rmb|yuan|元|jpy|yen|chf)?",
    re.IGNORECASE,
)
_SYMBOL = {
    "€": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "$": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "£": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "¥": "CNY",
    "rmb": "CNY",
    "yuan": "CNY",
    "元": "CNY",
    "yen": "JPY",
}
_UNIT_WORDS = {
    "months": ("month", "monat", "mois", "mes", "个月"),
    "hours": ("hour", "stunde", "heure", "hora", "小时"),
    "days": ("day", "tag", "jour", "día", "dia", "天"),
}
_MONEY_ACTIONS = ("refund", "goodwill_credit")
_SENTENCE = re.compile(r"[^.!?。？！\n]+[.!?。？！]?")


def content_tokens(text: str) -> list[str]:
    return [t for t in tokenize(text) if (t not in STOP and len(t) > 1) or _is_cjk(t)]


def _is_cjk(token: str) -> bool:
    return bool(token) and "\u3400" <= token[0] <= "\u9fff"


def _has(text: str, cues: Iterable[str]) -> tuple[str, ...]:
    low = text.lower()
    found = []
    for cue in cues:
        if _is_cjk(cue) or not cue[:1].isalnum():
            if cue in low:
                found.append(cue)
        elif re.search(rf"(?<!\w){re.escape(cue)}", low):
            found.append(cue)
    return tuple(found)


def _cues(table: dict[str, tuple[str, ...]], language: str) -> tuple[str, ...]:
    # the scenario's language first, English always (trainees mix)
    return tuple(dict.fromkeys(table.get(language, ()) + table["en"]))


def covers(text_tokens: set[str], phrase: str, share: float = 0.6) -> bool:
    """Whether ``text_tokens`` hold at least ``share`` of the phrase's content words."""
    words = set(content_tokens(phrase))
    if not words:
        return False
    return len(words & text_tokens) / len(words) >= share


def overlap(text_tokens: set[str], phrase: str) -> float:
    words = set(content_tokens(phrase))
    return len(words & text_tokens) / len(words) if words else 0.0


def _zero_embed(texts: Sequence[str]) -> Any:
    return np.zeros((len(texts), 8), dtype=np.float32)


def grounding_index(facts: dict[str, str], kb_texts: Sequence[str]) -> HybridIndex:
    """A lexical index of the scenario's facts and the brand's KB texts (BM25 only)."""
    index = HybridIndex(_zero_embed, dim=8)
    docs = [
        Doc(id=i + 1, source_id=i + 1, language="", title="", body=t)
        for i, t in enumerate(
            [f"{k} {v}" for k, v in facts.items() if v] + [t for t in kb_texts if t]
        )
    ]
    index.upsert(docs)
    return index


def grounded_score(index: HybridIndex | None, text: str) -> float:
    if index is None or not len(index):
        return 0.0
    scores = index.lexical_scores(text)
    return float(scores.max()) if len(scores) else 0.0


def amounts(text: str) -> list[tuple[float, str, str]]:
    """Numbers of the text with their currency (``EUR``…, or "") and unit (``months``…)."""
    out = []
    low = text.lower()
    for m in _AMOUNT.finditer(low):
        num = float(m.group("num").replace(",", "."))
        cur = (m.group("pre") or m.group("post") or "").lower()
        currency = _SYMBOL.get(cur, cur.upper())
        # the unit is the word right after the number ("12 months", "48 Stunden", "6个月")
        tail = low[m.end() : m.end() + 12].lstrip()
        unit = (
            ""
            if currency
            else next(
                (u for u, words in _UNIT_WORDS.items() if any(tail.startswith(w) for w in words)),
                "",
            )
        )
        out.append((num, currency, unit))
    return out


def breaches(text: str, limits: Sequence[Limit]) -> tuple[str, ...]:
    """The offers of ``text`` beyond the limits: money above the refund or credit limit of
    its currency, months, hours or days beyond a limit in that unit."""
    found: list[str] = []
    numbers = amounts(text)
    for lim in limits:
        if lim.limit is None:
            continue
        if lim.action in _MONEY_ACTIONS or lim.currency:
            for num, currency, unit in numbers:
                if unit or not currency:
                    continue
                if (not lim.currency or currency == lim.currency.upper()) and num > lim.limit:
                    found.append(f"{lim.action} {num:g} {currency} > {lim.limit:g} {currency}")
        elif lim.unit:
            for num, _currency, unit in numbers:
                if unit and unit.startswith(lim.unit.rstrip("s")) and num > lim.limit:
                    found.append(f"{lim.action} {num:g} {unit} > {lim.limit:g} {unit}")
    return tuple(dict.fromkeys(found))


def analyse(
    text: str, brief: Brief, state: State | None = None, index: HybridIndex | None = None
) -> Analysis:
    """What one trainee message does (see the module's docstring)."""
    lang = language_of(brief.language)
    tokens = set(content_tokens(text))
    low = text.lower()
    points = tuple(p for p in brief.key_points if covers(tokens, p))
    resolution = overlap(tokens, brief.expected_resolution)
    told = set(state.points_hit if state else ()) | set(points)
    offers = resolution >= 0.5 or (
        bool(brief.key_points) and bool(points) and len(told) * 2 >= len(brief.key_points) + 1
    )
    asking = bool(_has(text, _cues(ASK, lang)))
    asks: tuple[str, ...] = ()
    if asking:
        asks = tuple(
            key
            for key in brief.facts
            if key.lower() in low
            or any(w in low for w in FACT_WORDS.get(key, ()))
            or covers(tokens, key.replace("_", " "), 1.0)
        )
    rude = _has(text, _cues(RUDE, lang))
    stall_cues = _has(text, _cues(STALL, lang))
    rest = [t for t in tokens if not any(t in c for c in stall_cues)]
    stalling = bool(stall_cues) and len(rest) <= 4 and not points and not asks
    sentences = [s for s in _SENTENCE.findall(text) if s.strip()]
    words = len(text.split()) if not _is_cjk(text.strip()[:1]) else len(text.strip()) // 2
    return Analysis(
        empathy=_has(text, _cues(EMPATHY, lang)),
        named=NAME_PLACEHOLDER in low,
        points=points,
        resolution=round(resolution, 3),
        offers_resolution=offers and not rude,
        grounded=round(grounded_score(index, text), 3),
        asks=asks,
        breaches=breaches(text, brief.limits),
        rude=rude,
        stalling=stalling,
        words=words,
        sentences=max(1, len(sentences)) if text.strip() else 0,
    )


def mood_change(a: Analysis) -> int:
    """How much one message moves the mood (negative: calmer)."""
    delta = 0
    if a.rude:
        delta += 2
    if a.stalling:
        delta += 1
    if a.empathic:
        delta -= 1
    if a.correct:
        delta -= 1
    if a.offers_resolution:
        delta -= 1
    if not (a.empathic or a.correct or a.asks or a.rude or a.stalling):
        delta += 1  # said nothing that helps
    if a.empathic and a.correct:
        delta = min(delta, 0)
    return delta


def respond(
    brief: Brief, state: State, text: str, seed: int = 0, index: HybridIndex | None = None
) -> Turn:
    """The customer's answer to ``text`` and the new state (``state`` is not changed)."""
    new = State.from_dict(state.to_dict(), brief)
    if new.done:
        return Turn(reply="", state=new, analysis=Analysis(), intent="closed")
    a = analyse(text, brief, new, index)
    new.turns += 1
    new.mood = max(0, min(MAX_MOOD, new.mood + mood_change(a)))
    for p in a.points:
        if p not in new.points_hit:
            new.points_hit.append(p)
    new.log.append(
        {
            "empathy": list(a.empathy),
            "named": a.named,
            "points": list(a.points),
            "resolution": a.resolution,
            "offers_resolution": a.offers_resolution,
            "grounded": a.grounded,
            "asks": list(a.asks),
            "breaches": list(a.breaches),
            "rude": list(a.rude),
            "stalling": a.stalling,
            "words": a.words,
            "sentences": a.sentences,
            "mood": new.mood,
        }
    )
    rng = random.Random(f"{seed}:{new.turns}:{text}")
    lang = language_of(brief.language)
    intent, fill = _choose(brief, new, a)
    reply = _template(lang, intent, new.mood, rng).format(**fill)
    return Turn(reply=reply, state=new, analysis=a, intent=intent)


def _choose(brief: Brief, state: State, a: Analysis) -> tuple[str, dict[str, str]]:
    fill = {"problem": brief.facts.get("problem", ""), "fact": "", "missing": ""}
    if a.offers_resolution and state.mood <= 2 and not a.breaches:
        state.outcome = "accepted"
        return "accept", fill
    if state.mood >= MAX_MOOD and (a.rude or a.stalling or not (a.empathic or a.correct)):
        state.escalations += 1
        if state.escalations >= 2:
            state.outcome = "escalated"
        return "escalate", fill
    if state.turns >= MAX_TURNS:
        state.outcome = "ended"
        return "give_up", fill
    if a.rude:
        return "rude", fill
    if a.asks:
        untold = [k for k in a.asks if k not in state.facts_told] or list(a.asks)
        key = untold[0]
        if key not in state.facts_told:
            state.facts_told.append(key)
        state.questions.append(key)
        fill["fact"] = brief.facts.get(key, "")
        return "answer", fill
    if a.stalling:
        return "stalled", fill
    if a.offers_resolution:  # offered, but still too upset to take it
        return "not_yet", fill
    missing = [p for p in brief.key_points if p not in state.points_hit]
    if a.empathic or a.correct:
        if missing and a.correct:
            fill["missing"] = missing[0]
            return "partial", fill
        return "thanks_but", fill
    return "push", fill


# --- the customer's words ---------------------------------------------------------------------
# Per language, per intent, per band (0: calm–worried, 1: frustrated+), a few variants.

TEMPLATES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "en": {
        "accept": (
            ("That works for me, thank you for sorting it out!", "Great, that solves it. Thanks!"),
            ("Fine, that will do. Thank you.", "OK. If that really happens, I'm satisfied."),
        ),
        "escalate": (
            ("I'm not getting anywhere. Could I speak to a manager?",),
            (
                "This is not acceptable. I want to speak to a manager.",
                "Enough. Put me through to your manager, please.",
            ),
        ),
        "give_up": (("I'll try again another time. Goodbye.",), ("Forget it. Goodbye.",)),
        "rude": (
            ("Excuse me? There is no need to talk to me like that.",),
            (
                "Don't talk to me like that! I'm the customer here.",
                "Wow. That's exactly why I'm upset.",
            ),
        ),
        "answer": (
            ("Sure: {fact}", "Of course. {fact}"),
            ("I already said it, but here: {fact}", "{fact}. Now can you fix this?"),
        ),
        "stalled": (
            ("OK, I'll wait. But what happens next?",),
            (
                "Wait for what? I've been waiting long enough.",
                "Again waiting? Just tell me what you will do.",
            ),
        ),
        "not_yet": (
            ("That sounds better. Are you sure it will work this time?",),
            ("Maybe. But after all this, I want to be sure it will really happen.",),
        ),
        "partial": (
            ("Thank you. And what about {missing}?", "OK, that helps. What about {missing}?"),
            ("Fine, but that doesn't cover {missing}.",),
        ),
        "thanks_but": (
            ("Thanks. So what can you actually do for me?",),
            (
                "I appreciate that, but I still need a solution: {problem}",
                "Words are nice. What are you going to do about it?",
            ),
        ),
        "push": (
            ("I'm not sure that answers my question. {problem}",),
            (
                "That doesn't help me at all. {problem}",
                "Are you even reading what I wrote? {problem}",
            ),
        ),
    },
    "de": {
        "accept": (
            ("Das passt, vielen Dank für die Hilfe!",),
            ("Gut, so geht es. Danke.",),
        ),
        "escalate": (
            ("So kommen wir nicht weiter. Kann ich mit einem Vorgesetzten sprechen?",),
            ("Das ist inakzeptabel. Ich möchte mit Ihrem Vorgesetzten sprechen.",),
        ),
        "give_up": (("Ich versuche es ein andermal. Auf Wiedersehen.",), ("Vergessen Sie es.",)),
        "rude": (
            ("Wie bitte? So müssen Sie nicht mit mir reden.",),
            ("Reden Sie nicht so mit mir! Genau deshalb bin ich verärgert.",),
        ),
        "answer": (("Natürlich: {fact}",), ("Das habe ich schon gesagt: {fact}",)),
        "stalled": (
            ("Gut, ich warte. Aber wie geht es weiter?",),
            ("Worauf soll ich denn noch warten?",),
        ),
        "not_yet": (
            ("Das klingt besser. Klappt das diesmal sicher?",),
            ("Vielleicht. Aber ich will sicher sein, dass es wirklich passiert.",),
        ),
        "partial": (("Danke. Und was ist mit {missing}?",), ("Schön, aber {missing} fehlt noch.",)),
        "thanks_but": (
            ("Danke. Was können Sie konkret für mich tun?",),
            ("Schön und gut, aber ich brauche eine Lösung: {problem}",),
        ),
        "push": (
            ("Das beantwortet meine Frage nicht. {problem}",),
            ("Das hilft mir überhaupt nicht. {problem}",),
        ),
    },
    "fr": {
        "accept": (("Cela me convient, merci beaucoup !",), ("Bon, d'accord. Merci.",)),
        "escalate": (
            ("On n'avance pas. Puis-je parler à un responsable ?",),
            ("C'est inacceptable. Je veux parler à un responsable.",),
        ),
        "give_up": (("Je réessaierai plus tard. Au revoir.",), ("Laissez tomber. Au revoir.",)),
        "rude": (
            ("Pardon ? Inutile de me parler sur ce ton.",),
            ("Ne me parlez pas comme ça ! C'est justement pour ça que je suis fâché.",),
        ),
        "answer": (("Bien sûr : {fact}",), ("Je l'ai déjà dit : {fact}",)),
        "stalled": (
            ("D'accord, j'attends. Mais ensuite ?",),
            ("Attendre quoi ? J'attends déjà depuis trop longtemps.",),
        ),
        "not_yet": (
            ("C'est mieux. Vous êtes sûr que cela marchera ?",),
            ("Peut-être. Mais je veux être sûr que cela arrivera vraiment.",),
        ),
        "partial": (
            ("Merci. Et pour {missing} ?",),
            ("D'accord, mais cela ne règle pas {missing}.",),
        ),
        "thanks_but": (
            ("Merci. Que pouvez-vous faire concrètement ?",),
            ("C'est gentil, mais il me faut une solution : {problem}",),
        ),
        "push": (
            ("Cela ne répond pas à ma question. {problem}",),
            ("Cela ne m'aide pas du tout. {problem}",),
        ),
    },
    "es": {
        "accept": (("Me parece bien, ¡muchas gracias!",), ("Bueno, de acuerdo. Gracias.",)),
        "escalate": (
            ("Así no avanzamos. ¿Puedo hablar con un responsable?",),
            ("Esto es inaceptable. Quiero hablar con un responsable.",),
        ),
        "give_up": (("Lo intentaré otro día. Adiós.",), ("Olvídelo. Adiós.",)),
        "rude": (
            ("¿Perdón? No hace falta hablarme así.",),
            ("¡No me hable así! Precisamente por eso estoy molesto.",),
        ),
        "answer": (("Claro: {fact}",), ("Ya lo dije: {fact}",)),
        "stalled": (
            ("Vale, espero. ¿Pero qué pasará después?",),
            ("¿Esperar a qué? Ya he esperado bastante.",),
        ),
        "not_yet": (
            ("Eso suena mejor. ¿Seguro que funcionará esta vez?",),
            ("Quizás. Pero quiero estar seguro de que ocurrirá de verdad.",),
        ),
        "partial": (("Gracias. ¿Y qué pasa con {missing}?",), ("Bien, pero falta {missing}.",)),
        "thanks_but": (
            ("Gracias. ¿Qué puede hacer por mí en concreto?",),
            ("Se agradece, pero necesito una solución: {problem}",),
        ),
        "push": (
            ("Eso no responde a mi pregunta. {problem}",),
            ("Eso no me ayuda en nada. {problem}",),
        ),
    },
    "zh": {
        "accept": (("这样可以，谢谢您的帮助！",), ("好吧，这样可以。谢谢。",)),
        "escalate": (("这样没有进展。我可以和主管谈谈吗？",), ("这不能接受。我要找你们的主管。",)),
        "give_up": (("我改天再试吧。再见。",), ("算了。再见。",)),
        "rude": (("您怎么这样说话？",), ("别这样跟我说话！这正是我生气的原因。",)),
        "answer": (("好的：{fact}",), ("我已经说过了：{fact}",)),
        "stalled": (("好，我等。但接下来怎么办？",), ("还要等什么？我已经等得够久了。",)),
        "not_yet": (("听起来好一些。这次确定能解决吗？",), ("也许吧。但我要确定真的会办到。",)),
        "partial": (("谢谢。那{missing}呢？",), ("好吧，但{missing}还没解决。",)),
        "thanks_but": (("谢谢。您具体能为我做什么？",), ("谢谢，但我需要一个解决办法：{problem}",)),
        "push": (("这没有回答我的问题。{problem}",), ("这对我一点帮助都没有。{problem}",)),
    },
    "ja": {
        "accept": (
            ("それで大丈夫です。ご対応ありがとうございます！",),
            ("わかりました、それで結構です。",),
        ),
        "escalate": (
            ("話が進みません。責任者の方と話せますか。",),
            ("これは納得できません。責任者を出してください。",),
        ),
        "give_up": (("また改めて連絡します。失礼します。",), ("もういいです。失礼します。",)),
        "rude": (
            ("そんな言い方はないと思います。",),
            ("その言い方はやめてください！だから困っているんです。",),
        ),
        "answer": (("はい、{fact}です。",), ("もうお伝えしましたが、{fact}です。",)),
        "stalled": (
            ("わかりました、待ちます。その後はどうなりますか。",),
            ("まだ待つんですか？もう十分待ちました。",),
        ),
        "not_yet": (
            ("それなら良さそうです。今度は本当に大丈夫ですか。",),
            ("そうかもしれませんが、本当に実行されるのか確かめたいです。",),
        ),
        "partial": (
            ("ありがとうございます。{missing}はどうなりますか。",),
            ("でも、{missing}がまだです。",),
        ),
        "thanks_but": (
            ("ありがとうございます。具体的に何をしていただけますか。",),
            ("それはどうも。でも解決策が必要です：{problem}",),
        ),
        "push": (
            ("質問の答えになっていません。{problem}",),
            ("まったく役に立ちません。{problem}",),
        ),
    },
}


def _template(lang: str, intent: str, mood: int, rng: random.Random) -> str:
    table = TEMPLATES.get(lang, TEMPLATES["en"])
    calm, upset = table.get(intent, TEMPLATES["en"][intent])
    variants = calm if mood <= 1 else upset
    return rng.choice(variants)


def brief_of(
    *,
    opening: str,
    facts: dict[str, Any] | None = None,
    mood: str = "frustrated",
    language: str = "en",
    expected_resolution: str = "",
    key_points: Iterable[str] = (),
    policy_limits: Iterable[dict[str, Any]] = (),
) -> Brief:
    """A :class:`Brief` from a scenario's stored fields (JSON shapes as stored)."""
    limits = []
    for item in policy_limits:
        if not isinstance(item, dict) or not item.get("action"):
            continue
        raw = item.get("limit")
        limits.append(
            Limit(
                action=str(item["action"]),
                limit=float(raw) if isinstance(raw, int | float) else None,
                currency=str(item.get("currency") or ""),
                unit=str(item.get("unit") or ""),
            )
        )
    return Brief(
        opening=opening,
        facts={str(k): str(v) for k, v in (facts or {}).items() if v not in (None, "")},
        mood=mood_level(mood),
        language=language,
        expected_resolution=expected_resolution,
        key_points=tuple(str(p) for p in key_points if str(p).strip()),
        limits=tuple(limits),
    )


def system_prompt(brief: Brief, state: State) -> str:
    """The instructions of an LLM playing this customer (the rules keep mood and score)."""
    facts = "\n".join(f"- {k}: {v}" for k, v in brief.facts.items())
    return (
        "You are a customer writing to customer service. Stay in character; never say you "
        "are an AI. Write one short message (at most 3 sentences) in the language "
        f"'{brief.language}'.\n"
        f"Your current mood: {MOODS[state.mood]} (0 calm … 4 furious: {state.mood}).\n"
        f"Your first message was: {brief.opening}\n"
        f"Facts you know and tell when asked:\n{facts or '- (none)'}\n"
        "If the agent offers a fair solution and you are calm enough, accept it. If your mood "
        "is furious, ask for a manager. Never invent order numbers, names or addresses: use "
        "the placeholders as given."
    )
