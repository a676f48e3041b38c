"""Shared setup of the training page and assignment tests (no tests here): two brands with
an agent, a supervisor and an administrator each, and scenarios made through the service."""

from __future__ import annotations

from typing import Any

from django.test import Client

from wowdesk.core.models import Agent
from wowdesk.training import services as sim
from wowdesk.training.models import Scenario, TrainingSession

ROLES = ("agent", "supervisor", "admin")


def login(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


def scenario(author: Agent, brand_id: int, **over: Any) -> Scenario:
    fields: dict[str, Any] = {
        "title": "Broken lamp",
        "product": "Lamp",
        "market": "DE",
        "language": "en",
        "mood": "frustrated",
        "difficulty": "medium",
        "opening": "My lamp arrived with a cracked shade. I am really annoyed.",
        "facts": {"order": "[order number]", "delivered": "Monday"},
        "expected_resolution": "Apologise and send a replacement shade for free.",
        "key_points": ["replacement shade", "free"],
        "policy_limits": [{"action": "refund", "limit": 50, "currency": "EUR"}],
    }
    fields.update(over)
    return sim.save_scenario(author, brand_id, **fields)


def play(trainee: Agent, sc: Scenario, assignment: Any = None) -> TrainingSession:
    """A whole session: an empathic, correct answer, then finish."""
    session = sim.start_session(trainee, sc, assignment)
    sim.send_message(
        trainee,
        session,
        "I am so sorry about the cracked shade, that is frustrating. "
        "I will send you a replacement shade for free today.",
    )
    session.refresh_from_db()
    return sim.finish_session(trainee, session)
