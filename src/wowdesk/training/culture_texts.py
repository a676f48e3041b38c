"""The built-in culture cards and the lookup of a customer's country (pure: no Django import).

A card is short, respectful, practical guidance for serving customers of one country
(formality, directness, apologies, time expectations). The agent reads it in their own
interface language, so the texts are kept here per interface language (``en``, ``zh-hans``)
rather than in the gettext catalog. A brand's own card (``CultureCard``) overrides the
built-in one for the same country or language (``training/culture_services.py``).

Which card applies to a customer: their country, found from (in order) a ``country``
custom field, the calling code of their phone, their time zone; else their language.
"""

from __future__ import annotations

from dataclasses import dataclass

UI_LANGUAGES: tuple[str, ...] = ("en", "zh-hans")


@dataclass(frozen=True)
class Builtin:
    country: str  # ISO 3166 alpha-2, e.g. "JP"
    languages: tuple[str, ...]  # the languages whose speakers the card fits when no country
    title: dict[str, str]  # per interface language
    lines: dict[str, tuple[str, ...]]


CARDS: tuple[Builtin, ...] = (
    Builtin(
        "JP",
        ("ja",),
        {"en": "Japan", "zh-hans": "日本"},
        {
            "en": (
                "Use a formal, polite register; address the customer by family name with -sama.",
                "Apologise for the inconvenience first, before explaining anything.",
                "Never rush: give full, careful answers and confirm each next step.",
                "Indirect phrasing is normal; read a mild complaint as a serious one.",
            ),
            "zh-hans": (
                "使用正式、礼貌的语气；以姓氏加“様”称呼客户。",
                "先为带来的不便致歉，再作任何解释。",
                "切勿催促：回答完整细致，并确认每一个后续步骤。",
                "委婉表达很常见；温和的抱怨往往意味着问题严重。",
            ),
        },
    ),
    Builtin(
        "DE",
        ("de",),
        {"en": "Germany", "zh-hans": "德国"},
        {
            "en": (
                "Be precise: exact facts, dates and order details.",
                "Solution over small talk; a short friendly greeting is enough.",
                "Use the formal \u201cSie\u201d unless the customer writes informally.",
                "Promise only what you can keep, and keep the date you name.",
            ),
            "zh-hans": (
                "务必准确：给出确切的事实、日期和订单细节。",
                "重在解决问题，少寒暄；简短友好的问候即可。",
                "使用尊称“您”（德语中的正式称呼），除非客户自己用非正式语气。",
                "只承诺能做到的事，并按说好的日期兑现。",
            ),
        },
    ),
    Builtin(
        "US",
        (),
        {"en": "United States", "zh-hans": "美国"},
        {
            "en": (
                "Friendly and quick; first names are fine.",
                "Get to the point and offer a clear next step.",
                "Positive, upbeat wording works well; show ownership (\u201cI will\u2026\u201d).",
            ),
            "zh-hans": (
                "友好、迅速；直接称呼名字即可。",
                "开门见山，给出明确的下一步。",
                "积极、乐观的措辞效果好；表现出担当（“我来处理……”）。",
            ),
        },
    ),
    Builtin(
        "GB",
        (),
        {"en": "United Kingdom", "zh-hans": "英国"},
        {
            "en": (
                "Polite and slightly reserved; understatement is common.",
                "\u201cA bit disappointed\u201d can mean very unhappy: take it seriously.",
                "A sincere apology and a clear plan matter more than enthusiasm.",
            ),
            "zh-hans": (
                "礼貌而略显含蓄；常用轻描淡写的说法。",
                "“有点失望”可能意味着非常不满：要认真对待。",
                "真诚的道歉和清晰的方案比热情更重要。",
            ),
        },
    ),
    Builtin(
        "FR",
        ("fr",),
        {"en": "France", "zh-hans": "法国"},
        {
            "en": (
                "Open with \u201cBonjour\u201d and use the formal \u201cvous\u201d.",
                "Courtesy formulas matter; a curt answer reads as rude.",
                "Explain the reasoning behind a decision, not only the decision.",
            ),
            "zh-hans": (
                "以问候语开头，并使用法语中的尊称“您”。",
                "礼貌用语很重要；生硬的回答会显得无礼。",
                "解释决定背后的理由，而不只是告知决定。",
            ),
        },
    ),
    Builtin(
        "CN",
        ("zh",),
        {"en": "China", "zh-hans": "中国"},
        {
            "en": (
                "Be respectful and warm; use the polite \u201c\u60a8\u201d form.",
                "Speed matters: answer quickly and give a concrete time for the next step.",
                "Offer a clear solution; avoid refusing bluntly, suggest an alternative.",
                "Mobile messaging is the norm: keep messages short and easy to read.",
            ),
            "zh-hans": (
                "尊重且热情；使用敬称“您”。",
                "速度很重要：尽快回复，并给出下一步的具体时间。",
                "提供清晰的解决方案；避免生硬拒绝，要给出替代办法。",
                "客户多用手机沟通：消息要简短易读。",
            ),
        },
    ),
    Builtin(
        "BR",
        ("pt",),
        {"en": "Brazil", "zh-hans": "巴西"},
        {
            "en": (
                "Warm and personal; a friendly tone builds trust.",
                "First names are usual; show empathy before the facts.",
                "Relationship matters: follow up and say who will handle the case.",
            ),
            "zh-hans": (
                "热情而亲切；友好的语气能建立信任。",
                "通常直呼名字；先表达理解，再讲事实。",
                "重视关系：主动跟进，并说明由谁负责处理。",
            ),
        },
    ),
    Builtin(
        "SA",
        ("ar",),
        {"en": "Saudi Arabia and the Gulf", "zh-hans": "沙特阿拉伯及海湾地区"},
        {
            "en": (
                "Open with a respectful greeting; courtesy and hospitality matter.",
                "Use formal address and titles; avoid overly casual wording.",
                "Be patient: building trust comes before the transaction.",
                "Respect religious times and holidays when you set dates.",
            ),
            "zh-hans": (
                "以尊敬的问候开头；礼节和热情很重要。",
                "使用正式称呼和头衔；避免过于随意的措辞。",
                "要有耐心：先建立信任，再谈具体事务。",
                "安排日期时尊重宗教时间和节日。",
            ),
        },
    ),
    Builtin(
        "AE",
        ("ar",),
        {"en": "United Arab Emirates", "zh-hans": "阿拉伯联合酋长国"},
        {
            "en": (
                "Greet respectfully; a courteous, formal tone is expected.",
                "Many customers write in English or Arabic: answer in theirs.",
                "Be patient and personal; trust matters more than speed.",
            ),
            "zh-hans": (
                "以尊敬的方式问候；客户期望礼貌、正式的语气。",
                "许多客户用英语或阿拉伯语书写：用客户的语言回复。",
                "要耐心并体现个人关怀；信任比速度更重要。",
            ),
        },
    ),
    Builtin(
        "IN",
        ("hi",),
        {"en": "India", "zh-hans": "印度"},
        {
            "en": (
                "Polite and respectful; \u201cSir\u201d or \u201cMadam\u201d is common and"
                " welcome.",
                "Explain the steps clearly and confirm the customer understood.",
                "A soft \u201cyes\u201d may mean \u201cI hear you\u201d: check agreement"
                " with a question.",
                "Give a concrete date and keep the customer informed.",
            ),
            "zh-hans": (
                "礼貌且尊重；常用“先生”或“女士”称呼，客户乐于接受。",
                "清楚说明各个步骤，并确认客户已理解。",
                "含糊的“是”可能只表示“我听到了”：用提问确认对方是否同意。",
                "给出具体日期，并随时告知客户进展。",
            ),
        },
    ),
    Builtin(
        "KR",
        ("ko",),
        {"en": "South Korea", "zh-hans": "韩国"},
        {
            "en": (
                "Use the polite, formal register; show respect for seniority.",
                "Speed matters: customers expect fast answers and fast fixes.",
                "Apologise sincerely and take responsibility for the problem.",
            ),
            "zh-hans": (
                "使用礼貌、正式的语气；尊重长幼次序。",
                "速度很重要：客户期望快速回复、快速解决。",
                "真诚道歉，并为问题承担责任。",
            ),
        },
    ),
)

