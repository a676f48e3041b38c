"""API: the WOW wall.

* ``POST /api/v1/wow`` ``{"conversation_id", "story"}``: nominate a conversation (any agent
  of its brand); the story is about the conversation's agent.
* ``GET /api/v1/wow?brand=&agent=&team=&from=&to=&page=&page_size=``: the brand's stories,
  newest first (every agent of the brand; hidden ones for supervisors with ``hidden=true``).
* ``PATCH /api/v1/wow/{id}`` ``{"story"?, "hidden"?}`` and ``DELETE /api/v1/wow/{id}``:
  supervisors and administrators of the brand, or whoever nominated it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.input import check_date
from wowdesk.core.models import Agent, Role
from wowdesk.core.schemas import ERRORS, Page
from wowdesk.surveys import wow_services
from wowdesk.surveys.models import WowStory

router = Router(tags=["surveys"])


class WowIn(Schema):
    conversation_id: int = Field(..., ge=1, le=2**62)
    story: str = Field(..., max_length=100_000)


class WowPatchIn(Schema):
    story: str | None = Field(None, max_length=100_000)
    hidden: bool | None = None


class WowAgentOut(Schema):
    id: int
    name: str


class WowStoryOut(Schema):
    id: int
    brand_id: int
    source: str
    conversation_id: int | None
    conversation_number: int | None
    response_id: int | None
    score: int | None
    kind: str | None
    agent: WowAgentOut | None
    story: str
    customer: str  # the customer's first name, or "" (anonymised)
    language: str
    nominated_by: WowAgentOut | None
    hidden: bool
    created_at: dt.datetime


class WowStoriesOut(Page):
    items: list[WowStoryOut]


class WowQuery(Schema):
    brand: int | None = Field(None, ge=1, le=2**62)
    agent: int | None = Field(None, ge=1, le=2**62)
    team: int | None = Field(None, ge=1, le=2**62)
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    hidden: bool = False
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def first_name(name: str) -> str:
    """What the wall shows of a customer: the first word of a name written with spaces;
    a name without spaces (Chinese, Japanese) shows its first character."""
    words = (name or "").split()
    if not words:
        return ""
    if len(words) == 1 and not words[0][:1].isascii():
        return words[0][:1]
    return words[0][:40]


def stories_for(
    agent: Agent,
    *,
    brand: int | None,
    agent_id: int | None = None,
    team_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    hidden: bool = False,
) -> QuerySet[WowStory]:
    """The stories ``agent`` may read (their brands, or the one named), filtered."""
    if brand is not None:
        permissions.check_brand(agent, brand)
        brands = {brand}
    else:
        brands = permissions.visible_brand_ids(agent)
    rows = WowStory.objects.filter(brand_id__in=brands)
    if hidden:
        # the hidden ones: supervisors of the brand, and the nominators of their own
        rows = rows.filter(hidden=True).filter(
            Q(brand_id__in=permissions.brands_with_role(agent, Role.SUPERVISOR))
            | Q(nominated_by_id=agent.pk)
        )
    else:
        rows = rows.filter(hidden=False)
    if agent_id is not None:
        rows = rows.filter(agent_id=agent_id)
    if team_id is not None:
        rows = rows.filter(agent__teams__id=team_id)
    if start is not None:
        rows = rows.filter(created_at__date__gte=check_date(start, "from"))
    if end is not None:
        rows = rows.filter(created_at__date__lte=check_date(end, "to"))
    return rows.select_related(
        "agent",
        "nominated_by",
        "conversation",
        "response",
        "response__customer",
        "conversation__customer",
    ).order_by("-created_at", "-id")


def _agent(a: Agent | None) -> WowAgentOut | None:
    return WowAgentOut(id=a.pk, name=a.display_name) if a is not None else None


def story_out(s: WowStory) -> WowStoryOut:
    customer: Any = None
    if s.response_id and s.response is not None:
        customer = s.response.customer
    elif s.conversation is not None:
        customer = s.conversation.customer
    return WowStoryOut(
        id=s.pk,
        brand_id=s.brand_id,
        source=s.source,
        conversation_id=s.conversation_id,
        conversation_number=s.conversation.number if s.conversation is not None else None,
        response_id=s.response_id,
        score=s.response.score if s.response is not None else None,
        kind=s.response.kind if s.response is not None else None,
        agent=_agent(s.agent),
        story=s.story,
        customer=first_name(customer.name) if customer is not None else "",
        language=s.language,
        nominated_by=_agent(s.nominated_by),
        hidden=s.hidden,
        created_at=s.created_at,
    )


@router.post("/wow", response={201: WowStoryOut, **ERRORS})
def nominate(request: HttpRequest, payload: WowIn) -> Status[WowStoryOut]:
    story = wow_services.do_nominate(me(request), payload.conversation_id, payload.story)
    row = stories_for(me(request), brand=story.brand_id, hidden=story.hidden).get(pk=story.pk)
    return Status(201, story_out(row))


@router.get("/wow", response={200: WowStoriesOut, **ERRORS})
def list_stories(request: HttpRequest, filters: Query[WowQuery]) -> WowStoriesOut:
    rows = stories_for(
        me(request),
        brand=filters.brand,
        agent_id=filters.agent,
        team_id=filters.team,
        start=filters.from_,
        end=filters.to,
        hidden=filters.hidden,
    )
    start = (filters.page - 1) * filters.page_size
    return WowStoriesOut(
        items=[story_out(s) for s in rows[start : start + filters.page_size]],
        total=rows.count(),
        page=filters.page,
        page_size=filters.page_size,
    )


@router.patch("/wow/{story_id}", response={200: WowStoryOut, **ERRORS})
def edit_story(request: HttpRequest, story_id: int, payload: WowPatchIn) -> WowStoryOut:
    story = wow_services.do_edit_story(
        me(request), story_id, story=payload.story, hidden=payload.hidden
    )
    row = WowStory.objects.select_related(
        "agent",
        "nominated_by",
        "conversation",
        "response",
        "response__customer",
        "conversation__customer",
    ).get(pk=story.pk)
    return story_out(row)


@router.delete("/wow/{story_id}", response={204: None, **ERRORS})
def delete_story(request: HttpRequest, story_id: int) -> Status[None]:
    wow_services.do_delete_story(me(request), story_id)
    return Status(204, None)
