"""Who may call what (the conventions): for every endpoint of API v1, 401 without a valid
token, 403 outside one's role and outside one's brand, and the allowed case.

The table below must name every operation of the core help desk's routers (a new one
without a row fails ``test_every_endpoint_is_in_the_table``); every operation of the whole
API, whoever adds it, must refuse a request without a token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import ApiClient, inbound
from tests.factories import make_customer, make_reply, outbox_of, quick_conversation, unique
from wowdesk.api import api as ninja_api
from wowdesk.channels import adapters, outbox
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Inbox, Tag
from wowdesk.core import services as core
from wowdesk.core.models import Agent, ApiToken, Brand, Role, Site, Team
from wowdesk.customers.models import Customer


@dataclass
class Side:
    """One brand's objects."""

    brand: Brand
    agent: Agent
    supervisor: Agent
    admin: Agent
    customer: Customer
    conversation: Conversation
    tag: Tag
    team: Team
    site: Site
    inbox: Inbox
    failed_outbox_id: int
    token_id: int


@dataclass
class World:
    a: Side
    b: Side
    clients: dict[str, ApiClient] = field(default_factory=dict)

    def as_role(self, role: str) -> ApiClient:
        return self.clients[role]


def _side(brand: Brand, make_agent: Callable[..., Agent], tag: str) -> Side:
    agent = make_agent(Role.AGENT, brands=[brand])
    supervisor = make_agent(Role.SUPERVISOR, brands=[brand])
    admin = make_agent(Role.ADMIN, brands=[brand])
    conversation = quick_conversation(brand, email=f"cust-{tag}@example.com")
    email_inbox = conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")
    email_conv = quick_conversation(brand, email=f"mail-{tag}@example.com", inbox=email_inbox)
    with pytest.MonkeyPatch.context() as mp:
        mp.delitem(adapters.ADAPTERS, "email")  # no adapter: the row is parked as failed
        failed = outbox.deliver(outbox_of(make_reply(email_conv, agent)).pk)
    assert failed.status == "failed"
    core.create_token(admin, name="spare")
    return Side(
        brand=brand,
        agent=agent,
        supervisor=supervisor,
        admin=admin,
        customer=conversation.customer,
        conversation=conversation,
        tag=conversations.create_tag(brand_id=brand.pk, name=f"tag-{tag}"),
        team=core.create_team(brand_id=brand.pk, name=f"Team {tag}"),
        site=core.create_site(
            name=f"Site {tag}", timezone_name="Europe/Berlin", brand_ids=[brand.pk]
        ),
        inbox=email_inbox,
        failed_outbox_id=failed.pk,
        token_id=ApiToken.objects.filter(agent=admin, name="spare").get().pk,
    )


