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
            # by agent; and covering the occupancy's handled time (no table read per fact)
            models.Index(
                fields=["agent", "created_at", "brand", "handle_s"], name="fact_agent_handle"
            ),
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


class Topic(models.Model):
    """A topic of the voice of the customer: a cluster of customers' first messages and
    survey whys over a recent window, with its label and measures. Written by
    ``analytics/topics_services.py`` only. A topic found again in a later run keeps its row
    (matched on its centroid); one not found again is kept with ``active`` off."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="topics", verbose_name=_("brand")
    )
    label = models.CharField(_("label"), max_length=200)
    terms = models.JSONField(_("top terms"), default=list, blank=True)
    example = models.TextField(_("example"), blank=True)
    example_conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("example conversation"),
    )
    # the unit centroid of the members' embeddings (512 numbers), to match the next run
    centroid = models.JSONField(_("centroid"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    size = models.PositiveIntegerField(_("texts"), default=0)
    conversations = models.PositiveIntegerField(_("conversations"), default=0)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    # texts per 7-day bucket of the window, oldest first; the last is the past 7 days
    weekly = models.JSONField(_("volume per week"), default=list, blank=True)
    week_change = models.FloatField(_("week-over-week change (%)"), null=True, blank=True)
    nps = models.FloatField(_("NPS"), null=True, blank=True)
    nps_responses = models.PositiveIntegerField(_("NPS answers"), default=0)
    detractors = models.PositiveIntegerField(_("detractors"), default=0)
    csat = models.FloatField(_("CSAT"), null=True, blank=True)
    csat_responses = models.PositiveIntegerField(_("CSAT answers"), default=0)
    sentiment = models.FloatField(_("mean emotion"), null=True, blank=True)
    languages = models.JSONField(_("languages"), default=dict, blank=True)
    # drivers of detractors: share among detractors ÷ share among all NPS answers
    lift = models.FloatField(_("lift among detractors"), null=True, blank=True)
    is_driver = models.BooleanField(_("drives detractors"), default=False)
    window_start = models.DateTimeField(_("window start"), null=True, blank=True)
    window_end = models.DateTimeField(_("window end"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [models.Index(fields=["brand", "active", "-size"], name="topic_brand_active")]

    def __str__(self) -> str:
        return self.label


class TopicMemberKind(models.TextChoices):
    MESSAGE = "message", _("first message")
    COMMENT = "comment", _("survey why")


class TopicMember(models.Model):
    """One text of a topic's last run: a conversation's first customer message or a survey
    response's why."""

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="members", verbose_name=_("topic")
    )
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=TopicMemberKind.choices)
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        related_name="topic_members",
        verbose_name=_("conversation"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("customer"),
    )
    response = models.ForeignKey(
        "surveys.SurveyResponse",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey response"),
    )
    text = models.CharField(_("text"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    similarity = models.FloatField(_("similarity to the centroid"), default=0.0)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("topic member")
        verbose_name_plural = _("topic members")
        indexes = [
            models.Index(fields=["topic", "-at", "-id"], name="topic_member_time"),
            models.Index(fields=["brand", "conversation"], name="topic_member_conv"),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.conversation_id}"


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
    # facts whose standing resolution falls in this hour (the later of their creation and
    # resolution): the backlog at a whole hour is the conversations opened before it minus
    # those closed before it
    closed = models.PositiveIntegerField(default=0)
    bins = models.JSONField(default=dict)
    # the same counts, compact for reading many hours at once: little-endian int32 pairs
    # (code, count), code = the time's index in ``rollups.BIN_COLUMNS`` × 4096 + the bin
    # (``rollups.pack_bins``); summed with numpy by ``analytics.services``
    histogram = models.BinaryField(default=b"")

    class Meta:
        verbose_name = _("hourly rollup")
        verbose_name_plural = _("hourly rollups")
        constraints = [models.UniqueConstraint(fields=["brand", "hour"], name="rollup_brand_hour")]

    def __str__(self) -> str:
        return f"{self.brand_id}@{self.hour:%Y-%m-%dT%H}"
