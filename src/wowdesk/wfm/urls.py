"""Pages of workforce management: the planner's forecast, staffing, rosters and adherence,
and the agent's own schedule."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from wowdesk.wfm import views

app_name = "wfm"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("forecast/", views.forecast, name="forecast"),
    path("staffing/", views.staffing, name="staffing"),
    path("rosters/", _frame, name="rosters"),
    path("adherence/", views.adherence, name="adherence"),
    path("schedule/", _frame, name="schedule"),
]
