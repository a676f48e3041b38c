"""The follow-ups page, its actions, the conversation's panel and the team lead field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import quick_conversation
from tests.surveys.answers import answer
from wowdesk.conversations.models import Direction, Message
from wowdesk.core import services as core
from wowdesk.core.models import Agent, Brand, Role, Team
from wowdesk.surveys import followup_services
from wowdesk.surveys.delivery import survey_url
from wowdesk.surveys.models import FollowUp, FollowUpKind

pytestmark = pytest.mark.django_db


def login(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


def task(
    brand: Brand, assignee: Agent | None = None, *, hours: int = 24, kind: str = "detractor"
) -> FollowUp:
    conversation = quick_conversation(brand)
    return followup_services.create_followup(
        brand_id=brand.pk,
        kind=kind,
        due_at=timezone.now() + dt.timedelta(hours=hours),
        reason="Nobody called me back",
        conversation_id=conversation.pk,
        customer_id=conversation.customer_id,
        assignee=assignee,
        details={"criteria": ["reopened"]} if kind == FollowUpKind.CHECKIN else {},
    )


def test_agents_see_theirs_supervisors_the_brands_overdue_first(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    agent = make_agent(Role.AGENT)
    supervisor = make_agent(Role.SUPERVISOR)
    mine = task(brand, agent)
    late = task(brand, None, hours=-3)
    other = task(other_brand, None)
    page = login(agent).get("/surveys/followups/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="followup-{mine.pk}"' in html and f'id="followup-{late.pk}"' not in html
    assert "Nobody called me back" in html
    html = login(supervisor).get("/surveys/followups/").content.decode()
    assert html.index(f'id="followup-{late.pk}"') < html.index(f'id="followup-{mine.pk}"')
    assert f'id="followup-{other.pk}"' not in html
    assert "data-overdue" in html
    assert login(supervisor).get("/surveys/followups/?status=x").status_code == 400


def test_closing_reopening_reassigning_and_sending_the_check_in(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    agent = make_agent(Role.AGENT)
    colleague = make_agent(Role.AGENT)
    supervisor = make_agent(Role.SUPERVISOR)
    outsider = make_agent(Role.SUPERVISOR, brands=[other_brand])
    theirs = task(brand, colleague)
    checkin = task(brand, agent, kind=FollowUpKind.CHECKIN)
    me = login(agent)
    # not mine: refused, nothing changes
    assert me.post(f"/surveys/followups/{theirs.pk}/close/", {"outcome": "x"}).status_code == 403
    assert (
        login(outsider).post(f"/surveys/followups/{theirs.pk}/close/", {"outcome": "x"}).status_code
        == 403
    )
    # send the prepared check-in once: a reply on the conversation
    sent = me.post(f"/surveys/followups/{checkin.pk}/send/")
    assert sent.status_code == 302
    reply = Message.objects.filter(conversation_id=checkin.conversation_id, direction=Direction.OUT)
    assert reply.count() == 1 and "did our fix work?" in reply.get().body
    assert me.post(f"/surveys/followups/{checkin.pk}/send/").status_code == 400
    # an empty outcome is refused, naming it
    empty = me.post(f"/surveys/followups/{checkin.pk}/close/", {"outcome": "  "})
    assert empty.status_code == 400 and "Say what came of it." in empty.content.decode()
    done = me.post(f"/surveys/followups/{checkin.pk}/close/", {"outcome": "It works now"})
    assert done.status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == "done" and checkin.outcome == "It works now"
    assert checkin.done_by_id == agent.pk
    boss = login(supervisor)
    assert boss.post(f"/surveys/followups/{checkin.pk}/reopen/").status_code == 302
    assert (
        boss.post(f"/surveys/followups/{theirs.pk}/reassign/", {"assignee": agent.pk}).status_code
        == 302
    )
    theirs.refresh_from_db()
    checkin.refresh_from_db()
    assert checkin.status == "open" and theirs.assignee_id == agent.pk
    # only supervisors reassign; only to agents of the brand
    assert me.post(f"/surveys/followups/{theirs.pk}/reassign/", {"assignee": ""}).status_code == 403
    assert (
        boss.post(
            f"/surveys/followups/{theirs.pk}/reassign/", {"assignee": outsider.pk}
        ).status_code
        == 400
    )


@pytest.mark.parametrize("n", [3, 30])
def test_the_page_costs_the_same_for_few_and_many(
    brand: Brand, make_agent: Callable[..., Agent], django_assert_max_num_queries: Any, n: int
) -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    for i in range(n):
        task(brand, supervisor if i % 2 else None, kind=("detractor", "checkin")[i % 2])
    client = login(supervisor)
    client.get("/surveys/followups/")
    with django_assert_max_num_queries(14):
        page = client.get("/surveys/followups/")
    assert page.content.decode().count('class="fu-item') == n


def test_the_conversation_panel_shows_its_surveys_and_follow_ups(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    conversation = quick_conversation(brand)
    with django_capture_on_commit_callbacks(execute=True):
        answer(conversation, "nps", 4, comment="Tardó demasiado")
    client = login(supervisor)
    page = client.get(f"/inbox/c/{conversation.pk}/")
    assert f"/surveys/c/{conversation.pk}/panel/" in page.content.decode()
    client.get(f"/surveys/c/{conversation.pk}/panel/")
    with django_assert_max_num_queries(9):
        panel = client.get(f"/surveys/c/{conversation.pk}/panel/")
    html = panel.content.decode()
    assert 'data-kind="nps"' in html and "Tardó demasiado" in html
    # the customer's link, to open or paste in a reply
    survey = conversation.surveys.get(kind="nps")
    link = survey_url(survey.pk).rsplit(":", 2)[0]  # the token's signed part changes by second
    assert f'href="{link}:' in html and "data-survey-link" in html
    assert FollowUp.objects.get().pk and "data-followup=" in html
    # in Chinese the kinds are words, as on the reports (净推荐值, not NPS)
    from tests.test_i18n import _chinese_client

    zh = _chinese_client(supervisor.user).get(f"/surveys/c/{conversation.pk}/panel/")
    assert "<strong>净推荐值</strong>" in zh.content.decode()
    outsider = login(make_agent(Role.SUPERVISOR, brands=[other_brand]))
    assert outsider.get(f"/surveys/c/{conversation.pk}/panel/").status_code == 404


def test_an_administrator_sets_the_team_lead(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = make_agent(Role.ADMIN)
    lead = make_agent(Role.AGENT, name="Lia Lead")
    team = core.create_team(brand_id=brand.pk, name="Care", description="", member_ids=[])
    client = login(admin)
    form = client.get(f"/settings/teams/{team.pk}/").content.decode()
    assert 'name="lead"' in form and "Lia Lead" in form
    saved = client.post(
        f"/settings/teams/{team.pk}/",
        {"name": "Care", "description": "", "required_skills": "", "lead": lead.pk},
    )
    assert saved.status_code == 302, saved.content.decode()[:500]
    assert Team.objects.get(pk=team.pk).lead_id == lead.pk


def test_the_panel_sends_a_scheduled_survey_now(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    commits: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tests.surveys.helpers import resolved, surveys_of

    supervisor = make_agent(Role.SUPERVISOR)
    conversation = resolved(brand, supervisor, commits)
    csat, _nps = surveys_of(conversation)
    assert csat.status == "scheduled"
    client = login(supervisor)
    panel = client.get(f"/surveys/c/{conversation.pk}/panel/").content.decode()
    assert f'action="/surveys/s/{csat.pk}/send/"' in panel and "data-survey-send" in panel
    outsider = login(make_agent(Role.SUPERVISOR, brands=[other_brand]))
    res = outsider.post(f"/surveys/s/{csat.pk}/send/")
    assert res.status_code == 302 and surveys_of(conversation)[0].status == "scheduled"
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post(f"/surveys/s/{csat.pk}/send/")
    assert res.status_code == 302 and res.url == f"/inbox/c/{conversation.pk}/"
    assert {s.status for s in surveys_of(conversation)} == {"sent"}
    assert client.post("/surveys/s/999999/send/").status_code == 404
    assert client.get(f"/surveys/s/{csat.pk}/send/").status_code == 405
