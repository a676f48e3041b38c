"""Workforce management: imported volume history, forecasts, rosters and their shifts,
swap and time-off requests.

Writes go through ``wfm/services.py`` (history imports, forecasts), ``wfm/roster_services.py``
(rosters, shifts, publishing) and ``wfm/request_services.py`` (swap and time-off
requests); nothing else writes these tables. A published roster's shifts reach routing
through ``routing.services`` (the agents' dated shifts), not from here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.core.models import Agent, Brand


class VolumeRecord(models.Model):
    """Contacts of one queue (language × channel) in one interval, imported from a CSV
    (``interval_start,queue,contacts,aht_seconds``) — history from before wowdesk, or from
    another system. The brand's own conversations are read from the analytics facts."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    language = models.CharField(_("language"), max_length=16)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    interval_start = models.DateTimeField(_("interval start"))
    interval_minutes = models.PositiveSmallIntegerField(_("interval (minutes)"), default=30)
    contacts = models.FloatField(_("contacts"))
    aht_seconds = models.FloatField(_("handle time (seconds)"), null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True, verbose_name=_("imported at"))

    class Meta:
        ordering = ["brand", "language", "channel", "interval_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "language", "channel", "interval_start"],
                name="wfm_volume_unique_interval",
            )
        ]
        verbose_name = _("volume record")
        verbose_name_plural = _("volume records")

    def __str__(self) -> str:
        return f"{self.language}/{self.channel} {self.interval_start:%Y-%m-%d %H:%M}"


class SpecialDay(models.Model):
    """A planner's day that will not look like the usual one (a sale: 2.0; closed: 0)."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    date = models.DateField(_("date"))
    factor = models.FloatField(_("volume factor"), default=1.0)
    # empty: every queue of the brand
    language = models.CharField(_("language"), max_length=16, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["brand", "date"]
        verbose_name = _("special day")
        verbose_name_plural = _("special days")

    def __str__(self) -> str:
        return f"{self.date} ×{self.factor}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Forecast(models.Model):
    """Contacts per queue and interval for the days from ``first_day``, with the method
    each queue kept by its backtest and the scores."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    first_day = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"), default=7)
    interval_minutes = models.PositiveSmallIntegerField(_("interval (minutes)"), default=30)
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    # per queue: {"de/email": {"method", "wape", "mase", "scores": {...}, "aht_seconds"}}
    queues = models.JSONField(_("queues"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "first_day"])]
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")

    def __str__(self) -> str:
        return f"forecast #{self.pk} from {self.first_day}"


class ForecastValue(models.Model):
    """One queue's forecast in one interval (UTC)."""

    forecast = models.ForeignKey(
        Forecast, on_delete=models.CASCADE, related_name="values", verbose_name=_("forecast")
    )
    language = models.CharField(_("language"), max_length=16)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    interval_start = models.DateTimeField(_("interval start"))
    contacts = models.FloatField(_("contacts"))
    lower = models.FloatField(_("lower"))
    upper = models.FloatField(_("upper"))
    aht_seconds = models.FloatField(_("handle time (seconds)"))

    class Meta:
        ordering = ["forecast", "language", "channel", "interval_start"]
        indexes = [models.Index(fields=["forecast", "interval_start"])]
        verbose_name = _("forecast value")
        verbose_name_plural = _("forecast values")

    def __str__(self) -> str:
        return f"{self.language}/{self.channel} {self.interval_start:%Y-%m-%d %H:%M}"


class RosterStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SOLVING = "solving", _("solving")
    SOLVED = "solved", _("solved")
    FAILED = "failed", _("failed")
    PUBLISHED = "published", _("published")


class Roster(models.Model):
    """A week's roster for a brand's agents, solved in the background."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    week_start = models.DateField(_("week start"))
    interval_minutes = models.PositiveSmallIntegerField(_("interval (minutes)"), default=30)
    forecast = models.ForeignKey(
        Forecast,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rosters",
        verbose_name=_("forecast"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RosterStatus.choices, default=RosterStatus.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0.0)  # 0..1
    # the request as given: requirements, agent ids, rules, time limit
    request = models.JSONField(_("request"), default=dict, blank=True)
    # coverage (short intervals, over hours), hours, lower bound, gap, solver times
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    solved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("solved at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    published_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "week_start"])]
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")

    def __str__(self) -> str:
        return f"roster #{self.pk} week of {self.week_start}"


class RosterShift(models.Model):
    """One agent's shift in a roster, in UTC, with its breaks
    (``[{"start", "end"}]``, ISO datetimes)."""

    roster = models.ForeignKey(
        Roster, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("roster")
    )
    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="+", verbose_name=_("agent")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    breaks = models.JSONField(_("breaks"), default=list, blank=True)
    # the queue (language) the shift mostly covers, for the grid
    language = models.CharField(_("language"), max_length=16, blank=True)

    class Meta:
        ordering = ["roster", "start", "agent"]
        indexes = [
            models.Index(fields=["roster", "agent"]),
            models.Index(fields=["agent", "start"]),
        ]
        verbose_name = _("roster shift")
        verbose_name_plural = _("roster shifts")

    def __str__(self) -> str:
        return f"{self.agent_id} {self.start:%a %H:%M}-{self.end:%H:%M}"


class RequestKind(models.TextChoices):
    SWAP = "swap", _("shift swap")
    TIME_OFF = "time_off", _("time off")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")


class ShiftRequest(models.Model):
    """An agent asks to swap a published shift with a colleague, or for time off; a
    supervisor decides."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="+", verbose_name=_("agent")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    shift = models.ForeignKey(
        RosterShift,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shift"),
    )
    # a swap: the colleague and their shift taken in exchange (none: they take it over)
    other_agent = models.ForeignKey(
        Agent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("colleague"),
    )
    other_shift = models.ForeignKey(
        RosterShift,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("colleague's shift"),
    )
    # time off: the span
    start = models.DateTimeField(_("from"), null=True, blank=True)
    end = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "status"])]
        verbose_name = _("shift request")
        verbose_name_plural = _("shift requests")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
