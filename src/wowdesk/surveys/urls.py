"""Pages of the surveys app for agents: the settings, the follow-ups."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from wowdesk.surveys import views

app_name = "surveys"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/save/", views.settings_save, name="settings-save"),
    path("settings/overrides/add/", views.override_add, name="override-add"),
    path("settings/overrides/remove/", views.override_remove, name="override-remove"),
    path("followups/", _frame, name="followups"),
]
