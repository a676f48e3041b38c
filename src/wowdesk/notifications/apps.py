from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "wowdesk.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from wowdesk.core.events import Event, Phase, listen

        here = "wowdesk.notifications.listeners"
        # assigned to me (by someone else, a rule or routing)
        listen(Event.CONVERSATION_UPDATED, f"{here}.on_conversation_updated")
        # a customer wrote on my conversation; a note mentions me: one call per batch
        listen(Event.MESSAGE_CREATED, f"{here}.on_messages_created", phase=Phase.BATCH)
        # the SLA of my conversation (or of an unassigned one of my team) is about to breach
        listen(Event.SLA_WARNING, f"{here}.on_sla_warning")

        from wowdesk.notifications import privacy

        privacy.register()
