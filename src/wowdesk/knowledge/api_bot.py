"""API: knowledge (bot): the answer bot's sessions and its statistics, for knowledge managers
(supervisors and administrators) of the brands they manage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import InvalidInput
from wowdesk.core.input import parse_datetime
from wowdesk.core.schemas import ERRORS
from wowdesk.knowledge import bot_services
from wowdesk.knowledge.models import BotSession

router = Router(tags=["knowledge"])


class BotSessionOut(Schema):
    id: int
    brand_id: int
    conversation_id: int
    inbox_id: int | None
    language: str
    intent: str
    confidence: float | None
    article_id: int | None
    outcome: str
    handover_reason: str
    summary: str
    started_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None


class BotSessionList(Schema):
    items: list[BotSessionOut]
    count: int


class SessionFilters(Schema):
    from_: str | None = Field(None, alias="from", max_length=64)
    to: str | None = Field(None, max_length=64)
    outcome: str | None = Field(None, max_length=16)
    language: str | None = Field(None, max_length=16)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10**9)


class StatsFilters(Schema):
    from_: str | None = Field(None, alias="from", max_length=64)
    to: str | None = Field(None, max_length=64)


def _window(raw_from: str | None, raw_to: str | None) -> tuple[dt.datetime | None, ...]:
    since = parse_datetime(raw_from, "from") if raw_from else None
    until = parse_datetime(raw_to, "to") if raw_to else None
    return since, until


def _brands(request: HttpRequest) -> set[int]:
    agent = me(request)
    permissions.require_role(agent, "supervisor")
    return permissions.knowledge_manager_brands(agent)


@router.get("/kb/bot-sessions", response={200: BotSessionList, **ERRORS})
def bot_sessions(request: HttpRequest, filters: Query[SessionFilters]) -> dict[str, Any]:
    """The answer bot's sessions in the brands the caller manages (supervisors and up),
    newest first; ``from``/``to`` (ISO 8601) bound when they started."""
    brands = _brands(request)
    if filters.outcome and filters.outcome not in BotSession.Outcome.values:
        raise InvalidInput(
            _("The outcome is one of: %(values)s.")
            % {"values": ", ".join(BotSession.Outcome.values)},
            field="outcome",
        )
    since, until = _window(filters.from_, filters.to)
    rows = bot_services.sessions(
        brands, since=since, until=until, outcome=filters.outcome, language=filters.language
    )
    page = list(rows[filters.offset : filters.offset + filters.limit])
    return {"items": page, "count": rows.count()}


@router.get("/kb/bot-stats", response={200: dict[str, Any], **ERRORS})
def bot_stats(request: HttpRequest, filters: Query[StatsFilters]) -> dict[str, Any]:
    """Resolution rate (confirmed and no return apart) and hand-over rate of the answer
    bot, in all and by language and intent, in the brands the caller manages."""
    brands = _brands(request)
    since, until = _window(filters.from_, filters.to)
    return bot_services.stats(brands, since, until)
