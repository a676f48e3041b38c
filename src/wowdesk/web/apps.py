from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "wowdesk.web"
    label = "web"
    verbose_name = "Web"
