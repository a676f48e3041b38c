"""Agents, teams, sites and tokens: create, update, validation, audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import ApiClient
from wowdesk.core import services
from wowdesk.core.models import Agent, ApiToken, AuditLog, Brand, Role, Site, Team

# --- me and brands ------------------------------------------------------------------------


def test_me(api: ApiClient, agent: Agent, brand: Brand) -> None:
    data = api.get("/me").json()
    assert data["id"] == agent.pk
    assert data["email"] == agent.email
    assert data["role"] == "agent"
    assert data["languages"] == ["en", "de"]
    assert data["brand_ids"] == [brand.pk]
    assert data["brands"] == [
        {
            "id": brand.pk,
            "name": "Acme",
            "slug": "acme",
            "default_language": "en",
            "support_email": "",
        }
    ]


def test_superuser_agent_sees_every_brand(
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    other_brand: Brand,
) -> None:
    root = make_agent(Role.ADMIN)
    root.user.is_superuser = True
    root.user.save()
    assert len(make_api(root).get("/brands").json()) == 2


# --- agents -------------------------------------------------------------------------------


def test_create_agent(admin_api: ApiClient, admin: Agent, brand: Brand) -> None:
    site = services.create_site(name="Porto", timezone_name="Europe/Lisbon", brand_ids=[brand.pk])
    response = admin_api.post(
        "/agents",
        {
            "email": " Bea@Example.COM ",
            "name": "Bea",
            "role": "supervisor",
            "languages": ["PT", "en", "pt", " "],
            "skills": ["billing", " "],
            "timezone": "Europe/Lisbon",
            "site_id": site.pk,
            "capacity": 5,
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["email"] == "bea@example.com"
    assert data["role"] == "supervisor"
    assert data["languages"] == ["pt", "en"]
    assert data["skills"] == ["billing"]
    assert data["site"]["name"] == "Porto"
    assert data["brand_ids"] == [brand.pk]
    assert data["team_ids"] == []
    entry = AuditLog.objects.get(action="agent.create", object_id=str(data["id"]))
    assert entry.actor_id == admin.pk
    assert entry.after["role"] == "supervisor"
    user = get_user_model().objects.get(username="bea@example.com")
    assert not user.has_usable_password()
    assert not user.is_staff


def test_admin_agents_are_staff_for_the_django_admin(admin_api: ApiClient) -> None:
    data = admin_api.post("/agents", {"email": "root@example.com", "role": "admin"}).json()
    user = Agent.objects.get(pk=data["id"]).user
    assert user.is_staff
    assert user.user_permissions.filter(content_type__app_label="conversations").exists()
    admin_api.patch(f"/agents/{data['id']}", {"role": "agent"})
    user.refresh_from_db()
    assert not user.is_staff
    assert not user.user_permissions.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "agent-dup@example.com"}, 409, "email"),
        ({"email": "AGENT-DUP@example.com"}, 409, "email"),
        ({"email": "no-at-sign"}, 422, "email"),
        ({"email": "x@example.com", "timezone": "Mars/Base"}, 422, "timezone"),
        ({"email": "x@example.com", "timezone": ""}, 422, "timezone"),
        ({"email": "x@example.com", "role": "boss"}, 422, "role"),
        ({"email": "x@example.com", "languages": ["english!"]}, 422, "languages"),
        ({"email": "x@example.com", "site_id": 999999}, 422, "site_id"),
        ({"email": "x@example.com", "capacity": -1}, 422, "capacity"),
        ({"email": "x@example.com", "password": "short"}, 422, "password"),
        ({}, 422, "email"),
    ],
)
def test_create_agent_validation(
    admin_api: ApiClient,
    make_agent: Callable[..., Agent],
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    make_agent(email="agent-dup@example.com")
    before = Agent.objects.count()
    response = admin_api.post("/agents", body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert Agent.objects.count() == before
    assert not get_user_model().objects.filter(username="x@example.com").exists()


def test_update_agent(admin_api: ApiClient, agent: Agent, admin: Agent) -> None:
    response = admin_api.patch(
        f"/agents/{agent.pk}",
        {"name": "Renamed", "languages": ["fr"], "capacity": 2, "timezone": "Asia/Tokyo"},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["name"], data["languages"], data["capacity"], data["timezone"]) == (
        "Renamed",
        ["fr"],
        2,
        "Asia/Tokyo",
    )
    entry = AuditLog.objects.get(action="agent.update")
    assert entry.actor_id == admin.pk
    assert entry.before["capacity"] == 10
    assert entry.after["capacity"] == 2
    assert "role" not in entry.after  # only what changed
    bad = admin_api.patch(f"/agents/{agent.pk}", {"timezone": "Nowhere"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "timezone"
    agent.refresh_from_db()
    assert agent.timezone == "Asia/Tokyo"


def test_deactivated_agent_loses_api_access(
    admin_api: ApiClient, api: ApiClient, agent: Agent
) -> None:
    assert api.get("/me").status_code == 200
    assert admin_api.patch(f"/agents/{agent.pk}", {"is_active": False}).status_code == 200
    assert api.get("/me").status_code == 401


def test_list_agents_filters(
    api: ApiClient, make_agent: Callable[..., Agent], agent: Agent
) -> None:
    fr = make_agent(Role.SUPERVISOR, languages=("fr",))
    data = api.get("/agents").json()
    assert data["total"] == 2
    assert [a["id"] for a in api.get("/agents", language="FR").json()["items"]] == [fr.pk]
    assert [a["id"] for a in api.get("/agents", role="supervisor").json()["items"]] == [fr.pk]
    assert api.get("/agents", role="boss").status_code == 422
    assert api.get(f"/agents/{fr.pk}").json()["languages"] == ["fr"]
    assert api.get("/agents/999999").status_code == 404


# --- teams --------------------------------------------------------------------------------


def test_teams(
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    agent: Agent,
    brand: Brand,
) -> None:
    sup = make_agent(Role.SUPERVISOR)
    api = make_api(sup)
    response = api.post("/teams", {"name": " Returns ", "member_ids": [agent.pk, sup.pk]})
    assert response.status_code == 201, response.content
    team = response.json()
    assert team["name"] == "Returns"
    assert team["brand_id"] == brand.pk
    assert team["member_ids"] == sorted([agent.pk, sup.pk])
    assert api.get(f"/agents/{agent.pk}").json()["team_ids"] == [team["id"]]

    dup = api.post("/teams", {"name": "Returns"})
    assert dup.status_code == 409
    assert dup.json()["field"] == "name"

    response = api.patch(f"/teams/{team['id']}", {"member_ids": [sup.pk], "description": "R"})
    assert response.status_code == 200
    assert response.json()["member_ids"] == [sup.pk]
    entry = AuditLog.objects.get(action="team.update")
    assert entry.before == {"description": "", "members": sorted([agent.pk, sup.pk])}
    assert entry.after == {"description": "R", "members": [sup.pk]}
    assert [t["name"] for t in api.get("/teams").json()] == ["Returns"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": ""}, 422, "name"),
        ({"name": "   "}, 422, "name"),
        ({"name": "X", "member_ids": [999999]}, 422, "member_ids"),
        ({"name": "Taken"}, 409, "name"),
    ],
)
def test_team_validation(
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    brand: Brand,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    services.create_team(brand_id=brand.pk, name="Taken")
    api = make_api(make_agent(Role.SUPERVISOR))
    response = api.post("/teams", body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert Team.objects.count() == 1


def test_team_members_must_work_for_the_brand(
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    other_brand: Brand,
    brand: Brand,
) -> None:
    outsider = make_agent(Role.AGENT, brands=[other_brand])
    team = services.create_team(brand_id=brand.pk, name="Mine")
    api = make_api(make_agent(Role.SUPERVISOR))
    response = api.post("/teams", {"name": "X", "member_ids": [outsider.pk]})
    assert response.status_code == 422
    assert response.json()["field"] == "member_ids"
    response = api.patch(f"/teams/{team.pk}", {"member_ids": [outsider.pk]})
    assert response.status_code == 422
    assert not team.members.exists()
    renamed = api.patch(f"/teams/{team.pk}", {"name": ""})
    assert renamed.status_code == 422


# --- sites --------------------------------------------------------------------------------


def test_sites(admin_api: ApiClient, brand: Brand, admin: Agent) -> None:
    response = admin_api.post(
        "/sites", {"name": "Manila", "timezone": "Asia/Manila", "country": "ph"}
    )
    assert response.status_code == 201, response.content
    site = response.json()
    assert site == {
        "id": site["id"],
        "name": "Manila",
        "timezone": "Asia/Manila",
        "country": "PH",
        "subdivision": "",
        "hours": {},
        "closed_dates": [],
        "brand_ids": [brand.pk],
    }
    bad = admin_api.patch(f"/sites/{site['id']}", {"hours": {"mon-fri": [["09:00"]]}})
    assert bad.status_code == 422 and bad.json()["field"] == "hours"
    for wrong in (["2026-02-30"], ["24.12.2026"], ["x"]):
        bad = admin_api.patch(f"/sites/{site['id']}", {"closed_dates": wrong})
        assert bad.status_code == 422 and bad.json()["field"] == "closed_dates", wrong
    closed = admin_api.patch(f"/sites/{site['id']}", {"closed_dates": ["2026-12-31", "2026-12-24"]})
    assert closed.json()["closed_dates"] == ["2026-12-24", "2026-12-31"]
    hours = {"mon-fri": [["09:00", "17:00"]]}
    assert admin_api.patch(f"/sites/{site['id']}", {"hours": hours}).json()["hours"] == hours
    response = admin_api.patch(f"/sites/{site['id']}", {"timezone": "Asia/Tokyo"})
    assert response.status_code == 200
    assert response.json()["timezone"] == "Asia/Tokyo"
    entry = AuditLog.objects.filter(action="site.update").order_by("-id").first()
    assert entry is not None
    assert entry.before == {"timezone": "Asia/Manila"}
    assert entry.after == {"timezone": "Asia/Tokyo"}
    assert [s["name"] for s in admin_api.get("/sites").json()] == ["Manila"]
    assert admin_api.patch("/sites/999999", {"name": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"name": "X", "timezone": ""}, "timezone"),
        ({"name": "X", "timezone": "../../etc/passwd"}, "timezone"),
        ({"name": "X"}, "timezone"),
        ({"name": "", "timezone": "UTC"}, "name"),
        ({"name": "X", "timezone": "UTC", "country": "DEU"}, "country"),
    ],
)
def test_site_validation(admin_api: ApiClient, body: dict[str, Any], field: str) -> None:
    response = admin_api.post("/sites", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Site.objects.count() == 0


def test_site_update_bad_timezone(admin_api: ApiClient, brand: Brand) -> None:
    site = services.create_site(name="Porto", timezone_name="Europe/Lisbon", brand_ids=[brand.pk])
    response = admin_api.patch(f"/sites/{site.pk}", {"timezone": "Europe/Atlantis"})
    assert response.status_code == 422
    assert response.json()["field"] == "timezone"
    site.refresh_from_db()
    assert site.timezone == "Europe/Lisbon"


# --- tokens -------------------------------------------------------------------------------


def test_tokens(api: ApiClient, agent: Agent) -> None:
    response = api.post("/tokens", {"name": "zapier"})
    assert response.status_code == 201
    created = response.json()
    raw = created["token"]
    assert raw.startswith("wd_")
    assert created["prefix"] == raw[:10]
    stored = ApiToken.objects.get(pk=created["id"])
    assert raw not in (stored.token_hash, stored.prefix)  # only the hash is kept
    assert stored.token_hash == services.hash_token(raw)
    listed = api.get("/tokens").json()
    assert {t["name"] for t in listed} == {"cli", "zapier"}
    assert all("token" not in t for t in listed)

    new = ApiClient(raw)
    assert new.get("/me").json()["id"] == agent.pk
    stored.refresh_from_db()
    assert stored.last_used_at is not None

    assert api.delete(f"/tokens/{created['id']}").status_code == 204
    assert new.get("/me").status_code == 401
    assert api.get("/me").status_code == 200  # the other token still works
    assert api.delete("/tokens/999999").status_code == 404
    assert api.post("/tokens", {"name": ""}).status_code == 422


def test_token_shapes_that_are_not_ours(db: None) -> None:
    for raw in ("", "wd_", "Bearer x", "wd_" + "x" * 300, "sk-abc"):
        assert services.agent_for_token(raw) is None


def test_last_used_is_written_at_most_every_few_minutes(api: ApiClient, agent: Agent) -> None:
    api.get("/me")
    token = ApiToken.objects.get(agent=agent)
    first = token.last_used_at
    assert first is not None
    api.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == first


def test_an_email_that_unicode_normalises_to_an_existing_one_is_a_conflict(
    admin_api: ApiClient,
) -> None:
    # "¼" is stored as "1⁄4" (NFKC): the second address is the same login
    first = admin_api.post("/agents", {"email": "ana1⁄4@example.com"})
    assert first.status_code == 201, first.content
    again = admin_api.post("/agents", {"email": "ana¼@example.com"})
    assert again.status_code == 409 and again.json()["field"] == "email"


def test_team_member_ids_beyond_a_database_integer_are_refused(admin_api: Any) -> None:
    """Found by schemathesis: a member id of 2**70 overflowed SQLite (a 500)."""
    response = admin_api.post("/teams", {"name": "Huge", "member_ids": [2**70]})
    assert response.status_code == 422
    assert response.json()["field"].startswith("member_ids")
