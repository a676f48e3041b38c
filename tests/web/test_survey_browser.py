"""The customer's survey in a browser: on a phone (one tap, the why in Indonesian, the
next kind on the same page); Arabic right to left under the CSP; with JavaScript blocked;
and the chat widget's card (tap a score, then the why), embedded on another site."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import make_conversation
from tests.surveys.answer_helpers import link, sent_survey
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, asgi_server  # noqa: F401
from tests.web.pages_survey import SurveyCard, SurveyPage
from tests.web.pages_widget import Widget
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, OutboxMessage, OutboxStatus
from wowdesk.core.models import Brand
from wowdesk.surveys.models import SurveyResponse

WHY_ID = "Paketnya datang rusak dan saya harus menunggu dua minggu untuk pengembalian dana."


def test_a_phone_answers_with_one_tap_then_the_why_then_the_next_question(
    page: Any, brand: Brand
) -> None:
    conversation = make_conversation(brand)
    resolved = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    nps = sent_survey(conversation, "nps", language="id", resolved_at=resolved)
    csat = sent_survey(conversation, "csat", language="id", resolved_at=resolved)
    page.set_viewport_size({"width": 375, "height": 740})
    survey = SurveyPage(page).open(link(nps))
    expect(survey.scores).to_have_count(11)
    assert survey.scroll_width() <= 375
    for i in range(11):  # finger-sized targets, all on the screen
        box = survey.scores.nth(i).bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    survey.tap(3)
    expect(survey.thanks).to_have_text("Terima kasih atas jawaban Anda!")
    assert SurveyResponse.objects.get(survey=nps).score == 3
    survey.tell_why(WHY_ID)
    expect(survey.thanks).to_have_text("Terima kasih. Kami membaca setiap jawaban.")
    stored = SurveyResponse.objects.get(survey=nps)
    assert (stored.comment, stored.comment_language) == (WHY_ID, "id")
    expect(survey.next_questions).to_have_count(1)
    survey.tap(2, question=1)
    assert SurveyResponse.objects.get(survey=csat).score == 2
    assert survey.scroll_width() <= 375


def test_arabic_is_right_to_left_under_the_csp(page: Any, brand: Brand, settings: Any) -> None:
    settings.WOWDESK_CSP = True
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    survey_row = sent_survey(make_conversation(brand), "ces", language="ar")
    survey = SurveyPage(page).open(link(survey_row))
    assert survey.lang == "ar" and survey.direction == "rtl"
    first, last = survey.scores.first.bounding_box(), survey.scores.last.bounding_box()
    assert first is not None and last is not None and first["x"] > last["x"]  # 1 on the right
    survey.tap(6)
    expect(survey.thanks).to_have_text("شكرًا على إجابتك!")
    assert SurveyResponse.objects.get(survey=survey_row).score == 6
    assert refused == []


def test_it_works_with_javascript_blocked(live_server: Any, brand: Brand) -> None:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent")
    row = sent_survey(make_conversation(brand), "csat", language="es")
    with tempfile.TemporaryDirectory(prefix="wowdesk-nojs-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            java_script_enabled=False,
            base_url=live_server.url,
        )
        context.set_default_timeout(15_000)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            survey = SurveyPage(page).open(link(row))
            survey.tap(1)
            expect(survey.thanks).to_have_text("¡Gracias por su respuesta!")
            survey.tell_why("Nadie contestó durante tres días.")
            expect(survey.thanks).to_have_text("Gracias. Leemos todas las respuestas.")
        finally:
            context.close()
    stored = SurveyResponse.objects.get(survey=row)
    assert (stored.score, stored.comment) == (1, "Nadie contestó durante tres días.")


@pytest.fixture
def fresh_layer(settings: Any) -> None:
    """A channel layer and a cache of this test's own (the widget's socket)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"survey-{uuid.uuid4().hex}",
        }
    }


def test_the_chat_widget_shows_a_survey_card_that_answers(
    browser_contexts: Callable[[], Any],
    asgi_server: str,  # noqa: F811
    fresh_layer: None,
    brand: Brand,
) -> None:
    from tests.web.pages_tour import serve_html
    from wowdesk.channels import outbox
    from wowdesk.channels.chat import services as chat

    inbox = conversations.create_inbox(brand_id=brand.pk, name="Website", channel="chat")
    token = chat.widget_settings(chat.ensure_widget(inbox)).token
    url, server = serve_html(
        "<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1>"
        f'<script src="{asgi_server}/static/chat/widget.js" data-inbox="{token}" async>'
        "</script></body></html>"
    )
    try:
        page = browser_contexts()
        page.goto(url)
        widget = Widget(page).open()
        widget.send("My parcel never came.")
        conversation = None
        deadline = time.monotonic() + 30
        while conversation is None and time.monotonic() < deadline:
            conversation = Conversation.objects.filter(inbox=inbox).first()
            time.sleep(0.1)
        assert conversation is not None
        csat = sent_survey(conversation, "csat", language="en")
        meta = {
            "survey": {
                "language": "en",
                "surveys": [
                    {
                        "id": csat.pk,
                        "kind": "csat",
                        "url": f"{asgi_server}{link(csat)}",
                        "min": 1,
                        "max": 5,
                        "question": "How satisfied are you with the help you received?",
                        "low": "Very dissatisfied",
                        "high": "Very satisfied",
                    }
                ],
            }
        }
        body = f"How did we do? {asgi_server}{link(csat)}"
        reply = conversations.add_reply(conversation, author=None, body=body, meta=meta)
        row = outbox.deliver(OutboxMessage.objects.get(message=reply).pk)
        assert row.status == OutboxStatus.SENT
        card = SurveyCard(widget)
        expect(card.card).to_contain_text("How satisfied are you")
        expect(card.card.locator(".sc button")).to_have_count(5)
        card.tap(4)
        expect(card.thanks()).to_have_text("Thank you for your answer!")
        expect(card.chosen()).to_have_text("4")
        assert SurveyResponse.objects.get(survey=csat).score == 4
        card.tell_why("Quick and kind, thank you.")
        expect(card.thanks()).to_have_text("Thank you. We read every answer.")
        assert SurveyResponse.objects.get(survey=csat).comment == "Quick and kind, thank you."
        # the card remembers the answer when the page is opened again
        page.reload()
        Widget(page).open()
        expect(card.chosen()).to_have_text("4")
    finally:
        server.shutdown()  # type: ignore[attr-defined]
