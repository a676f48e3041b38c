from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "wowdesk.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        # Each part of the app registers the listeners, panels and jobs it owns.
        from wowdesk.training import culture, privacy, sessions

        sessions.register()
        culture.register()
        privacy.register()
