"""Routing: who takes a conversation, now. Every assignment by the system goes through here.

The choice itself is ``engine.choose`` (pure); this module builds the snapshot of the
brand's agents (present, on shift in their own time zone, load per channel), applies the
decision through the conversations service, and explains it in the thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    HANDBACK_CHANNELS,
    Conversation,
    Direction,
    Message,
    Status,
)
from wowdesk.core import audit, realtime
from wowdesk.core import i18n as i18n_text
from wowdesk.core import services as core_services
from wowdesk.core.errors import InvalidInput
from wowdesk.core.events import many
from wowdesk.core.models import Agent, Presence, Role
from wowdesk.customers.models import Restriction
from wowdesk.customers.restrictions import withholds
from wowdesk.routing import engine
from wowdesk.routing.models import (
    ConversationSla,
    PresenceSpan,
    RoutingSettings,
    SlaPolicy,
    SlaState,
)

log = logging.getLogger(__name__)

# ``conversation.updated``'s ``source`` for routing's own assignments.
SOURCE = "routing"

# Capacity counts what an agent is working on; pending waits on the customer.
OCCUPYING = (Status.OPEN,)
ANGRY_SCORE = -0.5


# --- shifts and capacity ----------------------------------------------------------------


@lru_cache(maxsize=4096)
def _parsed(specs: tuple[str, ...]) -> tuple[Any, ...]:
    from wowdesk.routing.shifts import parse_shift

    return tuple(parse_shift(s) for s in specs)


def on_shift(agent: Agent, now: dt.datetime) -> bool:
    """On shift now. Inside a window of a published roster (``Agent.schedule``), its dated
    shifts decide (a break is off shift); elsewhere the weekly shifts in the agent's own
    time zone. An agent with neither is treated as always on shift (presence alone
    decides): a fresh install routes at once."""
    if agent.schedule:
        from wowdesk.routing.shifts import scheduled_now

        dated = scheduled_now(agent.schedule, now)
        if dated is not None:
            return dated
    if not agent.shifts:
        return True
    from wowdesk.routing.shifts import is_on_shift

    return bool(is_on_shift(_parsed(tuple(agent.shifts)), agent.timezone, now))


# --- the snapshot -------------------------------------------------------------------------


def open_loads(agent_ids: list[int]) -> dict[int, dict[str, int]]:
    """Open conversations per agent and channel, in one query."""
    rows = (
        Conversation.objects.filter(assignee_id__in=agent_ids, status__in=OCCUPYING)
        .values("assignee_id", "inbox__channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[int, dict[str, int]] = {}
    for row in rows:
        out.setdefault(row["assignee_id"], {})[row["inbox__channel"]] = row["n"]
    return out


def agent_state(agent: Agent, load: dict[str, int], now: dt.datetime) -> engine.AgentState:
    levels = {
        code: agent.language_levels.get(code, engine.DEFAULT_LANGUAGE_LEVEL)
        for code in agent.languages
    }
    capacity = {"*": agent.capacity, **{k: int(v) for k, v in agent.channel_capacity.items()}}
    return engine.AgentState(
        id=agent.pk,
        name=agent.display_name,
        site=agent.site.name if agent.site else "",
        presence=agent.presence if agent.is_active else Presence.OFFLINE,
        on_shift=on_shift(agent, now),
        languages=levels,
        skills=frozenset(agent.skills),
        capacity=capacity,
        load=load,
        last_assigned_at=agent.last_assigned_at.timestamp() if agent.last_assigned_at else 0.0,
    )


@dataclass
class Snapshot:
    """The brand's present agents at one instant; loads updated as we assign."""

    now: dt.datetime
    roster: engine.Roster
    models: dict[int, Agent]

    @property
    def agents(self) -> dict[int, engine.AgentState]:
        return self.roster.agents

    def assigned(self, agent_id: int, channel: str) -> None:
        a = self.roster.agents[agent_id]
        load = dict(a.load)
        load[channel] = load.get(channel, 0) + 1
        self.roster.update(replace(a, load=load, last_assigned_at=self.now.timestamp()))


ROUTABLE = Q(role=Role.AGENT) | Q(routing_opt_in=True)


