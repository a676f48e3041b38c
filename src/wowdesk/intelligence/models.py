"""Cached machine translations (the original is always kept on the message)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CachedTranslation(models.Model):
    key = models.CharField(
        max_length=64, unique=True, verbose_name=_("key")
    )  # sha256 of provider, langs, text
    text = models.TextField(verbose_name=_("text"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("cached translation")
        verbose_name_plural = _("cached translations")

    def __str__(self) -> str:
        return self.key[:12]
