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

        from wowdesk.core import privacy
        from wowdesk.core.events import Event, Phase, listen

        # the audit rows about an erased customer keep who, what and when (core.privacy)
        listen(
            Event.CUSTOMER_ERASING,
            "wowdesk.core.privacy.on_customer_erasing",
            phase=Phase.TRANSACTION,
        )
        privacy.register_exporter("audit", "wowdesk.core.privacy.export_audit", order=900)
