"""In a browser: a knowledge manager writes an article, sees the live preview and the
no-JS preview, publishes it, adds a Spanish translation, and sees the translation go out of
date when the source changes, and up to date when marked; an agent's editor offers only
what an agent may do; the list in Simplified Chinese on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.web.pages import LoginPage
from tests.web.pages_kb import ArticleEditor, ArticleList
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import services
from wowdesk.knowledge.models import Article

PASSWORD = "correct-horse-battery-staple"


def test_write_preview_publish_translate(
    page: Any, brand: Brand, make_agent: Callable[..., Agent], csp_refusals: list[str]
) -> None:
    refused = csp_refusals
    boss = make_agent(Role.SUPERVISOR, email="kb@example.com", name="Kay", password=PASSWORD)
    services.do_update_help_center(brand.pk, actor=boss, languages=["en", "es"])
    LoginPage(page).open().login("kb@example.com", PASSWORD)
    editor = ArticleList(page).open().new()
    editor.write(title="Reset your password", body="Open **Settings**.", language="en")
    editor.type_body("\n\n## Then")
    assert editor.live_preview_has("h2") == "Then"  # rendered by the server, live
    editor.preview_button()  # the button that works without JavaScript
    assert "<strong>Settings</strong>" in editor.preview_html()
    assert not Article.objects.exists()
    editor.save()
    assert editor.status() == "draft"
    assert set(editor.state_buttons()) == {"in_review", "published", "archived"}
    editor.move_to("published")
    assert editor.status() == "published"
    source_id = editor.article_id()
    assert editor.translations() == {"es": "missing"}
    editor.translate("es")
    assert page.locator("#kb-body").input_value().startswith("Open **Settings**.")
    editor.write(title="Restablecer la contraseña", body="Abre **Ajustes**.").save()
    es = Article.objects.get(language="es")
    assert es.translation_of_id == source_id and es.source_version == 1
    source = ArticleEditor(page).open(source_id)
    assert source.translations() == {"es": "up_to_date"}
    source.write(title="Reset your password", body="Open **Settings** > **Security**.").save()
    assert source.translations() == {"es": "out_of_date"}
    source.mark_up_to_date("es")
    assert source.translations() == {"es": "up_to_date"}
    history = source.history()
    assert history.versions() == [2, 1]
    assert "Security" in " ".join(history.added())
    assert refused == []


def test_agent_editor_and_chinese_list_on_a_phone(
    page: Any,
    brand: Brand,
    make_agent: Callable[..., Agent],
    live_server: Any,
    csp_refusals: list[str],
) -> None:
    refused = csp_refusals
    boss = make_agent(Role.ADMIN)
    live = services.do_create_article(
        brand_id=brand.pk, actor=boss, title="Live", body="x", language="en", status="published"
    )
    make_agent(Role.AGENT, email="ag@example.com", name="Ag", password=PASSWORD)
    LoginPage(page).open().login("ag@example.com", PASSWORD)
    editor = ArticleList(page).open().new()
    editor.write(title="My draft", body="Step *one*", language="en").save()
    assert set(editor.state_buttons()) == {"in_review"}
    editor.move_to("in_review")
    assert editor.status() == "in_review"
    assert ArticleEditor(page).open(live.pk).state_buttons() == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    )
    listing = ArticleList(page).open()
    assert set(listing.titles()) == {"My draft", "Live"}
    assert "新文章" in page.locator("#kb-new").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert refused == []
