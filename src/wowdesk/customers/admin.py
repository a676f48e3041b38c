from django.contrib import admin

from wowdesk.core.admin_scoping import BrandScopedAdmin
from wowdesk.customers.models import Customer, Identity, Organization, Purchase


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


class PurchaseInline(admin.TabularInline):
    model = Purchase
    extra = 0


@admin.register(Customer)
class CustomerAdmin(BrandScopedAdmin):
    list_display = ("name", "email", "phone", "language", "vip_tier", "organization", "brand")
    list_filter = ("brand", "vip_tier", "language")
    search_fields = ("name", "email", "phone", "identities__value")
    inlines = [IdentityInline, PurchaseInline]
    raw_id_fields = ("merged_into", "organization")
    list_select_related = ("organization", "brand")


@admin.register(Organization)
class OrganizationAdmin(BrandScopedAdmin):
    list_display = ("name", "domain", "brand")
    search_fields = ("name", "domain")
