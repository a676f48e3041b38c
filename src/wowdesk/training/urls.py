"""Pages of the training app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

app_name = "training"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", _frame, name="index"),
    path("scenarios/", _frame, name="scenarios"),
    path("team/", _frame, name="team"),
    path("culture/", _frame, name="culture"),
]
