"""The rules of closing the loop, each asserted on its outcome: which answers open a
follow-up, its deadline, who gets it, the why, changed answers; check-ins after hard
cases; warranty tasks; the overdue alert, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import quick_conversation
from tests.surveys.answers import answer
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core import services as core
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, Alert, AlertKind, Brand, Role
from wowdesk.customers import services as customers
from wowdesk.customers.models import Purchase
from wowdesk.notifications.models import Kind, Notification
from wowdesk.surveys import followup_queries, followup_services, followups
from wowdesk.surveys.models import FollowUp, FollowUpKind, SurveySettings

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


def settings_of(brand: Brand, **values: Any) -> SurveySettings:
    row, _ = SurveySettings.objects.update_or_create(brand=brand, inbox=None, defaults=values)
    return row


def answered(
    commits: Callable[[], Any], conversation: Conversation, kind: str, score: int, **kw: Any
) -> FollowUp | None:
    with commits():
        response = answer(conversation, kind, score, **kw)
    return FollowUp.objects.filter(response=response).first()


@pytest.mark.parametrize(
    ("kind", "score", "opens"),
    [
        ("nps", 0, True),
        ("nps", 6, True),
        ("nps", 7, False),
        ("nps", 10, False),
        ("csat", 1, True),
        ("csat", 2, True),
        ("csat", 3, False),
        ("ces", 1, True),
        ("ces", 3, True),
        ("ces", 4, False),
    ],
)
def test_each_unhappy_answer_opens_one_follow_up_and_happy_ones_none(
    brand: Brand, commits: Callable[[], Any], kind: str, score: int, opens: bool
) -> None:
    conversation = quick_conversation(brand)
    followup = answered(commits, conversation, kind, score, comment="Too slow")
    assert (followup is not None) is opens
    if followup is not None:
        assert followup.kind == FollowUpKind.DETRACTOR
        assert followup.status == "open"
        assert followup.conversation_id == conversation.pk
        assert followup.customer_id == conversation.customer_id
        assert followup.reason == "Too slow"


def test_the_rule_switched_off_opens_nothing(brand: Brand, commits: Callable[[], Any]) -> None:
    settings_of(brand, followup_detractors=False)
    assert answered(commits, quick_conversation(brand), "nps", 0) is None


def test_the_deadline_is_the_brands_hours_after_the_answer(
    brand: Brand, commits: Callable[[], Any]
) -> None:
    settings_of(brand, followup_hours=6)
    conversation = quick_conversation(brand)
    with time_machine.travel(T, tick=False):
        followup = answered(commits, conversation, "csat", 1)
    assert followup is not None
    assert followup.due_at == T + dt.timedelta(hours=6)


def test_the_team_lead_gets_it_else_the_least_busy_supervisor_else_nobody(
    brand: Brand, make_agent: Callable[..., Agent], commits: Callable[[], Any]
) -> None:
    lead = make_agent(Role.AGENT)
    team = core.create_team(
        brand_id=brand.pk, name="Care", description="", member_ids=[], actor=None
    )
    core.update_team(team, actor=None, lead_id=lead.pk)
    first = quick_conversation(brand)
    # no supervisor and no team: nobody
    f = answered(commits, first, "nps", 2)
    assert f is not None and f.assignee_id is None
    # the team's lead
    followup = answered(commits, quick_conversation(brand), "nps", 2, team_id=team.pk)
    assert followup is not None and followup.assignee_id == lead.pk
    assert followup.team_id == team.pk
    # an inactive lead: the supervisor with the fewest open follow-ups
    busy = make_agent(Role.SUPERVISOR)
    calm = make_agent(Role.SUPERVISOR)
    followup_services.reassign_followup(f, assignee_id=busy.pk)
    core.update_agent(lead, actor=None, is_active=False)
    followup = answered(commits, quick_conversation(brand), "ces", 1, team_id=team.pk)
    assert followup is not None and followup.assignee_id == calm.pk


def test_a_why_added_later_updates_the_reason_and_a_happier_answer_leaves_a_note(
    brand: Brand, commits: Callable[[], Any], event_log: Any
) -> None:
    conversation = quick_conversation(brand)
    first = answered(commits, conversation, "nps", 3)
    assert first is not None and first.reason == ""
    again = answered(commits, conversation, "nps", 3, comment="Nadie me respondió")
    assert again is not None and again.pk == first.pk
    assert again.reason == "Nadie me respondió"
    changed = answered(commits, conversation, "nps", 9)
    assert changed is not None and changed.pk == first.pk
    assert changed.status == "open"
    assert changed.reason.startswith("Nadie me respondió\n")
    assert "NPS 9" in changed.reason
    assert FollowUp.objects.count() == 1
    kinds = [p["status"] for p in event_log.of("followup.updated")]
    assert kinds == ["open", "open"]
    assert len(event_log.of("followup.created")) == 1


# --- check-ins ------------------------------------------------------------------------------


def resolve(conversation: Conversation, agent: Agent) -> Conversation:
    conversations.update_conversation(conversation, actor=agent, status="resolved")
    conversation.refresh_from_db()
    return conversation


def test_a_check_in_follows_a_hard_case_after_the_days_for_the_agent_who_handled_it(
    brand: Brand, make_agent: Callable[..., Agent], commits: Callable[[], Any]
) -> None:
    settings_of(brand, checkin_days=3)
    handler = make_agent(Role.AGENT)
    with time_machine.travel(T, tick=False):
        reopened = quick_conversation(brand, body="The app crashes")
        conversations.update_conversation(reopened, actor=handler, assignee_id=handler.pk)
        resolve(reopened, handler)
        # the customer writes again: reopened, then resolved again
        conversations.append_incoming(
            reopened,
            reopened.customer,
            conversations.IncomingMessage(body="Still crashing", channel="api"),
        )
        reopened.refresh_from_db()
        resolve(reopened, handler)
        easy = quick_conversation(brand, body="Where is my invoice?")
        resolve(easy, handler)
        angry = quick_conversation(brand, body="This is OUTRAGEOUS!!!")
        first = Message.objects.filter(conversation=angry).first()
        assert first is not None
        conversations.annotate_messages([(first, {"emotion_label": "angry", "emotion": -0.9})])
        resolve(angry, handler)
    with time_machine.travel(T + dt.timedelta(days=2), tick=False), commits():
        assert followups.run_checkins() == 0  # not yet
    with time_machine.travel(T + dt.timedelta(days=3, minutes=1), tick=False), commits():
        assert followups.run_checkins() == 2
        assert followups.run_checkins() == 0  # once per resolution
    tasks = {f.conversation_id: f for f in FollowUp.objects.filter(kind=FollowUpKind.CHECKIN)}
    assert set(tasks) == {reopened.pk, angry.pk}
    assert tasks[reopened.pk].assignee_id == handler.pk
    assert tasks[reopened.pk].details["criteria"] == ["reopened"]
    assert tasks[angry.pk].details["criteria"] == ["angry"]
    message = followups.prepared_message(tasks[angry.pk])
    assert "did our fix work?" in message and brand.name in message


def test_a_long_case_gets_a_check_in_and_none_when_the_rule_is_off(
    brand: Brand, make_agent: Callable[..., Agent], commits: Callable[[], Any]
) -> None:
    handler = make_agent(Role.AGENT)
    with time_machine.travel(T, tick=False):
        long_one = quick_conversation(brand)
    with time_machine.travel(T + dt.timedelta(days=followups.LONG_DAYS), tick=False):
        resolve(long_one, handler)
    later = T + dt.timedelta(days=followups.LONG_DAYS + 4)
    settings_of(brand, checkin_enabled=False)
    with time_machine.travel(later, tick=False), commits():
        assert followups.run_checkins() == 0
    settings_of(brand, checkin_enabled=True)
    with time_machine.travel(later, tick=False), commits():
        assert followups.run_checkins() == 1
    task = FollowUp.objects.get(kind=FollowUpKind.CHECKIN)
    assert task.details["criteria"] == ["long"]


def test_the_hard_case_criteria() -> None:
    t = T
    assert (
        followups.hard_case_criteria(
            reopened=False, message_count=2, opened=t, resolved=t + dt.timedelta(hours=1), label=""
        )
        == []
    )
    assert followups.hard_case_criteria(
        reopened=False,
        message_count=followups.LONG_MESSAGES,
        opened=t,
        resolved=t,
        label="frustrated",
    ) == ["long", "angry"]


# --- warranty -------------------------------------------------------------------------------


def test_warranty_tasks_are_off_by_default_then_once_per_purchase(
    brand: Brand, make_agent: Callable[..., Agent], commits: Callable[[], Any]
) -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    conversation = quick_conversation(brand)
    customer = conversation.customer
    soon = customers.add_purchase(
        customer,
        customers.PurchaseInput(product="Lamp X2", warranty_until=T.date() + dt.timedelta(days=10)),
        actor=None,
    )
    customers.add_purchase(
        customer,
        customers.PurchaseInput(product="Sofa", warranty_until=T.date() + dt.timedelta(days=90)),
        actor=None,
    )
    with time_machine.travel(T, tick=False), commits():
        assert followups.run_warranty() == 0  # off by default
    settings_of(brand, warranty_enabled=True, warranty_days_before=30, warranty_action="offer")
    with time_machine.travel(T, tick=False), commits():
        assert followups.run_warranty() == 1
        assert followups.run_warranty() == 0
    task = FollowUp.objects.get(kind=FollowUpKind.WARRANTY)
    assert task.purchase_id == soon.pk
    assert task.assignee_id == supervisor.pk
    assert task.conversation_id == conversation.pk
    assert "Lamp X2" in followups.prepared_message(task)
    assert Purchase.objects.count() == 2


# --- overdue --------------------------------------------------------------------------------


def test_an_overdue_follow_up_tells_its_assignee_and_the_supervisors_once(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent], commits: Callable[[], Any]
) -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    other_supervisor = make_agent(Role.SUPERVISOR, brands=[other_brand])
    lead = make_agent(Role.AGENT)
    team = core.create_team(
        brand_id=brand.pk, name="Care", description="", member_ids=[], actor=None
    )
    core.update_team(team, actor=None, lead_id=lead.pk)
    conversation = quick_conversation(brand)
    with time_machine.travel(T, tick=False):
        followup = answered(commits, conversation, "nps", 1, team_id=team.pk)
    assert followup is not None and followup.assignee_id == lead.pk
    with time_machine.travel(T + dt.timedelta(hours=47), tick=False), commits():
        assert followups.run_overdue() == 0
    with time_machine.travel(T + dt.timedelta(hours=49), tick=False), commits():
        assert followups.run_overdue() == 1
        assert followups.run_overdue() == 0
    told = set(
        Notification.objects.filter(kind=Kind.FOLLOWUP_OVERDUE).values_list("agent_id", flat=True)
    )
    assert told == {lead.pk, supervisor.pk}
    assert other_supervisor.pk not in told
    alert = Alert.objects.get(kind=AlertKind.FOLLOWUP_OVERDUE)
    assert alert.brand_id == brand.pk and alert.conversation_id == conversation.pk
    followup.refresh_from_db()
    assert followup.overdue_alerted_at is not None


def test_closed_follow_ups_never_alert_and_a_reopened_one_gets_a_new_deadline(
    brand: Brand, make_agent: Callable[..., Agent], commits: Callable[[], Any]
) -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    with time_machine.travel(T, tick=False):
        followup = answered(commits, quick_conversation(brand), "csat", 1)
    assert followup is not None
    with commits():
        followup_services.close_followup(followup, actor=supervisor, outcome="Called back")
    with time_machine.travel(T + dt.timedelta(days=5), tick=False), commits():
        assert followups.run_overdue() == 0
        followup_services.reopen_followup(followup, actor=supervisor)
    assert followup.due_at == T + dt.timedelta(days=5, hours=48)
    assert followup.done_at is None and followup.status == "open"


# --- the list's filters ---------------------------------------------------------------------


@given(
    status=st.text(max_size=10),
    assignee=st.text(max_size=24),
    kind=st.text(max_size=10),
    overdue=st.text(max_size=6),
    brand=st.text(max_size=24),
)
def test_any_filter_is_read_or_refused_naming_its_field(
    status: str, assignee: str, kind: str, overdue: str, brand: str
) -> None:
    try:
        f = followup_queries.parse_filter(
            status=status, assignee=assignee, kind=kind, overdue=overdue, brand=brand
        )
    except InvalidInput as exc:
        assert exc.field in {"status", "assignee", "kind", "overdue", "brand"}
        return
    assert f.status in ("", "open", "done")
    assert f.kind in ("", "detractor", "checkin", "warranty")
    assert f.assignee in ("", "me", "none") or 0 < int(f.assignee) < 2**62
    assert f.brand_id is None or 0 < f.brand_id < 2**62


@given(kind=st.sampled_from(["nps", "csat", "ces"]), score=st.integers(-5, 15))
def test_unhappy_is_the_bottom_of_each_scale(kind: str, score: int) -> None:
    limit = {"nps": 6, "csat": 2, "ces": 3}[kind]
    assert followup_services.is_unhappy(kind, score) is (score <= limit)
