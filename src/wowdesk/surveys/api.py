"""API: survey settings, a conversation's surveys, sending now, the answers.

* ``GET /api/v1/surveys/settings?brand=&inbox=`` (supervisors+), ``PATCH`` (administrators),
  ``DELETE /api/v1/surveys/settings?inbox=`` (drops an inbox's override)
* ``GET /api/v1/conversations/{id}/surveys`` (whoever sees the conversation)
* ``POST /api/v1/surveys/{id}/send`` (supervisors+, or the conversation's assignee)
* ``GET /api/v1/survey-responses?from=&to=&kind=&agent=&team=&brand=&site=&channel=
  &language=&inbox=&min_score=&max_score=&limit=&cursor=`` (supervisors+ of the brand)
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from wowdesk.conversations.models import Conversation, Inbox
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound
from wowdesk.core.input import check_date
from wowdesk.core.models import Agent, Role
from wowdesk.core.schemas import ERRORS
from wowdesk.surveys import services
from wowdesk.surveys.delivery import survey_url
from wowdesk.surveys.models import Survey, SurveyResponse

router = Router(tags=["surveys"])

ID = Field(None, ge=1, le=2**62)
MAX_LIMIT = 500


class SurveySettingsQuery(Schema):
    brand: int | None = ID
    inbox: int | None = ID


class SurveySettingsIn(Schema):
    enabled: bool | None = None
    kinds: list[str] | None = Field(None, max_length=3)
    delay_minutes: int | None = None
    channel: str | None = Field(None, max_length=16)
    throttle_days: int | None = None
    expires_days: int | None = None
    followup_detractors: bool | None = None
    followup_hours: int | None = None
    checkin_enabled: bool | None = None
    checkin_days: int | None = None
    warranty_enabled: bool | None = None
    warranty_days_before: int | None = None
    warranty_action: str | None = Field(None, max_length=8)


class SurveySettingsOut(Schema):
    brand_id: int
    inbox_id: int | None
    # the inbox has no override: these are the brand's settings
    inherited: bool
    enabled: bool
    kinds: list[str]
    delay_minutes: int
    channel: str
    throttle_days: int
    expires_days: int
    followup_detractors: bool
    followup_hours: int
    checkin_enabled: bool
    checkin_days: int
    warranty_enabled: bool
    warranty_days_before: int
    warranty_action: str
    updated_at: dt.datetime
    # the brand's inboxes that override its settings (on the brand's settings only)
    overrides: list[int] = []


class SurveyOut(Schema):
    id: int
    kind: str
    status: str
    url: str
    score: int | None
    comment: str
    scheduled_for: dt.datetime
    sent_at: dt.datetime | None
    answered_at: dt.datetime | None
    expires_at: dt.datetime | None
    expired_reason: str
    language: str
    conversation_id: int


class SurveyDroppedOut(Schema):
    deleted: bool


class SurveyResponsesQuery(Schema):
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    kind: Literal["csat", "nps", "ces"] | None = None
    brand: int | None = ID
    agent: int | None = ID
    team: int | None = ID
    site: int | None = ID
    inbox: int | None = ID
    channel: str | None = Field(None, max_length=16)
    language: str | None = Field(None, max_length=16)
    min_score: int | None = Field(None, ge=0, le=10)
    max_score: int | None = Field(None, ge=0, le=10)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=200)


class SurveyResponseOut(Schema):
    id: int
    survey_id: int
    brand_id: int
    kind: str
    score: int
    comment: str
    comment_language: str
    conversation_id: int
    customer_id: int
    agent_id: int | None
    team_id: int | None
    site_id: int | None
    inbox_id: int | None
    channel: str
    language: str
    intent: str
    answered_at: dt.datetime
    updated_at: dt.datetime


class SurveyResponsesOut(Schema):
    items: list[SurveyResponseOut]
    # pass as ``cursor`` for the next page; null on the last one
    next_cursor: str | None


# --- settings -------------------------------------------------------------------------------


def _settings_brand(agent: Agent, brand: int | None, inbox: int | None, role: str) -> int:
    """The brand the settings call is about: the inbox's, else the one named, else the
    agent's only one (with ``role`` there)."""
    if inbox is not None:
        found = Inbox.objects.filter(pk=inbox).values_list("brand_id", flat=True).first()
        if found is None or found not in permissions.visible_brand_ids(agent):
            raise NotFound(_("No such inbox."), field="inbox")
        if brand is not None and brand != found:
            raise InvalidInput(_("This inbox belongs to another brand."), field="inbox")
        brand = found
    return permissions.pick_brand(agent, brand, role)


def settings_out(brand_id: int, inbox_id: int | None) -> SurveySettingsOut:
    if inbox_id is None:
        row = services.brand_settings(brand_id)
        out = services.settings_out(row)
        out["overrides"] = services.override_inboxes(brand_id)
        return SurveySettingsOut(**out)
    found = services.inbox_settings(brand_id, inbox_id)
    if found is None:
        out = services.settings_out(services.brand_settings(brand_id), inherited=True)
        out["inbox_id"] = inbox_id
        return SurveySettingsOut(**out)
    return SurveySettingsOut(**services.settings_out(found))


@router.get("/surveys/settings", response={200: SurveySettingsOut, **ERRORS})
def get_settings(request: HttpRequest, q: Query[SurveySettingsQuery]) -> SurveySettingsOut:
    agent = me(request)
    brand_id = _settings_brand(agent, q.brand, q.inbox, Role.SUPERVISOR)
    return settings_out(brand_id, q.inbox)


