"""Fixtures of the grants tests: people of two brands with API clients, a brand's policy
table, conversations, commits that run their after-commit work."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.policies import services
from wowdesk.policies.models import Policy


@pytest.fixture
def commits(
    django_capture_on_commit_callbacks: Any,
) -> Callable[[], AbstractContextManager[Any]]:
    """``with commits():`` runs the block's after-commit work (mails, listeners) at its end."""

    def run() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)  # type: ignore[no-any-return]

    return run


@pytest.fixture
def people(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> dict[str, Any]:
    agents = {
        "agent": make_agent(Role.AGENT),
        "other_agent": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "their_agent": make_agent(Role.AGENT, brands=[other_brand]),
        "their_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand]),
        "their_admin": make_agent(Role.ADMIN, brands=[other_brand]),
    }
    return {"agents": agents, "api": {k: make_api(a) for k, a in agents.items()}}


def table(brand: Brand, admin: Agent) -> dict[str, Policy]:
    """A small table: agents refund up to 50 EUR and send replacements; supervisors refund
    up to 500 EUR."""
    return {
        "refund": services.save_policy(
            admin, brand.pk, action="refund", role="agent", limit="50", currency="EUR"
        ),
        "replacement": services.save_policy(
            admin, brand.pk, action="replacement", role="agent", unit="items"
        ),
        "sup_refund": services.save_policy(
            admin, brand.pk, action="refund", role="supervisor", limit="500", currency="EUR"
        ),
    }


@pytest.fixture
def conversation(brand: Brand) -> Conversation:
    return quick_conversation(brand, subject="Broken lamp")


@pytest.fixture
def other_conversation(other_brand: Brand) -> Conversation:
    return quick_conversation(other_brand, subject="Their lamp")
