from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wowdesk.core"
    label = "core"
    verbose_name = "Core"
