from django.contrib import admin

from wowdesk.core.admin_scoping import BrandScopedAdmin
from wowdesk.routing.models import ConversationSla, RoutingSettings, SlaEvent, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(BrandScopedAdmin):
    list_display = (
        "name",
        "brand",
        "priority",
        "channel",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "business_hours",
        "is_active",
    )
    list_filter = ("brand", "is_active", "channel", "priority")


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(BrandScopedAdmin):
    list_display = ("brand", "strategy", "auto_assign")
    readonly_fields = ("last_agent_id",)


@admin.register(ConversationSla)
class ConversationSlaAdmin(BrandScopedAdmin):
    list_display = ("conversation", "target", "state", "due_at", "paused_at", "policy")
    list_filter = ("state", "target", "brand")
    readonly_fields = [f.name for f in ConversationSla._meta.fields]
    list_select_related = ("conversation", "policy")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(SlaEvent)
class SlaEventAdmin(BrandScopedAdmin):
    list_display = ("at", "conversation", "target", "kind", "due_at")
    list_filter = ("kind", "target", "brand")
    readonly_fields = [f.name for f in SlaEvent._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
