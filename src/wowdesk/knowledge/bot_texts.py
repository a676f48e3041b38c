"""What the answer bot says to customers, and how it reads their short answers, per language.

The customer sees the bot in their own language, whatever the installation's UI languages
are, so these strings are a table here (as the chat widget's own texts are), not gettext
catalogues. Pure: no Django import.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# The languages the bot speaks; any other falls back to English.
LANGUAGES: Final = ("en", "es", "zh", "de", "fr", "ja", "ar", "id")

# Asked after every answer.
FOLLOW_UP: Final[dict[str, str]] = {
    "en": "Did that help? Reply 1 = that helped, 2 = I need more help, or ask to talk to a person.",
    "es": "¿Le ha servido? Responda 1 = me ayudó, 2 = necesito más ayuda, o pida hablar con "
    "una persona.",
    "zh": "这有帮助吗？回复 1 = 有帮助，2 = 我需要更多帮助，或者要求转人工。",
    "de": "Hat das geholfen? Antworten Sie 1 = das hat geholfen, 2 = ich brauche mehr Hilfe, "
    "oder bitten Sie darum, mit einem Menschen zu sprechen.",
    "fr": "Cela vous a-t-il aidé ? Répondez 1 = cela m'a aidé, 2 = j'ai besoin de plus d'aide, "
    "ou demandez à parler à une personne.",
    "ja": "お役に立ちましたか？ 1 = 解決した、2 = もっと助けが必要、"
    "または担当者と話したいとご返信ください。",
    "ar": "هل ساعدك ذلك؟ أجب 1 = ساعدني، 2 = أحتاج إلى مزيد من المساعدة، أو اطلب التحدث إلى شخص.",
    "id": "Apakah itu membantu? Balas 1 = itu membantu, 2 = saya perlu bantuan lagi, atau minta "
    "bicara dengan orang.",
}

# The first line of an answer, before the article's title.
INTRO: Final[dict[str, str]] = {
    "en": "This article may answer your question:",
    "es": "Este artículo puede responder a su pregunta:",
    "zh": "这篇文章也许能回答您的问题：",
    "de": "Dieser Artikel beantwortet vielleicht Ihre Frage:",
    "fr": "Cet article répond peut-être à votre question :",
    "ja": "こちらの記事がご質問の答えになるかもしれません：",
    "ar": "قد تجيب هذه المقالة عن سؤالك:",
    "id": "Artikel ini mungkin menjawab pertanyaan Anda:",
}

# Said when the bot hands the conversation to a person.
HANDING_OVER: Final[dict[str, str]] = {
    "en": "I'm passing you to a person on our team; they will answer here.",
    "es": "Le paso con una persona de nuestro equipo; le responderá aquí.",
    "zh": "我将为您转接我们团队的工作人员，他们会在这里回复您。",
    "de": "Ich gebe Sie an eine Person aus unserem Team weiter; sie antwortet Ihnen hier.",
    "fr": "Je vous transmets à une personne de notre équipe ; elle vous répondra ici.",
    "ja": "担当者にお繋ぎします。こちらで返信いたします。",
    "ar": "سأحوّلك إلى أحد أعضاء فريقنا، وسيرد عليك هنا.",
    "id": "Saya akan meneruskan Anda ke anggota tim kami; mereka akan menjawab di sini.",
}

# Said when the customer confirmed that the answer helped.
THANKS: Final[dict[str, str]] = {
    "en": "Glad that helped!",
    "es": "¡Me alegra que le haya ayudado!",
    "zh": "很高兴能帮到您！",
    "de": "Schön, dass das geholfen hat!",
    "fr": "Ravi que cela vous ait aidé !",
    "ja": "お役に立てて良かったです！",
    "ar": "يسعدنا أن ذلك ساعدك!",
    "id": "Senang itu membantu!",
}

# The customer's short answers, normalised (``normalise``), matched as whole phrases.
HELPED: Final = (
    "1",
    "that helped",
    "it helped",
    "helped",
    "thanks that helped",
    "solved",
    "yes",
    "me ayudo",
    "eso me ayudo",
    "me sirvio",
    "si",
    "resuelto",
    "有帮助",
    "解决了",
    "是",
    "das hat geholfen",
    "hat geholfen",
    "geholfen",
    "ja",
    "cela m a aide",
    "ca m a aide",
    "oui",
    "解決した",
    "解決しました",
    "助かりました",
    "はい",
    "ساعدني",
    "نعم",
    "itu membantu",
    "membantu",
    "ya",
)
MORE_HELP: Final = (
    "2",
    "i need more help",
    "need more help",
    "more help",
    "no",
    "that did not help",
    "it did not help",
    "didn t help",
    "not helpful",
    "necesito mas ayuda",
    "mas ayuda",
    "no me ayudo",
    "no me sirvio",
    "我需要更多帮助",
    "更多帮助",
    "没有帮助",
    "没帮助",
    "不是",
    "ich brauche mehr hilfe",
    "mehr hilfe",
    "hat nicht geholfen",
    "nein",
    "j ai besoin de plus d aide",
    "plus d aide",
    "cela ne m a pas aide",
    "non",
    "もっと助けが必要",
    "もっと助けが必要です",
    "解決しない",
    "いいえ",
    "أحتاج إلى مزيد من المساعدة",
    "أحتاج مساعدة أكثر",
    "لم يساعدني",
    "لا",
    "saya perlu bantuan lagi",
    "perlu bantuan lagi",
    "butuh bantuan lagi",
    "tidak membantu",
    "tidak",
)
# Asking for a person: found anywhere in the message (word boundaries for Latin scripts).
PERSON: Final = (
    "talk to a person",
    "speak to a person",
    "talk to a human",
    "speak to a human",
    "talk to someone",
    "speak to someone",
    "real person",
    "human agent",
    "an agent",
    "a human",
    "hablar con una persona",
    "hablar con alguien",
    "hablar con un agente",
    "una persona",
    "un humano",
    "转人工",
    "人工客服",
    "真人",
    "找人工",
    "mit einem menschen",
    "einen menschen",
    "mit einem mitarbeiter",
    "parler a une personne",
    "parler a quelqu un",
    "un conseiller",
    "un humain",
    "担当者と話",
    "人と話",
    "オペレーター",
    "التحدث إلى شخص",
    "التحدث مع شخص",
    "موظف",
    "bicara dengan orang",
    "berbicara dengan orang",
    "bicara dengan manusia",
    "agen manusia",
)
_LATIN_SPLIT = re.compile(r"[\W_]+", re.UNICODE)


def language_key(code: str | None) -> str:
    """The table's key for a language code: ``"zh-Hans"`` → ``"zh"``, unknown → ``"en"``."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else "en"