def snapshot(brand_id: int, now: dt.datetime | None = None) -> Snapshot:
    """The brand's online agents who take routed work (supervisors and administrators
    only when they opted in)."""
    now = now or timezone.now()
    agents = list(
        Agent.objects.filter(ROUTABLE, brands=brand_id, is_active=True, presence=Presence.ONLINE)
        .distinct()
        .select_related("site")
    )
    loads = open_loads([a.pk for a in agents])
    return Snapshot(
        now=now,
        roster=engine.Roster(agent_state(a, loads.get(a.pk, {}), now) for a in agents),
        models={a.pk: a for a in agents},
    )


def requirement(conversation: Conversation) -> engine.Requirement:
    skills = set(conversation.inbox.settings.get("required_skills", []) or [])
    if conversation.team is not None:
        skills.update(conversation.team.required_skills or [])
    return engine.Requirement(
        channel=conversation.inbox.channel,
        language=conversation.language or "",
        skills=frozenset(skills),
    )


def _settings(brand_id: int, lock: bool = False) -> RoutingSettings:
    qs = RoutingSettings.objects.all()
    if lock:
        qs = qs.select_for_update()
    found = qs.filter(brand_id=brand_id).first()
    if found is None:
        found = RoutingSettings.objects.create(brand_id=brand_id)
    return found


# --- deciding -------------------------------------------------------------------------


# The engine's reasons and rules (routing/engine.py, no Django there), for the catalogs.
ENGINE_TEXTS = (
    gettext_noop("least loaded"),
    gettext_noop("round robin"),
    gettext_noop("no agents"),
    gettext_noop("not online"),
    gettext_noop("off shift"),
    gettext_noop("does not speak the language"),
    gettext_noop("lacks a required skill"),
    gettext_noop("at capacity"),
)


def explain_spec(
    agent: Agent, state: engine.AgentState, req: engine.Requirement, reason: str
) -> i18n_text.Spec:
    """Why the conversation went to this agent, to be shown in each reader's language."""
    place = ", ".join(p for p in (state.site or "", agent.timezone) if p)
    speaks = (
        i18n_text.deferred(gettext_noop(", speaks %(l)s"), l=req.language) if req.language else ""
    )
    return i18n_text.deferred(
        gettext_noop("Routed to %(name)s (%(place)s%(speaks)s) — %(reason)s"),
        name=state.name,
        place=place,
        speaks=speaks,
        reason=i18n_text.deferred(reason),
    )


def explain(agent: Agent, state: engine.AgentState, req: engine.Requirement, reason: str) -> str:
    return i18n_text.render(explain_spec(agent, state, req, reason))


def waiting_reason_spec(decision: engine.Decision, req: engine.Requirement) -> i18n_text.Spec:
    """Why nobody took the conversation (``engine._nobody``'s text, translatable)."""
    rejections = dict(decision.rejections)
    if not rejections:
        return i18n_text.deferred(gettext_noop("no agents"))
    order = [r.value for r in engine.Rejection]
    top = max(rejections, key=lambda k: (rejections[k], -order.index(k)))
    if req.language:
        return i18n_text.deferred(
            gettext_noop("nobody eligible for language %(lang)s (%(rule)s: %(n)s)"),
            lang=req.language,
            rule=i18n_text.deferred(top),
            n=rejections[top],
        )
    return i18n_text.deferred(
        gettext_noop("nobody eligible (%(rule)s: %(n)s)"),
        rule=i18n_text.deferred(top),
        n=rejections[top],
    )


def route(
    conversation: Conversation,
    *,
    snap: Snapshot | None = None,
    now: dt.datetime | None = None,
    settings_row: RoutingSettings | None = None,
    note_waiting: bool | None = None,
) -> engine.Decision | None:
    """Assign the conversation if it needs an agent and someone eligible is there.

    Returns the decision, or None when the conversation needs no routing (resolved,
    or assigned to someone still available). ``note_waiting`` writes the "waiting in the
    queue" activity (once per conversation) when nobody is eligible; serving the queue
    again later does not repeat it."""
    if conversation.status == Status.RESOLVED or conversation.bot_holds:
        return None  # resolved, or the answer bot has it (knowledge.bot_services)
    if withheld(conversation):
        return None  # the customer is restricted or blocked (policies.abuse_services)
    settings_row = settings_row or _settings(conversation.brand_id, lock=True)
    if not settings_row.auto_assign:
        return None
    if conversation.assignee_id is not None and keeps(conversation, now):
        return None
    snap = snap or snapshot(conversation.brand_id, now)
    req = requirement(conversation)
    strategy = engine.Strategy(settings_row.strategy)
    # The current assignee, if any, does not keep it (``keeps``): the roster skips them.
    decision = snap.roster.choose(req, strategy, settings_row.last_agent_id)
    if decision.agent is None:
        if note_waiting is None:
            note_waiting = conversation.pk not in waiting_noted([conversation.pk])
        if note_waiting:
            _note_waiting(conversation, decision, req)
        return decision
    agent = snap.models[decision.agent.id]
    spec = explain_spec(agent, decision.agent, req, decision.reason)
    conversations.update_conversation(
        conversation,
        actor=None,
        assignee_id=agent.pk,
        reason=i18n_text.render(spec),
        reason_i18n=spec,
        source=SOURCE,
    )
    core_services.note_assigned(agent.pk, snap.now)
    snap.assigned(agent.pk, req.channel)
    if strategy == engine.Strategy.ROUND_ROBIN:
        RoutingSettings.objects.filter(pk=settings_row.pk).update(last_agent_id=agent.pk)
        settings_row.last_agent_id = agent.pk
    return decision


