"""A world-wide team: the customer's local time is the customer's, right-to-left text keeps its
direction, and "Translate" is offered only for a message in another language."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Message
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.intelligence import translate as translate_module
from wowdesk.intelligence.translation import Translation
from wowdesk.web import present, views

NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)


# --- the customer's local time ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Asia/Kolkata", "17:30"),  # +05:30
        ("Asia/Kathmandu", "17:45"),  # +05:45
        ("America/St_Johns", "09:30"),  # -02:30 in summer
        ("Australia/Adelaide", "21:30"),  # +09:30 in winter
        ("Pacific/Chatham", "00:45"),  # +12:45, already the next day
        ("America/Los_Angeles", "05:00"),
        ("Asia/Tokyo", "21:00"),
    ],
)
def test_local_time_is_the_customers_whatever_the_agents_and_servers_zone(
    zone: str,
    shown: str,
    brand: Brand,
    make_agent: Callable[..., Agent],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.TIME_ZONE = "Europe/Berlin"  # the server's zone, neither of the two
    agent = make_agent(Role.AGENT)
    agent.timezone = "America/New_York"
    agent.save()
    conversation = quick_conversation(brand)
    customer = conversation.customer
    customer.timezone = zone
    customer.save()
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    client = Client()
    client.force_login(agent.user)
    html = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert f'<span class="local-time">{shown} local time</span>' in html


def test_local_time_of_an_unknown_or_empty_zone_is_not_shown() -> None:
    assert views._local_now("Asia/Kolkata", NOW) == "17:30"
    for zone in ["", "Mars/Olympus", "../etc/passwd", "UTC+5:30"]:
        assert views._local_now(zone, NOW) == ""


# --- right-to-left text ---------------------------------------------------------------------------

ARABIC_NAME = "سارة الحسيني"
HEBREW_SUBJECT = "המנורה הגיעה שבורה"
ARABIC_BODY = "وصل المصباح مكسورا، أريد استبداله"


@pytest.fixture
def rtl(brand: Brand, make_agent: Callable[..., Agent]) -> tuple[Client, int, Agent]:
    agent = make_agent(Role.AGENT, name="דוד כהן")
    conversation = quick_conversation(
        brand, subject=HEBREW_SUBJECT, body=ARABIC_BODY, name=ARABIC_NAME
    )
    conversations.update_conversation(conversation, actor=agent, assignee_id=agent.pk)
    conversations.add_reply(conversation, author=agent, body="שלום, אנחנו בודקים", private=True)
    client = Client()
    client.force_login(agent.user)
    return client, conversation.pk, agent


def test_thread_lays_out_every_written_text_by_its_own_direction(
    rtl: tuple[Client, int, Agent],
) -> None:
    client, pk, _agent = rtl
    html = client.get(f"/inbox/c/{pk}/").content.decode()
    bodies = re.findall(r'<div class="body"([^>]*)>', html)
    assert len(bodies) == 2  # the customer's message and the note
    assert all('dir="auto"' in attrs for attrs in bodies)
    assert f'<bdi class="who">{ARABIC_NAME}</bdi>' in html
    assert '<bdi class="who">דוד כהן</bdi>' in html
    assert f'<bdi dir="auto">{HEBREW_SUBJECT}</bdi></h1>' in html
    assert "Assigned to <bdi>דוד כהן</bdi>" in html  # the summary line
    assert f'<h2 id="customer-title"><bdi>{ARABIC_NAME}</bdi>' in html
    # the activity line: its author isolated, its text in its own direction
    assert re.search(
        r'<p class="activity"><bdi class="who">דוד כהן</bdi> · <span class="text" '
        r'dir="auto">',
        html,
    )
    assert 'id="composer-body" name="body" rows="5" dir="auto"' in html


def test_inbox_row_isolates_names_and_subjects(rtl: tuple[Client, int, Agent]) -> None:
    client, _pk, _agent = rtl
    html = client.get("/inbox/?view=all").content.decode()
    assert f'<span class="subject" dir="auto">{HEBREW_SUBJECT}</span>' in html
    assert f'<bdi class="customer">{ARABIC_NAME}</bdi>' in html
    assert "<bdi>דוד כהן</bdi>" in html


def test_email_reply_html_is_laid_out_by_its_own_direction(brand: Brand) -> None:
    from wowdesk.channels.email.outbound import build_message, html_body

    conversation = quick_conversation(brand, channel="email", email="sara@example.com")
    agent = Agent.objects.filter(brands=brand).first()
    reply = conversations.add_reply(conversation, author=agent, body="مرحبا\n\nسنرسل بديلا")
    mail, _from, _to = build_message(Message.objects.get(pk=reply.pk))
    part = mail.get_body(("html",))
    assert part is not None
    assert part.get_content().strip() == html_body(reply.html)
    assert part.get_content().startswith('<div dir="auto"><p>مرحبا</p>')


# --- "Translate" only for another language ---------------------------------------------------


@pytest.mark.parametrize(
    ("message_language", "reader", "offered"),
    [
        ("zh", "zh-hans", False),
        ("zh-CN", "zh-hans", False),
        ("zh_Hans", "zh-hans", False),
        ("zh-TW", "zh-hans", True),  # Traditional script
        ("zh-Hant", "zh-hans", True),
        ("en-GB", "en", False),
        ("EN_us", "en", False),
        ("pt-BR", "pt", False),
        ("pt", "pt-PT", False),
        ("ar", "en", True),
        ("en", "ar", True),
        ("de", "zh-hans", True),
        ("", "en", True),  # not known: the agent may need it
        ("und", "zh-hans", True),
    ],
)
def test_translate_is_offered_only_for_another_language(
    message_language: str, reader: str, offered: bool
) -> None:
    assert present.offer_translation(message_language, reader) is offered


@pytest.mark.parametrize(
    ("ui", "message_language", "offered"),
    [
        ("zh-hans", "zh", False),
        ("zh-hans", "zh-TW", True),
        ("zh-hans", "en", True),
        ("en", "en-GB", False),
        ("en", "ar", True),
        ("en", "zh", True),
    ],
)
def test_thread_shows_translate_only_for_another_language(
    ui: str,
    message_language: str,
    offered: bool,
    brand: Brand,
    make_agent: Callable[..., Agent],
) -> None:
    agent = make_agent(Role.AGENT)
    conversation = quick_conversation(brand, body="你好，我的订单")
    Message.objects.filter(conversation=conversation).update(language=message_language)
    client = Client()
    client.force_login(agent.user)
    client.post("/settings/language/", {"language": ui, "next": "/inbox/"})
    html = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert (html.count('class="link translate"') == 1) is offered


def test_translating_a_message_in_the_readers_language_says_so(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    calls: list[tuple[str, str, str | None]] = []

    class Recording:
        def translate(self, text: str, target: str, source: str | None = None) -> Translation:
            calls.append((text, target, source))
            return Translation(
                text="[translated]",
                source_language=source,
                target_language=target,
                provider="test",
                available=True,
            )

    translate_module.reset_provider(Recording())  # type: ignore[arg-type]
    try:
        agent = make_agent(Role.AGENT)
        conversation = quick_conversation(brand, body="你好")
        message = Message.objects.get(conversation=conversation)
        Message.objects.filter(pk=message.pk).update(language="zh")
        client = Client()
        client.force_login(agent.user)
        url = f"/inbox/c/{conversation.pk}/messages/{message.pk}/translation/"
        same = client.get(url, {"to": "zh-hans"}).content.decode()
        assert "This message is already in your language." in same
        assert calls == []
        other = client.get(url, {"to": "en"}).content.decode()
        assert "[translated]" in other
        assert calls == [("你好", "en", "zh")]
    finally:
        translate_module.reset_provider(None)


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_translate_per_role_and_brand(
    role: str, brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    """Each role of each brand: its own brand's message answers (here: already in the
    reader's language), the other brand's ids are not found."""
    for own, other in ((brand, other_brand), (other_brand, brand)):
        person = make_agent(role, brands=[own])
        mine = quick_conversation(own, body="你好")
        theirs = quick_conversation(other, body="你好")
        Message.objects.filter(conversation__in=[mine, theirs]).update(language="zh")
        client = Client()
        client.force_login(person.user)
        for conversation, found in ((mine, True), (theirs, False)):
            message = Message.objects.get(conversation=conversation)
            response = client.get(
                f"/inbox/c/{conversation.pk}/messages/{message.pk}/translation/", {"to": "zh-hans"}
            )
            assert response.status_code == (200 if found else 404)
            if found:
                assert "This message is already in your language." in response.content.decode()
        # the other brand's message through this brand's conversation: not found either
        stranger = Message.objects.get(conversation=theirs)
        response = client.get(f"/inbox/c/{mine.pk}/messages/{stranger.pk}/translation/")
        assert response.status_code == 404
