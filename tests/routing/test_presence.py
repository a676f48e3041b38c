"""Presence: who is routed (role, opt-in, away), what going offline hands back (per
channel and per inbox), and presence from the workspace's tabs (heartbeats, idle, the
last tab closing, a browser that died)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import cache

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Inbox
from wowdesk.core.models import Agent, AuditLog, Brand, Presence, Role
from wowdesk.routing import presence
from wowdesk.routing import services as routing


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


def _online(agent: Agent) -> Agent:
    routing.set_presence(agent, Presence.ONLINE, by=agent)
    return agent


def _route_new(brand: Brand, channel: str = "chat", inbox: Inbox | None = None) -> Conversation:
    c = quick_conversation(brand, channel=channel, inbox=inbox)
    routing.route(Conversation.objects.select_related("inbox", "team").get(pk=c.pk))
    return Conversation.objects.get(pk=c.pk)


def _fresh(agent: Agent) -> Agent:
    return Agent.objects.get(pk=agent.pk)


# --- who is routed ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_are_not_routed_without_opting_in(
    make_agent: Callable[..., Agent], brand: Brand, role: str
) -> None:
    _online(make_agent(role))
    for channel in ("chat", "email", "api"):
        c = _route_new(brand, channel)
        assert c.assignee_id is None, channel


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_who_opt_in_are_routed(
    make_agent: Callable[..., Agent], brand: Brand, role: str
) -> None:
    boss = make_agent(role)
    Agent.objects.filter(pk=boss.pk).update(routing_opt_in=True)
    _online(_fresh(boss))
    for channel in ("chat", "email"):
        assert _route_new(brand, channel).assignee_id == boss.pk


def test_agents_are_routed_without_opting_in(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    agent = _online(make_agent(Role.AGENT))
    assert not agent.routing_opt_in
    assert _route_new(brand).assignee_id == agent.pk


def test_away_agents_get_no_new_work_but_keep_theirs(
    make_agent: Callable[..., Agent], brand: Brand, commits: Callable[[], Any]
) -> None:
    agent = _online(make_agent())
    chat = _route_new(brand, "chat")
    mail = _route_new(brand, "email")
    assert chat.assignee_id == mail.assignee_id == agent.pk
    other = _online(make_agent())
    routing.set_presence(_fresh(agent), Presence.AWAY, by=agent)
    assert _route_new(brand, "chat").assignee_id == other.pk
    # the customers write again: both stay with the away agent
    for c in (chat, mail):
        with commits():
            conversations.append_incoming(
                c, c.customer, conversations.IncomingMessage(body="Hello?", channel=c.inbox.channel)
            )
        assert Conversation.objects.get(pk=c.pk).assignee_id == agent.pk


@pytest.mark.parametrize(
    ("channel", "setting", "handed_back"),
    [
        ("email", True, True),  # an inbox may hand back email too
        ("chat", False, False),  # and keep its chats with their owner
        ("social", None, False),
        ("voice", None, True),
        ("web", None, False),
    ],
)
def test_the_inbox_decides_what_going_offline_hands_back(
    make_agent: Callable[..., Agent],
    brand: Brand,
    channel: str,
    setting: bool | None,
    handed_back: bool,
) -> None:
    inbox = conversations.create_inbox(brand_id=brand.pk, name=f"{channel} desk", channel=channel)
    Inbox.objects.filter(pk=inbox.pk).update(offline_handback=setting)
    inbox.refresh_from_db()
    agent = _online(make_agent())
    c = _route_new(brand, channel, inbox=inbox)
    assert c.assignee_id == agent.pk
    routing.set_presence(_fresh(agent), Presence.OFFLINE, by=agent)
    after = Conversation.objects.get(pk=c.pk)
    assert (after.assignee_id is None) is handed_back


def test_set_presence_records_who_and_whether_the_system_did_it(
    make_agent: Callable[..., Agent],
) -> None:
    agent, boss = make_agent(), make_agent(Role.SUPERVISOR)
    routing.set_presence(agent, Presence.ONLINE, by=boss)
    routing.set_presence(agent, Presence.AWAY, auto=True)
    entries = list(AuditLog.objects.filter(action="agent.presence").order_by("id"))
    assert [(e.actor_id, e.after) for e in entries] == [
        (boss.pk, {"presence": "online"}),
        (None, {"presence": "away", "auto": True}),
    ]
    assert _fresh(agent).presence_auto


# --- the workspace's tabs ----------------------------------------------------------------


def test_two_tabs_one_closes_still_online(make_agent: Callable[..., Agent]) -> None:
    agent = _online(make_agent())
    presence.tab_opened(agent.pk, "tab-1")
    presence.tab_opened(agent.pk, "tab-2")
    assert presence.tab_closed(agent.pk, "tab-1") == 1
    later = time.time() + presence.GRACE + 5
    assert not presence.settle(agent.pk, later)
    assert presence.sweep(later) == {"presence_offline": 0}
    assert _fresh(agent).presence == Presence.ONLINE


def test_last_tab_closing_goes_offline_after_the_grace_only(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    agent = _online(make_agent())
    Agent.objects.filter(pk=agent.pk).update(presence_changed_at=None)
    chat = _route_new(brand, "chat")
    presence.tab_opened(agent.pk, "tab-1")
    assert presence.tab_closed(agent.pk, "tab-1") == 0
    assert not presence.settle(agent.pk, time.time() + 1)  # a page change: back at once
    assert _fresh(agent).presence == Presence.ONLINE
    assert presence.settle(agent.pk, time.time() + presence.GRACE + 1)
    gone = _fresh(agent)
    assert gone.presence == Presence.OFFLINE and gone.presence_auto
    assert Conversation.objects.get(pk=chat.pk).assignee_id is None  # the chat handed back
    # a tab comes back (still signed in): online again
    assert presence.tab_opened(agent.pk, "tab-3") == Presence.ONLINE
    assert _fresh(agent).presence == Presence.ONLINE


def test_a_page_change_reopening_a_tab_keeps_the_agent_online(
    make_agent: Callable[..., Agent],
) -> None:
    agent = _online(make_agent())
    Agent.objects.filter(pk=agent.pk).update(presence_changed_at=None)
    presence.tab_opened(agent.pk, "page-1")
    presence.tab_closed(agent.pk, "page-1")
    presence.tab_opened(agent.pk, "page-2")
    assert presence.sweep(time.time() + presence.GRACE + 1) == {"presence_offline": 0}
    assert _fresh(agent).presence == Presence.ONLINE


def test_a_dead_browser_stops_heartbeats_and_the_sweeper_sets_offline(
    make_agent: Callable[..., Agent],
) -> None:
    agent = _online(make_agent())
    Agent.objects.filter(pk=agent.pk).update(presence_changed_at=None)
    presence.tab_opened(agent.pk, "tab-1")
    presence.heartbeat(agent.pk, "tab-1", 0)
    # still beating a moment later: present
    assert presence.sweep(time.time() + presence.TAB_TTL - 5) == {"presence_offline": 0}
    # never closed, never heard from again
    assert presence.sweep(time.time() + presence.TAB_TTL + presence.GRACE + 1) == {
        "presence_offline": 1
    }
    assert _fresh(agent).presence == Presence.OFFLINE


def test_the_sweeper_leaves_agents_who_never_opened_the_workspace(
    make_agent: Callable[..., Agent],
) -> None:
    api_user = _online(make_agent())
    Agent.objects.filter(pk=api_user.pk).update(presence_changed_at=None)
    assert presence.sweep(time.time() + 3600) == {"presence_offline": 0}
    assert _fresh(api_user).presence == Presence.ONLINE


def test_just_signed_in_is_not_swept_before_the_first_tab(
    make_agent: Callable[..., Agent],
) -> None:
    agent = make_agent()
    presence.tab_opened(agent.pk, "yesterday")
    presence.tab_closed(agent.pk, "yesterday")
    cache_record = cache.get(f"wowdesk:tabs:{agent.pk}")
    cache_record["closed_at"] = time.time() - 86400
    cache.set(f"wowdesk:tabs:{agent.pk}", cache_record)
    routing.set_presence(_fresh(agent), Presence.OFFLINE, by=agent)
    routing.set_presence(_fresh(agent), Presence.ONLINE, by=agent)  # signs in now
    assert presence.sweep() == {"presence_offline": 0}
    assert _fresh(agent).presence == Presence.ONLINE


@pytest.mark.parametrize("chosen", [Presence.OFFLINE, Presence.AWAY])
def test_a_state_the_person_chose_stays_when_tabs_open_and_beat(
    make_agent: Callable[..., Agent], chosen: str
) -> None:
    agent = make_agent()
    routing.set_presence(agent, chosen, by=agent)
    assert presence.tab_opened(agent.pk, "tab-1") == chosen
    assert presence.heartbeat(agent.pk, "tab-1", 0) == chosen
    assert _fresh(agent).presence == chosen


def test_idle_in_every_tab_sets_away_and_input_brings_back(
    make_agent: Callable[..., Agent],
) -> None:
    agent = _online(make_agent())
    idle = presence.away_after() + 1
    presence.tab_opened(agent.pk, "tab-1")
    presence.tab_opened(agent.pk, "tab-2")
    assert presence.heartbeat(agent.pk, "tab-1", idle) == Presence.ONLINE  # tab-2 is active
    assert presence.heartbeat(agent.pk, "tab-2", idle) == Presence.AWAY
    away = _fresh(agent)
    assert away.presence == Presence.AWAY and away.presence_auto
    assert presence.heartbeat(agent.pk, "tab-1", 3) == Presence.ONLINE
    assert not _fresh(agent).presence_auto


def test_idle_short_of_the_limit_stays_online(
    make_agent: Callable[..., Agent], settings: Any
) -> None:
    settings.WOWDESK_AWAY_AFTER_MINUTES = 2
    agent = _online(make_agent())
    presence.tab_opened(agent.pk, "tab-1")
    assert presence.heartbeat(agent.pk, "tab-1", 119) == Presence.ONLINE
    assert presence.heartbeat(agent.pk, "tab-1", 121) == Presence.AWAY


def test_a_brands_away_limit_wins_over_the_servers_the_shortest_of_several(
    make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand, settings: Any
) -> None:
    from wowdesk.routing.models import RoutingSettings

    settings.WOWDESK_AWAY_AFTER_MINUTES = 30
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"away_after_minutes": 5})
    RoutingSettings.objects.update_or_create(brand=other_brand, defaults={"away_after_minutes": 2})
    one = _online(make_agent(brands=[brand]))
    both = _online(make_agent(brands=[brand, other_brand]))
    neither = _online(make_agent(brands=[]))
    assert [presence.away_after(a.pk) for a in (one, both, neither)] == [300, 120, 1800]
    for agent, tab in ((one, "a"), (both, "b"), (neither, "c")):
        presence.tab_opened(agent.pk, tab)
    assert presence.heartbeat(both.pk, "b", 121) == Presence.AWAY
    assert presence.heartbeat(one.pk, "a", 121) == Presence.ONLINE
    assert presence.heartbeat(one.pk, "a", 301) == Presence.AWAY
    assert presence.heartbeat(neither.pk, "c", 301) == Presence.ONLINE


def test_someone_is_here_counts_only_people_who_take_conversations(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    boss = _online(make_agent(Role.SUPERVISOR))
    assert routing.available_agents(brand.pk) == []
    Agent.objects.filter(pk=boss.pk).update(routing_opt_in=True)
    assert [a.pk for a in routing.available_agents(brand.pk)] == [boss.pk]
    agent = _online(make_agent())
    routing.set_presence(_fresh(agent), Presence.AWAY, by=agent)
    assert [a.pk for a in routing.available_agents(brand.pk)] == [boss.pk]