def normalise(text: str) -> str:
    """Lower case, accents and punctuation gone, single spaces (``"¡Sí!"`` → ``"si"``)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(_LATIN_SPLIT.split(kept)).strip()


def _phrase_in(phrase: str, text: str) -> bool:
    wanted = normalise(phrase)
    if wanted.isascii():
        return f" {wanted} " in f" {text} "
    return wanted in text


def reading(text: str) -> str:
    """What a customer's message says to the bot: ``"person"`` (asks for a person),
    ``"more_help"``, ``"helped"``, or ``"question"`` (anything else: a new question)."""
    said = normalise(text)
    if not said:
        return "question"
    if any(_phrase_in(p, said) for p in PERSON):
        return "person"
    if said in {normalise(p) for p in MORE_HELP} or any(
        _phrase_in(p, said) for p in MORE_HELP if len(normalise(p)) > 6
    ):
        return "more_help"
    if said in {normalise(p) for p in HELPED}:
        return "helped"
    return "question"


def say(table: dict[str, str], language: str | None) -> str:
    return table[language_key(language)]


# --- an article's beginning as plain text -----------------------------------------------------

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
# ``*`` and backticks mark text inside words too (``打开*订单记录*``); ``_`` only at word edges.
_EMPHASIS = re.compile(r"(\*\*|\*|`)(?=\S)(.+?)(?<=\S)\1|(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)")
_BLOCK_MARK = re.compile(r"^(?:#{1,6}\s+|>\s?)+")
_BULLET = re.compile(r"^[-*+]\s+")


def plain_excerpt(markdown: str, limit: int) -> str:
    """The first ``limit`` characters of a Markdown body as a customer reads it in a chat:
    no ``**``, backticks, heading or quote marks; a link is its text, an image nothing;
    one line per paragraph or list item (numbers kept, bullets as •); cut at a word."""
    lines: list[str] = []
    for raw in markdown.splitlines():
        line = _BLOCK_MARK.sub("", raw.strip())
        line = _BULLET.sub("• ", line)
        line = _LINK.sub(r"\1", _IMAGE.sub("", line))
        while True:
            stripped = _EMPHASIS.sub(lambda m: m.group(2) or m.group(4), line)
            if stripped == line:
                break
            line = stripped
        line = " ".join(line.split())
        if line and line != "•":
            lines.append(line)
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip()
    return f"{cut}…"
