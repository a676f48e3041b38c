"""Who may see and change what. The one place brand and role scoping is decided: the API,
the pages and (later) the realtime layer all call these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from wowdesk.core.errors import Forbidden, NotFound
from wowdesk.core.models import ROLE_RANK, Agent, Role

if TYPE_CHECKING:
    from wowdesk.conversations.models import Conversation, Message, SavedView

M = TypeVar("M", bound=Model)


def visible_brand_ids(agent: Agent) -> set[int]:
    """The brands an agent works for. Cached on the instance for the request."""
    cached: set[int] | None = getattr(agent, "_brand_ids", None)
    if cached is None:
        if agent.user.is_superuser:
            from wowdesk.core.models import Brand

            cached = set(Brand.objects.values_list("id", flat=True))
        else:
            cached = set(brand_roles(agent))  # one query for brands and roles alike
        agent._brand_ids = cached  # type: ignore[attr-defined]
    return cached


def brand_roles(agent: Agent) -> dict[int, str]:
    """The agent's role in each brand they work for (a superuser: admin in every brand).
    Cached on the instance for the request."""
    cached: dict[int, str] | None = getattr(agent, "_brand_roles", None)
    if cached is None:
        if agent.user.is_superuser:
            cached = {b: Role.ADMIN.value for b in visible_brand_ids(agent)}
        else:
            from wowdesk.core.models import Membership

            cached = dict(Membership.objects.filter(agent=agent).values_list("brand_id", "role"))
        agent._brand_roles = cached  # type: ignore[attr-defined]
    return cached


def role_in(agent: Agent, brand_id: int) -> str | None:
    """The agent's role in one brand; None when they do not work for it."""
    return brand_roles(agent).get(brand_id)


def has_role_in(agent: Agent, role: str, brand_id: int) -> bool:
    mine = role_in(agent, brand_id)
    return mine is not None and ROLE_RANK[Role(mine)] >= ROLE_RANK[Role(role)]


def brands_with_role(agent: Agent, role: str) -> set[int]:
    """The brands where the agent has at least ``role``."""
    need = ROLE_RANK[Role(role)]
    return {b for b, r in brand_roles(agent).items() if ROLE_RANK[Role(r)] >= need}


def sees_every_brand(agent: Agent) -> bool:
    """Whether the agent's brands are all there are: then scoping a list removes nothing."""
    from wowdesk.core.models import Brand

    seen = visible_brand_ids(agent)
    return not Brand.objects.exclude(id__in=seen).exists()


def scope(
    queryset: QuerySet[M], agent: Agent, field: str = "brand_id", role: str | None = None
) -> QuerySet[M]:
    """Restrict a queryset to the agent's brands (those where they have at least ``role``)."""
    ids = visible_brand_ids(agent) if role is None else brands_with_role(agent, role)
    return queryset.filter(**{f"{field}__in": ids})


def require_role(
    agent: Agent,
    role: str,
    brand_id: int | None = None,
    *,
    any_of: Iterable[int] | None = None,
) -> None:
    """At least ``role`` in the brand ``brand_id`` (or in one of the brands ``any_of``);
    with neither, in some brand (for lists that are then scoped with ``scope(role=)``)."""
    if brand_id is not None:
        ok = has_role_in(agent, role, brand_id)
    elif any_of is not None:
        ok = bool(brands_with_role(agent, role) & set(any_of))
    else:
        ok = bool(brands_with_role(agent, role))
    if not ok:
        raise Forbidden(_("This needs the %(role)s role.") % {"role": Role(role).label})


def may_create_tags(agent: Agent, brand_id: int) -> bool:
    """New tags are made by supervisors and admins of the brand (``POST /tags``, and a new
    name in a conversation's tag list, from the API or the workspace); agents pick existing
    ones."""
    return has_role_in(agent, Role.SUPERVISOR, brand_id)


def check_brand(agent: Agent, brand_id: int) -> None:
    if brand_id not in visible_brand_ids(agent):
        raise Forbidden(_("This belongs to a brand you do not work for."))


