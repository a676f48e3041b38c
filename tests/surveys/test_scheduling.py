"""Surveys are scheduled when a conversation is resolved, once per resolution, after the
brand's delay; a reopened conversation's surveys expire; the throttle spares customers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import quick_conversation
from tests.surveys.helpers import HOUR, Commits, reopen, resolve, resolved, surveys_of
from wowdesk.conversations import bulk
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Message
from wowdesk.core import events
from wowdesk.core.models import Agent, Brand, Role, Site
from wowdesk.core.services import create_team
from wowdesk.surveys import scheduling, services
from wowdesk.surveys.models import Survey, SurveySettings

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


def test_a_fresh_brand_asks_csat_and_nps_one_hour_after_the_resolution(
    brand: Brand, agent: Agent, commits: Commits
) -> None:
    assert not SurveySettings.objects.filter(brand=brand).exists()
    with time_machine.travel(T, tick=False):
        conversation = resolved(brand, agent, commits, language="id")
    row = SurveySettings.objects.get(brand=brand, inbox=None)  # made on first use
    assert (row.kinds, row.delay_minutes, row.enabled) == (["csat", "nps"], 60, True)
    found = surveys_of(conversation)
    assert [s.kind for s in found] == ["csat", "nps"]
    for s in found:
        assert s.status == "scheduled"
        assert s.resolved_at == T
        assert s.scheduled_for == T + HOUR
        assert (s.agent_id, s.inbox_id, s.channel) == (agent.pk, conversation.inbox_id, "email")
        assert s.language == "id"
        assert s.customer_id == conversation.customer_id
    # not due before the hour is up; sent when it is
    with time_machine.travel(T + dt.timedelta(minutes=59), tick=False):
        assert services.send_due() == 0
    with time_machine.travel(T + HOUR, tick=False):
        assert scheduling.run() == {"sent": 1, "expired": 0}
    assert {s.status for s in surveys_of(conversation)} == {"sent"}


def test_the_fields_of_the_time_are_copied(
    brand: Brand, make_agent: Callable[..., Agent], commits: Commits
) -> None:
    site = Site.objects.create(name="Jakarta", timezone="Asia/Jakarta")
    agent = make_agent(Role.AGENT, site_id=site.pk)
    team = create_team(brand_id=brand.pk, name="Tier 2")
    conversation = quick_conversation(brand, channel="chat")
    conversations.update_conversation(
        conversation, actor=None, team_id=team.pk, assignee_id=agent.pk
    )
    conversations.add_reply(conversation, author=agent, body="Done.")
    from wowdesk.knowledge.models import BotSession

    BotSession.objects.create(
        brand=brand, conversation=conversation, intent="refund", inbox=conversation.inbox
    )
    resolve(conversation, agent, commits)
    (s, _nps) = surveys_of(conversation)
    assert (s.team_id, s.site_id, s.intent, s.channel) == (team.pk, site.pk, "refund", "chat")
    # later changes of the conversation do not move the survey
    conversations.update_conversation(conversation, actor=None, team_id=None)
    s.refresh_from_db()
    assert s.team_id == team.pk


def test_a_reopened_conversation_is_not_surveyed_until_resolved_again(
    brand: Brand, agent: Agent, commits: Commits
) -> None:
    with time_machine.travel(T, tick=False):
        conversation = resolved(brand, agent, commits)
    with time_machine.travel(T + dt.timedelta(minutes=30), tick=False):
        reopen(conversation, agent, commits)
    first = surveys_of(conversation)
    assert {(s.status, s.expired_reason) for s in first} == {("expired", "reopened")}
    with time_machine.travel(T + 2 * HOUR, tick=False):
        assert services.send_due() == 0  # nothing went out
        resolve(conversation, agent, commits)
    again = [s for s in surveys_of(conversation) if s.status == "scheduled"]
    assert len(again) == 2
    assert {s.resolved_at for s in again} == {T + 2 * HOUR}
    assert {s.scheduled_for for s in again} == {T + 3 * HOUR}
    # the same resolution is never surveyed twice
    assert services.schedule_resolved([conversation.pk]) == 2
    assert Survey.objects.filter(conversation=conversation).count() == 4


def test_a_customer_reopening_by_writing_again_expires_the_surveys_at_send_time(
    brand: Brand, agent: Agent, commits: Commits
) -> None:
    with time_machine.travel(T, tick=False):
        conversation = resolved(brand, agent, commits)
        customer = conversation.customer
        conversations.append_incoming(
            conversation,
            customer,
            conversations.IncomingMessage(body="Still broken", channel="email"),
        )
    with time_machine.travel(T + HOUR, tick=False):
        assert services.send_due() == 0
    assert {(s.status, s.expired_reason) for s in surveys_of(conversation)} == {
        ("expired", "reopened")
    }


def test_the_throttle_spares_a_customer_surveyed_lately(
    brand: Brand, agent: Agent, admin: Agent, commits: Commits
) -> None:
    services.do_patch_settings(admin, brand.pk, {"throttle_days": 30})
    with time_machine.travel(T, tick=False):
        first = resolved(brand, agent, commits, email="ana@example.com")
    with time_machine.travel(T + dt.timedelta(days=10), tick=False):
        second = resolved(brand, agent, commits, email="ana@example.com")
    assert first.customer_id == second.customer_id
    assert {s.status for s in surveys_of(first)} == {"scheduled"}
    assert {(s.status, s.expired_reason) for s in surveys_of(second)} == {("expired", "throttled")}
    with time_machine.travel(T + dt.timedelta(days=31), tick=False):
        third = resolved(brand, agent, commits, email="ana@example.com")
    assert {s.status for s in surveys_of(third)} == {"scheduled"}


def test_delay_kinds_and_switch_per_inbox(
    brand: Brand, agent: Agent, admin: Agent, commits: Commits
) -> None:
    services.do_patch_settings(admin, brand.pk, {"delay_minutes": 0, "kinds": ["ces"]})
    chat_inbox = conversations.default_inbox(brand.pk, "chat")
    services.do_patch_settings(admin, brand.pk, {"enabled": False}, inbox_id=chat_inbox.pk)
    with time_machine.travel(T, tick=False):
        mail = resolved(brand, agent, commits)
        chat = resolved(brand, agent, commits, channel="chat")
    (ces,) = surveys_of(mail)
    assert (ces.kind, ces.scheduled_for) == ("ces", T)
    assert surveys_of(chat) == []
    # the override dropped: the inbox follows the brand again
    assert services.do_drop_override(admin, brand.pk, chat_inbox.pk)
    reopen(chat, agent, commits)
    resolve(chat, agent, commits)
    assert [s.kind for s in surveys_of(chat)] == ["ces"]


def test_switched_off_brand_makes_no_survey(
    brand: Brand, agent: Agent, admin: Agent, commits: Commits
) -> None:
    services.do_patch_settings(admin, brand.pk, {"enabled": False})
    assert surveys_of(resolved(brand, agent, commits)) == []


def measure(admin: Agent, ids: list[int], capture: Any) -> int:
    with CaptureQueriesContext(connection) as done, capture(execute=True):
        result = bulk.bulk_update(admin, bulk.parse_changes({"status": "resolved"}, admin), ids=ids)
    assert result.updated == ids
    return len(done.captured_queries)


def test_bulk_resolve_schedules_in_a_constant_number_of_queries(
    brand: Brand, make_agent: Callable[..., Agent], django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_agent(Role.ADMIN)
    rows = [quick_conversation(brand) for _ in range(112)]
    ids = [c.pk for c in rows]
    measure(admin, ids[:2], django_capture_on_commit_callbacks)  # caches warm
    with events.isolated("wowdesk.surveys"):  # this part's listener alone
        ten = measure(admin, ids[2:12], django_capture_on_commit_callbacks)
        hundred = measure(admin, ids[12:112], django_capture_on_commit_callbacks)
    assert ten == hundred
    assert Survey.objects.filter(conversation_id__in=ids).count() == 2 * 112


def test_a_batch_never_splits_one_resolutions_surveys(
    brand: Brand, agent: Agent, commits: Commits
) -> None:
    with time_machine.travel(T, tick=False):
        rows = [resolved(brand, agent, commits) for _ in range(3)]
    with time_machine.travel(T + HOUR, tick=False):
        assert services.send_due(limit=1) == 1  # 3 rows fetched, 2 groups: the cut one waits
        assert services.send_due(limit=1) == 1
        assert services.send_due(limit=5) == 1
    for conversation in rows:
        first, second = surveys_of(conversation)
        assert first.status == second.status == "sent"
        assert first.message_id == second.message_id


def test_surveys_another_worker_took_are_left_to_it(
    brand: Brand, agent: Agent, commits: Commits
) -> None:
    with time_machine.travel(T, tick=False):
        conversation = resolved(brand, agent, commits)
    stale = surveys_of(conversation)  # read by this worker
    with time_machine.travel(T + HOUR, tick=False):
        assert services.send_due() == 1  # sent by "another" worker
        with pytest.raises(services.Taken):
            services._send_group(stale, T + HOUR)
    (message_id,) = {s.message_id for s in surveys_of(conversation)}
    assert Message.objects.filter(conversation=conversation, meta__system="survey").count() == 1
    assert message_id is not None
