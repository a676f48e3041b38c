"""Notifications: what an agent should know happened, and how each agent wants to hear it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to me")
    MENTIONED = "mentioned", _("Mentioned in a note")
    CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
    SLA_WARNING = "sla_warning", _("SLA about to breach")
    APPROVAL_NEEDED = "approval_needed", _("Approval needed")
    FOLLOWUP_OVERDUE = "followup_overdue", _("Follow-up overdue")
    APPROVAL_DECIDED = "approval_decided", _("Approval decided")
    ABUSE_REPORTED = "abuse_reported", _("Abuse reported")
    REVIEW_RECEIVED = "review_received", _("Quality review received")
    TRAINING_ASSIGNED = "training_assigned", _("Training assigned")


class Notification(models.Model):
    """One thing one agent should know. Repeats of a kind on one conversation while it is
    unread are one row with a ``count`` (``services.deliver``); ``updated_at`` is the last."""

    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="+", verbose_name=_("agent")
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conversation"),
    )
    actor = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # What the title is made of, in the reader's language when shown (``present.title``):
    # number, subject, actor name, SLA target, what needs approval …
    params = models.JSONField(_("title parameters"), default=dict, blank=True)
    count = models.PositiveIntegerField(_("count"), default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["agent", "-updated_at", "-id"], name="notif_agent_recent"),
            models.Index(
                fields=["agent", "kind", "conversation"],
                condition=models.Q(read_at__isnull=True),
                name="notif_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.agent_id}"


class Preference(models.Model):
    """How one agent wants to hear of things. No row: every kind in the app, no desktop
    notification, no sound."""

    agent = models.OneToOneField(
        Agent, on_delete=models.CASCADE, related_name="+", verbose_name=_("agent")
    )
    # kind → False for the kinds the agent turned off (absent: on)
    in_app = models.JSONField(_("kinds shown"), default=dict, blank=True)
    desktop = models.BooleanField(_("desktop notifications"), default=False)
    sound = models.BooleanField(_("sound"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"preferences of {self.agent_id}"

    def wants(self, kind: str) -> bool:
        return bool(self.in_app.get(kind, True))
