"""The answer bot's setting on the inboxes settings page, per role of two brands."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core.models import Agent, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


def login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@pytest.fixture
def inboxes(brand: Brand, other_brand: Brand) -> dict[str, Inbox]:
    return {
        "chat": conversations.create_inbox(brand_id=brand.pk, name="Chat", channel="chat"),
        "voice": conversations.create_inbox(brand_id=brand.pk, name="Phone", channel="voice"),
        "theirs": conversations.create_inbox(
            brand_id=other_brand.pk, name="Their chat", channel="chat"
        ),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("home", ["brand", "other_brand"])
def test_set_the_answer_bot_per_role_of_two_brands(
    request: pytest.FixtureRequest,
    make_agent: Callable[..., Agent],
    inboxes: dict[str, Inbox],
    role: str,
    home: str,
) -> None:
    brand: Brand = request.getfixturevalue(home)
    client = login(make_agent(role, brands=[brand]))
    mine = inboxes["chat"] if home == "brand" else inboxes["theirs"]
    other = inboxes["theirs"] if home == "brand" else inboxes["chat"]
    url = f"/settings/inboxes/{mine.pk}/answer-bot/"
    response = client.post(url, {"answer_bot": "when_no_agent"})
    mine.refresh_from_db()
    if role != Role.ADMIN:
        assert response.status_code in (302, 403)
        assert mine.answer_bot == "off"
        return
    assert response.status_code == 302
    assert mine.answer_bot == "when_no_agent"
    page = client.get("/settings/inboxes/").content.decode()
    assert 'data-answer-bot="when_no_agent"' in page
    assert f"/settings/inboxes/{mine.pk}/answer-bot/" in page
    assert f"/settings/inboxes/{other.pk}/answer-bot/" not in page
    # the other brand's inbox: not found, unchanged
    assert (
        client.post(
            f"/settings/inboxes/{other.pk}/answer-bot/", {"answer_bot": "always"}
        ).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.answer_bot == "off"


@pytest.mark.parametrize("value", ["sometimes", "", "ALWAYS", "off\n"])
def test_bad_values_and_voice_are_refused(
    make_agent: Callable[..., Agent], inboxes: dict[str, Inbox], value: str
) -> None:
    client = login(make_agent(Role.ADMIN))
    response = client.post(
        f"/settings/inboxes/{inboxes['chat'].pk}/answer-bot/", {"answer_bot": value}
    )
    assert response.status_code == 400
    inboxes["chat"].refresh_from_db()
    assert inboxes["chat"].answer_bot == "off"
    response = client.post(
        f"/settings/inboxes/{inboxes['voice'].pk}/answer-bot/", {"answer_bot": "always"}
    )
    assert response.status_code == 400
    assert "not offered" in response.content.decode()
    inboxes["voice"].refresh_from_db()
    assert inboxes["voice"].answer_bot == "off"
