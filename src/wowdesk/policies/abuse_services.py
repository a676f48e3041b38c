"""Abusive customers: the only writer of ``AbuseReport``, and what a restriction does.

* ``report_abuse``: an agent of the brand flags a customer with messages as evidence; the
  brand's supervisors are notified (``abuse_reported``) and an alert is raised.
* ``decide_report``: a supervisor dismisses it, or warns, restricts or blocks the customer
  (``restrict``); ``restrict`` and ``lift`` are also the direct API's.
* ``on_messages_created`` (a ``batch`` listener of ``message.created``): a message a
  restriction withholds (``customers.restrictions.withholds``) is answered by the
  courteous template (at most once per conversation per day); routing skips its
  conversation (``routing.services``).

The restriction itself lives on the customer (``customers.services.set_restriction``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.core import alerts, audit, i18n, permissions
from wowdesk.core.errors import Conflict, InvalidInput
from wowdesk.core.input import check_text
from wowdesk.core.models import Agent, AlertKind, Membership, Role
from wowdesk.customers import services as customers
from wowdesk.customers.models import Customer, Restriction
from wowdesk.customers.restrictions import withholds
from wowdesk.notifications import services as notifications
from wowdesk.notifications.models import Kind
from wowdesk.policies import abuse_texts
from wowdesk.policies.models import AbuseReport, AbuseStatus, PolicySettings

MAX_EVIDENCE = 50  # messages quoted in one report
MAX_NOTE = 5000
DECISIONS = ("dismiss", "warned", "restricted", "blocked")
TEMPLATE_EVERY = dt.timedelta(
    days=1
)  # a withheld conversation hears the template at most this often
MAX_HANDED_BACK = 200  # open conversations of one customer taken from their agents
SYSTEM = "abuse"  # meta["system"] of the templates sent


def supervisor_ids(brand_id: int) -> list[int]:
    return list(
        Membership.objects.filter(
            brand_id=brand_id, role__in=[Role.SUPERVISOR, Role.ADMIN], agent__is_active=True
        ).values_list("agent_id", flat=True)
    )


def _evidence(customer: Customer, conversation_id: int, message_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in message_ids))
    if not ids:
        raise InvalidInput(_("Select the messages that are abusive."), field="message_ids")
    if len(ids) > MAX_EVIDENCE:
        raise InvalidInput(_("At most %(n)d messages.") % {"n": MAX_EVIDENCE}, field="message_ids")
    found = set(
        Message.objects.filter(
            pk__in=ids,
            brand_id=customer.brand_id,
            conversation__customer_id=customer.pk,
        ).values_list("pk", flat=True)
    )
    if set(ids) - found:
        raise InvalidInput(
            _("These messages are not this customer's: %(ids)s")
            % {"ids": ", ".join(str(i) for i in ids if i not in found)},
            field="message_ids",
        )
    return ids


def report_abuse(
    actor: Agent,
    customer: Customer,
    *,
    conversation_id: int,
    message_ids: Iterable[int],
    note: str = "",
) -> AbuseReport:
    """An agent of the customer's brand flags abuse, the messages as evidence."""
    permissions.check_brand(actor, customer.brand_id)
    conversation = Conversation.objects.filter(
        pk=conversation_id, brand_id=customer.brand_id, customer_id=customer.pk
    ).first()
    if conversation is None:
        raise InvalidInput(
            _("No conversation of this customer has that id."), field="conversation_id"
        )
    ids = _evidence(customer, conversation.pk, message_ids)
    note = check_text(note or "", "note", max_length=MAX_NOTE).strip()
    report = AbuseReport.objects.create(
        brand_id=customer.brand_id,
        customer=customer,
        conversation=conversation,
        message_ids=ids,
        reported_by=actor,
        note=note,
    )
    audit.record(
        action="abuse.report",
        obj=report,
        actor=actor,
        brand_id=report.brand_id,
        after={"customer_id": customer.pk, "message_ids": ids, "note": note},
    )
    name = customer.name or _("A customer")
    notifications.deliver(
        notifications.Draft(
            agent_id=a,
            brand_id=report.brand_id,
            kind=Kind.ABUSE_REPORTED,
            conversation_id=conversation.pk,
            actor_id=actor.pk,
            params={"number": conversation.number, "customer": name, "report": report.pk},
        )
        for a in supervisor_ids(report.brand_id)
    )
    alerts.create(
        report.brand_id,
        AlertKind.ABUSE_REPORTED,
        _("Abuse reported on #%(number)s") % {"number": conversation.number},
        conversation_id=conversation.pk,
        message_id=ids[0],
        data={"report_id": report.pk},
        params={"number": conversation.number, "customer": name},
    )
    return report


