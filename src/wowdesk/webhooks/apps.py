from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "wowdesk.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from wowdesk.core import jobs
        from wowdesk.core.events import PUBLIC, Phase, listen

        # deliveries whose (re)try is due, when the task backend cannot defer them
        jobs.every(30.0, "webhooks", "wowdesk.webhooks.services.deliver_due")
        from wowdesk.webhooks import listeners

        # One delivery row per subscribed webhook, written in the event's own transaction.
        for event in PUBLIC:
            listen(event, listeners.path_for(event), phase=Phase.TRANSACTION)

        from wowdesk.webhooks import privacy

        privacy.register()
