"""Pages of workforce management: the planner's forecast, staffing, rosters and adherence,
and the agent's own schedule, swaps and time off."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.wfm import roster_views, schedule_views, views

app_name = "wfm"


urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("forecast/", views.forecast, name="forecast"),
    path("staffing/", views.staffing, name="staffing"),
    path("rosters/", roster_views.rosters_page, name="rosters"),
    path("rosters/<int:roster_id>/", roster_views.roster_page, name="roster"),
    path("rosters/<int:roster_id>/progress", roster_views.roster_progress, name="roster_progress"),
    path("rosters/<int:roster_id>/publish", roster_views.roster_publish, name="roster_publish"),
    path("rosters/<int:roster_id>/simulate", roster_views.roster_simulate, name="roster_simulate"),
    path("adherence/", views.adherence, name="adherence"),
    path("schedule/", schedule_views.schedule_page, name="schedule"),
    path("schedule/swap/", schedule_views.ask_swap, name="ask-swap"),
    path("schedule/time-off/", schedule_views.ask_time_off, name="ask-time-off"),
    path("requests/", schedule_views.requests_page, name="requests"),
    path("requests/<int:request_id>/cancel/", schedule_views.cancel, name="request-cancel"),
    path("requests/<int:request_id>/decide/", schedule_views.decide, name="request-decide"),
]
