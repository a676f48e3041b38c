"""Every write to brands, sites, agents, teams and tokens goes through here."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from types import EllipsisType
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wowdesk.core import alerts, audit, realtime
from wowdesk.core.errors import Conflict, InvalidInput, NotFound
from wowdesk.core.input import check_line, check_timezone
from wowdesk.core.models import (
    ROLE_RANK,
    Agent,
    ApiToken,
    Brand,
    Membership,
    Role,
    Site,
    Team,
)

TOKEN_PREFIX = "wd_"
# Writing last_used_at on every request would serialise all readers behind a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def valid_timezone(name: str, field: str = "timezone") -> str:
    return check_timezone(name, field)


def clean_languages(values: Iterable[str], field: str = "languages") -> list[str]:
    out: list[str] = []
    for raw in values:
        code = raw.strip().lower()
        if not code:
            continue
        if not (2 <= len(code) <= 8) or not all(c.isalpha() or c == "-" for c in code):
            raise InvalidInput(_("Not a language code: %(code)s") % {"code": raw}, field=field)
        if code not in out:
            out.append(code)
    return out


# --- agents' languages, shifts and capacity -------------------------------------------


def clean_shifts(specs: Iterable[str], field: str = "shifts") -> list[str]:
    """Validate shift specs; returns them in canonical form."""
    from wowdesk.core.timetables import parse_shift

    out: list[str] = []
    for spec in specs:
        if not spec.strip():
            continue
        try:
            out.append(str(parse_shift(spec)))
        except ValueError as exc:
            template = getattr(exc, "template", None)
            why = _(template) % getattr(exc, "params", {}) if template else str(exc)
            raise InvalidInput(
                _("Not a shift (%(spec)s): %(why)s") % {"spec": spec, "why": why}, field=field
            ) from exc
    return out


def parse_capacity(value: str) -> tuple[int, dict[str, int]]:
    """``"10"`` or ``"chat=3,email=10"`` (or both: ``"12,chat=3"``) → (total, per channel)."""
    total: int | None = None
    per: dict[str, int] = {}
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "=" in part:
                ch, n = part.split("=", 1)
                per[ch.strip().lower()] = int(n)
            else:
                total = int(part)
        except ValueError as exc:
            raise InvalidInput(
                _("Capacity is a number or channel=number pairs, e.g. chat=3,email=10."),
                field="capacity",
            ) from exc
    if any(n < 0 for n in per.values()) or (total is not None and total < 0):
        raise InvalidInput(_("Capacity cannot be negative."), field="capacity")
    if total is None:
        total = sum(per.values()) if per else 10
    return total, per


def parse_languages(value: Iterable[str]) -> tuple[list[str], dict[str, int]]:
    """``["de", "en:2"]`` → (["de", "en"], {"en": 2}); level 1..5, default fluent (3)."""
    codes: list[str] = []
    levels: dict[str, int] = {}
    for raw in value:
        raw = raw.strip()
        if not raw:
            continue
        code, _sep, level = raw.partition(":")
        [clean] = clean_languages([code]) or [""]
        if not clean:
            continue
        if level:
            if not level.isdigit() or not 1 <= int(level) <= 5:
                raise InvalidInput(_("A language level is 1 to 5, e.g. de:4."), field="languages")
            levels[clean] = int(level)
        if clean not in codes:
            codes.append(clean)
    return codes, levels


# --- brands and sites -----------------------------------------------------------------


def create_brand(
    *, name: str, slug: str | None = None, default_language: str = "en", support_email: str = ""
) -> Brand:
    check_line(name, "name", max_length=200)
    check_line(support_email, "support_email", max_length=254)
    slug = slug or slugify(name)[:60] or "brand"
    if Brand.objects.filter(slug=slug).exists():
        raise Conflict(_("A brand with this slug exists."), field="slug")
    return Brand.objects.create(
        name=name, slug=slug, default_language=default_language, support_email=support_email
    )


def default_brand() -> Brand:
    """The first brand; created on a fresh install so the system works out of the box."""
    brand = Brand.objects.order_by("id").first()
    if brand is None:
        brand = Brand.objects.create(
            name="Default", slug="default", support_email="support@localhost"
        )
    return brand


def create_site(
    *,
    name: str,
    timezone_name: str,
    country: str = "",
    brand_ids: Iterable[int] = (),
    actor: Agent | None = None,
) -> Site:
    check_line(name, "name", max_length=200)
    site = Site.objects.create(
        name=name, timezone=valid_timezone(timezone_name), country=country.upper()[:2]
    )
    ids = list(brand_ids)
    if ids:
        site.brands.set(ids)
    audit.record(
        action="site.create",
        obj=site,
        actor=actor,
        brand_id=ids[0] if ids else None,
        after={"name": name, "timezone": timezone_name},
    )
    return site


SITE_FIELDS = ("name", "timezone", "country", "subdivision", "hours", "closed_dates")


def clean_closed_dates(values: Iterable[str], field: str = "closed_dates") -> list[str]:
    """Dates a site is closed on besides public holidays, as sorted ISO dates."""
    out: set[str] = set()
    for raw in values:
        try:
            day = dt.date.fromisoformat(str(raw).strip())
        except ValueError as exc:
            raise InvalidInput(
                _("Not a date (YYYY-MM-DD): %(value)s") % {"value": raw}, field=field
            ) from exc
        out.add(day.isoformat())
    return sorted(out)


def clean_hours(hours: dict[str, Any], field: str = "hours") -> dict[str, Any]:
    """Opening hours like ``{"mon-fri": [["09:00", "17:00"]]}``; empty = around the clock."""
    from wowdesk.core.timetables import parse_hours

    try:
        parse_hours(hours)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(_("Not opening hours: %(e)s") % {"e": exc}, field=field) from exc
    return hours


def update_site(
    site: Site, *, actor: Agent | None, brand_ids: Iterable[int] | None = None, **fields: Any
) -> Site:
    """Change a site; ``brand_ids`` (when given) are the brands it serves from now on."""
    before = {f: getattr(site, f) for f in SITE_FIELDS}
    before["brands"] = sorted(site.brands.values_list("id", flat=True))
    if "timezone" in fields and fields["timezone"] is not None:
        site.timezone = valid_timezone(fields["timezone"])
    if fields.get("name"):
        site.name = check_line(fields["name"], "name", max_length=200)
    if fields.get("country") is not None:
        site.country = str(fields["country"]).upper()[:2]
    if fields.get("subdivision") is not None:
        site.subdivision = str(fields["subdivision"]).upper()[:8]
    if fields.get("hours") is not None:
        site.hours = clean_hours(fields["hours"])
    if fields.get("closed_dates") is not None:
        site.closed_dates = clean_closed_dates(fields["closed_dates"])
    site.save()
    if brand_ids is not None:
        ids = sorted(set(brand_ids))
        if Brand.objects.filter(pk__in=ids).count() != len(ids):
            raise InvalidInput(_("No such brand."), field="brands")
        site.brands.set(ids)
    after = {f: getattr(site, f) for f in SITE_FIELDS}
    after["brands"] = sorted(site.brands.values_list("id", flat=True))
    b, a = audit.diff(before, after)
    if a:
        audit.record(
            action="site.update",
            obj=site,
            actor=actor,
            brand_id=next(iter(after["brands"]), None),
            before=b,
            after=a,
        )
    return site


BRAND_FIELDS = ("name", "default_language", "support_email")


def update_brand(brand: Brand, *, actor: Agent | None, **fields: Any) -> Brand:
    """Change a brand's name, default language or support address."""
    before = {f: getattr(brand, f) for f in BRAND_FIELDS}
    for key, value in fields.items():
        if key not in BRAND_FIELDS or value is None:
            continue
        if key == "name" and not str(value).strip():
            raise InvalidInput(_("A brand needs a name."), field="name")
        if key == "default_language":
            [value] = clean_languages([value], field="default_language") or ["en"]
        setattr(brand, key, value)
    brand.save()
    b, a = audit.diff(before, {f: getattr(brand, f) for f in BRAND_FIELDS})
    if a:
        audit.record(
            action="brand.update", obj=brand, actor=actor, brand_id=brand.pk, before=b, after=a
        )
    return brand


