"""Admin for customers and organizations, behind the brand wall
(core/admin_scoping.py); saves go through customers/services.py. Identities and
purchases are shown, and come in through ingest and the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wowdesk.core.admin_scoping import BrandScopedAdmin, BrandScopedInline, pk_of
from wowdesk.customers import services
from wowdesk.customers.models import Customer, Identity, Organization, Purchase


def _original(obj: Any) -> Any:
    return type(obj)._default_manager.get(pk=obj.pk)


class IdentityInline(BrandScopedInline):
    model = Identity


class PurchaseInline(BrandScopedInline):
    model = Purchase


CUSTOMER_EDITABLE = ("name", "language", "timezone", "vip_tier", "notes", "organization")


@admin.register(Customer)
class CustomerAdmin(BrandScopedAdmin):
    list_display = ("name", "email", "phone", "language", "vip_tier", "organization", "brand")
    list_filter = ("brand", "vip_tier", "language")
    search_fields = ("name", "email", "phone", "identities__value")
    inlines = [IdentityInline, PurchaseInline]
    raw_id_fields = ("organization",)
    fields = ("brand", "email", "phone", "merged_into", *CUSTOMER_EDITABLE)
    readonly_fields = ("brand", "email", "phone", "merged_into")
    list_select_related = ("organization", "brand")
    error_fields = {"organization_id": "organization"}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def service_save(
        self, request: HttpRequest, obj: Customer, form: Any, change: bool, *, trial: bool
    ) -> Customer:
        data = form.cleaned_data
        fields = {k: data[k] for k in CUSTOMER_EDITABLE if k in form.changed_data}
        if "organization" in fields:
            fields["organization_id"] = pk_of(fields.pop("organization"))
        return services.update_customer(_original(obj), actor=self.actor(request), **fields)


@admin.register(Organization)
class OrganizationAdmin(BrandScopedAdmin):
    list_display = ("name", "domain", "brand")
    search_fields = ("name", "domain")

    def service_save(
        self, request: HttpRequest, obj: Organization, form: Any, change: bool, *, trial: bool
    ) -> Organization:
        data = form.cleaned_data
        if change:
            return services.update_organization(
                _original(obj),
                actor=self.actor(request),
                name=data.get("name"),
                domain=data.get("domain", ""),
            )
        return services.create_organization(
            brand_id=data["brand"].pk,
            name=data["name"],
            domain=data.get("domain", ""),
            actor=self.actor(request),
        )
