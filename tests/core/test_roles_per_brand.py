"""Roles are per brand: one person may be admin in brand A and agent in brand B, and every
rule about a brand's rows asks for the role in that brand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps

from tests.conftest import ApiClient
from wowdesk.core import permissions
from wowdesk.core import services as core
from wowdesk.core.models import Agent, AuditLog, Brand, Membership, Role


@dataclass
class Two:
    a: Brand
    b: Brand
    boss: Agent  # admin in A, agent in B
    shared: Agent  # agent in A and B
    only_b: Agent  # agent in B only
    api: ApiClient


@pytest.fixture
def two(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> Two:
    boss = make_agent(Role.ADMIN, brands=[brand])
    core.set_membership(boss, other_brand.pk, Role.AGENT, actor=None)
    shared = make_agent(Role.AGENT, brands=[brand, other_brand])
    only_b = make_agent(Role.AGENT, brands=[other_brand])
    return Two(brand, other_brand, boss, shared, only_b, make_api(boss))


def _roles(agent: Agent) -> dict[int, str]:
    return dict(Membership.objects.filter(agent=agent).values_list("brand_id", "role"))


def test_role_in_each_brand(two: Two) -> None:
    assert permissions.role_in(two.boss, two.a.pk) == Role.ADMIN
    assert permissions.role_in(two.boss, two.b.pk) == Role.AGENT
    assert permissions.brands_with_role(two.boss, Role.SUPERVISOR) == {two.a.pk}
    assert permissions.has_role_in(two.boss, Role.ADMIN, two.a.pk)
    assert not permissions.has_role_in(two.boss, Role.SUPERVISOR, two.b.pk)
    assert permissions.role_in(two.only_b, two.a.pk) is None
    # the agent's compat role is the highest one, and gives the Django admin
    two.boss.refresh_from_db()
    assert two.boss.role == Role.ADMIN and two.boss.user.is_staff


def test_api_shows_memberships(two: Two) -> None:
    response = two.api.get(f"/agents/{two.boss.pk}")
    assert response.status_code == 200
    assert response.json()["memberships"] == [
        {"brand_id": two.a.pk, "role": "admin"},
        {"brand_id": two.b.pk, "role": "agent"},
    ]
    assert response.json()["brand_ids"] == [two.a.pk, two.b.pk]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/tags", {"name": "vip"}),
        ("/teams", {"name": "Night"}),
        ("/inboxes", {"name": "Mail", "channel": "email"}),
        ("/sites", {"name": "Lisbon", "timezone": "Europe/Lisbon"}),
        ("/sla-policies", {"name": "Fast", "first_response_minutes": 5}),
        ("/agents", {"email": "new-hire@example.com"}),
    ],
)
def test_creating_needs_the_role_in_that_brand(
    two: Two, path: str, body: dict[str, object]
) -> None:
    refused = two.api.post(path, {**body, "brand_id": two.b.pk})
    assert refused.status_code == 403, refused.content
    assert "role" in refused.json()["detail"]
    allowed = two.api.post(path, {**body, "brand_id": two.a.pk})
    assert allowed.status_code == 201, allowed.content


def test_role_change_touches_only_the_editors_brands(two: Two) -> None:
    response = two.api.patch(f"/agents/{two.shared.pk}", {"role": "supervisor"})
    assert response.status_code == 200, response.content
    assert _roles(two.shared) == {two.a.pk: Role.SUPERVISOR, two.b.pk: Role.AGENT}
    two.shared.refresh_from_db()
    assert two.shared.role == Role.SUPERVISOR


def test_role_in_a_brand_the_editor_does_not_administer_is_refused(two: Two) -> None:
    for brand_id, status in ((two.b.pk, 403), (10**9, 422)):
        response = two.api.patch(
            f"/agents/{two.shared.pk}", {"role": "admin", "brand_id": brand_id}
        )
        assert response.status_code == status, response.content
    assert _roles(two.shared) == {two.a.pk: Role.AGENT, two.b.pk: Role.AGENT}
    # an agent of only a brand the editor does not administer: refused too
    response = two.api.patch(f"/agents/{two.only_b.pk}", {"role": "admin"})
    assert response.status_code == 403
    assert _roles(two.only_b) == {two.b.pk: Role.AGENT}


@pytest.mark.parametrize("active", [False, True])
def test_activity_of_a_shared_agent_is_refused(two: Two, active: bool) -> None:
    response = two.api.patch(f"/agents/{two.shared.pk}", {"is_active": active})
    assert response.status_code == 403, response.content
    two.shared.refresh_from_db()
    assert two.shared.is_active is True


def test_activity_of_an_agent_only_in_the_editors_brand(
    two: Two, make_agent: Callable[..., Agent]
) -> None:
    mine = make_agent(Role.AGENT, brands=[two.a])
    response = two.api.patch(f"/agents/{mine.pk}", {"is_active": False})
    assert response.status_code == 200, response.content
    mine.refresh_from_db()
    assert mine.is_active is False


def test_memberships_only_for_administered_brands(two: Two) -> None:
    # cannot give the shared agent a role in B, or take them out of B
    response = two.api.post(
        f"/agents/{two.shared.pk}/memberships", {"brand_id": two.b.pk, "role": "admin"}
    )
    assert response.status_code == 403
    response = two.api.delete(f"/agents/{two.shared.pk}/memberships/{two.b.pk}")
    assert response.status_code == 403
    # nor promote themselves in B
    response = two.api.post(
        f"/agents/{two.boss.pk}/memberships", {"brand_id": two.b.pk, "role": "admin"}
    )
    assert response.status_code == 403
    assert permissions.role_in(two.boss, two.b.pk) == Role.AGENT
    assert _roles(two.shared) == {two.a.pk: Role.AGENT, two.b.pk: Role.AGENT}
    # but can in A
    response = two.api.post(
        f"/agents/{two.shared.pk}/memberships", {"brand_id": two.a.pk, "role": "supervisor"}
    )
    assert response.status_code == 200, response.content
    assert {"brand_id": two.a.pk, "role": "supervisor"} in response.json()["memberships"]
    response = two.api.delete(f"/agents/{two.shared.pk}/memberships/{two.a.pk}")
    assert response.status_code == 200
    assert _roles(two.shared) == {two.b.pk: Role.AGENT}
    assert AuditLog.objects.filter(action="agent.membership_remove").count() == 1


def test_presence_of_another_brands_agent_needs_supervisor_there(two: Two) -> None:
    response = two.api.post(f"/agents/{two.only_b.pk}/presence", {"status": "online"})
    assert response.status_code == 403
    two.only_b.refresh_from_db()
    assert two.only_b.presence == "offline"


def test_lists_for_supervisors_are_scoped_to_the_brands_with_that_role(two: Two) -> None:
    core.create_alert(two.a.pk, "unroutable", "A needs a look")
    core.create_alert(two.b.pk, "unroutable", "B needs a look")
    response = two.api.get("/alerts")
    assert response.status_code == 200
    assert [a["text"] for a in response.json()] == ["A needs a look"]


def test_migration_gives_each_pair_the_agents_role(two: Two) -> None:
    from importlib import import_module

    Membership.objects.filter(agent=two.boss).update(role=Role.AGENT)
    Agent.objects.filter(pk=two.boss.pk).update(role=Role.SUPERVISOR)
    migration = import_module("wowdesk.core.migrations.0003_membership")
    migration.copy_roles(apps, None)
    assert _roles(two.boss) == {two.a.pk: Role.SUPERVISOR, two.b.pk: Role.SUPERVISOR}
    assert _roles(two.only_b) == {two.b.pk: Role.AGENT}


def test_supervisor_board_shows_only_brands_where_one_supervises(
    two: Two, make_agent: Callable[..., Agent]
) -> None:
    from django.test import Client

    person = make_agent(Role.SUPERVISOR, brands=[two.a], password="correct-horse-battery")
    core.set_membership(person, two.b.pk, Role.AGENT, actor=None)
    core.create_alert(two.a.pk, "unroutable", "A needs a look")
    core.create_alert(two.b.pk, "unroutable", "B needs a look")
    client = Client()
    client.force_login(person.user)
    response = client.get("/supervisor/")
    assert response.status_code == 200
    assert [a.text for a in response.context["alerts"]] == ["A needs a look"]
    assert [b.brand.pk for b in response.context["boards"]] == [two.a.pk]
    assert two.only_b not in [r["agent"] for r in response.context["rows"]]


def test_listing_agents_by_role_asks_for_the_role_in_the_callers_brands(
    two: Two, make_api: Callable[[Agent | None], ApiClient]
) -> None:
    # shared is admin in B and agent in A: to a caller of A only, an agent
    core.set_membership(two.shared, two.b.pk, Role.ADMIN, actor=None)
    core.set_membership(two.shared, two.a.pk, Role.AGENT, actor=None)
    a_only = core.create_agent(core.AgentInput(email="a-only@example.com"), brands=[two.a])
    api = make_api(a_only)
    admins = {a["id"] for a in api.get("/agents", role="admin").json()["items"]}
    assert admins == {two.boss.pk}
    agents = {a["id"] for a in api.get("/agents", role="agent").json()["items"]}
    assert two.shared.pk in agents and two.boss.pk not in agents


def test_changing_needs_the_role_in_the_objects_brand(two: Two) -> None:
    from wowdesk.conversations import services as conversations
    from wowdesk.core.models import Site, Team
    from wowdesk.routing import services as routing

    b = two.b.pk
    tag = conversations.create_tag(brand_id=b, name="b-tag")
    team = core.create_team(brand_id=b, name="B team")
    policy = routing.create_sla_policy(
        brand_id=b, actor=None, name="B fast", first_response_minutes=30
    )
    b_site = core.create_site(name="B site", timezone_name="UTC", brand_ids=[b])
    shared_site = core.create_site(name="Shared", timezone_name="UTC", brand_ids=[two.a.pk, b])
    attempts = [
        (f"/tags/{tag.pk}", {"color": "#000000"}),
        (f"/teams/{team.pk}", {"name": "Taken"}),
        (f"/sla-policies/{policy.pk}", {"first_response_minutes": 1}),
        (f"/sites/{b_site.pk}", {"name": "Taken"}),
        (f"/sites/{shared_site.pk}", {"name": "Taken"}),
    ]
    for path, body in attempts:
        response = two.api.patch(path, body)
        assert response.status_code == 403, (path, response.content)
    tag.refresh_from_db()
    policy.refresh_from_db()
    assert tag.color == "#6b7280" and policy.first_response_minutes == 30
    assert Team.objects.get(pk=team.pk).name == "B team"
    assert set(Site.objects.filter(name="Taken")) == set()


def test_invitations_go_only_into_brands_one_administers(two: Two) -> None:
    """API and page: the admin of A who is an agent in B invites into A only."""
    from django.core import mail
    from django.test import Client

    refused = two.api.post(
        "/agents/invite",
        {"email": "new-b@example.com", "name": "New B", "role": "agent", "brand_id": two.b.pk},
    )
    assert refused.status_code == 403, refused.content
    assert not Agent.objects.filter(user__email="new-b@example.com").exists()
    # Without brand_id, the one brand the caller administers is taken.
    allowed = two.api.post(
        "/agents/invite", {"email": "new-a@example.com", "name": "New A", "role": "agent"}
    )
    assert allowed.status_code == 201, allowed.content
    assert _roles(Agent.objects.get(user__email="new-a@example.com")) == {two.a.pk: "agent"}

    page = Client()
    page.force_login(two.boss.user)
    listing = page.get("/settings/agents/")
    assert listing.status_code == 200
    choices = listing.context["form"].fields["brand"].choices
    assert [pk for pk, _name in choices] == [two.a.pk]
    sent = len(mail.outbox)
    forged = page.post(
        "/settings/agents/",
        {"email": "forged@example.com", "name": "Forged", "role": "agent", "brand": two.b.pk},
    )
    assert forged.status_code == 400
    assert not Agent.objects.filter(user__email="forged@example.com").exists()
    assert len(mail.outbox) == sent


def test_token_create_with_a_brand_changes_the_role_there_only(two: Two) -> None:
    agent, _token = core.ensure_agent_with_token(
        email=two.shared.email, role=Role.SUPERVISOR, brand=two.b
    )
    assert _roles(agent) == {two.a.pk: "agent", two.b.pk: "supervisor"}