@pytest.fixture
def world(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> World:
    a = _side(brand, make_agent, "a")
    b = _side(other_brand, make_agent, "b")
    w = World(a=a, b=b)
    w.clients = {
        Role.AGENT: make_api(a.agent),
        Role.SUPERVISOR: make_api(a.supervisor),
        Role.ADMIN: make_api(a.admin),
    }
    return w


# --- the table ------------------------------------------------------------------------

Path = Callable[[Side], str]
Body = Callable[[Side], Any]


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str  # as in the OpenAPI schema, without /api/v1
    path: Path  # the path for one side's objects
    role: str = Role.AGENT  # the lowest role allowed
    body: Body | None = None  # a valid body for the allowed case
    ok: int = 200
    # How to reach another brand's data: "object" (the id is another brand's), "brand_id"
    # (ask to create in another brand), None (lists: scoped, checked by isolation tests).
    other_brand: str | None = "object"

    @property
    def id(self) -> str:
        return f"{self.method} {self.template}"


def _n(prefix: str) -> Callable[[Side], dict[str, Any]]:
    return lambda s: {"name": f"{prefix} {s.brand.slug}"}


ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/me", lambda s: "/me", other_brand=None),
    Endpoint("GET", "/brands", lambda s: "/brands", other_brand=None),
    Endpoint("GET", "/agents", lambda s: "/agents", other_brand=None),
    Endpoint(
        "POST",
        "/agents",
        lambda s: "/agents",
        Role.ADMIN,
        lambda s: {"email": f"new-{s.brand.slug}@example.com", "brand_id": s.brand.pk},
        201,
        "brand_id",
    ),
    Endpoint(
        "POST",
        "/agents/invite",
        lambda s: "/agents/invite",
        Role.ADMIN,
        lambda s: {"email": f"invited-{s.brand.slug}@example.com", "brand_id": s.brand.pk},
        201,
        "brand_id",
    ),
    Endpoint("GET", "/agents/{agent_id}", lambda s: f"/agents/{s.agent.pk}"),
    Endpoint(
        "PATCH",
        "/agents/{agent_id}",
        lambda s: f"/agents/{s.agent.pk}",
        Role.ADMIN,
        lambda s: {"capacity": 3},
    ),
    Endpoint(
        "POST",
        "/agents/{agent_id}/memberships",
        lambda s: f"/agents/{s.agent.pk}/memberships",
        Role.ADMIN,
        lambda s: {"brand_id": s.brand.pk, "role": "supervisor"},
    ),
    Endpoint(
        "DELETE",
        "/agents/{agent_id}/memberships/{brand_id}",
        lambda s: f"/agents/{s.agent.pk}/memberships/{s.brand.pk}",
        Role.ADMIN,
    ),
    Endpoint("GET", "/teams", lambda s: "/teams", other_brand=None),
    Endpoint(
        "POST",
        "/teams",
        lambda s: "/teams",
        Role.SUPERVISOR,
        lambda s: {"name": "Returns", "brand_id": s.brand.pk},
        201,
        "brand_id",
    ),
    Endpoint(
        "PATCH",
        "/teams/{team_id}",
        lambda s: f"/teams/{s.team.pk}",
        Role.SUPERVISOR,
        _n("Renamed"),
    ),
    Endpoint("GET", "/sites", lambda s: "/sites", other_brand=None),
    Endpoint(
        "POST",
        "/sites",
        lambda s: "/sites",
        Role.ADMIN,
        lambda s: {"name": "Lisbon", "timezone": "Europe/Lisbon", "brand_id": s.brand.pk},
        201,
        "brand_id",
    ),
    Endpoint(
        "PATCH",
        "/sites/{site_id}",
        lambda s: f"/sites/{s.site.pk}",
        Role.ADMIN,
        lambda s: {"timezone": "Asia/Tokyo"},
    ),
    Endpoint("GET", "/tokens", lambda s: "/tokens", other_brand=None),
    Endpoint(
        "POST",
        "/tokens",
        lambda s: "/tokens",
        body=lambda s: {"name": "x"},
        ok=201,
        other_brand=None,
    ),
    Endpoint("GET", "/customers", lambda s: "/customers", other_brand=None),
    Endpoint(
        "POST",
        "/customers",
        lambda s: "/customers",
        body=lambda s: {"email": "new@example.com", "brand_id": s.brand.pk},
        ok=201,
        other_brand="brand_id",
    ),
    Endpoint("GET", "/customers/{customer_id}", lambda s: f"/customers/{s.customer.pk}"),
    Endpoint(
        "PATCH",
        "/customers/{customer_id}",
        lambda s: f"/customers/{s.customer.pk}",
        body=lambda s: {"vip_tier": "gold"},
    ),
    Endpoint(
        "POST",
        "/customers/{customer_id}/merge",
        lambda s: f"/customers/{s.customer.pk}/merge",
        # body: a second customer of the same brand, made in _body()
    ),
    Endpoint(
        "POST",
        "/customers/{customer_id}/identities",
        lambda s: f"/customers/{s.customer.pk}/identities",
        body=lambda s: {"kind": "phone", "value": "+49 30 123456"},
        ok=201,
    ),
    Endpoint(
        "POST",
        "/customers/{customer_id}/purchases",
        lambda s: f"/customers/{s.customer.pk}/purchases",
        body=lambda s: {"product": "Lamp"},
        ok=201,
    ),
    Endpoint("GET", "/conversations", lambda s: "/conversations", other_brand=None),
    Endpoint(
        "GET",
        "/conversations/{conversation_id}",
        lambda s: f"/conversations/{s.conversation.pk}",
    ),
    Endpoint(
        "PATCH",
        "/conversations/{conversation_id}",
        lambda s: f"/conversations/{s.conversation.pk}",
        body=lambda s: {"priority": "high"},
    ),
    Endpoint(
        "POST",
        "/conversations/{conversation_id}/replies",
        lambda s: f"/conversations/{s.conversation.pk}/replies",
        body=lambda s: {"body": "Hello"},
        ok=201,
    ),
    Endpoint(
        "POST",
        "/conversations/{conversation_id}/apply-macro",
        lambda s: f"/conversations/{s.conversation.pk}/apply-macro",
        # body: a macro of the same brand, made in _body()
    ),
    Endpoint(
        "POST",
        "/conversations/{conversation_id}/forward",
        lambda s: f"/conversations/{s.conversation.pk}/forward",
        body=lambda s: {"to": "ops@partner.example"},
        ok=202,
    ),
    Endpoint(
        "POST",
        "/conversations/{conversation_id}/merge",
        lambda s: f"/conversations/{s.conversation.pk}/merge",
        # body: a second conversation of the same brand to merge into, made in _body()
    ),
    Endpoint("GET", "/tags", lambda s: "/tags", other_brand=None),
    Endpoint(
        "POST",
        "/tags",
        lambda s: "/tags",
        Role.SUPERVISOR,
        lambda s: {"name": "refund", "brand_id": s.brand.pk},
        201,
        "brand_id",
    ),
    Endpoint(
        "PATCH",
        "/tags/{tag_id}",
        lambda s: f"/tags/{s.tag.pk}",
        Role.SUPERVISOR,
        lambda s: {"color": "#ff0000"},
    ),
    Endpoint("GET", "/inboxes", lambda s: "/inboxes", other_brand=None),
    Endpoint(
        "POST",
        "/inboxes",
        lambda s: "/inboxes",
        Role.ADMIN,
        lambda s: {"name": "Chat", "channel": "chat", "brand_id": s.brand.pk},
        201,
        "brand_id",
    ),
    Endpoint(
        "PATCH",
        "/inboxes/{inbox_id}",
        lambda s: f"/inboxes/{s.inbox.pk}",
        Role.ADMIN,
        lambda s: {"answer_bot": "when_no_agent"},
    ),
    Endpoint(
        "POST",
        "/inbound",
        lambda s: "/inbound",
        body=lambda s: {**inbound("access-1"), "brand_id": s.brand.pk},
        ok=202,
        other_brand="brand_id",
    ),
    Endpoint("GET", "/inbound", lambda s: "/inbound", Role.SUPERVISOR, other_brand=None),
    Endpoint("GET", "/outbox", lambda s: "/outbox", other_brand=None),
    Endpoint(
        "POST",
        "/outbox/{outbox_id}/retry",
        lambda s: f"/outbox/{s.failed_outbox_id}/retry",
    ),
]