def reported_sentence(params: dict[str, Any]) -> str:
    """The alert's sentence in the reader's language."""
    return _("Abuse reported by an agent on #%(number)s (%(customer)s): decide on it.") % {
        "number": params["number"],
        "customer": params.get("customer", ""),
    }


def _target_conversation(
    customer: Customer, conversation: Conversation | None
) -> Conversation | None:
    if conversation is not None:
        return conversation
    return (
        Conversation.objects.filter(customer_id=customer.pk, brand_id=customer.brand_id)
        .select_related("inbox", "brand")
        .order_by("-last_message_at", "-id")
        .first()
    )


LEVEL_SAID = {
    "warned": gettext_noop("%(actor)s warned the customer: %(reason)s"),
    "restricted": gettext_noop("%(actor)s restricted the customer to %(channel)s: %(reason)s"),
    "blocked": gettext_noop("%(actor)s ended the relationship with the customer: %(reason)s"),
    "": gettext_noop("%(actor)s lifted the customer's restriction"),
}


def _activity(
    conversation: Conversation, actor: Agent, level: str, reason: str, channel: str
) -> None:
    spec = i18n.deferred(
        LEVEL_SAID[level],
        actor=actor.display_name,
        reason=reason,
        channel=i18n.choice("channel", channel) if channel else "",
    )
    conversations.add_activity(
        conversation,
        i18n.render(spec),
        actor=actor,
        meta={"abuse": level or "lifted"},
        i18n=spec,
    )


def _settings_templates(brand_id: int) -> dict[str, Any]:
    row = PolicySettings.objects.filter(brand_id=brand_id).only("abuse_templates").first()
    return dict(row.abuse_templates or {}) if row is not None else {}


