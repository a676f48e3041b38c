"""Pages of workforce management: the planner's forecast, staffing, rosters and adherence,
and the agent's own schedule."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

app_name = "wfm"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", _frame, name="index"),
    path("forecast/", _frame, name="forecast"),
    path("staffing/", _frame, name="staffing"),
    path("rosters/", _frame, name="rosters"),
    path("adherence/", _frame, name="adherence"),
    path("schedule/", _frame, name="schedule"),
]
