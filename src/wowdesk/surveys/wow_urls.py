"""The WOW wall: `/wow/`."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.surveys import wow_views

app_name = "wow"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", wow_views.wall, name="wall"),
    path("nominate/<int:conversation_id>/", wow_views.nominate, name="nominate"),
    path("<int:story_id>/hide/", wow_views.hide, name="hide"),
]
