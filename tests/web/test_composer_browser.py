"""The reply composer in a real browser: tabs and drafts kept per conversation, "/" macros
and "@" mentions by keyboard, emoji, dropped and pasted files, CC on an email reply; in
Chinese and on a phone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.factories import quick_conversation
from tests.intelligence.translation_servers import FakeLibreTranslate
from tests.web.pages import LoginPage
from tests.web.pages_composer import Composer
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Attachment, Conversation, Direction, Macro, Message
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.intelligence.translate import DatabaseTranslationCache, reset_provider
from wowdesk.intelligence.translation import provider_from_settings
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def agent_page(
    page: Any, brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> tuple[Any, Agent]:
    agent = make_agent(Role.AGENT, email="ana@example.com", name="Ana Agent", password=PASSWORD)
    for b in (brand, other_brand):
        RoutingSettings.objects.update_or_create(brand=b, defaults={"auto_assign": False})
    return page, agent


def sign_in(page: Any) -> None:
    LoginPage(page).open().login("ana@example.com", PASSWORD)


def email_conversation(brand: Brand, **kw: Any) -> Conversation:
    inbox = conversations.create_inbox(
        brand_id=brand.pk, name="Mail", channel="email", address="help@acme.test"
    )
    return quick_conversation(brand, inbox=inbox, **kw)


def test_tabs_and_drafts_stay_with_their_conversation(
    agent_page: tuple[Any, Agent], brand: Brand
) -> None:
    page, _agent = agent_page
    first, second = quick_conversation(brand), quick_conversation(brand)
    sign_in(page)
    composer = Composer(page).open(first.pk)
    assert composer.mode == "reply"
    composer.tab("note").focus().type("Check the order first")
    composer.open(second.pk)
    assert (composer.mode, composer.body) == ("reply", "")
    composer.focus().type("Hello second")
    composer.open(first.pk)
    assert (composer.mode, composer.body) == ("note", "Check the order first")
    composer.open(second.pk)
    assert (composer.mode, composer.body) == ("reply", "Hello second")
    # the keyboard moves between the tabs (a radio group: arrow keys)
    page.locator("#mode-reply").focus()
    page.keyboard.press("ArrowRight")
    assert composer.mode == "note"
    # a sent message clears its draft; the tab stays
    composer.send()
    assert ("note", "Hello second") in [
        (m.direction, m.body) for m in Message.objects.filter(conversation=second)
    ]
    composer.open(second.pk)
    assert (composer.mode, composer.body) == ("note", "")


def test_slash_macros_by_keyboard_only(agent_page: tuple[Any, Agent], brand: Brand) -> None:
    page, _agent = agent_page
    conversation = quick_conversation(brand, name="Zoe Quark")
    Macro.objects.create(
        brand=brand, name="Refund done", body="Hi {{ customer.first_name }}, refunded."
    )
    Macro.objects.create(brand=brand, name="Refund policy", language="fr", body="Remboursement")
    Macro.objects.create(brand=brand, name="Shipping delay", body="It ships Monday.")
    sign_in(page)
    composer = Composer(page).open(conversation.pk).focus()
    composer.type("/")
    assert len(composer.wait_popup()) == 3
    composer.type("ref")
    assert composer.popup() == ["Refund done", "Refund policy (fr)"]
    composer.press("ArrowDown")
    assert composer.active_suggestion() == "Refund policy (fr)"
    composer.press("ArrowDown")  # wraps around
    assert composer.active_suggestion() == "Refund done"
    composer.press("Enter")
    assert composer.wait_body("v.includes('refunded')") == "Hi Zoe, refunded."
    composer.type(" Also /fr")  # by language
    assert composer.wait_popup() == ["Refund policy (fr)"]
    composer.press("Escape")
    assert composer.popup() == []
    composer.type("x")
    assert composer.popup() == ["No macro matches."]
    composer.press("Backspace").press("Backspace").press("Backspace").press("Backspace")
    composer.type("/ship")
    composer.wait_popup()
    composer.press("Enter")
    assert composer.wait_body("v.endsWith('It ships Monday.')") == (
        "Hi Zoe, refunded. Also It ships Monday."
    )
    # a slash inside a word (a link, a date) opens nothing
    composer.type(" 12/05 http://x.example/a")
    assert composer.popup() == []


def test_mention_a_colleague_in_a_note(
    agent_page: tuple[Any, Agent],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
) -> None:
    page, _agent = agent_page
    make_agent(Role.SUPERVISOR, name="Zoë Wong")
    make_agent(Role.AGENT, name="Zack Miller")
    make_agent(Role.AGENT, name="Zed Elsewhere", brands=[other_brand])
    conversation = quick_conversation(brand)
    sign_in(page)
    composer = Composer(page).open(conversation.pk)
    composer.focus().type("@z")
    assert composer.popup() == []  # a reply to the customer mentions nobody
    page.locator("#composer-body").fill("")
    composer.tab("note").focus().type("Ask @z")
    assert composer.wait_popup() == ["ZM Zack Miller", "ZW Zoë Wong"]  # avatar initials first
    composer.type("o")
    page.wait_for_function("() => document.querySelectorAll('#composer-popup li').length === 1")
    composer.press("Enter")
    assert composer.body == "Ask @Zoë Wong "
    composer.type("about it")
    composer.send()
    note = Message.objects.get(conversation=conversation, direction=Direction.NOTE)
    assert note.body == "Ask @Zoë Wong about it"


def test_emoji_inserted_at_the_caret(agent_page: tuple[Any, Agent], brand: Brand) -> None:
    page, _agent = agent_page
    conversation = quick_conversation(brand)
    sign_in(page)
    composer = Composer(page).open(conversation.pk).focus().type("Thanks !")
    found = composer.emoji("thumbs up")
    assert found == ["👍"]
    composer.caret(7).pick_emoji()
    assert composer.body == "Thanks 👍!"
    assert len(composer.emoji("heart")) >= 5
    assert composer.emoji("face")[0] == "😀"
    page.locator("#emoji-search").fill("zzzz-nothing")
    assert page.locator("#emoji-grid button.emoji").count() == 0


def test_dropped_and_pasted_files_are_sent_as_chips(
    agent_page: tuple[Any, Agent], brand: Brand
) -> None:
    page, _agent = agent_page
    conversation = quick_conversation(brand)
    sign_in(page)
    composer = Composer(page).open(conversation.pk)
    composer.drop_file("invoice.txt", "total: 42").drop_file("wrong.txt", "x")
    assert composer.chips() == ["invoice.txt 9 B ×", "wrong.txt 1 B ×"]
    composer.remove_chip(1)
    composer.paste_image(2048)
    chips = composer.chips()
    assert chips[0] == "invoice.txt 9 B ×"
    assert chips[1].startswith("pasted image-") and chips[1].endswith(".png 2.0 KB ×")
    composer.focus().type("Your invoice and a screenshot")
    composer.send()
    sent = Message.objects.get(conversation=conversation, direction=Direction.OUT)
    files = {a.filename: a for a in Attachment.objects.filter(message=sent)}
    assert len(files) == 2
    assert files["invoice.txt"].file.open("rb").read() == b"total: 42"
    png = next(a for name, a in files.items() if name.endswith(".png"))
    assert png.size == 2048 and png.content_type == "image/png"
    assert composer.chips() == []


def test_a_refused_file_is_said_next_to_the_composer(
    agent_page: tuple[Any, Agent], brand: Brand
) -> None:
    page, _agent = agent_page
    conversation = quick_conversation(brand)
    sign_in(page)
    composer = Composer(page).open(conversation.pk)
    page.evaluate("document.getElementById('composer').dataset.maxBytes = '10'")
    composer.drop_file("big.txt", "more than ten bytes")
    assert "big.txt" in page.locator("#composer-error").inner_text()
    assert composer.chips() == []


def test_cc_on_an_email_reply(agent_page: tuple[Any, Agent], brand: Brand) -> None:
    page, _agent = agent_page
    mail = email_conversation(brand)
    chat = quick_conversation(brand, channel="chat")
    sign_in(page)
    composer = Composer(page).open(chat.pk)
    assert not composer.has_copies()
    composer.open(mail.pk)
    assert composer.copies_visible()
    composer.tab("note")
    assert not composer.copies_visible()  # a note goes to nobody
    composer.tab("reply").focus().type("Copying the courier.")
    reason = composer.copies(cc="courier@ship", bcc="").send_refused()
    assert reason.startswith("Cc: ") and "courier@ship" in reason
    assert composer.body == "Copying the courier."  # nothing typed is lost
    assert not Message.objects.filter(conversation=mail, direction=Direction.OUT).exists()
    composer.copies(cc="courier@ship.example, Team@Acme.test", bcc="boss@acme.test").send()
    sent = Message.objects.get(conversation=mail, direction=Direction.OUT)
    assert sent.meta["cc"] == ["courier@ship.example", "team@acme.test"]
    assert sent.meta["bcc"] == ["boss@acme.test"]


def test_forward_and_the_composer_in_chinese(agent_page: tuple[Any, Agent], brand: Brand) -> None:
    page, agent = agent_page
    Agent.objects.filter(pk=agent.pk).update(ui_language="zh-hans")
    conversation = email_conversation(brand)
    Macro.objects.create(brand=brand, name="退款", body="已退款。")
    sign_in(page)
    composer = Composer(page).open(conversation.pk)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert composer.tab_labels() == ["回复客户", "内部备注"]
    assert page.locator("#composer-copies summary").inner_text().strip() == "抄送/密送"
    page.locator("#composer-copies summary").click()
    assert page.locator("label[for=composer-cc]").inner_text().strip() == "抄送"
    composer.focus().type("/")
    assert composer.wait_popup() == ["退款"]
    composer.press("Enter")
    assert composer.wait_body("v === '已退款。'") == "已退款。"
    composer.type("@")
    assert composer.popup() == []
    composer.press("Backspace")
    page.locator("#emoji-toggle").click()
    assert page.locator("#emoji-search").get_attribute("placeholder") == "搜索表情符号"
    page.locator("#composer-forward summary").click()
    page.locator("#forward-to").fill("parts@supplier.example")
    page.locator("#forward-note").fill("请查看")
    with page.expect_navigation():
        page.locator("#forward-send").click()
    assert "已转发给 parts@supplier.example" in composer.flash()
    thread = page.locator("#thread").inner_text()
    assert f"已由 {agent.display_name} 转发给 parts@supplier.example" in thread


def test_the_composer_on_a_phone(agent_page: tuple[Any, Agent], brand: Brand) -> None:
    page, _agent = agent_page
    page.set_viewport_size({"width": 390, "height": 844})
    conversation = email_conversation(brand)
    Macro.objects.create(brand=brand, name="Thanks", body="Thank you!")
    sign_in(page)
    composer = Composer(page).open(conversation.pk)

    def fits() -> bool:
        """The composer and everything in it within the phone's width."""
        return bool(
            page.evaluate(
                "() => [...document.querySelectorAll('#composer, #composer *')]"
                ".every(e => e.getBoundingClientRect().right <= window.innerWidth + 0.5)"
            )
        )

    assert fits()
    composer.focus().type("/th")
    composer.wait_popup()
    composer.press("Enter")
    composer.wait_body("v === 'Thank you!'")
    composer.emoji("popper")
    composer.pick_emoji()
    composer.drop_file("photo-of-the-broken-lamp-shade-from-the-customer.jpg", "jpeg", "image/jpeg")
    assert len(composer.chips()) == 1
    assert fits()
    assert page.locator("#send").is_visible()
    composer.copies(cc="a@b.example").send()
    sent = Message.objects.get(conversation=conversation, direction=Direction.OUT)
    assert sent.body == "Thank you!🎉" and sent.meta["cc"] == ["a@b.example"]
    assert Attachment.objects.filter(message=sent).count() == 1


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate() as server:
        reset_provider(
            provider_from_settings(
                "libretranslate", server.url, timeout=5, cache=DatabaseTranslationCache()
            )
        )
        yield server
    reset_provider(None)


