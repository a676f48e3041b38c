"""The customer's survey page: `/s/<token>`, no sign-in (surveys/public_views.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.surveys import public_views

app_name = "survey-public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>", public_views.answer, name="answer"),
    path("<str:token>/answer", public_views.answer_json, name="answer-json"),
]
