"""Pages of the quality app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

app_name = "quality"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", _frame, name="index"),
    path("queue/", _frame, name="queue"),
    path("scorecards/", _frame, name="scorecards"),
    path("calibration/", _frame, name="calibration"),
]
