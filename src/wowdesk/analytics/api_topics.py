"""API: the voice of the customer's topics (supervisors and administrators of the brand).

* ``GET /api/v1/topics?brand=&from=&to=``: the active topics with their measures, largest
  first, and the drivers of detractors; ``from``/``to`` count each topic's texts of those
  days (``volume``) and leave out the topics with none.
* ``GET /api/v1/topics/{id}?page=&page_size=``: one topic and its members (conversations,
  customers, the texts), newest first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from wowdesk.analytics.models import Topic, TopicMember
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import Forbidden
from wowdesk.core.input import check_date
from wowdesk.core.models import Agent
from wowdesk.core.schemas import ERRORS, Page

router = Router(tags=["analytics"])


class TopicsQuery(Schema):
    brand: int | None = Field(None, ge=1, le=2**62)
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None


class TopicMembersQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class TopicNpsOut(Schema):
    value: float | None
    responses: int
    detractors: int


class TopicCsatOut(Schema):
    value: float | None
    responses: int


class TopicOut(Schema):
    id: int
    brand_id: int
    label: str
    terms: list[str]
    example: str
    example_conversation_id: int | None
    size: int  # texts in the window of the last run
    volume: int  # texts in from … to (the window when not given)
    conversations: int
    customers: int
    weekly: list[int]
    week_change: float | None
    nps: TopicNpsOut
    csat: TopicCsatOut
    sentiment: float | None
    languages: dict[str, int]
    lift: float | None
    is_driver: bool
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    computed_at: dt.datetime | None


class TopicDriverOut(Schema):
    topic_id: int
    label: str
    detractors: int
    responses: int
    lift: float


class TopicsOut(Schema):
    items: list[TopicOut]
    drivers: list[TopicDriverOut]


class TopicMemberOut(Schema):
    kind: str
    conversation_id: int
    conversation_number: int
    customer_id: int
    customer_name: str
    response_id: int | None
    text: str
    language: str
    similarity: float
    at: dt.datetime


class TopicDetailOut(Page):
    topic: TopicOut
    members: list[TopicMemberOut]


def report_brand_ids(agent: Agent, brand: int | None) -> list[int]:
    """The brands whose topics ``agent`` reads: the one named (403 unless supervisor+ of
    it), or every brand they supervise (403 when none)."""
    if brand is not None:
        permissions.check_sees_reports(agent, brand)
        return [brand]
    brands = sorted(permissions.report_brands(agent))
    if not brands:
        raise Forbidden(_("Only supervisors and administrators see the reports."))
    return brands


def topics_for(
    agent: Agent, brand: int | None, start: dt.date | None, end: dt.date | None
) -> QuerySet[Topic]:
    """The active topics, each with ``volume`` (its texts from ``start`` to ``end``)."""
    rows = Topic.objects.filter(brand_id__in=report_brand_ids(agent, brand), active=True)
    if start is None and end is None:
        return rows.annotate(volume=Count("members")).order_by("-size", "id")
    where = Q()
    if start is not None:
        where &= Q(members__at__date__gte=check_date(start, "from"))
    if end is not None:
        where &= Q(members__at__date__lte=check_date(end, "to"))
    return (
        rows.annotate(volume=Count("members", filter=where))
        .filter(volume__gt=0)
        .order_by("-volume", "id")
    )


def topic_out(t: Topic) -> TopicOut:
    return TopicOut(
        id=t.pk,
        brand_id=t.brand_id,
        label=t.label,
        terms=list(t.terms or []),
        example=t.example,
        example_conversation_id=t.example_conversation_id,
        size=t.size,
        volume=int(getattr(t, "volume", t.size)),
        conversations=t.conversations,
        customers=t.customers,
        weekly=list(t.weekly or []),
        week_change=t.week_change,
        nps=TopicNpsOut(value=t.nps, responses=t.nps_responses, detractors=t.detractors),
        csat=TopicCsatOut(value=t.csat, responses=t.csat_responses),
        sentiment=t.sentiment,
        languages=dict(t.languages or {}),
        lift=t.lift,
        is_driver=t.is_driver,
        window_start=t.window_start,
        window_end=t.window_end,
        computed_at=t.computed_at,
    )


def drivers_of(topics: list[Topic]) -> list[TopicDriverOut]:
    """The drivers of detractors among ``topics``, the highest lift first."""
    found = [t for t in topics if t.is_driver and t.lift is not None]
    found.sort(key=lambda t: (-(t.lift or 0.0), -t.detractors, t.pk))
    return [
        TopicDriverOut(
            topic_id=t.pk,
            label=t.label,
            detractors=t.detractors,
            responses=t.nps_responses,
            lift=float(t.lift or 0.0),
        )
        for t in found
    ]


def get_topic(agent: Agent, topic_id: int) -> Topic:
    """One topic: 404 when it does not exist, 403 unless supervisor+ of its brand."""
    topic = permissions.get_for_agent(Topic.objects.all(), agent, topic_id)
    permissions.check_sees_reports(agent, topic.brand_id)
    return topic


def members_of(topic: Topic) -> QuerySet[TopicMember]:
    return (
        TopicMember.objects.filter(topic=topic)
        .select_related("conversation", "customer")
        .order_by("-at", "-id")
    )


def member_out(m: TopicMember) -> TopicMemberOut:
    return TopicMemberOut(
        kind=m.kind,
        conversation_id=m.conversation_id,
        conversation_number=m.conversation.number,
        customer_id=m.customer_id,
        customer_name=m.customer.name,
        response_id=m.response_id,
        text=m.text,
        language=m.language,
        similarity=m.similarity,
        at=m.at,
    )


@router.get("/topics", response={200: TopicsOut, **ERRORS})
def list_topics(request: HttpRequest, filters: Query[TopicsQuery]) -> TopicsOut:
    rows = list(topics_for(me(request), filters.brand, filters.from_, filters.to))
    return TopicsOut(items=[topic_out(t) for t in rows], drivers=drivers_of(rows))


@router.get("/topics/{topic_id}", response={200: TopicDetailOut, **ERRORS})
def topic_detail(
    request: HttpRequest, topic_id: int, filters: Query[TopicMembersQuery]
) -> TopicDetailOut:
    topic = get_topic(me(request), topic_id)
    members = members_of(topic)
    start = (filters.page - 1) * filters.page_size
    page: list[Any] = list(members[start : start + filters.page_size])
    return TopicDetailOut(
        topic=topic_out(topic),
        members=[member_out(m) for m in page],
        total=members.count(),
        page=filters.page,
        page_size=filters.page_size,
    )
