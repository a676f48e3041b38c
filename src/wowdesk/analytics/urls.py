"""The dashboards: `/reports/`."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.analytics import topics_views, views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("drill/", views.drill, name="drill"),
    path("export/", views.export, name="export"),
    path("settings/", views.settings_page, name="settings"),
    path("topics/", topics_views.topics_page, name="topics"),
    path("topics/<int:topic_id>/", topics_views.topic_page, name="topic"),
]
