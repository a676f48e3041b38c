"""Voice (CTI): a call event into the customer's conversation, and a screen-pop.

Every event goes through the one ingest path (channel ``voice``, external id
``<call id>:<event>``): stored first, exactly once, whatever the phone system re-sends.
Ringing looks the caller up by their number (E.164, with the inbox's default region for
national numbers), creates them if unknown, and pops the conversation up on the screen of
the agent taking the call, or of every agent on shift in the brand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from wowdesk.channels import ingest
from wowdesk.channels.models import InboundEnvelope
from wowdesk.channels.schema import InboundIn
from wowdesk.channels.voice.events import AgentRef, CallEvent, CallEventKind
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Inbox
from wowdesk.core.models import Agent
from wowdesk.core.realtime import agent_group, brand_group, publish
from wowdesk.customers.identity import InvalidAddress, normalize_phone
from wowdesk.routing.services import available_agents

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallResult:
    call_id: str
    event: str
    status: str
    message_id: int | None
    conversation_id: int | None
    duplicate: bool
    popped_to: tuple[str, ...] = ()


def external_id(call_id: str, kind: str) -> str:
    return f"{call_id}:{kind}"[:400]


def caller_phone(raw: str, default_region: str | None) -> str:
    """E.164, or "" for a withheld or unusable number."""
    if not raw or raw.strip().lower() in ("anonymous", "restricted", "unknown", "private"):
        return ""
    try:
        return normalize_phone(raw, default_region or None)
    except InvalidAddress:
        return ""


def format_duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if minutes:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": rest}
    return _("%(seconds)d s") % {"seconds": rest}


def find_agent(inbox: Inbox, ref: AgentRef | None) -> Agent | None:
    """The brand's agent behind an id, an email, or an extension mapped in the inbox's
    ``extensions`` setting (``{"201": "ana@example.com"}`` or ``{"201": 7}``)."""
    if ref is None:
        return None
    agents = Agent.objects.filter(brands=inbox.brand_id, is_active=True)
    if ref.id is not None:
        return agents.filter(pk=ref.id).first()
    target: Any = ref.email
    if ref.extension:
        target = (inbox.settings.get("extensions") or {}).get(ref.extension, ref.extension)
    if isinstance(target, int) and not isinstance(target, bool):
        return agents.filter(pk=target).first()
    if isinstance(target, str) and "@" in target:
        return agents.filter(user__email__iexact=target.strip()).first()
    return None


def conversation_url(conversation_id: int) -> str:
    try:
        return reverse("web:conversation", args=[conversation_id])
    except NoReverseMatch:
        return f"/api/v1/conversations/{conversation_id}"


def _earlier(brand_id: int, call_id: str) -> InboundEnvelope | None:
    """The first stored event of this call (its conversation and caller)."""
    kinds = [external_id(call_id, k) for k in CallEventKind]
    return (
        InboundEnvelope.objects.filter(brand_id=brand_id, channel="voice", external_id__in=kinds)
        .filter(~Q(conversation_id_cache=None))
        .order_by("id")
        .first()
    )


def _body(event: CallEvent, inbox: Inbox, phone: str, agent: Agent | None) -> str:
    caller = phone or event.caller or _("a withheld number")
    if event.kind == CallEventKind.RINGING:
        called = event.called or inbox.address or inbox.name
        return _("Incoming call from %(caller)s to %(called)s.") % {
            "caller": caller,
            "called": called,
        }
    if event.kind == CallEventKind.ANSWERED:
        if agent is not None:
            return _("Call answered by %(agent)s.") % {"agent": agent.display_name}
        return _("Call answered.")
    lines: list[str] = []
    if event.kind == CallEventKind.ENDED:
        missed = event.outcome in ("no-answer", "busy", "canceled", "failed")
        if missed and not event.duration:
            lines.append(_("Missed call (%(outcome)s).") % {"outcome": event.outcome})
        elif event.duration is not None:
            lines.append(
                _("Call ended after %(duration)s.") % {"duration": format_duration(event.duration)}
            )
        else:
            lines.append(_("Call ended."))
    if event.recording_url:
        lines.append(_("Recording: %(url)s") % {"url": event.recording_url})
    if event.transcript:
        lines.append(_("Transcript:") + "\n" + event.transcript)
    if not lines:
        lines.append(_("Call recording is ready."))
    return "\n\n".join(lines)


def _meta(event: CallEvent, phone: str, agent: Agent | None) -> dict[str, Any]:
    call: dict[str, Any] = {
        "id": event.call_id,
        "event": event.kind.value,
        "source": event.source,
        "from": phone or event.caller,
        "to": event.called,
    }
    if event.duration is not None:
        call["duration"] = event.duration
    if event.recording_url:
        call["recording_url"] = event.recording_url
    if event.transcript:
        call["transcript"] = True
    if event.outcome:
        call["outcome"] = event.outcome
    if agent is not None:
        call["agent_id"] = agent.pk
    if event.occurred_at is not None:
        call["at"] = event.occurred_at.isoformat()
    return {"call": call}


def handle(inbox: Inbox, event: CallEvent) -> CallResult:
    """Log one call event in the caller's conversation; pop it up when it rings or when
    an agent answers. Safe to call twice with the same event."""
    brand_id = inbox.brand_id
    region = str(inbox.settings.get("default_region") or "") or None
    earlier = _earlier(brand_id, event.call_id)
    raw_caller = event.caller
    if not raw_caller and earlier is not None:
        raw_caller = str(((earlier.payload or {}).get("from") or {}).get("phone") or "")
    phone = caller_phone(raw_caller, region)
    agent = find_agent(inbox, event.agent)
    sender: dict[str, str] = {"name": event.caller_name}
    if phone:
        sender["phone"] = phone
    else:  # a withheld number: one customer record per call, named for what we know
        sender["handle"] = f"call:{event.call_id}"
        sender["name"] = event.caller_name or _("Unknown caller")
    item = InboundIn.model_validate(
        {
            "channel": "voice",
            "external_id": external_id(event.call_id, event.kind.value),
            "from": sender,
            "body": _body(event, inbox, phone, agent),
            "sent_at": event.occurred_at,
            "inbox": inbox.pk,
            "conversation_id": earlier.conversation_id_cache if earlier else None,
            "meta": _meta(event, phone, agent),
        }
    )
    result = ingest.ingest(brand_id, item)
    popped: tuple[str, ...] = ()
    if not result.duplicate and result.conversation_id is not None:
        with transaction.atomic():
            conversation = Conversation.objects.select_related("customer").get(
                pk=result.conversation_id
            )
            if event.kind == CallEventKind.ANSWERED and agent is not None:
                if conversation.assignee_id != agent.pk:
                    conversations.update_conversation(
                        conversation, actor=None, assignee_id=agent.pk
                    )
                popped = screen_pop(conversation, event, phone, [agent])
            elif event.kind == CallEventKind.RINGING:
                targets = [agent] if agent is not None else available_agents(brand_id)
                popped = screen_pop(conversation, event, phone, targets)
    return CallResult(
        call_id=event.call_id,
        event=event.kind.value,
        status=result.status,
        message_id=result.message_id,
        conversation_id=result.conversation_id,
        duplicate=result.duplicate,
        popped_to=popped,
    )


def screen_pop(
    conversation: Conversation, event: CallEvent, phone: str, agents: list[Agent]
) -> tuple[str, ...]:
    """Push ``call.ringing`` (after commit) to each agent, or to the brand when no agent
    is on shift; returns the groups pushed to."""
    groups = [agent_group(a.pk) for a in agents] or [brand_group(conversation.brand_id)]
    customer = conversation.customer
    for group in groups:
        publish(
            group,
            "call.ringing",
            call_id=event.call_id,
            conversation_id=conversation.pk,
            customer_id=customer.pk,
            customer_name=customer.name,
            phone=phone or event.caller,
            url=conversation_url(conversation.pk),
        )
    return tuple(groups)
