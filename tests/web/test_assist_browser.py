"""Knowledge for agents in a real browser (under the CSP): a Spanish customer's message, an
English article with a Spanish translation: the panel suggests it, "Insert text" puts the
Spanish text into the composer, "Solved it" is kept; the composer's Ctrl+Shift+K search
finds an article and proposes an edit; in Chinese and on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.knowledge.assist_data import article, conversation
from tests.web.pages import LoginPage
from tests.web.pages_assist import Assist
from wowdesk.conversations.models import Macro
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge.models import Proposal, SuggestionUse
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"
QUESTION = "Mi lámpara X200 llegó rota, quiero un reembolso"
SPANISH_TEXT = "Envíenos una foto de la X200 y le devolvemos el dinero."


@pytest.fixture
def setup(
    page: Any,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    settings: Any,
) -> dict[str, Any]:
    settings.WOWDESK_CSP = True
    agent = make_agent(Role.AGENT, email="ana@example.com", name="Ana Agent", password=PASSWORD)
    for b in (brand, other_brand):
        RoutingSettings.objects.update_or_create(brand=b, defaults={"auto_assign": False})
    source = article(brand, "Refund for a broken X200", "Send us a **photo** of the X200.")
    spanish = article(
        brand,
        "Reembolso de una X200 rota",
        "Envíenos una **foto** de la X200 y le devolvemos el dinero.",
        language="es",
        translation_of=source,
    )
    foreign = article(other_brand, "Globex X200 refunds", "X200 refunds at Globex.")
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security" in m.text else None,
    )
    return {
        "page": page,
        "agent": agent,
        "source": source,
        "spanish": spanish,
        "foreign": foreign,
        "conv": conversation(brand, QUESTION, language="es"),
        "csp": refused,
    }


def sign_in(page: Any) -> None:
    LoginPage(page).open().login("ana@example.com", PASSWORD)


def test_suggested_article_inserted_in_the_customers_language_and_solved(
    setup: dict[str, Any], brand: Brand
) -> None:
    page = setup["page"]
    Macro.objects.create(brand=brand, name="Reembolso", body="Le devolvemos el dinero.")
    sign_in(page)
    assist = Assist(page).open(setup["conv"].pk).wait_suggestions()
    assert assist.article_titles()[0] == "Reembolso de una X200 rota"
    assert "Globex X200 refunds" not in assist.article_titles()
    assert "Reembolso" in assist.macro_names()
    item = assist.suggested(setup["spanish"].pk)
    assist.insert_text(item)
    assert assist.wait_body(SPANISH_TEXT) == SPANISH_TEXT
    assist.insert_link(item)
    body = assist.wait_body("/help/")
    assert body.startswith(SPANISH_TEXT + " http")
    assert assist.solved(item) == "✓ Marked as solved"
    uses = set(SuggestionUse.objects.values_list("action", "article_id"))
    assert uses == {("inserted", setup["spanish"].pk), ("solved", setup["spanish"].pk)}
    # the macro: inserted at the caret like a "/" macro
    page.locator("#kb-suggested-macros .kb-insert-macro").first.click()
    assert assist.wait_body("Le devolvemos el dinero.").endswith("Le devolvemos el dinero.")
    assert setup["csp"] == []


def test_the_shortcut_searches_and_proposes_an_edit(setup: dict[str, Any]) -> None:
    page = setup["page"]
    sign_in(page)
    assist = Assist(page).open(setup["conv"].pk).wait_suggestions()
    assert assist.toolbar_button().is_visible()
    results = assist.shortcut().search("X200")
    titles = results.locator(".kb-title").all_inner_texts()
    assert "Reembolso de una X200 rota" in titles and "Globex X200 refunds" not in titles
    item = results.locator(f"[data-kb-article='{setup['spanish'].pk}']")
    assist.insert_text(item)
    assert assist.wait_body(SPANISH_TEXT) == SPANISH_TEXT
    assert assist.propose(item, "Añadir: fotos de hasta 10 MB.").startswith("Thank you")
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.article_id, proposal.body, proposal.proposed_by_id) == (
        "edit",
        setup["spanish"].pk,
        "Añadir: fotos de hasta 10 MB.",
        setup["agent"].pk,
    )
    # Escape closes the search, the toolbar button opens it again
    assist.close_search()
    assert page.locator("#kb-search").is_hidden()
    assist.toolbar_button().click()
    assert page.locator("#kb-search").is_visible()
    # the ? list names the shortcut
    page.locator("body").press("Escape")
    assert setup["csp"] == []


def test_in_chinese_on_a_phone(setup: dict[str, Any]) -> None:
    page = setup["page"]
    Agent.objects.filter(pk=setup["agent"].pk).update(ui_language="zh-hans")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page)
    assist = Assist(page).open(setup["conv"].pk)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator("#details-toggle").click()
    assist.wait_suggestions()
    assert page.locator("#kb-suggestions-title").inner_text().strip() == "建议"
    item = assist.suggested(setup["spanish"].pk)
    assert item.locator(".kb-insert-text").inner_text().strip() == "插入正文"
    assert item.is_visible()
    width = page.evaluate("() => window.innerWidth")
    box = item.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width + 0.5
    assist.insert_text(item)
    page.keyboard.press("Escape")  # the drawer closes
    assert assist.wait_body(SPANISH_TEXT) == SPANISH_TEXT
    results = assist.shortcut().search("X200")
    assert results.locator(".kb-insert-text").first.inner_text().strip() == "插入正文"
    assert page.evaluate(
        "() => [...document.querySelectorAll('#kb-search, #kb-search *')]"
        ".every(e => e.getBoundingClientRect().right <= window.innerWidth + 0.5)"
    )
    assert setup["csp"] == []
