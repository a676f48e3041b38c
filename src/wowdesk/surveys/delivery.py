"""One message per resolution carries every survey due of it, in the customer's language,
on the conversation's channel (``conversations.services.add_system_message``: no author,
delivered by the outbox, and the conversation stays as it was):

* email (and a web form's or a call's customer with an address, or any conversation when
  the settings say ``email``): the invitation with one row of one-tap score links per
  survey, as plain text and HTML;
* chat: ``meta["survey"]`` for the widget's card, and the same as text with the links;
* social (SMS, WhatsApp, …) and the API: a short text with one link per survey;
* voice with no email address: nothing can carry it (``None``: the surveys expire).

Links are absolute from ``WOWDESK_PUBLIC_URL`` (a path when it is not set, as the answer
bot's article links).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.urls import reverse
from django.utils.html import escape

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.kinds import Channel
from wowdesk.customers.models import Identity, IdentityKind
from wowdesk.surveys import texts
from wowdesk.surveys.models import SCALES, Survey, SurveyChannel, SurveySettings
from wowdesk.surveys.tokens import make_token


def survey_url(survey_id: int, score: int | None = None) -> str:
    """The survey's page for its customer (absolute when the public URL is set); with
    ``score``, the one-tap link that answers it."""
    path = reverse("survey-public:answer", kwargs={"token": make_token(survey_id)})
    url = django_settings.CONFIG.public_url + path
    return url if score is None else f"{url}?score={score}"


def has_email(customer_id: int) -> bool:
    """Whether the customer has an address the email adapter sends to."""
    return Identity.objects.filter(customer_id=customer_id, kind=IdentityKind.EMAIL).exists()


def route(conversation: Conversation, settings: SurveySettings) -> str | None:
    """The channel the surveys go out on, or None when nothing can carry them."""
    channel = conversation.inbox.channel
    if channel == Channel.EMAIL:
        return Channel.EMAIL
    email_ok = has_email(conversation.customer_id)
    if settings.channel == SurveyChannel.EMAIL and email_ok:
        return Channel.EMAIL
    if channel in (Channel.VOICE, Channel.WEB):
        if email_ok:
            return Channel.EMAIL
        return None if channel == Channel.VOICE else channel
    return channel


def _language(conversation: Conversation, surveys: list[Survey]) -> str:
    return texts.pick_language(
        surveys[0].language or conversation.language, conversation.brand.default_language
    )


def survey_items(conversation: Conversation, surveys: list[Survey]) -> list[dict[str, Any]]:
    """Each survey as the chat card shows it (the contract of ``meta["survey"]``)."""
    language = _language(conversation, surveys)
    brand = conversation.brand.name
    items = []
    for s in surveys:
        low, high = SCALES[s.kind]
        items.append(
            {
                "id": s.pk,
                "kind": s.kind,
                "url": survey_url(s.pk),
                "min": low,
                "max": high,
                "question": texts.text(f"question.{s.kind}", language, brand=brand),
                "low": texts.text(f"low.{s.kind}", language),
                "high": texts.text(f"high.{s.kind}", language),
            }
        )
    return items


def plain_text(conversation: Conversation, items: list[dict[str, Any]], language: str) -> str:
    """The invitation as text: for each survey its question, its scale's ends and its link."""
    lines = [texts.text("invite", language, brand=conversation.brand.name), ""]
    for item in items:
        lines.append(item["question"])
        lines.append(f"{item['min']} = {item['low']} · {item['max']} = {item['high']}")
        lines.append(item["url"])
        lines.append("")
    return "\n".join(lines).strip()


def short_text(conversation: Conversation, items: list[dict[str, Any]], language: str) -> str:
    """The invitation for a text message: one line, one link per survey."""
    lines = [texts.text("invite", language, brand=conversation.brand.name)]
    lines += [item["url"] for item in items]
    return "\n".join(lines)


def email_text(conversation: Conversation, items: list[dict[str, Any]], language: str) -> str:
    """The invitation's plain-text part: each score as its own link."""
    lines = [texts.text("invite", language, brand=conversation.brand.name), ""]
    for item in items:
        lines.append(item["question"])
        lines.append(f"{item['min']} = {item['low']} · {item['max']} = {item['high']}")
        for score in range(item["min"], item["max"] + 1):
            lines.append(f"  {score}: {item['url']}?score={score}")
        lines.append("")
    return "\n".join(lines).strip()


def email_html(conversation: Conversation, items: list[dict[str, Any]], language: str) -> str:
    """The invitation's HTML part: one row of score links per survey (mail readers show
    no script and few styles: a table of plain links, each a tap target)."""
    parts = [f"<p>{escape(texts.text('invite', language, brand=conversation.brand.name))}</p>"]
    for item in items:
        cells = "".join(
            f'<td style="padding:4px"><a href="{escape(item["url"])}?score={score}" '
            f'style="display:inline-block;min-width:28px;padding:8px 4px;text-align:center;'
            f'border:1px solid #8a8f98;border-radius:4px;text-decoration:none">{score}</a></td>'
            for score in range(item["min"], item["max"] + 1)
        )
        parts.append(
            f'<p style="margin-bottom:4px"><strong>{escape(item["question"])}</strong></p>'
            f'<table role="presentation" data-survey="{item["id"]}"><tr>{cells}</tr></table>'
            f'<p style="margin-top:0;font-size:small">{item["min"]} = {escape(item["low"])}'
            f" · {item['max']} = {escape(item['high'])}</p>"
        )
    return "".join(parts)


def deliver(
    conversation: Conversation, surveys: list[Survey], settings: SurveySettings
) -> Message | None:
    """Queue the message that carries ``surveys`` (one resolution's) to the customer;
    None when no channel can carry it."""
    channel = route(conversation, settings)
    if channel is None or not surveys:
        return None
    language = _language(conversation, surveys)
    items = survey_items(conversation, surveys)
    meta: dict[str, Any] = {
        "system": "survey",
        "survey": {"language": language, "surveys": items},
    }
    if channel == Channel.EMAIL:
        body = email_text(conversation, items, language)
        html = email_html(conversation, items, language)
    elif channel == Channel.CHAT:
        body, html = plain_text(conversation, items, language), ""
    else:
        body, html = short_text(conversation, items, language), ""
    return conversations.add_system_message(
        conversation, body=body, html=html, meta=meta, language=language, channel=channel
    )