def test_preview_the_translation_then_send_it_or_the_original(
    agent_page: tuple[Any, Agent], brand: Brand, libre: FakeLibreTranslate, settings: Any
) -> None:
    page, _agent = agent_page
    settings.WOWDESK_CSP = True
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    conversation = quick_conversation(brand)
    Conversation.objects.filter(pk=conversation.pk).update(language="zh")
    sign_in(page)
    composer = Composer(page).open(conversation.pk)
    preview = page.locator("#preview-translation")
    assert preview.inner_text().strip() == "Preview in Simplified Chinese"
    composer.focus().type("Your order arrives tomorrow.")
    preview.click()
    page.wait_for_selector("#composer-translation:not([hidden])")
    assert page.locator("#composer-translation-text").inner_text() == "您的订单明天送达。"
    assert page.locator("#send-translation").is_checked()
    composer.send()
    sent = Message.objects.filter(conversation=conversation, direction=Direction.OUT).latest("id")
    assert (sent.body, sent.meta["original_body"]) == (
        "您的订单明天送达。",
        "Your order arrives tomorrow.",
    )
    # the original, on the agent's choice
    composer.focus().type("Your order arrives tomorrow.")
    preview.click()
    page.wait_for_selector("#composer-translation:not([hidden])")
    page.locator("#send-original").check()
    composer.send()
    sent = Message.objects.filter(conversation=conversation, direction=Direction.OUT).latest("id")
    assert sent.body == "Your order arrives tomorrow." and "original_body" not in sent.meta
    # a changed draft hides the stale preview: what is sent is never a translation unseen
    composer.focus().type("Your order arrives tomorrow.")
    preview.click()
    page.wait_for_selector("#composer-translation:not([hidden])")
    composer.type(" Sorry!")
    assert page.locator("#composer-translation").is_hidden()
    composer.send()
    sent = Message.objects.filter(conversation=conversation, direction=Direction.OUT).latest("id")
    assert sent.body == "Your order arrives tomorrow. Sorry!"
    assert refused == []


def test_a_draft_survives_an_expired_session(agent_page: tuple[Any, Agent], brand: Brand) -> None:
    page, _agent = agent_page
    conversation = quick_conversation(brand)
    sign_in(page)
    composer = Composer(page).open(conversation.pk).focus().type("Half a thought")
    # signed out meanwhile (the session cookie gone): the send lands on the login page
    kept = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(kept)
    with page.expect_navigation():
        page.locator("#send").click()
    assert "/login/" in page.url
    assert not Message.objects.filter(conversation=conversation, direction=Direction.OUT).exists()
    sign_in(page)
    assert composer.open(conversation.pk).body == "Half a thought"