# --- agents ---------------------------------------------------------------------------


def login_name(email: str) -> str:
    """The username an email becomes: lower case, Unicode NFKC as Django stores it, so
    the duplicate check compares what will actually be written."""
    return str(get_user_model().normalize_username(email.strip().lower()))


@dataclass(frozen=True)
class AgentInput:
    email: str
    name: str = ""
    password: str | None = None
    role: str = Role.AGENT
    languages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    timezone: str = "UTC"
    site_id: int | None = None
    capacity: int = 10
    channel_capacity: dict[str, int] | None = None
    shifts: tuple[str, ...] = ()


def create_agent(
    data: AgentInput, *, brands: Iterable[Brand | int], actor: Agent | None = None
) -> Agent:
    check_line(data.email, "email", max_length=254)
    check_line(data.name, "name", max_length=200)
    email = login_name(data.email)
    if "@" not in email:
        raise InvalidInput(_("Not an email address."), field="email")
    if data.role not in Role.values:
        raise InvalidInput(_("Unknown role: %(role)s") % {"role": data.role}, field="role")
    User = get_user_model()
    if User.objects.filter(username=email).exists():
        raise Conflict(_("An agent with this email exists."), field="email")
    if data.site_id is not None and not Site.objects.filter(pk=data.site_id).exists():
        raise InvalidInput(_("No such site."), field="site_id")
    if data.capacity < 0:
        raise InvalidInput(_("Capacity cannot be negative."), field="capacity")
    codes, levels = parse_languages(data.languages)
    shifts = clean_shifts(data.shifts)
    channel_capacity = _clean_channel_capacity(data.channel_capacity or {})
    user = User.objects.create_user(username=email, email=email, password=data.password or None)
    if not data.password:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    sync_staff(user, data.role)
    agent = Agent.objects.create(
        user=user,
        role=data.role,
        display_name=data.name or email.split("@")[0],
        languages=codes,
        language_levels=levels,
        skills=[s.strip() for s in data.skills if s.strip()],
        timezone=valid_timezone(data.timezone),
        site_id=data.site_id,
        capacity=data.capacity,
        channel_capacity=channel_capacity,
        shifts=shifts,
    )
    brand_ids = [b.pk if isinstance(b, Brand) else b for b in brands]
    agent.brands.set(brand_ids, through_defaults={"role": data.role})
    audit.record(
        action="agent.create",
        obj=agent,
        actor=actor,
        brand_id=brand_ids[0] if brand_ids else None,
        after={"email": email, "role": data.role, "languages": agent.languages},
    )
    return agent