def _note_waiting(
    conversation: Conversation, decision: engine.Decision, req: engine.Requirement
) -> None:
    """Say in the thread that the conversation waits in the queue, and why (callers
    check ``waiting_noted`` so it is said once)."""
    spec = i18n_text.deferred(
        gettext_noop("Waiting in the queue: %(why)s"),
        why=waiting_reason_spec(decision, req),
    )
    conversations.add_activity(
        conversation,
        _("Waiting in the queue: %(why)s") % {"why": decision.reason},
        actor=None,
        meta={"routing": "waiting", "rejections": dict(decision.rejections)},
        i18n=spec,
    )


def withheld(conversation: Conversation) -> bool:
    """Whether the conversation's customer is restricted (this is not their channel) or
    blocked: their messages are stored and answered by a template, never routed."""
    customer = conversation.customer
    return withholds(customer.restriction, customer.restriction_channel, conversation.inbox.channel)


def _waiting_entry(c: Conversation, angry_ids: set[int], risky: set[int]) -> engine.Waiting:
    waiting = c.waiting_since or c.created_at
    return engine.Waiting(
        conversation_id=c.pk,
        priority=c.priority,
        vip=bool(c.customer.vip_tier),
        angry=c.pk in angry_ids,
        sla_at_risk=c.pk in risky,
        waiting_since=waiting.timestamp(),
    )


def waiting_queue(brand_id: int, limit: int = 500) -> list[Conversation]:
    """Unassigned open conversations in the order they should be served."""
    convs = list(
        Conversation.objects.filter(
            brand_id=brand_id, status=Status.OPEN, assignee__isnull=True, bot_holds=False
        )
        .exclude(customer__restriction=Restriction.BLOCKED)
        .select_related("customer", "inbox", "team")
        .order_by("waiting_since", "id")[:limit]
    )
    if not convs:
        return []
    ids = [c.pk for c in convs]
    angry = set(
        Message.objects.filter(
            conversation_id__in=ids, direction=Direction.IN, emotion__lte=ANGRY_SCORE
        ).values_list("conversation_id", flat=True)
    )
    risky = set(
        ConversationSla.objects.filter(
            conversation_id__in=ids, state__in=[SlaState.WARNING, SlaState.BREACHED]
        ).values_list("conversation_id", flat=True)
    )
    by_id = {c.pk: c for c in convs}
    ordered = engine.order_queue([_waiting_entry(c, angry, risky) for c in convs])
    return [by_id[w.conversation_id] for w in ordered]


