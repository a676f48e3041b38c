"""SLA clocks: first response, next response and resolution targets, counted in the
handling site's business hours (holidays included), paused while waiting on the customer.

Listeners of ``MESSAGE_CREATED`` and ``CONVERSATION_UPDATED`` keep each conversation's
clock; the worker's tick (``check_due``) raises warnings before a breach and records the
breach. The calendar arithmetic itself is pure (``business_hours.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.core import alerts
from wowdesk.core import i18n as i18n_text
from wowdesk.core.events import Event, emit, many
from wowdesk.core.models import AlertKind, Site
from wowdesk.routing.models import (
    ConversationSla,
    SlaEvent,
    SlaEventKind,
    SlaPolicy,
    SlaState,
    SlaTarget,
)

log = logging.getLogger(__name__)


# --- calendars ----------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _calendar(
    tz: str, hours_json: str, country: str, subdivision: str, year: int, closed: str = ""
) -> Any:
    from wowdesk.routing.business_hours import Calendar

    hours = json.loads(hours_json) if hours_json else {}
    years = (year - 1, year, year + 1)
    cal = Calendar.from_holidays(tz, hours, country or None, subdivision or None, years)
    extra = {dt.date.fromisoformat(d) for d in closed.split(",") if d}
    return Calendar(cal.tz, cal.hours, cal.holidays | extra) if extra else cal


def calendar_for(site: Site | None, now: dt.datetime) -> Any | None:
    """The site's business calendar (its opening hours, public holidays and extra closed
    dates), or None for "around the clock"."""
    if site is None:
        return None
    return _calendar(
        site.timezone,
        json.dumps(site.hours, sort_keys=True),
        site.country,
        site.subdivision,
        now.year,
        ",".join(site.closed_dates or ()),
    )


def handling_site(conversation: Conversation) -> Site | None:
    """The assignee's site; unassigned, the brand's first site."""
    if conversation.assignee_id is not None:
        site_id = conversation.assignee.site_id if conversation.assignee else None
        if site_id is not None:
            return Site.objects.filter(pk=site_id).first()
    return Site.objects.filter(brands=conversation.brand_id).order_by("id").first()


def policy_for(conversation: Conversation) -> SlaPolicy | None:
    """The most specific active policy of the brand for this priority and channel."""
    channel = conversation.inbox.channel
    candidates = SlaPolicy.objects.filter(
        Q(priority="") | Q(priority=conversation.priority),
        Q(channel="") | Q(channel=channel),
        brand_id=conversation.brand_id,
        is_active=True,
    )

    def specificity(p: SlaPolicy) -> tuple[int, int, int]:
        return (-(bool(p.priority) + bool(p.channel)), p.position, p.pk)

    ranked = sorted(candidates, key=specificity)
    return ranked[0] if ranked else None


def add_time(cal: Any | None, start: dt.datetime, seconds: float, business: bool) -> dt.datetime:
    if cal is None or not business:
        return start + dt.timedelta(seconds=seconds)
    from wowdesk.routing.business_hours import add_business_time

    result: dt.datetime = add_business_time(cal, start, seconds)
    return result


def time_between(cal: Any | None, start: dt.datetime, end: dt.datetime, business: bool) -> float:
    if end <= start:
        return 0.0
    if cal is None or not business:
        return (end - start).total_seconds()
    from wowdesk.routing.business_hours import business_seconds_between

    return float(business_seconds_between(cal, start, end))


# --- the clock ----------------------------------------------------------------------------


def _minutes(policy: SlaPolicy, target: str) -> int | None:
    return (
        {
            SlaTarget.FIRST_RESPONSE: policy.first_response_minutes,
            SlaTarget.NEXT_RESPONSE: policy.next_response_minutes,
            SlaTarget.RESOLUTION: policy.resolution_minutes,
        }.get(SlaTarget(target))
        if target
        else None
    )


def _schedule(row: ConversationSla, conversation: Conversation, now: dt.datetime) -> None:
    """Recompute due and warning instants of the running target (None while paused)."""
    policy = row.policy
    minutes = _minutes(policy, row.target) if policy else None
    if policy is None or minutes is None or row.started_at is None or row.paused_at:
        row.due_at = row.warn_at = None
        if policy is None or not row.target:
            row.state = SlaState.NONE
        return
    site = handling_site(conversation)
    row.site = site
    cal = calendar_for(site, now)
    seconds = minutes * 60 + row.paused_seconds
    row.due_at = add_time(cal, row.started_at, seconds, policy.business_hours)
    row.warn_at = add_time(
        cal,
        row.started_at,
        minutes * 60 * policy.warn_at + row.paused_seconds,
        policy.business_hours,
    )
    if row.state in (SlaState.NONE, SlaState.MET):
        row.state = SlaState.OK
    if policy.resolution_minutes and row.resolution_due_at is None:
        row.resolution_due_at = add_time(
            cal, conversation.created_at, policy.resolution_minutes * 60, policy.business_hours
        )


def _row(conversation: Conversation) -> ConversationSla:
    row = ConversationSla.objects.select_for_update().filter(pk=conversation.pk).first()
    if row is None:
        row = ConversationSla(
            conversation=conversation,
            brand_id=conversation.brand_id,
            policy=policy_for(conversation),
        )
    return row


def _event(row: ConversationSla, kind: str, at: dt.datetime) -> None:
    if row.due_at is None or not row.target:
        return
    SlaEvent.objects.create(
        brand_id=row.brand_id,
        conversation_id=row.conversation_id,
        policy=row.policy,
        target=row.target,
        kind=kind,
        due_at=row.due_at,
        at=at,
    )


def start(
    row: ConversationSla, conversation: Conversation, target: str, at: dt.datetime, now: dt.datetime
) -> None:
    row.target = target
    row.started_at = at
    row.paused_seconds = 0
    row.paused_at = None
    row.state = SlaState.OK
    _schedule(row, conversation, now)


def on_customer_message(
    conversation: Conversation, message: Message, now: dt.datetime
) -> ConversationSla:
    row = _row(conversation)
    if row.policy is None:
        row.state = SlaState.NONE
        row.save()
        return row
    if row.paused_at is not None:
        resume(row, conversation, now)
    if row.target in ("", SlaTarget.RESOLUTION):
        if conversation.first_response_at is None:
            start(row, conversation, SlaTarget.FIRST_RESPONSE, conversation.created_at, now)
        elif row.policy.next_response_minutes:
            start(row, conversation, SlaTarget.NEXT_RESPONSE, message.created_at, now)
    row.save()
    return row


def on_agent_reply(
    conversation: Conversation, message: Message, now: dt.datetime
) -> ConversationSla | None:
    row = ConversationSla.objects.select_for_update().filter(pk=conversation.pk).first()
    if row is None or row.target not in (SlaTarget.FIRST_RESPONSE, SlaTarget.NEXT_RESPONSE):
        return row
    at = message.created_at
    if row.due_at is not None:
        if at <= row.due_at:
            _event(row, SlaEventKind.MET, at)
        elif row.state != SlaState.BREACHED:
            _event(row, SlaEventKind.BREACH, at)
    if row.resolution_due_at is not None:
        row.target, row.started_at, row.paused_seconds = SlaTarget.RESOLUTION, None, 0
        row.due_at = row.resolution_due_at
        row.warn_at = None
        row.state = SlaState.BREACHED if now > row.due_at else SlaState.OK
    else:
        row.target, row.due_at, row.warn_at, row.state = "", None, None, SlaState.MET
    row.save()
    return row


def pause(row: ConversationSla, now: dt.datetime) -> None:
    if row.paused_at is None and row.target and row.target != SlaTarget.RESOLUTION:
        row.paused_at = now
        row.due_at = row.warn_at = None


def resume(row: ConversationSla, conversation: Conversation, now: dt.datetime) -> None:
    if row.paused_at is None:
        return
    business = row.policy.business_hours if row.policy else False
    cal = calendar_for(handling_site(conversation), now)
    row.paused_seconds += time_between(cal, row.paused_at, now, business)
    row.paused_at = None
    _schedule(row, conversation, now)


def on_status(conversation: Conversation, old: str | None, new: str, now: dt.datetime) -> None:
    row = ConversationSla.objects.select_for_update().filter(pk=conversation.pk).first()
    if row is None:
        return
    if new == Status.PENDING:
        pause(row, now)
    elif new == Status.OPEN:
        resume(row, conversation, now)
    elif new == Status.RESOLVED:
        if row.target == SlaTarget.RESOLUTION and row.due_at is not None:
            _event(row, SlaEventKind.MET if now <= row.due_at else SlaEventKind.BREACH, now)
        row.target, row.due_at, row.warn_at, row.paused_at = "", None, None, None
        row.state = SlaState.MET
    row.save()


def reschedule(conversation: Conversation, now: dt.datetime) -> None:
    """Priority or assignee (so site and calendar) changed: new policy, new due times."""
    row = ConversationSla.objects.select_for_update().filter(pk=conversation.pk).first()
    if row is None:
        return
    row.policy = policy_for(conversation)
    row.resolution_due_at = None
    _schedule(row, conversation, now)
    row.save()


# --- listeners ----------------------------------------------------------------------------


def _conversation(conversation_id: int) -> Conversation | None:
    return (
        Conversation.objects.select_related("inbox", "assignee").filter(pk=conversation_id).first()
    )


def on_messages_created(payloads: list[dict[str, Any]]) -> None:
    """Start, restart or stop the clocks of the conversations these messages belong to.
    A ``batch`` listener (core.events): the policies are looked up once."""
    # Every emitter of MESSAGE_CREATED puts the brand in the event: the conversations are
    # loaded only where a clock may run (a help desk without policies loads none).
    brands = set(
        SlaPolicy.objects.filter(
            is_active=True, brand_id__in={p["brand_id"] for p in payloads}
        ).values_list("brand_id", flat=True)
    )
    # A brand whose policies were switched off still keeps the clocks it started.
    others = {p["conversation_id"] for p in payloads if p["brand_id"] not in brands}
    with_clock = (
        set(ConversationSla.objects.filter(pk__in=others).values_list("pk", flat=True))
        if others
        else set()
    )
    ids = {
        p["conversation_id"]
        for p in payloads
        if p["brand_id"] in brands or p["conversation_id"] in with_clock
    }
    if not ids:
        return
    convs = {
        c.pk: c for c in Conversation.objects.select_related("inbox", "assignee").filter(pk__in=ids)
    }
    kept = [p for p in payloads if p["conversation_id"] in convs]
    if not kept:
        return
    messages = Message.objects.in_bulk([p["message_id"] for p in kept])
    now = timezone.now()
    for p in kept:
        message = messages.get(p["message_id"])
        if message is None:
            continue
        conversation = convs[p["conversation_id"]]
        if message.direction == Direction.IN:
            on_customer_message(conversation, message, now)
        elif message.direction == Direction.OUT and not (message.meta or {}).get("system"):
            # a message the house sends by itself (a survey) answers no one
            on_agent_reply(conversation, message, now)
            conversation.first_response_at = conversation.first_response_at or message.created_at


def start_missed(now: dt.datetime | None = None, limit: int = 500) -> int:
    """The sweep's part: open conversations waiting for an answer in a brand with SLA
    policies but without a clock (the server stopped between a message and its batch)."""
    now = now or timezone.now()
    brands = SlaPolicy.objects.filter(is_active=True).values_list("brand_id", flat=True)
    missed = list(
        Conversation.objects.select_related("inbox", "assignee")
        .filter(
            brand_id__in=brands,
            status=Status.OPEN,
            waiting_since__isnull=False,
            waiting_since__lt=now - dt.timedelta(seconds=30),
            sla__isnull=True,
        )
        .order_by("waiting_since")[:limit]
    )
    started = 0
    for conversation in missed:
        message = (
            Message.objects.filter(conversation=conversation, direction=Direction.IN)
            .order_by("-id")
            .first()
        )
        if message is not None:
            with transaction.atomic():
                on_customer_message(conversation, message, now)
            started += 1
    return started


def on_conversations_updated(payloads: list[dict[str, Any]]) -> None:
    """``on_conversation_updated`` for many (a bulk change): the conversations with a
    clock are found in one query; each one's clock is changed in its own savepoint."""
    moved = {
        p["conversation_id"]
        for p in payloads
        if {"status", "priority", "assignee_id"} & set(p["changes"])
    }
    clocks = set(ConversationSla.objects.filter(pk__in=moved).values_list("pk", flat=True))
    if not clocks:
        return
    convs = {
        c.pk: c
        for c in Conversation.objects.select_related("inbox", "assignee").filter(pk__in=clocks)
    }
    now = timezone.now()
    for p in payloads:
        conversation = convs.get(p["conversation_id"])
        if conversation is None:
            continue
        try:
            with transaction.atomic():
                _clock_changed(conversation, p["changes"], now)
        except Exception:
            log.exception("SLA clock of conversation %s", conversation.pk)


