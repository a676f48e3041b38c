"""The public help center (/help/…): pages, languages, search, feedback, views, sitemap,
"Contact us"; only published public articles of the page's brand, for anyone."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils.encoding import iri_to_uri

from tests.knowledge.helpdata import Shop, article, category, help_center
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core import ratelimit
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import search
from wowdesk.knowledge.models import Article, ArticleFeedback, Source


@pytest.fixture
def shop(brand: Brand, other_brand: Brand) -> Shop:
    return Shop(brand, other_brand)


def url(row: Article, lang: str | None = None) -> str:
    return iri_to_uri(f"/help/acme/{lang or row.language}/articles/{row.pk}-{row.slug}/")


def text(response: Any) -> str:
    return response.content.decode()


def assert_none_hidden(body: str, shop: Shop) -> None:
    for row in shop.hidden:
        assert row.title not in body, row.title
        assert f"/articles/{row.pk}-" not in body, row.title


# --- entry points and languages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("es-ES,es;q=0.9,en;q=0.5", "es"),
        ("es-MX", "es"),
        ("ar", "ar"),
        ("fr-FR,fr;q=0.9", "en"),  # not offered: the brand's default
        ("de;q=0.9,es;q=0.8", "es"),  # German has only a draft: not offered
        ("", "en"),
    ],
)
def test_brand_root_follows_the_browser_language(shop: Shop, header: str, lang: str) -> None:
    response = Client().get("/help/acme/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 302
    assert response["Location"] == f"/help/acme/{lang}/"
    assert "Accept-Language" in response["Vary"]


def test_help_root_is_the_default_brand(shop: Shop) -> None:
    response = Client().get("/help/")
    assert response.status_code == 302 and response["Location"] == "/help/acme/"


def test_help_root_skips_a_switched_off_help_center(brand: Brand, other_brand: Brand) -> None:
    help_center(brand, enabled=False)
    assert Client().get("/help/")["Location"] == "/help/globex/"
    assert Client().get("/help/acme/").status_code == 404
    assert Client().get("/help/acme/en/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/help/",
        "/help/acme/",
        "/help/acme/en/",
        "/help/acme/es/categories/orders/",
        "/help/acme/en/search/?q=parcel",
        "/help/acme/sitemap.xml",
        "/help/acme/theme.css",
    ],
)
def test_head_answers_like_get(shop: Shop, path: str) -> None:
    """Link checkers and uptime monitors ask with HEAD: same status as GET, no body."""
    head, get = Client().head(path), Client().get(path)
    assert head.status_code == get.status_code and head.status_code in (200, 302)
    assert head.content == b""


def test_help_root_prefers_a_help_center_with_articles(brand: Brand, other_brand: Brand) -> None:
    """The install's first brand with nothing published is passed over for one with articles
    (the demo's "Default" brand before Acme); hidden articles do not count."""
    assert Client().get("/help/")["Location"] == "/help/acme/"
    article(brand, "Draft only", status="draft")
    article(brand, "Agents only", internal=True)
    article(brand, "Archived", status="archived")
    article(other_brand, "Track a parcel")
    assert Client().get("/help/")["Location"] == "/help/globex/"
    article(brand, "Return a parcel")
    assert Client().get("/help/")["Location"] == "/help/acme/"


@pytest.mark.parametrize(
    "path", ["/help/nobody/", "/help/nobody/en/", "/help/acme/fr/", "/help/acme/de/"]
)
def test_unknown_brand_or_language_is_404(shop: Shop, path: str) -> None:
    assert Client().get(path).status_code == 404


def test_home_shows_categories_sections_and_a_language_picker(shop: Shop) -> None:
    response = Client().get("/help/acme/es/")
    assert response.status_code == 200
    body = text(response)
    assert '<html lang="es" dir="ltr">' in body
    assert "Pedidos" in body and "Devoluciones" in body
    assert 'href="/help/acme/es/categories/orders/"' in body
    for code in ("en", "es", "ar"):
        assert f'href="/help/acme/{code}/" hreflang="{code}"' in body
    assert 'aria-current="true">español' in body
    assert_none_hidden(body, shop)
    assert "public" in response["Cache-Control"]


def test_the_brand_look_is_served_as_css(shop: Shop) -> None:
    body = text(Client().get("/help/acme/en/"))
    assert '<link rel="stylesheet" href="/help/acme/theme.css">' in body
    assert "style=" not in body  # the CSP allows no inline style attributes
    css = Client().get("/help/acme/theme.css")
    assert css["Content-Type"].startswith("text/css")
    assert "--hc-accent:#0a7d3b" in text(css)
    assert "--hc-on-accent:#ffffff" in text(css)


@pytest.mark.parametrize("colour", ["red;}a{", "};b{c:d", "#12345", "", "#zzzzzz"])
def test_a_bad_colour_never_reaches_the_css(brand: Brand, colour: str) -> None:
    help_center(brand, colour=colour)
    css = text(Client().get("/help/acme/theme.css"))
    assert "--hc-accent:#2457d6;" in css and "}a{" not in css and "c:d" not in css


# --- categories and articles --------------------------------------------------------------


def test_category_page_lists_public_articles_in_the_language_with_fallback(shop: Shop) -> None:
    response = Client().get("/help/acme/es/categories/orders/")
    assert response.status_code == 200
    body = text(response)
    assert "Rastrea tu paquete" in body and "Reembolso de un paquete" in body
    assert "Track your parcel" not in body  # shown in Spanish
    # no Spanish translation: the English one, marked as English
    assert f'href="{url(shop.label)}" lang="en">Print a return label' in body
    assert 'id="s-returns"' in body
    assert_none_hidden(body, shop)


def test_unknown_or_other_brands_category_is_404(shop: Shop) -> None:
    assert Client().get("/help/acme/en/categories/nope/").status_code == 404
    category(shop.other, "globex-only", {"en": "G"})
    assert Client().get("/help/acme/en/categories/globex-only/").status_code == 404


def test_article_page_has_hreflang_canonical_breadcrumbs_related(shop: Shop) -> None:
    response = Client().get(url(shop.refund_es))
    assert response.status_code == 200
    body = text(response)
    assert '<html lang="es" dir="ltr">' in body
    assert "<p>Los reembolsos de un paquete tardan cinco días.</p>" in body
    assert f'<link rel="canonical" href="http://testserver{url(shop.refund_es)}">' in body
    assert f'hreflang="en" href="http://testserver{url(shop.refund)}"' in body
    assert f'hreflang="es" href="http://testserver{url(shop.refund_es)}"' in body
    # breadcrumbs: home › category › section
    assert '<a href="/help/acme/es/categories/orders/">Pedidos</a>' in body
    assert '<a href="/help/acme/es/categories/orders/#s-returns">Devoluciones</a>' in body
    assert "Print a return label" in body  # related: same section
    assert_none_hidden(body, shop)


def test_hreflang_names_only_published_translations(shop: Shop) -> None:
    body = text(Client().get(url(shop.track)))
    for code in ("en", "es", "ar"):
        assert f'<link rel="alternate" hreflang="{code}"' in body
    assert 'hreflang="de"' not in body  # the German translation is a draft


def test_arabic_article_is_right_to_left(shop: Shop) -> None:
    response = Client().get(url(shop.track_ar))
    assert '<html lang="ar" dir="rtl">' in text(response)
    assert '<html lang="ar" dir="rtl">' in text(Client().get("/help/acme/ar/"))


@pytest.mark.parametrize("which", ["secret", "draft", "old", "foreign", "track_de"])
def test_hidden_articles_are_404(shop: Shop, which: str) -> None:
    row = getattr(shop, which)
    response = Client().get(f"/help/acme/{row.language}/articles/{row.pk}-{row.slug}/")
    assert response.status_code == 404
    assert Client().get(f"/help/acme/en/articles/{row.pk}/").status_code == 404


def test_other_brands_article_under_its_own_slug_works(shop: Shop) -> None:
    row = shop.foreign
    assert Client().get(f"/help/globex/en/articles/{row.pk}-{row.slug}/").status_code == 200


def test_wrong_slug_or_language_redirects_to_the_right_page(shop: Shop) -> None:
    c = Client()
    assert c.get(f"/help/acme/en/articles/{shop.track.pk}-old-slug/")["Location"] == url(shop.track)
    assert c.get(f"/help/acme/en/articles/{shop.track.pk}/")["Location"] == url(shop.track)
    # the same article asked in Spanish: its Spanish translation
    assert c.get(url(shop.track, "es"))["Location"] == url(shop.track_es)
    # no translation in that language: the row's own language
    assert c.get(url(shop.label, "es"))["Location"] == url(shop.label)


def test_each_view_counts_once(shop: Shop) -> None:
    c = Client()
    for _ in range(3):
        assert c.get(url(shop.track_es)).status_code == 200
    shop.track_es.refresh_from_db()
    shop.track.refresh_from_db()
    assert shop.track_es.view_count == 3
    assert shop.track.view_count == 0  # views count per language row


def test_article_page_costs_the_same_queries_with_many_articles(
    shop: Shop, django_assert_max_num_queries: Any
) -> None:
    c = Client()
    c.get(url(shop.refund))
    with django_assert_max_num_queries(12) as few:
        c.get(url(shop.refund))
    for i in range(40):
        article(shop.brand, f"More about parcels {i}", category=shop.returns)
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(url(shop.refund))


def test_category_page_queries_do_not_grow_with_articles(
    shop: Shop, django_assert_num_queries: Any
) -> None:
    c = Client()
    c.get("/help/acme/en/categories/orders/")
    for i in range(5):
        article(shop.brand, f"Extra {i}", category=shop.returns)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as five:
        c.get("/help/acme/en/categories/orders/")
    for i in range(45):
        article(shop.brand, f"Extra more {i}", category=shop.returns)
    with django_assert_num_queries(len(five.captured_queries)):
        c.get("/help/acme/en/categories/orders/")


# --- feedback -----------------------------------------------------------------------------


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def csrf_of(client: Client, path: str) -> str:
    body = text(client.get(path))
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert match
    return match.group(1)


def test_did_this_help_yes_works_without_javascript(shop: Shop) -> None:
    c = csrf_client()
    token = csrf_of(c, url(shop.track_es))
    response = c.post(
        url(shop.track_es),
        {"csrfmiddlewaretoken": token, "helpful": "yes", "comment": "¡Muy claro!"},
    )
    assert response.status_code == 302
    assert response["Location"] == url(shop.track_es) + "?voted=yes#feedback"
    shop.track_es.refresh_from_db()
    assert (shop.track_es.helpful_yes, shop.track_es.helpful_no) == (1, 0)
    fb = ArticleFeedback.objects.get(article=shop.track_es)
    assert fb.helpful and fb.comment == "¡Muy claro!" and fb.source == Source.HELP_CENTER
    page = c.get(response["Location"])
    assert "Gracias por su opinión." in text(page)
    # the page after the vote is not a second view
    shop.track_es.refresh_from_db()
    assert shop.track_es.view_count == 1
    # a second vote in the same visit is not counted
    c.post(url(shop.track_es), {"csrfmiddlewaretoken": token, "helpful": "no"})
    shop.track_es.refresh_from_db()
    assert (shop.track_es.helpful_yes, shop.track_es.helpful_no) == (1, 0)


def test_no_counts_apart_from_yes(shop: Shop) -> None:
    for answer in ("no", "no", "yes"):
        c = csrf_client()
        token = csrf_of(c, url(shop.refund))
        c.post(url(shop.refund), {"csrfmiddlewaretoken": token, "helpful": answer})
    shop.refund.refresh_from_db()
    assert (shop.refund.helpful_yes, shop.refund.helpful_no) == (1, 2)
    assert ArticleFeedback.objects.filter(article=shop.refund).count() == 3


@pytest.mark.parametrize(
    ("data", "field_text"),
    [
        ({"helpful": "maybe"}, "Choose yes or no."),
        ({}, "Choose yes or no."),
        ({"helpful": "yes", "comment": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_feedback_is_400_with_the_reason(
    shop: Shop, data: dict[str, str], field_text: str
) -> None:
    c = csrf_client()
    token = csrf_of(c, url(shop.track))
    response = c.post(url(shop.track), {"csrfmiddlewaretoken": token, **data})
    assert response.status_code == 400
    assert field_text in text(response)
    shop.track.refresh_from_db()
    assert (shop.track.helpful_yes, shop.track.helpful_no) == (0, 0)
    assert not ArticleFeedback.objects.exists()


def test_feedback_without_csrf_token_is_refused(shop: Shop) -> None:
    response = csrf_client().post(url(shop.track), {"helpful": "yes"})
    assert response.status_code == 403
    assert not ArticleFeedback.objects.exists()


@pytest.mark.parametrize("which", ["secret", "draft", "foreign"])
def test_feedback_on_a_hidden_article_is_404(shop: Shop, which: str) -> None:
    row = getattr(shop, which)
    response = Client().post(f"/help/acme/en/articles/{row.pk}-{row.slug}/", {"helpful": "yes"})
    assert response.status_code == 404
    assert not ArticleFeedback.objects.exists()


# --- search -------------------------------------------------------------------------------


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every call of ``search.log_search`` (which still runs)."""
    calls: list[dict[str, Any]] = []
    real = search.log_search

    def spy(brand_id: int, query: str, language: str, source: str, hits: list[Any]) -> None:
        calls.append(
            {
                "brand_id": brand_id,
                "query": query,
                "language": language,
                "source": source,
                "hits": [h.article_id for h in hits],
            }
        )
        real(brand_id, query, language, source, hits)

    monkeypatch.setattr(search, "log_search", spy)
    return calls


def test_search_finds_public_articles_only_and_logs(
    shop: Shop, logged: list[dict[str, Any]]
) -> None:
    response = Client().get("/help/acme/en/search/", {"q": "parcel"})
    assert response.status_code == 200
    body = text(response)
    assert "Track your parcel" in body or "Refund a parcel" in body
    assert_none_hidden(body, shop)
    assert logged and logged[0]["source"] == Source.HELP_CENTER
    assert logged[0]["brand_id"] == shop.brand.pk and logged[0]["language"] == "en"
    hidden = {r.pk for r in shop.hidden}
    assert not hidden & set(logged[0]["hits"])


def test_search_with_nothing_found_says_so(shop: Shop, logged: list[dict[str, Any]]) -> None:
    Article.objects.filter(brand=shop.brand).update(status="archived")  # nothing to find
    body = text(Client().get("/help/acme/en/search/", {"q": "parcel"}))
    assert "Nothing found" in body
    assert logged[0]["hits"] == []


@pytest.mark.parametrize(
    ("q", "reason"),
    [("x" * 201, "200"), ("y" * 5000, "q: At most 1000"), ("line\nbreak", "q: Line breaks")],
)
def test_a_bad_query_is_400_naming_the_problem(
    shop: Shop, logged: list[dict[str, Any]], q: str, reason: str
) -> None:
    response = Client().get("/help/acme/en/search/", {"q": q})
    assert response.status_code == 400
    assert reason in text(response)
    assert not logged


# --- sitemap ------------------------------------------------------------------------------


def test_sitemap_lists_public_articles_with_alternates(shop: Shop) -> None:
    response = Client().get("/help/acme/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    body = text(response)
    for row in (shop.track, shop.track_es, shop.track_ar, shop.refund, shop.refund_es, shop.label):
        assert f"<loc>http://testserver{url(row)}</loc>" in body
    assert f'hreflang="es" href="http://testserver{url(shop.track_es)}"' in body
    assert_none_hidden(body, shop)
    import xml.dom.minidom

    xml.dom.minidom.parseString(response.content)  # well-formed


# --- every role of two brands sees the same public help center -------------------------


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
@pytest.mark.parametrize("home", ["brand", "other_brand"])
def test_signed_in_people_see_only_public_articles(
    shop: Shop,
    make_agent: Callable[..., Agent],
    request: pytest.FixtureRequest,
    role: str,
    home: str,
) -> None:
    agent = make_agent(role, brands=[request.getfixturevalue(home)])
    c = Client()
    c.force_login(agent.user)
    for path in ("/help/acme/en/", "/help/acme/en/categories/orders/", url(shop.track)):
        response = c.get(path)
        assert response.status_code == 200
        assert_none_hidden(text(response), shop)
    for row in (shop.secret, shop.draft, shop.foreign):
        assert c.get(f"/help/acme/en/articles/{row.pk}-{row.slug}/").status_code == 404
    body = text(c.get("/help/acme/en/search/", {"q": "parcel override codes"}))
    assert "Parcel override codes" not in body


# --- contact us ---------------------------------------------------------------------------


def test_contact_opens_a_conversation_with_what_was_searched_and_read(shop: Shop) -> None:
    c = csrf_client()
    c.get("/help/acme/es/search/", {"q": "paquete perdido"})
    c.get(url(shop.track_es))
    c.get(url(shop.refund_es))
    token = csrf_of(c, "/help/acme/contact/?lang=es")
    response = c.post(
        "/help/acme/contact/?lang=es",
        {
            "csrfmiddlewaretoken": token,
            "name": "Lucía Pérez",
            "email": "lucia@example.com",
            "message": "Mi paquete no ha llegado.\nPedido 1234.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/help/acme/contact/?lang=es&sent=1"
    assert "Gracias: hemos recibido su mensaje." in text(c.get(response["Location"]))
    conv = Conversation.objects.get(brand=shop.brand)
    assert conv.inbox.channel == "email" and conv.customer.name == "Lucía Pérez"
    assert conv.subject == "Mi paquete no ha llegado."
    message = Message.objects.get(conversation=conv, direction=Direction.IN)
    assert message.body.startswith("Mi paquete no ha llegado.")
    meta = message.meta["help_center"]
    assert meta["searches"] == ["paquete perdido"]
    assert [a["id"] for a in meta["articles"]] == [shop.track_es.pk, shop.refund_es.pk]
    assert meta["articles"][0]["url"] == f"http://testserver{url(shop.track_es)}"
    note = Message.objects.get(
        conversation=conv, direction=Direction.ACTIVITY, meta__has_key="help_center"
    )
    assert "paquete perdido" in note.body and "Rastrea tu paquete" in note.body
    assert Conversation.objects.filter(brand=shop.other).count() == 0
    # the trail went with the message: a second message starts afresh
    token = csrf_of(c, "/help/acme/contact/")
    c.post(
        "/help/acme/contact/",
        {"csrfmiddlewaretoken": token, "email": "lucia@example.com", "message": "Otra cosa"},
    )
    second = Message.objects.filter(direction=Direction.IN).order_by("-id").first()
    assert second is not None and second.meta["help_center"]["searches"] == []


def test_contact_without_a_trail_adds_no_note(shop: Shop) -> None:
    response = Client().post("/help/acme/contact/", {"email": "a@example.com", "message": "Hello"})
    assert response.status_code == 302
    conv = Conversation.objects.get(brand=shop.brand)
    assert not Message.objects.filter(
        conversation=conv, direction=Direction.ACTIVITY, meta__has_key="help_center"
    ).exists()


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ({"email": "", "message": "Hi"}, "email", "Enter your email address."),
        ({"email": "not-an-address", "message": "Hi"}, "email", "This email address is not valid."),
        ({"email": "a@@example.com", "message": "Hi"}, "email", "This email address is not valid."),
        ({"email": "a@example.com", "message": "   "}, "message", "Write your message."),
        ({"email": "a@example.com", "message": "x" * 5001}, "message", "at most 5000 characters"),
        (
            {"email": "a@example.com", "message": "Hi", "name": "Bob\r\nBcc: x"},
            "name",
            "Line breaks",
        ),
        ({"email": "a@example.com", "message": "Hi", "name": "B" * 201}, "name", "200"),
    ],
)
def test_bad_contact_input_is_400_with_the_reason_on_the_form(
    shop: Shop, data: dict[str, str], field: str, reason: str
) -> None:
    response = Client().post("/help/acme/contact/", data)
    assert response.status_code == 400
    body = text(response)
    assert reason in body
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', body)
    assert not Conversation.objects.exists()
    if data.get("message", "").strip() and field != "message":
        assert data["message"] in body  # what was typed stays in the form


def test_contact_is_rate_limited(shop: Shop) -> None:
    ratelimit.use(ratelimit.MemoryStore(clock=lambda: 1000.0))  # time stands still
    c = Client()
    for i in range(5):
        assert (
            c.post(
                "/help/acme/contact/", {"email": f"p{i}@example.com", "message": "Hi"}
            ).status_code
            == 302
        )
    response = c.post("/help/acme/contact/", {"email": "p9@example.com", "message": "Hi"})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "Too many requests" in text(response)
    assert Conversation.objects.count() == 5
    # another brand's form has its own budget
    assert (
        c.post("/help/globex/contact/", {"email": "p9@example.com", "message": "Hi"}).status_code
        == 302
    )


def test_contact_of_an_unknown_brand_is_404(db: None) -> None:
    assert (
        Client()
        .post("/help/nobody/contact/", {"email": "a@example.com", "message": "Hi"})
        .status_code
        == 404
    )


def test_pages_carry_no_script_and_no_inline_style(shop: Shop) -> None:
    c = Client()
    paths = [
        "/help/acme/en/",
        "/help/acme/es/categories/orders/",
        url(shop.track_es),
        "/help/acme/en/search/?q=parcel",
        "/help/acme/contact/",
    ]
    for path in paths:
        body = text(c.get(path))
        assert "<script" not in body and "style=" not in body and " on" + "click" not in body


def test_interface_texts_are_in_the_page_language_else_english(
    brand: Brand, other_brand: Brand
) -> None:
    help_center(brand, languages=["en", "zh", "es", "pt"])
    zh = text(Client().get("/help/acme/zh/"))
    assert '<html lang="zh" dir="ltr">' in zh and "搜索帮助中心" in zh
    es = text(Client().get("/help/acme/es/"))
    assert "Buscar en el centro de ayuda" in es and "Contáctenos" in es
    assert "Search the help center" not in es
    pt = text(Client().get("/help/acme/pt/"))  # a language no table carries: English
    assert "Search the help center" in pt and "Contact us" in pt


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("zh", "简体中文"),
        ("zh-hant", "繁體中文"),
        ("es", "español"),
        ("pt-br", "Português Brasileiro"),
    ],
)
def test_the_language_picker_names_each_language_in_itself(
    brand: Brand, other_brand: Brand, code: str, name: str
) -> None:
    help_center(brand, languages=["en", code])
    article(brand, "Return a parcel")
    body = text(Client().get("/help/acme/en/"))
    assert f'hreflang="{code}" lang="{code}">{name}</a>' in body


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a2dd4d2b0000000049454e44ae426082"
)


def test_the_logo_is_served_by_the_help_center(brand: Brand, settings: Any, tmp_path: Any) -> None:
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    hc = help_center(brand)
    hc.logo.save("acme.png", ContentFile(PNG))
    body = text(Client().get("/help/acme/en/"))
    match = re.search(r'<img src="(/help/acme/logo\?v=\d+)" alt="" class="hc-logo">', body)
    assert match
    response = Client().get(match.group(1))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize("name", ["evil.svg", "page.html", "noext"])
def test_a_logo_that_is_not_a_plain_image_is_never_served(
    brand: Brand, settings: Any, tmp_path: Any, name: str
) -> None:
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    hc = help_center(brand)
    hc.logo.save(name, ContentFile(b"<svg onload='alert(1)'/>"))
    assert "hc-logo" not in text(Client().get("/help/acme/en/"))
    assert Client().get("/help/acme/logo").status_code == 404


def test_no_logo_is_404(brand: Brand, other_brand: Brand) -> None:
    help_center(brand)
    assert Client().get("/help/acme/logo").status_code == 404
    assert Client().get("/help/globex/logo").status_code == 404


def test_home_and_sitemap_queries_do_not_grow_with_articles(
    shop: Shop, django_assert_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = Client()
    counts = {}
    for path in ("/help/acme/en/", "/help/acme/sitemap.xml"):
        with CaptureQueriesContext(connection) as few:
            c.get(path)
        counts[path] = len(few.captured_queries)
    for i in range(45):
        row = article(shop.brand, f"Parcel help {i}", category=shop.returns)
        article(shop.brand, f"Ayuda {i}", language="es", translation_of=row)
    for path, n in counts.items():
        with django_assert_num_queries(n):
            c.get(path)


@pytest.mark.parametrize(
    "path",
    [
        "/help/acme/en/articles/99999999999999999999999-x/",
        "/help/acme/en/articles/99999999999999999999999/",
        "/help/acme/" + "x" * 3000 + "/",
        "/help/acme/en/categories/" + "y" * 3000 + "/",
        "/help/acme/en/articles/1-%00/",
        "/chat/" + "z" * 3000 + "/kb/suggest?q=parcel",
    ],
)
def test_hostile_urls_are_never_a_server_error(shop: Shop, path: str) -> None:
    response = Client().get(path, HTTP_ACCEPT_LANGUAGE="x-" * 2500)
    assert response.status_code < 500  # a refusal, a 404 or a redirect to the right page
