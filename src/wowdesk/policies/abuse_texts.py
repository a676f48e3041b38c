"""The courteous templates sent to an abusive customer, in their language (pure: no Django
import).

As ``surveys.texts``: ``text(level, language, fallback)`` is the text in the customer's
language, else in the brand's default language (``fallback``), else in English; a brand's
own wording (``PolicySettings.abuse_templates``, ``{"warned": {"en": "..."}}``) comes
before the built-in text of the same language. ``{brand}`` is the brand's name,
``{channel}`` the channel a restricted customer may still use (in their language).
"""

from __future__ import annotations

from collections.abc import Mapping

LEVELS: tuple[str, ...] = ("warned", "restricted", "blocked")
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "pt", "it", "ja", "zh-hans", "ar")
RTL: frozenset[str] = frozenset({"ar", "he", "fa", "ur"})

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "warned": (
            "Hello, this is {brand}. We are glad to help you, and we ask that our "
            "conversations stay respectful. Messages with insults or threats make it hard "
            "for us to help; if they continue, we may have to limit how we can assist you. "
            "Thank you for your understanding."
        ),
        "restricted": (
            "Hello, this is {brand}. Your message has been received. From now on we can "
            "only assist you through {channel}; please contact us there and we will help "
            "you. Thank you for your understanding."
        ),
        "blocked": (
            "Hello, this is {brand}. Your message has been received. As we told you "
            "before, we are no longer able to assist you through our customer service. "
            "Thank you for your understanding."
        ),
    },
    "de": {
        "warned": (
            "Guten Tag, hier ist {brand}. Wir helfen Ihnen gern und bitten darum, dass "
            "unsere Gespräche respektvoll bleiben. Beleidigungen oder Drohungen erschweren "
            "uns die Hilfe; wenn sie weitergehen, müssen wir unsere Unterstützung "
            "möglicherweise einschränken. Vielen Dank für Ihr Verständnis."
        ),
        "restricted": (
            "Guten Tag, hier ist {brand}. Ihre Nachricht ist bei uns eingegangen. Ab jetzt "
            "können wir Ihnen nur noch über {channel} helfen; bitte wenden Sie sich dort "
            "an uns. Vielen Dank für Ihr Verständnis."
        ),
        "blocked": (
            "Guten Tag, hier ist {brand}. Ihre Nachricht ist bei uns eingegangen. Wie "
            "bereits mitgeteilt, können wir Sie über unseren Kundenservice nicht mehr "
            "betreuen. Vielen Dank für Ihr Verständnis."
        ),
    },
    "fr": {
        "warned": (
            "Bonjour, ici {brand}. Nous sommes heureux de vous aider et vous demandons que "
            "nos échanges restent respectueux. Les insultes ou les menaces nous empêchent "
            "de vous aider ; si elles continuent, nous pourrions devoir limiter notre "
            "assistance. Merci de votre compréhension."
        ),
        "restricted": (
            "Bonjour, ici {brand}. Votre message a bien été reçu. Désormais, nous ne "
            "pouvons vous aider que par {channel} ; merci de nous contacter par ce moyen. "
            "Merci de votre compréhension."
        ),
        "blocked": (
            "Bonjour, ici {brand}. Votre message a bien été reçu. Comme nous vous l'avons "
            "indiqué, notre service client ne peut plus vous assister. Merci de votre "
            "compréhension."
        ),
    },
    "es": {
        "warned": (
            "Hola, le escribe {brand}. Con gusto le ayudamos y le pedimos que nuestras "
            "conversaciones sigan siendo respetuosas. Los insultos o las amenazas nos "
            "impiden ayudarle; si continúan, es posible que tengamos que limitar nuestra "
            "atención. Gracias por su comprensión."
        ),
        "restricted": (
            "Hola, le escribe {brand}. Hemos recibido su mensaje. A partir de ahora solo "
            "podemos atenderle por {channel}; por favor, contáctenos por esa vía. Gracias "
            "por su comprensión."
        ),
        "blocked": (
            "Hola, le escribe {brand}. Hemos recibido su mensaje. Como le indicamos, ya no "
            "podemos atenderle a través de nuestro servicio de atención al cliente. Gracias "
            "por su comprensión."
        ),
    },
    "pt": {
        "warned": (
            "Olá, aqui é a {brand}. Temos todo o gosto em ajudar e pedimos que as nossas "
            "conversas continuem respeitosas. Insultos ou ameaças dificultam a nossa ajuda; "
            "se continuarem, poderemos ter de limitar o nosso atendimento. Obrigado pela "
            "compreensão."
        ),
        "restricted": (
            "Olá, aqui é a {brand}. Recebemos a sua mensagem. A partir de agora só podemos "
            "atendê-lo por {channel}; por favor, contacte-nos por esse meio. Obrigado pela "
            "compreensão."
        ),
        "blocked": (
            "Olá, aqui é a {brand}. Recebemos a sua mensagem. Como já informámos, já não "
            "podemos atendê-lo através do nosso serviço de apoio ao cliente. Obrigado pela "
            "compreensão."
        ),
    },
    "it": {
        "warned": (
            "Buongiorno, siamo {brand}. Siamo lieti di aiutarla e le chiediamo che le nostre "
            "conversazioni restino rispettose. Insulti o minacce ci impediscono di aiutarla; "
            "se continuano, potremmo dover limitare la nostra assistenza. Grazie per la "
            "comprensione."
        ),
        "restricted": (
            "Buongiorno, siamo {brand}. Abbiamo ricevuto il suo messaggio. D'ora in poi "
            "possiamo assisterla solo tramite {channel}; la preghiamo di contattarci lì. "
            "Grazie per la comprensione."
        ),
        "blocked": (
            "Buongiorno, siamo {brand}. Abbiamo ricevuto il suo messaggio. Come già "
            "comunicato, il nostro servizio clienti non può più assisterla. Grazie per la "
            "comprensione."
        ),
    },
    "ja": {
        "warned": (
            "{brand}でございます。お客様のお力になれることを嬉しく思っております。"
            "お互いに敬意をもってやり取りできますようお願い申し上げます。"
            "侮辱や脅迫を含むメッセージが続く場合、対応を制限させていただくことがございます。"
            "ご理解のほどよろしくお願いいたします。"
        ),
        "restricted": (
            "{brand}でございます。メッセージを受け付けました。今後は{channel}でのみ"
            "対応させていただきます。お手数ですが、そちらからご連絡ください。"
            "ご理解のほどよろしくお願いいたします。"
        ),
        "blocked": (
            "{brand}でございます。メッセージを受け付けました。先にお伝えしたとおり、"
            "カスタマーサービスでの対応はいたしかねます。ご理解のほどよろしくお願いいたします。"
        ),
    },
    "zh-hans": {
        "warned": (
            "您好，这里是{brand}。我们很乐意为您提供帮助，也请您在沟通中保持尊重。"
            "含有侮辱或威胁的消息会妨碍我们为您服务；如果继续发生，我们可能不得不限制服务方式。"
            "感谢您的理解。"
        ),
        "restricted": (
            "您好，这里是{brand}。我们已收到您的消息。今后我们只能通过{channel}为您提供帮助，"
            "请通过该渠道联系我们。感谢您的理解。"
        ),
        "blocked": (
            "您好，这里是{brand}。我们已收到您的消息。正如此前告知的，我们的客户服务已无法"
            "继续为您提供帮助。感谢您的理解。"
        ),
    },
    "ar": {
        "warned": (
            "مرحبًا، معك {brand}. يسعدنا مساعدتك، ونرجو أن تبقى محادثاتنا محترمة. "
            "الرسائل التي تحتوي على إهانات أو تهديدات تصعّب علينا مساعدتك؛ وإذا استمرت "
            "فقد نضطر إلى تقييد طريقة خدمتك. شكرًا لتفهمك."
        ),
        "restricted": (
            "مرحبًا، معك {brand}. لقد استلمنا رسالتك. من الآن فصاعدًا لا يمكننا مساعدتك "
            "إلا عبر {channel}؛ يرجى التواصل معنا من خلالها. شكرًا لتفهمك."
        ),
        "blocked": (
            "مرحبًا، معك {brand}. لقد استلمنا رسالتك. كما أبلغناك سابقًا، لم يعد بإمكان "
            "خدمة العملاء لدينا مساعدتك. شكرًا لتفهمك."
        ),
    },
}

