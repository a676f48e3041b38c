"""Language and emotion on every inbound message, the mood line and its alerts.

The detectors are pure modules (``language.py``, ``emotion.py``); this module applies
their answers to messages, conversations and customers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext, gettext_lazy, gettext_noop

from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.conversations.services import annotate_messages
from wowdesk.core import i18n as i18n_text
from wowdesk.core.alerts import create as create_alert
from wowdesk.core.models import AlertKind
from wowdesk.customers.models import Customer

#: The emotion labels (``emotion.LABELS``) as people read them; the API keeps the codes.
EMOTION_LABELS = {
    "angry": gettext_lazy("angry"),
    "frustrated": gettext_lazy("frustrated"),
    "neutral": gettext_lazy("neutral"),
    "satisfied": gettext_lazy("satisfied"),
    "delighted": gettext_lazy("delighted"),
}

if TYPE_CHECKING:
    from wowdesk.intelligence.language import Ranking

log = logging.getLogger(__name__)

# A fall of this much between two customer messages, or into clear anger, alerts.
MOOD_DROP = 0.8
ANGRY_FLOOR = -0.6


@dataclass(frozen=True)
class Annotation:
    language: str
    language_confidence: float
    language_source: str


def annotate(
    text: str, *, fallback_language: str | None, ranked: Ranking | None = None
) -> Annotation:
    """The language, at ingest (``ranked``: ``language.rank(text)``, if ingest ranked the
    text before its transaction). Emotion is scored later by the worker
    (``score_pending``): milliseconds of CPU kept off the ingest path."""
    from wowdesk.intelligence.language import detect

    guess = detect(text, fallback=fallback_language or None, ranked=ranked)
    return Annotation(
        language=guess.code,
        language_confidence=round(float(guess.confidence), 4),
        language_source=str(guess.source),
    )


def fallback_language(customer: Customer | None, conversation: Conversation | None) -> str:
    """What a too-short message is most likely written in."""
    if customer is not None and customer.language:
        return customer.language
    if conversation is not None and conversation.language:
        return conversation.language
    return ""


@dataclass(frozen=True)
class LanguageLearnt:
    """What the conversation and the customer learn from one message's language
    (empty: nothing to change). Ingest writes them with the rows it writes anyway."""

    conversation: str
    customer: str


def learn_language(
    note: Annotation, conversation: Conversation | None, customer: Customer | None
) -> LanguageLearnt:
    """Only confident detections teach. A conversation takes the language of its first
    message (or a language when it has none); a customer keeps the first one learnt."""
    sure = bool(note.language) and note.language_source != "fallback"
    if not sure:
        return LanguageLearnt("", "")
    conv = ""
    if conversation is None or (
        note.language != conversation.language
        and (not conversation.language or conversation.message_count <= 1)
    ):
        conv = note.language
    cust = note.language if customer is None or not customer.language else ""
    return LanguageLearnt(conv, cust)


def _check_mood(message: Message, conversation: Conversation, score: float) -> None:
    previous = (
        Message.objects.filter(
            conversation=conversation,
            direction=Direction.IN,
            emotion__isnull=False,
            id__lt=message.pk,
        )
        .order_by("-id")
        .values_list("emotion", flat=True)
        .first()
    )
    if previous is None:
        return
    if previous - score >= MOOD_DROP or (score <= ANGRY_FLOOR < previous):
        spec = i18n_text.deferred(
            gettext_noop("Mood dropped from %(a).1f to %(b).1f in conversation #%(n)s"),
            a=previous,
            b=score,
            n=conversation.number,
        )
        create_alert(
            conversation.brand_id,
            AlertKind.MOOD_DROP,
            i18n_text.render(spec),
            conversation_id=conversation.pk,
            message_id=message.pk,
            data={"from": previous, "to": score},
            params={"from": previous, "to": score, "number": conversation.number},
            i18n=spec,
        )


BATCH = 64
FIELDS = (
    "id",
    "body",
    "brand_id",
    "language",
    "emotion",
    "emotion_label",
    "meta",
    "created_at",
    "conversation__subject",
    "conversation__brand_id",
    "conversation__number",
)


def score_emotion(message_id: int) -> Message | None:
    """Score a customer message, and with it (one batched encoder call, several times
    cheaper per message) the other customer messages still waiting for a score."""
    score_pending([message_id])
    return Message.objects.filter(pk=message_id).first()


def score_pending(first: list[int] | None = None, limit: int = BATCH) -> int:
    """Score up to ``limit`` unscored customer messages (``first`` ones first); store the
    results, check each conversation's mood line. Returns how many were scored."""
    from django.db import transaction

    pending = list(
        Message.objects.filter(direction=Direction.IN, emotion__isnull=True, pk__in=first or [])
        .select_related("conversation")
        .only(*FIELDS)
    )
    more = limit - len(pending)
    if more > 0:
        pending += list(
            Message.objects.filter(direction=Direction.IN, emotion__isnull=True)
            .exclude(pk__in=[m.pk for m in pending])
            .select_related("conversation")
            .only(*FIELDS)
            .order_by("-id")[:more]
        )
    if not pending:
        return 0
    pending.sort(key=lambda m: m.pk)  # oldest first, so each mood check sees the one before
    texts = [f"{m.conversation.subject or ''}\n{m.body}".strip() for m in pending]
    try:
        from wowdesk.intelligence.emotion import score_many

        results = score_many(texts, [m.language or None for m in pending])
    except Exception:  # the messages stay unscored and are tried again later
        log.exception("emotion scoring failed")
        return 0
    with transaction.atomic():
        scored = annotate_messages(
            (
                message,
                {
                    "emotion": float(e.score),
                    "emotion_label": str(e.label),
                    **({"emotion_cues": list(e.cues)} if e.cues else {}),
                },
            )
            for message, e in zip(pending, results, strict=True)
        )
        for message in scored:
            _check_mood(message, message.conversation, float(message.emotion or 0.0))
    return len(pending)


def mood_line(conversation: Conversation) -> list[tuple[str, float, str]]:
    """(time, score, label) of every scored customer message, oldest first."""
    rows = (
        Message.objects.filter(
            conversation=conversation, direction=Direction.IN, emotion__isnull=False
        )
        .order_by("created_at", "id")
        .values_list("created_at", "emotion", "emotion_label")
    )
    return [(at.isoformat(), float(score or 0.0), label) for at, score, label in rows]


def mood_drop_sentence(params: dict[str, Any]) -> str:
    """What a ``mood_drop`` alert says (core.alerts)."""
    return gettext("Mood dropped from %(a).1f to %(b).1f in conversation #%(n)s") % {
        "a": float(params["from"]),
        "b": float(params["to"]),
        "n": int(params["number"]),
    }
