"""Inboxes, conversations, messages and tags (Chatwoot's inbox model, in our words)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.core.kinds import Channel
from wowdesk.core.models import Agent, Brand, Team
from wowdesk.customers.identity import InvalidAddress, inbox_address_key
from wowdesk.customers.models import Customer


class AnswerBot(models.TextChoices):
    OFF = "off", _("Off")
    ALWAYS = "always", _("Always answers first")
    WHEN_NO_AGENT = "when_no_agent", _("When no agent is on shift")


class Inbox(models.Model):
    """One configured channel of a brand: an email address, a chat widget, a phone line."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="inboxes", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=320, blank=True)
    # An email inbox's claim on its address (customers.identity.inbox_address_key: case
    # folded, plus-addressing folded): one inbox in the whole installation per key.
    address_key = models.CharField(max_length=320, blank=True, editable=False, default="")
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inboxes",
        verbose_name=_("team"),
    )
    is_default = models.BooleanField(_("default for its channel"), default=False)
    # Whether an owner going offline hands this inbox's open conversations back to the
    # queue; empty = the channel's default (``hands_back``).
    offline_handback = models.BooleanField(_("reassign on offline"), null=True, blank=True)
    # The answer bot on this inbox: "off", "always" (answers first) or "when_no_agent" (only
    # when nobody eligible is on shift). Run by the knowledge app.
    answer_bot = models.CharField(
        _("answer bot"), max_length=16, choices=AnswerBot.choices, default=AnswerBot.OFF
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="inbox_unique_name_per_brand"),
            models.UniqueConstraint(
                fields=["address_key"],
                condition=~models.Q(address_key=""),
                name="inbox_unique_email_address",
            ),
        ]
        verbose_name = _("inbox")
        verbose_name_plural = _("inboxes")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.address_key = self.claimed_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "address" in update_fields:
            kwargs["update_fields"] = {*update_fields, "address_key"}
        super().save(*args, **kwargs)

    def claimed_key(self) -> str:
        """The key this inbox claims its address under ("" for none: not an email inbox,
        or no valid address)."""
        if self.channel != Channel.EMAIL or not self.address.strip():
            return ""
        try:
            return inbox_address_key(self.address)
        except InvalidAddress:
            return ""

    def clean(self) -> None:
        """The admin form's check; ``conversations.services.check_inbox_address`` is the
        rule (the database constraint is the last word)."""
        from wowdesk.conversations.services import check_inbox_address
        from wowdesk.core.errors import ServiceError

        super().clean()
        try:
            check_inbox_address(self.channel, self.address, exclude_pk=self.pk)
        except ServiceError as exc:
            raise ValidationError({"address": exc.message}) from exc

    @property
    def hands_back(self) -> bool:
        """Live channels (chat, voice) go back to the queue when their owner goes
        offline; email, social, API and web-form conversations stay with their owner."""
        if self.offline_handback is not None:
            return self.offline_handback
        return self.channel in HANDBACK_CHANNELS


HANDBACK_CHANNELS = frozenset({Channel.CHAT, Channel.VOICE})


class Tag(models.Model):
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="tags", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=64)
    color = models.CharField(_("color"), max_length=7, default="#6b7280")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="tag_unique_name_per_brand")
        ]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class PriorityRank(models.Func):
    """Urgent first: the rank a list sorted by priority orders by (conversations.queries),
    and the expression of the index ``conv_priority_rank`` that reads such a page in
    order. The values are literals of the SQL: a bound parameter in ORDER BY would not
    match the index's expression, and SQLite would sort every row instead."""

    template = (
        "CASE WHEN %(expressions)s = 'urgent' THEN 0 WHEN %(expressions)s = 'high' THEN 1"
        " WHEN %(expressions)s = 'normal' THEN 2 ELSE 3 END"
    )
    output_field = models.IntegerField()

    def __init__(self, **extra: Any) -> None:
        super().__init__(models.F("priority"), **extra)


class DeliveryIssue(models.TextChoices):
    RETRYING = "retrying", _("Retrying delivery")
    FAILED = "failed", _("Not delivered")


