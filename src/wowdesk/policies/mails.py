"""The email to a supervisor asking for a decision, with the signed approve/decline link
(``policies/tokens.py``), sent after commit through Django's email backend (the
``WOWDESK_EMAIL_*`` relay), in each supervisor's own language."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from wowdesk.core.models import Agent
from wowdesk.policies import tokens
from wowdesk.policies.models import Approval

log = logging.getLogger(__name__)


def approve_link(approval_id: int, agent_id: int) -> str:
    token = tokens.make_token(approval_id, agent_id)
    path = reverse("policies:approve-link", kwargs={"token": token})
    return (settings.CONFIG.public_url or "http://localhost:8000") + path


def send_approval_requests(approval_id: int, agent_ids: list[int]) -> int:
    """One mail per supervisor with an address; returns how many went out."""
    from wowdesk.policies import services

    approval = (
        Approval.objects.select_related("grant", "grant__conversation", "requested_by", "brand")
        .filter(pk=approval_id)
        .first()
    )
    if approval is None:
        return 0
    grant = approval.grant
    sent = 0
    for agent in Agent.objects.filter(pk__in=agent_ids, is_active=True).select_related("user"):
        if not agent.email:
            continue
        with translation.override(agent.ui_language or "en"):
            context: dict[str, Any] = {
                "approval": approval,
                "grant": grant,
                "what": services.what_of(grant),
                "requester": approval.requested_by.display_name if approval.requested_by else "",
                "number": grant.conversation.number,
                "brand": approval.brand.name,
                "link": approve_link(approval.pk, agent.pk),
            }
            subject = render_to_string("policies/email/approval_subject.txt", context).strip()
            body = render_to_string("policies/email/approval.txt", context)
        try:
            send_mail(subject, body, None, [agent.email])
        except Exception as exc:  # the approval stands; the board and the bell show it too
            log.warning("could not send the approval mail to %s: %s", agent.email, exc)
            continue
        sent += 1
    return sent
