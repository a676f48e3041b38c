"""Surveys after a resolution, their answers, the follow-ups they open and the WOW wall.

Writes go through ``surveys/services.py`` (settings and surveys), ``answer_services.py``
(answers), ``followup_services.py`` and ``wow_services.py``; nothing else writes these
tables.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wowdesk.core.models import Agent, Brand, Site, Team


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("CSAT (satisfaction, 1–5)")
    NPS = "nps", _("NPS (likelihood to recommend, 0–10)")
    CES = "ces", _("CES (effort, 1–7)")


# The scale of each kind: (lowest, highest).
SCALES: dict[str, tuple[int, int]] = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}


class SurveyStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    SENT = "sent", _("sent")
    ANSWERED = "answered", _("answered")
    EXPIRED = "expired", _("expired")


class SurveyChannel(models.TextChoices):
    CONVERSATION = "conversation", _("the conversation's channel")
    EMAIL = "email", _("email, when the customer has an address")


class WarrantyAction(models.TextChoices):
    TASK = "task", _("a follow-up task")
    OFFER = "offer", _("an offer to the customer")


class SurveySettings(models.Model):
    """What a brand asks after a resolution, and which follow-up rules it runs. The row
    with no inbox is the brand's; a row for an inbox overrides it for that inbox's
    conversations (every field)."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="survey_settings", verbose_name=_("brand")
    )
    inbox = models.ForeignKey(
        "conversations.Inbox",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_settings",
        verbose_name=_("inbox"),
    )
    enabled = models.BooleanField(_("send surveys"), default=True)
    # the kinds asked, in this order: ["csat", "nps"] on a fresh install
    kinds = models.JSONField(_("surveys"), default=list, blank=True)
    delay_minutes = models.PositiveIntegerField(_("delay after resolution (minutes)"), default=60)
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=SurveyChannel.choices,
        default=SurveyChannel.CONVERSATION,
    )
    # at most one survey per customer per N days; 0: after every resolution
    throttle_days = models.PositiveIntegerField(
        _("at most one survey per customer per (days)"), default=0
    )
    expires_days = models.PositiveIntegerField(_("link valid for (days)"), default=14)
    # closing the loop
    followup_detractors = models.BooleanField(_("follow up unhappy answers"), default=True)
    followup_hours = models.PositiveIntegerField(_("follow-up deadline (hours)"), default=48)
    checkin_enabled = models.BooleanField(_("check in after hard cases"), default=True)
    checkin_days = models.PositiveIntegerField(_("check in after (days)"), default=3)
    warranty_enabled = models.BooleanField(_("act before a warranty lapses"), default=False)
    warranty_days_before = models.PositiveIntegerField(
        _("days before the warranty ends"), default=30
    )
    warranty_action = models.CharField(
        _("warranty action"),
        max_length=8,
        choices=WarrantyAction.choices,
        default=WarrantyAction.TASK,
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [
            models.UniqueConstraint(
                fields=["brand"],
                condition=Q(inbox__isnull=True),
                name="survey_settings_one_per_brand",
            ),
            models.UniqueConstraint(
                fields=["brand", "inbox"],
                condition=Q(inbox__isnull=False),
                name="survey_settings_one_per_inbox",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand_id}/{self.inbox_id or '-'}"


class Survey(models.Model):
    """One question (kind) asked of a customer after one resolution of a conversation. The
    fields of the time (agent, team, site, inbox, channel, language, intent) are copied when
    it is scheduled, so later changes to the conversation do not move old answers."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("brand")
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        related_name="surveys",
        verbose_name=_("conversation"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="surveys",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=SurveyKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.SCHEDULED
    )
    # why it expired without an answer: "reopened", "throttled", "no_channel", "timeout", …
    expired_reason = models.CharField(_("why it expired"), max_length=32, blank=True)
    # the resolution it follows (the conversation's resolved_at then)
    resolved_at = models.DateTimeField(_("resolved at"))
    scheduled_for = models.DateTimeField(_("scheduled for"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # the outbound message that carried the link (null until sent)
    message = models.ForeignKey(
        "conversations.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    # of the time
    language = models.CharField(_("language"), max_length=16, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    inbox = models.ForeignKey(
        "conversations.Inbox",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inbox"),
    )
    agent = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    intent = models.CharField(_("intent"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="survey_due"),
            models.Index(fields=["status", "expires_at"], name="survey_expiry"),
            models.Index(fields=["customer", "created_at"], name="survey_customer"),
            # the reports' response rate: sent and answered per period (covering)
            models.Index(fields=["brand", "sent_at", "status"], name="survey_brand_sent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "kind", "resolved_at"], name="survey_once_per_resolution"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class SurveyResponse(models.Model):
    """The customer's answer to one survey: the score, the optional why, and the survey's
    fields of the time copied again so the reports read one table."""

    survey = models.OneToOneField(
        Survey, on_delete=models.CASCADE, related_name="response", verbose_name=_("survey")
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="survey_responses", verbose_name=_("brand")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=SurveyKind.choices)
    score = models.SmallIntegerField(_("score"))
    comment = models.TextField(_("why"), blank=True)
    comment_language = models.CharField(_("language of the why"), max_length=16, blank=True)
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        related_name="survey_responses",
        verbose_name=_("conversation"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="survey_responses",
        verbose_name=_("customer"),
    )
    agent = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    inbox = models.ForeignKey(
        "conversations.Inbox",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inbox"),
    )
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    intent = models.CharField(_("intent"), max_length=100, blank=True)
    answered_at = models.DateTimeField(_("answered at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["brand", "answered_at"], name="response_brand_time"),
            models.Index(fields=["brand", "kind", "answered_at"], name="response_kind_time"),
            models.Index(fields=["agent", "answered_at"], name="response_agent_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.score}"


class FollowUpKind(models.TextChoices):
    DETRACTOR = "detractor", _("unhappy answer")
    CHECKIN = "checkin", _("check-in after a hard case")
    WARRANTY = "warranty", _("warranty about to lapse")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")


class FollowUp(models.Model):
    """A task for a person: call back an unhappy customer, check that a fix worked, act
    before a warranty lapses."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="followups", verbose_name=_("brand")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FollowUpKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("conversation"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("customer"),
    )
    response = models.ForeignKey(
        SurveyResponse,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("survey response"),
    )
    purchase = models.ForeignKey(
        "customers.Purchase",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("purchase"),
    )
    assignee = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    due_at = models.DateTimeField(_("due"))
    reason = models.TextField(_("reason"), blank=True)  # the why, or what made it
    outcome = models.TextField(_("outcome"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    overdue_alerted_at = models.DateTimeField(_("overdue alert sent"), null=True, blank=True)
    # the check-in or warranty offer message was sent to the customer
    message_sent_at = models.DateTimeField(_("message sent"), null=True, blank=True)
    # what made it, as values (shown in the reader's language): a check-in's criteria
    # ["reopened", "long", "angry"], a warranty's product and end date
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["brand", "status", "due_at"], name="followup_open"),
            models.Index(fields=["assignee", "status"], name="followup_assignee"),
            models.Index(fields=["conversation", "kind"], name="followup_conversation"),
            models.Index(fields=["status", "due_at"], name="followup_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["response"],
                condition=Q(response__isnull=False),
                name="followup_once_per_response",
            ),
            models.UniqueConstraint(
                fields=["purchase", "kind"],
                condition=Q(purchase__isnull=False),
                name="followup_once_per_purchase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class WowSource(models.TextChoices):
    NOMINATION = "nomination", _("nominated")
    PROMOTER = "promoter", _("a promoter's words")


class WowStory(models.Model):
    """A story told on the WOW wall: a conversation an agent or supervisor nominated, or a
    promoter's comment."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="wow_stories", verbose_name=_("brand")
    )
    source = models.CharField(_("source"), max_length=16, choices=WowSource.choices)
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wow_stories",
        verbose_name=_("conversation"),
    )
    response = models.OneToOneField(
        SurveyResponse,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wow_story",
        verbose_name=_("survey response"),
    )
    # the agent the story is about (the conversation's agent of the time)
    agent = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wow_stories",
        verbose_name=_("agent"),
    )
    story = models.TextField(_("story"))
    language = models.CharField(_("language"), max_length=16, blank=True)
    nominated_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("WOW story")
        verbose_name_plural = _("WOW stories")
        indexes = [models.Index(fields=["brand", "hidden", "created_at"], name="wow_wall")]

    def __str__(self) -> str:
        return f"WOW #{self.pk}"
