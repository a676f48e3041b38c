"""The ingest pipeline's own records: every inbound item stored first (the outbox of
replies is the conversations app's, ``conversations.models.OutboxMessage``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.conversations.models import Channel, Message
from wowdesk.core.models import Brand


class EnvelopeStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected")


class InboundEnvelope(models.Model):
    """An inbound item exactly as it arrived, stored before anything else happens.

    ``(brand, channel, external_id)`` is unique: the same item delivered twice is stored
    once and answered with the same ids.
    """

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="envelopes", verbose_name=_("brand")
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, verbose_name=_("channel"))
    external_id = models.CharField(max_length=400, verbose_name=_("external id"))
    payload = models.JSONField(verbose_name=_("payload"))
    status = models.CharField(
        max_length=16,
        choices=EnvelopeStatus.choices,
        default=EnvelopeStatus.RECEIVED,
        verbose_name=_("status"),
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    conversation_id_cache = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("conversation id cache")
    )
    received_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("received at")
    )
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "channel", "external_id"], name="envelope_idempotency"
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"])]
        verbose_name = _("inbound envelope")
        verbose_name_plural = _("inbound envelopes")

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id} ({self.status})"


from wowdesk.channels.email.models import EmailMailbox, RawMail  # noqa: E402, F401
