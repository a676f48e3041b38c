"""The list's ``?tag=`` filter: only conversations with that tag, of the agent's brands;
a saved view keeps it; broken values are refused naming the field."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import SavedView
from wowdesk.core.models import Agent, Brand, Role

ROW = re.compile(r'class="conv-row[^"]*" data-conversation-id="(\d+)"')


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Cached lists (agent names, counts) of another test's database are not this one's."""
    cache.clear()
    yield
    cache.clear()


def _client(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def _tag(conversation_id: int, brand: Brand, name: str) -> None:
    from wowdesk.conversations.models import Conversation

    conversation = Conversation.objects.get(pk=conversation_id)
    conversation.tags.add(*conversations.ensure_tags(brand.pk, [name]))


@pytest.mark.parametrize("home", ["brand", "other_brand"])
@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_tag_filter_per_role_and_brand(
    request: pytest.FixtureRequest,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    role: str,
    home: str,
) -> None:
    mine: Brand = request.getfixturevalue(home)
    theirs = other_brand if mine == brand else brand
    vip = [quick_conversation(mine).pk for _ in range(2)]
    plain = quick_conversation(mine).pk
    foreign = quick_conversation(theirs).pk
    for pk in vip:
        _tag(pk, mine, "vip")
    _tag(foreign, theirs, "vip")
    client = _client(make_agent(role, brands=[mine]))

    for value in ("vip", "VIP", " vip "):
        html = client.get("/inbox/", {"view": "all", "tag": value}).content.decode()
        assert sorted(int(i) for i in ROW.findall(html)) == sorted(vip)
    everything = client.get("/inbox/", {"view": "all"}).content.decode()
    assert sorted(int(i) for i in ROW.findall(everything)) == sorted([*vip, plain])
    assert client.get("/inbox/", {"view": "all", "tag": "none"}).status_code == 200

    saved = client.post("/inbox/views/", {"name": "VIP", "view": "all", "tag": "vip"})
    assert saved.status_code == 302
    assert SavedView.objects.get(name="VIP").params == {"view": "all", "tag": "vip"}
    page = client.get("/inbox/", {"view": "all", "tag": "vip"}).content.decode()
    assert '<input type="hidden" name="tag" value="vip">' in page


@pytest.mark.parametrize("value", ["a\x00b", "line\nbreak", "x" * 65])
def test_broken_tag_filter_is_refused_naming_the_field(
    brand: Brand, make_agent: Callable[..., Agent], value: str
) -> None:
    response = _client(make_agent(Role.AGENT)).get("/inbox/", {"view": "all", "tag": value})
    assert response.status_code == 400
    assert response.content.decode().startswith("tag: ")
