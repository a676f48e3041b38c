"""The survey's words in the customer's language (pure: no Django import).

The customer's language is not the agent's interface language, so these texts are kept
here per language rather than in the gettext catalog: ``text(key, language, fallback)``
returns the text in the customer's language, else in the brand's default language
(``fallback``), else in English. ``{brand}`` in a text is the brand's name.
"""

from __future__ import annotations

# The languages every text has (the minimum: en, zh-Hans, de, es, fr, id, ja, ar).
LANGUAGES: tuple[str, ...] = ("en", "zh-hans", "de", "es", "fr", "id", "ja", "ar")
RTL: frozenset[str] = frozenset({"ar", "he", "fa", "ur"})

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "question.csat": "How satisfied are you with the help you received from {brand}?",
        "question.nps": "How likely are you to recommend {brand} to a friend or colleague?",
        "question.ces": "{brand} made it easy to handle my issue.",
        "low.csat": "Very dissatisfied",
        "high.csat": "Very satisfied",
        "low.nps": "Not at all likely",
        "high.nps": "Extremely likely",
        "low.ces": "Strongly disagree",
        "high.ces": "Strongly agree",
        "why": "What is the main reason for your score? (optional)",
        "invite": "Thank you for contacting {brand}. How did we do? One tap is enough:",
        "send": "Send",
        "thanks": "Thank you for your answer!",
        "thanks.why": "Thank you. We read every answer.",
        "expired": "This survey has expired. Thank you all the same.",
        "invalid": "This link is not valid.",
        "title": "Your opinion of {brand}",
        "bad.score": "Please choose one of the scores.",
        "your.score": "Your answer: {score}. You can change it until the link expires.",
        "next": "One more question",
        "limited": "Too many attempts. Please try again in a minute.",
        "not.found": "This survey was not found. The link may be incomplete.",
        "checkin": (
            "Hello {name}, this is {brand} checking in: did our fix work? If "
            "anything is still not right, just reply to this message and we will "
            "take care of it."
        ),
        "warranty.offer": (
            "Hello {name}, this is {brand}. The warranty of your {product} ends on "
            "{date}. If anything is not working as it should, reply to this message "
            "before then and we will take care of it; we can also tell you how to "
            "extend the cover."
        ),
    },
    "zh-hans": {
        "question.csat": "您对{brand}提供的帮助满意吗？",
        "question.nps": "您有多大可能向朋友或同事推荐{brand}？",
        "question.ces": "{brand}让我的问题处理起来很轻松。",
        "low.csat": "非常不满意",
        "high.csat": "非常满意",
        "low.nps": "完全不可能",
        "high.nps": "极有可能",
        "low.ces": "非常不同意",
        "high.ces": "非常同意",
        "why": "您给出这个分数的主要原因是什么？（选填）",
        "invite": "感谢您联系{brand}。我们做得怎么样？点一下即可：",
        "send": "提交",
        "thanks": "感谢您的回答！",
        "thanks.why": "谢谢。我们会认真阅读每一条回答。",
        "expired": "此调查已过期。仍然感谢您。",
        "invalid": "此链接无效。",
        "title": "您对{brand}的评价",
        "bad.score": "请选择其中一个分数。",
        "your.score": "您的回答：{score}。链接过期前您可以修改。",
        "next": "还有一个问题",
        "limited": "尝试次数过多，请一分钟后再试。",
        "not.found": "未找到此调查。链接可能不完整。",
        "checkin": (
            "{name}您好，这里是{brand}。想回访一下：我们的解决方案有效吗？"
            "如果仍有问题，请直接回复此消息，我们会继续处理。"
        ),
        "warranty.offer": (
            "{name}您好，这里是{brand}。您的{product}的保修将于{dat"
            "e}到期。如果有任何地方运行不正常，请在此之前回复此消息，我们会为您处理；我们也"
            "可以告诉您如何延长保修。"
        ),
    },
    "de": {
        "question.csat": "Wie zufrieden sind Sie mit der Hilfe, die Sie von {brand} "
        "erhalten haben?",
        "question.nps": "Wie wahrscheinlich ist es, dass Sie {brand} einem Freund oder Kollegen "
        "empfehlen?",
        "question.ces": "{brand} hat es mir leicht gemacht, mein Anliegen zu klären.",
        "low.csat": "Sehr unzufrieden",
        "high.csat": "Sehr zufrieden",
        "low.nps": "Überhaupt nicht wahrscheinlich",
        "high.nps": "Äußerst wahrscheinlich",
        "low.ces": "Stimme überhaupt nicht zu",
        "high.ces": "Stimme voll und ganz zu",
        "why": "Was ist der wichtigste Grund für Ihre Bewertung? (optional)",
        "invite": "Danke, dass Sie {brand} kontaktiert haben. Wie waren wir? Ein Klick genügt:",
        "send": "Senden",
        "thanks": "Vielen Dank für Ihre Antwort!",
        "thanks.why": "Danke. Wir lesen jede Antwort.",
        "expired": "Diese Umfrage ist abgelaufen. Trotzdem vielen Dank.",
        "invalid": "Dieser Link ist ungültig.",
        "title": "Ihre Meinung zu {brand}",
        "bad.score": "Bitte wählen Sie einen der Werte.",
        "your.score": "Ihre Antwort: {score}. Sie können sie ändern, bis der Link abläuft.",
        "next": "Noch eine Frage",
        "limited": "Zu viele Versuche. Bitte versuchen Sie es in einer Minute erneut.",
        "not.found": "Diese Umfrage wurde nicht gefunden. Der Link ist vielleicht unvollständig.",
        "checkin": (
            "Hallo {name}, hier ist {brand}: Hat unsere Lösung funktioniert? Wenn "
            "noch etwas nicht stimmt, antworten Sie einfach auf diese Nachricht, "
            "und wir kümmern uns darum."
        ),
        "warranty.offer": (
            "Hallo {name}, hier ist {brand}. Die Garantie für Ihr {product} endet "
            "am {date}. Wenn etwas nicht funktioniert, wie es soll, antworten Sie "
            "bis dahin auf diese Nachricht, und wir kümmern uns darum; wir sagen "
            "Ihnen auch gern, wie Sie die Garantie verlängern können."
        ),
    },
    "es": {
        "question.csat": "¿Qué tan satisfecho está con la ayuda que recibió de {brand}?",
        "question.nps": "¿Qué probabilidad hay de que recomiende {brand} a un amigo o colega?",
        "question.ces": "{brand} me facilitó resolver mi problema.",
        "low.csat": "Muy insatisfecho",
        "high.csat": "Muy satisfecho",
        "low.nps": "Nada probable",
        "high.nps": "Muy probable",
        "low.ces": "Totalmente en desacuerdo",
        "high.ces": "Totalmente de acuerdo",
        "why": "¿Cuál es el motivo principal de su puntuación? (opcional)",
        "invite": "Gracias por contactar con {brand}. ¿Qué tal lo hicimos? Basta un toque:",
        "send": "Enviar",
        "thanks": "¡Gracias por su respuesta!",
        "thanks.why": "Gracias. Leemos todas las respuestas.",
        "expired": "Esta encuesta ha caducado. Gracias de todos modos.",
        "invalid": "Este enlace no es válido.",
        "title": "Su opinión sobre {brand}",
        "bad.score": "Elija una de las puntuaciones.",
        "your.score": "Su respuesta: {score}. Puede cambiarla hasta que caduque el enlace.",
        "next": "Una pregunta más",
        "limited": "Demasiados intentos. Vuelva a intentarlo en un minuto.",
        "not.found": "No se encontró esta encuesta. Es posible que el enlace esté incompleto.",
        "checkin": (
            "Hola {name}, le escribe {brand}: ¿funcionó nuestra solución? Si algo "
            "sigue sin ir bien, responda a este mensaje y nos ocuparemos."
        ),
        "warranty.offer": (
            "Hola {name}, le escribe {brand}. La garantía de su {product} termina "
            "el {date}. Si algo no funciona como debería, responda a este mensaje "
            "antes de esa fecha y nos ocuparemos; también podemos explicarle cómo "
            "ampliar la cobertura."
        ),
    },
    "fr": {
        "question.csat": "Êtes-vous satisfait de l'aide que vous avez reçue de {brand} ?",
        "question.nps": "Quelle est la probabilité que vous recommandiez {brand} à un ami ou "
        "un collègue ?",
        "question.ces": "{brand} m'a facilité le traitement de ma demande.",
        "low.csat": "Très insatisfait",
        "high.csat": "Très satisfait",
        "low.nps": "Pas du tout probable",
        "high.nps": "Très probable",
        "low.ces": "Pas du tout d'accord",
        "high.ces": "Tout à fait d'accord",
        "why": "Quelle est la raison principale de votre note ? (facultatif)",
        "invite": "Merci d'avoir contacté {brand}. Comment avons-nous fait ? Un clic suffit :",
        "send": "Envoyer",
        "thanks": "Merci pour votre réponse !",
        "thanks.why": "Merci. Nous lisons chaque réponse.",
        "expired": "Cette enquête a expiré. Merci tout de même.",
        "invalid": "Ce lien n'est pas valide.",
        "title": "Votre avis sur {brand}",
        "bad.score": "Veuillez choisir l'une des notes.",
        "your.score": "Votre réponse : {score}. Vous pouvez la modifier jusqu'à "
        "l'expiration du lien.",
        "next": "Encore une question",
        "limited": "Trop de tentatives. Réessayez dans une minute.",
        "not.found": "Cette enquête est introuvable. Le lien est peut-être incomplet.",
        "checkin": (
            "Bonjour {name}, ici {brand} : notre solution a-t-elle fonctionné ? Si "
            "quelque chose ne va toujours pas, répondez simplement à ce message et "
            "nous nous en occuperons."
        ),
        "warranty.offer": (
            "Bonjour {name}, ici {brand}. La garantie de votre {product} prend fin "
            "le {date}. Si quelque chose ne fonctionne pas comme prévu, répondez à "
            "ce message d'ici là et nous nous en occuperons ; nous pouvons aussi "
            "vous expliquer comment prolonger la couverture."
        ),
    },
    "id": {
        "question.csat": "Seberapa puas Anda dengan bantuan yang Anda terima dari {brand}?",
        "question.nps": "Seberapa besar kemungkinan Anda merekomendasikan {brand} kepada teman "
        "atau kolega?",
        "question.ces": "{brand} memudahkan saya menyelesaikan masalah saya.",
        "low.csat": "Sangat tidak puas",
        "high.csat": "Sangat puas",
        "low.nps": "Sama sekali tidak mungkin",
        "high.nps": "Sangat mungkin",
        "low.ces": "Sangat tidak setuju",
        "high.ces": "Sangat setuju",
        "why": "Apa alasan utama untuk nilai Anda? (opsional)",
        "invite": "Terima kasih telah menghubungi {brand}. Bagaimana layanan kami? "
        "Cukup satu ketukan:",
        "send": "Kirim",
        "thanks": "Terima kasih atas jawaban Anda!",
        "thanks.why": "Terima kasih. Kami membaca setiap jawaban.",
        "expired": "Survei ini sudah kedaluwarsa. Terima kasih.",
        "invalid": "Tautan ini tidak valid.",
        "title": "Pendapat Anda tentang {brand}",
        "bad.score": "Silakan pilih salah satu nilai.",
        "your.score": "Jawaban Anda: {score}. Anda dapat mengubahnya sampai tautan kedaluwarsa.",
        "next": "Satu pertanyaan lagi",
        "limited": "Terlalu banyak percobaan. Silakan coba lagi dalam satu menit.",
        "not.found": "Survei ini tidak ditemukan. Tautannya mungkin tidak lengkap.",
        "checkin": (
            "Halo {name}, ini {brand}: apakah solusi kami berhasil? Jika masih ada "
            "yang belum beres, balas saja pesan ini dan kami akan menanganinya."
        ),
        "warranty.offer": (
            "Halo {name}, ini {brand}. Garansi {product} Anda berakhir pada {date}. "
            "Jika ada yang tidak berfungsi sebagaimana mestinya, balas pesan ini "
            "sebelum tanggal tersebut dan kami akan menanganinya; kami juga bisa "
            "menjelaskan cara memperpanjang garansi."
        ),
    },
    "ja": {
        "question.csat": "{brand}のサポートにどの程度満足されましたか？",
        "question.nps": "{brand}を友人や同僚に薦める可能性はどのくらいありますか？",
        "question.ces": "{brand}のおかげで問題を簡単に解決できた。",
        "low.csat": "非常に不満",
        "high.csat": "非常に満足",
        "low.nps": "まったく薦めない",
        "high.nps": "非常に薦めたい",
        "low.ces": "まったくそう思わない",
        "high.ces": "強くそう思う",
        "why": "この評価の主な理由を教えてください。（任意）",
        "invite": "{brand}へのお問い合わせありがとうございました。対応はいかがでしたか？"
        "ワンタップでお答えいただけます：",
        "send": "送信",
        "thanks": "ご回答ありがとうございました！",
        "thanks.why": "ありがとうございます。すべての回答を拝読しています。",
        "expired": "このアンケートは期限切れです。ご協力ありがとうございました。",
        "invalid": "このリンクは無効です。",
        "title": "{brand}へのご意見",
        "bad.score": "いずれかの点数をお選びください。",
        "your.score": "あなたの回答：{score}。リンクの期限が切れるまで変更できます。",
        "next": "もう一つ質問があります",
        "limited": "試行回数が多すぎます。1分後にもう一度お試しください。",
        "not.found": "このアンケートは見つかりません。リンクが不完全な可能性があります。",
        "checkin": (
            "{name}様、{brand}です。その後、解決策はうまくいきましたか？"
            "まだ問題がある場合は、このメッセージにご返信ください。対応いたします。"
        ),
        "warranty.offer": (
            "{name}様、{brand}です。お持ちの{product}の保証は{date"
            "}に終了します。正常に動作しない点があれば、それまでにこのメッセージにご返信くだ"
            "さい。対応いたします。保証の延長方法もご案内できます。"
        ),
    },
    "ar": {
        "question.csat": "ما مدى رضاك عن المساعدة التي تلقيتها من {brand}؟",
        "question.nps": "ما مدى احتمال أن توصي بـ {brand} لصديق أو زميل؟",
        "question.ces": "سهّلت {brand} عليّ معالجة مشكلتي.",
        "low.csat": "غير راضٍ على الإطلاق",
        "high.csat": "راضٍ جدًا",
        "low.nps": "غير محتمل على الإطلاق",
        "high.nps": "محتمل للغاية",
        "low.ces": "لا أوافق بشدة",
        "high.ces": "أوافق بشدة",
        "why": "ما السبب الرئيسي لتقييمك؟ (اختياري)",
        "invite": "شكرًا لتواصلك مع {brand}. كيف كان أداؤنا؟ تكفي نقرة واحدة:",
        "send": "إرسال",
        "thanks": "شكرًا على إجابتك!",
        "thanks.why": "شكرًا. نقرأ كل إجابة.",
        "expired": "انتهت صلاحية هذا الاستبيان. شكرًا لك على أي حال.",
        "invalid": "هذا الرابط غير صالح.",
        "title": "رأيك في {brand}",
        "bad.score": "يُرجى اختيار إحدى الدرجات.",
        "your.score": "إجابتك: {score}. يمكنك تغييرها حتى تنتهي صلاحية الرابط.",
        "next": "سؤال آخر",
        "limited": "محاولات كثيرة جدًا. يُرجى المحاولة مرة أخرى بعد دقيقة.",
        "not.found": "لم يُعثر على هذا الاستبيان. ربما يكون الرابط ناقصًا.",
        "checkin": (
            "مرحبًا {name}، معك {brand}: هل نجح الحل الذي قدمناه؟ إذا كان هناك شيء "
            "لا يزال غير صحيح، فقط رد على هذه الرسالة وسنهتم بالأمر."
        ),
        "warranty.offer": (
            "مرحبًا {name}، معك {brand}. ينتهي ضمان {product} الخاص بك في {date}. "
            "إذا كان هناك شيء لا يعمل كما ينبغي، فرد على هذه الرسالة قبل ذلك وسنهتم "
            "بالأمر؛ ويمكننا أيضًا أن نشرح لك كيفية تمديد الضمان."
        ),
    },
}


def pick_language(language: str, fallback: str) -> str:
    """The language the texts are shown in: the customer's (or its base language: ``de-AT``
    → ``de``; any Chinese but traditional → ``zh-hans``), else ``fallback`` likewise, else
    English."""
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


def text(key: str, language: str, fallback: str = "en", **values: str) -> str:
    """The text ``key`` in the chosen language (``pick_language``) with ``values`` filled in."""
    chosen = TEXTS[pick_language(language, fallback)]
    template = chosen.get(key) or TEXTS["en"][key]
    return template.format(**values) if values else template


def is_rtl(language: str) -> bool:
    """Whether pages in this language are laid out right to left."""
    return (language or "").split("-")[0].lower() in RTL
