"""Survey settings and surveys: the one writer of ``SurveySettings`` and ``Survey``.

* the settings that apply to a conversation: its inbox's row when it has one, else its
  brand's (made on first use: CSAT and NPS, one hour after the resolution);
* ``schedule_resolved``: the surveys of a batch of resolutions, with the fields of the
  time copied (agent, team, the agent's site, inbox, channel, language, intent);
* ``expire_reopened``: a conversation reopened before its surveys went out;
* ``send_due`` / ``do_send_now``: one message per resolution carries its surveys
  (``surveys.delivery``);
* ``expire_old``: sent surveys not answered in time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.conversations.models import Conversation, Inbox, Message, Status
from wowdesk.core import permissions
from wowdesk.core.errors import Conflict, InvalidInput, NotFound
from wowdesk.core.models import Agent, Role
from wowdesk.surveys.models import (
    SCALES,
    Survey,
    SurveyChannel,
    SurveySettings,
    SurveyStatus,
    WarrantyAction,
)

log = logging.getLogger(__name__)

DEFAULT_KINDS: tuple[str, ...] = ("csat", "nps")
KINDS: tuple[str, ...] = tuple(SCALES)

# Why a survey expired without an answer.
REOPENED = "reopened"
THROTTLED = "throttled"
NO_CHANNEL = "no_channel"
TIMEOUT = "timeout"
FAILED = "failed"

# The bounds of each number of the settings: (lowest, highest).
BOUNDS: dict[str, tuple[int, int]] = {
    "delay_minutes": (0, 60 * 24 * 30),
    "throttle_days": (0, 365),
    "expires_days": (1, 90),
    "followup_hours": (1, 24 * 30),
    "checkin_days": (1, 90),
    "warranty_days_before": (1, 365),
}
SWITCHES: tuple[str, ...] = (
    "enabled",
    "followup_detractors",
    "checkin_enabled",
    "warranty_enabled",
)
# Every field of the settings, in the order the page and the API show them.
FIELDS: tuple[str, ...] = (
    "enabled",
    "kinds",
    "delay_minutes",
    "channel",
    "throttle_days",
    "expires_days",
    "followup_detractors",
    "followup_hours",
    "checkin_enabled",
    "checkin_days",
    "warranty_enabled",
    "warranty_days_before",
    "warranty_action",
)

SEND_BATCH = 200  # resolutions sent by one run of the job
EXPIRE_BATCH = 1000


# --- settings -------------------------------------------------------------------------------


def brand_settings(brand_id: int) -> SurveySettings:
    """The brand's row, made with the defaults on first use."""
    row = SurveySettings.objects.filter(brand_id=brand_id, inbox__isnull=True).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return SurveySettings.objects.create(brand_id=brand_id, kinds=list(DEFAULT_KINDS))
    except IntegrityError:  # made by a concurrent caller
        return SurveySettings.objects.get(brand_id=brand_id, inbox__isnull=True)


def inbox_settings(brand_id: int, inbox_id: int) -> SurveySettings | None:
    """The inbox's own row, when it overrides the brand's."""
    return SurveySettings.objects.filter(brand_id=brand_id, inbox_id=inbox_id).first()


def settings_for(brand_id: int, inbox_id: int | None) -> SurveySettings:
    """The settings that apply to a conversation of this brand and inbox."""
    if inbox_id is not None:
        row = inbox_settings(brand_id, inbox_id)
        if row is not None:
            return row
    return brand_settings(brand_id)


def settings_for_many(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], SurveySettings]:
    """``settings_for`` of many (brand, inbox) pairs in two queries (and one insert for the
    brands that had no row yet)."""
    pairs = set(pairs)
    brands = {b for b, _i in pairs}
    rows = list(SurveySettings.objects.filter(brand_id__in=brands))
    by_brand = {r.brand_id: r for r in rows if r.inbox_id is None}
    by_inbox = {(r.brand_id, r.inbox_id): r for r in rows if r.inbox_id is not None}
    for missing in sorted(brands - set(by_brand)):
        by_brand[missing] = brand_settings(missing)
    return {(b, i): by_inbox.get((b, i)) or by_brand[b] for b, i in pairs}


def settings_out(row: SurveySettings, *, inherited: bool = False) -> dict[str, Any]:
    """The settings as the API shows them."""
    out: dict[str, Any] = {name: getattr(row, name) for name in FIELDS}
    out["kinds"] = clean_kinds(row.kinds or [], strict=False)
    out.update(
        brand_id=row.brand_id,
        inbox_id=row.inbox_id,
        inherited=inherited,
        updated_at=row.updated_at,
    )
    return out


