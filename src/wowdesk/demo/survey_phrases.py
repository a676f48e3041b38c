"""The words of the demo's survey answers, follow-ups and WOW stories. No Django.

``COMMENTS`` holds short "why" answers as customers write them, per language and mood:
``praise`` (a promoter), ``fine`` (a passive), ``slow`` (an unhappy customer who waited)
and ``unsolved`` (an unhappy customer whose problem stayed). A language without its own
words falls back to English (``comment_language``).
"""

from __future__ import annotations

MOODS = ("praise", "fine", "slow", "unsolved")

COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "praise": (
            "Fast and friendly, problem solved in minutes.",
            "The agent really listened and fixed it on the first try.",
            "Great service, I felt taken care of.",
            "Above and beyond. Thank you!",
        ),
        "fine": (
            "It got solved, but it took a couple of messages.",
            "OK overall, the answer was a bit generic.",
        ),
        "slow": (
            "I waited two days for a first answer.",
            "Far too slow. I had to chase you several times.",
            "The answer was fine but it took forever.",
        ),
        "unsolved": (
            "My problem is still not fixed.",
            "I had to explain everything again to every agent.",
            "The answer did not help at all.",
        ),
    },
    "zh": {
        "praise": (
            "回复很快，客服很耐心，问题当场解决了。",
            "服务非常好，谢谢！",
            "客服很专业，一次就解决了。",
        ),
        "fine": ("问题解决了，但来回沟通了好几次。", "还可以，回答有点模板化。"),
        "slow": ("等了两天才有人回复。", "太慢了，我催了好几次。", "回答没问题，就是等太久了。"),
        "unsolved": (
            "问题到现在还没解决。",
            "每换一个客服都要重新解释一遍。",
            "回复对我完全没有帮助。",
        ),
    },
    "de": {
        "praise": (
            "Schnell und freundlich, Problem in wenigen Minuten gelöst.",
            "Sehr kompetent, hat beim ersten Versuch geklappt.",
            "Toller Service, vielen Dank!",
        ),
        "fine": ("Gelöst, aber es hat ein paar Nachrichten gebraucht.", "Insgesamt okay."),
        "slow": (
            "Ich habe zwei Tage auf eine Antwort gewartet.",
            "Viel zu langsam, ich musste mehrmals nachfragen.",
            "Die Antwort war gut, aber es hat ewig gedauert.",
        ),
        "unsolved": (
            "Mein Problem besteht immer noch.",
            "Ich musste alles jedem Mitarbeiter neu erklären.",
            "Die Antwort hat mir gar nicht geholfen.",
        ),
    },
    "es": {
        "praise": (
            "Rápido y amable, lo resolvieron en minutos.",
            "El agente me escuchó y lo solucionó a la primera.",
            "¡Excelente servicio, gracias!",
        ),
        "fine": ("Se resolvió, pero hicieron falta varios mensajes.", "Bien en general."),
        "slow": (
            "Esperé dos días para recibir una respuesta.",
            "Demasiado lento, tuve que insistir varias veces.",
        ),
        "unsolved": ("Mi problema sigue sin resolverse.", "La respuesta no me ayudó en nada."),
    },
    "fr": {
        "praise": (
            "Rapide et aimable, problème réglé en quelques minutes.",
            "Le conseiller m'a vraiment écouté, merci !",
            "Service excellent.",
        ),
        "fine": ("C'est réglé, mais il a fallu plusieurs échanges.", "Correct dans l'ensemble."),
        "slow": (
            "J'ai attendu deux jours avant d'avoir une réponse.",
            "Beaucoup trop lent, j'ai dû relancer plusieurs fois.",
        ),
        "unsolved": ("Mon problème n'est toujours pas résolu.", "La réponse ne m'a pas aidé."),
    },
    "id": {
        "praise": (
            "Cepat dan ramah, masalah selesai dalam beberapa menit.",
            "Agennya sabar sekali dan langsung menyelesaikan masalah saya.",
            "Pelayanan luar biasa, terima kasih!",
        ),
        "fine": (
            "Sudah selesai, tapi perlu beberapa kali balasan.",
            "Lumayan, jawabannya agak umum.",
        ),
        "slow": (
            "Saya menunggu dua hari untuk jawaban pertama.",
            "Terlalu lama, saya harus menanyakan berkali-kali.",
            "Jawabannya benar, tapi lama sekali.",
        ),
        "unsolved": (
            "Masalah saya masih belum selesai.",
            "Saya harus menjelaskan ulang ke setiap agen.",
            "Jawabannya sama sekali tidak membantu.",
        ),
    },
    "ja": {
        "praise": (
            "対応が早く丁寧で、すぐに解決しました。",
            "担当者が親身に話を聞いてくれました。ありがとうございます。",
            "とても良いサービスでした。",
        ),
        "fine": ("解決はしましたが、何度かやり取りが必要でした。", "全体的には普通です。"),
        "slow": ("最初の返信まで2日待ちました。", "遅すぎます。何度も催促しました。"),
        "unsolved": ("問題はまだ解決していません。", "担当者が変わるたびに説明し直しました。"),
    },
    "ar": {
        "praise": (
            "خدمة سريعة ولطيفة، وتم حل المشكلة في دقائق.",
            "الموظف استمع إليّ وحلّ المشكلة من أول مرة.",
            "خدمة ممتازة، شكرًا لكم!",
        ),
        "fine": ("تم الحل لكن احتاج الأمر عدة رسائل.", "جيد بشكل عام."),
        "slow": ("انتظرت يومين حتى وصلني أول رد.", "بطيء جدًا، اضطررت للمتابعة عدة مرات."),
        "unsolved": ("مشكلتي لم تُحل حتى الآن.", "الرد لم يساعدني إطلاقًا."),
    },
    "nl": {
        "praise": ("Snel en vriendelijk, binnen een paar minuten opgelost.", "Top service, dank!"),
        "fine": ("Opgelost, maar er waren een paar berichten nodig.",),
        "slow": ("Ik heb twee dagen op een antwoord gewacht.", "Veel te traag."),
        "unsolved": ("Mijn probleem is nog steeds niet opgelost.",),
    },
    "it": {
        "praise": ("Veloci e gentili, risolto in pochi minuti.", "Servizio ottimo, grazie!"),
        "fine": ("Risolto, ma ci sono voluti diversi messaggi.",),
        "slow": ("Ho aspettato due giorni per una risposta.", "Troppo lenti."),
        "unsolved": ("Il mio problema non è ancora risolto.",),
    },
    "tr": {
        "praise": ("Hızlı ve nazik, sorun birkaç dakikada çözüldü.", "Harika hizmet, teşekkürler!"),
        "fine": ("Çözüldü ama birkaç mesaj gerekti.",),
        "slow": ("İlk cevap için iki gün bekledim.", "Çok yavaş."),
        "unsolved": ("Sorunum hâlâ çözülmedi.",),
    },
    "da": {
        "praise": ("Hurtigt og venligt, løst på få minutter.", "Super service, tak!"),
        "fine": ("Det blev løst, men krævede flere beskeder.",),
        "slow": ("Jeg ventede to dage på et svar.", "Alt for langsomt."),
        "unsolved": ("Mit problem er stadig ikke løst.",),
    },
}


