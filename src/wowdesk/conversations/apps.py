from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "wowdesk.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from wowdesk.core.textsearch import repair

        # a table rebuilt by a migration loses its SQLite full-text triggers: put them back
        post_migrate.connect(repair, sender=self, dispatch_uid="wowdesk-textsearch-repair")

        from wowdesk.core.events import Event, Phase, listen

        # a merged customer's conversations and messages move in the merge's transaction
        listen(
            Event.CUSTOMER_MERGED,
            "wowdesk.conversations.services.on_customer_merged",
            phase=Phase.TRANSACTION,
        )
