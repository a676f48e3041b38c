"""The public help center's interface texts in the customer's language.

A customer reads the help center in the language of the page, whatever the installation's
own interface languages are (``settings.LANGUAGES``), so these texts are a table here, as the
chat widget's and the answer bot's are (``bot_texts``). Keyed by the English text (the
gettext msgid, which keeps Simplified Chinese in the project's catalogue); ``text`` falls
back to English for a language or a text the table does not have. Pure: no Django import.
"""

from __future__ import annotations

import re
from typing import Final

# The languages this table carries; English is the key, Simplified Chinese is the gettext
# catalogue's (``locale/zh_Hans``); any other language reads English.
LANGUAGES: Final = ("es", "de", "fr", "id", "ja", "ar")
CATALOGUE_LANGUAGES: Final = ("en", "zh")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "Skip to content": {
        "es": "Ir al contenido",
        "de": "Zum Inhalt springen",
        "fr": "Aller au contenu",
        "id": "Lompat ke konten",
        "ja": "本文へスキップ",
        "ar": "انتقل إلى المحتوى",
    },
    "Language": {
        "es": "Idioma",
        "de": "Sprache",
        "fr": "Langue",
        "id": "Bahasa",
        "ja": "言語",
        "ar": "اللغة",
    },
    "Search the help center": {
        "es": "Buscar en el centro de ayuda",
        "de": "Im Hilfe-Center suchen",
        "fr": "Rechercher dans le centre d'aide",
        "id": "Cari di pusat bantuan",
        "ja": "ヘルプセンターを検索",
        "ar": "ابحث في مركز المساعدة",
    },
    "Search": {
        "es": "Buscar",
        "de": "Suchen",
        "fr": "Rechercher",
        "id": "Cari",
        "ja": "検索",
        "ar": "بحث",
    },
    "Did not find what you need?": {
        "es": "¿No encontró lo que necesita?",
        "de": "Nicht gefunden, was Sie suchen?",
        "fr": "Vous n'avez pas trouvé ce qu'il vous faut ?",
        "id": "Tidak menemukan yang Anda cari?",
        "ja": "お探しの情報が見つかりませんでしたか？",
        "ar": "لم تجد ما تحتاج إليه؟",
    },
    "Contact us": {
        "es": "Contáctenos",
        "de": "Kontakt",
        "fr": "Nous contacter",
        "id": "Hubungi kami",
        "ja": "お問い合わせ",
        "ar": "اتصل بنا",
    },
    "Breadcrumbs": {
        "es": "Ruta de navegación",
        "de": "Brotkrümelnavigation",
        "fr": "Fil d'Ariane",
        "id": "Jejak navigasi",
        "ja": "パンくずリスト",
        "ar": "مسار التنقل",
    },
    "Thank you for your feedback.": {
        "es": "Gracias por su opinión.",
        "de": "Vielen Dank für Ihre Rückmeldung.",
        "fr": "Merci pour votre avis.",
        "id": "Terima kasih atas masukan Anda.",
        "ja": "フィードバックをありがとうございます。",
        "ar": "شكرًا لك على ملاحظاتك.",
    },
    "Did this help?": {
        "es": "¿Le ha servido?",
        "de": "Hat Ihnen das geholfen?",
        "fr": "Cela vous a-t-il aidé ?",
        "id": "Apakah ini membantu?",
        "ja": "この記事は役に立ちましたか？",
        "ar": "هل كان هذا مفيدًا؟",
    },
    "Comment (optional)": {
        "es": "Comentario (opcional)",
        "de": "Kommentar (optional)",
        "fr": "Commentaire (facultatif)",
        "id": "Komentar (opsional)",
        "ja": "コメント（任意）",
        "ar": "تعليق (اختياري)",
    },
    "Yes": {"es": "Sí", "de": "Ja", "fr": "Oui", "id": "Ya", "ja": "はい", "ar": "نعم"},
    "No": {"es": "No", "de": "Nein", "fr": "Non", "id": "Tidak", "ja": "いいえ", "ar": "لا"},
    "Related articles": {
        "es": "Artículos relacionados",
        "de": "Verwandte Artikel",
        "fr": "Articles connexes",
        "id": "Artikel terkait",
        "ja": "関連記事",
        "ar": "مقالات ذات صلة",
    },
    "Categories": {
        "es": "Categorías",
        "de": "Kategorien",
        "fr": "Catégories",
        "id": "Kategori",
        "ja": "カテゴリ",
        "ar": "الفئات",
    },
    "Popular articles": {
        "es": "Artículos populares",
        "de": "Beliebte Artikel",
        "fr": "Articles populaires",
        "id": "Artikel populer",
        "ja": "よく読まれている記事",
        "ar": "المقالات الأكثر قراءة",
    },
    "No articles yet.": {
        "es": "Todavía no hay artículos.",
        "de": "Noch keine Artikel.",
        "fr": "Aucun article pour le moment.",
        "id": "Belum ada artikel.",
        "ja": "まだ記事がありません。",
        "ar": "لا توجد مقالات بعد.",
    },
    "Nothing found. Try other words, or contact us.": {
        "es": "No se encontró nada. Pruebe con otras palabras o contáctenos.",
        "de": "Nichts gefunden. Versuchen Sie andere Wörter oder kontaktieren Sie uns.",
        "fr": "Aucun résultat. Essayez d'autres mots ou contactez-nous.",
        "id": "Tidak ada hasil. Coba kata lain, atau hubungi kami.",
        "ja": "見つかりませんでした。別の言葉でお試しいただくか、お問い合わせください。",
        "ar": "لم يتم العثور على شيء. جرّب كلمات أخرى أو اتصل بنا.",
    },
    # The search page's count line, one form for every number (no plural agreement).
    "Results for “%(q)s”: %(n)s": {
        "es": "Resultados para «%(q)s»: %(n)s",
        "de": "Ergebnisse für „%(q)s“: %(n)s",
        "fr": "Résultats pour « %(q)s » : %(n)s",
        "id": "Hasil untuk “%(q)s”: %(n)s",
        "ja": "「%(q)s」の検索結果：%(n)s 件",
        "ar": "نتائج البحث عن «%(q)s»: %(n)s",
    },
    "Your name": {
        "es": "Su nombre",
        "de": "Ihr Name",
        "fr": "Votre nom",
        "id": "Nama Anda",
        "ja": "お名前",
        "ar": "اسمك",
    },
    "Your email": {
        "es": "Su correo electrónico",
        "de": "Ihre E-Mail-Adresse",
        "fr": "Votre adresse e-mail",
        "id": "Email Anda",
        "ja": "メールアドレス",
        "ar": "بريدك الإلكتروني",
    },
    "Message": {
        "es": "Mensaje",
        "de": "Nachricht",
        "fr": "Message",
        "id": "Pesan",
        "ja": "メッセージ",
        "ar": "الرسالة",
    },
    "What you searched and read here is sent with your message, so we can help faster.": {
        "es": "Lo que buscó y leyó aquí se envía con su mensaje para que podamos ayudarle "
        "más rápido.",
        "de": "Was Sie hier gesucht und gelesen haben, wird mit Ihrer Nachricht gesendet, "
        "damit wir schneller helfen können.",
        "fr": "Ce que vous avez cherché et lu ici est envoyé avec votre message, pour que "
        "nous puissions vous aider plus vite.",
        "id": "Apa yang Anda cari dan baca di sini dikirim bersama pesan Anda, agar kami "
        "dapat membantu lebih cepat.",
        "ja": "より早くお手伝いできるよう、ここで検索・閲覧した内容がメッセージと一緒に"
        "送信されます。",
        "ar": "يُرسَل ما بحثت عنه وقرأته هنا مع رسالتك، حتى نتمكن من مساعدتك بشكل أسرع.",
    },
    "Send": {
        "es": "Enviar",
        "de": "Senden",
        "fr": "Envoyer",
        "id": "Kirim",
        "ja": "送信",
        "ar": "إرسال",
    },
    "Thank you: your message has reached us. We will answer by email.": {
        "es": "Gracias: hemos recibido su mensaje. Le responderemos por correo electrónico.",
        "de": "Vielen Dank: Ihre Nachricht ist bei uns angekommen. Wir antworten per E-Mail.",
        "fr": "Merci : votre message nous est bien parvenu. Nous vous répondrons par e-mail.",
        "id": "Terima kasih: pesan Anda telah kami terima. Kami akan menjawab melalui email.",
        "ja": "ありがとうございます。メッセージを受け付けました。メールでご返信します。",
        "ar": "شكرًا لك: وصلتنا رسالتك. سنرد عليك عبر البريد الإلكتروني.",
    },
    # The forms' refusals (help_services, core.input, core.ratelimit), by their English text.
    "Choose yes or no.": {
        "es": "Elija sí o no.",
        "de": "Wählen Sie Ja oder Nein.",
        "fr": "Choisissez oui ou non.",
        "id": "Pilih ya atau tidak.",
        "ja": "「はい」か「いいえ」を選んでください。",
        "ar": "اختر نعم أو لا.",
    },
    "A comment is at most %(n)s characters.": {
        "es": "Un comentario tiene como máximo %(n)s caracteres.",
        "de": "Ein Kommentar hat höchstens %(n)s Zeichen.",
        "fr": "Un commentaire compte au plus %(n)s caractères.",
        "id": "Komentar paling banyak %(n)s karakter.",
        "ja": "コメントは %(n)s 文字以内です。",
        "ar": "لا يتجاوز التعليق %(n)s حرفًا.",
    },
    "The comment contains a NUL character.": {
        "es": "El comentario contiene un carácter NUL.",
        "de": "Der Kommentar enthält ein NUL-Zeichen.",
        "fr": "Le commentaire contient un caractère NUL.",
        "id": "Komentar berisi karakter NUL.",
        "ja": "コメントに NUL 文字が含まれています。",
        "ar": "يحتوي التعليق على محرف NUL.",
    },
    "Enter your email address.": {
        "es": "Escriba su dirección de correo electrónico.",
        "de": "Geben Sie Ihre E-Mail-Adresse ein.",
        "fr": "Saisissez votre adresse e-mail.",
        "id": "Masukkan alamat email Anda.",
        "ja": "メールアドレスを入力してください。",
        "ar": "أدخل عنوان بريدك الإلكتروني.",
    },
    "This email address is not valid.": {
        "es": "Esta dirección de correo electrónico no es válida.",
        "de": "Diese E-Mail-Adresse ist ungültig.",
        "fr": "Cette adresse e-mail n'est pas valide.",
        "id": "Alamat email ini tidak valid.",
        "ja": "このメールアドレスは正しくありません。",
        "ar": "عنوان البريد الإلكتروني هذا غير صالح.",
    },
    "Write your message.": {
        "es": "Escriba su mensaje.",
        "de": "Schreiben Sie Ihre Nachricht.",
        "fr": "Écrivez votre message.",
        "id": "Tulis pesan Anda.",
        "ja": "メッセージを入力してください。",
        "ar": "اكتب رسالتك.",
    },
    "A message is at most %(n)s characters.": {
        "es": "Un mensaje tiene como máximo %(n)s caracteres.",
        "de": "Eine Nachricht hat höchstens %(n)s Zeichen.",
        "fr": "Un message compte au plus %(n)s caractères.",
        "id": "Pesan paling banyak %(n)s karakter.",
        "ja": "メッセージは %(n)s 文字以内です。",
        "ar": "لا تتجاوز الرسالة %(n)s حرفًا.",
    },
    "The message contains a NUL character.": {
        "es": "El mensaje contiene un carácter NUL.",
        "de": "Die Nachricht enthält ein NUL-Zeichen.",
        "fr": "Le message contient un caractère NUL.",
        "id": "Pesan berisi karakter NUL.",
        "ja": "メッセージに NUL 文字が含まれています。",
        "ar": "تحتوي الرسالة على محرف NUL.",
    },
    "NUL characters are not allowed.": {
        "es": "No se admiten caracteres NUL.",
        "de": "NUL-Zeichen sind nicht erlaubt.",
        "fr": "Les caractères NUL ne sont pas autorisés.",
        "id": "Karakter NUL tidak diizinkan.",
        "ja": "NUL 文字は使用できません。",
        "ar": "محارف NUL غير مسموح بها.",
    },
    "Line breaks and control characters are not allowed.": {
        "es": "No se admiten saltos de línea ni caracteres de control.",
        "de": "Zeilenumbrüche und Steuerzeichen sind nicht erlaubt.",
        "fr": "Les sauts de ligne et caractères de contrôle ne sont pas autorisés.",
        "id": "Baris baru dan karakter kontrol tidak diizinkan.",
        "ja": "改行や制御文字は使用できません。",
        "ar": "فواصل الأسطر ومحارف التحكم غير مسموح بها.",
    },
    "At most %(n)d characters.": {
        "es": "Como máximo %(n)d caracteres.",
        "de": "Höchstens %(n)d Zeichen.",
        "fr": "Au plus %(n)d caractères.",
        "id": "Paling banyak %(n)d karakter.",
        "ja": "%(n)d 文字以内です。",
        "ar": "%(n)d حرفًا على الأكثر.",
    },
    "This field is required.": {
        "es": "Este campo es obligatorio.",
        "de": "Dieses Feld ist erforderlich.",
        "fr": "Ce champ est obligatoire.",
        "id": "Kolom ini wajib diisi.",
        "ja": "この項目は必須です。",
        "ar": "هذا الحقل مطلوب.",
    },
    "Too many requests: try again in %(s)s s.": {
        "es": "Demasiadas solicitudes: vuelva a intentarlo en %(s)s s.",
        "de": "Zu viele Anfragen: versuchen Sie es in %(s)s s erneut.",
        "fr": "Trop de demandes : réessayez dans %(s)s s.",
        "id": "Terlalu banyak permintaan: coba lagi dalam %(s)s detik.",
        "ja": "リクエストが多すぎます。%(s)s 秒後にもう一度お試しください。",
        "ar": "طلبات كثيرة جدًا: حاول مرة أخرى بعد %(s)s ثانية.",
    },
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def base(code: str) -> str:
    """``es-MX`` → ``es``, ``zh-Hans`` → ``zh``."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def in_table(code: str) -> bool:
    """Whether the table (rather than the gettext catalogue) speaks this language."""
    return base(code) in LANGUAGES


def text(msgid: str, code: str) -> str:
    """``msgid`` in the language ``code``; English when the table lacks either."""
    return TEXTS.get(msgid, {}).get(base(code), msgid)


def _pattern(msgid: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(msgid)
    # split() alternates literal text and placeholder names
    out = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{out}$")


_PATTERNS: Final = [(m, _pattern(m)) for m in TEXTS if _PLACEHOLDER.search(m)]


def message(english: str, code: str) -> str:
    """An English message, possibly with its values filled in (``A message is at most
    5000 characters.``), in the language ``code``: the same values in the translation."""
    if english in TEXTS:
        return text(english, code)
    for msgid, pattern in _PATTERNS:
        found = pattern.match(english)
        if found:
            values: dict[str, str] = found.groupdict()
            return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text(msgid, code))  # noqa: B023
    return english
