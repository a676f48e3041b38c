"""SLA policies and each conversation's SLA clock."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.conversations.models import Channel, Conversation, Priority
from wowdesk.core.models import Agent, Brand, Site


class SlaPolicy(models.Model):
    """Targets for a brand, optionally only for one priority and/or channel.

    The most specific active policy applies (priority and channel both matching beats one
    matching beats neither); ties go to the lower ``position``.
    """

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="sla_policies", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=200)
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    next_response_minutes = models.PositiveIntegerField(
        _("next response (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"), null=True, blank=True
    )
    business_hours = models.BooleanField(
        _("count business hours only"),
        default=True,
        help_text=_("Count only the opening hours of the handling site, without holidays."),
    )
    warn_at = models.FloatField(_("warn at (fraction of the target)"), default=0.75)
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["brand", "position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaState(models.TextChoices):
    OK = "ok", _("On track")
    WARNING = "warning", _("Breach soon")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")
    NONE = "none", _("No target")


class ConversationSla(models.Model):
    """The running SLA clock of one conversation (one row per conversation)."""

    conversation = models.OneToOneField(
        Conversation,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="sla",
        verbose_name=_("conversation"),
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("policy")
    )
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("site")
    )
    # The target currently running and when it falls due (None: nothing running).
    target = models.CharField(
        max_length=16, choices=SlaTarget.choices, blank=True, verbose_name=_("target")
    )
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    due_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("due at"))
    warn_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("warn at"))
    paused_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paused at"))
    paused_seconds = models.FloatField(default=0, verbose_name=_("paused seconds"))
    state = models.CharField(
        max_length=16, choices=SlaState.choices, default=SlaState.NONE, verbose_name=_("state")
    )
    resolution_due_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("resolution due at")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        indexes = [models.Index(fields=["state", "due_at"])]
        verbose_name = _("conversation SLA")
        verbose_name_plural = _("conversation SLAs")

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.get_target_display()} {self.get_state_display()}"


class SlaEventKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")
    MET = "met", _("Met")


class SlaEvent(models.Model):
    """What happened to each target, for reports (attainment by team, site, channel…)."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="sla_events",
        verbose_name=_("conversation"),
    )
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("policy")
    )
    target = models.CharField(max_length=16, choices=SlaTarget.choices, verbose_name=_("target"))
    kind = models.CharField(max_length=16, choices=SlaEventKind.choices, verbose_name=_("kind"))
    due_at = models.DateTimeField(verbose_name=_("due at"))
    at = models.DateTimeField(db_index=True, verbose_name=_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")

    def __str__(self) -> str:
        return f"{self.conversation_id} {self.get_target_display()} {self.get_kind_display()}"


class RoutingSettings(models.Model):
    """Per-brand routing choices."""

    brand = models.OneToOneField(
        Brand, on_delete=models.CASCADE, related_name="routing", verbose_name=_("brand")
    )
    strategy = models.CharField(
        max_length=16,
        choices=[
            ("least_loaded", _("Least loaded, then longest idle")),
            ("round_robin", _("Round robin")),
        ],
        default="least_loaded",
        verbose_name=_("strategy"),
    )
    last_agent_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("last agent id"))
    auto_assign = models.BooleanField(_("assign automatically"), default=True)
    # Minutes without input in any workspace tab before an agent is away; empty: the
    # server's WOWDESK_AWAY_AFTER_MINUTES. An agent of several brands: the shortest.
    away_after_minutes = models.PositiveSmallIntegerField(
        _("away after idle minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
    )

    class Meta:
        verbose_name = _("routing settings")
        verbose_name_plural = _("routing settings")

    def __str__(self) -> str:
        return _("routing of %(brand)s") % {"brand": self.brand}


class PresenceSpan(models.Model):
    """How long an agent was in one presence (online, away, offline): the record that
    real-time adherence compares with the schedule. The open span has no end."""

    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="+", verbose_name=_("agent")
    )
    presence = models.CharField(_("presence"), max_length=16)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)

    class Meta:
        ordering = ["agent", "start"]
        indexes = [models.Index(fields=["agent", "start"]), models.Index(fields=["start"])]
        verbose_name = _("presence span")
        verbose_name_plural = _("presence spans")

    def __str__(self) -> str:
        return f"{self.agent_id} {self.presence} from {self.start:%Y-%m-%d %H:%M}"
