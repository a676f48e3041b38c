"""API: health, me, brands, agents, teams, sites, tokens."""

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

import wowdesk
from wowdesk.core import permissions, services
from wowdesk.core.models import Agent, ApiToken, Brand, Membership, Role, Site, Team
from wowdesk.core.schemas import ERRORS, Error, Line

router = Router(tags=["core"])


def me(request: HttpRequest) -> Agent:
    agent: Agent = request.auth  # type: ignore[attr-defined]
    return agent


class HealthOut(Schema):
    status: str
    version: str
    database: str


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut})
def health(request: HttpRequest) -> Status[HealthOut]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Status(
            200, HealthOut(status="ok", version=wowdesk.__version__, database=connection.vendor)
        )
    except Exception:
        return Status(
            503, HealthOut(status="error", version=wowdesk.__version__, database=connection.vendor)
        )


class BrandOut(Schema):
    id: int
    name: str
    slug: str
    default_language: str
    support_email: str


class SiteOut(Schema):
    id: int
    name: str
    timezone: str
    country: str
    subdivision: str = ""
    hours: dict[str, Any] = {}
    closed_dates: list[str] = []
    brand_ids: list[int]


class MembershipOut(Schema):
    brand_id: int
    role: str


class AgentOut(Schema):
    id: int
    email: str
    name: str
    role: str
    languages: list[str]
    skills: list[str]
    timezone: str
    site: SiteOut | None
    capacity: int
    is_active: bool
    brand_ids: list[int]
    team_ids: list[int]
    language_levels: dict[str, int]
    channel_capacity: dict[str, int]
    shifts: list[str]
    presence: str
    routing_opt_in: bool
    routed: bool
    on_shift: bool
    open_load: dict[str, int]
    open_total: int
    memberships: list[MembershipOut] = Field(
        default_factory=list, description="The agent's role in each brand they work for"
    )


class MeOut(AgentOut):
    brands: list[BrandOut]


def site_out(site: Site) -> SiteOut:
    return SiteOut(
        id=site.pk,
        name=site.name,
        timezone=site.timezone,
        country=site.country,
        subdivision=site.subdivision,
        hours=dict(site.hours),
        closed_dates=list(site.closed_dates),
        brand_ids=sorted(b.pk for b in site.brands.all()),
    )


#: Functions (dotted paths) that give the state other apps keep about agents, read for
#: ``AgentOut``: each takes a list of agents and returns ``{agent id: {field: value}}``.
#: Routing registers the fields ``on_shift``, ``open_load`` and ``open_total`` (its
#: ``AppConfig.ready``); the core knows the fields' names (the API's contract), not them.
_agent_state: list[str] = []


def contribute_agent_state(path: str) -> None:
    """Register a function giving fields of ``AgentOut`` for a list of agents."""
    if path not in _agent_state:
        _agent_state.append(path)


def agent_states(agents: Sequence[Agent]) -> dict[int, dict[str, Any]]:
    """The contributed fields of each agent, one call per contributor for the whole list."""
    states: dict[int, dict[str, Any]] = {a.pk: {} for a in agents}
    for path in _agent_state:
        for pk, fields in import_string(path)(agents).items():
            states[pk].update(fields)
    return states


def agent_out(agent: Agent, state: dict[str, Any] | None = None) -> AgentOut:
    """``state``: the agent's contributed fields (``agent_states``), read when not given."""
    if state is None:
        state = agent_states([agent])[agent.pk]
    return AgentOut(
        **state,
        language_levels=dict(agent.language_levels),
        channel_capacity=dict(agent.channel_capacity),
        shifts=list(agent.shifts),
        presence=agent.presence,
        routing_opt_in=agent.routing_opt_in,
        routed=agent.routable,
        id=agent.pk,
        email=agent.user.email,
        name=agent.display_name,
        role=agent.role,
        languages=list(agent.languages),
        skills=list(agent.skills),
        timezone=agent.timezone,
        site=site_out(agent.site) if agent.site else None,
        capacity=agent.capacity,
        is_active=agent.is_active,
        brand_ids=sorted(m.brand_id for m in agent.memberships.all()),
        team_ids=sorted(t.pk for t in agent.teams.all()),
        memberships=[
            MembershipOut(brand_id=m.brand_id, role=m.role)
            for m in sorted(agent.memberships.all(), key=lambda m: m.brand_id)
        ],
    )


