"""Agents invited by email, and passwords set or reset through a signed link.

An invitation creates the agent without a usable password and, after the transaction
commits, mails a link to ``/password/reset/<uid>/<token>/`` where the agent chooses one.
The token is Django's ``PasswordResetTokenGenerator``: signed with the secret key, bound
to the user's password hash and last login (so it stops working once used), and valid
for ``PASSWORD_RESET_TIMEOUT`` seconds. "Forgot password?" sends the same kind of link.
Mail goes through Django's email backend (the ``WOWDESK_EMAIL_*`` relay).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from wowdesk.core import audit
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, Brand
from wowdesk.core.services import AgentInput, create_agent

log = logging.getLogger(__name__)


def set_password_link(user: Any, base_url: str) -> str:
    """An absolute link where ``user`` sets a new password (``base_url`` like
    ``https://desk.example.com``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("web:password-reset-confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


def invite_agent(
    data: AgentInput,
    *,
    brands: Iterable[Brand | int],
    actor: Agent | None,
    base_url: str,
) -> Agent:
    """Create the agent (no password yet) and, after commit, mail the set-password link."""
    try:
        validate_email(data.email.strip())
    except ValidationError as exc:
        raise InvalidInput(_("Not an email address."), field="email") from exc
    agent = create_agent(dataclasses.replace(data, password=None), brands=brands, actor=actor)
    brand_ids = list(agent.brands.values_list("id", flat=True))
    audit.record(
        action="agent.invite",
        obj=agent,
        actor=actor,
        brand_id=brand_ids[0] if brand_ids else None,
        after={"email": agent.email},
    )
    inviter = actor.display_name if actor is not None else ""
    language = translation.get_language() or settings.LANGUAGE_CODE
    agent_id = agent.pk
    transaction.on_commit(
        lambda: send_invitation(agent_id, base_url, inviter=inviter, language=language)
    )
    return agent


def send_invitation(agent_id: int, base_url: str, *, inviter: str, language: str) -> bool:
    """Mail the set-password link; False when the mail server refused or was not reached."""
    agent = Agent.objects.select_related("user").get(pk=agent_id)
    link = set_password_link(agent.user, base_url)
    brands = ", ".join(agent.brands.order_by("name").values_list("name", flat=True))
    with translation.override(language):
        context = {"agent": agent, "link": link, "inviter": inviter, "brands": brands}
        subject = render_to_string("web/email/invitation_subject.txt", context).strip()
        body = render_to_string("web/email/invitation.txt", context)
    return _send(subject, body, agent.email)


def _send(subject: str, body: str, to: str) -> bool:
    try:
        send_mail(subject, body, None, [to])
    except Exception as exc:  # the agent exists; an admin can send the link again
        log.warning("could not send the invitation mail to %s: %s", to, exc)
        return False
    return True
