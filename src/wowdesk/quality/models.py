"""Scorecards, reviews, their replies and calibration sessions.

``quality/services.py`` is the only writer of these tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand


class CriterionKind(models.TextChoices):
    YES_NO_NA = "yes_no_na", _("Yes / no / not applicable")
    SCALE_1_5 = "scale_1_5", _("Scale 1–5")


class Scorecard(models.Model):
    """What a review scores: a list of criteria, each ``{"key", "label", "weight", "kind",
    "description"}`` (``quality.scoring.Criterion``). Handle time is never a criterion."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    criteria = models.JSONField(_("criteria"), default=list)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="scorecard_brand_name")
        ]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return self.name


class CalibrationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CalibrationSession(models.Model):
    """Several reviewers score the same conversation blind; the session compares them."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="+", verbose_name=_("conversation")
    )
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.PROTECT, related_name="+", verbose_name=_("scorecard")
    )
    reviewers = models.ManyToManyField(Agent, related_name="+", verbose_name=_("reviewers"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=CalibrationStatus.choices,
        default=CalibrationStatus.OPEN,
    )
    created_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "-created_at"], name="calib_brand_created")]
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")

    def __str__(self) -> str:
        return f"calibration {self.pk}"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHARED = "shared", _("Shared")


class Review(models.Model):
    """One reviewer's scores of one conversation. ``agent`` is the conversation's assignee
    at review time; ``score`` (0–100) is computed by ``quality.scoring`` from ``scores``
    with N/A left out of the weights. The queue's pre-score is never stored here."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="+", verbose_name=_("conversation")
    )
    agent = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent reviewed"),
    )
    reviewer = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.PROTECT, related_name="+", verbose_name=_("scorecard")
    )
    calibration = models.ForeignKey(
        CalibrationSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("calibration session"),
    )
    scores = models.JSONField(_("scores"), default=dict)
    score = models.FloatField(_("score"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    shared_at = models.DateTimeField(_("shared at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["brand", "-created_at", "-id"], name="review_brand_created"),
            models.Index(fields=["agent", "-created_at", "-id"], name="review_agent_created"),
            models.Index(fields=["conversation"], name="review_conversation"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["calibration", "reviewer"],
                condition=models.Q(calibration__isnull=False),
                name="review_one_per_calibration_reviewer",
            )
        ]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"review {self.pk}"


class ReviewComment(models.Model):
    """The reviewed agent's replies to a review and the reviewer's answers."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="comments", verbose_name=_("review")
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    author = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return f"comment {self.pk}"
