"""Pages of the policies app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from wowdesk.policies import privacy_views

app_name = "policies"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", _frame, name="settings"),
    path("approvals/", _frame, name="approvals"),
    path("abuse/", _frame, name="abuse"),
    path("costs/", _frame, name="costs"),
    # a customer's personal data (administrators): docs/privacy.md
    path(
        "customers/<int:customer_id>/export/",
        privacy_views.export,
        name="customer_export",
    ),
    path("customers/<int:customer_id>/erase/", privacy_views.erase, name="customer_erase"),
]
