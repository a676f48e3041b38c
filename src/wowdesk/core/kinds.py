"""Kinds every app names: the channels a conversation comes through.

In the core so that any app, the core included, can name them; ``conversations.models``
re-exports :class:`Channel` for the models that store it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    API = "api", _("API")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    VOICE = "voice", _("Voice")
    SOCIAL = "social", _("Social")
    WEB = "web", _("Web form")