def route_waiting(brand_id: int, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Serve the queue: assign every waiting conversation someone eligible can take."""
    queue = waiting_queue(brand_id, limit)
    if not queue:
        return 0
    snap = snapshot(brand_id, now)
    if not snap.agents:
        return 0
    settings_row = _settings(brand_id, lock=True)
    assigned = 0
    for conversation in queue:
        # One snapshot and one settings row for the whole queue; the conversations here
        # were told they wait when they arrived, so no note again.
        decision = route(conversation, snap=snap, settings_row=settings_row, note_waiting=False)
        if decision is not None and decision.agent is not None:
            assigned += 1
    return assigned


# --- presence -----------------------------------------------------------------------------


def handed_back_on_offline() -> Q:
    """Conversations of inboxes that hand back their open conversations when the owner
    goes offline (``Inbox.hands_back``: chat and voice unless the inbox says otherwise)."""
    return Q(inbox__offline_handback=True) | Q(
        inbox__offline_handback__isnull=True, inbox__channel__in=sorted(HANDBACK_CHANNELS)
    )


def record_presence_span(agent_id: int, presence: str, at: dt.datetime) -> None:
    """Close the agent's open presence span at ``at`` and open one for ``presence``
    (real-time adherence reads them)."""
    PresenceSpan.objects.filter(agent_id=agent_id, end__isnull=True).update(end=at)
    PresenceSpan.objects.create(agent_id=agent_id, presence=presence, start=at)


def presence_spans(
    agent_ids: list[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[tuple[str, dt.datetime, dt.datetime | None]]]:
    """Each agent's presence spans that overlap ``[start, end)``, oldest first, in one
    query."""
    out: dict[int, list[tuple[str, dt.datetime, dt.datetime | None]]] = {}
    rows = (
        PresenceSpan.objects.filter(agent_id__in=agent_ids, start__lt=end)
        .filter(Q(end__isnull=True) | Q(end__gt=start))
        .order_by("agent_id", "start", "id")
        .values_list("agent_id", "presence", "start", "end")
    )
    for agent_id, presence, s, e in rows:
        out.setdefault(agent_id, []).append((presence, s, e))
    return out


def publish_schedule(
    agent: Agent,
    window: tuple[dt.datetime, dt.datetime],
    shifts: list[tuple[dt.datetime, dt.datetime, list[tuple[dt.datetime, dt.datetime]]]],
) -> Agent:
    """Make ``shifts`` the agent's shifts inside ``window`` (a published roster's week):
    routing follows them there instead of the weekly shifts; a later publication of the
    same window replaces them."""
    from wowdesk.routing.shifts import merge_schedule

    schedule = merge_schedule(agent.schedule or {}, window, shifts, now=timezone.now())
    return core_services.set_agent_schedule(agent, schedule)


def set_presence(
    agent: Agent,
    status: str,
    *,
    by: Agent | None = None,
    actor: Agent | None = None,
    auto: bool = False,
) -> Agent:
    """Set an agent online, away or offline. ``by``: who did it (``actor`` is the same;
    None: the system); ``auto``: the system did it (idle, last tab closed), so the next
    activity or tab may put them back online.

    Online: the queue is served at once. Away: no new work, the agent keeps theirs.
    Offline: open conversations of inboxes that hand back (chat and voice by default)
    go back to the queue; email, social and API conversations stay with their owner."""
    actor = by if by is not None else actor
    if status not in Presence.values:
        raise InvalidInput(_("Presence is online, away or offline."), field="status")
    if agent.presence == status:
        if agent.presence_auto != auto:
            core_services.set_presence_fields(agent, presence_auto=auto)
        return agent
    before = agent.presence
    changed_at = timezone.now()
    core_services.set_presence_fields(
        agent, presence=status, presence_auto=auto, presence_changed_at=changed_at
    )
    record_presence_span(agent.pk, status, changed_at)
    audit.record(
        action="agent.presence",
        obj=agent,
        actor=actor,
        brand_id=None,
        before={"presence": before},
        after={"presence": status, **({"auto": True} if auto else {})},
    )
    brand_ids = list(agent.brands.values_list("id", flat=True))
    # The supervisor board refreshes, the agent's own tabs show it in the switch
    # (web/static/web/live.js).
    groups = [realtime.brand_group(b) for b in brand_ids] or [realtime.agent_group(agent.pk)]
    for group in groups:
        realtime.publish(group, "presence.changed", agent_id=agent.pk, presence=status)
    if status == Presence.OFFLINE:
        for conversation in (
            Conversation.objects.filter(
                handed_back_on_offline(), assignee=agent, status=Status.OPEN
            )
            .select_related("inbox", "team", "customer")
            .order_by("id")
        ):
            conversations.update_conversation(
                conversation,
                actor=None,
                assignee_id=None,
                reason=_("%(name)s went offline: back to the queue") % {"name": agent.display_name},
                reason_i18n=i18n_text.deferred(
                    gettext_noop("%(name)s went offline: back to the queue"),
                    name=agent.display_name,
                ),
            )
    transaction.on_commit(lambda: _route_brands(brand_ids))
    return agent


def set_routing_opt_in(agent: Agent, opt_in: bool, *, by: Agent | None) -> Agent:
    """Whether a supervisor or administrator is routed conversations (agents always
    are). Opting in while online serves the queue at once."""
    from wowdesk.core.services import update_agent

    update_agent(agent, actor=by, routing_opt_in=bool(opt_in))
    if opt_in and agent.presence == Presence.ONLINE:
        brand_ids = list(agent.brands.values_list("id", flat=True))
        transaction.on_commit(lambda: _route_brands(brand_ids))
    return agent


def _route_brands(brand_ids: list[int]) -> None:
    for brand_id in brand_ids:
        try:
            with transaction.atomic():
                route_waiting(brand_id)
        except Exception:
            log.exception("routing the queue of brand %s failed", brand_id)


# --- listeners (core/events.py) -------------------------------------------------------------


def on_messages_created(payloads: list[dict[str, Any]]) -> None:
    """Customers wrote: make sure someone available has each conversation. A batch
    (a ``batch`` listener, core.events) reads each brand's roster and settings once."""
    ids = _customer_message_conversations(payloads)
    if not ids:
        return
    waiting = [
        c
        for c in Conversation.objects.select_related("inbox", "team", "assignee", "customer")
        .filter(pk__in=ids, bot_holds=False)
        .exclude(status=Status.RESOLVED)
        .order_by("id")
        if not keeps(c)  # the common follow-up: its agent is here
    ]
    if not waiting:
        return
    noted = waiting_noted([c.pk for c in waiting])
    by_brand: dict[int, list[Conversation]] = {}
    for c in waiting:
        by_brand.setdefault(c.brand_id, []).append(c)
    for brand_id, convs in by_brand.items():
        settings_row = _settings(brand_id, lock=True)
        if not settings_row.auto_assign:
            continue
        snap = snapshot(brand_id)
        for conversation in convs:
            route(
                conversation,
                snap=snap,
                settings_row=settings_row,
                note_waiting=conversation.pk not in noted,
            )


