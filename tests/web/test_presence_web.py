"""The workspace's presence switch and routing opt-in, the side panel's version (a stale
save is refused with the other person's change), the snooze picker; and the opt-in API,
per role and brand."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.core.models import Agent, Brand, Presence, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]
NOW = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def login(db: None) -> Callable[[Agent], Client]:
    def make(agent: Agent) -> Client:
        client = Client()
        client.force_login(agent.user)
        return client

    return make


def _flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _fresh(agent: Agent) -> Agent:
    return Agent.objects.get(pk=agent.pk)


# --- the switch --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_switch_sets_ones_own_presence(
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
    brand: Brand,
    other_brand: Brand,
    role: str,
) -> None:
    for home in (brand, other_brand):
        agent = make_agent(role, brands=[home])
        client = login(agent)
        page = client.get("/inbox/").content.decode()
        assert 'id="presence"' in page
        assert ('id="routing-opt-in"' in page) is (role != Role.AGENT)
        for state in (Presence.ONLINE, Presence.AWAY, Presence.OFFLINE):
            r = client.post("/presence/", {"presence": state, "next": "/inbox/?view=all"})
            assert r.status_code == 302 and r["Location"] == "/inbox/?view=all"
            assert _fresh(agent).presence == state
            assert not _fresh(agent).presence_auto


@pytest.mark.parametrize("role", ROLES)
def test_opting_in_to_routing_from_the_switch(
    make_agent: Callable[..., Agent], login: Callable[[Agent], Client], role: str
) -> None:
    agent = make_agent(role)
    client = login(agent)
    client.post("/presence/", {"routing_form": "1", "routing_opt_in": "1"})
    assert _fresh(agent).routing_opt_in is (role != Role.AGENT)  # agents are always routed
    client.post("/presence/", {"routing_form": "1"})
    assert _fresh(agent).routing_opt_in is False


@pytest.mark.parametrize("bad", ["asleep", "ONLINE", "x" * 500])
def test_a_bad_presence_is_refused_with_a_reason(
    make_agent: Callable[..., Agent], login: Callable[[Agent], Client], bad: str
) -> None:
    agent = make_agent()
    client = login(agent)  # signing in puts the agent online
    r = client.post("/presence/", {"presence": bad})
    assert r.status_code == 302
    assert _flashes(r) == ["Presence is online, away or offline."]
    assert _fresh(agent).presence == Presence.ONLINE


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", ""])
def test_the_switch_goes_back_only_to_this_site(
    make_agent: Callable[..., Agent], login: Callable[[Agent], Client], target: str
) -> None:
    r = login(make_agent()).post("/presence/", {"presence": "away", "next": target})
    assert r["Location"] == "/inbox/"


def test_the_switch_needs_a_signed_in_agent(db: None) -> None:
    r = Client().post("/presence/", {"presence": "online"})
    assert r.status_code == 302 and r["Location"].startswith("/login/")


# --- the opt-in API ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_routing_opt_in_api_per_role_and_brand(
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    brand: Brand,
    other_brand: Brand,
    role: str,
) -> None:
    for home, away in ((brand, other_brand), (other_brand, brand)):
        me = make_agent(role, brands=[home])
        colleague = make_agent(Role.SUPERVISOR, brands=[home])
        stranger = make_agent(Role.SUPERVISOR, brands=[away])
        api = make_api(me)
        r = api.post(f"/agents/{me.pk}/routing", {"opt_in": True})
        assert r.status_code == 200
        assert r.json()["routing_opt_in"] is True and r.json()["routed"] is True
        r = api.post(f"/agents/{colleague.pk}/routing", {"opt_in": True})
        assert r.status_code == (200 if role != Role.AGENT else 403)
        assert _fresh(colleague).routing_opt_in is (role != Role.AGENT)
        assert api.post(f"/agents/{stranger.pk}/routing", {"opt_in": True}).status_code == 403
        assert _fresh(stranger).routing_opt_in is False
        assert api.post("/agents/999999/routing", {"opt_in": True}).status_code == 404


@pytest.mark.parametrize("bad", [{}, {"opt_in": "yes"}, {"opt_in": 1}, {"opt_in": None}])
def test_routing_opt_in_api_refuses_bad_input(
    make_agent: Callable[..., Agent], make_api: Callable[[Agent | None], ApiClient], bad: Any
) -> None:
    me = make_agent(Role.SUPERVISOR)
    r = make_api(me).post(f"/agents/{me.pk}/routing", bad)
    assert r.status_code == 422 and r.json()["field"] == "opt_in"


# --- the side panel: stale saves -------------------------------------------------------------


def test_the_panel_carries_the_version_and_a_stale_save_is_refused(
    make_agent: Callable[..., Agent], login: Callable[[Agent], Client], brand: Brand
) -> None:
    li, ana = make_agent(name="Li Wei"), make_agent(name="Ana Costa")
    c = quick_conversation(brand)
    page = login(li).get(f"/inbox/c/{c.pk}/").content.decode()
    assert page.count('name="version" value="1"') == 4  # assign, resolve, fields, snooze
    # Ana changes the priority while Li's page shows version 1
    r = login(ana).post(f"/inbox/c/{c.pk}/update/", {"priority": "high", "version": "1"})
    assert _flashes(r) == ["Conversation updated."]
    for form in (
        {"status": "resolved"},
        {"assignee": "me"},
        {"priority": "low", "status": "open", "tags": "vip", "assignee": "", "team": ""},
        {"snooze": "1h"},
    ):
        r = login(li).post(f"/inbox/c/{c.pk}/update/", {**form, "version": "1"}, follow=True)
        assert "Ana Costa changed the priority to High — your change was not saved." in (
            r.content.decode()
        ), form
        fresh = Conversation.objects.get(pk=c.pk)
        assert (fresh.priority, fresh.status, fresh.assignee_id, fresh.version) == (
            "high",
            Status.OPEN,
            None,
            2,
        )
        assert 'name="version" value="2"' in r.content.decode()  # the panel is fresh


def test_the_panel_saves_with_the_current_version(
    make_agent: Callable[..., Agent], login: Callable[[Agent], Client], brand: Brand
) -> None:
    li = make_agent()
    c = quick_conversation(brand)
    r = login(li).post(f"/inbox/c/{c.pk}/update/", {"priority": "urgent", "version": "1"})
    assert _flashes(r) == ["Conversation updated."]
    assert Conversation.objects.get(pk=c.pk).version == 2


@pytest.mark.parametrize("bad", ["abc", "0", "-2", "1.5", "9" * 40])
def test_a_bad_version_in_the_panel_is_an_error_not_a_500(
    make_agent: Callable[..., Agent], login: Callable[[Agent], Client], brand: Brand, bad: str
) -> None:
    c = quick_conversation(brand)
    r = login(make_agent()).post(f"/inbox/c/{c.pk}/update/", {"priority": "high", "version": bad})
    # a refused form is the page again with a 4xx and the reason (web/views.py _refused)
    assert r.status_code == 422
    assert "A version is a whole number." in html.unescape(r.content.decode())
    assert Conversation.objects.get(pk=c.pk).priority == "normal"


# --- snooze ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "key", "expected"),
    [
        ("Europe/Berlin", "1h", dt.datetime(2026, 3, 4, 16, 30, tzinfo=dt.UTC)),
        (
            "Europe/Berlin",
            "tomorrow",
            dt.datetime(2026, 3, 5, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        ),
        (
            "Europe/Berlin",
            "monday",
            dt.datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        ),
        # 15:30 UTC is already Thursday 00:30 in Tokyo (+9)
        ("Asia/Tokyo", "tomorrow", dt.datetime(2026, 3, 6, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))),
        (
            "America/Los_Angeles",
            "monday",
            dt.datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles")),
        ),
    ],
)
def test_snooze_presets_in_the_agents_zone(zone: str, key: str, expected: dt.datetime) -> None:
    assert conversations.snooze_preset(key, NOW, zone) == expected


def test_next_monday_from_a_monday_is_a_week_later() -> None:
    monday = dt.datetime(2026, 3, 9, 7, 0, tzinfo=dt.UTC)
    assert conversations.snooze_preset("monday", monday, "UTC") == dt.datetime(
        2026, 3, 16, 9, 0, tzinfo=ZoneInfo("UTC")
    )


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"snooze": "tomorrow"}, dt.datetime(2026, 3, 5, 9, 0, tzinfo=ZoneInfo("Asia/Manila"))),
        ({"snooze": "monday"}, dt.datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("Asia/Manila"))),
        (
            {"snooze": "at", "snooze_at": "2026-03-07T18:45"},
            dt.datetime(2026, 3, 7, 18, 45, tzinfo=ZoneInfo("Asia/Manila")),
        ),
    ],
)
def test_the_snooze_picker_in_the_agents_zone(
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
    brand: Brand,
    form: dict[str, str],
    expected: dt.datetime,
) -> None:
    agent = make_agent(timezone="Asia/Manila")
    c = quick_conversation(brand)
    with time_machine.travel(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC), tick=False):
        r = login(agent).post(f"/inbox/c/{c.pk}/update/", {**form, "version": "1"})
        assert _flashes(r) == ["Conversation updated."]
        fresh = Conversation.objects.get(pk=c.pk)
        assert (fresh.status, fresh.snoozed_until) == (Status.SNOOZED, expected)
        page = login(agent).get(f"/inbox/c/{c.pk}/").content.decode()
        assert 'id="snoozed-until"' in page and 'id="unsnooze"' in page
        r = login(agent).post(f"/inbox/c/{c.pk}/update/", {"snooze": "off", "version": "2"})
        fresh = Conversation.objects.get(pk=c.pk)
        assert (fresh.status, fresh.snoozed_until) == (Status.OPEN, None)


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"snooze": "at", "snooze_at": ""}, "Pick a date and time to snooze until."),
        ({"snooze": "at", "snooze_at": "next week"}, "Pick a date and time to snooze until."),
        ({"snooze": "at", "snooze_at": "2020-01-01T10:00"}, "Snooze until a time in the future."),
        ({"snooze": "at", "snooze_at": "2099-01-01T10:00"}, "Snooze for at most a year"),
        ({"snooze": "fortnight"}, "Unknown snooze preset."),
    ],
)
def test_bad_snooze_times_are_refused_with_a_reason(
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
    brand: Brand,
    form: dict[str, str],
    says: str,
) -> None:
    c = quick_conversation(brand)
    r = login(make_agent()).post(f"/inbox/c/{c.pk}/update/", form)
    assert r.status_code == 422
    assert says in html.unescape(r.content.decode())
    assert Conversation.objects.get(pk=c.pk).status == Status.OPEN


@pytest.mark.parametrize("role", ROLES)
def test_snooze_and_the_panel_per_role_and_brand(
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
    brand: Brand,
    other_brand: Brand,
    role: str,
) -> None:
    mine, theirs = quick_conversation(brand), quick_conversation(other_brand)
    for home, own, foreign in ((brand, mine, theirs), (other_brand, theirs, mine)):
        client = login(make_agent(role, brands=[home]))
        r = client.post(f"/inbox/c/{own.pk}/update/", {"snooze": "1h"})
        assert _flashes(r) == ["Conversation updated."]
        assert client.post(f"/inbox/c/{foreign.pk}/update/", {"snooze": "off"}).status_code == 404
    assert {c.status for c in Conversation.objects.filter(pk__in=[mine.pk, theirs.pk])} == {
        Status.SNOOZED
    }


def test_a_snoozed_conversation_leaves_the_open_views(
    make_agent: Callable[..., Agent], login: Callable[[Agent], Client], brand: Brand
) -> None:
    agent = make_agent()
    c = quick_conversation(brand, subject="Sleeping lamp")
    conversations.update_conversation(c, actor=agent, assignee_id=agent.pk)
    client = login(agent)
    for view in ("mine", "all"):
        assert "Sleeping lamp" in client.get(f"/inbox/?view={view}").content.decode()
    client.post(f"/inbox/c/{c.pk}/update/", {"snooze": "1h"})
    for view in ("mine", "all", "waiting"):
        assert "Sleeping lamp" not in client.get(f"/inbox/?view={view}").content.decode()
    assert "Sleeping lamp" in client.get("/inbox/?view=all&status=snoozed").content.decode()
