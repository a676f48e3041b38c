from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "wowdesk.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # Each part of the app registers the listeners, panels and jobs it owns.
        from wowdesk.surveys import followups, scheduling, wow

        scheduling.register()
        followups.register()
        wow.register()

        from wowdesk.surveys import privacy

        privacy.register()
