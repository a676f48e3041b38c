from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "wowdesk.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # Each part of the app registers the listeners and jobs it owns.
        from wowdesk.analytics import board, privacy, rollups, topics_jobs, weekly

        rollups.register()
        topics_jobs.register()
        weekly.register()
        board.register()
        privacy.register()
