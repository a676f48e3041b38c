"""The customer's survey page: `/s/<token>`, no sign-in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

app_name = "survey-public"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>", _frame, name="answer"),
]
