from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WfmConfig(AppConfig):
    name = "wowdesk.wfm"
    label = "wfm"
    verbose_name = _("Workforce management")

    def ready(self) -> None:
        # Each part of the app registers the listeners and jobs it owns.
        from wowdesk.wfm import jobs

        jobs.register()

        from wowdesk.wfm import schedule_views

        schedule_views.register()