def clean_kinds(value: object, *, strict: bool = True) -> list[str]:
    """The kinds asked, each once, in order: a subset of csat, nps and ces."""
    if not isinstance(value, list | tuple):
        if strict:
            raise InvalidInput(_("Give a list of surveys: csat, nps, ces."), field="kinds")
        return []
    out: list[str] = []
    for kind in value:
        if kind not in KINDS:
            if strict:
                raise InvalidInput(
                    _("Unknown survey %(kind)s: use csat, nps or ces.") % {"kind": str(kind)[:20]},
                    field="kinds",
                )
            continue
        if kind not in out:
            out.append(str(kind))
    return out


def clean_settings(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes checked: each field named, each value in its bounds; 422 naming the
    field otherwise."""
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in FIELDS:
            raise InvalidInput(_("Unknown setting."), field=name)
        if name == "kinds":
            out[name] = clean_kinds(value)
        elif name in SWITCHES:
            if not isinstance(value, bool):
                raise InvalidInput(_("Say true or false."), field=name)
            out[name] = value
        elif name in BOUNDS:
            lo, hi = BOUNDS[name]
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise InvalidInput(
                    _("Give a whole number from %(lo)s to %(hi)s.") % {"lo": lo, "hi": hi},
                    field=name,
                )
            out[name] = value
        elif name == "channel":
            if value not in SurveyChannel.values:
                raise InvalidInput(_("Use conversation or email."), field=name)
            out[name] = value
        elif name == "warranty_action":
            if value not in WarrantyAction.values:
                raise InvalidInput(_("Use task or offer."), field=name)
            out[name] = value
    return out


def _check_inbox(brand_id: int, inbox_id: int) -> None:
    if not Inbox.objects.filter(pk=inbox_id, brand_id=brand_id).exists():
        raise NotFound(_("This brand has no such inbox."), field="inbox")


def do_patch_settings(
    agent: Agent, brand_id: int, changes: dict[str, Any], *, inbox_id: int | None = None
) -> SurveySettings:
    """Change the brand's settings, or an inbox's (its override is made on first change,
    from the brand's, so every field then applies to that inbox). Administrators only."""
    permissions.check_manages_surveys(agent, brand_id)
    clean = clean_settings(changes)
    brand_row = brand_settings(brand_id)
    if inbox_id is None:
        row = brand_row
    else:
        _check_inbox(brand_id, inbox_id)
        found = inbox_settings(brand_id, inbox_id)
        if found is None:
            row = SurveySettings(brand_id=brand_id, inbox_id=inbox_id)
            for name in FIELDS:
                setattr(row, name, getattr(brand_row, name))
        else:
            row = found
    for name, value in clean.items():
        setattr(row, name, value)
    if not clean_kinds(row.kinds or [], strict=False) and row.enabled and "kinds" in clean:
        raise InvalidInput(_("Choose at least one survey, or switch surveys off."), field="kinds")
    row.save()
    return row


def override_inboxes(brand_id: int) -> list[int]:
    """The brand's inboxes that have their own settings."""
    return list(
        SurveySettings.objects.filter(brand_id=brand_id, inbox__isnull=False)
        .order_by("inbox_id")
        .values_list("inbox_id", flat=True)
    )


def do_drop_override(agent: Agent, brand_id: int, inbox_id: int) -> bool:
    """Remove an inbox's override (its conversations then follow the brand's settings);
    False when it had none."""
    permissions.check_manages_surveys(agent, brand_id)
    deleted, _rows = SurveySettings.objects.filter(brand_id=brand_id, inbox_id=inbox_id).delete()
    return bool(deleted)


# --- scheduling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """A conversation as its surveys copy it."""

    conversation_id: int
    brand_id: int
    inbox_id: int
    customer_id: int
    resolved_at: dt.datetime
    channel: str
    language: str
    agent_id: int | None
    team_id: int | None
    site_id: int | None


RESOLUTION_FIELDS = (
    "id",
    "brand_id",
    "inbox_id",
    "customer_id",
    "resolved_at",
    "status",
    "inbox__channel",
    "language",
    "customer__language",
    "assignee_id",
    "assignee__site_id",
    "team_id",
    "merged_into_id",
)


def _resolutions(conversation_ids: Iterable[int]) -> list[Resolution]:
    out: list[Resolution] = []
    rows = (
        Conversation.objects.filter(pk__in=list(conversation_ids), status=Status.RESOLVED)
        .values(*RESOLUTION_FIELDS)
        .order_by("id")
    )
    for r in rows:
        if r["resolved_at"] is None or r["merged_into_id"] is not None:
            continue  # a conversation merged into another is surveyed there
        out.append(
            Resolution(
                conversation_id=r["id"],
                brand_id=r["brand_id"],
                inbox_id=r["inbox_id"],
                customer_id=r["customer_id"],
                resolved_at=r["resolved_at"],
                channel=r["inbox__channel"],
                language=r["language"] or r["customer__language"] or "",
                agent_id=r["assignee_id"],
                team_id=r["team_id"],
                site_id=r["assignee__site_id"],
            )
        )
    return out


def _bot_intents(conversation_ids: list[int]) -> dict[int, str]:
    """The intent of each conversation's last answer-bot session that named one."""
    from wowdesk.knowledge.models import BotSession

    out: dict[int, str] = {}
    for cid, intent in (
        BotSession.objects.filter(conversation_id__in=conversation_ids)
        .exclude(intent="")
        .order_by("started_at", "id")
        .values_list("conversation_id", "intent")
    ):
        out[cid] = intent  # the last wins
    return out


def _agent_sites(agent_ids: set[int]) -> dict[int, int | None]:
    if not agent_ids:
        return {}
    return dict(Agent.objects.filter(pk__in=agent_ids).values_list("id", "site_id"))


def _recently_surveyed(customer_ids: set[int], since: dt.datetime) -> dict[int, dt.datetime]:
    """The latest survey each customer was sent, or has coming, since ``since``
    (throttled, reopened and undeliverable ones do not count)."""
    out: dict[int, dt.datetime] = {}
    if not customer_ids:
        return out
    rows = (
        Survey.objects.filter(customer_id__in=customer_ids, created_at__gte=since)
        .filter(
            Q(status__in=(SurveyStatus.SCHEDULED, SurveyStatus.SENT, SurveyStatus.ANSWERED))
            | Q(status=SurveyStatus.EXPIRED, expired_reason=TIMEOUT)
        )
        .values_list("customer_id", "created_at")
    )
    for cid, created in rows:
        if cid not in out or created > out[cid]:
            out[cid] = created
    return out


def schedule_resolved(
    conversation_ids: Iterable[int],
    now: dt.datetime | None = None,
    *,
    resolvers: dict[int, int] | None = None,
) -> int:
    """The surveys of these just-resolved conversations (those still resolved), each due
    ``delay_minutes`` after its resolution: a constant number of queries for any batch.
    The agent of a survey is the conversation's assignee, else the agent who resolved it
    (``resolvers``: conversation id → agent id).
    A customer surveyed within the brand's throttle gets them expired (``throttled``), so
    the resolution is still seen as handled; a resolution is never surveyed twice (the
    unique constraint). Returns the number of surveys made."""
    now = now or timezone.now()
    found = _resolutions(conversation_ids)
    if not found:
        return 0
    settings = settings_for_many((r.brand_id, r.inbox_id) for r in found)
    wanted = [r for r in found if settings[(r.brand_id, r.inbox_id)].enabled]
    if not wanted:
        return 0
    longest = max(settings[(r.brand_id, r.inbox_id)].throttle_days for r in wanted)
    recent = (
        _recently_surveyed({r.customer_id for r in wanted}, now - dt.timedelta(days=longest))
        if longest
        else {}
    )
    intents = _bot_intents([r.conversation_id for r in wanted])
    resolvers = resolvers or {}
    sites = _agent_sites(
        {
            resolvers[r.conversation_id]
            for r in wanted
            if r.agent_id is None and r.conversation_id in resolvers
        }
    )
    rows: list[Survey] = []
    surveyed_now: set[int] = set()
    for r in wanted:
        s = settings[(r.brand_id, r.inbox_id)]
        kinds = clean_kinds(s.kinds or [], strict=False)
        if not kinds:
            continue
        last = recent.get(r.customer_id)
        throttled = bool(s.throttle_days) and (
            r.customer_id in surveyed_now
            or (last is not None and last >= now - dt.timedelta(days=s.throttle_days))
        )
        surveyed_now.add(r.customer_id)
        for kind in kinds:
            rows.append(
                Survey(
                    brand_id=r.brand_id,
                    conversation_id=r.conversation_id,
                    customer_id=r.customer_id,
                    kind=kind,
                    status=SurveyStatus.EXPIRED if throttled else SurveyStatus.SCHEDULED,
                    expired_reason=THROTTLED if throttled else "",
                    resolved_at=r.resolved_at,
                    scheduled_for=r.resolved_at + dt.timedelta(minutes=s.delay_minutes),
                    language=r.language[:16],
                    channel=r.channel,
                    inbox_id=r.inbox_id,
                    agent_id=r.agent_id or resolvers.get(r.conversation_id),
                    team_id=r.team_id,
                    site_id=r.site_id
                    if r.agent_id
                    else sites.get(resolvers.get(r.conversation_id) or 0),
                    intent=intents.get(r.conversation_id, "")[:100],
                )
            )
    Survey.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def expire_reopened(conversation_ids: Iterable[int]) -> int:
    """Surveys not yet sent of conversations reopened: expired (``reopened``); a new
    resolution schedules its own."""
    ids = list(conversation_ids)
    if not ids:
        return 0
    return Survey.objects.filter(conversation_id__in=ids, status=SurveyStatus.SCHEDULED).update(
        status=SurveyStatus.EXPIRED, expired_reason=REOPENED
    )


# --- sending --------------------------------------------------------------------------------


def _classify_missing_intents(surveys: list[Survey]) -> None:
    """Surveys with no intent from the answer bot: the first customer message classified by
    the brand's intent model, when it has one (in the job, never on the resolve path)."""
    from wowdesk.conversations.models import Direction
    from wowdesk.knowledge import intents

    blank = [s for s in surveys if not s.intent]
    if not blank:
        return
    brand_id = blank[0].brand_id
    if intents.load_model(brand_id) is None:
        return
    first = (
        Message.objects.filter(conversation_id=blank[0].conversation_id, direction=Direction.IN)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
        .first()
    )
    if not first:
        return
    try:
        result = intents.classify(brand_id, first, blank[0].language or None)
    except Exception:  # a broken model never stops the surveys
        log.exception("classifying conversation %s failed", blank[0].conversation_id)
        return
    if result.intent and not result.out_of_scope:
        ids = [s.pk for s in blank]
        Survey.objects.filter(pk__in=ids).update(intent=result.intent[:100])
        for s in blank:
            s.intent = result.intent[:100]


class Taken(Exception):
    """Another worker sends these surveys."""


def _send_group(surveys: list[Survey], now: dt.datetime) -> str:
    """Send the surveys of one resolution in one message. Returns what happened: ``sent``,
    or the reason they expired."""
    from wowdesk.surveys import delivery

    first = surveys[0]
    conversation = (
        Conversation.objects.select_related("inbox", "customer", "brand")
        .filter(pk=first.conversation_id)
        .first()
    )
    ids = [s.pk for s in surveys]
    if conversation is None:
        return FAILED
    # Claimed first: a worker that took them meanwhile (the cluster runs the job in every
    # worker) changed their status, and then this one leaves them (its row locks wait for
    # the other's commit on PostgreSQL; SQLite has one writer).
    claimed = Survey.objects.filter(pk__in=ids, status=SurveyStatus.SCHEDULED).update(
        status=SurveyStatus.SENT, sent_at=now
    )
    if claimed != len(ids):
        raise Taken
    if conversation.status != Status.RESOLVED or conversation.resolved_at != first.resolved_at:
        # reopened since (by the customer's message, which announces no status change)
        Survey.objects.filter(pk__in=ids).update(
            status=SurveyStatus.EXPIRED, expired_reason=REOPENED, sent_at=None
        )
        return REOPENED
    settings = settings_for(conversation.brand_id, conversation.inbox_id)
    _classify_missing_intents(surveys)
    expires = now + dt.timedelta(days=settings.expires_days)
    for s in surveys:
        s.expires_at = expires
    message = delivery.deliver(conversation, surveys, settings)
    if message is None:
        Survey.objects.filter(pk__in=ids).update(
            status=SurveyStatus.EXPIRED, expired_reason=NO_CHANNEL, sent_at=None
        )
        return NO_CHANNEL
    Survey.objects.filter(pk__in=ids).update(
        status=SurveyStatus.SENT, sent_at=now, expires_at=expires, message=message
    )
    for s in surveys:
        s.status, s.sent_at, s.message = SurveyStatus.SENT, now, message
    return "sent"


def send_due(now: dt.datetime | None = None, limit: int = SEND_BATCH) -> int:
    """Send the surveys due by ``now`` (the periodic job): one message per resolution,
    the oldest first, at most ``limit`` resolutions. Returns how many were sent."""
    now = now or timezone.now()
    due = list(
        Survey.objects.filter(status=SurveyStatus.SCHEDULED, scheduled_for__lte=now).order_by(
            "scheduled_for", "id"
        )[: limit * len(KINDS)]
    )
    groups: dict[tuple[int, dt.datetime], list[Survey]] = defaultdict(list)
    for s in due:
        groups[(s.conversation_id, s.resolved_at)].append(s)
    batch = list(groups.values())
    if len(due) == limit * len(KINDS) and len(batch) > 1:
        batch.pop()  # the cut may have split the last resolution: it goes whole next time
    sent = 0
    for group in batch[:limit]:
        try:
            with transaction.atomic():
                if _send_group(group, now) == "sent":
                    sent += 1
        except Taken:
            continue
        except Exception:  # one conversation failing never blocks the others
            log.exception("sending the surveys of conversation %s failed", group[0].conversation_id)
            Survey.objects.filter(
                pk__in=[s.pk for s in group], status=SurveyStatus.SCHEDULED
            ).update(status=SurveyStatus.EXPIRED, expired_reason=FAILED)
    return sent


def do_send_now(agent: Agent, survey_id: int) -> Survey:
    """Send a survey now (with the others of its resolution still waiting): supervisors and
    administrators of the brand, or the conversation's assignee. A survey already sent is
    sent again (a reminder); 409 for one answered or expired."""
    survey = (
        Survey.objects.select_related("conversation").filter(pk=survey_id).first()
        if 0 < survey_id < 2**63
        else None
    )
    if survey is None:
        raise NotFound(_("No such survey."), field="id")
    permissions.check_brand(agent, survey.brand_id)
    if survey.conversation.assignee_id != agent.pk:
        permissions.require_role(agent, Role.SUPERVISOR, survey.brand_id)
    if survey.status in (SurveyStatus.ANSWERED, SurveyStatus.EXPIRED):
        reason = (
            _("This survey was answered already.")
            if survey.status == SurveyStatus.ANSWERED
            else _("This survey has expired.")
        )
        raise Conflict(
            reason,
            field="status",
            code=f"survey_{survey.status}",
            data={"status": survey.status, "expired_reason": survey.expired_reason},
        )
    group = [survey]
    if survey.status == SurveyStatus.SCHEDULED:
        group += list(
            Survey.objects.filter(
                conversation_id=survey.conversation_id,
                resolved_at=survey.resolved_at,
                status=SurveyStatus.SCHEDULED,
            )
            .exclude(pk=survey.pk)
            .order_by("id")
        )
    now = timezone.now()
    with transaction.atomic():
        # asked by a person: sent even when the conversation was reopened since
        outcome = _send_forced(group, now)
    if outcome != "sent":
        raise Conflict(
            _("This customer cannot be reached on this conversation's channel."),
            field="status",
            code="survey_no_channel",
        )
    survey.refresh_from_db()
    return survey


def _send_forced(surveys: list[Survey], now: dt.datetime) -> str:
    from wowdesk.surveys import delivery

    conversation = Conversation.objects.select_related("inbox", "customer", "brand").get(
        pk=surveys[0].conversation_id
    )
    settings = settings_for(conversation.brand_id, conversation.inbox_id)
    _classify_missing_intents(surveys)
    expires = now + dt.timedelta(days=settings.expires_days)
    message = delivery.deliver(conversation, surveys, settings)
    if message is None:
        return NO_CHANNEL
    Survey.objects.filter(pk__in=[s.pk for s in surveys]).update(
        status=SurveyStatus.SENT, sent_at=now, expires_at=expires, message=message
    )
    return "sent"


def expire_old(now: dt.datetime | None = None, limit: int = EXPIRE_BATCH) -> int:
    """Sent surveys past their ``expires_at``: expired (``timeout``), ``limit`` at a time."""
    now = now or timezone.now()
    ids = list(
        Survey.objects.filter(status=SurveyStatus.SENT, expires_at__lt=now)
        .order_by("expires_at")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return 0
    return Survey.objects.filter(pk__in=ids, status=SurveyStatus.SENT).update(
        status=SurveyStatus.EXPIRED, expired_reason=TIMEOUT
    )


def run_job(now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: send what is due, expire what timed out."""
    now = now or timezone.now()
    return {"sent": send_due(now), "expired": expire_old(now)}
