"""The answer bot in a browser: a customer asks the chat widget in Spanish at night (nobody
on shift, the inbox's bot answers "when_no_agent") and gets the Spanish article; "necesito
más ayuda" hands the conversation over, and an agent sees it with the bot's summary."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from tests.web.conftest import asgi_server  # noqa: F401
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import bot_services, intents, search
from wowdesk.knowledge.models import Article, ArticleStatus, BotSession

PASSWORD = "correct-horse-battery-staple"
RETURN_ES = "Cómo devolver un artículo"


@pytest.fixture
def fresh_layer(settings: Any) -> None:
    """A channel layer and a cache of this test's own (the widget's socket)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"bot-{uuid.uuid4().hex}",
        }
    }


def run_bot_and_deliver(conversation_id: int) -> list[str]:
    """The worker's part: the bot's queued tasks, then the replies' delivery to the chat.
    Waits (bounded) for the listener's task row: the message is stored by the ingest
    writer's thread."""
    deadline = time.monotonic() + 30
    rows: list[DBTaskResult] = []
    while time.monotonic() < deadline:
        rows = list(DBTaskResult.objects.filter(task_path__endswith="answer_task").order_by("pk"))
        if rows:
            break
        time.sleep(0.1)
    done = []
    for row in rows:
        done.append(bot_services.handle_message(*row.args_kwargs["args"]))
        row.delete()
    from wowdesk.channels import outbox

    for pk in OutboxMessage.objects.filter(
        message__conversation_id=conversation_id, status=OutboxStatus.QUEUED
    ).values_list("pk", flat=True):
        assert outbox.deliver(pk).status == OutboxStatus.SENT
    return done


def test_a_customer_asks_in_spanish_at_night_then_needs_a_person(
    browser_contexts: Callable[[], Any],
    asgi_server: str,  # noqa: F811
    fresh_layer: None,
    brand: Brand,
    make_agent: Callable[..., Agent],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    from tests.web.pages_bot import CustomerChat, HandedOverConversation
    from tests.web.pages_tour import serve_html
    from wowdesk.channels.chat import services as chat

    source = Article.objects.create(
        brand=brand,
        language="en",
        title="How to return an item",
        slug="return-an-item",
        body="Open your orders, choose the item and press Return.",
        status=ArticleStatus.PUBLISHED,
        intent="return_item",
    )
    Article.objects.create(
        brand=brand,
        translation_of=source,
        language="es",
        title=RETURN_ES,
        slug="devolver",
        body="Abra sus pedidos, elija el artículo y pulse Devolver.",
        status=ArticleStatus.PUBLISHED,
        intent="return_item",
        source_version=1,
    )

    def classify(brand_id: int, text: str, language: str | None = None) -> intents.IntentResult:
        if "devolver" in text.lower():
            return intents.IntentResult("return_item", 0.93, False, source.pk)
        return intents.IntentResult(None, 0.2, True, None)

    monkeypatch.setattr(intents, "classify", classify)
    monkeypatch.setattr(search, "search_articles", lambda *a, **k: [])

    # an agent of the brand, not signed in (offline): nobody is on shift
    make_agent(Role.AGENT, email="rosa@example.com", name="Rosa", password=PASSWORD)
    inbox = conversations.create_inbox(
        brand_id=brand.pk,
        name="Website",
        channel="chat",
        is_default=True,
        answer_bot="when_no_agent",
    )
    token = chat.widget_settings(inbox).token
    url, server = serve_html(
        "<!doctype html><html><head><title>Tienda</title></head><body><h1>Tienda</h1>"
        f'<script src="{asgi_server}/static/chat/widget.js" data-inbox="{token}" async>'
        "</script></body></html>"
    )
    try:
        customer = CustomerChat(browser_contexts()).visit(url)
        customer.ask("Hola, ¿cómo puedo devolver un artículo que compré ayer?")
        conversation = None
        deadline = time.monotonic() + 30
        while conversation is None and time.monotonic() < deadline:
            conversation = Conversation.objects.filter(inbox=inbox).first()
            time.sleep(0.1)
        assert conversation is not None
        assert run_bot_and_deliver(conversation.pk) == ["answered"]
        expect(customer.answer_with(RETURN_ES)).to_have_count(1)
        expect(customer.answer_with("necesito más ayuda")).to_have_count(1)  # the offer

        customer.ask("necesito más ayuda")
        assert run_bot_and_deliver(conversation.pk) == ["handed_over"]
        expect(customer.answer_with("Le paso con una persona")).to_have_count(1)
        session = BotSession.objects.get(conversation=conversation)
        assert session.outcome == "handed_over" and session.handover_reason == "more_help"

        agent = HandedOverConversation(browser_contexts()).sign_in("rosa@example.com", PASSWORD)
        agent.open(conversation.pk)
        expect(agent.summary).to_have_count(1)
        expect(agent.summary).to_contain_text("return_item")
        expect(agent.bot_answers).to_have_count(1)
        assert "Answer bot" in agent.authors()
    finally:
        server.shutdown()  # type: ignore[attr-defined]