def get_for_agent(
    queryset: QuerySet[M],
    agent: Agent,
    pk: int,
    field: str = "brand_id",
    role: str | None = None,
) -> M:
    """Fetch one object: 404 if it does not exist, 403 if it belongs to another brand (or
    to a brand where the agent has less than ``role``)."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("Not found."), field="id")
    brand_id = int(getattr(obj, field))
    check_brand(agent, brand_id)
    if role is not None:
        require_role(agent, role, brand_id)
    return obj


def pick_brand(agent: Agent, brand_id: int | None, role: str | None = None) -> int:
    """The brand a new object goes into: the one asked for (if allowed) or the agent's only
    one (among those where they have at least ``role``)."""
    ids = visible_brand_ids(agent) if role is None else brands_with_role(agent, role)
    if brand_id is not None:
        check_brand(agent, brand_id)
        if role is not None:
            require_role(agent, role, brand_id)
        return brand_id
    if len(ids) == 1:
        return next(iter(ids))
    if not ids:
        if role is not None:
            require_role(agent, role)
        raise Forbidden(_("You do not work for any brand."))
    raise Forbidden(_("You work for several brands: say which one (brand_id)."))


def check_supervisor_of(agent: Agent, brand_id: int) -> None:
    """Supervisor actions (the board's reassign, acknowledge, presence): a supervisor or
    administrator who works for the brand."""
    check_brand(agent, brand_id)
    require_role(agent, Role.SUPERVISOR, brand_id)


def may_retry(agent: Agent, author_id: int | None, conversation: Conversation) -> bool:
    """Whether ``agent`` may send a failed reply (by ``author_id``) of ``conversation``
    again: its author, the conversation's assignee, or a supervisor of its brand."""
    if conversation.brand_id not in visible_brand_ids(agent):
        return False
    return has_role_in(agent, Role.SUPERVISOR, conversation.brand_id) or agent.pk in (
        author_id,
        conversation.assignee_id,
    )


def check_may_retry(agent: Agent, message: Message) -> None:
    """``may_retry``, raising: 403 for another brand's message or another agent's reply."""
    check_brand(agent, message.brand_id)
    if may_retry(agent, message.author_id, message.conversation):
        return
    raise Forbidden(
        _("Only its author, the assignee or a supervisor can send this reply again."),
        field="outbox_id",
    )


def may_see_saved_view(agent: Agent, view: SavedView) -> bool:
    """A saved view is seen by its owner; a team view by that team's members (and the
    brand's supervisors); a brand view by everyone of the brand."""
    if view.brand_id not in visible_brand_ids(agent):
        return False
    if view.owner_id == agent.pk or view.scope == "brand":
        return True
    if view.scope == "team":
        if has_role_in(agent, Role.SUPERVISOR, view.brand_id):
            return True
        return view.team_id is not None and agent.teams.filter(pk=view.team_id).exists()
    return False


def may_edit_saved_view(agent: Agent, view: SavedView) -> bool:
    """Renamed, changed or deleted by its owner; a shared one (team or brand) also by a
    supervisor of its brand."""
    if not may_see_saved_view(agent, view):
        return False
    if view.owner_id == agent.pk:
        return True
    return view.scope != "personal" and has_role_in(agent, Role.SUPERVISOR, view.brand_id)


def check_may_share_view(agent: Agent, brand_id: int, scope: str, team_id: int | None) -> None:
    """Sharing a view: with one's own team (a supervisor: any team of the brand), with the
    whole brand a supervisor."""
    check_brand(agent, brand_id)
    if scope == "brand":
        require_role(agent, Role.SUPERVISOR, brand_id)
    elif scope == "team":
        from wowdesk.core.models import Team

        team = Team.objects.filter(pk=team_id or 0, brand_id=brand_id).first()
        if team is None:
            raise NotFound(_("No such team in this brand."), field="team_id")
        if (
            not has_role_in(agent, Role.SUPERVISOR, brand_id)
            and not team.members.filter(pk=agent.pk).exists()
        ):
            raise Forbidden(_("You can share a view only with a team of yours."), field="team_id")


def saved_views_visible(agent: Agent) -> Q:
    """The saved views ``agent`` sees (``may_see_saved_view`` as a filter)."""
    teams = agent.teams.values("pk")
    return Q(brand_id__in=visible_brand_ids(agent)) & (
        Q(owner_id=agent.pk)
        | Q(scope="brand")
        | Q(scope="team", team_id__in=teams)
        | Q(scope="team", brand_id__in=brands_with_role(agent, Role.SUPERVISOR))
    )


# --- the settings area's people pages ----------------------------------------------------

#: What a supervisor may change about an agent who works for a brand they supervise: when
#: they work and how much (shifts, capacity and capacity per channel) and what they can
#: take (skills). Everything else about an agent (name, roles, languages, site, time zone,
#: active) is an administrator's.
SUPERVISOR_AGENT_FIELDS = frozenset({"shifts", "skills", "capacity", "channel_capacity"})
ADMIN_AGENT_FIELDS = SUPERVISOR_AGENT_FIELDS | {
    "display_name",
    "languages",
    "site_id",
    "timezone",
    "is_active",
}


def may_view_agent(agent: Agent, target_brand_ids: Iterable[int]) -> bool:
    """Supervisors and administrators see the agents of the brands where they have that
    role (the settings pages' agents list and detail page)."""
    return bool(brands_with_role(agent, Role.SUPERVISOR) & set(target_brand_ids))


def agent_fields_for(
    agent: Agent, target: Agent, target_brand_ids: Iterable[int]
) -> frozenset[str]:
    """The attributes of ``target`` that ``agent`` may change on the settings pages.

    An administrator of one of the target's brands: every attribute, except whether the
    target is active when the target also works for a brand the administrator does not
    administer (then only that brand's admins together decide), and nobody deactivates
    themselves. A supervisor of one of the target's brands: ``SUPERVISOR_AGENT_FIELDS``.
    Roles are changed per brand, only in brands the editor administers
    (``role_brands_for``)."""
    theirs = set(target_brand_ids)
    admin_of = brands_with_role(agent, Role.ADMIN) & theirs
    if admin_of:
        fields = set(ADMIN_AGENT_FIELDS)
        if theirs - admin_of or agent.pk == target.pk:
            fields.discard("is_active")
        return frozenset(fields)
    if brands_with_role(agent, Role.SUPERVISOR) & theirs:
        return SUPERVISOR_AGENT_FIELDS
    return frozenset()


def role_brands_for(agent: Agent) -> set[int]:
    """The brands in which ``agent`` may give others a role (or take them out): those they
    administer."""
    return brands_with_role(agent, Role.ADMIN)


def may_change_site(agent: Agent, site_brand_ids: Iterable[int]) -> bool:
    """A site is changed by someone who administers every brand it serves (a site that
    serves no brand: by a superuser only)."""
    served = set(site_brand_ids)
    if not served:
        return bool(agent.user.is_superuser)
    return served <= brands_with_role(agent, Role.ADMIN)


def may_view_site(agent: Agent, site_brand_ids: Iterable[int]) -> bool:
    """Supervisors and administrators of a brand the site serves see it."""
    return bool(brands_with_role(agent, Role.SUPERVISOR) & set(site_brand_ids)) or bool(
        agent.user.is_superuser
    )


def may_use_django_admin(user: object) -> bool:
    """The Django admin is for superusers only: brand administrators and supervisors set
    up their brands in the settings area (``/settings/``), whatever their staff flag."""
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_superuser", False)
    )


