"""Quality in a real browser: a reviewer scores a conversation from the queue and shares
it; the agent finds it under "My reviews", acknowledges it and replies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.quality.helpers import resolved
from tests.web.pages import LoginPage
from tests.web.pages_quality import QualityPage
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.quality.models import Review, ReviewComment

PASSWORD = "correct-horse-battery-staple"


def test_a_reviewer_scores_from_the_queue_and_the_agent_replies(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    agent = make_agent(Role.AGENT, email="ana@example.com", name="Ana", password=PASSWORD)
    make_agent(Role.SUPERVISOR, email="sol@example.com", name="Sol", password=PASSWORD)
    conversation = resolved(brand, agent, subject="Lamp arrived broken")

    LoginPage(page).open().login("sol@example.com", PASSWORD)
    queue = QualityPage(page).open()
    assert "first 90 days" in queue.reasons(conversation.pk)
    form = queue.review(conversation.pk)
    form.answer("empathy", "5").answer("accuracy", "yes").answer("resolution", "yes")
    form.answer("clarity", "3").answer("policy", "na")
    review_page = form.note("Warm and clear; offer the replacement first next time.").share()
    assert review_page.score == "92/100"
    review = Review.objects.get()
    assert review.status == "shared" and review.agent_id == agent.pk

    page.context.clear_cookies()
    LoginPage(page).open().login("ana@example.com", PASSWORD)
    mine = QualityPage(page).open().my_review(review.pk)
    assert mine.coaching_note.startswith("Warm and clear")
    mine.acknowledge().reply("Thanks, I will offer it first.")
    assert mine.replies() == ["Thanks, I will offer it first."]
    review.refresh_from_db()
    assert review.acknowledged_at is not None
    assert ReviewComment.objects.get().author_id == agent.pk
