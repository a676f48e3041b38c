"""Tenancy and people: brands, sites, agents, teams, API tokens and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Brand(models.Model):
    """A tenant. An outsourcing center serves several brands; every row belongs to one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    default_language = models.CharField(_("default language"), max_length=16, default="en")
    support_email = models.EmailField(_("support email"), blank=True)
    # Next display number for a conversation; bumped with an UPDATE inside the
    # transaction that creates the conversation (row lock on PostgreSQL, write lock on SQLite).
    conversation_seq = models.PositiveBigIntegerField(
        default=0, editable=False, verbose_name=_("conversation seq")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A contact center location with its own time zone."""

    name = models.CharField(_("name"), max_length=200)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    country = models.CharField(_("country"), max_length=2, blank=True)
    # Holidays of this subdivision (e.g. "BE" for Berlin) also close the site.
    subdivision = models.CharField(_("subdivision"), max_length=8, blank=True)
    # Opening hours per weekday in the site's zone, e.g. {"mon": [["08:00", "18:00"]]};
    # empty = open around the clock. SLA business time is counted in these hours.
    hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    # Extra dates ("2026-12-24") the site is closed on, besides the public holidays.
    closed_dates = models.JSONField(_("closed dates"), default=list, blank=True)
    brands = models.ManyToManyField(
        Brand, related_name="sites", blank=True, verbose_name=_("brands")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


ROLE_RANK = {Role.AGENT: 0, Role.SUPERVISOR: 1, Role.ADMIN: 2}


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Agent(models.Model):
    """A person who works conversations: a Django user plus help-desk attributes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent",
        verbose_name=_("user"),
    )
    brands = models.ManyToManyField(
        Brand, related_name="agents", through="core.Membership", verbose_name=_("brands")
    )
    # The highest of the agent's roles in their brands (core.services.sync_role keeps it):
    # who gets the Django admin at all, and what the CLI prints. Rules about a brand's
    # rows ask for the role in that brand (permissions.role_in).
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    display_name = models.CharField(_("display name"), max_length=200)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agents",
        verbose_name=_("site"),
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    capacity = models.PositiveIntegerField(_("capacity"), default=10)
    # Levels 1..5 per language code (missing = 3, fluent); `languages` stays the plain list.
    language_levels = models.JSONField(_("language levels"), default=dict, blank=True)
    # Open conversations allowed per channel, e.g. {"chat": 3, "email": 10}; channels not
    # listed share `capacity`.
    channel_capacity = models.JSONField(_("capacity per channel"), default=dict, blank=True)
    # Weekly shifts in the agent's own time zone, e.g. ["mon-fri 08:00-16:00"].
    shifts = models.JSONField(_("shifts"), default=list, blank=True)
    # Dated shifts of published rosters, which decide "on shift" inside their windows
    # instead of ``shifts`` (routing.services.publish_schedule writes it; routing.shifts
    # reads it): {"windows": [[start, end]], "shifts": [[start, end, [[b0, b1], …]]]},
    # ISO datetimes in UTC.
    schedule = models.JSONField(_("published schedule"), default=dict, blank=True, editable=False)
    presence = models.CharField(
        _("presence"), max_length=16, choices=Presence.choices, default=Presence.OFFLINE
    )
    presence_changed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("presence changed at")
    )
    # Set by the system (idle → away, last tab closed → offline), not by the person: the
    # next activity or tab puts them back online; a state the person chose stays.
    presence_auto = models.BooleanField(default=False, editable=False)
    # Supervisors and administrators are routed conversations only when they opt in;
    # agents always are.
    routing_opt_in = models.BooleanField(_("routed conversations"), default=False)
    last_assigned_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("last assigned at")
    )
    ui_language = models.CharField(_("UI language"), max_length=16, default="en")
    # The workspace's colours: "light", "dark", or "system" (the browser's preference).
    ui_theme = models.CharField(_("UI theme"), max_length=8, default="system")
    is_active = models.BooleanField(_("active"), default=True)
    # when the agent started (tenure: what they may grant on the spot); empty: created_at
    hired_on = models.DateField(_("started on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    @property
    def email(self) -> str:
        return str(self.user.email)

    def has_role(self, role: str) -> bool:
        """Whether the agent has at least ``role`` in some brand (the highest role)."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    @property
    def routable(self) -> bool:
        """Whether routing may give this person conversations (agents always;
        supervisors and administrators only with ``routing_opt_in``)."""
        return self.role == Role.AGENT or self.routing_opt_in


class Membership(models.Model):
    """An agent works for a brand with a role in that brand: admin in one brand and agent
    in another is two memberships."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="memberships")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)

    class Meta:
        # The table the plain many-to-many had, with a role column added.
        db_table = "core_agent_brands"
        unique_together = [("agent", "brand")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.agent} @ {self.brand}: {self.role}"


class Team(models.Model):
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="teams", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        Agent, related_name="teams", blank=True, verbose_name=_("members")
    )
    # Skills every agent must have to take this team's conversations, e.g. ["product:lamps"].
    required_skills = models.JSONField(_("required skills"), default=list, blank=True)
    # the team lead: gets the follow-ups of the team's unhappy customers
    lead = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teams_led",
        verbose_name=_("team lead"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="team_unique_name_per_brand")
        ]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the plain token is shown once."""

    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("agent")
    )
    name = models.CharField(_("name"), max_length=100, default="cli")
    prefix = models.CharField(max_length=12, db_index=True, verbose_name=_("prefix"))
    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("token hash"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.agent})"


class AuditLog(models.Model):
    """Who changed what, when, with the values before and after."""

    brand = models.ForeignKey(
        Brand,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("brand"),
    )
    actor = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("actor"),
    )
    action = models.CharField(max_length=64, verbose_name=_("action"))
    object_type = models.CharField(max_length=64, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, verbose_name=_("object id"))
    before = models.JSONField(default=dict, blank=True, verbose_name=_("before"))
    after = models.JSONField(default=dict, blank=True, verbose_name=_("after"))
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        from wowdesk.core.audit import object_type_label

        return f"{self.action} {object_type_label(self.object_type)} #{self.object_id}"


class AlertKind(models.TextChoices):
    MOOD_DROP = "mood_drop", _("Mood dropped sharply")
    SLA_WARNING = "sla_warning", _("SLA breach soon")
    SLA_BREACH = "sla_breach", _("SLA breached")
    UNROUTABLE = "unroutable", _("Nobody can take it")
    DELIVERY_FAILED = "delivery_failed", _("Reply not delivered")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook disabled")
    FOLLOWUP_OVERDUE = "followup_overdue", _("Follow-up overdue")
    APPROVAL_OVERDUE = "approval_overdue", _("Approval waiting too long")
    ABUSE_REPORTED = "abuse_reported", _("Abuse reported")


class Alert(models.Model):
    """Something a supervisor should look at now."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("brand")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=AlertKind.choices)
    # Loose reference: alerts outlive nothing and must not block deletes elsewhere.
    conversation_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, verbose_name=_("conversation id")
    )
    message_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("message id"))
    text = models.CharField(_("text"), max_length=500)
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    acknowledged_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "acknowledged_at", "-created_at"])]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        from wowdesk.core.alerts import message

        return f"{self.get_kind_display()}: {message(self)}"


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    DROPDOWN = "dropdown", _("Dropdown")
    MULTISELECT = "multiselect", _("Multiselect")
    CHECKBOX = "checkbox", _("Checkbox")


class FieldTarget(models.TextChoices):
    CONVERSATION = "conversation", _("Conversation")
    CUSTOMER = "customer", _("Customer")


class CustomField(models.Model):
    """A field a brand adds to its conversations or customers; the values live in their
    ``custom_fields`` JSON column, checked by ``core.custom_fields`` (core/fields.py)."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="custom_fields", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(_("key"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=FieldKind.choices)
    options = models.JSONField(_("options"), default=list, blank=True)
    applies_to = models.CharField(_("applies to"), max_length=16, choices=FieldTarget.choices)
    required_on_resolve = models.BooleanField(_("required to resolve"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "applies_to", "key"], name="custom_field_unique_key"
            )
        ]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return self.name
