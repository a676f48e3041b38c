"""core.alerts: the one writer of alerts announces each as alert.raised; what an alert
says comes from the sentence its app registered (the core imports no app)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from tests.factories import make_conversation
from wowdesk.core import alerts
from wowdesk.core.events import Event
from wowdesk.core.models import Agent, Alert, AlertKind, Brand, Role

pytestmark = pytest.mark.django_db


def test_every_alert_is_announced(brand: Brand, other_brand: Brand, event_log: Any) -> None:
    made = [
        alerts.create(
            brand.pk, AlertKind.MOOD_DROP, "m", params={"from": 1, "to": -1, "number": 1}
        ),
        alerts.create(other_brand.pk, AlertKind.SLA_BREACH, "s"),
        alerts.create(brand.pk, AlertKind.UNROUTABLE, "u", conversation_id=7),
    ]
    assert event_log.of(Event.ALERT_RAISED) == [
        {"alert_id": made[0].pk, "brand_id": brand.pk, "kind": "mood_drop"},
        {"alert_id": made[1].pk, "brand_id": other_brand.pk, "kind": "sla_breach"},
        {"alert_id": made[2].pk, "brand_id": brand.pk, "kind": "unroutable"},
    ]


def test_acknowledging_raises_nothing(brand: Brand, make_agent: Any, event_log: Any) -> None:
    supervisor: Agent = make_agent(Role.SUPERVISOR)
    alert = alerts.create(brand.pk, AlertKind.UNROUTABLE, "u")
    alerts.acknowledge(alert, actor=supervisor)
    alerts.acknowledge(alert, actor=supervisor)
    assert Alert.objects.get().acknowledged_by_id == supervisor.pk
    assert len(event_log.of(Event.ALERT_RAISED)) == 1


def test_alerts_raised_by_the_apps_are_announced(brand: Brand, event_log: Any) -> None:
    from wowdesk.intelligence.services import score_pending

    conversation = make_conversation(brand, body="Thank you, this is wonderful, I love it!")
    from tests.factories import post_inbound

    post_inbound(
        brand,
        conversation_id=conversation.pk,
        body="This is a disgrace! I am furious, worst service ever, I want a refund NOW!",
    )
    score_pending()
    raised = event_log.of(Event.ALERT_RAISED)
    stored = list(Alert.objects.values_list("pk", "kind"))
    assert [kind for _pk, kind in stored] == ["mood_drop"]
    assert [(p["alert_id"], p["kind"]) for p in raised] == stored


@pytest.mark.parametrize(
    ("kind", "params", "says"),
    [
        (AlertKind.SLA_BREACH, {"target": "first_response", "number": 4}, "#4"),
        (AlertKind.SLA_WARNING, {"target": "resolution", "number": 5, "due": ""}, "#5"),
        (AlertKind.MOOD_DROP, {"from": 0.5, "to": -0.7, "number": 6}, "-0.7"),
        (AlertKind.DELIVERY_FAILED, {"number": 8, "reason": "", "channel": "email"}, "#8"),
    ],
)
def test_each_app_says_its_kinds(kind: str, params: dict[str, Any], says: str) -> None:
    said = alerts.sentence(kind, params)
    assert said is not None and says in said


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        (AlertKind.SLA_BREACH, {"number": 4}),  # no target
        (AlertKind.MOOD_DROP, {"from": "x", "to": 1, "number": 1}),
        (AlertKind.DELIVERY_FAILED, {"reason": "bounced"}),
        (AlertKind.UNROUTABLE, {"number": 1}),  # nobody registered a sentence
        ("no_such_kind", {"number": 1}),
    ],
)
def test_unfit_params_or_unknown_kinds_say_nothing(kind: str, params: dict[str, Any]) -> None:
    assert alerts.sentence(kind, params) is None


def test_an_alert_without_a_sentence_shows_its_text(brand: Brand) -> None:
    alert = alerts.create(brand.pk, AlertKind.UNROUTABLE, "Nobody speaks Tagalog", params={})
    assert alerts.message(alert) == "Nobody speaks Tagalog"


def test_core_alerts_imports_no_app() -> None:
    tree = ast.parse(Path(alerts.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wowdesk")
    ]
    assert imported and all(m.startswith("wowdesk.core") for m in imported), imported
