from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "wowdesk.channels"
    # "channels" is Django Channels' label; ours is the ingest pipeline.
    label = "ingest"
    verbose_name = _("Channels and ingest")

    def ready(self) -> None:
        from wowdesk.channels.alerts import delivery_failed_sentence
        from wowdesk.core import alerts
        from wowdesk.core.events import Event, Phase, listen
        from wowdesk.core.models import AlertKind

        alerts.register(AlertKind.DELIVERY_FAILED, delivery_failed_sentence)

        listen(Event.OUTBOUND_QUEUED, "wowdesk.channels.outbox.on_outbound_queued")
        listen(Event.ENVELOPE_FAILED, "wowdesk.channels.ingest.on_envelope_failed")
        # the envelopes of a merged conversation lead to the one it was merged into
        listen(
            Event.CONVERSATION_UPDATED,
            "wowdesk.channels.ingest.on_conversation_updated",
            phase=Phase.TRANSACTION,
        )
        # a new chat inbox gets its widget token in the same write
        listen(
            Event.INBOX_CREATED,
            "wowdesk.channels.chat.services.on_inbox_created",
            phase=Phase.TRANSACTION,
        )
        from wowdesk.core import jobs

        # what a crash or a lost task left behind (channels.tasks.sweep), every 30 s
        jobs.every(30.0, "sweeper", "wowdesk.channels.tasks.sweep")
        jobs.loop("mail", "wowdesk.channels.email.imap.run_mail_forever")
        jobs.mark_busy("wowdesk.channels.ingest.busy")

        from wowdesk.channels import privacy

        privacy.register()