def _agents_qs():  # type: ignore[no-untyped-def]
    return Agent.objects.select_related("user", "site").prefetch_related(
        "memberships", "teams", "site__brands"
    )


@router.get("/me", response={200: MeOut, **ERRORS})
def get_me(request: HttpRequest) -> MeOut:
    agent = _agents_qs().get(pk=me(request).pk)
    brands = Brand.objects.filter(pk__in=permissions.visible_brand_ids(me(request)))
    return MeOut(**agent_out(agent).model_dump(), brands=[BrandOut.from_orm(b) for b in brands])


@router.get("/brands", response={200: list[BrandOut], **ERRORS})
def list_brands(request: HttpRequest) -> list[BrandOut]:
    return [
        BrandOut.from_orm(b)
        for b in Brand.objects.filter(pk__in=permissions.visible_brand_ids(me(request)))
    ]


# --- agents ---------------------------------------------------------------------------


class AgentsOut(Schema):
    items: list[AgentOut]
    total: int


class AgentIn(Schema):
    email: Line = Field(..., max_length=254)
    name: Line = Field("", max_length=200)
    password: str | None = Field(None, min_length=8, max_length=200)
    role: Role = Role.AGENT
    languages: list[str] = Field(default_factory=list, max_length=50)
    skills: list[str] = Field(default_factory=list, max_length=100)
    timezone: str = Field("UTC", max_length=64)
    site_id: int | None = Field(None, ge=1, le=2**62)
    capacity: int = Field(10, ge=0, le=1000)
    channel_capacity: dict[str, int] = Field(
        default_factory=dict, description='Per channel, e.g. {"chat": 3, "email": 10}'
    )
    shifts: list[str] = Field(
        default_factory=list,
        max_length=28,
        description='Weekly shifts in the agent\'s time zone, e.g. ["mon-fri 08:00-16:00"]',
    )
    brand_id: int | None = Field(None, ge=1, le=2**62)


class AgentPatch(Schema):
    name: Line | None = Field(None, max_length=200)
    role: Role | None = None
    languages: list[str] | None = Field(None, max_length=50)
    skills: list[str] | None = Field(None, max_length=100)
    timezone: str | None = Field(None, max_length=64)
    site_id: int | None = Field(None, ge=1, le=2**62)
    capacity: int | None = Field(None, ge=0, le=1000)
    channel_capacity: dict[str, int] | None = None
    shifts: list[str] | None = Field(None, max_length=28)
    is_active: bool | None = None
    ui_language: str | None = Field(None, max_length=16)
    brand_id: int | None = Field(
        None, ge=1, le=2**62, description="The brand whose role `role` sets (default: all yours)"
    )


class MembershipIn(Schema):
    brand_id: int = Field(..., ge=1, le=2**62)
    role: Role = Role.AGENT


@router.get("/agents", response={200: AgentsOut, **ERRORS})
def list_agents(
    request: HttpRequest, language: str | None = None, role: Role | None = None
) -> AgentsOut:
    visible = permissions.visible_brand_ids(me(request))
    qs = _agents_qs().filter(brands__in=visible).distinct()
    if role:
        # the role in one of the caller's brands
        qs = qs.filter(
            pk__in=Membership.objects.filter(role=role, brand_id__in=visible).values("agent_id")
        )
    agents = [a for a in qs if not language or language.lower() in a.languages]
    states = agent_states(agents)
    return AgentsOut(items=[agent_out(a, states[a.pk]) for a in agents], total=len(agents))


class AgentInviteIn(Schema):
    email: str = Field(..., max_length=254)
    name: str = Field("", max_length=200)
    role: Role = Role.AGENT
    languages: list[str] = Field(default_factory=list, max_length=50)
    skills: list[str] = Field(default_factory=list, max_length=100)
    timezone: str = Field("UTC", max_length=64)
    site_id: int | None = Field(None, ge=1, le=2**62)
    brand_id: int | None = Field(None, ge=1, le=2**62)


