from django.urls import path

from wowdesk.channels.voice import views

app_name = "voice"
urlpatterns = [
    path("<int:inbox_id>/events", views.generic_event, name="events"),
    path("<int:inbox_id>/twilio", views.twilio_event, name="twilio"),
    path("<int:inbox_id>/asterisk", views.asterisk_event, name="asterisk"),
]
