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


class ConversationFact(models.Model):
    """One conversation as the reports count it: its dimensions of the time (brand, inbox,
    channel, language, team, agent, the agent's site, intent, product) and its measures
    (first response and resolution in calendar and in business seconds of the handling
    site, reopens, FCR, SLA, live-channel answer and abandonment, the answer bot's outcome,
    handle time). ``analytics/rollups.py`` keeps it up to date from events and rebuilds it;
    ``analytics/services.py`` aggregates it. The ``*_bin`` columns hold the log-spaced
    histogram bin of each time (``analytics.metrics.time_bin``): quantiles are read from
    counts per bin, so they add up over any group."""

    conversation = models.OneToOneField(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="analytics_fact",
        verbose_name=_("conversation"),
    )
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    # the resolution that stands (None while open or reopened)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    inbox = models.ForeignKey(
        "conversations.Inbox", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    team = models.ForeignKey(
        "core.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agent = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "core.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    intent = models.CharField(_("intent"), max_length=100, blank=True)
    product = models.CharField(_("product"), max_length=200, blank=True)
    first_response_s = models.FloatField(null=True, blank=True)
    first_response_bs = models.FloatField(null=True, blank=True)  # business seconds
    first_response_bin = models.SmallIntegerField(null=True, blank=True)
    first_response_bbin = models.SmallIntegerField(null=True, blank=True)
    resolution_s = models.FloatField(null=True, blank=True)
    resolution_bs = models.FloatField(null=True, blank=True)
    resolution_bin = models.SmallIntegerField(null=True, blank=True)
    resolution_bbin = models.SmallIntegerField(null=True, blank=True)
    # from the agents' first to their last reply (shown, never ranked)
    handle_s = models.FloatField(null=True, blank=True)
    handle_bin = models.SmallIntegerField(null=True, blank=True)
    reopened = models.PositiveIntegerField(default=0)
    # resolved with no customer message within the brand's window (None: not resolved)
    fcr = models.BooleanField(null=True, blank=True)
    # every SLA target met (True), one breached (False), no target (None)
    sla_met = models.BooleanField(null=True, blank=True)
    live = models.BooleanField(default=False)  # chat or voice
    abandoned = models.BooleanField(default=False)  # live, left before an agent answered
    # the answer bot's outcome ("" without a bot session)
    bot = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("conversation fact")
        verbose_name_plural = _("conversation facts")
        indexes = [
            models.Index(fields=["brand", "created_at"], name="fact_brand_created"),
            # the backlog: open (resolved_at null) or resolved after a moment, opened before it
            models.Index(
                fields=["brand", "resolved_at", "created_at"], name="fact_brand_resolved_created"
            ),
            models.Index(fields=["agent", "created_at"], name="fact_agent_created"),
            models.Index(fields=["team", "created_at"], name="fact_team_created"),
        ]

    def __str__(self) -> str:
        return f"fact {self.conversation_id}"


class FactTag(models.Model):
    """A tag of a conversation fact (tags are many per conversation: the bridge lets a
    report group and filter by tag)."""

    fact = models.ForeignKey(ConversationFact, on_delete=models.CASCADE, related_name="tags")
    tag = models.ForeignKey("conversations.Tag", on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()  # the conversation's

    class Meta:
        verbose_name = _("conversation fact tag")
        verbose_name_plural = _("conversation fact tags")
        constraints = [models.UniqueConstraint(fields=["fact", "tag"], name="fact_tag_once")]
        indexes = [models.Index(fields=["tag", "created_at"], name="fact_tag_created")]

    def __str__(self) -> str:
        return f"{self.fact_id}#{self.tag_id}"


class HourlyRollup(models.Model):
    """A brand's conversation measures per hour they were opened (UTC): the sums of its
    facts and their time histograms (``{"first_response": {bin: count}, …}``). The totals
    and the day/week/month trends of a brand read these (24 rows a day) instead of the
    facts; ``analytics/rollups.py`` rewrites the hours a changed fact leaves or enters."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(_("hour"))
    conversations = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    ever_resolved = models.PositiveIntegerField(default=0)
    fcr = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    sla_met = models.PositiveIntegerField(default=0)
    sla_breached = models.PositiveIntegerField(default=0)
    live = models.PositiveIntegerField(default=0)
    live_answered = models.PositiveIntegerField(default=0)
    asa_sum = models.FloatField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    bot_sessions = models.PositiveIntegerField(default=0)
    bot_resolved = models.PositiveIntegerField(default=0)
    bot_handed = models.PositiveIntegerField(default=0)
    bins = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("hourly rollup")
        verbose_name_plural = _("hourly rollups")
        constraints = [models.UniqueConstraint(fields=["brand", "hour"], name="rollup_brand_hour")]

    def __str__(self) -> str:
        return f"{self.brand_id}@{self.hour:%Y-%m-%dT%H}"
