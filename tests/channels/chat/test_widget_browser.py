"""The widget in a real browser: /chat-demo served over ASGI (uvicorn in a thread of the
test process, WebSockets included), a visitor's message, an agent's live reply."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from channels.routing import ProtocolTypeRouter, URLRouter
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from playwright.sync_api import expect

from tests.channels.chat.pages import ChatWidget, sign_in
from tests.channels.chat.servers import free_port, uvicorn_thread
from wowdesk.channels import outbox
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Direction, Inbox, Message, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent, Presence
from wowdesk.core.realtime import conversation_group, send_now

pytestmark = pytest.mark.usefixtures("fresh_layer_and_cache")


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    from wowdesk.asgi import HttpHandler
    from wowdesk.web.routing import websocket_urlpatterns

    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(HttpHandler()),
            "websocket": URLRouter(websocket_urlpatterns),
        }
    )
    with uvicorn_thread(app, free_port()) as url:
        yield url


def test_visitor_chats_on_the_demo_page_and_sees_the_live_reply(
    page: Any,
    asgi_server: str,
    chat_inbox: Inbox,
    make_agent: Callable[..., Agent],
) -> None:
    agent = make_agent(name="Li Wei")
    Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
    sign_in(page, asgi_server, agent.user)
    widget = ChatWidget(page).open_demo(asgi_server)
    expect(widget.bubble).to_have_text("Chat with us")
    widget.open()
    expect(widget.notice).to_be_hidden()  # an agent is on shift

    widget.send("My lamp arrived broken")
    mine = widget.messages("in").filter(has_text="My lamp arrived broken")
    expect(mine).to_have_count(1)
    # Acknowledged: stored (the first message also loads the language detector: be patient).
    expect(mine).not_to_have_class("msg in pending", timeout=30_000)
    incoming = Message.objects.get(direction=Direction.IN)
    assert incoming.channel == "chat" and incoming.body == "My lamp arrived broken"

    send_now(
        conversation_group(incoming.conversation_id),
        {
            "type": "typing",
            "conversation_id": incoming.conversation_id,
            "agent_id": agent.pk,
            "agent_name": "Li Wei",
            "is_typing": True,
        },
    )
    expect(widget.typing).to_have_text("Li Wei is typing…")

    reply = conversations.add_reply(
        incoming.conversation, author=agent, body="Sorry! A new one ships today."
    )
    row = outbox.deliver(OutboxMessage.objects.get(message=reply).pk)
    assert row.status == OutboxStatus.SENT
    expect(widget.messages("out").filter(has_text="Sorry! A new one ships today.")).to_be_visible()
    expect(widget.typing).to_be_hidden()

    # A reload keeps the visitor (signed token in localStorage) and shows the history.
    page.reload()
    widget.open()
    expect(widget.messages("in").locator(".text")).to_have_text(["My lamp arrived broken"])
    expect(widget.messages("out")).to_contain_text(["Sorry! A new one ships today."])


def test_widget_speaks_chinese_and_says_when_nobody_is_on_shift(
    page: Any, asgi_server: str, chat_inbox: Inbox, make_agent: Callable[..., Agent]
) -> None:
    off = make_agent(name="Off shift")
    sign_in(page, asgi_server, off.user)
    Agent.objects.filter(pk=off.pk).update(presence=Presence.OFFLINE)  # signing in set online
    page.goto(f"{asgi_server}/chat-demo")
    page.evaluate(
        """() => { for (const s of document.querySelectorAll('script[data-inbox]')) {
             const t = document.createElement('script');
             t.src = s.src; t.dataset.inbox = s.dataset.inbox; t.dataset.lang = 'zh-Hans';
             delete window.__wowdeskChat; document.getElementById('wowdesk-chat').remove();
             document.body.appendChild(t); } }"""
    )
    widget = ChatWidget(page)
    expect(widget.bubble).to_have_text("联系我们")
    widget.open()
    expect(widget.notice).to_contain_text("目前没有客服在班")
    expect(page.locator("#wowdesk-chat form.offline input[type=email]")).to_be_visible()


def test_a_visitors_arabic_message_reads_right_to_left(
    page: Any, asgi_server: str, chat_inbox: Inbox, make_agent: Callable[..., Agent]
) -> None:
    agent = make_agent(name="Li Wei")
    sign_in(page, asgi_server, agent.user)  # /chat-demo is for agents
    Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
    widget = ChatWidget(page).open_demo(asgi_server).open()
    widget.send("مرحبا، طلبي لم يصل بعد")
    widget.send("Order 5512, please")
    expect(widget.messages("in")).to_have_count(2)
    assert widget.direction_of("مرحبا، طلبي لم يصل بعد") == "rtl"
    assert widget.direction_of("Order 5512, please") == "ltr"


@pytest.mark.parametrize("position", ["right", "left"])
def test_on_a_phone_the_open_widget_fills_the_screen_and_send_is_reachable(
    page: Any,
    asgi_server: str,
    chat_inbox: Inbox,
    make_agent: Callable[..., Agent],
    position: str,
) -> None:
    """The bubble floats over the bottom corner; with the panel open on a phone it would
    cover the Send button, so it hides until the panel is closed (× in the head)."""
    from wowdesk.channels.chat import services as chat

    chat.configure_widget(chat_inbox, actor=None, position=position)
    agent = make_agent(name="Li Wei")
    sign_in(page, asgi_server, agent.user)
    Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
    page.set_viewport_size({"width": 390, "height": 844})
    widget = ChatWidget(page).open_demo(asgi_server).open()
    expect(widget.bubble).to_be_hidden()
    panel = page.locator("#wowdesk-chat .panel").bounding_box()
    assert panel is not None and panel["x"] == 0 and panel["width"] == 390
    widget.send("My lamp arrived broken")  # a click on Send: nothing lies over it
    expect(widget.messages("in").filter(has_text="My lamp arrived broken")).to_have_count(1)
    page.locator("#wowdesk-chat .head button[aria-label]").last.click()
    expect(widget.bubble).to_be_visible()


def test_web_addresses_in_a_reply_are_links_and_help_center_paths_open_on_the_desk(
    page: Any, asgi_server: str, chat_inbox: Inbox, make_agent: Callable[..., Agent]
) -> None:
    """The answer bot links its article by path (no public URL configured) and agents paste
    addresses: both are clickable; the customer's own text stays text."""
    agent = make_agent(name="Li Wei")
    sign_in(page, asgi_server, agent.user)
    Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
    widget = ChatWidget(page).open_demo(asgi_server).open()
    widget.send("Where is https://shop.example/track ?")
    mine = widget.messages("in").filter(has_text="shop.example")
    expect(mine).not_to_have_class("msg in pending", timeout=30_000)
    expect(mine.locator("a")).to_have_count(0)
    incoming = Message.objects.get(direction=Direction.IN)
    body = (
        "Read /help/acme/es/articles/2-c%C3%B3mo-cancelo-un-pedido/.\n"
        "Or see https://shop.example/track?id=5, then <script>x</script> javascript:alert(1)"
    )
    reply = conversations.add_reply(incoming.conversation, author=agent, body=body)
    outbox.deliver(OutboxMessage.objects.get(message=reply).pk)
    links = widget.messages("out").locator("a")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_attribute(
        "href", f"{asgi_server}/help/acme/es/articles/2-c%C3%B3mo-cancelo-un-pedido/"
    )
    expect(links.nth(0)).to_have_text("/help/acme/es/articles/2-cómo-cancelo-un-pedido/")
    expect(links.nth(1)).to_have_attribute("href", "https://shop.example/track?id=5")
    expect(links.nth(0)).to_have_attribute("target", "_blank")
    expect(widget.messages("out").locator("script")).to_have_count(0)
    expect(widget.messages("out")).to_contain_text("<script>x</script> javascript:alert(1)")


