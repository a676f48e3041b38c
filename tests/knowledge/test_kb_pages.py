"""The knowledge base's pages per role (agent, supervisor, admin) of two brands: the list
with filters, the editor (save, preview, states), history and diff, translations,
categories and the help center's settings; another brand's ids are 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import services
from wowdesk.knowledge.models import Article, ArticleStatus, Category, HelpCenter

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def login(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


@pytest.fixture
def owner(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(Role.ADMIN)


def article(actor: Agent, brand: Brand, **kw: Any) -> Article:
    data: dict[str, Any] = {
        "title": "Change the address",
        "body": "Go to *Account*.",
        "language": "en",
    }
    data.update(kw)
    return services.do_create_article(brand_id=brand.pk, actor=actor, **data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/inbox/", "/settings/", "/knowledge/"])
def test_the_workspace_navigation_leads_every_agent_to_the_knowledge_base(
    role: str, path: str, make_agent: Any, brand: Brand, other_brand: Brand
) -> None:
    """Agents read and search articles too (not only knowledge managers in Settings): the
    main navigation links the knowledge base for every role, of either brand."""
    for b in (brand, other_brand):
        c = login(make_agent(role, brands=[b]))
        nav = c.get(path).content.decode().split('<nav aria-label="Main">')[1].split("</nav>")[0]
        current = ' aria-current="page"' if path == "/knowledge/" else ""
        assert f'<a href="/knowledge/"{current}>Knowledge base</a>' in nav
        assert c.get("/knowledge/").status_code == 200
    c = Client()
    c.cookies["django_language"] = "zh-hans"
    c.force_login(make_agent(role, brands=[brand]).user)
    assert (
        '<a href="/knowledge/">知识库</a>'
        in c.get("/inbox/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("en", "Orders", "订单"), ("zh-hans", "订单", "Orders"), ("es", "Orders", "Pedidos")],
)
def test_the_list_names_categories_in_the_readers_language_once_per_slug(
    language: str, shown: str, hidden: str, make_agent: Any, brand: Brand, other_brand: Brand
) -> None:
    names = {"en": "Orders", "zh": "订单", "es": "Pedidos"}
    for b in (brand, other_brand):
        admin = make_agent(Role.ADMIN, brands=[b])
        cat = services.do_create_category(brand_id=b.pk, actor=admin, names=names, slug="orders")
        article(admin, b, category=cat.pk)
    c = Client()
    c.cookies["django_language"] = language
    c.force_login(make_agent(Role.AGENT, brands=[brand, other_brand]).user)
    page = c.get("/knowledge/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert page.count(f"<td>{shown}</td>") == 2 and f"<td>{hidden}</td>" not in page
    assert page.count('<option value="orders"') == 1
    assert f'<option value="orders">{shown}</option>' in page


def test_the_editor_in_chinese_opens_translations_and_names_categories_in_chinese(
    make_agent: Any, owner: Agent, brand: Brand
) -> None:
    """The "Open" link of a translation is a verb (打开), not the conversation state 待处理."""
    cat = services.do_create_category(
        brand_id=brand.pk, actor=owner, names={"en": "Orders", "zh": "订单"}
    )
    src = article(owner, brand, category=cat.pk)
    article(owner, brand, title="修改地址", language="zh", translation_of=src.pk)
    c = Client()
    c.cookies["django_language"] = "zh-hans"
    c.force_login(make_agent(Role.SUPERVISOR, brands=[brand]).user)
    page = c.get(f"/knowledge/{src.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    table = page.split('<table id="kb-translations">')[1].split("</table>")[0]
    assert ">打开</a>" in table and "待处理" not in table
    assert f'<option value="{cat.pk}" selected>订单</option>' in page


@pytest.mark.parametrize("role", ROLES)
def test_list_and_editor_per_role(
    role: str, make_agent: Any, owner: Agent, brand: Brand, other_brand: Brand
) -> None:
    theirs = article(
        make_agent(Role.ADMIN, brands=[other_brand]), other_brand, title="Globex secret"
    )
    mine = article(owner, brand)
    live = article(owner, brand, title="Live one", status=ArticleStatus.PUBLISHED)
    c = login(make_agent(role, brands=[brand]))
    r = c.get("/knowledge/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "Change the address" in text and "Globex secret" not in text
    assert (role != Role.AGENT) == ("/knowledge/help-center/" in text)
    assert c.get(f"/knowledge/{theirs.pk}/").status_code == 404
    assert c.get(f"/knowledge/{theirs.pk}/history/").status_code == 404
    assert c.post(f"/knowledge/{theirs.pk}/", {"title": "x", "body": "y"}).status_code == 404
    assert c.post(f"/knowledge/{theirs.pk}/delete/").status_code == 404
    assert Article.objects.get(pk=theirs.pk).title == "Globex secret"
    # the draft: everyone edits it and submits it for review
    r = c.post(
        f"/knowledge/{mine.pk}/",
        {"title": "Change your address", "body": "Go to **Account**.", "status": "in_review"},
    )
    assert r.status_code == 302, r.content
    a = Article.objects.get(pk=mine.pk)
    assert (a.title, a.status, a.version) == ("Change your address", "in_review", 2)
    # the published article: the buttons and the rights follow the role
    r = c.get(f"/knowledge/{live.pk}/")
    assert ('data-to="archived"' in r.content.decode()) == (role != Role.AGENT)
    r = c.post(f"/knowledge/{live.pk}/", {"title": "Hijack", "body": "x"})
    assert r.status_code == (403 if role == Role.AGENT else 302)
    assert Article.objects.get(pk=live.pk).title == ("Live one" if role == Role.AGENT else "Hijack")
    r = c.post(f"/knowledge/{live.pk}/", {"status": "archived"})
    assert r.status_code == (403 if role == Role.AGENT else 302)
    r = c.post(f"/knowledge/{mine.pk}/delete/")
    assert Article.objects.filter(pk=mine.pk).exists() == (role == Role.AGENT)


def test_list_filters_and_counts(owner: Agent, brand: Brand) -> None:
    services.do_create_category(brand_id=brand.pk, actor=owner, names={"en": "Billing"})
    a = article(
        owner, brand, title="Pay by card", category="billing", status=ArticleStatus.PUBLISHED
    )
    article(owner, brand, title="Ship abroad")
    article(owner, brand, title="Pagar con tarjeta", language="es", translation_of=a)
    c = login(owner)

    def titles(**q: str) -> set[str]:
        body = c.get("/knowledge/", q).content.decode()
        return {t for t in ("Pay by card", "Ship abroad", "Pagar con tarjeta") if t in body}

    assert titles() == {"Pay by card", "Ship abroad", "Pagar con tarjeta"}
    assert titles(status="published") == {"Pay by card"}
    assert titles(language="es") == {"Pagar con tarjeta"}
    assert titles(category="billing") == {"Pay by card", "Pagar con tarjeta"}
    assert titles(q="abroad") == {"Ship abroad"}
    assert c.get("/knowledge/", {"status": "bogus"}).status_code == 200
    body = c.get("/knowledge/").content.decode()
    assert 'data-status="draft">Draft: <span data-count>2</span>' in body


def test_list_query_count_does_not_grow(
    owner: Agent, brand: Brand, django_assert_max_num_queries: Any
) -> None:
    c = login(owner)
    for i in range(3):
        article(owner, brand, title=f"A{i}")
    c.get("/knowledge/")
    with django_assert_max_num_queries(30) as small:
        c.get("/knowledge/")
    for i in range(30):
        article(owner, brand, title=f"B{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/knowledge/")


def test_new_article_preview_without_js_and_errors(agent: Agent, brand: Brand) -> None:
    c = login(agent)
    r = c.post(
        "/knowledge/new/",
        {
            "brand": brand.pk,
            "language": "en",
            "title": "T",
            "body": "**hi** <script>x</script>",
            "action": "preview",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200 and "<strong>hi</strong>" in body and "<script>x" not in body
    assert not Article.objects.exists()
    r = c.post(
        "/knowledge/new/", {"brand": brand.pk, "language": "klingon-x", "title": "T", "body": ""}
    )
    assert r.status_code == 400 and 'data-field="language"' in r.content.decode()
    r = c.post(
        "/knowledge/new/",
        {"brand": brand.pk, "language": "en", "title": "T", "body": "", "status": "published"},
    )
    assert r.status_code == 403 and not Article.objects.exists()
    r = c.post("/knowledge/new/", {"brand": brand.pk, "language": "en", "title": "T", "body": "b"})
    assert r.status_code == 302 and Article.objects.get().author == agent
    r = c.post(
        "/knowledge/preview/", {"body": "# x\n[a](javascript:alert(1)) <img src=x onerror=y>"}
    )
    out = r.content.decode()
    assert "<h1>x</h1>" in out and 'href="javascript' not in out and "<img" not in out


def test_translation_panel_translate_and_mark_up_to_date(owner: Agent, brand: Brand) -> None:
    services.do_update_help_center(brand.pk, actor=owner, languages=["en", "es", "de"])
    src = article(owner, brand)
    c = login(owner)
    body = c.get(f"/knowledge/{src.pk}/").content.decode()
    assert 'data-state="missing"' in body and f"translation_of={src.pk}&amp;language=es" in body
    r = c.get("/knowledge/new/", {"translation_of": src.pk, "language": "es"})
    assert "Go to *Account*." in r.content.decode()  # prefilled from the source
    r = c.post(
        "/knowledge/new/",
        {
            "translation_of": src.pk,
            "language": "es",
            "title": "Cambiar la dirección",
            "body": "Ve a *Cuenta*.",
        },
    )
    es = Article.objects.get(language="es")
    assert r.status_code == 302 and es.translation_of_id == src.pk and es.source_version == 1
    c.post(f"/knowledge/{src.pk}/", {"title": src.title, "body": "Go to *Account* > *Address*."})
    body = c.get(f"/knowledge/{src.pk}/").content.decode()
    assert 'data-language="es" data-state="out_of_date"' in body
    assert 'id="kb-out-of-date"' in c.get(f"/knowledge/{es.pk}/").content.decode()
    c.post(f"/knowledge/{es.pk}/up-to-date/")
    body = c.get(f"/knowledge/{src.pk}/").content.decode()
    assert 'data-language="es" data-state="up_to_date"' in body


def test_history_and_diff(owner: Agent, brand: Brand) -> None:
    a = article(owner, brand, body="Press <OK> now")
    services.do_update_article(a, actor=owner, body="Press <Save> now", note="rename button")
    services.do_update_article(a, actor=owner, body="Press <Save> later")
    c = login(owner)
    body = c.get(f"/knowledge/{a.pk}/history/", {"a": 1, "b": 3}).content.decode()
    assert "<del>&lt;OK&gt;" in body.replace("<del>&lt;", "<del>&lt;") or "<del>OK</del>" in body
    assert "<ins>Save</ins>" in body and "<ins>later</ins>" in body and "rename button" in body
    assert "<OK>" not in body
    assert c.get(f"/knowledge/{a.pk}/history/", {"a": "x", "b": 99}).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_categories_and_help_center_pages_per_role(
    role: str, make_agent: Any, brand: Brand, other_brand: Brand
) -> None:
    other_admin = make_agent(Role.ADMIN, brands=[other_brand])
    theirs = services.do_create_category(
        brand_id=other_brand.pk, actor=other_admin, names={"en": "Theirs"}
    )
    c = login(make_agent(role, brands=[brand]))
    expected = 403 if role == Role.AGENT else 200
    assert c.get("/knowledge/categories/").status_code == expected
    assert c.get("/knowledge/help-center/").status_code == expected
    r = c.post("/knowledge/categories/", {"name": "Shipping", "language": "en"})
    assert Category.objects.filter(brand=brand, slug="shipping").exists() == (role != Role.AGENT)
    assert c.post(
        f"/knowledge/categories/{theirs.pk}/", {"language": "en", "name": "Mine"}
    ).status_code in (403, 404)
    assert c.post(f"/knowledge/categories/{theirs.pk}/delete/").status_code in (403, 404)
    assert Category.objects.get(pk=theirs.pk).names == {"en": "Theirs"}
    r = c.post(
        "/knowledge/help-center/", {"brand": other_brand.pk, "title": "Hacked", "colour": "#000000"}
    )
    assert not HelpCenter.objects.filter(brand=other_brand).exists()
    r = c.post(
        "/knowledge/help-center/",
        {
            "brand": brand.pk,
            "title": "Acme help",
            "colour": "#112233",
            "languages": "en, es",
            "fallback_chain": "es",
            "enabled": "on",
            "logo": SimpleUploadedFile("l.png", PNG, "image/png"),
        },
    )
    if role == Role.AGENT:
        assert r.status_code == 403 and not HelpCenter.objects.exists()
        return
    assert r.status_code == 302, r.content
    hc = HelpCenter.objects.get(brand=brand)
    assert (hc.title, hc.colour, hc.languages, hc.fallback_chain) == (
        "Acme help",
        "#112233",
        ["en", "es"],
        ["es"],
    )
    assert Client().get(f"/knowledge/logo/{brand.pk}/").status_code == 200
    r = c.post("/knowledge/help-center/", {"brand": brand.pk, "colour": "blue"})
    assert r.status_code == 400 and 'data-field="colour"' in r.content.decode()


def test_attachment_page_upload_and_visibility(
    owner: Agent, agent: Agent, brand: Brand, other_brand: Brand, make_agent: Any
) -> None:
    a = article(owner, brand)
    c = login(agent)
    r = c.post(
        f"/knowledge/{a.pk}/attachments/", {"file": SimpleUploadedFile("s.png", PNG, "image/png")}
    )
    assert r.status_code == 302
    att = a.attachments.get()
    url = services.attachment_url(att)
    assert c.get(url).status_code == 200
    assert login(make_agent(Role.ADMIN, brands=[other_brand])).get(url).status_code == 404
    assert Client().get(url).status_code == 404  # a draft's files are not public
    r = c.post(
        f"/knowledge/{a.pk}/attachments/",
        {"file": SimpleUploadedFile("x.exe", b"MZ", "application/x-msdownload")},
    )
    assert r.status_code == 400
    services.do_set_status(a, ArticleStatus.PUBLISHED, actor=owner)
    assert Client().get(url).status_code == 200
    r = c.post(f"/knowledge/{a.pk}/attachments/", {"file": SimpleUploadedFile("t.png", PNG)})
    assert r.status_code == 403  # published: only knowledge managers change it


def test_zh_hans_ui(owner: Agent, brand: Brand) -> None:
    owner.ui_language = "zh-hans"
    c = login(owner)
    article(owner, brand)
    a = article(owner, brand, title="Second")
    body = c.get("/knowledge/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "新文章" in body and "筛选" in body and "篇文章" in body
    body = c.get(f"/knowledge/{a.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "正文（Markdown）" in body and "预览" in body and "Body (Markdown)" not in body


@pytest.mark.parametrize("role", ROLES)
def test_new_article_state_buttons_follow_the_role(
    role: str, make_agent: Any, brand: Brand
) -> None:
    c = login(make_agent(role, brands=[brand]))
    body = c.get("/knowledge/new/").content.decode()
    assert 'data-to="in_review"' in body
    assert ('data-to="published"' in body) == (role != Role.AGENT)
    r = c.post(
        "/knowledge/new/",
        {"brand": brand.pk, "language": "en", "title": "Now", "body": "b", "status": "published"},
    )
    assert r.status_code == (403 if role == Role.AGENT else 302)
    assert Article.objects.filter(status="published").exists() == (role != Role.AGENT)
