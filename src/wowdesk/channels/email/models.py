"""The email channel's own records: every mail as it arrived (raw, spooled to disk before
anything else) and the IMAP mailboxes that are polled.

These belong to the ingest app (label ``ingest``); ``wowdesk.channels.models`` imports them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.conversations.models import Inbox, Message
from wowdesk.core.models import Brand
from wowdesk.core.vault import EncryptedTextField


class MailSecurity(models.TextChoices):
    NONE = "none", _("None")
    STARTTLS = "starttls", _("STARTTLS")
    SSL = "ssl", _("SSL/TLS")


class EmailMailbox(models.Model):
    """An IMAP mailbox whose new mail lands in an email inbox (polled, or IDLE when the
    server offers it). One poller at a time holds the lease."""

    inbox = models.ForeignKey(
        Inbox, on_delete=models.CASCADE, related_name="mailboxes", verbose_name=_("inbox")
    )
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    security = models.CharField(
        _("security"), max_length=16, choices=MailSecurity.choices, default=MailSecurity.SSL
    )
    username = models.CharField(_("user name"), max_length=320)
    # Sealed at rest (core/vault.py); the admin never shows it again after saving.
    password = EncryptedTextField(_("password"), blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    poll_interval = models.PositiveIntegerField(_("seconds between polls"), default=60)
    is_active = models.BooleanField(_("active"), default=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True, verbose_name=_("uidvalidity"))
    last_uid = models.BigIntegerField(default=0, verbose_name=_("last uid"))
    last_checked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last checked at"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    lease_owner = models.CharField(max_length=64, blank=True, verbose_name=_("lease owner"))
    lease_until = models.DateTimeField(null=True, blank=True, verbose_name=_("lease until"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("IMAP mailbox")
        verbose_name_plural = _("IMAP mailboxes")

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"


class RawMailStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    INGESTED = "ingested", _("Ingested")
    IGNORED = "ignored", _("Not answered (automatic mail)")
    BOUNCE = "bounce", _("Bounce recorded")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed, will retry")


class RawMail(models.Model):
    """One mail exactly as it arrived. The bytes are written to the spool (under the data
    dir) and this row committed before the mail is parsed; whatever happens next is
    written back here with the reason, for an admin to see."""

    brand = models.ForeignKey(
        Brand,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("brand"),
    )
    inbox = models.ForeignKey(
        Inbox,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inbox"),
    )
    mailbox = models.ForeignKey(
        EmailMailbox,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("mailbox"),
    )
    source = models.CharField(max_length=8, verbose_name=_("source"))  # "smtp" or "imap"
    mail_from = models.CharField(_("envelope sender"), max_length=400, blank=True)
    rcpt_to = models.JSONField(_("envelope recipients"), default=list, blank=True)
    spool_path = models.CharField(max_length=300, blank=True, verbose_name=_("spool path"))
    size = models.PositiveBigIntegerField(default=0, verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("sha256"))
    imap_uidvalidity = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("imap uidvalidity")
    )
    imap_uid = models.BigIntegerField(null=True, blank=True, verbose_name=_("imap uid"))
    header_message_id = models.CharField(_("Message-ID"), max_length=400, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RawMailStatus.choices, default=RawMailStatus.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    received_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("received at")
    )
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "imap_uidvalidity", "imap_uid"], name="rawmail_imap_once"
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"])]
        verbose_name = _("raw mail")
        verbose_name_plural = _("raw mails")

    def __str__(self) -> str:
        return f"{self.source} {self.header_message_id or self.pk} ({self.status})"
