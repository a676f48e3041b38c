"""Scenarios, role-play sessions with a simulated customer, assignments and culture cards.

Writes go through ``training/services.py`` (scenarios, sessions, assignments) and
``training/culture_services.py`` (culture cards); nothing else writes these tables.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.core.models import Agent, Brand


class Mood(models.TextChoices):
    CALM = "calm", _("calm")
    WORRIED = "worried", _("worried")
    FRUSTRATED = "frustrated", _("frustrated")
    ANGRY = "angry", _("angry")


class Difficulty(models.TextChoices):
    EASY = "easy", _("easy")
    MEDIUM = "medium", _("medium")
    HARD = "hard", _("hard")


class ScenarioSource(models.TextChoices):
    CONVERSATION = "conversation", _("from a conversation")
    AUTHORED = "authored", _("authored")


class Scenario(models.Model):
    """A situation to practise: who the customer is, what happened, how they feel, and what
    a good resolution is. One made from a conversation holds only anonymised text."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="scenarios", verbose_name=_("brand")
    )
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(
        _("source"), max_length=16, choices=ScenarioSource.choices, default=ScenarioSource.AUTHORED
    )
    # the conversation it was made from (kept for the brand's staff; never shown to the
    # trainee, whose view holds only the anonymised text)
    source_conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from conversation"),
    )
    product = models.CharField(_("product"), max_length=200, blank=True)
    market = models.CharField(_("market / culture"), max_length=64, blank=True)  # e.g. "JP"
    language = models.CharField(_("language"), max_length=16, default="en")
    mood = models.CharField(
        _("customer mood"), max_length=12, choices=Mood.choices, default=Mood.FRUSTRATED
    )
    difficulty = models.CharField(
        _("difficulty"), max_length=8, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    # the customer's opening message and the facts the simulated customer knows and tells
    # when asked: {"order": "[number]", "problem": "...", ...}
    opening = models.TextField(_("opening message"))
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    # the anonymised transcript (a list of {"role": "customer"|"agent", "body"}) of a
    # scenario made from a conversation
    transcript = models.JSONField(_("transcript"), default=list, blank=True)
    expected_resolution = models.TextField(_("expected resolution"), blank=True)
    # key points a good answer contains (words or phrases), for the score
    key_points = models.JSONField(_("key points"), default=list, blank=True)
    # the policy actions that apply, e.g. [{"action": "refund", "limit": 50, "currency": "EUR"}]
    policy_limits = models.JSONField(_("policy limits"), default=list, blank=True)
    scorecard_id = models.BigIntegerField(_("scorecard"), null=True, blank=True)
    created_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "archived"])]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.title


class SessionStatus(models.TextChoices):
    ACTIVE = "active", _("in progress")
    FINISHED = "finished", _("finished")


class TrainingSession(models.Model):
    """One trainee's role-play of a scenario."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("scenario")
    )
    trainee = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="training_sessions", verbose_name=_("trainee")
    )
    assignment = models.ForeignKey(
        "training.Assignment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("assignment"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.ACTIVE
    )
    # the simulated customer's state: mood level, facts told, turns, ...
    state = models.JSONField(default=dict, blank=True, editable=False)
    provider = models.CharField(_("simulator"), max_length=16, default="rules")
    score = models.FloatField(_("score"), null=True, blank=True)  # 0–100
    # per criterion: {"empathy": {"score": 0..1, "feedback": "..."}, ...}
    feedback = models.JSONField(_("feedback"), default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["trainee", "started_at"])]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"session #{self.pk}"


class TrainingRole(models.TextChoices):
    TRAINEE = "trainee", _("trainee")
    CUSTOMER = "customer", _("simulated customer")


class TrainingMessage(models.Model):
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("session"),
    )
    role = models.CharField(_("role"), max_length=10, choices=TrainingRole.choices)
    body = models.TextField(_("body"))
    # the simulated customer's mood after this turn, and what the simulator noticed
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("training message")
        verbose_name_plural = _("training messages")

    def __str__(self) -> str:
        return f"{self.role}: {self.body[:40]}"


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("assigned")
    DONE = "done", _("done")


class Assignment(models.Model):
    """A team lead (supervisor) asks a trainee to practise a scenario, e.g. after a review."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("scenario")
    )
    trainee = models.ForeignKey(
        Agent,
        on_delete=models.CASCADE,
        related_name="training_assignments",
        verbose_name=_("trainee"),
    )
    assigned_by = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("assigned by")
    )
    # the quality review that led to it, if any (quality.Review id)
    review_id = models.BigIntegerField(_("after review"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ASSIGNED,
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["trainee", "status"])]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"assignment #{self.pk}"


class CultureCard(models.Model):
    """Short guidance for serving customers of a country or a language, shown to agents
    beside the conversation. A brand's card overrides the built-in one for the same key."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="culture_cards", verbose_name=_("brand")
    )
    country = models.CharField(_("country"), max_length=2, blank=True)  # ISO 3166, "JP"
    language = models.CharField(_("language"), max_length=16, blank=True)  # "ja"
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("guidance"))
    enabled = models.BooleanField(_("shown"), default=True)
    updated_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["country", "language", "id"]
        indexes = [
            models.Index(fields=["brand", "country"]),
            models.Index(fields=["brand", "language"]),
        ]
        verbose_name = _("culture card")
        verbose_name_plural = _("culture cards")

    def __str__(self) -> str:
        return self.title
