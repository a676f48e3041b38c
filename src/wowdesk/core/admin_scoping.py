"""Brand isolation in the Django admin: an admin of brand A sees only brand A's rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from wowdesk.core.models import Agent


def brand_ids_for(request: HttpRequest) -> set[int] | None:
    """None means "all brands" (a superuser)."""
    user: Any = request.user
    if user.is_superuser:
        return None
    agent = Agent.objects.filter(user=user).first()
    if agent is None:
        return set()
    from wowdesk.core.permissions import visible_brand_ids

    return visible_brand_ids(agent)


class BrandScopedAdmin(admin.ModelAdmin):
    brand_field = "brand_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        ids = brand_ids_for(request)
        if ids is None:
            return qs
        return qs.filter(**{f"{self.brand_field}__in": ids}).distinct()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        ids = brand_ids_for(request)
        if ids is not None and db_field.name == "brand":
            from wowdesk.core.models import Brand

            kwargs["queryset"] = Brand.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
