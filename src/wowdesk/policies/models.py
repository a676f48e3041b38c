"""What an agent may grant on the spot, the grants made, the approvals above a limit, and
the abuse reports a supervisor decides.

Writes go through ``policies/services.py`` (policies, grants, approvals) and
``policies/abuse_services.py`` (abuse reports); a customer's restriction itself lives on
the customer (``customers.services.set_restriction``). Nothing else writes these tables.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.core.models import Agent, Brand, Role, Team


class GrantAction(models.TextChoices):
    """The built-in actions; a brand may add custom ones (any other slug)."""

    REFUND = "refund", _("Refund")
    REPLACEMENT = "replacement", _("Replacement")
    SHIPPING_UPGRADE = "shipping_upgrade", _("Shipping upgrade")
    ONSITE_REPAIR = "onsite_repair", _("On-site repair")
    WARRANTY_EXTENSION = "warranty_extension", _("Warranty extension")
    GOODWILL_CREDIT = "goodwill_credit", _("Goodwill credit")


class PolicyUnit(models.TextChoices):
    """What a policy's ``limit`` counts: money (with a currency), hours, months, items."""

    MONEY = "money", _("amount of money")
    HOURS = "hours", _("hours")
    MONTHS = "months", _("months")
    ITEMS = "items", _("items")


class Policy(models.Model):
    """One line of a brand's table: ``role`` (with at least ``min_tenure_months`` of tenure)
    may grant ``action`` on the spot up to ``limit`` (in ``currency`` for money; no limit:
    any amount). Lines for the same action and role with different tenures stack: the
    agent gets the line with the highest tenure they have reached. ``monthly_budget``
    (optional, same unit) caps the total an agent — or a team, when ``team`` is set — may
    grant on the spot in a calendar month; above it, grants need an approval."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="policies", verbose_name=_("brand")
    )
    action = models.SlugField(_("action"), max_length=60)
    label = models.CharField(_("label"), max_length=120, blank=True)  # for custom actions
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    min_tenure_months = models.PositiveIntegerField(_("minimum tenure (months)"), default=0)
    limit = models.DecimalField(_("limit"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(
        _("unit"), max_length=8, choices=PolicyUnit.choices, default=PolicyUnit.MONEY
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    monthly_budget = models.DecimalField(
        _("monthly budget"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team (for the budget)"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["brand", "action", "role", "min_tenure_months", "currency"]
        indexes = [models.Index(fields=["brand", "action"])]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return f"{self.action} / {self.role}"


class GrantStatus(models.TextChoices):
    GRANTED = "granted", _("granted")
    PENDING_APPROVAL = "pending_approval", _("pending approval")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")


class Grant(models.Model):
    """Something an agent granted a customer in a conversation (or asked to grant)."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="grants", verbose_name=_("brand")
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name=_("conversation"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("customer"),
    )
    agent = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        related_name="grants",
        verbose_name=_("agent"),
    )
    # the agent's team and the policy line that applied, as they were at the time
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    policy = models.ForeignKey(
        Policy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("policy"),
    )
    action = models.SlugField(_("action"), max_length=60)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    details = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=GrantStatus.choices, default=GrantStatus.GRANTED
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["brand", "created_at"]),
            models.Index(fields=["agent", "created_at"]),
            models.Index(fields=["conversation"]),
        ]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")


class Approval(models.Model):
    """A request to a supervisor for a grant above the agent's limit or budget."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("brand")
    )
    grant = models.OneToOneField(
        Grant, on_delete=models.CASCADE, related_name="approval", verbose_name=_("grant")
    )
    requested_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    # why it needs an approval: "limit", "budget", "no_policy"
    why = models.CharField(_("why"), max_length=16, blank=True)
    due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "status", "due_at"])]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"approval #{self.pk}"


class PolicySettings(models.Model):
    """A brand's settings for grants and abuse: the approval deadline, the templates."""

    brand = models.OneToOneField(
        Brand, on_delete=models.CASCADE, related_name="policy_settings", verbose_name=_("brand")
    )
    approval_sla_minutes = models.PositiveIntegerField(
        _("decide approvals within (minutes)"), default=60
    )
    # the courteous texts per level and language, {"warned": {"en": "..."}, ...}; empty: the
    # built-in texts
    abuse_templates = models.JSONField(_("abuse templates"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("policy settings")
        verbose_name_plural = _("policy settings")

    def __str__(self) -> str:
        return f"policy settings of brand {self.brand_id}"


class AbuseStatus(models.TextChoices):
    OPEN = "open", _("open")
    DECIDED = "decided", _("decided")
    DISMISSED = "dismissed", _("dismissed")


class AbuseReport(models.Model):
    """An agent's flag of abuse by a customer, with the messages as evidence; a supervisor
    decides (warn, restrict, block, or dismiss)."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="abuse_reports", verbose_name=_("brand")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="abuse_reports",
        verbose_name=_("customer"),
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conversation"),
    )
    message_ids = models.JSONField(_("evidence (message ids)"), default=list, blank=True)
    reported_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AbuseStatus.choices, default=AbuseStatus.OPEN
    )
    decision = models.CharField(_("decision"), max_length=12, blank=True)
    decided_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "status"])]
        verbose_name = _("abuse report")
        verbose_name_plural = _("abuse reports")

    def __str__(self) -> str:
        return f"abuse report #{self.pk}"