@router.post("/agents/invite", response={201: AgentOut, **ERRORS})
@transaction.atomic
def invite_agent(request: HttpRequest, payload: AgentInviteIn) -> Status[AgentOut]:
    """Create an agent without a password and mail them a link to choose one (valid for
    three days, once)."""
    from wowdesk.core.invitations import invite_agent as invite

    administered = permissions.brands_with_role(me(request), Role.ADMIN)
    if payload.brand_id is None and len(administered) == 1:
        brand_id = next(iter(administered))
    else:
        brand_id = permissions.pick_brand(me(request), payload.brand_id)
    permissions.require_role(me(request), Role.ADMIN, brand_id)
    agent = invite(
        services.AgentInput(
            email=payload.email,
            name=payload.name,
            role=payload.role,
            languages=tuple(payload.languages),
            skills=tuple(payload.skills),
            timezone=payload.timezone,
            site_id=payload.site_id,
        ),
        brands=[brand_id],
        actor=me(request),
        base_url=request.build_absolute_uri("/"),
    )
    return Status(201, agent_out(_agents_qs().get(pk=agent.pk)))


@router.get("/agents/{agent_id}", response={200: AgentOut, **ERRORS})
def get_agent(request: HttpRequest, agent_id: int) -> AgentOut:
    agent = _visible_agent(request, agent_id)
    return agent_out(agent)


def _visible_agent(request: HttpRequest, agent_id: int) -> Agent:
    from wowdesk.core.errors import Forbidden, NotFound

    agent = _agents_qs().filter(pk=agent_id).first()
    if agent is None:
        raise NotFound(_("No such agent."), field="agent_id")
    if not {m.brand_id for m in agent.memberships.all()} & permissions.visible_brand_ids(
        me(request)
    ):
        raise Forbidden(_("This agent works for another brand."))
    return agent


@router.post("/agents", response={201: AgentOut, **ERRORS})
@transaction.atomic
def create_agent(request: HttpRequest, payload: AgentIn) -> Status[AgentOut]:
    permissions.require_role(me(request), Role.ADMIN)
    brand_id = permissions.pick_brand(me(request), payload.brand_id, role=Role.ADMIN)
    _check_site(request, payload.site_id)
    agent = services.create_agent(
        services.AgentInput(
            email=payload.email,
            name=payload.name,
            password=payload.password,
            role=payload.role,
            languages=tuple(payload.languages),
            skills=tuple(payload.skills),
            timezone=payload.timezone,
            site_id=payload.site_id,
            capacity=payload.capacity,
            channel_capacity=payload.channel_capacity,
            shifts=tuple(payload.shifts),
        ),
        brands=[brand_id],
        actor=me(request),
    )
    return Status(201, agent_out(_agents_qs().get(pk=agent.pk)))


@router.patch("/agents/{agent_id}", response={200: AgentOut, **ERRORS})
@transaction.atomic
def update_agent(request: HttpRequest, agent_id: int, payload: AgentPatch) -> AgentOut:
    """An admin changes an agent of a brand they administer. The role is per brand: it
    changes in ``brand_id`` (default: every brand of the agent's the editor administers).
    Whether the agent is active is shared by all their brands: only someone who
    administers every one of them may change it."""
    from wowdesk.core.errors import Forbidden, InvalidInput

    editor = me(request)
    agent = _visible_agent(request, agent_id)
    theirs = {m.brand_id for m in agent.memberships.all()}
    mine = permissions.brands_with_role(editor, Role.ADMIN) & theirs
    permissions.require_role(editor, Role.ADMIN, any_of=theirs)
    data = payload.model_dump(exclude_unset=True)
    brand_id = data.pop("brand_id", None)
    if "name" in data:
        data["display_name"] = data.pop("name")
    if brand_id is not None:
        if brand_id not in theirs:
            raise InvalidInput(_("The agent does not work for this brand."), field="brand_id")
        permissions.require_role(editor, Role.ADMIN, brand_id)
    if data.get("is_active") is not None and theirs - mine:
        raise Forbidden(
            _(
                "This agent also works for a brand you do not administer: only its admins "
                "together can change whether the agent is active."
            )
        )
    _check_site(request, data.get("site_id"))
    services.update_agent(
        agent,
        actor=editor,
        role_brand_ids=[brand_id] if brand_id is not None else sorted(mine),
        **data,
    )
    return agent_out(_agents_qs().get(pk=agent.pk))


