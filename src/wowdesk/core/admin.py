from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wowdesk.core.admin_scoping import BrandScopedAdmin
from wowdesk.core.audit import object_type_label
from wowdesk.core.i18n import alert_text
from wowdesk.core.models import Agent, Alert, ApiToken, AuditLog, Brand, Site, Team


@admin.register(Brand)
class BrandAdmin(BrandScopedAdmin):
    brand_field = "id"
    list_display = ("name", "slug", "default_language", "support_email")
    search_fields = ("name", "slug")


@admin.register(Site)
class SiteAdmin(BrandScopedAdmin):
    brand_field = "brands__id"
    list_display = ("name", "timezone", "country")
    filter_horizontal = ("brands",)


@admin.register(Agent)
class AgentAdmin(BrandScopedAdmin):
    brand_field = "brands__id"
    list_display = ("display_name", "user", "role", "site", "timezone", "capacity", "is_active")
    list_filter = ("role", "site", "is_active", "brands")
    search_fields = ("display_name", "user__email")
    filter_horizontal = ("brands",)
    list_select_related = ("user", "site")


@admin.register(Team)
class TeamAdmin(BrandScopedAdmin):
    list_display = ("name", "brand")
    list_filter = ("brand",)
    filter_horizontal = ("members",)


@admin.register(ApiToken)
class ApiTokenAdmin(BrandScopedAdmin):
    brand_field = "agent__brands__id"
    list_display = ("prefix", "agent", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "token_hash", "created_at", "last_used_at")
    list_select_related = ("agent",)


class ObjectTypeFilter(admin.SimpleListFilter):
    title = _("object type")
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
    list_display = ("created_at", "actor", "action", "object_kind", "object_id")
    list_filter = ("action", ObjectTypeFilter, "brand")
    readonly_fields = [f.name for f in AuditLog._meta.fields]
    list_select_related = ("actor",)

    @admin.display(description=_("object type"), ordering="object_type")
    def object_kind(self, obj: AuditLog) -> str:
        return object_type_label(obj.object_type)

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Alert)
class AlertAdmin(BrandScopedAdmin):
    list_display = ("created_at", "kind", "shown_text", "brand", "acknowledged_at")

    @admin.display(description=_("text"), ordering="text")
    def shown_text(self, obj: Alert) -> str:
        """In the reader's language (``core.i18n.alert_text``)."""
        return alert_text(obj)

    list_filter = ("kind", "brand")
    readonly_fields = (
        "brand",
        "kind",
        "conversation_id",
        "message_id",
        "text",
        "data",
        "created_at",
    )
