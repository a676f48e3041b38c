"""The review queue: each signal detected on a conversation built to have it, the random
sample stable through the day, reviewed conversations leave, scoping and the query count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.quality.helpers import resolved
from tests.surveys.answers import answer
from wowdesk.analytics import rollups
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.policies.models import Approval, Grant
from wowdesk.quality import queue, services, signals

pytestmark = pytest.mark.django_db


@pytest.fixture
def veteran(make_agent: Callable[..., Agent]) -> Agent:
    a = make_agent(Role.AGENT)
    # no service sets the start date yet (core.services.AGENT_FIELDS): test data only
    Agent.objects.filter(pk=a.pk).update(hired_on=dt.date(2015, 1, 1))
    a.refresh_from_db()
    return a


def say(c: Conversation, body: str) -> Message:
    return conversations.append_incoming(
        c, c.customer, conversations.IncomingMessage(body=body, channel="api")
    )


def item(brand: Brand, c: Conversation, **kw: Any) -> queue.QueueItem | None:
    found = [i for i in queue.queue({brand.pk}, limit=100, sample_rate=0, **kw)]
    return next((i for i in found if i.conversation.pk == c.pk), None)


def test_each_signal_is_detected(
    brand: Brand, veteran: Agent, make_agent: Callable[..., Agent], monkeypatch: Any
) -> None:
    plain = resolved(brand, veteran)
    assert item(brand, plain) is None  # nothing special, not sampled

    # emotion falling: calm first message, angry last one
    moody = resolved(brand, veteran)
    first = Message.objects.filter(conversation=moody).first()
    assert first is not None
    last = say(moody, "This is the THIRD time!!!")
    moody.refresh_from_db()
    assert moody.status == "open"  # the customer's message reopened it
    conversations.update_conversation(moody, actor=None, status="resolved")
    conversations.annotate_messages([(first, {"emotion": 0.2}), (last, {"emotion": -0.8})])
    rollups.refresh([moody.pk])
    found = item(brand, moody)
    assert found is not None and found.signals == ["emotion_falling", "reopened"]
    assert found.pre_score == signals.WEIGHTS["emotion_falling"] + signals.WEIGHTS["reopened"]

    # a detractor answer
    sad = resolved(brand, veteran)
    answer(sad, "nps", 3)
    found = item(brand, sad)
    assert found is not None and found.signals == ["detractor"]
    assert "low survey score" in found.reasons[0]

    # a grant that needed an approval
    granted = resolved(brand, veteran)
    g = Grant.objects.create(
        brand=brand, conversation=granted, agent=veteran, action="refund", reason="broken"
    )
    Approval.objects.create(brand=brand, grant=g, requested_by=veteran, why="limit")
    found = item(brand, granted)
    assert found is not None and found.signals == ["grant_above_limit"]

    # long
    monkeypatch.setattr(signals, "LONG_MESSAGES", 2)
    chatty = resolved(brand, veteran)
    conversations.add_reply(chatty, author=veteran, body="Hello")
    found = item(brand, chatty)
    assert found is not None and "long" in found.signals
    monkeypatch.setattr(signals, "LONG_MESSAGES", 20)

    # a new agent
    rookie = make_agent(Role.AGENT)
    fresh = resolved(brand, rookie)
    found = item(brand, fresh)
    assert found is not None and found.signals == ["new_agent"]

    # highest pre-score first
    order = [i.conversation.pk for i in queue.queue({brand.pk}, limit=100, sample_rate=0)]
    assert order[0] == moody.pk

    # reviewed: leaves the queue; another brand's never shows
    sup = make_agent(Role.SUPERVISOR)
    services.create_review(
        conversation=sad, scorecard=services.default_scorecard(brand.pk), reviewer=sup, scores={}
    )
    assert item(brand, sad) is None
    # older than the window: gone
    later = timezone.now() + dt.timedelta(days=queue.DAYS + 1)
    assert item(brand, moody, now=later) is None


def test_random_sample_is_stable_for_the_day() -> None:
    day = dt.date(2026, 3, 4)
    picked = [i for i in range(2000) if signals.in_sample(i, day)]
    assert picked == [i for i in range(2000) if signals.in_sample(i, day)]
    assert 120 < len(picked) < 280  # about 10 %
    other_day = [i for i in range(2000) if signals.in_sample(i, day + dt.timedelta(days=1))]
    assert other_day != picked
    assert not any(signals.in_sample(i, day, 0) for i in range(100))


def test_ordinary_conversations_are_sampled(brand: Brand, veteran: Agent) -> None:
    cs = [resolved(brand, veteran) for _ in range(4)]
    got = queue.queue({brand.pk}, limit=100, sample_rate=1.0)
    assert {i.conversation.pk for i in got} >= {c.pk for c in cs}
    assert all(i.pre_score == 0 or "sample" in i.signals for i in got)


def test_the_queue_costs_one_query_whatever_its_size(
    brand: Brand, veteran: Agent, django_assert_num_queries: Any
) -> None:
    resolved(brand, veteran)
    with django_assert_num_queries(1):
        assert len(queue.queue({brand.pk}, limit=50, sample_rate=1.0)) == 1
    for _ in range(6):
        resolved(brand, veteran)
    with django_assert_num_queries(1):
        assert len(queue.queue({brand.pk}, limit=50, sample_rate=1.0)) == 7


def test_queue_api_per_role(brand: Brand, other_brand: Brand, people: dict[str, Any]) -> None:
    a, api = people["agents"], people["api"]
    c = resolved(brand, a["agent"])  # a new agent: queued
    theirs = resolved(other_brand, a["their_agent"])
    assert api["agent"].get("/qa/queue").status_code == 403
    assert api["supervisor"].get("/qa/queue", brand=other_brand.pk).status_code == 403
    for who in ("supervisor", "admin"):
        r = api[who].get("/qa/queue", limit=10)
        assert r.status_code == 200, r.content
        rows = r.json()
        assert [x["conversation_id"] for x in rows] == [c.pk]
        assert "new_agent" in rows[0]["signals"] and rows[0]["pre_score_is_a_hint"] is True
    assert [x["conversation_id"] for x in api["their_supervisor"].get("/qa/queue").json()] == [
        theirs.pk
    ]
    assert api["supervisor"].get("/qa/queue", limit=0).status_code == 422
