"""Pages of workforce management: the planner's forecast, staffing, rosters and adherence,
and the agent's own schedule."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from wowdesk.wfm import roster_views

app_name = "wfm"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", _frame, name="index"),
    path("forecast/", _frame, name="forecast"),
    path("staffing/", _frame, name="staffing"),
    path("rosters/", roster_views.rosters_page, name="rosters"),
    path("rosters/<int:roster_id>/", roster_views.roster_page, name="roster"),
    path("rosters/<int:roster_id>/progress", roster_views.roster_progress, name="roster_progress"),
    path("rosters/<int:roster_id>/publish", roster_views.roster_publish, name="roster_publish"),
    path("rosters/<int:roster_id>/simulate", roster_views.roster_simulate, name="roster_simulate"),
    path("adherence/", _frame, name="adherence"),
    path("schedule/", _frame, name="schedule"),
]
