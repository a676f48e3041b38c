"""The Django admin's own rules (a superuser's tool): tokens, malformed agent values, the
audit log, and saves that go through the services. Roles per brand, shared sites and
agents, and what a brand administrator may change are the settings pages' rules
(tests/web/test_people_settings.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import quick_conversation
from tests.web.test_admin_brand_wall import form_data
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Tag
from wowdesk.core import services as core
from wowdesk.core.models import Agent, ApiToken, AuditLog, Brand, Role


def login(agent_or_user: Any) -> Client:
    client = Client()
    client.force_login(getattr(agent_or_user, "user", agent_or_user))
    return client


def token_of(agent: Agent) -> ApiToken:
    raw = core.create_token(agent, name="spare")
    return ApiToken.objects.get(token_hash=core.hash_token(raw))


def change_url(obj: Any) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def boss(make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand) -> Agent:
    """Admin in brand A, agent in brand B, and a superuser: only superusers use the
    Django admin."""
    agent = make_agent(Role.ADMIN, brands=[brand])
    core.set_membership(agent, other_brand.pk, Role.AGENT, actor=None)
    agent.user.is_superuser = True
    agent.user.save(update_fields=["is_superuser"])
    return agent


# --- tokens ---------------------------------------------------------------------------


def test_token_owner_and_revocation_are_not_editable(
    boss: Agent, make_agent: Callable[..., Agent], other_brand: Brand
) -> None:
    token = token_of(boss)
    core.revoke_token(token, actor=boss)
    their_admin = make_agent(Role.ADMIN, brands=[other_brand])
    client = login(boss)
    page = client.get(change_url(token))
    assert page.status_code == 200
    assert set(page.context["adminform"].form.fields) == {"name"}
    data = form_data(page)
    for forged in (
        {"agent": str(their_admin.pk)},
        {"revoked_at": ""},
        {"revoked_at_0": "", "revoked_at_1": ""},
        {"token_hash": "0" * 64, "prefix": "wd_forged"},
    ):
        response = client.post(change_url(token), {**data, **forged, "name": "renamed"})
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.agent_id == boss.pk
        assert token.revoked_at is not None
        assert token.prefix != "wd_forged"
    assert token.name == "renamed"
    assert AuditLog.objects.filter(action="token.rename", actor=boss).exists()


# --- agents: roles per brand, activity, brands ----------------------------------------


def _membership_post(client: Client, agent: Agent, **rows: Any) -> Any:
    page = client.get(change_url(agent))
    assert page.status_code == 200
    data = form_data(page)
    data.update(rows)
    return client.post(change_url(agent), data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("shifts", '["mon-fri 25:00-26:00"]'),
        ("shifts", '["someday"]'),
        ("shifts", '"mon-fri 08:00-16:00"'),
        ("languages", '["not a language"]'),
        ("timezone", "Mars/Olympus"),
        ("channel_capacity", '{"pigeon": 3}'),
        ("channel_capacity", "[1, 2]"),
    ],
)
def test_malformed_agent_values_are_form_errors(
    boss: Agent, make_agent: Callable[..., Agent], brand: Brand, field: str, value: str
) -> None:
    agent = make_agent(Role.AGENT, brands=[brand], shifts=("mon-fri 08:00-16:00",))
    client = login(boss)
    page = client.get(change_url(agent))
    data = form_data(page)
    data[field] = value
    audit = AuditLog.objects.count()
    response = client.post(change_url(agent), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    agent.refresh_from_db()
    assert agent.shifts == ["mon-fri 08:00-16:00"]
    assert agent.timezone == "UTC" and agent.channel_capacity == {}
    assert AuditLog.objects.count() == audit


# --- the audit log --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "superuser"])
def test_the_audit_log_is_never_changed_or_deleted(boss: Agent, brand: Brand, who: str) -> None:
    core.create_alert(brand.pk, "unroutable", "x")
    entry = AuditLog.objects.filter(brand=brand).first()
    assert entry is not None
    user: Any = boss.user
    if who == "superuser":
        user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    client = login(user)
    assert client.get(change_url(entry)).status_code == 200  # read
    response = client.post(change_url(entry), {"action": "forged"})
    assert response.status_code == 403
    delete = reverse("admin:core_auditlog_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:core_auditlog_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert AuditLog.objects.filter(pk=entry.pk, action=entry.action).exists()
    assert client.get(reverse("admin:core_auditlog_add")).status_code == 403


# --- saves go through the services ----------------------------------------------------


def test_admin_saves_and_deletes_go_through_the_services(boss: Agent, brand: Brand) -> None:
    tag = conversations.create_tag(brand_id=brand.pk, name="refund")
    client = login(boss)
    page = client.get(change_url(tag))
    data = form_data(page)
    response = client.post(change_url(tag), {**data, "name": "  Refunds  ", "color": "#ff0000"})
    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.name == "refunds"  # the service's normalising
    assert AuditLog.objects.filter(action="tag.update", actor=boss).exists()
    response = client.post(change_url(tag), {**data, "color": "red"})  # the service refuses
    assert response.status_code == 200
    tag.refresh_from_db()
    assert tag.color == "#ff0000"
    delete = reverse("admin:conversations_tag_delete", args=[tag.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert AuditLog.objects.filter(action="tag.delete", actor=boss).exists()


def test_a_conversation_change_is_an_activity_and_stays_in_its_brand(
    boss: Agent, make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand
) -> None:
    conversation = quick_conversation(brand)
    colleague = make_agent(Role.AGENT, brands=[brand])
    stranger = make_agent(Role.AGENT, brands=[other_brand])
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw-1234")
    for who in (boss.user, superuser):
        client = login(who)
        page = client.get(change_url(conversation))
        data = form_data(page)
        response = client.post(change_url(conversation), {**data, "assignee": str(stranger.pk)})
        assert response.status_code == 200  # also for a superuser: not this brand's agent
        conversation.refresh_from_db()
        assert conversation.assignee_id is None
    client = login(boss)
    data = form_data(client.get(change_url(conversation)))
    response = client.post(change_url(conversation), {**data, "assignee": str(colleague.pk)})
    assert response.status_code == 302
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert conversation.assignee_id == colleague.pk
    assert conversation.messages.filter(direction="activity").exists()


def test_adding_a_team_goes_through_the_service(
    boss: Agent, make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand
) -> None:
    from wowdesk.core.models import Team

    member = make_agent(Role.AGENT, brands=[brand])
    shared = make_agent(Role.AGENT, brands=[brand, other_brand])
    stranger = make_agent(Role.AGENT, brands=[other_brand])
    client = login(boss)
    add = reverse("admin:core_team_add")
    base = {"brand": str(brand.pk), "name": "Night", "required_skills": '["lamps"]'}
    for members in ([stranger.pk], [member.pk, stranger.pk]):
        response = client.post(add, {**base, "members": [str(m) for m in members]})
        assert response.status_code == 200
        assert not Team.objects.filter(name="Night").exists()
    response = client.post(add, {**base, "required_skills": '"lamps"'})
    assert response.status_code == 200  # not a list: the service refuses
    assert not Team.objects.filter(name="Night").exists()
    response = client.post(add, {**base, "members": [str(member.pk), str(shared.pk)]})
    assert response.status_code == 302
    team = Team.objects.get(name="Night")
    assert team.brand_id == brand.pk
    assert set(team.members.values_list("id", flat=True)) == {member.pk, shared.pk}
    assert team.required_skills == ["lamps"]
    assert AuditLog.objects.filter(action="team.create", actor=boss, brand=brand).exists()
    # a second team of the same name is the service's conflict, as a form error
    response = client.post(add, base)
    assert response.status_code == 200
    assert Team.objects.filter(name="Night").count() == 1


def test_a_superuser_adds_a_brand_through_the_service(db: None) -> None:
    add = reverse("admin:core_brand_add")
    data = {"name": "Initech", "slug": "initech", "default_language": "en"}
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    client = login(root)
    response = client.post(add, data)
    assert response.status_code == 302
    assert Brand.objects.filter(slug="initech").exists()
    response = client.post(add, {**data, "name": "Initech again"})  # the slug is taken
    assert response.status_code == 200
    assert Brand.objects.filter(slug="initech").count() == 1
