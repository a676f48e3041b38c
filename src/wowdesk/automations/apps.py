from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationsConfig(AppConfig):
    name = "wowdesk.automations"
    label = "automations"
    verbose_name = _("Automation rules")

    def ready(self) -> None:
        from wowdesk.automations import listeners
        from wowdesk.core.events import Event, Phase, listen

        for name in listeners.SUPPORTED:
            listen(Event(name), listeners.path_for(Event(name)), phase=Phase.COMMIT)