# --- knowledge ------------------------------------------------------------------------------
# Every agent of a brand reads its knowledge base (internal articles too), searches it and
# proposes edits; supervisors and administrators are its knowledge managers: they write,
# publish, archive and delete articles and categories, accept proposals and see the reports.
# The help center shows published, public articles to anyone.


def may_manage_knowledge(agent: Agent, brand_id: int) -> bool:
    """Whether ``agent`` is a knowledge manager of the brand (supervisor or administrator)."""
    return has_role_in(agent, Role.SUPERVISOR, brand_id)


def check_manages_knowledge(agent: Agent, brand_id: int) -> None:
    """403 unless ``agent`` works for the brand as a supervisor or administrator."""
    check_brand(agent, brand_id)
    require_role(agent, Role.SUPERVISOR, brand_id)


def knowledge_manager_brands(agent: Agent) -> set[int]:
    """The brands whose knowledge base ``agent`` manages."""
    return brands_with_role(agent, Role.SUPERVISOR)


# --- surveys and analytics ------------------------------------------------------------------
# Every agent of a brand sees the surveys of the conversations they can see, the WOW wall,
# and may nominate a story. Supervisors and administrators see the reports, the survey
# responses and every follow-up of the brand, and work them; an agent sees and works the
# follow-ups assigned to them (a team lead who is an agent, say). Administrators change the
# survey settings, the report settings and who gets the weekly report.


def may_see_reports(agent: Agent, brand_id: int) -> bool:
    """Whether ``agent`` reads the brand's reports and survey responses (supervisor+)."""
    return has_role_in(agent, Role.SUPERVISOR, brand_id)


def check_sees_reports(agent: Agent, brand_id: int) -> None:
    """403 unless ``agent`` is a supervisor or administrator of the brand."""
    check_brand(agent, brand_id)
    require_role(agent, Role.SUPERVISOR, brand_id)


def report_brands(agent: Agent) -> set[int]:
    """The brands whose reports ``agent`` reads."""
    return brands_with_role(agent, Role.SUPERVISOR)


def check_manages_surveys(agent: Agent, brand_id: int) -> None:
    """403 unless ``agent`` is an administrator of the brand (survey and report settings)."""
    check_brand(agent, brand_id)
    require_role(agent, Role.ADMIN, brand_id)


