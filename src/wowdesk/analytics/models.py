"""Analytics: the brand's report settings. The rollups and the voice-of-the-customer
topics add their tables here; ``analytics/services.py`` and the parts' services write them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.core.models import Agent, Brand


class ReportSettings(models.Model):
    """How a brand measures, and who gets the weekly report by email."""

    brand = models.OneToOneField(
        Brand, on_delete=models.CASCADE, related_name="report_settings", verbose_name=_("brand")
    )
    # FCR: resolved with no customer message within this many days after the resolution
    fcr_days = models.PositiveIntegerField(_("first-contact resolution window (days)"), default=7)
    weekly_recipients = models.ManyToManyField(
        Agent, blank=True, related_name="+", verbose_name=_("weekly report to")
    )
    # more addresses that get the weekly report (people without a wowdesk account)
    weekly_emails = models.JSONField(_("weekly report also to"), default=list, blank=True)
    weekly_weekday = models.PositiveSmallIntegerField(_("weekday (0 = Monday)"), default=0)
    weekly_hour = models.PositiveSmallIntegerField(_("hour (brand default time zone)"), default=8)
    weekly_last_sent_at = models.DateTimeField(_("last weekly report"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return f"reports of {self.brand_id}"