AGENT_FIELDS = (
    "display_name",
    "role",
    "languages",
    "skills",
    "timezone",
    "site_id",
    "capacity",
    "is_active",
    "ui_language",
    "ui_theme",
    "language_levels",
    "channel_capacity",
    "shifts",
    "routing_opt_in",
)


def agent_snapshot(agent: Agent) -> dict[str, Any]:
    return {f: getattr(agent, f) for f in AGENT_FIELDS}


def update_agent(
    agent: Agent,
    *,
    actor: Agent | None,
    role_brand_ids: Iterable[int] | None = None,
    clear_site: bool = False,
    **fields: Any,
) -> Agent:
    """Change an agent's attributes. ``role`` is the role in the brands ``role_brand_ids``
    (None: in every brand the agent works for); ``Agent.role`` becomes the highest.
    A field given as None stays as it is; ``clear_site`` takes the agent off their site."""
    before = agent_snapshot(agent)
    if clear_site:
        agent.site_id = None
    role = fields.pop("role", None)
    if role is not None:
        if role not in Role.values:
            raise InvalidInput(_("Unknown role: %(role)s") % {"role": role}, field="role")
        memberships = Membership.objects.filter(agent=agent)
        if role_brand_ids is not None:
            memberships = memberships.filter(brand_id__in=list(role_brand_ids))
        for membership in memberships.exclude(role=role):
            set_membership(agent, membership.brand_id, role, actor=actor)
    for key, value in fields.items():
        if value is None or key not in AGENT_FIELDS:
            continue
        if key in ("languages", "skills", "shifts") and (
            not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value)
        ):
            raise InvalidInput(_('A list of words, e.g. ["de", "en"].'), field=key)
        if key in ("channel_capacity", "language_levels") and not isinstance(value, dict):
            raise InvalidInput(_('An object, e.g. {"chat": 3}.'), field=key)
        if key == "languages":
            value, levels = parse_languages(value)
            agent.language_levels = levels
        if key == "shifts":
            value = clean_shifts(value)
        if key == "channel_capacity":
            value = _clean_channel_capacity(value)
        if key == "ui_language" and value not in ("en", "zh-hans"):
            raise InvalidInput(_("The UI speaks en or zh-hans."), field="ui_language")
        if key == "ui_theme" and value not in ("light", "dark", "system"):
            raise InvalidInput(_("The theme is light, dark or system."), field="ui_theme")
        if key == "timezone":
            value = valid_timezone(value)
        if key == "display_name":
            check_line(value, "name", max_length=200)
        if key == "site_id" and not Site.objects.filter(pk=value).exists():
            raise InvalidInput(_("No such site."), field="site_id")
        if key == "capacity" and value < 0:
            raise InvalidInput(_("Capacity cannot be negative."), field="capacity")
        setattr(agent, key, value)
    if role is not None:
        agent.role = Agent.objects.values_list("role", flat=True).get(pk=agent.pk)
    agent.save()
    if role is not None:
        sync_staff(agent.user, agent.role)
    if before["is_active"] and not agent.is_active:
        realtime.close_agent_sockets(agent.pk, "deactivated")
    b, a = audit.diff(before, agent_snapshot(agent))
    if a:
        audit.record(
            action="agent.update",
            obj=agent,
            actor=actor,
            brand_id=next(iter(agent.brands.values_list("id", flat=True)), None),
            before=b,
            after=a,
        )
    return agent