def _check_site(request: HttpRequest, site_id: int | None) -> None:
    from wowdesk.core.errors import InvalidInput

    if site_id is not None and not _sites_qs(request).filter(pk=site_id).exists():
        raise InvalidInput(_("No such site in your brands."), field="site_id")


@router.post("/agents/{agent_id}/memberships", response={200: AgentOut, **ERRORS})
@transaction.atomic
def set_membership(request: HttpRequest, agent_id: int, payload: MembershipIn) -> AgentOut:
    """Add an agent to a brand with a role, or change their role there (admins of that
    brand)."""
    agent = _visible_agent(request, agent_id)
    permissions.require_role(me(request), Role.ADMIN, payload.brand_id)
    services.set_membership(agent, payload.brand_id, payload.role, actor=me(request))
    return agent_out(_agents_qs().get(pk=agent.pk))


@router.delete("/agents/{agent_id}/memberships/{brand_id}", response={200: AgentOut, **ERRORS})
@transaction.atomic
def remove_membership(request: HttpRequest, agent_id: int, brand_id: int) -> AgentOut:
    """Take an agent out of a brand (admins of that brand)."""
    agent = _visible_agent(request, agent_id)
    permissions.require_role(me(request), Role.ADMIN, brand_id)
    services.remove_membership(agent, brand_id, actor=me(request))
    return agent_out(_agents_qs().get(pk=agent.pk))


# --- teams ----------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    brand_id: int
    name: str
    description: str
    member_ids: list[int]
    # the team lead: gets the follow-ups of the team's unhappy customers
    lead_id: int | None = None


# A row id as the database can hold it (a larger number is a 422, not an overflow).
RowId = Annotated[int, Field(ge=1, le=2**62)]


class TeamIn(Schema):
    name: Line = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    member_ids: list[RowId] = Field(default_factory=list, max_length=1000)
    brand_id: int | None = Field(None, ge=1, le=2**62)


class TeamPatch(Schema):
    name: Line | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    member_ids: list[RowId] | None = Field(None, max_length=1000)
    lead_id: RowId | None = None


def team_out(team: Team) -> TeamOut:
    return TeamOut(
        id=team.pk,
        brand_id=team.brand_id,
        name=team.name,
        description=team.description,
        member_ids=sorted(m.pk for m in team.members.all()),
        lead_id=team.lead_id,
    )


@router.get("/teams", response={200: list[TeamOut], **ERRORS})
def list_teams(request: HttpRequest) -> list[TeamOut]:
    qs = permissions.scope(Team.objects.prefetch_related("members"), me(request))
    return [team_out(t) for t in qs]


@router.post("/teams", response={201: TeamOut, **ERRORS})
@transaction.atomic
def create_team(request: HttpRequest, payload: TeamIn) -> Status[TeamOut]:
    permissions.require_role(me(request), Role.SUPERVISOR)
    brand_id = permissions.pick_brand(me(request), payload.brand_id, role=Role.SUPERVISOR)
    team = services.create_team(
        brand_id=brand_id,
        name=payload.name,
        description=payload.description,
        member_ids=payload.member_ids,
        actor=me(request),
    )
    return Status(201, team_out(team))


@router.patch("/teams/{team_id}", response={200: TeamOut, **ERRORS})
@transaction.atomic
def update_team(request: HttpRequest, team_id: int, payload: TeamPatch) -> TeamOut:
    permissions.require_role(me(request), Role.SUPERVISOR)
    team = permissions.get_for_agent(Team.objects.all(), me(request), team_id, role=Role.SUPERVISOR)
    services.update_team(team, actor=me(request), **payload.model_dump(exclude_unset=True))
    return team_out(team)


