"""The dashboards: `/reports/`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from wowdesk.analytics import topics_views

app_name = "reports"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", _frame, name="index"),
    path("settings/", _frame, name="settings"),
    path("topics/", topics_views.topics_page, name="topics"),
    path("topics/<int:topic_id>/", topics_views.topic_page, name="topic"),
]
