"""Pages of the surveys app for agents: the settings, the follow-ups."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.surveys import followup_views, views

app_name = "surveys"


urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/save/", views.settings_save, name="settings-save"),
    path("settings/overrides/add/", views.override_add, name="override-add"),
    path("settings/overrides/remove/", views.override_remove, name="override-remove"),
    # follow-ups (surveys/followup_views.py)
    path("followups/", followup_views.followups_page, name="followups"),
    path("followups/<int:pk>/close/", followup_views.close, name="followup-close"),
    path("followups/<int:pk>/reopen/", followup_views.reopen, name="followup-reopen"),
    path("followups/<int:pk>/reassign/", followup_views.reassign, name="followup-reassign"),
    path("followups/<int:pk>/send/", followup_views.send, name="followup-send"),
    path("c/<int:pk>/panel/", followup_views.conversation_panel, name="conversation-panel"),
    path("s/<int:pk>/send/", followup_views.survey_send, name="survey-send"),
]
