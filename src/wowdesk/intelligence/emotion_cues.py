"""Rule-based emotion cues: shouting, repeated punctuation, threats, profanity, emojis.

Pure module (no Django, no numpy). The cues are reported to agents as the reasons behind an
emotion score and feed the classifier in :mod:`wowdesk.intelligence.emotion` as features.

Lexicons are short on purpose: a handful of high-precision phrases per language, lowercased and
matched with word boundaries for alphabetic scripts and as substrings for Chinese and Japanese.
When the language is unknown, every language's lexicon is tried; phrases that are common words
in another language (French "court", Spanish "dava"…) are left out or made multi-word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Every cue, in the order ``detect`` reports them.
CUE_NAMES: tuple[str, ...] = (
    "caps",
    "caps_emphasis",
    "exclamations",
    "threat_cancel",
    "threat_legal",
    "threat_chargeback",
    "threat_complaint",
    "threat_review",
    "profanity",
    "negative_emoji",
    "positive_emoji",
    "distress",
    "politeness",
    "not_yet",
)

#: Cues that signal hostility on their own (used to floor the score, see ``emotion.score``).
HOSTILE_CUES: frozenset[str] = frozenset(
    {"threat_legal", "threat_chargeback", "threat_complaint", "threat_review", "profanity"}
)

# Lexicons: cue -> language -> regex alternatives (lowercase; \b added for alphabetic scripts).
_LEXICON: dict[str, dict[str, list[str]]] = {
    "threat_cancel": {
        "en": [
            r"i'?m cancel+ing",
            r"i am cancel+ing",
            r"cancel+ing (?:everything|my \w+)",
            r"cancel (?:everything|it all)",
            r"close my account",
            r"i'?m (?:leaving|switching|done with)",
            r"switch(?:ing)? (?:to (?:a |your )?competitor|provider)",
            r"take my (?:business|money) elsewhere",
            r"never (?:again|order from you|buy from you)",
        ],
        "de": [
            r"ich kündige",
            r"kündigen sie (?:sofort|mein\w*)",
            r"sofort kündigen",
            r"fristlos",
            r"(?:wechsle|wechseln) (?:den|zum|zu einem anderen) anbieter",
            r"anbieter wechseln",
            r"zur konkurrenz",
            r"nie wieder",
            r"ich bin raus",
        ],
        "fr": [
            r"je résilie",
            r"résiliez",
            r"(?:je pars|je passe) (?:chez|à) la concurrence",
            r"plus jamais",
            r"fermez mon compte",
        ],
        "es": [
            r"me doy de baja",
            r"den de baja",
            r"(?:me voy|me paso|me cambio) a (?:la competencia|otra compañía)",
            r"lo cancelo todo",
            r"cancelo todo",
            r"nunca más",
            r"cerrad mi cuenta",
        ],
        "it": [
            r"disdico",
            r"passo alla concorrenza",
            r"mai più",
            r"chiudete (?:subito )?il mio",
        ],
        "pt": [
            r"vou cancelar",
            r"cancelem",
            r"(?:vou para|mudar para) a concorrência",
            r"nunca mais",
            r"fechem minha conta",
        ],
        "nl": [
            r"ik zeg (?:alles|mijn \w+) op",
            r"zeg mijn \w+ (?:per direct )?op",
            r"stap over",
            r"overstappen",
            r"nooit meer",
        ],
        "ru": [
            r"ухожу к",
            r"к конкурентам",
            r"больше никогда",
            r"расторг\w*",
            r"(?:всё|все) отменяю",
            r"удалите мой",
        ],
        "tr": [
            r"iptal ediyorum",
            r"rakib\w*",
            r"bir daha asla",
            r"hesabımı (?:hemen )?kapatın",
        ],
        "zh": ["注销", "销户", "全部退订", "换别家", "换一家", "再也不"],
        "ja": ["解約し", "乗り換え", "二度と", "全部解約"],
        "ar": ["سألغي", "ألغوا", "المنافس", "لن أتعامل"],
    },
    "threat_legal": {
        "en": [r"lawyer", r"attorney", r"solicitor", r"legal action", r"sue you", r"small claims"],
        "de": [r"\w*anwalt\w*", r"verklagen", r"rechtliche schritte", r"vor gericht"],
        "fr": [r"mon avocat", r"tribunal", r"poursuites", r"porter plainte"],
        "es": [r"abogad[oa]", r"demandar\w*", r"denunci\w+", r"juzgado"],
        "it": [r"avvocat[oi]", r"vie legali", r"tribunale", r"denunci\w+"],
        "pt": [r"advogad[oa]", r"processar", r"na justiça"],
        "nl": [r"advocaat", r"rechtszaak", r"juridische stappen"],
        "ru": [r"юрист\w*", r"адвокат\w*", r"в суд", r"подам иск"],
        "tr": [r"avukat\w*", r"mahkeme\w*", r"dava aç\w*"],
        "zh": ["律师", "起诉", "法院"],
        "ja": ["弁護士", "訴え", "裁判"],
        "ar": ["محامي", "محاميّ", "المحكمة", "القضاء", "دعوى"],
        "ko": ["변호사", "소송", "법원"],
        "id": [r"pengacara", r"gugat\w*", r"pengadilan"],
    },
    "threat_chargeback": {
        "en": [
            r"charge ?back",
            r"dispute the (?:charge|payment)",
            r"(?:call|contact|ask) my (?:bank|card issuer)",
        ],
        "de": [r"zurückbuchen", r"zurückbuchung", r"rückbuchung", r"über (?:die|meine) bank"],
        "fr": [r"opposition", r"rejet du paiement", r"rétrofacturation"],
        "es": [r"devolución del cargo", r"anular el cargo", r"contracargo"],
        "it": [r"storno", r"chargeback"],
        "pt": [r"estorno", r"contestar a compra", r"chargeback"],
        "nl": [r"terugboek\w*", r"storneren"],
        "ru": [r"оспор\w* платёж", r"оспор\w* платеж", r"чарджбэк"],
        "tr": [r"bankaya itiraz", r"ödemeye itiraz"],
        "zh": ["拒付", "退单"],
        "ja": ["チャージバック", "支払い取り消し"],
        "ar": ["إلغاء العملية", "إلغاء الدفعة"],
    },
    "threat_complaint": {
        "en": [
            r"consumer protection",
            r"ombudsman",
            r"regulator",
            r"trading standards",
            r"better business bureau",
            r"report(?:ing)? you",
        ],
        "de": [r"verbraucherzentrale", r"verbraucherschutz", r"bundesnetzagentur", r"schlichtung"],
        "fr": [r"répression des fraudes", r"dgccrf", r"médiateur", r"association de consommateurs"],
        "es": [r"reclamación en consumo", r"ante consumo", r"oficina del consumidor", r"facua"],
        "it": [r"associazione consumatori", r"agcom", r"codacons", r"altroconsumo"],
        "pt": [r"procon", r"reclame aqui", r"consumidor\.gov"],
        "nl": [r"consumentenbond", r"geschillencommissie", r"klacht in"],
        "ru": [r"роспотребнадзор", r"защиты прав потребителей", r"буду жаловаться"],
        "tr": [r"tüketici hakem", r"btk'ya", r"şik[aâ]yet ed\w*"],
        "zh": ["消协", "工信部", "12315", "投诉"],
        "ja": ["消費者センター", "国民生活センター", "通報"],
        "ar": ["حماية المستهلك", "شكوى"],
        "ko": ["소비자원", "신고하겠", "민원"],
        "id": [r"ylki", r"lapor\w* ke", r"somasi"],
    },
    "threat_review": {
        "en": [
            r"(?:one|1)[- ]star",
            r"(?:bad|negative) reviews?",
            r"tell(?:ing)? (?:everyone|all my friends)",
        ],
        "de": [r"schlechte bewertung\w*", r"(?:ein|1) stern", r"negative bewertung\w*"],
        "fr": [r"avis négatifs?", r"une étoile", r"dire à tout le monde"],
        "es": [r"una estrella", r"mala reseña", r"contar a todo el mundo"],
        "it": [r"una stella", r"recensioni? negativ\w+", r"racconterò a tutti"],
        "pt": [r"uma estrela", r"avaliação negativa", r"contar para todo mundo"],
        "nl": [r"één[- ]ster\w*", r"slechte review", r"vertel iedereen"],
        "ru": [r"одной звезд\w*", r"плох\w+ отзыв\w*", r"расскажу всем"],
        "tr": [r"tek yıldız\w*", r"herkese anlat\w*", r"kötü yorum"],
        "zh": ["差评", "一星"],
        "ja": ["星1", "低評価", "言いふらし"],
        "ar": ["بنجمة واحدة", "تقييمات سيئة", "سأخبر الجميع"],
    },
    "profanity": {
        "en": [
            r"fuck\w*",
            r"shit\w*",
            r"bullshit",
            r"crap",
            r"damn",
            r"goddamn",
            r"what the hell",
            r"wtf",
            r"asshole\w*",
            r"bloody",
        ],
        "de": [r"schei(?:ß|ss)\w*", r"verdammt\w*", r"arschloch", r"saftladen", r"so ein mist"],
        "fr": [r"merde\w*", r"putain", r"bordel", r"connard\w*", r"foutez"],
        "es": [r"mierda", r"joder", r"put[oa]s?", r"coño", r"gilipollas"],
        "it": [r"cazz\w+", r"merda", r"vaffanculo", r"stronz\w+", r"fa schifo"],
        "pt": [r"porra", r"merda", r"caralho", r"foda-se"],
        "nl": [r"kut", r"verdomme", r"godverdomme", r"klote\w*", r"shit"],
        "ru": [r"дерьм\w*", r"какого чёрта", r"какого черта", r"бля\w*", r"хрен\w*", r"сука"],
        "tr": [r"siktir\w*", r"amk", r"lanet olsun", r"ne halt"],
        "zh": ["他妈的", "妈的", "傻逼", "我操", "操你", "搞什么鬼"],
        "ja": ["クソ", "くそ", "ふざけるな", "ふざけんな", "死ね"],
        "ar": ["تباً", "اللعنة", "حقير", "زفت"],
    },
    "distress": {
        "en": [
            r"(?:i'?m|i am) (?:so |really |very )?(?:worried|anxious|scared|desperate|panicking)",
            r"at my wits'? end",
            r"(?:please|pls) help(?: me| us)?(?=[\s.!]*$)",
            r"i (?:really )?need (?:your )?help",
            r"(?:i )?don'?t know what to do",
            r"so anxious",
        ],
        "de": [
            r"verzweifelt",
            r"(?:große |riesige )?sorgen",
            r"weiß nicht (?:mehr )?weiter",
            r"bitte helfen sie",
            r"ich brauche (?:dringend )?hilfe",
            r"angst",
        ],
        "fr": [
            r"inqui[eè]t\w*",
            r"angoiss\w+",
            r"désespér\w+",
            r"aidez-moi",
            r"je ne sais pas quoi faire",
        ],
        "es": [
            r"ayuda,? por favor",
            r"necesito ayuda",
            r"preocupad[oa]s?",
            r"angustiad[oa]s?",
            r"desesperad[oa]s?",
            r"qué hago",
            r"no sé qué hacer",
        ],
        "it": [r"preoccupat[oaie]", r"disperat[oaie]", r"aiutatemi", r"non so cosa fare"],
        "pt": [
            r"preocupad[oa]s?",
            r"desesperad[oa]s?",
            r"socorro",
            r"me ajudem",
            r"não sei o que fazer",
        ],
        "nl": [r"bezorgd", r"wanhopig", r"help me", r"ik weet het niet meer"],
        "ru": [r"волнуюсь", r"беспокоюсь", r"в отчаянии", r"помогите", r"не знаю,? что делать"],
        "tr": [r"endişeli\w*", r"çaresiz\w*", r"yardım edin", r"ne yapacağımı bilmiyorum"],
        "id": [
            r"tolong bantu saya",
            r"tolong,",
            r"khawatir",
            r"bingung",
            r"panik",
            r"cemas",
            r"harus bagaimana",
        ],
        "zh": [
            "着急",
            "很急",
            "很慌",
            "担心",
            "怎么办",
            "求帮忙",
            "求求",
            "求你们",
            "急死",
            "救命",
            "焦虑",
        ],
        "ja": ["困って", "困り", "心配", "助けて", "どうすれば", "不安", "焦って"],
        "ko": [
            "곤란",
            "걱정",
            "도와주세요",
            "도와 주세요",
            "어떻게 해야",
            "속상",
            "급해요",
            "불안",
        ],
        "ar": ["ورطة", "قلق", "ساعدوني", "أرجوكم", "أرجو المساعدة", "متوتر", "ماذا أفعل", "النجدة"],
    },
    "not_yet": {
        "en": [
            r"(?:has|have|had|is|was|are)n'?t (?:\w+ ){0,3}yet",
            r"(?:has|have|is|are) not (?:\w+ ){0,3}yet",
            r"still (?:not|no|hasn'?t|haven'?t|isn'?t|doesn'?t|don'?t|waiting)",
            r"not (?:arrived|received|come through) yet",
        ],
        "de": [r"noch nicht", r"immer noch (?:nicht|kein\w*)", r"bis heute nicht"],
        "fr": [r"pas encore", r"toujours pas", r"n'est pas (?:encore )?arrivée?"],
        "es": [r"todavía no", r"aún no", r"sigue sin", r"sigo sin"],
        "it": [r"non (?:\w+ )?ancora", r"ancora non"],
        "pt": [r"ainda não", r"até agora nada"],
        "nl": [r"nog (?:steeds )?niet", r"nog altijd niet"],
        "ru": [r"(?:всё|все|до сих пор|пока|ещё|еще) не\w*", r"до сих пор нет"],
        "tr": [r"h[aâ]l[aâ] \w+m[ae]d[ıi]\w*", r"henüz \w+m[ae]d[ıi]\w*"],
        "id": [r"belum"],
        "zh": ["还没", "还是没", "仍然没", "至今没", "到现在还"],
        "ja": ["まだ届", "まだ返", "まだ来", "いまだに", "未だに", "まだ解決"],
        "ko": ["아직 안", "아직 못"],
        "ar": ["لم يصل", "لم يتم", "حتى الآن لم"],
    },
    "politeness": {
        "en": [
            r"thanks?(?: you)?",
            r"would you mind",
            r"i'?m afraid",
            r"sorry to bother",
            r"i'?d (?:appreciate|be grateful)",
            r"(?:kind|best) regards",
            r"apologies",
        ],
        "de": [
            r"bitte",
            r"dank\w*",
            r"mit freundlichen grüßen",
            r"sehr geehrte\w*",
            r"entschuldigen sie",
            r"leider",
        ],
        "fr": [r"merci", r"s'il vous pla[iî]t", r"cordialement", r"je vous prie", r"veuillez"],
        "es": [r"por favor", r"gracias", r"disculpen?", r"con todo respeto", r"les? agradecería"],
        "it": [r"per favore", r"grazie", r"cordiali saluti", r"gentilmente", r"vi prego"],
        "pt": [r"por favor", r"obrigad[oa]", r"atenciosamente", r"agradeço"],
        "nl": [r"alstublieft", r"bedankt", r"dank u", r"met vriendelijke groet\w*"],
        "ru": [r"пожалуйста", r"спасибо", r"будьте добры", r"с уважением"],
        "tr": [r"lütfen", r"teşekkür\w*", r"saygılarımla"],
        "id": [r"mohon", r"terima ?kasih", r"maaf", r"bapak/ibu"],
        "zh": ["谢谢", "麻烦", "辛苦", "请问", "您好", "不好意思", "劳驾"],
        "ja": [
            "お願いいたします",
            "お願いします",
            "恐れ入りますが",
            "お手数ですが",
            "幸いです",
            "お世話になっております",
            "でしょうか",
        ],
        "ko": [
            "감사합니다",
            "부탁드립니다",
            "죄송하지만",
            "번거로우시겠지만",
            "여쭤",
            "주시겠어요",
            "감사하겠습니다",
        ],
        "ar": [
            "لو سمحت",
            "من فضلك",
            "شكرا",
            "شكراً",
            "مع الشكر",
            "جزاكم الله",
            "مع احترامي",
            "عذرا",
            "عذراً",
            "أرجو",
        ],
    },
}

# Korean attaches particles and endings to words ("걱정돼요", "곤란합니다"): matched as substrings.
_NO_WORD_BOUNDARY = {"zh", "ja", "ar", "ko"}

#: A problem still open ("hasn't arrived yet", "还没到账", "아직 안 됐어요"): with it a message
#: is not read as satisfied, however it thanks (``emotion._emotion``).
UNRESOLVED_CUES: frozenset[str] = frozenset({"not_yet"})

#: Cues that speak of the customer's state, not of anger at the company: worry, being stuck,
#: asking for help ("とても困っています", "我很着急", "necesito ayuda"). With such a cue and no
#: hostile one, the message reads frustrated (``emotion.DISTRESS_RANGE``), never neutral or
#: positive, and never angry.
DISTRESS_CUES: frozenset[str] = frozenset({"distress"})

# Closing formulae: a "thank you" or "kind regards" that ends a message is courtesy, not
# satisfaction; the classifier and the polarity counts read the message without them
# (``strip_closing``). Matched at the very end of the message, repeatedly.
_CLOSING: dict[str, list[str]] = {
    "en": [
        r"(?:many |thanks )?thanks?(?: you)?(?: (?:so|very) much| a lot| in advance)?",
        r"(?:kind|best|warm) regards",
        r"cheers",
    ],
    "de": [r"(?:vielen |herzlichen )?dank(?:e)?(?: im voraus| schön)?", r"mit freundlichen grüßen"],
    "fr": [r"merci(?: d'avance| beaucoup)?", r"cordialement", r"bien à vous"],
    "es": [r"(?:muchas |mil )?gracias(?: de antemano)?", r"un saludo", r"saludos"],
    "it": [r"grazie(?: mille| in anticipo)?", r"cordiali saluti", r"saluti"],
    "pt": [r"(?:muito )?obrigad[oa]", r"atenciosamente", r"abraços?"],
    "nl": [r"(?:alvast )?bedankt", r"dank u(?: wel)?", r"met vriendelijke groet(?:en)?"],
    "ru": [r"спасибо(?: заранее| большое)?", r"с уважением"],
    "tr": [r"teşekkürler", r"teşekkür ederim", r"saygılarımla"],
    "id": [r"terima ?kasih(?: banyak)?", r"salam"],
    "zh": [r"谢谢您?", r"多谢", r"感谢您?"],
    "ja": [r"よろしくお願い(?:いた)?します", r"ありがとうございます"],
    "ko": [r"감사합니다", r"고맙습니다", r"부탁드립니다"],
    "ar": [r"(?:وَ?)?شكرا[ًً]?(?: جزيلا[ًً]?| لكم)?", r"مع الشكر", r"وجزاكم الله خيرا[ًً]?"],
}
_CLOSING_PATTERN = re.compile(
    r"(?:[\s,，、.。!！~]*(?:"
    + "|".join(p for phrases in _CLOSING.values() for p in phrases)
    + r")[\s,，、.。!！~]*)+$",
    re.IGNORECASE,
)


# Thanks that mean the opposite: not courtesy.
_SARCASTIC_THANKS = re.compile(
    r"thanks? (?:you )?for nothing|danke für (?:gar )?nichts|merci pour rien|gracias por nada"
    r"|grazie per niente|obrigad[oa] por nada|bedankt voor niets|спасибо за ничего"
    r"|hiçbir şey için teşekkür|真是谢谢|谢谢你们了|ありがとうございました(?:ね)?。?(?:何も|全然)",
    re.IGNORECASE,
)


def strip_closing(text: str) -> str:
    """``text`` without the courtesy formulae it ends with ("…, 谢谢。", "Thank you!",
    "감사합니다."); the whole text when nothing else would be left."""
    stripped = _CLOSING_PATTERN.sub("", text.rstrip())
    return stripped if stripped.strip() else text


# Polarity words: stems matched at the start of a word (alphabetic scripts) or as substrings
# (zh, ja, ar). Not cues of their own: counts of them are two classifier features, so that
# "the worst service" and "the best service" - near neighbours for a sentence encoder - differ.
_POLARITY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # language: (negative stems, positive stems)
    "en": (
        (
            "worst",
            "terribl",
            "awful",
            "horribl",
            "horrend",
            "useless",
            "pathetic",
            "disgrac",
            "unacceptabl",
            "ridiculous",
            "scam",
            "hate",
            "disappoint",
            "annoy",
            "furious",
            "rubbish",
            "appalling",
            "incompetent",
            "shame",
            "bad",
        ),
        (
            "best",
            "great",
            "excellent",
            "amazing",
            "awesome",
            "fantastic",
            "wonderful",
            "brilliant",
            "perfect",
            "love",
            "superb",
            "happy",
            "glad",
            "helpful",
            "lovely",
            "outstanding",
            "delight",
            "thrill",
            "satisf",
            "pleased",
        ),
    ),
    "de": (
        (
            "schlecht",
            "schlimm",
            "furchtbar",
            "schrecklich",
            "grauenhaft",
            "katastroph",
            "nutzlos",
            "unverschämt",
            "frechheit",
            "skandal",
            "enttäusch",
            "ärger",
            "wütend",
            "inakzeptabel",
            "betrug",
            "schande",
            "mies",
            "lächerlich",
            "unfähig",
            "hass",
        ),
        (
            "super",
            "toll",
            "klasse",
            "großartig",
            "hervorragend",
            "ausgezeichnet",
            "perfekt",
            "wunderbar",
            "fantastisch",
            "liebe",
            "begeistert",
            "spitze",
            "genial",
            "zufrieden",
            "glücklich",
            "beste",
            "freu",
        ),
    ),
    "fr": (
        (
            "pire",
            "horribl",
            "affreu",
            "nul",
            "lamentabl",
            "inadmissibl",
            "inacceptabl",
            "honte",
            "scandal",
            "arnaque",
            "déçu",
            "décevant",
            "déteste",
            "incompétent",
            "minable",
            "furieu",
            "agaçant",
            "ridicule",
        ),
        (
            "meilleur",
            "génial",
            "excellent",
            "parfait",
            "merveilleu",
            "fantastique",
            "super",
            "adore",
            "ravi",
            "content",
            "formidable",
            "superbe",
            "enchanté",
            "bravo",
            "top",
        ),
    ),
    "es": (
        (
            "peor",
            "horribl",
            "terribl",
            "pésim",
            "fatal",
            "vergüenza",
            "vergonzos",
            "estafa",
            "inútil",
            "inaceptabl",
            "decepcion",
            "odio",
            "ridícul",
            "patétic",
            "harto",
            "harta",
            "molest",
            "horroros",
        ),
        (
            "mejor",
            "genial",
            "excelente",
            "perfect",
            "maravill",
            "fantástic",
            "estupend",
            "encant",
            "feliz",
            "content",
            "increíble",
            "majísim",
            "buenísim",
        ),
    ),
    "it": (
        (
            "peggior",
            "orribil",
            "terribil",
            "pessim",
            "vergogn",
            "truffa",
            "inutil",
            "inaccettabil",
            "delus",
            "odio",
            "ridicol",
            "schif",
            "incapac",
            "patetic",
            "scandal",
        ),
        (
            "miglior",
            "ottim",
            "eccellent",
            "perfett",
            "meraviglios",
            "fantastic",
            "stupend",
            "adoro",
            "felic",
            "content",
            "splendid",
            "bravissim",
            "gentilissim",
            "grandios",
        ),
    ),
    "pt": (
        (
            "pior",
            "horrível",
            "terrível",
            "péssim",
            "vergonh",
            "golpe",
            "inútil",
            "inaceitável",
            "decepcion",
            "odeio",
            "ridícul",
            "patétic",
            "absurd",
            "lixo",
        ),
        (
            "melhor",
            "ótim",
            "excelente",
            "perfeit",
            "maravilh",
            "fantástic",
            "incrível",
            "ador",
            "feliz",
            "satisfeit",
            "sensacional",
            "amei",
            "demais",
        ),
    ),
    "nl": (
        (
            "slecht",
            "verschrikkelijk",
            "vreselijk",
            "afschuwelijk",
            "waardeloos",
            "nutteloos",
            "schandalig",
            "schande",
            "oplichting",
            "onacceptabel",
            "teleurgesteld",
            "teleurstellend",
            "haat",
            "belachelijk",
            "triest",
            "irritant",
        ),
        (
            "beste",
            "geweldig",
            "uitstekend",
            "perfect",
            "fantastisch",
            "prachtig",
            "super",
            "blij",
            "tevreden",
            "top",
            "topservice",
            "heerlijk",
        ),
    ),
    "ru": (
        (
            "худш",
            "ужасн",
            "отвратительн",
            "кошмар",
            "позор",
            "безобраз",
            "развод",
            "бесполезн",
            "недопустим",
            "разочарова",
            "ненавиж",
            "бестолков",
            "хуже",
            "обидно",
            "раздража",
        ),
        (
            "лучш",
            "отличн",
            "прекрасн",
            "превосходн",
            "идеальн",
            "замечательн",
            "великолепн",
            "обожаю",
            "восторг",
            "счастлив",
            "доволен",
            "довольна",
            "супер",
            "класс",
        ),
    ),
    "tr": (
        (
            "kötü",
            "berbat",
            "rezil",
            "rezalet",
            "korkunç",
            "utanç",
            "dolandırıcı",
            "işe yaramaz",
            "kabul edilemez",
            "hayal kırıklığı",
            "nefret",
            "saçma",
            "sinir",
        ),
        (
            "en iyi",
            "harika",
            "mükemmel",
            "muhteşem",
            "süper",
            "bayıldım",
            "memnun",
            "mutlu",
            "teşekkür",
            "şahane",
            "efsane",
        ),
    ),
    "zh": (
        (
            "最差",
            "太差",
            "很差",
            "垃圾",
            "糟糕",
            "烂",
            "恶心",
            "骗",
            "失望",
            "生气",
            "愤怒",
            "不可理喻",
            "过分",
            "可笑",
            "没用",
            "恨",
            "丢人",
            "无语",
        ),
        (
            "最好",
            "太好",
            "很好",
            "优秀",
            "完美",
            "满意",
            "喜欢",
            "太棒",
            "很棒",
            "感谢",
            "惊喜",
            "给力",
            "赞",
            "开心",
        ),
    ),
    "ja": (
        (
            "最悪",
            "ひどい",
            "酷い",
            "最低",
            "詐欺",
            "役立たず",
            "がっかり",
            "残念",
            "ありえない",
            "イライラ",
            "腹が立",
            "許せない",
            "情けない",
            "嫌い",
        ),
        (
            "最高",
            "素晴らしい",
            "完璧",
            "満足",
            "大好き",
            "感謝",
            "嬉しい",
            "うれしい",
            "ありがと",
            "助かり",
            "感激",
            "一流",
            "素敵",
        ),
    ),
    "ar": (
        (
            "أسوأ",
            "سيئ",
            "فظيع",
            "مقرف",
            "نصب",
            "احتيال",
            "عار",
            "مخيب",
            "خاب",
            "أكره",
            "غير مقبول",
            "مهزلة",
            "فاشل",
            "عديم",
        ),
        ("أفضل", "ممتاز", "رائع", "مذهل", "مثالي", "سعيد", "أحببت", "شكرا", "شكراً", "جميل", "مبدع"),
    ),
}
_NEGATORS: dict[str, tuple[str, ...]] = {
    "en": ("not", "no", "never", "isn't", "wasn't", "don't", "didn't", "nothing"),
    "de": ("nicht", "kein", "keine", "keinen", "nie", "nichts"),
    "fr": ("pas", "jamais", "rien"),
    "es": ("no", "nunca", "nada"),
    "it": ("non", "mai", "niente"),
    "pt": ("não", "nunca", "nada"),
    "nl": ("niet", "geen", "nooit", "niks"),
    "ru": ("не", "нет", "ни"),
    "tr": ("değil", "hiç"),
    "ar": ("لا", "لم", "لست", "ليس", "غير"),
}
_CJK_NEGATORS = ("不", "没", "沒", "無", "ない")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")

_NEGATIVE_EMOJI = frozenset("😡🤬😠👿💢😤🖕👎😒🙄😞😩😫💩")
_POSITIVE_EMOJI = frozenset("😍🥰😊😀😃😄😁🙂🤩🥳🎉❤💖💕💗👍🙏⭐🌟💯👏😘✨🤗")
_REPEATED_PUNCT = re.compile(r"[!！]{2,}|[?？][!！]|[!！][?？]|[?？]{2,}|[‼⁉]")
_WORD = re.compile(r"[^\W\d_]+")
_ACRONYMS = frozenset({"IBAN", "HTTP", "HTTPS", "HTML", "JSON", "SEPA", "VISA", "NASA", "UEFA"})


@dataclass(frozen=True)
class Cues:
    """What the rules found in one message."""

    names: tuple[str, ...]
    caps_ratio: float
    exclamations: int
    negative_words: int = 0
    positive_words: int = 0


@lru_cache(maxsize=64)
def _pattern(cue: str, language: str | None) -> re.Pattern[str] | None:
    per_language = _LEXICON[cue]
    languages = [language] if language in per_language else list(per_language)
    if language is not None and language not in per_language:
        # An unsupported language: keep the English phrases, the most common second language
        # in support inboxes; other lexicons could misfire on unrelated words.
        languages = ["en"]
    parts: list[str] = []
    for lang in languages:
        for phrase in per_language[lang]:
            parts.append(phrase if lang in _NO_WORD_BOUNDARY else rf"\b{phrase}\b")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _base_language(language: str | None) -> str | None:
    if not language:
        return None
    return language.replace("_", "-").split("-")[0].lower() or None


def caps_ratio(text: str) -> tuple[float, int]:
    """Share of upper-case letters among cased letters, and the number of cased letters."""
    upper = lower = 0
    for ch in text:
        if ch.isupper():
            upper += 1
        elif ch.islower():
            lower += 1
    cased = upper + lower
    return (upper / cased if cased else 0.0), cased


def polarity(lowered: str, language: str | None) -> tuple[int, int]:
    """Counts of negative and positive words in lowercased text; a positive word after a
    negator ("not happy", "nicht zufrieden", "不满意") counts as negative, a negated negative
    word ("not bad") counts as neither."""
    languages = [language] if language in _POLARITY else list(_POLARITY)
    tokens = _TOKEN.findall(lowered)
    negative = positive = 0
    for lang in languages:
        neg_stems, pos_stems = _POLARITY[lang]
        if lang in ("zh", "ja", "ar", "tr"):
            # substring matching; negation only for Chinese (a negator just before the word)
            for stem in neg_stems:
                negative += lowered.count(stem)
            for stem in pos_stems:
                for m in re.finditer(re.escape(stem), lowered):
                    before = lowered[max(0, m.start() - 2) : m.start()]
                    if lang == "zh" and any(n in before for n in _CJK_NEGATORS):
                        negative += 1
                    else:
                        positive += 1
            continue
        negators = _NEGATORS.get(lang, ())
        for i, token in enumerate(tokens):
            negated = any(t in negators or t.endswith("n't") for t in tokens[max(0, i - 3) : i])
            if token.startswith(neg_stems):
                negative += 0 if negated else 1
            elif token.startswith(pos_stems):
                if negated:
                    negative += 1
                else:
                    positive += 1
    return min(negative, 5), min(positive, 5)


def detect(text: str, language: str | None = None) -> Cues:
    """Find the cues in ``text``; ``language`` (ISO 639-1) narrows the lexicons when known."""
    text = unicodedata.normalize("NFC", text)
    lang = _base_language(language)
    found: set[str] = set()

    ratio, cased = caps_ratio(text)
    if cased >= 12 and ratio >= 0.6:
        found.add("caps")
    elif any(len(w) >= 4 and w.isupper() and w not in _ACRONYMS for w in _WORD.findall(text)):
        found.add("caps_emphasis")  # one shouted word in a normal sentence: "I paid TWICE"

    bursts = _REPEATED_PUNCT.findall(text)
    if bursts:
        found.add("exclamations")

    # lower(), not casefold(): casefold turns "ß" into "ss"; Turkish "İ" lowers to "i" + U+0307.
    lowered = text.lower().replace("i\u0307", "i")
    for cue in _LEXICON:
        pattern = _pattern(cue, lang)
        if pattern is not None and pattern.search(lowered):
            found.add(cue)

    if "politeness" in found and _SARCASTIC_THANKS.search(lowered):
        found.discard("politeness")  # "thanks for nothing", "真是谢谢你们了"

    if any(ch in _NEGATIVE_EMOJI for ch in text):
        found.add("negative_emoji")
    if any(ch in _POSITIVE_EMOJI for ch in text):
        found.add("positive_emoji")

    negative, positive = polarity(strip_closing(lowered), lang)
    return Cues(
        names=tuple(name for name in CUE_NAMES if name in found),
        caps_ratio=ratio if cased >= 4 else 0.0,
        exclamations=min(len(bursts), 5),
        negative_words=negative,
        positive_words=positive,
    )
