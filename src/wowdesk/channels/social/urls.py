from django.urls import path

from wowdesk.channels.social import views

app_name = "social"
urlpatterns = [path("<int:inbox_id>", views.webhook, name="webhook")]
