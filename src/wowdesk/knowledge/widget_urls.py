"""The chat widget's knowledge endpoints, under the widget's own URL space (``/chat/…``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.knowledge import widget_views

app_name = "kb-widget"

urlpatterns: list[URLPattern | URLResolver] = [
    path("chat/<str:ref>/kb/suggest", widget_views.suggest, name="suggest"),
]