# --- memberships: the role per brand ---------------------------------------------------


def set_membership(agent: Agent, brand_id: int, role: str, *, actor: Agent | None) -> Membership:
    """Add the agent to a brand with a role, or change their role there."""
    if role not in Role.values:
        raise InvalidInput(_("Unknown role: %(role)s") % {"role": role}, field="role")
    if not Brand.objects.filter(pk=brand_id).exists():
        raise InvalidInput(_("No such brand."), field="brand_id")
    membership, created = Membership.objects.get_or_create(
        agent=agent, brand_id=brand_id, defaults={"role": role}
    )
    before = None if created else membership.role
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    if created or before != role:
        audit.record(
            action="agent.membership",
            obj=agent,
            actor=actor,
            brand_id=brand_id,
            before={} if created else {"brand": brand_id, "role": before},
            after={"brand": brand_id, "role": role},
        )
        sync_role(agent)
    _forget_roles(agent)
    return membership


def remove_membership(agent: Agent, brand_id: int, *, actor: Agent | None) -> None:
    """Take the agent out of a brand (their teams there too)."""
    membership = Membership.objects.filter(agent=agent, brand_id=brand_id).first()
    if membership is None:
        raise NotFound(_("The agent does not work for this brand."), field="brand_id")
    agent.teams.remove(*Team.objects.filter(brand_id=brand_id, members=agent))
    membership.delete()
    audit.record(
        action="agent.membership_remove",
        obj=agent,
        actor=actor,
        brand_id=brand_id,
        before={"brand": brand_id, "role": membership.role},
    )
    sync_role(agent)
    _forget_roles(agent)


def sync_role(agent: Agent) -> None:
    """``Agent.role`` is the highest role of the agent's memberships (agent with none);
    staff status (the Django admin) follows it."""
    roles = list(Membership.objects.filter(agent=agent).values_list("role", flat=True))
    highest = max(roles, key=lambda r: ROLE_RANK[Role(r)], default=Role.AGENT.value)
    if agent.role != highest:
        agent.role = highest
        Agent.objects.filter(pk=agent.pk).update(role=highest)
    sync_staff(agent.user, highest)


def _forget_roles(agent: Agent) -> None:
    for attr in ("_brand_ids", "_brand_roles"):
        if hasattr(agent, attr):
            delattr(agent, attr)


