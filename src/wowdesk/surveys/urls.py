"""Pages of the surveys app for agents: the settings, the follow-ups."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

app_name = "surveys"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", _frame, name="settings"),
    path("followups/", _frame, name="followups"),
]
