"""Tags and inboxes: who may make them, validation, audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from wowdesk.conversations.models import Inbox, Tag
from wowdesk.core import services as core
from wowdesk.core.models import Agent, AuditLog, Brand, Role


@pytest.fixture
def sup_api(
    make_agent: Callable[..., Agent], make_api: Callable[[Agent | None], ApiClient]
) -> ApiClient:
    return make_api(make_agent(Role.SUPERVISOR))


def test_create_and_list_tags(sup_api: ApiClient, brand: Brand) -> None:
    response = sup_api.post("/tags", {"name": "  Refund ", "color": "#FF0000"})
    assert response.status_code == 201, response.content
    tag = response.json()
    assert tag == {"id": tag["id"], "brand_id": brand.pk, "name": "refund", "color": "#FF0000"}
    assert [t["name"] for t in sup_api.get("/tags").json()] == ["refund"]
    entry = AuditLog.objects.get(action="tag.create")
    assert entry.after == {"name": "refund", "color": "#FF0000"}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "refund"}, 422, "name"),  # exists (case-insensitive)
        ({"name": "REFUND"}, 422, "name"),
        ({"name": "   "}, 422, "name"),
        ({"name": ""}, 422, "name"),
        ({"name": "x", "color": "red"}, 422, "color"),
        ({"name": "x", "color": "#12345g"}, 422, "color"),
        ({"name": "x" * 65}, 422, "name"),
        ({}, 422, "name"),
    ],
)
def test_tag_validation(
    sup_api: ApiClient, brand: Brand, body: dict[str, Any], status: int, field: str
) -> None:
    assert sup_api.post("/tags", {"name": "refund"}).status_code == 201
    response = sup_api.post("/tags", body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert Tag.objects.count() == 1


def test_same_tag_name_in_two_brands(sup_api: ApiClient, other_brand: Brand) -> None:
    from wowdesk.conversations.services import create_tag

    create_tag(brand_id=other_brand.pk, name="refund")
    assert sup_api.post("/tags", {"name": "refund"}).status_code == 201


def test_update_tag(sup_api: ApiClient, agent: Agent) -> None:
    a = sup_api.post("/tags", {"name": "a"}).json()
    sup_api.post("/tags", {"name": "b"})
    response = sup_api.patch(f"/tags/{a['id']}", {"name": "Renamed", "color": "#00ff00"})
    assert response.status_code == 200
    assert response.json()["name"] == "renamed"
    assert response.json()["color"] == "#00ff00"
    entry = AuditLog.objects.get(action="tag.update")
    assert entry.before == {"name": "a", "color": "#6b7280"}
    assert entry.after == {"name": "renamed", "color": "#00ff00"}
    dup = sup_api.patch(f"/tags/{a['id']}", {"name": "b"})
    assert dup.status_code == 422
    assert dup.json()["field"] == "name"
    assert sup_api.patch("/tags/999999", {"name": "z"}).status_code == 404


def test_create_and_list_inboxes(admin_api: ApiClient, brand: Brand) -> None:
    team = core.create_team(brand_id=brand.pk, name="Chat team")
    response = admin_api.post(
        "/inboxes",
        {"name": "Website chat", "channel": "chat", "team_id": team.pk, "is_default": True},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["brand_id"] == brand.pk
    assert data["channel"] == "chat"
    assert data["team_id"] == team.pk
    assert data["is_default"] is True
    assert [i["name"] for i in admin_api.get("/inboxes").json()] == ["Website chat"]
    assert AuditLog.objects.filter(action="inbox.create", object_id=str(data["id"])).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Mail", "channel": "email"}, "name"),  # duplicate
        ({"name": "X", "channel": "pigeon"}, "channel"),
        ({"name": "", "channel": "chat"}, "name"),
        ({"name": "X", "channel": "chat", "team_id": 999999}, "team_id"),
        ({"channel": "chat"}, "name"),
    ],
)
def test_inbox_validation(
    admin_api: ApiClient, brand: Brand, body: dict[str, Any], field: str
) -> None:
    assert admin_api.post("/inboxes", {"name": "Mail", "channel": "email"}).status_code == 201
    response = admin_api.post("/inboxes", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Inbox.objects.count() == 1


def test_inbox_with_another_brands_team(admin_api: ApiClient, other_brand: Brand) -> None:
    team = core.create_team(brand_id=other_brand.pk, name="Theirs")
    response = admin_api.post("/inboxes", {"name": "X", "channel": "chat", "team_id": team.pk})
    assert response.status_code == 422
    assert response.json()["field"] == "team_id"


def test_inbox_team_is_the_new_conversations_team(brand: Brand) -> None:
    from tests.factories import make_conversation
    from wowdesk.conversations.services import create_inbox

    team = core.create_team(brand_id=brand.pk, name="Chat team")
    create_inbox(brand_id=brand.pk, name="Chat", channel="chat", team_id=team.pk)
    conv = make_conversation(brand, channel="chat", inbox="Chat")
    assert conv.team_id == team.pk
