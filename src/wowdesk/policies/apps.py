from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "wowdesk.policies"
    label = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        # Each part of the app registers the listeners, panels, tiles and jobs it owns.
        from wowdesk.policies import abuse, grant_pages, grants, privacy

        grants.register()
        grant_pages.register()
        abuse.register()
        privacy.register()