def test_the_answer_bot_is_named_as_such_not_as_an_agent(
    page: Any, asgi_server: str, chat_inbox: Inbox, make_agent: Callable[..., Agent]
) -> None:
    from wowdesk.channels.chat.services import message_out

    agent = make_agent(name="Li Wei")
    sign_in(page, asgi_server, agent.user)
    Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
    widget = ChatWidget(page).open_demo(asgi_server).open()
    widget.send("How long does delivery take?")
    mine = widget.messages("in").filter(has_text="delivery")
    expect(mine).not_to_have_class("msg in pending", timeout=30_000)
    incoming = Message.objects.get(direction=Direction.IN)
    bot = conversations.add_reply(
        incoming.conversation,
        author=None,
        body="This article may answer your question: Delivery times",
        meta={"bot": {"confidence": 0.91, "article_id": 3, "intent": "delivery"}},
    )
    outbox.deliver(OutboxMessage.objects.get(message=bot).pk)
    person = conversations.add_reply(incoming.conversation, author=agent, body="Li here.")
    outbox.deliver(OutboxMessage.objects.get(message=person).pk)
    plain = conversations.add_reply(incoming.conversation, author=None, body="Auto notice")
    outbox.deliver(OutboxMessage.objects.get(message=plain).pk)
    expect(widget.messages("out").locator(".who")).to_have_text(
        ["Virtual assistant", "Li Wei", "Agent"]
    )
    assert [message_out(m)["bot"] for m in (incoming, bot, person, plain)] == [
        False,
        True,
        False,
        False,
    ]