BY_COUNTRY: dict[str, Builtin] = {c.country: c for c in CARDS}

# The first built-in card whose languages include a language (without the region).
_BY_LANGUAGE: dict[str, Builtin] = {}
for _card in CARDS:
    for _lang in _card.languages:
        _BY_LANGUAGE.setdefault(_lang, _card)

# E.164 calling codes of the countries above and a few neighbours, longest first.
CALLING_CODES: tuple[tuple[str, str], ...] = (
    ("+971", "AE"),
    ("+966", "SA"),
    ("+82", "KR"),
    ("+81", "JP"),
    ("+86", "CN"),
    ("+91", "IN"),
    ("+55", "BR"),
    ("+49", "DE"),
    ("+44", "GB"),
    ("+33", "FR"),
    ("+1", "US"),
)

TIME_ZONES: dict[str, str] = {
    "Asia/Tokyo": "JP",
    "Europe/Berlin": "DE",
    "Europe/London": "GB",
    "Europe/Paris": "FR",
    "Asia/Shanghai": "CN",
    "Asia/Chongqing": "CN",
    "America/Sao_Paulo": "BR",
    "America/Fortaleza": "BR",
    "America/Manaus": "BR",
    "Asia/Riyadh": "SA",
    "Asia/Dubai": "AE",
    "Asia/Kolkata": "IN",
    "Asia/Calcutta": "IN",
    "Asia/Seoul": "KR",
    "America/New_York": "US",
    "America/Chicago": "US",
    "America/Denver": "US",
    "America/Phoenix": "US",
    "America/Los_Angeles": "US",
    "America/Anchorage": "US",
    "Pacific/Honolulu": "US",
}


