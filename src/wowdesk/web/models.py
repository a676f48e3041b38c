"""Login throttling state, kept in the database so a lock survives cache pressure and restarts."""

from __future__ import annotations

from django.db import models


class LoginThrottle(models.Model):
    """Failed sign-ins counted under one key: a username with a client address, or an address.

    ``key`` is a SHA-256 of the scope (``pair`` or ``address``) and its normalised values, so
    the table holds no username or address in clear.
    """

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["window_started_at"], name="web_throttle_window")]

    def __str__(self) -> str:
        return self.key[:12]


class ConversationSeen(models.Model):
    """When an agent last opened a conversation: a row per (agent, conversation), written by
    ``web.services.mark_seen`` on every open. A list row is unread for the agent when the
    customer wrote after ``seen_at`` (or the agent never opened it)."""

    agent = models.ForeignKey("core.Agent", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "conversation"], name="web_seen_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agent_id}:{self.conversation_id}"
