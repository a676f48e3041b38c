"""The report pages (/reports/): each tab, the drill-down, the exports and the settings
page, per role (agent, supervisor, administrator) of each of two brands; the other brand's
ids are refused; a constant number of queries per page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from wowdesk.core.models import Agent, Brand, Role

pytestmark = pytest.mark.django_db

ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
TABS = ("loyalty", "service", "channels", "sites", "agents", "surveys")


def _client(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("tab", TABS)
def test_each_tab_per_role(
    role: str, tab: str, brand: Brand, other_brand: Brand, make_agent: Callable[..., Any]
) -> None:
    c = _client(make_agent(role, brands=[brand]))
    res = c.get("/reports/", {"tab": tab})
    if role == Role.AGENT:
        assert res.status_code == 403
        return
    assert res.status_code == 200, res.content.decode()[:2000]
    assert c.get("/reports/", {"tab": tab, "brand": brand.pk}).status_code == 200
    # another brand's id: refused
    assert c.get("/reports/", {"tab": tab, "brand": other_brand.pk}).status_code == 403