def norm_country(value: str | None) -> str:
    """``"jp"`` → ``"JP"``; anything but two ASCII letters → ``""``."""
    text = (value or "").strip()
    return text.upper() if len(text) == 2 and text.isascii() and text.isalpha() else ""


def norm_language(value: str | None) -> str:
    """``"pt-BR"`` → ``"pt"``; ``""`` when empty."""
    return (value or "").strip().lower().replace("_", "-").split("-")[0][:8]


def country_from_phone(phone: str | None) -> str:
    """The country of an E.164 number's calling code (``+81…`` → ``"JP"``), or ``""``.
    ``+1`` is taken as the United States (Canada and the Caribbean share it)."""
    digits = "+" + "".join(ch for ch in (phone or "") if ch.isdigit())
    if not (phone or "").strip().startswith("+") or len(digits) < 4:
        return ""
    for code, country in CALLING_CODES:
        if digits.startswith(code):
            return country
    return ""


def country_from_timezone(tz: str | None) -> str:
    return TIME_ZONES.get((tz or "").strip(), "")


def customer_country(
    *, custom_country: str | None = None, phone: str | None = None, timezone: str | None = None
) -> str:
    """The customer's country from what is known of them, in order of trust."""
    return (
        norm_country(custom_country) or country_from_phone(phone) or country_from_timezone(timezone)
    )


def builtin_for(country: str = "", language: str = "") -> Builtin | None:
    """The built-in card of ``country``, else of ``language``."""
    card = BY_COUNTRY.get(norm_country(country))
    if card is not None:
        return card
    return _BY_LANGUAGE.get(norm_language(language))


def ui_language(language: str | None) -> str:
    """The interface language a built-in text is shown in (``zh-hans`` or ``en``)."""
    return "zh-hans" if norm_language(language) == "zh" else "en"


def card_text(card: Builtin, language: str | None) -> tuple[str, tuple[str, ...]]:
    """The card's title and lines in the reader's interface language."""
    ui = ui_language(language)
    return card.title.get(ui, card.title["en"]), card.lines.get(ui, card.lines["en"])
