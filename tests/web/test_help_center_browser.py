"""The public help center in a browser, without JavaScript needed: a customer browses in
Spanish, searches, reads, votes, contacts us; a phone; Arabic right to left; the chat
widget's article suggestions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.knowledge.helpdata import Shop
from tests.web.pages_help import HelpCenter
from tests.web.pages_widget import Widget
from wowdesk.channels.chat import services as chat
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.models import Agent, Brand


@pytest.fixture
def shop(brand: Brand, other_brand: Brand) -> Shop:
    return Shop(brand, other_brand)


@pytest.fixture
def csp(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The Content-Security-Policy in force; the console's complaints, collected."""
    monkeypatch.setattr(settings, "WOWDESK_CSP", True, raising=False)
    yield []


def test_a_customer_browses_in_spanish_searches_reads_votes_and_writes(
    page: Any, live_server: Any, shop: Shop, csp: list[str]
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    hc = HelpCenter(page).open("/help/acme/")
    assert page.url.endswith("/help/acme/en/")  # the browser asks for English (en-US)
    hc.pick_language("es")
    assert page.url.endswith("/help/acme/es/")
    assert hc.lang == "es" and hc.dir == "ltr"
    expect(page.locator("nav.hc-langs a[aria-current]")).to_have_attribute("hreflang", "es")

    hc.category("Pedidos")
    expect(hc.heading).to_have_text("Pedidos")
    expect(page.locator("#s-returns h2")).to_have_text("Devoluciones")

    hc.search("paquete")
    expect(hc.results.first).to_be_visible()
    expect(hc.results.filter(has_text="Parcel override codes")).to_have_count(0)
    hc.read("Rastrea tu paquete")
    expect(hc.heading).to_have_text("Rastrea tu paquete")
    expect(hc.article_body).to_contain_text("enlace de seguimiento")

    expect(page.locator("#feedback legend")).to_have_text("¿Le ha servido?")
    hc.vote("Sí", comment="Muy útil")
    expect(hc.feedback_status).to_be_visible()
    shop.track_es.refresh_from_db()
    assert (shop.track_es.helpful_yes, shop.track_es.view_count) == (1, 1)

    hc.contact()
    assert "/help/acme/contact/?lang=es" in page.url
    expect(hc.heading).to_have_text("Contáctenos")
    hc.send_message(
        "Lucía",
        "lucia@example.com",
        "Mi paquete no llega.",
        labels=("Su nombre", "Su correo electrónico", "Mensaje"),
    )
    expect(hc.status).to_be_visible()
    conv = Conversation.objects.get(brand=shop.brand)
    message = Message.objects.get(conversation=conv, direction=Direction.IN)
    assert message.meta["help_center"]["searches"] == ["paquete"]
    assert [a["title"] for a in message.meta["help_center"]["articles"]] == ["Rastrea tu paquete"]
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_pages_work_with_javascript_off(browser_without_js: Any, shop: Shop) -> None:
    page = browser_without_js
    hc = HelpCenter(page).open("/help/acme/en/")
    assert page.locator("script").count() == 0
    hc.search("parcel")
    hc.read("Track your parcel")
    hc.vote("No")
    expect(hc.feedback_status).to_be_visible()
    shop.track.refresh_from_db()
    assert shop.track.helpful_no == 1
    hc.contact()
    page.locator("main form").evaluate("f => { f.noValidate = true; }")  # the server checks
    hc.send_message("", "bad-address", "Hello")
    expect(hc.alert).to_contain_text("not valid")
    hc.send_message("Sam", "sam@example.com", "Hello")
    expect(hc.status).to_be_visible()


@pytest.fixture
def browser_without_js(page: Any, live_server: Any) -> Any:
    """The help center's pages carry no script; any script requested fails to load."""
    page.route("**/*.js", lambda route: route.abort())
    return page


def test_a_phone_gets_one_column_without_sideways_scrolling(page: Any, shop: Shop) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    hc = HelpCenter(page).open("/help/acme/en/")
    assert hc.scroll_width() <= 375
    hc.read("Refund a parcel")
    assert hc.scroll_width() <= 375
    yes = page.locator("#feedback button", has_text="Yes")
    assert yes.bounding_box()["height"] >= 44  # a finger-sized target


def test_arabic_pages_are_right_to_left(page: Any, shop: Shop) -> None:
    hc = HelpCenter(page).open("/help/acme/en/").pick_language("ar")
    assert hc.lang == "ar" and hc.dir == "rtl"
    hc.read("تتبع طردك")
    assert hc.lang == "ar" and hc.dir == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


def test_skip_link_is_the_first_focus_and_lands_on_main(page: Any, shop: Shop) -> None:
    HelpCenter(page).open("/help/acme/en/")
    page.keyboard.press("Tab")
    expect(page.locator(".hc-skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()


def test_the_widget_suggests_articles_before_the_first_message(
    page: Any,
    asgi_server: str,
    shop: Shop,
    make_agent: Callable[..., Agent],
) -> None:
    from tests.channels.chat.pages import sign_in

    inbox = chat.ensure_widget(
        conversations.create_inbox(brand_id=shop.brand.pk, name="Website chat", channel="chat")
    )
    chat.configure_widget(inbox, actor=None, language="es")
    sign_in(page, asgi_server, make_agent().user)
    page.goto(f"{asgi_server}/chat-demo")
    widget = Widget(page).open()
    widget.at(".compose textarea").press_sequentially("paquete", delay=20)
    links = widget.at("nav.sug a")
    expect(links.first).to_be_visible()
    expect(widget.at("nav.sug b")).to_have_text("Artículos que pueden ayudarte")
    expect(links.first).to_have_attribute("target", "_blank")
    expect(links.first).to_have_attribute("href", re.compile(r"/help/acme/[a-z-]+/articles/\d+-"))
    titles = links.all_inner_texts()
    assert not {t for t in titles} & {r.title for r in shop.hidden}
    # once the visitor has written, the suggestions go
    widget.send("Mi paquete no llega")
    expect(widget.at("nav.sug")).to_be_hidden()
