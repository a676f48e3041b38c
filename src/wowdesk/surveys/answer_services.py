"""The customer's answer to a survey: the only writer of ``SurveyResponse`` (and of a
survey's ``answered`` state).

``record_answer`` is called by the survey page (``/s/<token>``, one tap or the form), the
chat widget's card (``/s/<token>/answer``) and the demo. It checks the score against the
kind's scale, refuses an expired survey (410), writes the response with the survey's
fields of the time, and announces ``survey.answered``. Answering again before expiry (a
different score, a why added) updates the same response and says ``updated``; the same
score again with nothing new changes nothing and announces nothing (an email scanner
that opened the link first, then the customer's own tap).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.core.errors import NotFound, ServiceError
from wowdesk.core.events import Event, emit
from wowdesk.core.input import check_int, check_text
from wowdesk.intelligence import language as language_detector
from wowdesk.surveys import tokens
from wowdesk.surveys.models import SCALES, Survey, SurveyResponse, SurveyStatus

# A why is at most this long (a long letter fits; a pasted log does not).
MAX_COMMENT = 5000
# A why shorter than this many characters is too short to tell its language from; the
# survey's language is kept for it.
LANGUAGE_MIN_CHARS = 12


class SurveyExpired(ServiceError):
    """The survey's link is past its date (or the survey was withdrawn)."""

    status = 410


def survey_for_token(token: str) -> Survey:
    """The survey a link's token names, with its brand (NotFound: not made here, altered,
    or the survey is gone)."""
    survey_id = tokens.read_token(token)
    survey = (
        Survey.objects.select_related("brand").filter(pk=survey_id).first()
        if survey_id is not None
        else None
    )
    if survey is None:
        raise NotFound(_("This survey link is not valid."), field="token")
    return survey


def is_expired(survey: Survey, now: dt.datetime | None = None) -> bool:
    """Whether the survey takes no more answers: expired, or past its link's date."""
    if survey.status == SurveyStatus.EXPIRED:
        return True
    now = now or timezone.now()
    return survey.expires_at is not None and survey.expires_at <= now


def check_score(kind: str, value: object) -> int:
    """The score as a whole number on the kind's scale (InvalidInput, field ``score``)."""
    scale = SCALES.get(kind)
    if scale is None:
        raise NotFound(_("This survey has an unknown kind."), field="kind")
    low, high = scale
    return check_int(value, "score", lo=low, hi=high)


def _comment_language(comment: str, fallback: str) -> str:
    if len(comment) < LANGUAGE_MIN_CHARS:
        return fallback
    guess = language_detector.detect(comment, fallback=fallback or None)
    return guess.code or fallback


def record_answer(
    survey: Survey,
    score: object,
    *,
    comment: str | None = None,
    language: str = "",
) -> SurveyResponse:
    """Record (or change) the customer's answer to ``survey``.

    ``score``: on the kind's scale (``models.SCALES``), as an int or its text; ``comment``:
    the why (None keeps the one given before; "" removes it); ``language``: the language
    the customer answered in (used when the survey has none). Raises InvalidInput (a score
    off the scale, a why too long), SurveyExpired (410), NotFound (an unknown kind)."""
    value = check_score(survey.kind, score)
    why = None
    if comment is not None:
        why = check_text(comment, "comment", max_length=MAX_COMMENT).strip()
    try:
        return _record(survey, value, why, language)
    except IntegrityError:
        # Two taps at the same moment both found no answer: the other one wrote it first,
        # so this one is a change of it.
        return _record(survey, value, why, language)


def _record(survey: Survey, value: int, why: str | None, language: str) -> SurveyResponse:
    now = timezone.now()
    previous: int | None = None
    with transaction.atomic():
        locked = Survey.objects.select_for_update().filter(pk=survey.pk).first()
        if locked is None:
            raise NotFound(_("This survey link is not valid."), field="token")
        if is_expired(locked, now):
            raise SurveyExpired(_("This survey has expired."), field="token")
        response = SurveyResponse.objects.filter(survey=locked).first()
        spoken = locked.language or (language or "")[:16]
        if response is None:
            response = SurveyResponse.objects.create(
                survey=locked,
                brand_id=locked.brand_id,
                kind=locked.kind,
                score=value,
                comment=why or "",
                comment_language=_comment_language(why, spoken) if why else "",
                conversation_id=locked.conversation_id,
                customer_id=locked.customer_id,
                agent_id=locked.agent_id,
                team_id=locked.team_id,
                site_id=locked.site_id,
                inbox_id=locked.inbox_id,
                channel=locked.channel,
                language=spoken,
                intent=locked.intent,
                answered_at=now,
                updated_at=now,
            )
            updated = False
        else:
            changed: list[str] = []
            previous = response.score
            if response.score != value:
                response.score = value
                changed.append("score")
            if why is not None and why != response.comment:
                response.comment = why
                response.comment_language = _comment_language(why, spoken) if why else ""
                changed += ["comment", "comment_language"]
            if not changed:
                _mark_answered(locked, now)
                return response
            response.updated_at = now
            response.save(update_fields=[*changed, "updated_at"])
            updated = True
        _mark_answered(locked, now)
        emit(
            Event.SURVEY_ANSWERED,
            survey_id=locked.pk,
            response_id=response.pk,
            conversation_id=locked.conversation_id,
            brand_id=locked.brand_id,
            kind=locked.kind,
            score=value,
            updated=updated,
            previous_score=previous,
        )
    survey.status = locked.status
    survey.answered_at = locked.answered_at
    return response


def _mark_answered(survey: Survey, now: dt.datetime) -> None:
    if survey.status == SurveyStatus.ANSWERED:
        return
    survey.status = SurveyStatus.ANSWERED
    survey.answered_at = survey.answered_at or now
    survey.save(update_fields=["status", "answered_at"])


def chained(survey: Survey) -> list[Survey]:
    """The other surveys asked after the same resolution of the same conversation (the
    next questions shown on the page), in the order they were made."""
    return list(
        Survey.objects.filter(
            conversation_id=survey.conversation_id, resolved_at=survey.resolved_at
        )
        .exclude(pk=survey.pk)
        .select_related("brand")
        .order_by("id")
    )