def followups_visible(agent: Agent) -> Q:
    """The follow-ups ``agent`` sees: every one of the brands they supervise, and those
    assigned to them in the brands they work for."""
    return Q(brand_id__in=brands_with_role(agent, Role.SUPERVISOR)) | Q(
        assignee_id=agent.pk, brand_id__in=visible_brand_ids(agent)
    )


def may_work_followup(agent: Agent, brand_id: int, assignee_id: int | None) -> bool:
    """Whether ``agent`` may change a follow-up (reassign, close): a supervisor of its brand,
    or its assignee."""
    if brand_id not in visible_brand_ids(agent):
        return False
    return has_role_in(agent, Role.SUPERVISOR, brand_id) or assignee_id == agent.pk


# --- policies, abuse, privacy -----------------------------------------------------------------
# Every agent of a brand sees the brand's policy table (what they may grant) and grants in
# the conversations they can see, and flags abuse. Supervisors and administrators decide
# approvals and abuse reports and read the cost report; administrators change the policy
# table and its settings, and are the only ones who erase or export a customer's data.


def check_manages_policies(agent: Agent, brand_id: int) -> None:
    """403 unless ``agent`` is an administrator of the brand (the policy table)."""
    check_brand(agent, brand_id)
    require_role(agent, Role.ADMIN, brand_id)


def may_decide_approvals(agent: Agent, brand_id: int) -> bool:
    """Whether ``agent`` approves or declines grants of the brand (supervisor+)."""
    return has_role_in(agent, Role.SUPERVISOR, brand_id)


def check_decides_approvals(agent: Agent, brand_id: int) -> None:
    """403 unless ``agent`` is a supervisor or administrator of the brand."""
    check_brand(agent, brand_id)
    require_role(agent, Role.SUPERVISOR, brand_id)


def check_decides_abuse(agent: Agent, brand_id: int) -> None:
    """403 unless ``agent`` may restrict a customer of the brand (supervisor+)."""
    check_brand(agent, brand_id)
    require_role(agent, Role.SUPERVISOR, brand_id)


def check_handles_personal_data(agent: Agent, brand_id: int) -> None:
    """403 unless ``agent`` is an administrator of the brand: erasing a customer's personal
    data and exporting everything about them."""
    check_brand(agent, brand_id)
    require_role(agent, Role.ADMIN, brand_id)


# --- quality and training ---------------------------------------------------------------------
# Supervisors and administrators review conversations, keep the scorecards, run calibration
# and assign training; an agent sees the reviews of their own conversations (and replies),
# their own training sessions and assignments, and practises any scenario of their brands.


def may_review(agent: Agent, brand_id: int) -> bool:
    """Whether ``agent`` reviews conversations of the brand and sees every review of it."""
    return has_role_in(agent, Role.SUPERVISOR, brand_id)


def check_reviews(agent: Agent, brand_id: int) -> None:
    """403 unless ``agent`` is a supervisor or administrator of the brand."""
    check_brand(agent, brand_id)
    require_role(agent, Role.SUPERVISOR, brand_id)


def reviews_visible(agent: Agent) -> Q:
    """The reviews ``agent`` sees: every one of the brands they review, and those of their
    own conversations in the brands they work for (field ``agent_id`` is the reviewed
    agent)."""
    return Q(brand_id__in=brands_with_role(agent, Role.SUPERVISOR)) | Q(
        agent_id=agent.pk, brand_id__in=visible_brand_ids(agent)
    )


def check_manages_training(agent: Agent, brand_id: int) -> None:
    """403 unless ``agent`` may author scenarios, assign them and see every trainee's
    progress in the brand (supervisor+)."""
    check_brand(agent, brand_id)
    require_role(agent, Role.SUPERVISOR, brand_id)


def training_sessions_visible(agent: Agent) -> Q:
    """The training sessions (and assignments) ``agent`` sees: their own, and every one of
    the brands where they manage training (field ``trainee_id``)."""
    return Q(brand_id__in=brands_with_role(agent, Role.SUPERVISOR)) | Q(
        trainee_id=agent.pk, brand_id__in=visible_brand_ids(agent)
    )


# --- workforce management ----------------------------------------------------------------------
# Supervisors and administrators plan: forecasts, staffing, rosters (build, publish),
# simulations, adherence, and decide swap and time-off requests. Every agent sees their own
# schedule and asks for swaps and time off.


def check_plans_workforce(agent: Agent, brand_id: int) -> None:
    """403 unless ``agent`` is a supervisor or administrator of the brand (the planner)."""
    check_brand(agent, brand_id)
    require_role(agent, Role.SUPERVISOR, brand_id)


def planner_brands(agent: Agent) -> set[int]:
    """The brands whose workforce ``agent`` plans."""
    return brands_with_role(agent, Role.SUPERVISOR)