def comment_language(language: str) -> str:
    """The language the demo's customer writes the why in: their own when the bank has it
    (``zh-hans`` → ``zh``), else English."""
    base = (language or "").split("-")[0].lower()
    return base if base in COMMENTS else "en"


# What a supervisor wrote when closing the follow-up of an unhappy answer.
FOLLOWUP_OUTCOMES = (
    "Called the customer, apologised for the wait and confirmed the fix works now.",
    "Refunded the shipping cost as a goodwill gesture; customer thanked us.",
    "Replacement device sent by express; customer satisfied.",
    "Explained the firmware update step by step on the phone; issue solved.",
    "Coached the agent on asking for the serial number up front.",
    "Customer did not pick up twice; sent an email with the solution and a direct line.",
    "Escalated to the product team (known issue); customer informed of the timeline.",
)

# Why a check-in was opened, and what the person found.
CHECKIN_REASONS = (
    "Hard case (escalated to tier 2): did our fix work?",
    "Started angry: check that the problem is really gone.",
    "Long case: did the replacement arrive and work?",
)
CHECKIN_OUTCOMES = (
    "Customer confirms everything works.",
    "Still one small issue; sent the updated guide.",
    "No answer after two tries; closed.",
)

# A colleague's nomination for the WOW wall.
NOMINATIONS = (
    "{agent} stayed on the line with {customer} until the {product} was back online, then "
    "called again the next day to make sure it still worked.",
    "{customer} was about to cancel. {agent} found the real cause in the logs, fixed it and "
    "sent a handwritten card with the replacement part.",
    "{agent} noticed {customer}'s warranty had run out two days earlier and replaced the "
    "{product} anyway. The customer wrote back in tears of joy.",
    "{agent} helped {customer} set up the {product} for her father over video, in his "
    "language, step by step.",
    "A calm, patient hour with a very angry {customer}: {agent} turned it into a thank-you "
    "email to the whole team.",
)
