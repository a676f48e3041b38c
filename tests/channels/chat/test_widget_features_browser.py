"""The widget in a real browser (uvicorn with WebSockets): greeting, a message and an
image from the visitor, an agent's file reply with the unread badge, read marks; Arabic
right to left; a phone. And the settings page's live preview (en, zh-hans, under the CSP)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.channels.chat.pages import sign_in
from tests.web.conftest import asgi_server  # noqa: F401
from tests.web.pages_widget import Widget, WidgetSettingsPage
from wowdesk.channels import outbox
from wowdesk.channels.chat import services as chat
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Inbox,
    Message,
    OutboxMessage,
    OutboxStatus,
)
from wowdesk.core.models import Agent, Presence, Role

pytestmark = pytest.mark.usefixtures("fresh_layer_and_cache")

# A 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a2dd4d2b0000000049454e44ae426082"
)


def _online_agent(make_agent: Callable[..., Agent], **kw: Any) -> Agent:
    agent = make_agent(name="Li Wei", **kw)
    Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
    return agent


def test_visitor_greeting_message_image_file_reply_badge_and_read_marks(
    page: Any,
    asgi_server: str,  # noqa: F811
    chat_inbox: Inbox,
    make_agent: Callable[..., Agent],
    tmp_path: Path,
) -> None:
    chat.configure_widget(
        chat_inbox, actor=None, greetings={"en": "Hello from Acme! Ask us anything."}
    )
    agent = _online_agent(make_agent)
    sign_in(page, asgi_server, agent.user)
    page.goto(f"{asgi_server}/chat-demo")
    widget = Widget(page).open()
    expect(widget.greeting).to_have_text("Hello from Acme! Ask us anything.")

    widget.send("Where is my order?")
    mine = widget.mine("Where is my order?")
    expect(mine).not_to_have_class(re.compile(r"\bpending\b"), timeout=30_000)
    photo = tmp_path / "lamp.png"
    photo.write_bytes(PNG)
    widget.send_file(photo)
    expect(widget.images).to_have_count(1)
    expect(widget.images.first).to_have_attribute("alt", "lamp.png")
    stored = Attachment.objects.get(message__direction=Direction.IN)
    assert (stored.filename, stored.content_type) == ("lamp.png", "image/png")
    first = Message.objects.filter(direction=Direction.IN).order_by("id").first()
    assert first is not None and first.meta["chat"]["page"]["url"].endswith("/chat-demo")

    # the agent answers with a file while the visitor has the panel closed
    widget.close()
    conversation = Conversation.objects.get(pk=first.conversation_id)
    reply = conversations.add_reply(conversation, author=agent, body="Your label is attached.")
    conversations.add_attachment(
        reply, filename="label.pdf", content=b"%PDF-1.4\n", content_type="application/pdf"
    )
    row = outbox.deliver(OutboxMessage.objects.get(message=reply).pk)
    assert row.status == OutboxStatus.SENT
    expect(widget.badge).to_have_text("1")
    widget.open()
    expect(widget.badge).to_be_hidden()
    answer = widget.replies().filter(has_text="Your label is attached.")
    expect(answer.locator("a", has_text="label.pdf")).to_be_visible()

    # the visitor's messages are read once an agent opens the conversation
    expect(mine).not_to_have_class(re.compile(r"\bread\b"))
    from django.test import Client

    client = Client()
    client.force_login(agent.user)
    assert client.get(f"/inbox/c/{conversation.pk}/").status_code == 200
    expect(mine).to_have_class(re.compile(r"\bread\b"))
    expect(mine.locator(".mark")).to_have_text("✓✓")


def test_arabic_widget_is_right_to_left_and_fills_a_phone(
    page: Any,
    asgi_server: str,  # noqa: F811
    chat_inbox: Inbox,
    make_agent: Callable[..., Agent],
) -> None:
    chat.configure_widget(
        chat_inbox, actor=None, language="ar", greetings={"ar": "مرحبًا! كيف نساعدك؟"}
    )
    agent = _online_agent(make_agent)
    sign_in(page, asgi_server, agent.user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{asgi_server}/chat-demo")
    widget = Widget(page)
    expect(widget.bubble).to_have_text("تحدث معنا")
    widget.open()
    assert widget.direction() == "rtl"
    expect(widget.greeting).to_have_text("مرحبًا! كيف نساعدك؟")
    box = widget.panel.bounding_box()
    assert box is not None and box["width"] == 390 and box["x"] == 0  # the whole screen
    widget.send("طلبي رقم 5512")
    expect(widget.mine("طلبي رقم 5512")).not_to_have_class(
        re.compile(r"\bpending\b"), timeout=30_000
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_admin_changes_the_colour_and_the_preview_follows(
    page: Any,
    live_server: Any,
    settings: Any,
    chat_inbox: Inbox,
    make_agent: Callable[..., Agent],
    language: str,
) -> None:
    settings.WOWDESK_CSP = True
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    admin = make_agent(Role.ADMIN)
    sign_in(page, live_server.url, admin.user)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    screen = WidgetSettingsPage(page).open(chat_inbox.pk)
    heading = {"en": "Website chat widget", "zh-hans": "网站聊天窗口"}[language]
    expect(page.locator("h1")).to_contain_text(heading)
    expect(screen.preview.bubble).to_have_text(
        {"en": "Chat with us", "zh-hans": "联系我们"}[language]
    )
    assert screen.preview_colour() == "rgb(79, 70, 229)"
    expect(page.locator("#embed-snippet")).to_contain_text(chat.widget_settings(chat_inbox).token)

    screen.colour.fill("#b91c1c")
    expect(screen.preview.bubble).to_have_css("background-color", "rgb(185, 28, 28)")
    expect(screen.contrast).not_to_have_class(re.compile("low"))
    page.locator("input[name='greetings.en']").fill("Hi, preview!")
    page.locator("#widget-form select[name=language]").select_option("en")
    expect(screen.preview.greeting).to_have_text("Hi, preview!")
    assert chat.widget_settings(Inbox.objects.get(pk=chat_inbox.pk)).colour == "#4f46e5"

    screen.colour.fill("#fde047")  # white on yellow: unreadable
    expect(screen.contrast).to_have_class(re.compile("low"))
    screen.save()
    expect(page.locator("[data-field=colour]")).to_be_visible()
    assert chat.widget_settings(Inbox.objects.get(pk=chat_inbox.pk)).colour == "#4f46e5"

    screen.colour.fill("#b91c1c")
    screen.save()
    page.wait_for_url(re.compile(r"/widget/$"))
    assert chat.widget_settings(Inbox.objects.get(pk=chat_inbox.pk)).colour == "#b91c1c"
    assert refused == []


def test_settings_page_on_a_phone_stacks_the_preview_below_the_form(
    page: Any, live_server: Any, chat_inbox: Inbox, make_agent: Callable[..., Agent]
) -> None:
    sign_in(page, live_server.url, make_agent(Role.ADMIN).user)
    page.set_viewport_size({"width": 390, "height": 844})
    screen = WidgetSettingsPage(page).open(chat_inbox.pk)
    expect(screen.preview.bubble).to_be_visible()
    form = page.locator("#widget-form").bounding_box()
    preview = page.locator("#widget-preview").bounding_box()
    assert form is not None and preview is not None
    assert preview["y"] >= form["y"] + form["height"]
    assert preview["x"] + preview["width"] <= 390


def test_away_message_when_nobody_is_on_shift_and_the_answer_time_when_someone_is(
    page: Any,
    asgi_server: str,  # noqa: F811
    chat_inbox: Inbox,
    make_agent: Callable[..., Agent],
) -> None:
    import datetime as dt

    from django.utils import timezone

    from tests.factories import quick_conversation

    chat.configure_widget(chat_inbox, actor=None, away={"en": "We are back at 9:00 (CET)."})
    agent = make_agent(name="Li Wei")
    sign_in(page, asgi_server, agent.user)
    Agent.objects.filter(pk=agent.pk).update(presence=Presence.OFFLINE)
    page.goto(f"{asgi_server}/chat-demo")
    widget = Widget(page).open()
    expect(widget.at(".notice")).to_have_text("We are back at 9:00 (CET).")
    expect(widget.at(".eta")).to_be_hidden()

    answered = quick_conversation(chat_inbox.brand, inbox=chat_inbox, channel="chat")
    now = timezone.now()
    Conversation.objects.filter(pk=answered.pk).update(
        created_at=now - dt.timedelta(hours=2),
        first_response_at=now - dt.timedelta(hours=2) + dt.timedelta(minutes=6),
        status="resolved",
    )
    Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
    from django.core.cache import cache

    cache.clear()  # the estimate is kept a minute
    page.reload()
    widget.open()
    expect(widget.at(".notice")).to_be_hidden()
    expect(widget.at(".eta")).to_have_text("We usually answer in about 6 min.")


def test_prechat_form_asks_only_the_fields_the_inbox_wants(
    page: Any,
    asgi_server: str,  # noqa: F811
    chat_inbox: Inbox,
    make_agent: Callable[..., Agent],
) -> None:
    chat.configure_widget(chat_inbox, actor=None, prechat_name="required", prechat_email="off")
    agent = _online_agent(make_agent)
    sign_in(page, asgi_server, agent.user)
    page.goto(f"{asgi_server}/chat-demo")
    widget = Widget(page).open()
    name, email = widget.at(".prechat input[type=text]"), widget.at(".prechat input[type=email]")
    expect(name).to_be_visible()
    expect(email).to_be_hidden()
    assert name.evaluate("e => e.required") is True
    expect(widget.at(".compose")).to_be_hidden()
    widget.at(".prechat button.go").click()  # empty: the browser keeps the form
    expect(widget.at(".compose")).to_be_hidden()
    name.fill("Mei")
    widget.at(".prechat button.go").click()
    expect(widget.at(".compose")).to_be_visible()
    widget.send("Hello, it is Mei")
    expect(widget.mine("Hello, it is Mei")).not_to_have_class(
        re.compile(r"\bpending\b"), timeout=30_000
    )
    message = Message.objects.get(direction=Direction.IN)
    assert message.conversation.customer.name == "Mei"