# --- sites ----------------------------------------------------------------------------


class SiteIn(Schema):
    name: Line = Field(..., min_length=1, max_length=200)
    timezone: str = Field(..., max_length=64)
    country: str = Field("", max_length=2)
    brand_id: int | None = Field(None, ge=1, le=2**62)


class SitePatch(Schema):
    name: Line | None = Field(None, min_length=1, max_length=200)
    timezone: str | None = Field(None, max_length=64)
    country: str | None = Field(None, max_length=2)
    subdivision: str | None = Field(None, max_length=8)
    hours: dict[str, Any] | None = Field(
        None, description='Opening hours, e.g. {"mon-fri": [["09:00", "17:00"]]}; {} = 24/7'
    )
    closed_dates: list[Annotated[str, Field(max_length=10)]] | None = Field(
        None,
        max_length=1000,
        description='Dates closed besides public holidays, e.g. ["2026-12-24"]',
    )


def _sites_qs(request: HttpRequest):  # type: ignore[no-untyped-def]
    return (
        Site.objects.filter(brands__in=permissions.visible_brand_ids(me(request)))
        .prefetch_related("brands")
        .distinct()
    )


@router.get("/sites", response={200: list[SiteOut], **ERRORS})
def list_sites(request: HttpRequest) -> list[SiteOut]:
    return [site_out(s) for s in _sites_qs(request)]


@router.post("/sites", response={201: SiteOut, **ERRORS})
@transaction.atomic
def create_site(request: HttpRequest, payload: SiteIn) -> Status[SiteOut]:
    permissions.require_role(me(request), Role.ADMIN)
    brand_id = permissions.pick_brand(me(request), payload.brand_id, role=Role.ADMIN)
    site = services.create_site(
        name=payload.name,
        timezone_name=payload.timezone,
        country=payload.country,
        brand_ids=[brand_id],
        actor=me(request),
    )
    return Status(201, site_out(site))


@router.patch("/sites/{site_id}", response={200: SiteOut, **ERRORS})
@transaction.atomic
def update_site(request: HttpRequest, site_id: int, payload: SitePatch) -> SiteOut:
    from wowdesk.core.errors import Forbidden, NotFound

    permissions.require_role(me(request), Role.ADMIN)
    site = Site.objects.prefetch_related("brands").filter(pk=site_id).first()
    if site is None:
        raise NotFound(_("No such site."), field="site_id")
    served = {b.pk for b in site.brands.all()}
    if not served & permissions.visible_brand_ids(me(request)):
        raise Forbidden(_("This site serves other brands."))
    if served - permissions.brands_with_role(me(request), Role.ADMIN):
        raise Forbidden(_("This site also serves a brand you do not administer."))
    services.update_site(site, actor=me(request), **payload.model_dump(exclude_unset=True))
    return site_out(site)


# --- tokens ---------------------------------------------------------------------------


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str


class TokenIn(Schema):
    name: Line = Field("api", min_length=1, max_length=100)


@router.get("/tokens", response={200: list[TokenOut], **ERRORS})
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    return [TokenOut.from_orm(t) for t in ApiToken.objects.filter(agent=me(request))]


@router.post("/tokens", response={201: TokenCreated, **ERRORS})
@transaction.atomic
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenCreated]:
    raw = services.create_token(me(request), name=payload.name)
    token = ApiToken.objects.get(token_hash=services.hash_token(raw))
    return Status(201, TokenCreated(**TokenOut.from_orm(token).model_dump(), token=raw))


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS})
@transaction.atomic
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    from wowdesk.core.errors import NotFound

    token = ApiToken.objects.filter(pk=token_id, agent=me(request)).first()
    if token is None:
        raise NotFound(_("No such token of yours."), field="token_id")
    services.revoke_token(token, actor=me(request))
    return Status(204, None)


__all__ = ["Error", "router"]
