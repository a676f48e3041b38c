"""Shared set-up of the abuse tests: people of two brands and a customer who wrote."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import ApiClient
from tests.factories import make_conversation
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.models import Agent, Brand, Role


def people(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> dict[str, Any]:
    agents = {
        "agent": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "their_agent": make_agent(Role.AGENT, brands=[other_brand]),
        "their_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand]),
        "their_admin": make_agent(Role.ADMIN, brands=[other_brand]),
    }
    return {"agents": agents, "api": {k: make_api(a) for k, a in agents.items()}}


def abusive(brand: Brand, body: str = "You are useless idiots, all of you!") -> Conversation:
    return make_conversation(brand, subject="Where is my order", body=body)


def customer_messages(conversation: Conversation) -> list[int]:
    return list(
        Message.objects.filter(conversation=conversation, direction=Direction.IN)
        .order_by("id")
        .values_list("pk", flat=True)
    )
