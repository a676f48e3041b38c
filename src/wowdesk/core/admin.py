from django.contrib import admin

from wowdesk.core.admin_scoping import BrandScopedAdmin
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


@admin.register(AuditLog)
class AuditLogAdmin(BrandScopedAdmin):
    list_display = ("created_at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type", "brand")
    readonly_fields = [f.name for f in AuditLog._meta.fields]
    list_select_related = ("actor",)

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Alert)
class AlertAdmin(BrandScopedAdmin):
    list_display = ("created_at", "kind", "text", "brand", "acknowledged_at")
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