def _body(ep: Endpoint, side: Side) -> Any:
    if ep.template == "/customers/{customer_id}/merge":
        # a second customer of the same brand to merge in
        other = make_customer(side.brand, email=f"dup-{side.brand.slug}@example.com")
        return {"source_id": other.pk}
    if ep.template == "/conversations/{conversation_id}/apply-macro":
        macro = conversations.save_macro(
            None,
            brand_id=side.brand.pk,
            actor=None,
            name=unique("macro"),
            body="x",
            actions={"priority": "high"},
        )
        return {"macro_id": macro.pk}
    if ep.template == "/conversations/{conversation_id}/merge":
        into = quick_conversation(side.brand, email=f"into-{side.brand.slug}@example.com")
        return {"into": into.pk}
    return ep.body(side) if ep.body else None


def call(client: ApiClient, ep: Endpoint, side: Side, body: Any = None) -> Any:
    path = ep.path(side)
    if ep.method == "GET":
        return client.get(path)
    if ep.method == "DELETE":
        return client.delete(path)
    return getattr(client, ep.method.lower())(path, body if body is not None else {})


CORE_TAGS = {"core", "customers", "conversations", "channels"}


def _operations(tags: set[str] | None = None) -> set[str]:
    schema = ninja_api.get_openapi_schema()
    return {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if tags is None or set(op.get("tags", [])) & tags
    }


def test_every_endpoint_is_in_the_table() -> None:
    """The core help desk's routers; other capabilities test their own endpoints (and
    ``test_every_operation_needs_a_token`` guards them all)."""
    covered = {ep.id for ep in ENDPOINTS} | {"GET /health", "DELETE /tokens/{token_id}"}
    assert _operations(CORE_TAGS) == covered


def test_every_operation_needs_a_token(db: None) -> None:
    """Every operation of the whole API, present and future, but /health."""
    client = ApiClient(None)
    for operation in sorted(_operations() - {"GET /health"}):
        method, template = operation.split(" ", 1)
        path = "/api/v1" + "/".join(
            "1" if part.startswith("{") else part for part in template.split("/")
        )
        response = getattr(client.client, method.lower())(path, content_type="application/json")
        assert response.status_code == 401, (operation, response.status_code)


# --- 401 ------------------------------------------------------------------------------


@pytest.fixture
def revoked_client(make_agent: Callable[..., Agent]) -> ApiClient:
    agent = make_agent(Role.ADMIN)
    raw = core.create_token(agent)
    core.revoke_token(ApiToken.objects.get(token_hash=core.hash_token(raw)), actor=agent)
    return ApiClient(raw)


@pytest.fixture
def inactive_client(make_agent: Callable[..., Agent]) -> ApiClient:
    agent = make_agent(Role.ADMIN)
    raw = core.create_token(agent)
    core.update_agent(agent, actor=None, is_active=False)
    return ApiClient(raw)


