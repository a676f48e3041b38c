"""Snooze until a time: the conversation leaves the open views, wakes at the time (open
again, with its owner, a line in the thread, a live push); past and absurd times are
refused with the field named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.core.models import Agent, Brand, Presence, Role
from wowdesk.routing import services as routing

MakeApi = Callable[[Agent | None], ApiClient]
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _activities(cid: int) -> list[str]:
    return list(
        Message.objects.filter(conversation_id=cid, direction=Direction.ACTIVITY)
        .order_by("id")
        .values_list("body", flat=True)
    )


def test_snooze_then_wake_with_its_owner_a_line_and_a_push(
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: MakeApi,
    clock: Any,
    commits: Callable[[], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent = make_agent(timezone="Europe/Berlin")
    routing.set_presence(agent, Presence.ONLINE, by=agent)
    c = quick_conversation(brand, channel="email")
    api = make_api(agent)
    api.patch(f"/conversations/{c.pk}", {"assignee_id": agent.pk})
    r = api.patch(f"/conversations/{c.pk}", {"snoozed_until": "2026-03-03T09:00:00+01:00"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "snoozed"
    assert r.json()["snoozed_until"].startswith("2026-03-03T08:00")
    assert "Snoozed until 2026-03-03 09:00 (Europe/Berlin)" in _activities(c.pk)
    # it leaves the open list
    open_ids = [i["id"] for i in api.get("/conversations", status="open").json()["items"]]
    assert c.pk not in open_ids
    pushed: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "wowdesk.web.live.publish", lambda group, kind, **kw: pushed.append((group, kind))
    )
    clock.move_to(dt.datetime(2026, 3, 3, 7, 59, tzinfo=dt.UTC))
    with commits():
        assert routing.wake_snoozed() == {"woken": 0}
    clock.move_to(dt.datetime(2026, 3, 3, 8, 0, 30, tzinfo=dt.UTC))
    with commits():
        assert routing.wake_snoozed() == {"woken": 1}
    woken = Conversation.objects.get(pk=c.pk)
    assert (woken.status, woken.snoozed_until, woken.assignee_id) == (
        Status.OPEN,
        None,
        agent.pk,
    )
    assert _activities(c.pk)[-1] == "Snooze ended: open again"
    from wowdesk.core.realtime import conversation_group

    assert (conversation_group(c.pk), "conversation.updated") in pushed


@pytest.mark.parametrize(
    ("channel", "stays"), [("chat", False), ("voice", False), ("email", True), ("social", True)]
)
def test_waking_when_the_owner_is_offline(
    brand: Brand,
    make_agent: Callable[..., Agent],
    clock: Any,
    commits: Callable[[], Any],
    channel: str,
    stays: bool,
) -> None:
    owner = make_agent()
    c = quick_conversation(brand, channel=channel)
    from wowdesk.conversations import services as conversations

    conversations.update_conversation(
        c, actor=owner, assignee_id=owner.pk, snoozed_until=NOW + dt.timedelta(hours=1)
    )
    assert Agent.objects.get(pk=owner.pk).presence == Presence.OFFLINE
    other = make_agent()
    routing.set_presence(other, Presence.ONLINE, by=other)
    clock.move_to(NOW + dt.timedelta(hours=2))
    with commits():
        routing.wake_snoozed()
    woken = Conversation.objects.get(pk=c.pk)
    assert woken.status == Status.OPEN
    assert woken.assignee_id == (owner.pk if stays else other.pk)


@pytest.mark.parametrize(
    ("until", "why"),
    [
        ("2026-03-02T09:59:00+00:00", "future"),
        ("2020-01-01T00:00:00Z", "future"),
        ("2026-03-02T10:00:00Z", "future"),
        ("2027-03-10T10:00:00Z", "year"),
        ("9999-12-31T23:59:00Z", "year"),
    ],
)
def test_past_and_absurd_times_are_refused(
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: MakeApi,
    clock: Any,
    until: str,
    why: str,
) -> None:
    c = quick_conversation(brand)
    r = make_api(make_agent()).patch(f"/conversations/{c.pk}", {"snoozed_until": until})
    assert r.status_code == 422, r.json()
    assert r.json()["field"] == "snoozed_until"
    assert why in r.json()["detail"]
    assert Conversation.objects.get(pk=c.pk).status == Status.OPEN


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01T00:00", 12.5, True, [1]])
def test_unreadable_times_are_422(
    brand: Brand, make_agent: Callable[..., Agent], make_api: MakeApi, bad: Any
) -> None:
    c = quick_conversation(brand)
    r = make_api(make_agent()).patch(f"/conversations/{c.pk}", {"snoozed_until": bad})
    assert r.status_code == 422
    assert r.json()["field"] == "snoozed_until"


def test_a_time_without_an_offset_is_read_in_the_agents_zone(
    brand: Brand, make_agent: Callable[..., Agent], make_api: MakeApi, clock: Any
) -> None:
    c = quick_conversation(brand)
    api = make_api(make_agent(timezone="Asia/Manila"))
    r = api.patch(f"/conversations/{c.pk}", {"snoozed_until": "2026-03-03T09:00:00"})
    assert r.status_code == 200
    until = Conversation.objects.get(pk=c.pk).snoozed_until
    assert until == dt.datetime(2026, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Manila"))


def test_unsnoozing_and_other_statuses_clear_the_time(
    brand: Brand, make_agent: Callable[..., Agent], make_api: MakeApi, clock: Any
) -> None:
    api = make_api(make_agent())
    soon = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    for change, status in (({"snoozed_until": None}, "open"), ({"status": "resolved"}, "resolved")):
        c = quick_conversation(brand)
        assert api.patch(f"/conversations/{c.pk}", {"snoozed_until": soon}).status_code == 200
        r = api.patch(f"/conversations/{c.pk}", change)
        assert r.status_code == 200
        assert (r.json()["status"], r.json()["snoozed_until"]) == (status, None)
    c = quick_conversation(brand)
    r = api.patch(f"/conversations/{c.pk}", {"snoozed_until": soon, "status": "pending"})
    assert r.status_code == 422 and r.json()["field"] == "status"


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_snooze_per_role_and_brand(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: MakeApi,
    clock: Any,
    role: str,
) -> None:
    soon = (NOW + dt.timedelta(hours=1)).isoformat()
    mine, theirs = quick_conversation(brand), quick_conversation(other_brand)
    for home, own, foreign in ((brand, mine, theirs), (other_brand, theirs, mine)):
        api = make_api(make_agent(role, brands=[home]))
        assert api.patch(f"/conversations/{own.pk}", {"snoozed_until": soon}).status_code == 200
        r = api.patch(f"/conversations/{foreign.pk}", {"snoozed_until": None})
        assert r.status_code == 403
    assert {c.status for c in Conversation.objects.filter(pk__in=[mine.pk, theirs.pk])} == {
        Status.SNOOZED
    }
