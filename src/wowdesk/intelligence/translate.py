"""Translation for agents: a message into the agent's language, a reply into the
customer's. The provider is configured by ``WOWDESK_TRANSLATION_*``; results are cached
in the database. Without a provider every call says plainly that none is available."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import IntegrityError, transaction

from wowdesk.intelligence.models import CachedTranslation
from wowdesk.intelligence.translation import (
    Translation,
    TranslationProvider,
    provider_from_settings,
)


class DatabaseTranslationCache:
    def get(self, key: str) -> str | None:
        return CachedTranslation.objects.filter(key=key).values_list("text", flat=True).first()

    def set(self, key: str, value: str) -> None:
        try:
            with transaction.atomic():
                CachedTranslation.objects.update_or_create(key=key, defaults={"text": value})
        except IntegrityError:
            pass  # the same translation stored by a concurrent request


_provider: TranslationProvider | None = None
_lock = threading.Lock()


def provider() -> TranslationProvider:
    global _provider
    if _provider is None:
        with _lock:
            if _provider is None:
                c = settings.CONFIG
                _provider = provider_from_settings(
                    c.translation_provider,
                    c.translation_url,
                    c.translation_model,
                    c.translation_api_key,
                    timeout=c.translation_timeout,
                    cache=DatabaseTranslationCache(),
                )
    return _provider


def reset_provider(new: TranslationProvider | None = None) -> None:
    """For tests and reconfiguration: use ``new`` (or rebuild from settings next time)."""
    global _provider
    with _lock:
        _provider = new


def translate(text: str, target: str, source: str | None = None) -> Translation:
    return provider().translate(text, target, source or None)