def _clock_changed(conversation: Conversation, changes: dict[str, Any], now: dt.datetime) -> None:
    if "status" in changes:
        on_status(conversation, None, changes["status"], now)
    if "priority" in changes or "assignee_id" in changes:
        reschedule(conversation, now)


@many(on_conversations_updated)
def on_conversation_updated(*, conversation_id: int, changes: dict[str, Any], **_: Any) -> None:
    with transaction.atomic():
        conversation = _conversation(conversation_id)
        if conversation is None:
            return
        _clock_changed(conversation, changes, timezone.now())


def _announce(event: Event, row: ConversationSla) -> None:
    emit(
        event,
        conversation_id=row.conversation_id,
        brand_id=row.brand_id,
        target=str(row.target),
        due_at=row.due_at.isoformat() if row.due_at else "",
    )


def check_due(now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Warn before a breach (alert, routing boost, ``sla.warning``) and record breaches
    (alert, ``sla.breached``): each once per running target, as its clock's state moves
    from ok to warning to breached (a clock found past due skips the warning)."""
    now = now or timezone.now()
    counts = {"warnings": 0, "breaches": 0}
    with transaction.atomic():
        for row in (
            ConversationSla.objects.select_for_update()
            .filter(state__in=[SlaState.OK, SlaState.WARNING], due_at__lte=now)
            .select_related("conversation")[:limit]
        ):
            _event(row, SlaEventKind.BREACH, now)
            row.state = SlaState.BREACHED
            row.save(update_fields=["state", "updated_at"])
            spec = i18n_text.deferred(
                gettext_noop("SLA breached (%(t)s) in conversation #%(n)s"),
                t=i18n_text.choice("sla_target", row.target),
                n=row.conversation.number,
            )
            alerts.create(
                row.brand_id,
                AlertKind.SLA_BREACH,
                i18n_text.render(spec),
                conversation_id=row.conversation_id,
                params={"target": row.target, "number": row.conversation.number},
                i18n=spec,
            )
            _announce(Event.SLA_BREACHED, row)
            counts["breaches"] += 1
        for row in (
            ConversationSla.objects.select_for_update()
            .filter(state=SlaState.OK, warn_at__lte=now)
            .select_related("conversation")[:limit]
        ):
            _event(row, SlaEventKind.WARNING, now)
            row.state = SlaState.WARNING
            row.save(update_fields=["state", "updated_at"])
            spec = i18n_text.deferred(
                gettext_noop("SLA due %(due)s (%(t)s) in conversation #%(n)s"),
                due=row.due_at.isoformat() if row.due_at else "",
                t=i18n_text.choice("sla_target", row.target),
                n=row.conversation.number,
            )
            alerts.create(
                row.brand_id,
                AlertKind.SLA_WARNING,
                i18n_text.render(spec),
                conversation_id=row.conversation_id,
                params={
                    "target": row.target,
                    "number": row.conversation.number,
                    "due": row.due_at.isoformat() if row.due_at else "",
                },
                i18n=spec,
            )
            _announce(Event.SLA_WARNING, row)
            counts["warnings"] += 1
    return counts


def _target(code: Any) -> str:
    return str(SlaTarget(code).label) if code in SlaTarget.values else str(code)


def breach_sentence(params: dict[str, Any]) -> str:
    """What an ``sla_breach`` alert says (core.alerts)."""
    return _("SLA breached (%(t)s) in conversation #%(n)s") % {
        "t": _target(params["target"]),
        "n": int(params["number"]),
    }


def warning_sentence(params: dict[str, Any]) -> str:
    """What an ``sla_warning`` alert says (core.alerts), the due time in the reader's zone."""
    due = parse_datetime(str(params["due"])) if params.get("due") else None
    return _("SLA due %(due)s (%(t)s) in conversation #%(n)s") % {
        "due": alerts.local_time(due) if due else "",
        "t": _target(params["target"]),
        "n": int(params["number"]),
    }