def _clean_channel_capacity(value: dict[str, int]) -> dict[str, int]:
    from wowdesk.core.kinds import Channel

    out: dict[str, int] = {}
    for channel, n in value.items():
        if channel not in Channel.values:
            raise InvalidInput(
                _("Unknown channel: %(c)s") % {"c": channel}, field="channel_capacity"
            )
        if int(n) < 0:
            raise InvalidInput(_("Capacity cannot be negative."), field="channel_capacity")
        out[channel] = int(n)
    return out


def find_agent_by_email(email: str) -> Agent | None:
    return Agent.objects.select_related("user").filter(user__username=login_name(email)).first()


ADMIN_APP_LABELS = ("core", "customers", "conversations", "ingest", "routing")


def sync_staff(user: Any, role: str) -> None:
    """Brand administrators keep the staff flag and the model permissions of the help
    desk's apps; the Django admin itself lets in superusers only
    (``permissions.may_use_django_admin``)."""
    from django.contrib.auth.models import Permission

    if user.is_superuser:
        return
    is_admin = role == Role.ADMIN
    user.is_staff = is_admin
    user.save(update_fields=["is_staff"])
    if is_admin:
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label__in=ADMIN_APP_LABELS)
        )
    else:
        user.user_permissions.clear()


# --- teams ----------------------------------------------------------------------------


def create_team(
    *,
    brand_id: int,
    name: str,
    description: str = "",
    member_ids: Iterable[int] = (),
    actor: Agent | None = None,
) -> Team:
    name = check_line(name, "name", max_length=200).strip()
    if not name:
        raise InvalidInput(_("A team needs a name."), field="name")
    if Team.objects.filter(brand_id=brand_id, name=name).exists():
        raise Conflict(_("A team with this name exists."), field="name")
    team = Team.objects.create(brand_id=brand_id, name=name, description=description)
    _set_members(team, member_ids)
    audit.record(
        action="team.create",
        obj=team,
        actor=actor,
        brand_id=brand_id,
        after={"name": name, "members": sorted(member_ids)},
    )
    return team


def update_team(
    team: Team,
    *,
    actor: Agent | None,
    name: str | None = None,
    description: str | None = None,
    member_ids: Iterable[int] | None = None,
    required_skills: Iterable[str] | None = None,
    lead_id: int | EllipsisType | None = ...,
) -> Team:
    """Change a team; ``lead_id``: its lead (an active agent of the team's brand), None for
    none, left as it is when not given."""
    before = {
        "name": team.name,
        "description": team.description,
        "members": sorted(team.members.values_list("id", flat=True)),
        "required_skills": list(team.required_skills),
        "lead": team.lead_id,
    }
    if name is not None:
        name = check_line(name, "name", max_length=200).strip()
        if not name:
            raise InvalidInput(_("A team needs a name."), field="name")
        if Team.objects.filter(brand_id=team.brand_id, name=name).exclude(pk=team.pk).exists():
            raise Conflict(_("A team with this name exists."), field="name")
        team.name = name
    if description is not None:
        team.description = description
    if required_skills is not None:
        if isinstance(required_skills, str) or not all(isinstance(s, str) for s in required_skills):
            raise InvalidInput(_("Required skills are a list of words."), field="required_skills")
        team.required_skills = [s.strip() for s in required_skills if s.strip()]
    if not isinstance(lead_id, EllipsisType):
        if (
            lead_id is not None
            and not Membership.objects.filter(
                agent_id=lead_id, brand_id=team.brand_id, agent__is_active=True
            ).exists()
        ):
            raise InvalidInput(_("The lead must be an active agent of the brand."), field="lead_id")
        team.lead_id = lead_id
    team.save()
    if member_ids is not None:
        _set_members(team, member_ids)
    after = {
        "name": team.name,
        "description": team.description,
        "members": sorted(team.members.values_list("id", flat=True)),
        "required_skills": list(team.required_skills),
        "lead": team.lead_id,
    }
    b, a = audit.diff(before, after)
    if a:
        audit.record(
            action="team.update", obj=team, actor=actor, brand_id=team.brand_id, before=b, after=a
        )
    return team