@router.patch("/surveys/settings", response={200: SurveySettingsOut, **ERRORS})
def patch_settings(
    request: HttpRequest, q: Query[SurveySettingsQuery], payload: SurveySettingsIn
) -> SurveySettingsOut:
    agent = me(request)
    brand_id, inbox = _settings_brand(agent, q.brand, q.inbox, Role.ADMIN), q.inbox
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise InvalidInput(_("This setting cannot be empty."), field=name)
    with transaction.atomic():
        services.do_patch_settings(agent, brand_id, changes, inbox_id=inbox)
    return settings_out(brand_id, inbox)


@router.delete("/surveys/settings", response={200: SurveyDroppedOut, **ERRORS})
def delete_override(request: HttpRequest, q: Query[SurveySettingsQuery]) -> SurveyDroppedOut:
    agent = me(request)
    inbox = q.inbox
    if inbox is None:
        raise InvalidInput(_("Say which inbox's override to remove."), field="inbox")
    brand_id = _settings_brand(agent, q.brand, inbox, Role.ADMIN)
    with transaction.atomic():
        deleted = services.do_drop_override(agent, brand_id, inbox)
    return SurveyDroppedOut(deleted=deleted)


# --- surveys --------------------------------------------------------------------------------


def survey_out(survey: Survey, response: SurveyResponse | None) -> SurveyOut:
    return SurveyOut(
        id=survey.pk,
        kind=survey.kind,
        status=survey.status,
        url=survey_url(survey.pk),
        score=response.score if response else None,
        comment=response.comment if response else "",
        scheduled_for=survey.scheduled_for,
        sent_at=survey.sent_at,
        answered_at=survey.answered_at,
        expires_at=survey.expires_at,
        expired_reason=survey.expired_reason,
        language=survey.language,
        conversation_id=survey.conversation_id,
    )


def _responses_of(surveys: list[Survey]) -> dict[int, SurveyResponse]:
    return {
        r.survey_id: r
        for r in SurveyResponse.objects.filter(survey_id__in=[s.pk for s in surveys]).only(
            "survey_id", "score", "comment"
        )
    }


@router.get("/conversations/{conversation_id}/surveys", response={200: list[SurveyOut], **ERRORS})
def conversation_surveys(request: HttpRequest, conversation_id: int) -> list[SurveyOut]:
    conversation = permissions.get_for_agent(
        Conversation.objects.only("id", "brand_id"), me(request), conversation_id
    )
    surveys = list(
        Survey.objects.filter(conversation_id=conversation.pk).order_by("-resolved_at", "id")
    )
    answers = _responses_of(surveys)
    return [survey_out(s, answers.get(s.pk)) for s in surveys]


@router.post("/surveys/{survey_id}/send", response={200: SurveyOut, **ERRORS})
def send_survey(request: HttpRequest, survey_id: int) -> SurveyOut:
    survey = services.do_send_now(me(request), survey_id)
    return survey_out(survey, _responses_of([survey]).get(survey.pk))


# --- responses ------------------------------------------------------------------------------


def _encode_cursor(at: dt.datetime, pk: int) -> str:
    raw = f"{at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, pk_text = raw.rsplit("|", 1)
        at = dt.datetime.fromisoformat(at_text)
        pk = int(pk_text)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(_("This cursor is not one a page gave."), field="cursor") from exc
    if at.tzinfo is None or not 0 < pk < 2**63:
        raise InvalidInput(_("This cursor is not one a page gave."), field="cursor")
    return at, pk


def responses_query(agent: Agent, q: SurveyResponsesQuery) -> Q:
    """The filter of ``GET /survey-responses``: the brands whose reports ``agent`` reads
    (the one named, checked), and each filter given."""
    if q.brand is not None:
        permissions.check_sees_reports(agent, q.brand)
        brands = {q.brand}
    else:
        brands = permissions.report_brands(agent)
        if not brands:
            raise Forbidden(_("Only supervisors and administrators read the survey answers."))
    cond = Q(brand_id__in=sorted(brands))
    tz = timezone.get_current_timezone()
    if q.from_ is not None:
        start = check_date(q.from_, "from")
        cond &= Q(answered_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if q.to is not None:
        end = check_date(q.to, "to")
        if q.from_ is not None and q.from_ > end:
            raise InvalidInput(_("The period starts after it ends."), field="from")
        cond &= Q(
            answered_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    if q.min_score is not None and q.max_score is not None and q.min_score > q.max_score:
        raise InvalidInput(_("The lowest score is above the highest."), field="min_score")
    for name, column in (
        ("kind", "kind"),
        ("agent", "agent_id"),
        ("team", "team_id"),
        ("site", "site_id"),
        ("inbox", "inbox_id"),
        ("channel", "channel"),
        ("language", "language"),
    ):
        value = getattr(q, name)
        if value is not None and value != "":
            cond &= Q(**{column: value})
    if q.min_score is not None:
        cond &= Q(score__gte=q.min_score)
    if q.max_score is not None:
        cond &= Q(score__lte=q.max_score)
    return cond


@router.get("/survey-responses", response={200: SurveyResponsesOut, **ERRORS})
def list_responses(request: HttpRequest, q: Query[SurveyResponsesQuery]) -> SurveyResponsesOut:
    cond = responses_query(me(request), q)
    if q.cursor:
        at, pk = _decode_cursor(q.cursor)
        cond &= Q(answered_at__lt=at) | Q(answered_at=at, id__lt=pk)
    rows = list(SurveyResponse.objects.filter(cond).order_by("-answered_at", "-id")[: q.limit + 1])
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    items = [SurveyResponseOut.from_orm(r) for r in rows]
    next_cursor = _encode_cursor(rows[-1].answered_at, rows[-1].pk) if more and rows else None
    return SurveyResponsesOut(items=items, next_cursor=next_cursor)