@pytest.mark.parametrize(
    "ep",
    [*ENDPOINTS, Endpoint("DELETE", "/tokens/{token_id}", lambda s: "/tokens/1")],
    ids=lambda ep: ep.id,
)
def test_401_without_a_valid_token(
    ep: Endpoint, revoked_client: ApiClient, inactive_client: ApiClient
) -> None:
    ids = {"agent_id": 1, "team_id": 1, "site_id": 1, "customer_id": 1, "conversation_id": 1}
    ids |= {"tag_id": 1, "outbox_id": 1, "token_id": 1, "brand_id": 1, "inbox_id": 1}
    path = ep.template.format(**ids)
    clients = {
        "none": ApiClient(None),
        "garbage": ApiClient("not-a-token"),
        "unknown": ApiClient("wd_" + "A" * 43),
        "revoked": revoked_client,
        "inactive": inactive_client,
    }
    for label, client in clients.items():
        if ep.method == "GET":
            response = client.get(path)
        elif ep.method == "DELETE":
            response = client.delete(path)
        else:
            response = getattr(client, ep.method.lower())(path, {})
        assert response.status_code == 401, (label, response.content)
        assert response.json()["code"] == "unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_health_needs_no_token(db: None, anon_api: ApiClient) -> None:
    response = anon_api.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] in {"sqlite", "postgresql"}


# --- 403 by role ----------------------------------------------------------------------

BELOW = {Role.SUPERVISOR: [Role.AGENT], Role.ADMIN: [Role.AGENT, Role.SUPERVISOR]}


@pytest.mark.parametrize(
    ("ep", "role"),
    [(ep, r) for ep in ENDPOINTS for r in BELOW.get(ep.role, [])],
    ids=lambda v: v.id if isinstance(v, Endpoint) else str(v),
)
def test_403_below_the_role(world: World, ep: Endpoint, role: str) -> None:
    body = _body(ep, world.a)
    before = _counts()
    response = call(world.as_role(role), ep, world.a, body)
    assert response.status_code == 403, response.content
    assert "role" in response.json()["detail"]
    assert _counts() == before, "a refused request changed data"


# --- 403 outside one's brand ----------------------------------------------------------


@pytest.mark.parametrize("ep", [ep for ep in ENDPOINTS if ep.other_brand], ids=lambda ep: ep.id)
def test_403_outside_ones_brand(world: World, ep: Endpoint) -> None:
    # The brand-A admin has every role, so only the brand can be the reason.
    client = world.as_role(Role.ADMIN)
    if ep.other_brand == "object":
        body = _body(ep, world.a)  # a valid body; only the object is another brand's
        side = world.b
    else:
        body = _body(ep, world.b)  # asks to create in brand B
        side = world.a
    before = _counts()
    response = call(client, ep, side, body)
    assert response.status_code == 403, response.content
    assert "brand" in response.json()["detail"]
    assert _counts() == before, "a refused request changed data"
    b = world.b
    b.conversation.refresh_from_db()
    assert (b.conversation.priority, b.conversation.message_count) == ("normal", 1)
    b.tag.refresh_from_db()
    assert b.tag.color == "#6b7280"
    b.customer.refresh_from_db()
    assert (b.customer.vip_tier, b.customer.merged_into_id) == ("", None)


def test_403_token_of_another_agent_is_not_found(world: World) -> None:
    response = world.as_role(Role.ADMIN).delete(f"/tokens/{world.b.token_id}")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=world.b.token_id).revoked_at is None


# --- allowed --------------------------------------------------------------------------


@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda ep: ep.id)
def test_allowed_with_the_lowest_role(world: World, ep: Endpoint) -> None:
    response = call(world.as_role(ep.role), ep, world.a, _body(ep, world.a))
    assert response.status_code == ep.ok, response.content
    data = response.json()
    assert isinstance(data, dict | list)
    if isinstance(data, dict) and "brand_id" in data:
        assert data["brand_id"] == world.a.brand.pk


def test_revoke_own_token(world: World) -> None:
    client = world.as_role(Role.ADMIN)
    response = client.delete(f"/tokens/{world.a.token_id}")
    assert response.status_code == 204
    assert ApiToken.objects.get(pk=world.a.token_id).revoked_at is not None


def _counts() -> tuple[int, ...]:
    from wowdesk.channels.models import InboundEnvelope
    from wowdesk.conversations.models import Message, OutboxMessage
    from wowdesk.core.models import AuditLog

    return tuple(
        m.objects.count()
        for m in (
            Agent,
            Team,
            Site,
            Tag,
            Inbox,
            Customer,
            Message,
            InboundEnvelope,
            AuditLog,
            OutboxMessage,
        )
    )
