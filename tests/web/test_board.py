"""The supervisor board: true counts (the queue's total, not the length of the part it
shows), failed deliveries with links, alerts with brand, local time, link and the viewer's
language, and its actions (reassign, acknowledge, presence) per role and brand."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.core.models import Agent, Alert, AlertKind, AuditLog, Brand, Presence, Role
from wowdesk.core.services import create_alert
from wowdesk.routing.models import RoutingSettings
from wowdesk.web import board


@pytest.fixture(autouse=True)
def _quiet(brand: Brand, other_brand: Brand) -> None:
    cache.clear()
    for b in (brand, other_brand):  # keep routing from assigning what the tests set up
        RoutingSettings.objects.update_or_create(brand=b, defaults={"auto_assign": False})


def _login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def _count(html: str, brand_id: int, name: str) -> int:
    section = html.split(f'data-board-brand="{brand_id}"')[1]
    found = re.search(rf'data-count="{name}">(\d+)', section)
    assert found, name
    return int(found.group(1))


def test_queue_count_is_everyone_waiting_not_the_shown_part(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    boss = make_agent(Role.SUPERVISOR)
    worker = make_agent(Role.AGENT)
    for i in range(62):
        quick_conversation(brand, subject=f"waiting {i}")
    taken = quick_conversation(brand, subject="taken")
    conversations.update_conversation(taken, actor=None, assignee_id=worker.pk)
    done = quick_conversation(brand, subject="done")
    conversations.update_conversation(done, actor=None, status=Status.RESOLVED)
    quick_conversation(other_brand, subject="not mine")

    html = _login(boss).get("/supervisor/").content.decode()
    assert _count(html, brand.pk, "waiting") == 62
    assert "62 waiting" in html
    shown = html.split('data-board-brand="')[1].split('class="queue"')[1].split("</ol>")[0]
    assert shown.count("<li") == board.QUEUE_SHOWN
    assert "and 42 more" in html
    assert f'data-board-brand="{other_brand.pk}"' not in html
    # the number is what the inbox lists as not assigned
    assert Conversation.objects.filter(
        brand=brand, status=Status.OPEN, assignee__isnull=True
    ).count() == _count(html, brand.pk, "waiting")


def test_failed_deliveries_tile_counts_and_links(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    boss = make_agent(Role.SUPERVISOR)
    failed = [quick_conversation(brand, subject=f"lost {i}") for i in range(12)]
    Conversation.objects.filter(pk__in=[c.pk for c in failed[:6]]).update(delivery_issue="failed")
    Conversation.objects.filter(pk__in=[c.pk for c in failed[6:]]).update(delivery_issue="retrying")
    quick_conversation(brand, subject="fine")
    html = _login(boss).get("/supervisor/").content.decode()
    assert _count(html, brand.pk, "failed") == 12
    tile = html.split('class="failed-deliveries"')[1].split("</ul>")[0]
    assert tile.count("<li") == board.FAILED_SHOWN
    assert f'href="/inbox/c/{failed[-1].pk}/"' in tile
    assert "fine" not in tile
    assert "and 2 more" in html


def test_alerts_show_brand_local_time_link_and_the_viewers_language(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    boss = make_agent(Role.SUPERVISOR, timezone="America/Sao_Paulo")
    conversation = quick_conversation(brand)
    with translation.override("en"):
        alert = create_alert(
            brand.pk,
            AlertKind.SLA_BREACH,
            "SLA breached (First response) in conversation #1",
            conversation_id=conversation.pk,
            params={"target": "first_response", "number": conversation.number},
        )
    at = timezone.make_aware(dt.datetime(2026, 3, 4, 12, 30), dt.UTC)
    Alert.objects.filter(pk=alert.pk).update(created_at=at)
    client = _login(boss)
    html = client.get("/supervisor/").content.decode()
    item = html.split(f'data-alert-id="{alert.pk}"')[1].split("</li>")[0]
    assert "Acme" in item  # the brand
    assert "09:30" in item and "2026-03-04T09:30:00-03:00" in item  # São Paulo, UTC-3
    assert f'href="/inbox/c/{conversation.pk}/"' in item
    assert f"SLA breached (First response) in conversation #{conversation.number}" in item

    client.cookies["django_language"] = "zh-hans"
    html = client.get("/supervisor/").content.decode()
    item = html.split(f'data-alert-id="{alert.pk}"')[1].split("</li>")[0]
    assert "SLA breached" not in item
    assert f"#{conversation.number}" in item


def test_an_old_alert_without_params_shows_its_text(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    boss = make_agent(Role.SUPERVISOR)
    alert = create_alert(brand.pk, AlertKind.UNROUTABLE, "Nobody speaks Klingon")
    html = _login(boss).get("/supervisor/").content.decode()
    assert "Nobody speaks Klingon" in html.split(f'data-alert-id="{alert.pk}"')[1]


def test_alerts_api_has_brand_and_localized_message(
    brand: Brand, make_agent: Callable[..., Agent], make_api: Callable[..., object]
) -> None:
    boss = make_agent(Role.SUPERVISOR)
    create_alert(
        brand.pk,
        AlertKind.MOOD_DROP,
        "Mood dropped from 0.5 to -0.7 in conversation #7",
        params={"from": 0.5, "to": -0.7, "number": 7},
    )
    api = make_api(boss)
    en = api.get("/alerts").json()  # type: ignore[attr-defined]
    assert en[0]["brand_name"] == "Acme"
    assert en[0]["message"] == "Mood dropped from 0.5 to -0.7 in conversation #7"
    zh = api.client.get(  # type: ignore[attr-defined]
        "/api/v1/alerts",
        headers={**api._headers(), "Accept-Language": "zh-Hans"},  # type: ignore[attr-defined]
    ).json()
    assert zh[0]["message"] != en[0]["message"] and "#7" in zh[0]["message"]


# --- actions, per role and brand -------------------------------------------------------------


@pytest.fixture
def people(brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]) -> dict[str, Agent]:
    return {
        "agent": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "other_agent": make_agent(Role.AGENT, brands=[other_brand]),
        "other_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand]),
        "other_admin": make_agent(Role.ADMIN, brands=[other_brand]),
    }


ROLES = [
    ("agent", 403),
    ("supervisor", 302),
    ("admin", 302),
    ("other_agent", 403),
    ("other_supervisor", 404),
    ("other_admin", 404),
]


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_reassign_per_role_and_brand(
    who: str, status: int, brand: Brand, people: dict[str, Agent], make_agent: Callable[..., Agent]
) -> None:
    conversation = quick_conversation(brand)
    target = make_agent(Role.AGENT, name="Target Agent")
    response = _login(people[who]).post(
        f"/supervisor/reassign/{conversation.pk}/", {"assignee": str(target.pk)}
    )
    assert response.status_code == status
    conversation.refresh_from_db()
    if status == 302:
        assert conversation.assignee_id == target.pk
        assert AuditLog.objects.filter(actor=people[who], object_id=str(conversation.pk)).exists()
    else:
        assert conversation.assignee_id is None


def test_reassign_to_an_agent_of_another_brand_is_refused(
    brand: Brand, people: dict[str, Agent]
) -> None:
    conversation = quick_conversation(brand)
    client = _login(people["supervisor"])
    response = client.post(
        f"/supervisor/reassign/{conversation.pk}/",
        {"assignee": str(people["other_agent"].pk)},
        follow=True,
    )
    assert "No such active agent in this brand." in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    bad = client.post(f"/supervisor/reassign/{conversation.pk}/", {"assignee": "x"}, follow=True)
    assert "Not a whole number." in bad.content.decode()


def test_reassign_back_to_the_queue(brand: Brand, people: dict[str, Agent]) -> None:
    conversation = quick_conversation(brand)
    conversations.update_conversation(conversation, actor=None, assignee_id=people["agent"].pk)
    _login(people["supervisor"]).post(f"/supervisor/reassign/{conversation.pk}/", {"assignee": ""})
    conversation.refresh_from_db()
    assert conversation.assignee_id is None


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_acknowledge_per_role_and_brand(
    who: str, status: int, brand: Brand, people: dict[str, Agent]
) -> None:
    alert = create_alert(brand.pk, AlertKind.UNROUTABLE, "Nobody can take it")
    response = _login(people[who]).post(f"/supervisor/alerts/{alert.pk}/ack/")
    assert response.status_code == status
    alert.refresh_from_db()
    if status == 302:
        assert alert.acknowledged_by == people[who]
        assert AuditLog.objects.filter(action="alert.acknowledge", object_id=str(alert.pk)).exists()
        html = _login(people[who]).get("/supervisor/").content.decode()
        assert f'data-alert-id="{alert.pk}"' not in html
    else:
        assert alert.acknowledged_at is None


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_set_presence_per_role_and_brand(
    who: str, status: int, people: dict[str, Agent], make_agent: Callable[..., Agent]
) -> None:
    target = make_agent(Role.AGENT)
    response = _login(people[who]).post(
        f"/supervisor/agents/{target.pk}/presence/", {"presence": Presence.AWAY}
    )
    assert response.status_code == status
    target.refresh_from_db()
    if status == 302:
        assert target.presence == Presence.AWAY
        assert AuditLog.objects.filter(
            action="agent.presence", actor=people[who], object_id=str(target.pk)
        ).exists()
    else:
        assert target.presence == Presence.OFFLINE


def test_set_presence_refuses_an_unknown_value(
    people: dict[str, Agent], make_agent: Callable[..., Agent]
) -> None:
    target = make_agent(Role.AGENT)
    response = _login(people["supervisor"]).post(
        f"/supervisor/agents/{target.pk}/presence/", {"presence": "asleep"}, follow=True
    )
    assert "Presence is online, away or offline." in response.content.decode()
    target.refresh_from_db()
    assert target.presence == Presence.OFFLINE


def test_board_actions_need_post(people: dict[str, Agent], brand: Brand) -> None:
    conversation = quick_conversation(brand)
    client = _login(people["supervisor"])
    assert client.get(f"/supervisor/reassign/{conversation.pk}/").status_code == 405


def test_an_sla_warning_reads_its_due_time_in_the_viewers_zone_and_language(
    brand: Brand,
) -> None:
    from zoneinfo import ZoneInfo

    from wowdesk.core.alerts import message

    alert = create_alert(
        brand.pk,
        AlertKind.SLA_WARNING,
        "SLA due 2026-03-04T15:00:00+00:00 (First response) in conversation #9",
        params={"target": "first_response", "number": 9, "due": "2026-03-04T15:00:00+00:00"},
    )
    with timezone.override(ZoneInfo("Asia/Shanghai")), translation.override("zh-hans"):
        chinese = message(alert)
    assert "2026年3月4日 23:00" in chinese and "#9" in chinese and "SLA due" not in chinese
    with timezone.override(ZoneInfo("America/New_York")), translation.override("en"):
        english = message(alert)
    assert english.startswith("SLA due March 4, 2026, 10 a.m. (First response)")
