"""Training in a real browser, on the real demo: a trainee opens the scenario they were
assigned, made from a demo conversation with no personal data left in it, plays it to the
end with the keyboard and sees the score and the expected resolution; the supervisor then
sees the progress on the team page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from tests.web.pages import LoginPage
from tests.web.pages_training import TeamPage, TrainingHome
from wowdesk.core.models import Brand
from wowdesk.demo import catalog
from wowdesk.demo.seed import DemoSize, seed_demo
from wowdesk.training.models import Assignment, ScenarioSource, TrainingSession


@pytest.fixture
def demo(transactional_db: None) -> Brand:
    seed_demo(DemoSize(customers=8, conversations=60), seed=5, console=Console(file=io.StringIO()))
    return Brand.objects.get(slug="acme")


def test_a_trainee_plays_a_scenario_made_from_a_demo_conversation(page: Any, demo: Brand) -> None:
    assignment = (
        Assignment.objects.filter(
            brand=demo, scenario__source=ScenarioSource.CONVERSATION, status="assigned"
        )
        .select_related(
            "scenario",
            "trainee__user",
            "assigned_by__user",
            "scenario__source_conversation__customer",
        )
        .order_by("id")
        .first()
    )
    assert assignment is not None
    scenario, trainee = assignment.scenario, assignment.trainee
    customer = scenario.source_conversation.customer  # type: ignore[union-attr]

    LoginPage(page).open().login(trainee.user.email, catalog.DEMO_PASSWORD)
    home = TrainingHome(page).open()
    assert scenario.title in home.assignment(assignment.pk).inner_text()
    play = home.start(assignment.pk)
    shown = play.text()
    assert scenario.opening.split()[0] in shown
    for secret in (customer.name, customer.email, customer.phone):
        for part in (secret or "").split():
            if len(part) > 2:
                assert part not in shown, part
    assert play.mood()
    play.say("I am so sorry for the trouble, I understand how annoying this is.")
    if not play.closed():
        play.say(scenario.expected_resolution or "I will fix this for you today.")
    result = play.finish()
    score = result.score()
    assert 0 <= score <= 100
    assert set(result.feedback()) >= {"empathy", "resolution"}
    shown_resolution = " ".join(result.expected_resolution().split())
    assert shown_resolution == (" ".join(scenario.expected_resolution.split()) or "—")
    session = TrainingSession.objects.get(trainee=trainee, assignment=assignment)
    assert session.status == "finished" and round(session.score or 0) == score
    assignment.refresh_from_db()
    assert assignment.status == "done"
    assert home.open().session_score(session.pk).startswith(str(score))

    # the supervisor who assigned it sees the progress
    page.context.clear_cookies()
    LoginPage(page).open().login(assignment.assigned_by.user.email, catalog.DEMO_PASSWORD)  # type: ignore[union-attr]
    team = TeamPage(page).open(f"brand={demo.pk}")
    row = team.row(trainee.pk)
    assert int(row["done"]) >= 1 and int(row["sessions"]) >= 1 and row["average"] != "—"
    assert team.chart_drawn()