def template_for(
    conversation: Conversation,
    customer: Customer,
    level: str,
    *,
    language: str = "",
    overrides: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """The courteous text of ``level`` for this customer, and its language."""
    brand = conversation.brand
    wanted = language or customer.language or conversation.language
    chosen = abuse_texts.pick_language(wanted, brand.default_language)
    body = abuse_texts.text(
        level,
        wanted,
        brand.default_language,
        overrides=overrides if overrides is not None else _settings_templates(brand.pk),
        brand=brand.name,
        channel=customer.restriction_channel,
    )
    return body, chosen


def _send_template(
    conversation: Conversation,
    customer: Customer,
    level: str,
    *,
    language: str = "",
    overrides: dict[str, Any] | None = None,
) -> Message:
    body, chosen = template_for(
        conversation, customer, level, language=language, overrides=overrides
    )
    return conversations.add_system_message(
        conversation,
        body=body,
        language=chosen,
        meta={"system": SYSTEM, "abuse": level},
    )


def restrict(
    actor: Agent,
    customer: Customer,
    *,
    level: str,
    reason: str,
    channel: str = "",
    conversation: Conversation | None = None,
) -> Customer:
    """Warn, restrict to one channel or block (supervisor or admin of the brand). A warning
    is sent to the customer once, on the conversation's channel, in their language; the
    conversation (the report's, else the customer's latest) gets an activity line."""
    permissions.check_decides_abuse(actor, customer.brand_id)
    previous = customer.restriction
    customers.set_restriction(actor, customer, level=level, reason=reason, channel=channel)
    target = _target_conversation(customer, conversation)
    if target is not None:
        _activity(target, actor, level, customer.restriction_reason, customer.restriction_channel)
        if level == Restriction.WARNED and previous != Restriction.WARNED:
            _send_template(target, customer, level)
    _hand_back(actor, customer)
    return customer


UNASSIGNED_SAID = gettext_noop("The customer is restricted: no agent works this conversation")


def _hand_back(actor: Agent, customer: Customer) -> None:
    """The customer's open conversations a restriction withholds leave their agents (they
    stay visible to supervisors); routing will not give them to anyone."""
    for c in (
        Conversation.objects.filter(customer_id=customer.pk, assignee__isnull=False)
        .exclude(status=Status.RESOLVED)
        .select_related("inbox")
        .order_by("id")[:MAX_HANDED_BACK]
    ):
        if withholds(customer.restriction, customer.restriction_channel, c.inbox.channel):
            spec = i18n.deferred(UNASSIGNED_SAID)
            conversations.update_conversation(
                c, actor=actor, assignee_id=None, reason=i18n.render(spec), reason_i18n=spec
            )


def lift(actor: Agent, customer: Customer, *, reason: str = "") -> Customer:
    """Lift the restriction (supervisor or admin of the brand); the next message is routed
    as any other."""
    permissions.check_decides_abuse(actor, customer.brand_id)
    had = customer.restriction
    customers.lift_restriction(actor, customer, reason=reason)
    if had:
        target = _target_conversation(customer, None)
        if target is not None:
            _activity(target, actor, "", "", "")
    return customer


def decide_report(
    actor: Agent, report: AbuseReport, *, decision: str, reason: str, channel: str = ""
) -> AbuseReport:
    """A supervisor's decision on an open report: dismiss it, or warn, restrict or block the
    customer (``restrict``). Who, when and why are kept on the report and in the audit log."""
    permissions.check_decides_abuse(actor, report.brand_id)
    if decision not in DECISIONS:
        raise InvalidInput(_("Choose dismiss, warned, restricted or blocked."), field="decision")
    if report.status != AbuseStatus.OPEN:
        raise Conflict(_("This report was already decided."), field="decision")
    reason = (reason or "").strip()
    if decision == "dismiss":
        reason = check_text(reason, "reason", max_length=MAX_NOTE)
    else:
        conversation = None
        if report.conversation_id is not None:
            conversation = (
                Conversation.objects.select_related("inbox", "brand")
                .filter(pk=report.conversation_id)
                .first()
            )
        restrict(
            actor,
            report.customer,
            level=decision,
            reason=reason,
            channel=channel,
            conversation=conversation,
        )
    report.status = AbuseStatus.DISMISSED if decision == "dismiss" else AbuseStatus.DECIDED
    report.decision = decision
    report.decided_by = actor
    report.decided_at = timezone.now()
    report.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    audit.record(
        action="abuse.decide",
        obj=report,
        actor=actor,
        brand_id=report.brand_id,
        before={"status": AbuseStatus.OPEN},
        after={"status": report.status, "decision": decision, "reason": reason},
    )
    return report


# --- queries -------------------------------------------------------------------------------


def reports_visible(agent: Agent) -> QuerySet[AbuseReport]:
    """The reports ``agent`` decides on: every one of the brands they supervise."""
    return permissions.scope(AbuseReport.objects.all(), agent, role=Role.SUPERVISOR)


def with_relations(qs: QuerySet[AbuseReport]) -> QuerySet[AbuseReport]:
    return qs.select_related("customer", "conversation", "reported_by__user", "decided_by__user")


def evidence_of(reports: Iterable[AbuseReport]) -> dict[int, Message]:
    """The quoted messages of ``reports``, in one query."""
    ids = {int(i) for r in reports for i in (r.message_ids or [])}
    if not ids:
        return {}
    return {
        m.pk: m
        for m in Message.objects.filter(pk__in=ids).only(
            "pk", "body", "created_at", "channel", "conversation_id", "brand_id"
        )
    }


# --- inbound: withheld messages ----------------------------------------------------------


def on_messages_created(payloads: list[dict[str, Any]]) -> None:
    """Customers wrote: a message a restriction withholds gets the courteous template (once
    per conversation per day; never for our own messages, so never a loop). One query
    when no writer of the batch is restricted."""
    ids = [p["message_id"] for p in payloads if p["direction"] == Direction.IN]
    if not ids:
        return
    withheld = [
        m
        for m in Message.objects.filter(
            pk__in=ids,
            direction=Direction.IN,
            sender__restriction__in=[Restriction.RESTRICTED, Restriction.BLOCKED],
        ).select_related("sender", "conversation__inbox", "conversation__brand")
        if m.sender is not None
        and withholds(m.sender.restriction, m.sender.restriction_channel, m.channel)
    ]
    if not withheld:
        return
    since = timezone.now() - TEMPLATE_EVERY
    with transaction.atomic():
        told = set(
            Message.objects.filter(
                conversation_id__in={m.conversation_id for m in withheld},
                direction=Direction.OUT,
                meta__system=SYSTEM,
                created_at__gte=since,
            )
            .exclude(meta__abuse=Restriction.WARNED)
            .values_list("conversation_id", flat=True)
        )
        overrides: dict[int, dict[str, Any]] = {}
        for m in withheld:
            if m.conversation_id in told:
                continue
            told.add(m.conversation_id)
            sender = m.sender
            assert sender is not None
            brand_id = m.conversation.brand_id
            if brand_id not in overrides:
                overrides[brand_id] = _settings_templates(brand_id)
            _send_template(
                m.conversation,
                sender,
                sender.restriction,
                language=m.language,
                overrides=overrides[brand_id],
            )
