from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "wowdesk.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from wowdesk.core.events import PUBLIC, Phase, listen
        from wowdesk.webhooks import listeners

        # One delivery row per subscribed webhook, written in the event's own transaction.
        for event in PUBLIC:
            listen(event, listeners.path_for(event), phase=Phase.TRANSACTION)
