"""Pages of the knowledge app: the agents' editor and the knowledge managers' pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from wowdesk.knowledge import loop_views

app_name = "knowledge"


def _articles(request: HttpRequest) -> HttpResponse:  # the kb part replaces this page
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", _articles, name="articles"),
    path("proposals/", loop_views.proposals_page, name="proposals"),
    path("proposals/<int:pk>/accept/", loop_views.proposal_accept, name="proposal-accept"),
    path("proposals/<int:pk>/dismiss/", loop_views.proposal_dismiss, name="proposal-dismiss"),
    path("reports/", loop_views.reports_page, name="reports"),
]
