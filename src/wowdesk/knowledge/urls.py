"""Pages of the knowledge app: the agents' editor and the knowledge managers' pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from wowdesk.knowledge import assist_views

app_name = "knowledge"


def _articles(request: HttpRequest) -> HttpResponse:  # the kb part replaces this page
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", _articles, name="articles"),
    # agents' assistance in the workspace (knowledge/assist_views.py)
    path("assist/c/<int:pk>/suggestions/", assist_views.suggestions, name="assist-suggestions"),
    path("assist/search/", assist_views.search, name="assist-search"),
    path(
        "assist/c/<int:pk>/articles/<int:article_id>/insert/",
        assist_views.insert_article,
        name="assist-insert-article",
    ),
    path(
        "assist/c/<int:pk>/macros/<int:macro_id>/insert/",
        assist_views.insert_macro,
        name="assist-insert-macro",
    ),
    path("assist/c/<int:pk>/solved/", assist_views.solved, name="assist-solved"),
    path("assist/articles/<int:article_id>/propose/", assist_views.propose, name="assist-propose"),
]
