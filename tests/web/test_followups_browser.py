"""The follow-ups page in a real browser: a supervisor finds the unhappy customer's
follow-up (overdue first, the why and the score), closes it with an outcome, and finds it
among the done ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import quick_conversation
from tests.surveys.answers import answer
from tests.web.pages import LoginPage
from tests.web.pages_followups import FollowUpsPage
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.surveys.models import FollowUp

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def supervisor_page(page: Any, brand: Brand, make_agent: Callable[..., Agent]) -> Any:
    make_agent(Role.SUPERVISOR, email="sol@example.com", name="Sol", password=PASSWORD)
    LoginPage(page).open().login("sol@example.com", PASSWORD)
    return page


def test_a_supervisor_closes_a_follow_up_with_an_outcome(
    supervisor_page: Any, brand: Brand, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = quick_conversation(brand, subject="Lamp broken again")
    with django_capture_on_commit_callbacks(execute=True):
        answer(conversation, "nps", 3, comment="Tidak ada yang membalas email saya")
    followup = FollowUp.objects.get(conversation=conversation)
    page = FollowUpsPage(supervisor_page).open()
    assert page.ids() == [followup.pk]
    assert page.reason(followup.pk) == "Tidak ada yang membalas email saya"
    assert page.score(followup.pk) == "NPS 3"
    page.close(followup.pk, "Called Ana, sent a new lamp")
    followup.refresh_from_db()
    assert followup.status == "done" and followup.outcome == "Called Ana, sent a new lamp"
    assert page.ids() == []
    page.filter_status("done")
    assert page.ids() == [followup.pk]
    assert "Called Ana, sent a new lamp" in page.outcome(followup.pk)
