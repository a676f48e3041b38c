"""Endpoints of the chat widget (included at the site root)."""

from django.urls import path

from wowdesk.channels.chat import views

app_name = "chat"
urlpatterns = [
    path("chat/<str:ref>/config", views.widget_config, name="config"),
    path("chat/<str:ref>/upload", views.upload, name="upload"),
    path("chat/file/<str:signed>", views.file, name="file"),
]
