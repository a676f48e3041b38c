"""CRM: customers, their identities on every channel, organizations and purchases."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.core.models import Brand


class Organization(models.Model):
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="organizations", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="org_unique_name_per_brand")
        ]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class VipTier(models.TextChoices):
    NONE = "", _("None")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class Restriction(models.TextChoices):
    """What a supervisor decided about an abusive customer (``policies``); empty: none."""

    NONE = "", _("none")
    WARNED = "warned", _("warned")
    RESTRICTED = "restricted", _("restricted to one channel")
    BLOCKED = "blocked", _("relationship ended")


class Customer(models.Model):
    """One person, however many ways they reach the brand."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="customers", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("organization"),
    )
    language = models.CharField(_("language"), max_length=16, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    vip_tier = models.CharField(
        _("VIP tier"), max_length=16, choices=VipTier.choices, blank=True, default=""
    )
    notes = models.TextField(_("notes"), blank=True)
    # The brand's custom fields for customers, key -> value (core/fields.py checks them).
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Set when this record was merged into another one; it then stays only as a tombstone.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    # A supervisor's decision about abuse (customers.services.set_restriction): messages on
    # another channel than ``restriction_channel`` (restricted) or any message (blocked) get
    # a courteous template, are stored, and are not routed to agents.
    restriction = models.CharField(
        _("restriction"), max_length=12, choices=Restriction.choices, blank=True, default=""
    )
    restriction_channel = models.CharField(_("allowed channel"), max_length=16, blank=True)
    restriction_reason = models.CharField(_("reason"), max_length=500, blank=True)
    restricted_by = models.ForeignKey(
        "core.Agent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restricted by"),
    )
    restricted_at = models.DateTimeField(_("restricted at"), null=True, blank=True)
    # Set when the customer's personal data was erased (the right to be forgotten): the row
    # stays, nameless, so that counts stay right.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["brand", "name"]), models.Index(fields=["brand", "email"])]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name or self.email or self.phone or f"#{self.pk}"


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat visitor")
    SOCIAL = "social", _("Social handle")
    EXTERNAL = "external", _("External id")


class Identity(models.Model):
    """One channel address of a customer, unique per brand and kind."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="identities", verbose_name=_("brand")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="identities", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IdentityKind.choices)
    value = models.CharField(_("value"), max_length=320)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "kind", "value"], name="identity_unique_per_brand"
            )
        ]
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Purchase(models.Model):
    """A product the customer bought or owns (a device), with its warranty."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="purchases", verbose_name=_("brand")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="purchases", verbose_name=_("customer")
    )
    product = models.CharField(_("product"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    order_ref = models.CharField(_("order reference"), max_length=100, blank=True)
    purchased_on = models.DateField(_("purchased on"), null=True, blank=True)
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    external_id = models.CharField(max_length=100, blank=True, verbose_name=_("external id"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-purchased_on", "-id"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")

    def __str__(self) -> str:
        return self.product
