"""The supervisor board in a real browser: true counts, failed deliveries with links,
alerts with their brand, and the actions (reassign, acknowledge, presence)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import quick_conversation
from tests.web.pages import LoginPage, SupervisorBoard
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Alert, AlertKind, Brand, Presence, Role
from wowdesk.core.services import create_alert
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


def test_supervisor_sees_true_counts_and_acts(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    make_agent(Role.SUPERVISOR, email="sam@example.com", name="Sam Boss", password=PASSWORD)
    wanda = make_agent(Role.AGENT, name="Wanda Worker")
    waiting = [quick_conversation(brand, subject=f"Waiting {i}") for i in range(25)]
    lost = quick_conversation(brand, subject="Lost reply")
    Conversation.objects.filter(pk=lost.pk).update(delivery_issue="failed")
    alert = create_alert(
        brand.pk,
        AlertKind.MOOD_DROP,
        "Mood dropped",
        conversation_id=waiting[0].pk,
        params={"from": 0.4, "to": -0.8, "number": waiting[0].number},
    )

    LoginPage(page).open().login("sam@example.com", PASSWORD)
    board = SupervisorBoard(page).open()
    assert board.count(brand.pk, "waiting") == 26  # every one, not the 20 shown
    assert len(board.queue(brand.pk)) == 20
    assert board.count(brand.pk, "failed") == 1
    assert board.failed(brand.pk) == [f"#{lost.number} Lost reply"]
    assert "Not delivered" in page.locator(".failed-deliveries li").inner_text()
    (line,) = board.alerts()
    assert "Acme" in line
    assert f"Mood dropped from 0.4 to -0.8 in conversation #{waiting[0].number}" in line

    board.reassign(lost.pk, "Wanda Worker", where="failed")
    lost.refresh_from_db()
    assert lost.assignee_id == wanda.pk
    assert board.count(brand.pk, "waiting") == 25
    assert "reassigned" in board.flash

    board.acknowledge(alert.pk)
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert board.alerts() == ["No open alerts."]

    board.set_presence(wanda.pk, "Away")
    wanda.refresh_from_db()
    assert wanda.presence == Presence.AWAY
    assert board.presence(wanda.pk) == "Away"
    assert Alert.objects.filter(acknowledged_at__isnull=True).count() == 0