class Conversation(models.Model):
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="conversations", verbose_name=_("brand")
    )
    number = models.PositiveBigIntegerField(_("number"))
    inbox = models.ForeignKey(
        Inbox, on_delete=models.PROTECT, related_name="conversations", verbose_name=_("inbox")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="conversations", verbose_name=_("customer")
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("team"),
    )
    language = models.CharField(_("language"), max_length=16, blank=True)
    tags = models.ManyToManyField(
        Tag, related_name="conversations", blank=True, verbose_name=_("tags")
    )
    first_response_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("first response at")
    )
    waiting_since = models.DateTimeField(null=True, blank=True, verbose_name=_("waiting since"))
    last_message_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last message at"))
    snoozed_until = models.DateTimeField(null=True, blank=True, verbose_name=_("snoozed until"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    message_count = models.PositiveIntegerField(default=0, verbose_name=_("message count"))
    # Merged into another conversation (conversations.services.merge_conversations): its
    # messages live there now, and what refers to this one is led there.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    # A reply of this conversation is not delivered: "failed" (one is parked as failed) or
    # "retrying" (an attempt failed, another is due); set by
    # conversations.services.note_delivery, so the lists find these without the outbox.
    delivery_issue = models.CharField(
        _("delivery issue"), max_length=16, blank=True, choices=DeliveryIssue.choices
    )
    # The brand's custom fields for conversations, key -> value (core/fields.py checks them).
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # The inbox's answer bot has the conversation (knowledge.bot_services): routing leaves
    # it alone until the bot hands it over or it is resolved.
    bot_holds = models.BooleanField(_("answer bot has it"), default=False)
    # Bumped by every change of an editable field (optimistic concurrency: a save based
    # on an older version is refused).
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    created_at = models.DateTimeField(db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(verbose_name=_("updated at"))

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "number"], name="conversation_number_unique")
        ]
        # Inbox lists page in (updated_at, id) order: with ``id`` in the index the order
        # and LIMIT/OFFSET come from the index alone (bench/read.py).
        indexes = [
            models.Index(
                fields=["brand", "status", "-updated_at", "-id"], name="conv_status_updated"
            ),
            models.Index(fields=["brand", "-updated_at", "-id"], name="conv_brand_updated"),
            models.Index(
                fields=["brand", "assignee", "status", "-updated_at", "-id"],
                name="conv_assignee_updated",
            ),
            models.Index(
                fields=["brand", "language", "status", "-updated_at", "-id"],
                name="conv_language_updated",
            ),
            models.Index(fields=["brand", "status", "waiting_since", "id"], name="conv_waiting"),
            models.Index(
                models.F("brand"),
                models.F("status"),
                PriorityRank(),
                models.F("created_at"),
                models.F("id"),
                name="conv_priority_rank",
            ),
            models.Index(fields=["customer", "inbox", "status"]),
            models.Index(fields=["customer", "-updated_at"], name="conv_customer_updated"),
            # the few conversations with an undelivered reply, in list order
            models.Index(
                fields=["brand", "-updated_at", "-id"],
                name="conv_delivery_issue",
                condition=~models.Q(delivery_issue=""),
            ),
        ]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"


