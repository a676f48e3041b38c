from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "wowdesk.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        # Each part of the app registers the listeners, panels and jobs it owns.
        from wowdesk.knowledge import assist, bot, intents, loop, search

        search.register()
        assist.register()
        bot.register()
        loop.register()
        intents.register()

        from wowdesk.knowledge import privacy

        privacy.register()
