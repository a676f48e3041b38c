"""The knowledge base's rules: states and who moves articles between them, versions and
the diff, translations (missing / out of date / up to date), the fallback chain, slugs,
attachments, the help center's settings and sanitised Markdown."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wowdesk.core.errors import Forbidden, InvalidInput
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import search, services
from wowdesk.knowledge.models import Article, ArticleStatus

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def manager(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(Role.SUPERVISOR)


def new(actor: Agent, brand: Brand, **kw: Any) -> Article:
    data: dict[str, Any] = {
        "title": "Reset your password",
        "body": "Open *Settings*.",
        "language": "en",
    }
    data.update(kw)
    return services.do_create_article(brand_id=brand.pk, actor=actor, **data)


# --- states and roles ------------------------------------------------------------------------


def test_agent_writes_drafts_and_submits_but_cannot_publish(agent: Agent, brand: Brand) -> None:
    a = new(agent, brand)
    assert a.status == ArticleStatus.DRAFT and a.version == 1
    services.do_set_status(a, ArticleStatus.IN_REVIEW, actor=agent)
    assert Article.objects.get(pk=a.pk).status == ArticleStatus.IN_REVIEW
    for target in (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED):
        with pytest.raises(Forbidden):
            services.do_set_status(a, target, actor=agent)
    with pytest.raises(Forbidden):
        new(agent, brand, title="Other", status=ArticleStatus.PUBLISHED)
    with pytest.raises(Forbidden):
        services.do_delete_article(a, actor=agent)


def test_manager_publishes_archives_and_back_to_draft(manager: Agent, brand: Brand) -> None:
    a = new(manager, brand)
    for target in (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED, ArticleStatus.DRAFT):
        services.do_set_status(a, target, actor=manager)
        assert Article.objects.get(pk=a.pk).status == target
    assert a.published_at is not None


def test_agent_cannot_edit_published_article(agent: Agent, manager: Agent, brand: Brand) -> None:
    a = new(manager, brand, status=ArticleStatus.PUBLISHED)
    with pytest.raises(Forbidden):
        services.do_update_article(a, actor=agent, body="changed")
    archived = new(manager, brand, title="Old", status=ArticleStatus.PUBLISHED)
    services.do_set_status(archived, ArticleStatus.ARCHIVED, actor=manager)
    with pytest.raises(Forbidden):
        services.do_update_article(archived, actor=agent, title="x")
    services.do_update_article(a, actor=manager, body="changed")
    assert Article.objects.get(pk=a.pk).body == "changed"


def test_other_brand_agent_refused(
    make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand, manager: Agent
) -> None:
    outsider = make_agent(Role.ADMIN, brands=[other_brand])
    a = new(manager, brand)
    with pytest.raises(Forbidden):
        services.do_update_article(a, actor=outsider, body="x")
    with pytest.raises(Forbidden):
        services.do_set_status(a, ArticleStatus.PUBLISHED, actor=outsider)
    with pytest.raises(Forbidden):
        new(outsider, brand, title="Intrusion")


def test_impossible_transition_is_refused(manager: Agent, brand: Brand) -> None:
    a = new(manager, brand, status=ArticleStatus.PUBLISHED)
    with pytest.raises(InvalidInput) as exc:
        services.do_set_status(a, ArticleStatus.IN_REVIEW, actor=manager)
    assert exc.value.field == "status"
    with pytest.raises(InvalidInput):
        services.do_set_status(a, "gone", actor=manager)


# --- versions and the diff ---------------------------------------------------------------------


def test_edits_are_versions_with_author_and_note(
    agent: Agent, manager: Agent, brand: Brand
) -> None:
    a = new(agent, brand, body="one two three")
    services.do_update_article(a, actor=manager, body="one 2 three four", note="fix")
    services.do_update_article(a, actor=manager, tags=["x"])  # no content change: no version
    services.do_update_article(a, actor=agent, title="Reset your passphrase")
    versions = services.versions_of(Article.objects.get(pk=a.pk))
    assert [v.number for v in versions] == [3, 2, 1]
    assert versions[1].note == "fix" and versions[1].author == manager
    assert versions[0].title == "Reset your passphrase" and versions[2].author == agent
    assert Article.objects.get(pk=a.pk).version == 3


def test_diff_marks_removed_and_added_words_escaped() -> None:
    out = services.diff_html("Click <b>OK</b> now", "Click <i>Save</i> now please")
    assert "<del>" in out and "<ins>" in out
    assert "<b>" not in out and "<i>" not in out
    assert "&lt;i&gt;" in out or "&lt;" in out
    assert "please" in out.split("<ins>")[-1]
    assert services.diff_html("same", "same") == "same"
    zh = services.diff_html("重置密码", "重置你的密码")
    assert "<ins>" in zh


# --- translations --------------------------------------------------------------------------------


def test_translation_status_follows_source_versions(manager: Agent, brand: Brand) -> None:
    services.do_update_help_center(brand.pk, actor=manager, languages=["en", "es", "de", "zh-hans"])
    src = new(manager, brand)
    es = new(manager, brand, title="Restablecer", language="es", translation_of=src)
    assert es.source_version == 1 and es.category_id == src.category_id
    states = {s.language: s.state for s in services.translations_status(src)}
    assert states == {"es": "up_to_date", "de": "missing", "zh-hans": "missing"}
    services.do_update_article(src, actor=manager, body="Open *Settings* then *Security*.")
    states = {s.language: s.state for s in services.translations_status(src)}
    assert states["es"] == "out_of_date"
    services.do_mark_up_to_date(Article.objects.get(pk=es.pk), actor=manager)
    states = {s.language: s.state for s in services.translations_status(src)}
    assert states["es"] == "up_to_date"
    # editing the translation itself does not make it up to date or out of date
    services.do_update_article(src, actor=manager, title="Reset it")
    services.do_update_article(Article.objects.get(pk=es.pk), actor=manager, body="nuevo")
    assert {s.language: s.state for s in services.translations_status(src)}["es"] == "out_of_date"


def test_translation_rules(
    manager: Agent, brand: Brand, other_brand: Brand, make_agent: Any
) -> None:
    src = new(manager, brand)
    es = new(manager, brand, title="Es", language="es", translation_of=src)
    for kw, field in (
        ({"language": "es", "translation_of": src}, "language"),  # duplicate language
        ({"language": "en", "translation_of": src}, "language"),  # the source's language
        ({"language": "fr", "translation_of": es}, "translation_of"),  # of a translation
        ({"language": "xx-notalang", "translation_of": src}, "language"),
        ({"language": "", "translation_of": src}, "language"),
    ):
        with pytest.raises(InvalidInput) as exc:
            new(manager, brand, title="T", **kw)
        assert exc.value.field == field, kw
    other_admin = make_agent(Role.ADMIN, brands=[other_brand])
    with pytest.raises(InvalidInput) as exc:
        new(other_admin, other_brand, language="fr", translation_of=src)
    assert exc.value.field == "translation_of"
    with pytest.raises(InvalidInput):
        services.do_update_article(es, actor=manager, source_version=5)


def test_fallback_chain(manager: Agent, brand: Brand) -> None:
    src = new(manager, brand, language="de")  # source in German; brand default "en"
    en = new(manager, brand, title="En", language="en", translation_of=src)
    es = new(manager, brand, title="Es", language="es", translation_of=src)
    pt = new(manager, brand, title="Pt", language="pt-br", translation_of=src)
    hc = services.do_update_help_center(brand.pk, actor=manager, fallback_chain=["pt-br", "es"])
    assert services.article_in_language(src, "es", hc).pk == es.pk
    assert services.article_in_language(es, "de", hc).pk == src.pk
    assert services.article_in_language(src, "pt", hc).pk == pt.pk  # the base language
    assert services.article_in_language(src, "fr", hc).pk == pt.pk  # chain first
    hc = services.do_update_help_center(brand.pk, actor=manager, fallback_chain=[])
    assert services.article_in_language(src, "fr", hc).pk == en.pk  # brand default
    assert services.article_in_language(src, None).pk == en.pk
    only_published = services.article_in_language(src, "es", hc, statuses={ArticleStatus.PUBLISHED})
    assert only_published.pk == src.pk  # no published translation: the source


# --- slugs, attachments, help center -------------------------------------------------------------


def test_slugs_unique_per_brand_and_language(manager: Agent, brand: Brand) -> None:
    a = new(manager, brand, title="Über uns")
    b = new(manager, brand, title="Über uns")
    c = new(manager, brand, title="关于我们", language="zh-hans")
    d = new(manager, brand, title="Über uns", language="de")
    assert a.slug == "über-uns" and b.slug == "über-uns-2" and d.slug == "über-uns"
    assert c.slug == "关于我们"
    assert new(manager, brand, title="!!!").slug == "article"


def test_attachments_limits(manager: Agent, brand: Brand) -> None:
    a = new(manager, brand)
    att = services.do_add_attachment(
        a, SimpleUploadedFile("shot.png", PNG, "image/png"), actor=manager
    )
    assert att.content_type == "image/png" and att.size == len(PNG)
    assert services.attachment_url(att).startswith(services.ATTACHMENT_PREFIX)
    bad = [
        SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream"),
        SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>", "image/svg+xml"),
        SimpleUploadedFile("fake.png", b"<html>", "image/png"),
        SimpleUploadedFile("big.txt", b"a" * (services.MAX_ATTACHMENT_BYTES + 1), "text/plain"),
    ]
    for upload in bad:
        with pytest.raises(InvalidInput) as exc:
            services.do_add_attachment(a, upload, actor=manager)
        assert exc.value.field == "file"


def test_help_center_settings(manager: Agent, agent: Agent, brand: Brand) -> None:
    hc = services.do_update_help_center(
        brand.pk,
        actor=manager,
        title="Acme help",
        colour="#AA00ff",
        languages=["en", "ES"],
        fallback_chain=["es"],
        logo=SimpleUploadedFile("logo.png", PNG, "image/png"),
    )
    assert (hc.colour, hc.languages, hc.fallback_chain) == ("#aa00ff", ["en", "es"], ["es"])
    assert hc.logo.name
    for kw, field in (
        ({"colour": "red"}, "colour"),
        ({"colour": "#12345"}, "colour"),
        ({"colour": "#1234567"}, "colour"),
        ({"languages": ["klingon!"]}, "languages"),
        ({"fallback_chain": ["zz"]}, "fallback_chain"),
        ({"logo": SimpleUploadedFile("l.svg", b"<svg/>", "image/svg+xml")}, "logo"),
    ):
        with pytest.raises(InvalidInput) as exc:
            services.do_update_help_center(brand.pk, actor=manager, **kw)
        assert exc.value.field == field
    with pytest.raises(Forbidden):
        services.do_update_help_center(brand.pk, actor=agent, title="mine")


def test_categories_and_sections(manager: Agent, agent: Agent, brand: Brand) -> None:
    cat = services.do_create_category(brand_id=brand.pk, actor=manager, names={"en": "Orders"})
    sec = services.do_create_category(
        brand_id=brand.pk, actor=manager, names={"en": "Returns"}, parent=cat
    )
    assert cat.slug == "orders" and sec.parent_id == cat.pk
    with pytest.raises(InvalidInput) as exc:
        services.do_create_category(brand_id=brand.pk, actor=manager, names={"en": "X"}, parent=sec)
    assert exc.value.field == "parent"
    with pytest.raises(InvalidInput):
        services.do_create_category(brand_id=brand.pk, actor=manager, names={})
    with pytest.raises(Forbidden):
        services.do_create_category(brand_id=brand.pk, actor=agent, names={"en": "Mine"})
    a = new(manager, brand, category="orders")
    assert a.category_id == cat.pk
    services.do_delete_category(cat, actor=manager)
    assert Article.objects.get(pk=a.pk).category_id is None


# --- search hears of changes after commit ---


@pytest.mark.django_db(transaction=True)
def test_search_told_after_commit(
    monkeypatch: pytest.MonkeyPatch, make_agent: Callable[..., Agent], brand: Brand
) -> None:
    manager = make_agent(Role.SUPERVISOR)
    calls: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(search, "on_articles_changed", lambda b, ids: calls.append((b, ids)))
    with transaction.atomic():
        draft = new(manager, brand)
    pk = draft.pk
    assert calls == []  # a draft is not searchable
    with transaction.atomic():
        services.do_set_status(draft, ArticleStatus.PUBLISHED, actor=manager)
        assert calls == []  # not before the commit
    assert calls == [(brand.pk, [pk])]
    with transaction.atomic():
        services.do_update_article(draft, actor=manager, body="edited")
    with transaction.atomic():
        services.do_set_status(draft, ArticleStatus.ARCHIVED, actor=manager)
    with transaction.atomic():
        services.do_delete_article(draft, actor=manager)
    assert len(calls) == 4 and all(c == (brand.pk, [pk]) for c in calls)


# --- Markdown is sanitised ---

XSS = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    '<img src=x onerror="alert(1)">',
    "![a](javascript:alert(1))",
    "![a](http://tracker.example/p.gif)",
    '<a href="https://x" onclick="alert(1)">x</a>',
    "<style>body{display:none}</style>",
    '<svg onload="alert(1)">',
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '<iframe src="https://evil"></iframe>',
]


@pytest.mark.parametrize("text", XSS)
def test_markdown_sanitised(text: str) -> None:
    out = services.render_markdown(text).lower()
    assert "<script" not in out and "<style" not in out and "<iframe" not in out
    assert not re.search(r"<[^>]*\son\w+\s*=", out)
    assert 'href="javascript' not in out and 'src="javascript' not in out
    assert 'href="data:' not in out and "http://tracker" not in out.split("src=")[-1]


def test_markdown_renders_and_keeps_our_images() -> None:
    out = services.render_markdown(
        "# Title\n\n**bold** [link](https://example.com)\n\n"
        "![ok](/knowledge/files/3/shot.png) ![ext](https://cdn.example.com/a.png)"
    )
    assert "<h1>Title</h1>" in out and "<strong>bold</strong>" in out
    assert 'rel="noopener noreferrer"' in out
    assert 'src="/knowledge/files/3/shot.png"' in out
    assert 'src="https://cdn.example.com/a.png"' in out


PIECES = [
    "<script>",
    "</script>",
    "<style>",
    "<img src=x ",
    " onerror=",
    "onload=",
    "javascript:",
    "[a](",
    "![b](",
    ")",
    '"',
    "'",
    ">",
    "<",
    "<a href=",
    "\n\n",
    "`",
    "    ",
    "&#106;",
    "<svg ",
]
TEXTS = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=40).map("".join),
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(TEXTS)
def test_markdown_never_script_or_handler(text: str) -> None:
    out = services.render_markdown(text).lower()
    assert "<script" not in out and "<style" not in out
    assert not re.search(r"<[^>]*\son\w+\s*=", out)
