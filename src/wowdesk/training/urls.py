"""Pages of the training app (``training/views.py``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.training import views

app_name = "training"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/save/", views.scenario_save, name="scenario-save"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:pk>/archive/", views.scenario_archive, name="scenario-archive"),
    path("scenarios/<int:scenario_id>/practise/", views.practise, name="practise"),
    path(
        "from-conversation/<int:conversation_id>/",
        views.from_conversation,
        name="from-conversation",
    ),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/say/", views.session_say, name="session-say"),
    path("sessions/<int:pk>/finish/", views.session_finish, name="session-finish"),
    path("team/", views.team, name="team"),
    path("team/assign/", views.team_assign, name="team-assign"),
    path("culture/", views.culture, name="culture"),
    path("culture/save/", views.culture_save, name="culture-save"),
    path("culture/<int:pk>/delete/", views.culture_delete, name="culture-delete"),
]
