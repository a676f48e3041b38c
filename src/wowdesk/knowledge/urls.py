"""Pages of the knowledge app: the agents' editor and the knowledge managers' pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

app_name = "knowledge"


def _articles(request: HttpRequest) -> HttpResponse:  # the kb part replaces this page
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", _articles, name="articles"),
]
