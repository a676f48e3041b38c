from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "wowdesk.intelligence"
    label = "intelligence"
    verbose_name = "Language and emotion"
