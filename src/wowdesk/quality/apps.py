from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "wowdesk.quality"
    label = "quality"
    verbose_name = _("Quality")

    def ready(self) -> None:
        # Each part of the app registers the listeners, panels and jobs it owns.
        from wowdesk.quality import signals_listeners

        signals_listeners.register()
