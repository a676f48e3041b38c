"""The public help center: ``/help/`` and ``/help/<brand-slug>/``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "help"

urlpatterns: list[URLPattern | URLResolver] = []
