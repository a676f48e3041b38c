"""Helpers of the quality tests: resolved conversations with their analytics facts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.analytics import rollups
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Role


def resolved(brand: Brand, assignee: Agent | None, **kw: Any) -> Conversation:
    """A conversation assigned to ``assignee``, resolved, its analytics fact refreshed."""
    c = quick_conversation(brand, **kw)
    if assignee is not None:
        conversations.update_conversation(c, actor=None, assignee_id=assignee.pk)
    conversations.update_conversation(c, actor=None, status="resolved")
    rollups.refresh([c.pk])
    c.refresh_from_db()
    return c


@pytest.fixture
def people(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> dict[str, Any]:
    agents = {
        "agent": make_agent(Role.AGENT, name="Ana Agent"),
        "colleague": make_agent(Role.AGENT, name="Carl Colleague"),
        "supervisor": make_agent(Role.SUPERVISOR, name="Sue Supervisor"),
        "admin": make_agent(Role.ADMIN, name="Adam Admin"),
        "their_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand], name="Theo"),
        "their_agent": make_agent(Role.AGENT, brands=[other_brand], name="Tina"),
    }
    return {"agents": agents, "api": {k: make_api(a) for k, a in agents.items()}}
