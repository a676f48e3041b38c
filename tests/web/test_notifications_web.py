"""The notification centre's pages, the preferences page and the palette's search: every
role of two brands sees only their own, and the other brand's ids are not found."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.factories import make_conversation
from wowdesk.conversations import services as conversations
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.notifications import services
from wowdesk.notifications.models import Kind, Notification

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


def _client(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def _assign(conv_brand: Brand, to: Agent, by: Agent) -> Notification:
    conv = make_conversation(conv_brand, subject=f"Subject for {to.display_name}")
    [row] = services.deliver(
        [
            services.Draft(
                agent_id=to.pk,
                brand_id=conv_brand.pk,
                kind=Kind.ASSIGNED,
                conversation_id=conv.pk,
                actor_id=by.pk,
                params={
                    "number": conv.number,
                    "subject": conv.subject,
                    "actor": "Boss",
                    "by": "agent",
                },
            )
        ]
    )
    return row


@pytest.fixture(
    params=[(r, h) for r in ROLES for h in ("brand", "other_brand")], ids=lambda p: f"{p[0]}-{p[1]}"
)
def case(request: pytest.FixtureRequest, make_agent: Callable[..., Agent]) -> dict[str, object]:
    role, home = request.param
    mine: Brand = request.getfixturevalue(home)
    away: Brand = request.getfixturevalue("other_brand" if home == "brand" else "brand")
    me = make_agent(role, brands=[mine])
    boss = make_agent(Role.SUPERVISOR, brands=[mine])
    colleague = make_agent(Role.AGENT, brands=[mine])
    stranger = make_agent(role, brands=[away])
    return {
        "me": me,
        "mine": _assign(mine, me, boss),
        "colleagues": _assign(mine, colleague, boss),
        "strangers": _assign(away, stranger, make_agent(Role.ADMIN, brands=[away])),
        "brand": mine,
        "away": away,
    }


def test_bell_menu_and_page(case: dict[str, object]) -> None:
    me = case["me"]
    assert isinstance(me, Agent)
    client = _client(me)
    inbox = client.get("/inbox/").content.decode()
    assert 'id="notif-count" data-count="1"' in inbox
    menu = client.get("/notifications/menu/").content.decode()
    assert 'data-unread="1"' in menu
    assert "Boss assigned #" in menu
    for other in ("colleagues", "strangers"):
        row = case[other]
        assert isinstance(row, Notification)
        assert f'data-notification-id="{row.pk}"' not in menu
    page = client.get("/notifications/").content.decode()
    mine = case["mine"]
    assert isinstance(mine, Notification)
    assert f'data-notification-id="{mine.pk}"' in page
    assert "Subject for" in page


def test_open_marks_read_and_goes_to_the_conversation(case: dict[str, object]) -> None:
    me, mine = case["me"], case["mine"]
    assert isinstance(me, Agent) and isinstance(mine, Notification)
    client = _client(me)
    for other in ("colleagues", "strangers"):
        row = case[other]
        assert isinstance(row, Notification)
        assert client.post(f"/notifications/{row.pk}/open/").status_code == 404
        row.refresh_from_db()
        assert row.read_at is None
    response = client.post(f"/notifications/{mine.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/inbox/c/{mine.conversation_id}/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert 'data-count="0"' in client.get("/inbox/").content.decode()


def test_read_all_is_mine_alone(case: dict[str, object]) -> None:
    me = case["me"]
    assert isinstance(me, Agent)
    response = _client(me).post("/notifications/read-all/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert not Notification.objects.filter(agent=me, read_at__isnull=True).exists()


def test_preferences_page(case: dict[str, object]) -> None:
    me = case["me"]
    assert isinstance(me, Agent)
    client = _client(me)
    body = client.get("/settings/notifications/").content.decode()
    assert 'name="kind_mentioned"' in body and 'name="desktop"' in body
    assert 'data-section="notifications" aria-current="page"' in body
    response = client.post(
        "/settings/notifications/", {"kind_assigned": "on", "sound": "on", "desktop": ""}
    )
    assert response.status_code == 302
    pref = services.preferences(me)
    assert pref.sound is True and pref.desktop is False
    assert pref.wants(Kind.ASSIGNED) and not pref.wants(Kind.MENTIONED)


def test_palette_per_role_and_brand(case: dict[str, object]) -> None:
    me, brand, away = case["me"], case["brand"], case["away"]
    assert isinstance(me, Agent) and isinstance(brand, Brand) and isinstance(away, Brand)
    client = _client(me)
    here = make_conversation(brand, name="Quentin Palette", subject="Squeaky hinge")
    there = make_conversation(away, name="Quentin Palette", subject="Squeaky hinge")
    conversations.save_macro(None, brand_id=brand.pk, actor=None, name="Hinge oil", body="Use oil.")
    conversations.save_macro(None, brand_id=away.pk, actor=None, name="Hinge grease", body="No.")

    def groups(q: str, **extra: str) -> dict[str, list[dict[str, object]]]:
        response = client.get("/palette/", {"q": q, **extra})
        assert response.status_code == 200
        return {g["key"]: g["items"] for g in json.loads(response.content)["groups"]}

    by_number = groups(f"#{here.number}")
    assert [c["id"] for c in by_number["conversations"]] == [here.pk]
    assert groups("Squeaky")["conversations"] == [
        {
            "id": here.pk,
            "label": f"#{here.number} Squeaky hinge",
            "detail": "Quentin Palette",
            "url": f"/inbox/c/{here.pk}/",
        }
    ]
    customers = groups("Quentin")["customers"]
    assert [c["id"] for c in customers] == [here.customer_id]
    assert customers[0]["url"] == f"/inbox/c/{here.pk}/"
    assert there.customer_id not in {c["id"] for c in customers}
    assert [m["label"] for m in groups("Hinge")["macros"]] == ["Hinge oil"]
    assert groups("Hinge", conversation=str(there.pk))["macros"] == []  # another brand's
    assert groups("Hinge", conversation=str(here.pk))["macros"][0]["label"] == "Hinge oil"


@pytest.mark.parametrize(
    "params,field",
    [
        ({"q": "a\nb"}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a", "conversation": "x1"}, "conversation"),
    ],
)
def test_palette_refuses_bad_input(
    make_agent: Callable[..., Agent], params: dict[str, str], field: str
) -> None:
    response = _client(make_agent(Role.AGENT)).get("/palette/", params)
    assert response.status_code == 400
    if response["Content-Type"].startswith("application/json"):
        assert json.loads(response.content)["field"] == field
    else:  # a control character: refused for every page (core/middleware.py), naming it
        assert field in response.content.decode()


def test_palette_empty_query_and_anonymous(make_agent: Callable[..., Agent]) -> None:
    assert json.loads(_client(make_agent(Role.AGENT)).get("/palette/").content)["groups"] == []
    assert Client().get("/palette/?q=x").status_code == 302
    assert Client().get("/notifications/menu/").status_code == 302


def test_pages_are_chinese_for_a_chinese_reader(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from django.conf import settings as django_settings

    from tests.test_i18n import visible_english

    me = make_agent(Role.AGENT, name="王芳")
    boss = make_agent(Role.SUPERVISOR, name="李主管")
    _assign(brand, me, boss)
    for kind in (Kind.MENTIONED, Kind.CUSTOMER_REPLIED, Kind.SLA_WARNING):
        conv = make_conversation(brand, subject="水壶漏水", name="陈静")
        services.deliver(
            [
                services.Draft(
                    agent_id=me.pk,
                    brand_id=brand.pk,
                    kind=kind,
                    conversation_id=conv.pk,
                    actor_id=boss.pk,
                    params={"number": conv.number, "actor": "李主管", "target": "resolution"},
                    count=2,
                )
            ]
        )
    Notification.objects.update(params={"number": 1, "actor": "李主管", "target": "resolution"})
    client = _client(me)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    for url in ("/notifications/", "/notifications/menu/", "/settings/notifications/"):
        html = client.get(url).content.decode()
        assert visible_english(html) == set(), url
    menu = client.get("/notifications/menu/").content.decode()
    assert "李主管 在 #1 中提到了你 2 次" in menu
    assert "#1 的解决即将到期" in menu


def test_the_full_list_is_paged(brand: Brand, make_agent: Callable[..., Agent]) -> None:
    me = make_agent(Role.AGENT)
    services.deliver(
        services.Draft(
            agent_id=me.pk,
            brand_id=brand.pk,
            kind=Kind.APPROVAL_NEEDED,
            params={"what": f"item {i:02d}"},
        )
        for i in range(30)
    )
    client = _client(me)
    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/?page=2").content.decode()
    assert first.count('class="notif-item') == 25 and second.count('class="notif-item') == 5
    assert "Page 1 of 2" in first and 'rel="next"' in first and 'rel="prev"' in second
    services.mark_read(me, Notification.objects.filter(agent=me).order_by("id").first().pk)
    unread = client.get("/notifications/?unread=1&page=2").content.decode()
    assert unread.count('class="notif-item') == 4
    assert client.get("/notifications/?page=99").status_code == 200  # the last page


@pytest.mark.parametrize("n", [2, 9])
def test_palette_queries_do_not_grow_with_matches(
    brand: Brand, make_agent: Callable[..., Agent], django_assert_num_queries: Any, n: int
) -> None:
    me = make_agent(Role.AGENT)
    for i in range(n):
        make_conversation(brand, name=f"Rita Many {i}", subject=f"Many things {i}")
        conversations.save_macro(None, brand_id=brand.pk, actor=None, name=f"Many {i}", body="x")
    client = _client(me)
    client.get("/palette/", {"q": "warm"})
    # session, user, agent, brands, the search's ids, conversation rows, customers, macros;
    # the same for 2 matches as for 9 (the text search takes one query less on PostgreSQL)
    with django_assert_num_queries(9 if connection.vendor == "sqlite" else 8):
        got = json.loads(client.get("/palette/", {"q": "Many"}).content)
    sizes = {g["key"]: len(g["items"]) for g in got["groups"]}
    assert sizes == {"conversations": min(n, 6), "customers": min(n, 6), "macros": min(n, 6)}