def _set_members(team: Team, member_ids: Iterable[int]) -> None:
    ids = list(member_ids)
    found = set(Agent.objects.filter(pk__in=ids, brands=team.brand_id).values_list("id", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput(
            _("No such agent in this brand: %(ids)s") % {"ids": missing}, field="member_ids"
        )
    team.members.set(ids)


# --- API tokens -----------------------------------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(agent: Agent, *, name: str = "cli", actor: Agent | None = None) -> str:
    """Make a token and return it in plain text: the only time it is ever visible."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        agent=agent, name=name, prefix=raw[:10], token_hash=hash_token(raw)
    )
    audit.record(
        action="token.create",
        obj=token,
        actor=actor or agent,
        brand_id=None,
        after={"agent": agent.pk, "name": name, "prefix": token.prefix},
    )
    return raw


def revoke_token(token: ApiToken, *, actor: Agent | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            action="token.revoke",
            obj=token,
            actor=actor,
            brand_id=None,
            after={"prefix": token.prefix},
        )


def rename_token(token: ApiToken, name: str, *, actor: Agent | None) -> ApiToken:
    """A token's name is all that can change about it."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("A token needs a name."), field="name")
    if name != token.name:
        before = token.name
        token.name = name[:100]
        token.save(update_fields=["name"])
        audit.record(
            action="token.rename",
            obj=token,
            actor=actor,
            brand_id=None,
            before={"name": before},
            after={"name": token.name},
        )
    return token


def agent_for_token(raw: str) -> Agent | None:
    """The active agent a valid, unrevoked token belongs to, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = _token_with_agent(hash_token(raw))
    if token is None or not token.agent.is_active or not token.agent.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.agent


def _token_with_agent(token_hash: str) -> ApiToken | None:
    """The unrevoked token with its agent, user and brand ids: two prepared statements on
    every API request (core.fastsql) instead of two ORM queries."""
    from django.contrib.auth.models import User
    from django.db import connection

    from wowdesk.core import fastsql

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {fastsql.columns(ApiToken, 't')}, {fastsql.columns(Agent, 'a')}, "
            f"{fastsql.columns(User, 'u')} FROM {fastsql.table(ApiToken)} t "
            f"JOIN {fastsql.table(Agent)} a ON a.id = t.agent_id "
            f"JOIN {fastsql.table(User)} u ON u.id = a.user_id "
            "WHERE t.token_hash = %s AND t.revoked_at IS NULL",
            [token_hash],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        n_token, n_agent = len(ApiToken._meta.concrete_fields), len(Agent._meta.concrete_fields)
        token = fastsql.load(ApiToken, row[:n_token])
        agent = fastsql.load(Agent, row[n_token : n_token + n_agent])
        agent.user = fastsql.load(User, row[n_token + n_agent :])
        token.agent = agent
        if not agent.user.is_superuser:
            # what permissions.visible_brand_ids would ask next, in the same visit
            cursor.execute(
                f"SELECT brand_id, role FROM {fastsql.table(Membership)} WHERE agent_id = %s",
                [agent.pk],
            )
            roles = {r[0]: r[1] for r in cursor.fetchall()}
            agent._brand_ids = set(roles)  # type: ignore[attr-defined]
            agent._brand_roles = roles  # type: ignore[attr-defined]
    return token


@transaction.atomic
def ensure_agent_with_token(
    *, email: str, role: str, name: str = "", brand: Brand | None = None
) -> tuple[Agent, str]:
    """For ``wowdesk token create``: the agent (created in ``brand``, or the default brand,
    if missing) and a fresh token. An existing agent must already work for ``brand``."""
    agent = find_agent_by_email(email)
    if agent is None:
        agent = create_agent(
            AgentInput(email=email, name=name, role=role), brands=[brand or default_brand()]
        )
    elif brand is not None and not agent.brands.filter(pk=brand.pk).exists():
        raise InvalidInput(
            _("%(email)s exists and does not work for the brand %(brand)s.")
            % {"email": agent.email, "brand": brand.slug},
            field="brand",
        )
    elif role:
        # the role in that brand only (every brand of the agent without --brand)
        current = (
            Membership.objects.filter(agent=agent, brand=brand)
            .values_list("role", flat=True)
            .first()
            if brand is not None
            else agent.role
        )
        if current != role:
            update_agent(agent, actor=None, role=role, role_brand_ids=[brand.pk] if brand else None)
    return agent, create_token(agent)


def set_presence_fields(agent: Agent, **fields: Any) -> Agent:
    """Write an agent's presence (``presence``, ``presence_auto``,
    ``presence_changed_at``): routing decides them (routing.services.set_presence)."""
    unknown = set(fields) - {"presence", "presence_auto", "presence_changed_at"}
    if unknown:
        raise InvalidInput(_("Not a presence field."), field=sorted(unknown)[0])
    for key, value in fields.items():
        setattr(agent, key, value)
    agent.save(update_fields=list(fields))
    return agent


def set_agent_schedule(agent: Agent, schedule: dict[str, Any]) -> Agent:
    """Write an agent's published schedule (``Agent.schedule``): routing decides it
    (``routing.services.publish_schedule``)."""
    agent.schedule = schedule
    agent.save(update_fields=["schedule"])
    return agent


def note_assigned(agent_id: int, at: dt.datetime) -> None:
    """When routing last gave the agent a conversation (round robin and fairness read it)."""
    Agent.objects.filter(pk=agent_id).update(last_assigned_at=at)


def get_agent(pk: int) -> Agent:
    agent = Agent.objects.select_related("user", "site").filter(pk=pk).first()
    if agent is None:
        raise NotFound(_("No such agent."), field="id")
    return agent


# --- supervisor alerts ---------------------------------------------------------------


# core.alerts is the one writer of alerts; these names reach it from here too.
create_alert = alerts.create
acknowledge_alert = alerts.acknowledge


# --- plain configuration rows --------------------------------------------------------


def save_fields(
    obj: Any,
    *,
    fields: dict[str, Any],
    actor: Agent | None,
    brand_id: int | None,
    action: str,
) -> Any:
    """Set plain fields of a configuration row, check the row with the model's own
    validation, save it and audit the change (the apps' services use this for rows that
    need no rule beyond their fields)."""
    import json

    from django.core.exceptions import ValidationError
    from django.core.serializers.json import DjangoJSONEncoder

    def plain(values: dict[str, Any]) -> dict[str, Any]:
        return dict(json.loads(json.dumps(values, cls=DjangoJSONEncoder)))

    created = obj.pk is None
    before = plain({k: getattr(obj, k) for k in fields})
    for key, value in fields.items():
        setattr(obj, key, value)
    try:
        obj.full_clean()
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", {None: exc.messages})
        field, messages = next(iter(errors.items()))
        raise InvalidInput(
            " ".join(str(m) for m in messages),
            field=None if field == "__all__" else field,
        ) from exc
    obj.save()
    b, a = audit.diff({} if created else before, plain(dict(fields)))
    if a or created:
        audit.record(action=action, obj=obj, actor=actor, brand_id=brand_id, before=b, after=a)
    return obj


def delete_row(obj: Any, *, actor: Agent | None, brand_id: int | None, action: str) -> None:
    """Delete a configuration row and audit it (the apps' services use this)."""
    audit.record(action=action, obj=obj, actor=actor, brand_id=brand_id, before={"name": str(obj)})
    obj.delete()


def delete_team(team: Team, *, actor: Agent | None) -> None:
    """Delete a team; its inboxes and conversations keep going without one."""
    delete_row(team, actor=actor, brand_id=team.brand_id, action="team.delete")


def next_conversation_number(brand_id: int) -> int:
    """The brand's next conversation display number (the brand's counter is the core's
    row: conversations asks for it here). Must run inside the creating transaction.

    One statement (``UPDATE … RETURNING``: SQLite ≥ 3.35 and PostgreSQL) on the hot path
    of every new conversation."""
    table = Brand._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "conversation_seq" = "conversation_seq" + 1 '
            'WHERE "id" = %s RETURNING "conversation_seq"',
            [brand_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Brand.DoesNotExist(brand_id)
    return int(row[0])
