"""The help center's interface texts in the customer's language: the table carries every
text in every language it names, the pages and the forms' refusals use it for the page's
language, Simplified Chinese comes from the gettext catalogue, any other language reads
English."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

import wowdesk.knowledge
from tests.knowledge.helpdata import article, help_center
from wowdesk.core.models import Brand
from wowdesk.knowledge import help_texts

TEMPLATES = Path(wowdesk.knowledge.__file__).parent / "templates" / "knowledge" / "help"


def text(response: Any) -> str:
    return response.content.decode()


def test_every_text_has_all_eight_languages() -> None:
    assert set(help_texts.LANGUAGES) | set(help_texts.CATALOGUE_LANGUAGES) >= {
        "en", "zh", "de", "es", "fr", "id", "ja", "ar"
    }  # fmt: skip
    for msgid, row in help_texts.TEXTS.items():
        assert set(row) == set(help_texts.LANGUAGES), msgid
        for code, translated in row.items():
            assert translated.strip(), (msgid, code)
            # the same placeholders, so filling them never fails
            assert sorted(re.findall(r"%\(\w+\)[sd]", translated)) == sorted(
                re.findall(r"%\(\w+\)[sd]", msgid)
            ), (msgid, code)


def test_every_template_text_is_in_the_table_and_the_chinese_catalogue() -> None:
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\{% ht ["']([^"']+)["'] %\}""", path.read_text()))
    assert len(used) > 15
    for msgid in used:
        assert msgid in help_texts.TEXTS, msgid
        with translation.override("zh-hans"):
            assert translation.gettext(msgid) != msgid, msgid


@pytest.mark.parametrize(
    ("english", "code", "expected"),
    [
        ("Did this help?", "es-MX", "¿Le ha servido?"),
        ("Did this help?", "pt", "Did this help?"),
        ("Something no table has.", "de", "Something no table has."),
        (
            "A message is at most 5000 characters.",
            "fr",
            "Un message compte au plus 5000 caractères.",
        ),
        (
            "Too many requests: try again in 12 s.",
            "ja",
            "リクエストが多すぎます。12 秒後にもう一度お試しください。",
        ),
        ("At most 200 characters.", "ar", "200 حرفًا على الأكثر."),
    ],
)
def test_a_message_is_found_by_its_english_text_with_its_values(
    english: str, code: str, expected: str
) -> None:
    assert help_texts.message(english, code) == expected


@pytest.fixture
def site(brand: Brand, other_brand: Brand) -> Brand:
    help_center(brand, languages=["en", "es", "de", "fr", "id", "ja", "ar", "zh", "pt"])
    return brand


@pytest.mark.parametrize(
    ("code", "expected", "direction"),
    [
        ("es", ["Buscar en el centro de ayuda", "Contáctenos", "Ir al contenido", "Idioma"], "ltr"),
        ("de", ["Im Hilfe-Center suchen", "Kontakt", "Zum Inhalt springen"], "ltr"),
        ("fr", ["Rechercher dans le centre d'aide", "Nous contacter"], "ltr"),
        ("id", ["Cari di pusat bantuan", "Hubungi kami"], "ltr"),
        ("ja", ["ヘルプセンターを検索", "お問い合わせ"], "ltr"),
        ("ar", ["ابحث في مركز المساعدة", "اتصل بنا", "انتقل إلى المحتوى"], "rtl"),
        ("zh", ["搜索帮助中心"], "ltr"),
        ("pt", ["Search the help center", "Contact us", "Skip to content"], "ltr"),
    ],
)  # fmt: skip
def test_pages_speak_the_page_language(
    site: Brand, code: str, expected: list[str], direction: str
) -> None:
    body = text(Client().get(f"/help/acme/{code}/"))
    assert f'<html lang="{code}" dir="{direction}">' in body
    for phrase in expected:
        assert phrase.replace("'", "&#x27;") in body, phrase
    if code != "pt":
        assert "Search the help center" not in body and "Contact us" not in body


def test_an_article_page_in_spanish_and_arabic(site: Brand) -> None:
    es = article(site, "Rastrear un pedido", language="es", body="Abra *Mis pedidos*.")
    body = text(Client().get(f"/help/acme/es/articles/{es.pk}-{es.slug}/"))
    for phrase in ("¿Le ha servido?", "Comentario (opcional)", ">Sí<", ">No<"):
        assert phrase in body
    assert "Did this help?" not in body and ">Yes<" not in body
    ar = article(site, "تتبع طلب", language="ar", body="افتح طلباتي.")
    page = Client().get(f"/help/acme/ar/articles/{ar.pk}-{ar.slug}/")
    body = text(page)
    assert page.status_code == 200 and 'dir="rtl"' in body
    assert "هل كان هذا مفيدًا؟" in body and ">نعم<" in body


def test_search_page_counts_and_says_nothing_found_in_the_page_language(site: Brand) -> None:
    body = text(Client().get("/help/acme/es/search/", {"q": "zzqx"}))
    assert "Resultados para «zzqx»: 0" in body
    assert "No se encontró nada." in body and "Nothing found" not in body
    body = text(Client().get("/help/acme/ja/search/", {"q": "x" * 300}))
    assert "200 文字以内です。" in body


@pytest.mark.parametrize(
    ("code", "values", "expected"),
    [
        ("es", {"name": "Ana", "email": "", "message": "Hola"}, "Escriba su dirección de correo"),
        (
            "de",
            {"name": "Jan", "email": "kaputt", "message": "Hallo"},
            "Diese E-Mail-Adresse ist ungültig.",
        ),
        (
            "fr",
            {"name": "Léa", "email": "lea@example.com", "message": ""},
            "Écrivez votre message.",
        ),
        (
            "ar",
            {"name": "علي", "email": "ali@example.com", "message": "x" * 6000},
            "لا تتجاوز الرسالة",
        ),
        ("zh", {"name": "王", "email": "", "message": "你好"}, None),
        ("pt", {"name": "Rui", "email": "", "message": "Olá"}, "Enter your email address."),
    ],
)
def test_contact_form_refusals_are_in_the_page_language(
    site: Brand, code: str, values: dict[str, str], expected: str | None
) -> None:
    c = Client()
    response = c.post(f"/help/acme/contact/?lang={code}", values)
    body = text(response)
    assert response.status_code == 400
    assert 'role="alert"' in body
    if expected is None:  # Simplified Chinese: the catalogue's text, not English
        alert = re.search(r'role="alert" id="contact-error">([^<]+)<', body)
        assert alert and not alert.group(1).isascii()
    else:
        assert expected in body
    for english in ("Your name", "Your email", ">Send<") if code != "pt" else ():
        assert english not in body


def test_feedback_refusal_is_in_the_page_language(site: Brand) -> None:
    de = article(site, "Bestellung verfolgen", language="de", body="Öffnen Sie *Bestellungen*.")
    response = Client().post(
        f"/help/acme/de/articles/{de.pk}-{de.slug}/", {"helpful": "vielleicht"}
    )
    assert response.status_code == 400
    assert "Wählen Sie Ja oder Nein." in text(response)
