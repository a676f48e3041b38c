from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "wowdesk.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from wowdesk.conversations.search import CONVERSATION_SUBJECT, MESSAGE_WORDS
        from wowdesk.core import textsearch

        textsearch.register(CONVERSATION_SUBJECT, MESSAGE_WORDS)
        from wowdesk.core.i18n import register_choices

        register_choices("status", "wowdesk.conversations.models.Status")
        register_choices("priority", "wowdesk.conversations.models.Priority")

        from wowdesk.core.events import Event, Phase, listen

        # a merged customer's conversations and messages move in the merge's transaction
        listen(
            Event.CUSTOMER_MERGED,
            "wowdesk.conversations.services.on_customer_merged",
            phase=Phase.TRANSACTION,
        )

        from wowdesk.conversations import privacy

        privacy.register()
