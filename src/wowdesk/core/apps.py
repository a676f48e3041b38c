from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wowdesk.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from wowdesk.core.textsearch import repair

        # a table rebuilt by a migration loses its SQLite full-text triggers: put back
        # those of every registered index (core.textsearch)
        post_migrate.connect(repair, sender=self, dispatch_uid="wowdesk-textsearch-repair")
