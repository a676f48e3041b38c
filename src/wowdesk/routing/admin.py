"""Admin for SLA policies and routing settings (saved through routing/services.py), and
the SLA clocks and events (read-only), behind the brand wall (core/admin_scoping.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wowdesk.core.admin_scoping import BrandScopedAdmin
from wowdesk.routing import services
from wowdesk.routing.models import ConversationSla, RoutingSettings, SlaEvent, SlaPolicy


def _original(obj: Any) -> Any:
    return type(obj)._default_manager.get(pk=obj.pk)


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

    def service_save(
        self, request: HttpRequest, obj: SlaPolicy, form: Any, change: bool, *, trial: bool
    ) -> SlaPolicy:
        data = form.cleaned_data
        fields = {k: data[k] for k in services.SLA_POLICY_FIELDS if k in data}
        if change:
            return services.update_sla_policy(_original(obj), actor=self.actor(request), **fields)
        return services.create_sla_policy(
            brand_id=data["brand"].pk, actor=self.actor(request), **fields
        )

    def service_delete(self, request: HttpRequest, obj: SlaPolicy) -> None:
        services.delete_sla_policy(obj, actor=self.actor(request))


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(BrandScopedAdmin):
    """One row per brand, made when the brand first routes."""

    list_display = ("brand", "strategy", "auto_assign")
    readonly_fields = ("last_agent_id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def service_save(
        self, request: HttpRequest, obj: RoutingSettings, form: Any, change: bool, *, trial: bool
    ) -> RoutingSettings:
        data = form.cleaned_data
        fields = {k: data[k] for k in services.ROUTING_SETTINGS_FIELDS if k in data}
        return services.update_routing_settings(_original(obj), actor=self.actor(request), **fields)


@admin.register(ConversationSla)
class ConversationSlaAdmin(BrandScopedAdmin):
    list_display = ("conversation", "target", "state", "due_at", "paused_at", "policy")
    list_filter = ("state", "target", "brand")
    readonly_fields = [f.name for f in ConversationSla._meta.fields]
    list_select_related = ("conversation", "policy")


@admin.register(SlaEvent)
class SlaEventAdmin(BrandScopedAdmin):
    list_display = ("at", "conversation", "target", "kind", "due_at")
    list_filter = ("kind", "target", "brand")
    readonly_fields = [f.name for f in SlaEvent._meta.fields]
