"""API: translations for agents and the mood line of a conversation."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from wowdesk.conversations.models import Conversation, Message
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.schemas import ERRORS
from wowdesk.intelligence import services
from wowdesk.intelligence.translate import translate
from wowdesk.intelligence.translation import Translation

router = Router(tags=["intelligence"])


class TranslationOut(Schema):
    original: str
    text: str | None
    source_language: str | None
    target_language: str
    provider: str
    available: bool
    detail: str
    cached: bool


def translation_out(original: str, t: Translation) -> TranslationOut:
    return TranslationOut(
        original=original,
        text=t.text,
        source_language=t.source_language or None,
        target_language=t.target_language,
        provider=t.provider,
        available=t.available,
        detail=t.detail,
        cached=t.cached,
    )


def agent_language(request: HttpRequest) -> str:
    agent = me(request)
    return agent.languages[0] if agent.languages else (agent.ui_language or "en")


@router.get("/messages/{message_id}/translation", response={200: TranslationOut, **ERRORS})
def translate_message(
    request: HttpRequest, message_id: int, target: str | None = None
) -> TranslationOut:
    """The message in ``target`` (default: the agent's first language). The original is
    always returned alongside; ``available: false`` says plainly when no translation can
    be had (no provider configured, provider down)."""
    message = permissions.get_for_agent(Message.objects.all(), me(request), message_id)
    goal = (target or agent_language(request)).strip()[:16]
    return translation_out(message.body, translate(message.body, goal, message.language or None))


class ReplyPreviewIn(Schema):
    body: str = Field(..., min_length=1, max_length=100_000)
    target: str | None = Field(None, max_length=16)


@router.post(
    "/conversations/{conversation_id}/reply-translation", response={200: TranslationOut, **ERRORS}
)
def preview_reply(
    request: HttpRequest, conversation_id: int, payload: ReplyPreviewIn
) -> TranslationOut:
    """The agent's draft in the customer's language, to read both before sending
    (then send with ``translate_to``)."""
    conversation = permissions.get_for_agent(
        Conversation.objects.all(), me(request), conversation_id
    )
    goal = (payload.target or conversation.language or "en").strip()
    return translation_out(payload.body, translate(payload.body, goal, None))


class MoodPoint(Schema):
    at: dt.datetime
    score: float
    label: str


class MoodOut(Schema):
    conversation_id: int
    points: list[MoodPoint]
    latest: float | None
    trend: float | None  # latest minus first


@router.get("/conversations/{conversation_id}/mood", response={200: MoodOut, **ERRORS})
def mood(request: HttpRequest, conversation_id: int) -> MoodOut:
    """The customer's mood over the conversation: one point per scored message."""
    conversation = permissions.get_for_agent(
        Conversation.objects.all(), me(request), conversation_id
    )
    line = services.mood_line(conversation)
    points = [MoodPoint(at=dt.datetime.fromisoformat(a), score=s, label=lab) for a, s, lab in line]
    return MoodOut(
        conversation_id=conversation.pk,
        points=points,
        latest=points[-1].score if points else None,
        trend=round(points[-1].score - points[0].score, 3) if len(points) > 1 else None,
    )
