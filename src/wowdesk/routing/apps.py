from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "wowdesk.routing"
    label = "routing"
    verbose_name = "Routing and SLA"
