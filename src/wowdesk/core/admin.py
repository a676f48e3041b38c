"""Admin for brands, sites, agents (with their role per brand), teams, tokens, the audit
log and alerts, behind the brand wall (core/admin_scoping.py); saves go through
core/services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wowdesk.core import alerts, services
from wowdesk.core.admin_scoping import (
    BrandScopedAdmin,
    BrandScopedInline,
    admin_brand_ids,
    editor,
    fully_within,
    pk_of,
)
from wowdesk.core.audit import object_type_label
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, Alert, ApiToken, AuditLog, Brand, Membership, Site, Team


def _original(obj: Any) -> Any:
    """The row as stored (the form has already written its values onto ``obj``)."""
    return type(obj)._default_manager.get(pk=obj.pk)


@admin.register(Brand)
class BrandAdmin(BrandScopedAdmin):
    list_display = ("name", "slug", "default_language", "support_email")
    search_fields = ("name", "slug")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new tenant is the operator's decision.
        return bool(getattr(request.user, "is_superuser", False))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("slug",) if obj is not None else ()

    def service_save(
        self, request: HttpRequest, obj: Brand, form: Any, change: bool, *, trial: bool
    ) -> Brand:
        data = form.cleaned_data
        if change:
            return services.update_brand(
                _original(obj),
                actor=self.actor(request),
                name=data.get("name"),
                default_language=data.get("default_language"),
                support_email=data.get("support_email"),
            )
        return services.create_brand(
            name=data["name"],
            slug=data.get("slug") or None,
            default_language=data.get("default_language") or "en",
            support_email=data.get("support_email") or "",
        )


@admin.register(Site)
class SiteAdmin(BrandScopedAdmin):
    """A site shared with a brand the editor does not administer is read-only to them."""

    list_display = ("name", "timezone", "country")
    filter_horizontal = ("brands",)

    def service_save(
        self, request: HttpRequest, obj: Site, form: Any, change: bool, *, trial: bool
    ) -> Site:
        data = form.cleaned_data
        brand_ids = sorted(b.pk for b in data.get("brands", []))
        if admin_brand_ids(request) is not None and not brand_ids:
            raise InvalidInput(_("Choose the brands this site serves."), field="brands")
        fields = {k: data.get(k) for k in ("name", "timezone", "country", "subdivision", "hours")}
        if change:
            return services.update_site(
                _original(obj), actor=self.actor(request), brand_ids=brand_ids, **fields
            )
        site = services.create_site(
            name=fields["name"],
            timezone_name=fields["timezone"],
            country=fields["country"] or "",
            brand_ids=brand_ids,
            actor=self.actor(request),
        )
        return services.update_site(
            site,
            actor=self.actor(request),
            subdivision=fields["subdivision"],
            hours=fields["hours"],
        )


class MembershipInline(BrandScopedInline):
    """The agent's role in each brand the editor administers (other brands' memberships
    are not shown and cannot be touched)."""

    model = Membership
    fields = ("brand", "role")
    own_brand_free = ("agent",)
    verbose_name = gettext_lazy("role in a brand")
    verbose_name_plural = gettext_lazy("roles per brand")

    def service_save(
        self, request: HttpRequest, obj: Membership, form: Any, change: bool, *, trial: bool
    ) -> Membership | None:
        data = form.cleaned_data
        brand = data.get("brand")
        agent = data.get("agent") or obj.agent
        if brand is None or agent is None or agent.pk is None:
            return None
        if change:
            before = _original(obj)
            if before.brand_id != brand.pk:
                raise InvalidInput(_("A membership stays with its brand."), field="brand")
        return services.set_membership(agent, brand.pk, data["role"], actor=editor(request))

    def service_delete(self, request: HttpRequest, obj: Membership) -> None:
        services.remove_membership(obj.agent, obj.brand_id, actor=editor(request))


AGENT_EDITABLE = (
    "display_name",
    "languages",
    "skills",
    "site",
    "timezone",
    "capacity",
    "channel_capacity",
    "shifts",
    "ui_language",
    "is_active",
)


@admin.register(Agent)
class AgentAdmin(BrandScopedAdmin):
    """Agents of the editor's brands. Their role is set per brand (the inline); whether
    they are active is shared by all their brands, so only someone who administers every
    one of them can change it. Agents are created through the API or the CLI."""

    list_display = ("display_name", "user", "role", "site", "timezone", "capacity", "is_active")
    list_filter = ("role", "site", "is_active", "brands")
    search_fields = ("display_name", "user__email")
    list_select_related = ("user", "site")
    inlines = [MembershipInline]
    error_fields = {"site_id": "site"}
    fields = ("user", "role", *AGENT_EDITABLE, "language_levels", "presence")

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        # Their attributes may be changed by an admin of any of their brands; what all
        # brands share is read-only below.
        return True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["user", "role", "language_levels", "presence"]
        if obj is not None and not fully_within(admin_brand_ids(request), obj):
            fields.append("is_active")
        return fields

    def service_save(
        self, request: HttpRequest, obj: Agent, form: Any, change: bool, *, trial: bool
    ) -> Agent:
        data = form.cleaned_data
        fields = {k: data[k] for k in AGENT_EDITABLE if k in data and k in form.changed_data}
        if "site" in fields:
            site = fields.pop("site")
            if site is None:
                raise InvalidInput(_("Choose a site."), field="site_id")
            fields["site_id"] = pk_of(site)
        return services.update_agent(_original(obj), actor=self.actor(request), **fields)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        inline = MembershipInline(self.model, self.admin_site)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.deleted_forms:
            if row.instance.pk is not None:
                inline.service_delete(request, row.instance)
                formset.deleted_objects.append(row.instance)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed():
                continue
            change = row.instance.pk is not None
            saved = inline.service_save(request, row.instance, row, change, trial=False)
            if saved is not None and change:
                formset.changed_objects.append((saved, row.changed_data))
            elif saved is not None:
                formset.new_objects.append(saved)


@admin.register(Team)
class TeamAdmin(BrandScopedAdmin):
    list_display = ("name", "brand")
    list_filter = ("brand",)
    filter_horizontal = ("members",)
    error_fields = {"member_ids": "members"}

    def service_save(
        self, request: HttpRequest, obj: Team, form: Any, change: bool, *, trial: bool
    ) -> Team:
        data = form.cleaned_data
        members = sorted(m.pk for m in data.get("members", []))
        if change:
            return services.update_team(
                _original(obj),
                actor=self.actor(request),
                name=data.get("name"),
                description=data.get("description"),
                member_ids=members,
                required_skills=data.get("required_skills"),
            )
        team = services.create_team(
            brand_id=data["brand"].pk,
            name=data["name"],
            description=data.get("description") or "",
            member_ids=members,
            actor=self.actor(request),
        )
        return services.update_team(
            team, actor=self.actor(request), required_skills=data.get("required_skills")
        )

    def service_delete(self, request: HttpRequest, obj: Team) -> None:
        services.delete_team(obj, actor=self.actor(request))


@admin.register(ApiToken)
class ApiTokenAdmin(BrandScopedAdmin):
    """Only a token's name can be changed; revoking is an action and cannot be undone.
    Tokens of an agent who also works for a brand the editor does not administer are
    read-only to them (their own tokens excepted)."""

    list_display = ("prefix", "agent", "name", "created_at", "last_used_at", "revoked_at")
    fields = ("name", "agent", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("agent", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("agent",)
    actions = ["revoke"]

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        me = editor(request)
        return (me is not None and obj.agent_id == me.pk) or fully_within(
            admin_brand_ids(request), obj
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token is shown once, where it is made: the API or the CLI

    def service_save(
        self, request: HttpRequest, obj: ApiToken, form: Any, change: bool, *, trial: bool
    ) -> ApiToken:
        return services.rename_token(
            _original(obj), form.cleaned_data["name"], actor=self.actor(request)
        )

    @admin.action(description=gettext_lazy("Revoke"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = 0
        for token in queryset:
            if self.has_change_permission(request, token):
                services.revoke_token(token, actor=self.actor(request))
                done += 1
        if done < queryset.count():
            messages.warning(
                request, _("Tokens of agents who also work for other brands were left alone.")
            )


class ObjectTypeFilter(admin.SimpleListFilter):
    title = gettext_lazy("object type")
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = (
            model_admin.get_queryset(request)
            .order_by("object_type")
            .values_list("object_type", flat=True)
            .distinct()
        )
        return [(code, object_type_label(code)) for code in codes]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(object_type=value) if value else queryset


@admin.register(AuditLog)
class AuditLogAdmin(BrandScopedAdmin):
    """Read by admins of the entry's brand; never added, changed or deleted by anyone."""

    list_display = ("created_at", "actor", "action", "object_kind", "object_id")
    list_filter = ("action", ObjectTypeFilter, "brand")
    readonly_fields = [f.name for f in AuditLog._meta.fields]
    list_select_related = ("actor",)

    @admin.display(description=gettext_lazy("object type"), ordering="object_type")
    def object_kind(self, obj: AuditLog) -> str:
        return object_type_label(obj.object_type)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(BrandScopedAdmin):
    list_display = ("created_at", "kind", "shown_text", "brand", "acknowledged_at")

    @admin.display(description=gettext_lazy("text"), ordering="text")
    def shown_text(self, obj: Alert) -> str:
        """In the reader's language and zone (``core.alerts.message``)."""
        return alerts.message(obj)

    list_filter = ("kind", "brand")
    readonly_fields = [f.name for f in Alert._meta.fields]
