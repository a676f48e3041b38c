"""Pages of the policies app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from wowdesk.policies.link_views import approve_link

app_name = "policies"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", _frame, name="settings"),
    path("approvals/", _frame, name="approvals"),
    path("abuse/", _frame, name="abuse"),
    path("costs/", _frame, name="costs"),
    path("approve/<str:token>/", approve_link, name="approve-link"),
]