def _customer_message_conversations(payloads: list[dict[str, Any]]) -> list[int]:
    # Every emitter of MESSAGE_CREATED puts the direction in the event.
    return list(
        dict.fromkeys(p["conversation_id"] for p in payloads if p["direction"] == Direction.IN)
    )


def waiting_noted(conversation_ids: list[int]) -> set[int]:
    """Conversations whose latest activity already says they wait in the queue."""
    latest = (
        Message.objects.filter(conversation_id__in=conversation_ids, direction=Direction.ACTIVITY)
        .values("conversation_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    return {
        conversation_id
        for conversation_id, meta in Message.objects.filter(pk__in=list(latest)).values_list(
            "conversation_id", "meta"
        )
        if (meta or {}).get("routing") == "waiting"
    }


def available_agents(brand_id: int, now: dt.datetime | None = None) -> list[Agent]:
    """The brand's active agents who are online, on shift now and take routed work
    (chat's "someone is here", the voice screen-pop's recipients): a supervisor who has
    not opted in is not someone a customer is waiting for."""
    now = now or timezone.now()
    online = Agent.objects.filter(
        ROUTABLE, brands=brand_id, is_active=True, presence=Presence.ONLINE
    )
    return [a for a in online.order_by("id") if on_shift(a, now)]


def keeps(conversation: Conversation, now: dt.datetime | None = None) -> bool:
    """Whether the conversation stays with its assignee. An away agent keeps theirs; an
    offline or off-shift one keeps those of inboxes that do not hand back (email, social,
    API by default: the customer waits for their person), not live chats and calls."""
    agent = conversation.assignee
    if agent is None or not agent.is_active:
        return False
    if not conversation.inbox.hands_back:
        return True
    return agent.presence in (Presence.ONLINE, Presence.AWAY) and on_shift(
        agent, now or timezone.now()
    )


def on_conversations_updated(payloads: list[dict[str, Any]]) -> None:
    """``on_conversation_updated`` for many (a bulk change): each brand's queue served
    once, after all of them."""
    brands = {
        p["brand_id"]
        for p in payloads
        if p.get("source", "") != SOURCE and {"status", "assignee_id"} & set(p["changes"])
    }
    if brands:
        _route_brands(sorted(brands))


@many(on_conversations_updated)
def on_conversation_updated(
    *, conversation_id: int, brand_id: int, changes: dict[str, Any], source: str = "", **_: Any
) -> None:
    """A conversation was resolved or unassigned: capacity freed, serve the queue. Not
    after routing's own assignments (``source``): serving the queue is what made them."""
    if source == SOURCE:
        return
    if "status" not in changes and "assignee_id" not in changes:
        return
    _route_brands([brand_id])


def wake_snoozed(now: dt.datetime | None = None) -> dict[str, int]:
    """Every 30 s from the worker: snoozed conversations whose time has come are open
    again with their owner; one whose owner does not keep it (``keeps``: a live chat
    whose agent went offline) goes to someone available."""
    now = now or timezone.now()
    woken = 0
    for conversation in conversations.snoozed_due(now):
        with transaction.atomic():
            conversations.wake(conversation)
            if conversation.assignee_id is not None and not keeps(conversation, now):
                conversations.update_conversation(
                    conversation,
                    actor=None,
                    assignee_id=None,
                    reason=_("%(name)s is not available: back to the queue")
                    % {"name": conversation.assignee.display_name if conversation.assignee else ""},
                )
        woken += 1
    return {"woken": woken}


def tick(now: dt.datetime | None = None) -> dict[str, int]:
    """Every 30 s from the worker: shifts start and end, so serve every brand's queue."""
    from wowdesk.core.models import Brand

    assigned = 0
    for brand_id in Brand.objects.values_list("id", flat=True):
        with transaction.atomic():
            assigned += route_waiting(brand_id, now)
    return {"assigned": assigned}


SLA_POLICY_FIELDS = (
    "name",
    "priority",
    "channel",
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "business_hours",
    "warn_at",
    "position",
    "is_active",
)


def create_sla_policy(*, brand_id: int, actor: Agent | None, **fields: Any) -> SlaPolicy:
    policy = SlaPolicy.objects.create(brand_id=brand_id, **fields)
    audit.record(
        action="sla_policy.create",
        obj=policy,
        actor=actor,
        brand_id=brand_id,
        after={k: fields.get(k) for k in SLA_POLICY_FIELDS if k in fields},
    )
    return policy


def update_sla_policy(policy: SlaPolicy, *, actor: Agent | None, **fields: Any) -> SlaPolicy:
    before = {k: getattr(policy, k) for k in SLA_POLICY_FIELDS}
    for key, value in fields.items():
        if key in SLA_POLICY_FIELDS and (value is not None or key.endswith("_minutes")):
            setattr(policy, key, value)
    if not policy.first_response_minutes:
        raise InvalidInput(
            _("A policy needs a first response target."), field="first_response_minutes"
        )
    policy.save()
    b, a = audit.diff(before, {k: getattr(policy, k) for k in SLA_POLICY_FIELDS})
    if a:
        audit.record(
            action="sla_policy.update",
            obj=policy,
            actor=actor,
            brand_id=policy.brand_id,
            before=b,
            after=a,
        )
    return policy


def coverage_report(
    brand_id: int, week_of: dt.date, ref_tz: str
) -> dict[str, tuple[list[str], int]]:
    """language -> (uncovered spans like "Sat 02:00–06:00 UTC", covered hours of 168)."""
    from wowdesk.routing.shifts import coverage_gaps, parse_shifts, weekly_coverage

    agents = Agent.objects.filter(brands=brand_id, is_active=True)
    always = parse_shifts(["mon-sun 00:00-24:00"])
    rows = [
        (parse_shifts(a.shifts) if a.shifts else always, a.timezone, a.languages) for a in agents
    ]
    coverage = weekly_coverage(rows, week_of, ref_tz)
    gaps = coverage_gaps(coverage, ref_tz)
    return {
        lang: ([str(g) for g in gaps.get(lang, [])], sum(1 for h in hours if h))
        for lang, hours in coverage.items()
    }


ROUTING_SETTINGS_FIELDS = ("strategy", "auto_assign")


def update_routing_settings(
    row: RoutingSettings, *, actor: Agent | None, **fields: Any
) -> RoutingSettings:
    """Change how a brand routes (strategy, automatic assignment)."""
    from wowdesk.core.services import save_fields

    values = {k: v for k, v in fields.items() if k in ROUTING_SETTINGS_FIELDS}
    return save_fields(  # type: ignore[no-any-return]
        row, fields=values, actor=actor, brand_id=row.brand_id, action="routing_settings.update"
    )


def delete_sla_policy(policy: SlaPolicy, *, actor: Agent | None) -> None:
    """Delete a policy; running clocks keep their targets."""
    from wowdesk.core.services import delete_row

    delete_row(policy, actor=actor, brand_id=policy.brand_id, action="sla_policy.delete")
