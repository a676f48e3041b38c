"""The settings area's index: who sees it and which sections it lists."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from wowdesk.core.models import Agent, Brand, Role
from wowdesk.web import settings_nav


@pytest.mark.parametrize("home", ["brand", "other_brand"])
@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_settings_index_per_role(
    request: pytest.FixtureRequest, make_agent: Callable[..., Agent], role: str, home: str
) -> None:
    brand: Brand = request.getfixturevalue(home)
    me = make_agent(role, brands=[brand])
    client = Client()
    client.force_login(me.user)
    response = client.get("/settings/")
    assert response.status_code == 200
    listed = {i.key for i in settings_nav.sections_for(me)}
    body = response.content.decode()
    for section in settings_nav.SECTIONS:
        shown = f'data-section="{section.key}"' in body
        assert shown == (section.key in listed), section.key
    if role == Role.ADMIN:
        assert "agents" in listed
    assert "notifications" in listed  # every agent's own
    if role == Role.AGENT:
        assert listed == {"notifications"}


def test_settings_sidebar_marks_the_current_section(make_agent: Callable[..., Agent]) -> None:
    me = make_agent(Role.ADMIN)
    client = Client()
    client.force_login(me.user)
    body = client.get("/settings/webhooks/").content.decode()
    assert 'data-section="webhooks" aria-current="page"' in body