# The channels by name, in the customer's language (``{channel}``).
CHANNELS: dict[str, dict[str, str]] = {
    "en": {
        "api": "our API",
        "email": "email",
        "chat": "chat",
        "voice": "phone",
        "social": "social media",
        "web": "our web form",
    },
    "de": {
        "api": "unsere API",
        "email": "E-Mail",
        "chat": "Chat",
        "voice": "Telefon",
        "social": "soziale Medien",
        "web": "unser Webformular",
    },
    "fr": {
        "api": "notre API",
        "email": "e-mail",
        "chat": "chat",
        "voice": "téléphone",
        "social": "les réseaux sociaux",
        "web": "notre formulaire web",
    },
    "es": {
        "api": "nuestra API",
        "email": "correo electrónico",
        "chat": "chat",
        "voice": "teléfono",
        "social": "redes sociales",
        "web": "nuestro formulario web",
    },
    "pt": {
        "api": "a nossa API",
        "email": "e-mail",
        "chat": "chat",
        "voice": "telefone",
        "social": "redes sociais",
        "web": "o nosso formulário web",
    },
    "it": {
        "api": "la nostra API",
        "email": "e-mail",
        "chat": "chat",
        "voice": "telefono",
        "social": "i social media",
        "web": "il nostro modulo web",
    },
    "ja": {
        "api": "API",
        "email": "メール",
        "chat": "チャット",
        "voice": "お電話",
        "social": "ソーシャルメディア",
        "web": "ウェブフォーム",
    },
    "zh-hans": {
        "api": "接口",
        "email": "电子邮件",
        "chat": "在线聊天",
        "voice": "电话",
        "social": "社交媒体",
        "web": "网页表单",
    },
    "ar": {
        "api": "واجهتنا البرمجية",
        "email": "البريد الإلكتروني",
        "chat": "الدردشة",
        "voice": "الهاتف",
        "social": "وسائل التواصل الاجتماعي",
        "web": "نموذج الويب",
    },
}


