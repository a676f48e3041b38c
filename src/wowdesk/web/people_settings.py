"""The settings area's people pages: one agent (/settings/agents/<id>/) and teams
(/settings/teams/). Who may see and change what is decided in ``core.permissions``; every
write goes through ``core.services``."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wowdesk.core import permissions, services, weekgrid
from wowdesk.core.errors import ServiceError
from wowdesk.core.kinds import Channel
from wowdesk.core.models import Agent, Brand, Membership, Role, Site, Team
from wowdesk.core.timetables import DAY_NAMES, ScheduleError
from wowdesk.web.auth import agent_required

DAY_LABELS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
# Language levels as Agent.language_levels stores them (1..5; missing = 3).
LEVELS = ((5, gettext_lazy("native")), (3, gettext_lazy("fluent")), (1, gettext_lazy("basic")))
NOT_MEMBER = ""


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones())]


def me_of(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def schedule_message(exc: ScheduleError) -> str:
    """A ``core.timetables`` error in the UI language."""
    return _(exc.template) % exc.params


def split_words(text: str) -> list[str]:
    """``"billing, lamps"`` → ``["billing", "lamps"]`` (a tag input's value)."""
    return [w.strip() for w in text.split(",") if w.strip()]


def error_status(exc: ServiceError) -> int:
    return 400 if exc.status == 422 else exc.status


def add_week_fields(form: forms.Form, prefix: str) -> None:
    for i, day in enumerate(DAY_NAMES):
        form.fields[f"{prefix}_{day}"] = forms.CharField(
            label=DAY_LABELS[i],
            required=False,
            max_length=200,
            widget=forms.TextInput(attrs={"placeholder": "09:00-17:00", "data-day": day}),
        )


def week_rows(form: forms.Form, prefix: str) -> list[str]:
    return [str(form.cleaned_data.get(f"{prefix}_{day}") or "") for day in DAY_NAMES]


def week_bound(form: forms.Form, prefix: str) -> list[forms.BoundField]:
    return [form[f"{prefix}_{day}"] for day in DAY_NAMES]


# --- one agent ----------------------------------------------------------------------------


class AgentForm(forms.Form):
    """The attributes of one agent the editor may change (``permissions.agent_fields_for``):
    the others are not in the form, so a post of them changes nothing."""

    display_name = forms.CharField(label=gettext_lazy("Display name"), max_length=200)
    skills = forms.CharField(
        label=gettext_lazy("Skills"),
        max_length=1000,
        required=False,
        help_text=gettext_lazy("Comma-separated, e.g. billing, product:lamps"),
        widget=forms.TextInput(attrs={"data-tags": "", "list": "known-skills"}),
    )
    site = forms.TypedChoiceField(
        label=gettext_lazy("Site"), coerce=int, required=False, empty_value=None
    )
    timezone = forms.ChoiceField(label=gettext_lazy("Time zone"))
    capacity = forms.IntegerField(label=gettext_lazy("Capacity"), min_value=0, max_value=10_000)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(
        self,
        *args: Any,
        fields: frozenset[str],
        sites: list[Site],
        role_brands: list[Brand],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        keep = {"site" if f == "site_id" else f for f in fields}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "site" in self.fields:
            site_field = self.fields["site"]
            assert isinstance(site_field, forms.TypedChoiceField)
            site_field.choices = [("", _("No site"))] + [(s.pk, s.name) for s in sites]
        if "timezone" in self.fields:
            tz_field = self.fields["timezone"]
            assert isinstance(tz_field, forms.ChoiceField)
            tz_field.choices = timezone_choices()
        if "channel_capacity" in fields:
            for value, label in Channel.choices:
                self.fields[f"cap_{value}"] = forms.IntegerField(
                    label=label, min_value=0, max_value=10_000, required=False
                )
        for brand in role_brands:
            self.fields[f"role_{brand.pk}"] = forms.ChoiceField(
                label=brand.name,
                required=False,
                choices=[(NOT_MEMBER, _("Not in this brand")), *Role.choices],
            )
        if "shifts" in fields:
            add_week_fields(self, "shift")
        if "skills" in self.fields:
            self.fields["skills"].widget.attrs.update(
                {"data-tags-label": _("Add a skill"), "data-tags-remove": _("Remove")}
            )

    def channel_fields(self) -> list[forms.BoundField]:
        return [self[f"cap_{v}"] for v in Channel.values if f"cap_{v}" in self.fields]

    def role_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n.startswith("role_")]

    def week(self) -> list[forms.BoundField]:
        return week_bound(self, "shift") if "shift_mon" in self.fields else []


def _visible_agent(me: Agent, agent_id: int) -> tuple[Agent, set[int]]:
    """The agent, if ``me`` may see them (supervisor or admin of one of their brands);
    another brand's agent is not found."""
    agent = Agent.objects.select_related("user", "site").filter(pk=agent_id).first()
    if agent is None:
        raise Http404(_("No such agent."))
    theirs = set(Membership.objects.filter(agent=agent).values_list("brand_id", flat=True))
    if not permissions.may_view_agent(me, theirs):
        raise Http404(_("No such agent."))
    return agent, theirs


def _my_sites(me: Agent) -> list[Site]:
    ids = permissions.brands_with_role(me, Role.ADMIN)
    return list(Site.objects.filter(brands__in=ids).distinct().order_by("name"))


def _language_rows(agent: Agent, posted: HttpRequest | None) -> list[dict[str, Any]]:
    if posted is not None:
        pairs = list(
            zip(posted.POST.getlist("lang_code"), posted.POST.getlist("lang_level"), strict=False)
        )
    else:
        pairs = [(c, str(agent.language_levels.get(c, 3))) for c in agent.languages]
    rows = [{"code": c, "level": lv} for c, lv in pairs if c.strip()]
    rows += [{"code": "", "level": "3"}] * 2
    return rows


def _level_choices(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    choices = [(str(n), str(label)) for n, label in LEVELS]
    known = {c for c, _label in choices}
    for row in rows:
        if row["level"] not in known and str(row["level"]).isdigit():
            known.add(row["level"])
            choices.append((row["level"], _("level %(n)s") % {"n": row["level"]}))
    return choices


def _agent_initial(agent: Agent, theirs: set[int], role_brands: list[Brand]) -> dict[str, Any]:
    roles = dict(Membership.objects.filter(agent=agent).values_list("brand_id", "role"))
    initial: dict[str, Any] = {
        "display_name": agent.display_name,
        "skills": ", ".join(agent.skills),
        "site": agent.site_id or "",
        "timezone": agent.timezone,
        "capacity": agent.capacity,
        "is_active": agent.is_active,
    }
    for channel, n in agent.channel_capacity.items():
        initial[f"cap_{channel}"] = n
    for brand in role_brands:
        initial[f"role_{brand.pk}"] = roles.get(brand.pk, NOT_MEMBER)
    try:
        rows = weekgrid.shifts_to_rows(agent.shifts)
    except ScheduleError:
        rows = [""] * 7
    for day, row in zip(DAY_NAMES, rows, strict=True):
        initial[f"shift_{day}"] = row
    return initial


def _agent_page(
    request: HttpRequest,
    agent: Agent,
    theirs: set[int],
    form: AgentForm,
    fields: frozenset[str],
    status: int = 200,
    languages_error: str = "",
) -> HttpResponse:
    posted = request if request.method == "POST" else None
    rows = _language_rows(agent, posted)
    brands = Brand.objects.filter(pk__in=theirs).order_by("name")
    roles = dict(Membership.objects.filter(agent=agent).values_list("brand_id", "role"))
    visible = permissions.brands_with_role(me_of(request), Role.SUPERVISOR)
    known: set[str] = set()
    for skills in Agent.objects.filter(brands__in=visible).values_list("skills", flat=True):
        known.update(s for s in skills or [] if isinstance(s, str))
    return render(
        request,
        "web/settings/agent.html",
        {
            "agent": agent,
            "form": form,
            "editable": fields,
            "may_edit": bool(fields),
            "language_rows": rows,
            "level_choices": _level_choices(rows),
            "languages_error": languages_error,
            "known_skills": sorted(known),
            "memberships": [
                (b.name, Role(roles[b.pk]).label)
                for b in brands
                if b.pk in visible and b.pk in roles
            ],
        },
        status=status,
    )


@agent_required(Role.SUPERVISOR)
def agent_page(request: HttpRequest, agent_id: int) -> HttpResponse:
    """One agent: who they are, their roles per brand, languages, skills, site, time zone,
    capacity and weekly shifts (the week editor). Supervisors and admins of the agent's
    brands see it; what each may change is ``permissions.agent_fields_for``."""
    me = me_of(request)
    agent, theirs = _visible_agent(me, agent_id)
    fields = permissions.agent_fields_for(me, agent, theirs)
    role_brands = (
        list(Brand.objects.filter(pk__in=permissions.role_brands_for(me)).order_by("name"))
        if "display_name" in fields
        else []
    )
    sites = _my_sites(me)
    if request.method != "POST":
        initial = _agent_initial(agent, theirs, role_brands)
        form = AgentForm(initial=initial, fields=fields, sites=sites, role_brands=role_brands)
        return _agent_page(request, agent, theirs, form, fields)
    form = AgentForm(request.POST, fields=fields, sites=sites, role_brands=role_brands)
    languages_error = ""
    languages: list[str] | None = None
    if "languages" in fields:
        codes = request.POST.getlist("lang_code")
        levels = request.POST.getlist("lang_level")
        languages = [
            f"{c.strip()}:{lv}" if lv else c.strip()
            for c, lv in zip(codes, levels + [""] * len(codes), strict=False)
            if c.strip()
        ]
        try:
            services.parse_languages(languages)
        except ServiceError as exc:
            languages_error = exc.message
    if not form.is_valid() or languages_error:
        return _agent_page(request, agent, theirs, form, fields, 400, languages_error)
    data = form.cleaned_data
    changes: dict[str, Any] = {}
    clear_site = False
    try:
        if "shifts" in fields:
            changes["shifts"] = weekgrid.rows_to_shifts(week_rows(form, "shift"))
    except ScheduleError as exc:
        form.add_error(None, schedule_message(exc))
        return _agent_page(request, agent, theirs, form, fields, 400)
    for name in ("display_name", "timezone", "capacity", "is_active"):
        if name in fields:
            changes[name] = data[name]
    if "skills" in fields:
        changes["skills"] = split_words(data["skills"])
    if "channel_capacity" in fields:
        changes["channel_capacity"] = {
            v: data[f"cap_{v}"] for v in Channel.values if data.get(f"cap_{v}") is not None
        }
    if "site_id" in fields:
        if data["site"] is None:
            clear_site = True
        else:
            changes["site_id"] = data["site"]
    if languages is not None:
        changes["languages"] = languages
    role_changes = {
        int(name.removeprefix("role_")): data[name] for name in data if name.startswith("role_")
    }
    current = dict(Membership.objects.filter(agent=agent).values_list("brand_id", "role"))
    role_changes = {b: r for b, r in role_changes.items() if current.get(b, NOT_MEMBER) != r}
    if agent.pk == me.pk and any(
        current.get(b) == Role.ADMIN and r != Role.ADMIN for b, r in role_changes.items()
    ):
        form.add_error(None, _("You cannot take your own administrator role away."))
        return _agent_page(request, agent, theirs, form, fields, 400)
    try:
        with transaction.atomic():
            for brand_id, role in role_changes.items():
                if role == NOT_MEMBER:
                    services.remove_membership(agent, brand_id, actor=me)
                else:
                    services.set_membership(agent, brand_id, role, actor=me)
            services.update_agent(agent, actor=me, clear_site=clear_site, **changes)
    except ServiceError as exc:
        name = {"site_id": "site", "name": "display_name"}.get(exc.field or "", exc.field or "")
        if exc.field == "languages":
            return _agent_page(request, agent, theirs, form, fields, 400, exc.message)
        form.add_error(name if name in form.fields else None, exc.message)
        return _agent_page(request, agent, theirs, form, fields, error_status(exc))
    flash.success(request, _("%(name)s saved.") % {"name": agent.display_name})
    if not Membership.objects.filter(
        agent=agent, brand_id__in=permissions.brands_with_role(me, Role.SUPERVISOR)
    ).exists():
        return redirect("web:agents")
    return redirect("web:agent", agent_id=agent.pk)


# --- teams --------------------------------------------------------------------------------


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    members = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Members"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    required_skills = forms.CharField(
        label=gettext_lazy("Required skills"),
        max_length=1000,
        required=False,
        help_text=gettext_lazy("Only agents with all of these take the team's conversations."),
        widget=forms.TextInput(attrs={"data-tags": ""}),
    )
    lead = forms.TypedChoiceField(
        label=gettext_lazy("Team lead"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("Gets the follow-ups of the team's unhappy customers."),
    )

    def __init__(self, *args: Any, agents: list[Agent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["required_skills"].widget.attrs.update(
            {"data-tags-label": _("Add a skill"), "data-tags-remove": _("Remove")}
        )
        members = self.fields["members"]
        assert isinstance(members, forms.TypedMultipleChoiceField)
        members.choices = [(a.pk, a.display_name) for a in agents]
        lead = self.fields["lead"]
        assert isinstance(lead, forms.TypedChoiceField)
        lead.choices = [("", _("No lead"))] + [
            (a.pk, a.display_name) for a in agents if a.is_active
        ]


class NewTeamForm(TeamForm):
    brand = forms.TypedChoiceField(label=gettext_lazy("Brand"), coerce=int)

    field_order = ["brand", "name", "description"]

    def __init__(self, *args: Any, brands: list[Brand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["brand"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(b.pk, b.name) for b in brands]


def _brand_agents(brand_ids: set[int]) -> list[Agent]:
    return list(Agent.objects.filter(brands__in=brand_ids).distinct().order_by("display_name"))


def _teams_page(request: HttpRequest, form: NewTeamForm | None, status: int = 200) -> HttpResponse:
    me = me_of(request)
    ids = permissions.brands_with_role(me, Role.SUPERVISOR)
    teams = (
        Team.objects.filter(brand_id__in=ids)
        .select_related("brand")
        .prefetch_related("members")
        .order_by("brand__name", "name")
    )
    admin_of = permissions.brands_with_role(me, Role.ADMIN)
    rows = [{"team": t, "may_edit": t.brand_id in admin_of} for t in teams]
    return render(request, "web/settings/teams.html", {"rows": rows, "form": form}, status=status)


def _admin_brands(me: Agent) -> list[Brand]:
    return list(
        Brand.objects.filter(pk__in=permissions.brands_with_role(me, Role.ADMIN)).order_by("name")
    )


@agent_required(Role.SUPERVISOR)
def teams_page(request: HttpRequest) -> HttpResponse:
    """The teams of my brands (supervisors see them; administrators create, rename, set
    members and delete)."""
    me = me_of(request)
    brands = _admin_brands(me)
    agents = _brand_agents({b.pk for b in brands})
    if request.method != "POST":
        return _teams_page(request, NewTeamForm(brands=brands, agents=agents) if brands else None)
    if not brands:
        return forbidden(request)
    form = NewTeamForm(request.POST, brands=brands, agents=agents)
    if not form.is_valid():
        return _teams_page(request, form, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            team = services.create_team(
                brand_id=data["brand"],
                name=data["name"],
                description=data["description"],
                member_ids=data["members"],
                actor=me,
            )
            if data["required_skills"] or data.get("lead"):
                services.update_team(
                    team,
                    actor=me,
                    required_skills=split_words(data["required_skills"]),
                    lead_id=data.get("lead"),
                )
    except ServiceError as exc:
        field = {"member_ids": "members", "lead_id": "lead"}.get(exc.field or "", exc.field)
        form.add_error(field if field in form.fields else None, exc.message)
        return _teams_page(request, form, status=error_status(exc))
    flash.success(request, _("Team %(name)s created.") % {"name": team.name})
    return redirect("web:teams")


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/forbidden.html",
        {"reason": _("Only administrators of the brand change this.")},
        status=403,
    )


def _team(request: HttpRequest, pk: int) -> Team:
    """A team of a brand I supervise or administer; anything else is not found."""
    team = Team.objects.filter(
        pk=pk, brand_id__in=permissions.brands_with_role(me_of(request), Role.SUPERVISOR)
    ).first()
    if team is None:
        raise Http404(_("No such team."))
    return team


def _team_detail(
    request: HttpRequest, team: Team, form: TeamForm, status: int = 200
) -> HttpResponse:
    may_edit = permissions.has_role_in(me_of(request), Role.ADMIN, team.brand_id)
    context = {
        "team": team,
        "form": form,
        "may_edit": may_edit,
        "conversation_count": team.conversations.count(),  # type: ignore[attr-defined]
        "inbox_count": team.inboxes.count(),  # type: ignore[attr-defined]
    }
    return render(request, "web/settings/team.html", context, status=status)


@agent_required(Role.SUPERVISOR)
def team_page(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    agents = _brand_agents({team.brand_id})
    if request.method != "POST":
        initial = {
            "name": team.name,
            "description": team.description,
            "members": list(team.members.values_list("id", flat=True)),
            "required_skills": ", ".join(team.required_skills),
            "lead": team.lead_id or "",
        }
        return _team_detail(request, team, TeamForm(initial=initial, agents=agents))
    if not permissions.has_role_in(me_of(request), Role.ADMIN, team.brand_id):
        return forbidden(request)
    form = TeamForm(request.POST, agents=agents)
    if not form.is_valid():
        return _team_detail(request, team, form, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            services.update_team(
                team,
                actor=me_of(request),
                name=data["name"],
                description=data["description"],
                member_ids=data["members"],
                required_skills=split_words(data["required_skills"]),
                lead_id=data.get("lead"),
            )
    except ServiceError as exc:
        field = {"member_ids": "members", "lead_id": "lead"}.get(exc.field or "", exc.field)
        form.add_error(field if field in form.fields else None, exc.message)
        return _team_detail(request, team, form, status=error_status(exc))
    flash.success(request, _("Team %(name)s saved.") % {"name": team.name})
    return redirect("web:team", pk=team.pk)


@require_POST
@agent_required(Role.SUPERVISOR)
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    if not permissions.has_role_in(me_of(request), Role.ADMIN, team.brand_id):
        return forbidden(request)
    name = team.name
    with transaction.atomic():
        services.delete_team(team, actor=me_of(request))
    flash.success(request, _("Team %(name)s deleted.") % {"name": name})
    return redirect("web:teams")