class Direction(models.TextChoices):
    IN = "in", _("Incoming")
    OUT = "out", _("Outgoing")
    NOTE = "note", _("Internal note")
    ACTIVITY = "activity", _("Activity")


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    body = models.TextField(_("body"), blank=True)
    html = models.TextField(_("sanitised HTML"), blank=True)
    author = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("author"),
    )
    sender = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("sender"),
    )
    # The channel's own id (Message-ID, chat event id, …): idempotency and threading.
    external_id = models.CharField(
        max_length=400, blank=True, db_index=True, verbose_name=_("external id")
    )
    language = models.CharField(_("language"), max_length=16, blank=True)
    language_confidence = models.FloatField(
        null=True, blank=True, verbose_name=_("language confidence")
    )
    emotion = models.FloatField(_("emotion"), null=True, blank=True)
    emotion_label = models.CharField(max_length=16, blank=True, verbose_name=_("emotion label"))
    meta = models.JSONField(default=dict, blank=True, verbose_name=_("meta"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    created_at = models.DateTimeField(db_index=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            # the worker's queue of customer messages still waiting for an emotion score
            models.Index(
                fields=["id"],
                name="message_unscored_idx",
                condition=models.Q(direction="in", emotion__isnull=True),
            ),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.direction}: {self.body[:40]}"


class Macro(models.Model):
    """A canned reply an agent inserts with one key, in the customer's language when a
    variant exists. ``body`` may hold variables such as ``{{ customer.first_name }}``."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="macros", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=120)
    body = models.TextField(_("body"))
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Optional actions applied with the reply, e.g. {"status": "resolved", "tags": ["refund"]}.
    actions = models.JSONField(_("actions"), default=dict, blank=True)
    created_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "name", "language"], name="macro_unique_name_language"
            )
        ]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.brand_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file that came with (or was sent with) a message, stored under the data dir."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(
        max_length=255, default="application/octet-stream", verbose_name=_("content type")
    )
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, verbose_name=_("sha256"))
    file = models.FileField(upload_to=attachment_path, max_length=300, verbose_name=_("file"))
    # Inline parts (an image in an HTML mail) carry their Content-ID.
    content_id = models.CharField(max_length=255, blank=True, verbose_name=_("content id"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """An outgoing message waiting for its channel adapter, written with the reply in one
    transaction (``conversations.services.add_reply``). The channel's delivery
    (``channels.outbox``) retries it with backoff and parks it as failed (visible to agents
    and supervisors) after the last attempt; each outcome is written back through
    ``conversations.services.record_delivery``."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="outbox", verbose_name=_("brand")
    )
    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="outbox", verbose_name=_("message")
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, verbose_name=_("channel"))
    status = models.CharField(
        max_length=16,
        choices=OutboxStatus.choices,
        default=OutboxStatus.QUEUED,
        verbose_name=_("status"),
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(db_index=True, verbose_name=_("next attempt at"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    # Why the last attempt failed, as a code of conversations.delivery (shown translated).
    error_kind = models.CharField(max_length=32, blank=True, verbose_name=_("error kind"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        # The table keeps the name it was created with in the ingest app.
        db_table = "ingest_outboxmessage"
        ordering = ["next_attempt_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"{self.channel} message {self.message_id} ({self.status})"

    def state(self) -> str:
        """What the message shows: ``queued`` (not tried yet, or being sent), ``retrying``
        (an attempt failed, another is due at ``next_attempt_at``), ``sent`` or ``failed``."""
        if self.status == OutboxStatus.QUEUED and self.last_error:
            return "retrying"
        return str(self.status)


class ConversationLink(models.Model):
    """Two conversations of one brand marked as related (symmetric: stored once, the lower
    id first; ``conversations.services.link_conversations``)."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    first = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="+", verbose_name=_("conversation")
    )
    second = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("linked conversation"),
    )
    created_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="conversation_link_unique"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="conversation_link_ordered"
            ),
        ]
        indexes = [models.Index(fields=["second"], name="conversation_link_second")]
        verbose_name = _("conversation link")
        verbose_name_plural = _("conversation links")

    def __str__(self) -> str:
        return f"{self.first_id} ↔ {self.second_id}"


class ViewScope(models.TextChoices):
    PERSONAL = "personal", _("Only me")
    TEAM = "team", _("My team")
    BRAND = "brand", _("Everyone in the brand")


class SavedView(models.Model):
    """A named filter of the conversation list (``params``: the list's parameters,
    ``queries.FILTER_KEYS``), for its owner, a team or the whole brand. It lives with the
    conversations because its rows and counts are a conversation query
    (``queries.query_from_params``) that the API lists as well as the workspace."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="saved_views", verbose_name=_("brand")
    )
    owner = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="saved_views", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=80)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    scope = models.CharField(
        _("shared with"), max_length=16, choices=ViewScope.choices, default=ViewScope.PERSONAL
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_views",
        verbose_name=_("team"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["brand", "scope"], name="saved_view_brand_scope")]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name