def pick_language(language: str, fallback: str) -> str:
    """The customer's language (or its base: ``de-AT`` → ``de``; any Chinese but
    traditional → ``zh-hans``), else ``fallback`` likewise, else English."""
    for candidate in (language, fallback):
        code = (candidate or "").strip().lower().replace("_", "-")
        if not code:
            continue
        if code in TEXTS:
            return code
        base = code.split("-")[0]
        if base == "zh" and code not in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
            return "zh-hans"
        if base in TEXTS:
            return base
    return "en"


def channel_name(channel: str, language: str) -> str:
    """A channel's name in the chosen language (the code itself when unknown)."""
    return CHANNELS.get(language, CHANNELS["en"]).get(channel) or CHANNELS["en"].get(
        channel, channel
    )


def text(
    level: str,
    language: str,
    fallback: str = "en",
    *,
    overrides: Mapping[str, object] | None = None,
    brand: str = "",
    channel: str = "",
) -> str:
    """The template of ``level`` in the chosen language, the brand's wording first."""
    chosen = pick_language(language, fallback)
    template = ""
    own = (overrides or {}).get(level)
    if isinstance(own, Mapping):
        for code in (chosen, "en"):
            value = own.get(code)
            if isinstance(value, str) and value.strip():
                template = value
                break
            if code == chosen and chosen != "en" and TEXTS[chosen].get(level):
                break  # the built-in text of the customer's language beats English wording
    if not template:
        template = TEXTS[chosen].get(level) or TEXTS["en"][level]
    values = {"brand": brand, "channel": channel_name(channel, chosen)}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template  # a brand's wording with a stray brace: as written


def is_rtl(language: str) -> bool:
    """Whether text in this language is laid out right to left."""
    return (language or "").split("-")[0].lower() in RTL
