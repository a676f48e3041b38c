"""Pages of the knowledge app: the agents' editor and the knowledge managers' pages."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.knowledge import views

app_name = "knowledge"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.articles, name="articles"),
    path("files/<int:pk>/<str:name>", views.attachment_file, name="file"),
]
