from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "wowdesk.intelligence"
    label = "intelligence"
    verbose_name = _("Language and emotion")

    def ready(self) -> None:
        from django.conf import settings

        from wowdesk.core import alerts
        from wowdesk.core.models import AlertKind
        from wowdesk.intelligence import emotion, language
        from wowdesk.intelligence.services import mood_drop_sentence

        alerts.register(AlertKind.MOOD_DROP, mood_drop_sentence)

        # Weights are trained from the repo's data into the data dir (at `wowdesk migrate`,
        # or on first use) and reused by every process.
        emotion.configure(settings.DATA_DIR / "models" / "emotion.npz")
        # The languages customers write in (WOWDESK_LANGUAGES); fewer candidates, fewer
        # confusions between neighbours (docs/language.md has the measurements).
        if settings.CONFIG.languages:
            language.configure(settings.CONFIG.languages)
        from wowdesk.core import jobs

        jobs.loop("emotion", "wowdesk.intelligence.scoring.score_emotions_forever")
        from wowdesk.conversations.translating import register_translator

        # a reply sent in the customer's language (POST .../replies with translate_to)
        register_translator("wowdesk.intelligence.translate.translate")
