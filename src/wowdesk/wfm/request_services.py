"""Swap and time-off requests: the writer of ``ShiftRequest``.

An agent asks to hand one of their own future published shifts to a colleague (optionally
taking one of the colleague's in exchange; with no colleague, to drop the shift), or for
time off. The supervisors of the brand are told (``approval_needed``); one of them (or an
administrator) approves or declines, and the agent — and the colleague of a swap — is told
(``approval_decided``). Approving moves or cuts the roster's shifts through
``wfm.roster_services`` and republishes the affected agents' weeks to routing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.core import audit, i18n, permissions
from wowdesk.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wowdesk.core.models import Agent, Membership, Role
from wowdesk.notifications import services as notifications
from wowdesk.notifications.models import Kind
from wowdesk.routing import services as routing
from wowdesk.wfm import roster_services
from wowdesk.wfm.models import (
    RequestKind,
    RequestStatus,
    RosterShift,
    RosterStatus,
    ShiftRequest,
)

DEFAULT_REST_HOURS = 11.0
MAX_TIME_OFF_DAYS = 60
OPEN = (RequestStatus.PENDING, RequestStatus.APPROVED)


def _rest_hours(shift: RosterShift) -> float:
    rules = (shift.roster.request or {}).get("rules") or {}
    try:
        return float(rules.get("min_rest_hours", DEFAULT_REST_HOURS))
    except (TypeError, ValueError):
        return DEFAULT_REST_HOURS


def _published_future(shift: RosterShift, now: dt.datetime, field: str) -> None:
    if shift.roster.status != RosterStatus.PUBLISHED:
        raise Conflict(_("Only a shift of a published roster can be swapped."), field=field)
    if shift.start <= now:
        raise Conflict(_("Only a shift that has not started can be swapped."), field=field)


def _check_can_take(agent: Agent, shift: RosterShift, *, without: list[int]) -> None:
    """``agent`` may work ``shift``: active, of the brand, speaks its language, and free
    then with the rest kept around it (their published shifts, less ``without``)."""
    brand_id = shift.roster.brand_id
    if (
        not agent.is_active
        or not Membership.objects.filter(agent=agent, brand_id=brand_id).exists()
    ):
        raise InvalidInput(
            _("The colleague must be an active agent of the brand."), field="other_agent_id"
        )
    if shift.language and shift.language not in (agent.languages or []):
        raise InvalidInput(
            _("%(name)s does not speak the language of this shift (%(lang)s).")
            % {"name": agent.display_name, "lang": shift.language},
            field="other_agent_id",
        )
    rest = dt.timedelta(hours=_rest_hours(shift))
    near = (
        RosterShift.objects.filter(
            agent=agent,
            roster__status=RosterStatus.PUBLISHED,
            start__lt=shift.end + rest,
            end__gt=shift.start - rest,
        )
        .exclude(pk__in=without)
        .order_by("start")
    )
    for other in near:
        if other.start < shift.end and other.end > shift.start:
            raise InvalidInput(
                _("%(name)s already works then.") % {"name": agent.display_name},
                field="other_agent_id",
            )
        raise InvalidInput(
            _("%(name)s would not get %(hours)s hours of rest between shifts.")
            % {"name": agent.display_name, "hours": f"{rest.total_seconds() / 3600:g}"},
            field="other_agent_id",
        )


def _supervisors(brand_id: int, but: int) -> list[int]:
    return list(
        Membership.objects.filter(
            brand_id=brand_id,
            role__in=(Role.SUPERVISOR, Role.ADMIN),
            agent__is_active=True,
        )
        .exclude(agent_id=but)
        .values_list("agent_id", flat=True)
        .order_by("agent_id")
    )


def describe_spec(req: ShiftRequest) -> i18n.Spec:
    """ "a shift swap of Ana Lopez" / "time off for Ana Lopez" as a text spec, shown in each
    reader's language."""
    if req.kind == RequestKind.SWAP:
        return i18n.deferred(gettext_noop("a shift swap of %(name)s"), name=req.agent.display_name)
    return i18n.deferred(gettext_noop("time off for %(name)s"), name=req.agent.display_name)


def describe(req: ShiftRequest) -> str:
    """The short line of :func:`describe_spec` in the active language."""
    return i18n.render(describe_spec(req))


def _ask_supervisors(req: ShiftRequest) -> None:
    ids = _supervisors(req.brand_id, req.agent_id)
    what, spec = describe(req), describe_spec(req)
    path = reverse("wfm:requests")
    transaction.on_commit(
        lambda: notifications.notify_approval_needed(
            agent_ids=ids,
            brand_id=req.brand_id,
            what=what,
            what_i18n=spec,
            actor_id=req.agent_id,
            path=path,
        )
    )


def request_swap(
    actor: Agent,
    shift: RosterShift,
    *,
    other_agent: Agent | None = None,
    other_shift: RosterShift | None = None,
    reason: str = "",
) -> ShiftRequest:
    """Ask to hand ``shift`` (one's own, published, not started) to ``other_agent``
    (taking ``other_shift`` of theirs in exchange, if given); no colleague: to drop it."""
    now = timezone.now()
    if shift.agent_id != actor.pk:
        raise NotFound(_("No such shift of yours."), field="shift_id")
    _published_future(shift, now, "shift_id")
    if ShiftRequest.objects.filter(
        Q(shift=shift) | Q(other_shift=shift), status=RequestStatus.PENDING
    ).exists():
        raise Conflict(_("This shift already has a pending request."), field="shift_id")
    if other_shift is not None and other_agent is None:
        raise InvalidInput(_("Name the colleague whose shift you take."), field="other_agent_id")
    if other_agent is not None:
        if other_agent.pk == actor.pk:
            raise InvalidInput(_("Pick a colleague, not yourself."), field="other_agent_id")
        exchange = [other_shift.pk] if other_shift is not None else []
        _check_can_take(other_agent, shift, without=exchange)
        if other_shift is not None:
            if other_shift.agent_id != other_agent.pk or (
                other_shift.roster.brand_id != shift.roster.brand_id
            ):
                raise NotFound(_("No such shift of that colleague."), field="other_shift_id")
            _published_future(other_shift, now, "other_shift_id")
            _check_can_take(actor, other_shift, without=[shift.pk])
    req = ShiftRequest.objects.create(
        brand_id=shift.roster.brand_id,
        agent=actor,
        kind=RequestKind.SWAP,
        shift=shift,
        other_agent=other_agent,
        other_shift=other_shift,
        start=shift.start,
        end=shift.end,
        reason=reason.strip()[:500],
    )
    audit.record(
        action="wfm.request_created",
        obj=req,
        actor=actor,
        brand_id=req.brand_id,
        after={"kind": req.kind, "shift": shift.pk, "other_agent": req.other_agent_id},
    )
    _ask_supervisors(req)
    return req


def request_time_off(
    actor: Agent, brand_id: int, *, start: dt.datetime, end: dt.datetime, reason: str = ""
) -> ShiftRequest:
    """Ask for ``[start, end)`` off in the brand; must not overlap another pending or
    approved time off of one's own."""
    permissions.check_brand(actor, brand_id)
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput(_("Give times with their offset."), field="start")
    if end <= start:
        raise InvalidInput(_("The end must come after the start."), field="end")
    if end <= timezone.now():
        raise InvalidInput(_("Time off must end in the future."), field="end")
    if end - start > dt.timedelta(days=MAX_TIME_OFF_DAYS):
        raise InvalidInput(
            _("Ask for at most %(n)d days at a time.") % {"n": MAX_TIME_OFF_DAYS}, field="end"
        )
    if ShiftRequest.objects.filter(
        agent=actor, kind=RequestKind.TIME_OFF, status__in=OPEN, start__lt=end, end__gt=start
    ).exists():
        raise Conflict(_("You already asked for time off then."), field="start")
    req = ShiftRequest.objects.create(
        brand_id=brand_id,
        agent=actor,
        kind=RequestKind.TIME_OFF,
        start=start,
        end=end,
        reason=reason.strip()[:500],
    )
    audit.record(
        action="wfm.request_created",
        obj=req,
        actor=actor,
        brand_id=brand_id,
        after={"kind": req.kind, "start": start.isoformat(), "end": end.isoformat()},
    )
    _ask_supervisors(req)
    return req


def cancel_request(actor: Agent, req: ShiftRequest) -> ShiftRequest:
    """The agent withdraws their own pending request."""
    if req.agent_id != actor.pk:
        raise NotFound(_("No such request of yours."))
    if req.status != RequestStatus.PENDING:
        raise Conflict(_("Only a pending request can be cancelled."), field="status")
    req.status = RequestStatus.CANCELLED
    req.save(update_fields=["status"])
    audit.record(
        action="wfm.request_cancelled", obj=req, actor=actor, brand_id=req.brand_id, after={}
    )
    return req


def decide_request(
    actor: Agent, req: ShiftRequest, *, decision: str, note: str = ""
) -> ShiftRequest:
    """Approve or decline a pending request (a supervisor or administrator of its brand).
    Approving a swap moves the shift(s) and republishes both agents' weeks; approving time
    off cuts the agent's published shifts in that span and republishes."""
    permissions.check_plans_workforce(actor, req.brand_id)
    if decision not in ("approve", "decline"):
        raise InvalidInput(_("Decide approve or decline."), field="decision")
    with transaction.atomic():
        req = ShiftRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != RequestStatus.PENDING:
            raise Conflict(_("This request was already decided."), field="status")
        if decision == "approve":
            _apply(actor, req)
        req.status = RequestStatus.APPROVED if decision == "approve" else RequestStatus.DECLINED
        req.decided_by = actor
        req.decided_at = timezone.now()
        req.note = note.strip()[:500]
        req.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit.record(
            action="wfm.request_decided",
            obj=req,
            actor=actor,
            brand_id=req.brand_id,
            after={"status": req.status, "note": req.note},
        )
        told = [req.agent_id] + ([req.other_agent_id] if req.other_agent_id else [])
        params = {
            "what": describe(req),
            "what_i18n": describe_spec(req),
            "decision": req.status,
            "by": actor.display_name,
            "path": reverse("wfm:schedule"),
        }
        drafts = [
            notifications.Draft(
                agent_id=a,
                brand_id=req.brand_id,
                kind=Kind.APPROVAL_DECIDED,
                actor_id=actor.pk,
                params=params,
            )
            for a in told
        ]
        transaction.on_commit(lambda: notifications.deliver(drafts))
    return req


def _apply(actor: Agent, req: ShiftRequest) -> None:
    if req.kind == RequestKind.TIME_OFF:
        assert req.start is not None and req.end is not None
        roster_services.cut_shifts(actor, req.agent, req.start, req.end)
        return
    shift = req.shift
    if shift is None:
        raise Conflict(_("The shift is gone."), field="shift_id")
    shift = RosterShift.objects.select_related("roster").get(pk=shift.pk)
    if shift.agent_id != req.agent_id:
        raise Conflict(_("The shift is no longer this agent's."), field="shift_id")
    now = timezone.now()
    _published_future(shift, now, "shift_id")
    if req.other_agent is None:  # drop the shift
        roster_services.cut_shifts(actor, req.agent, shift.start, shift.end)
        return
    other_shift = (
        RosterShift.objects.select_related("roster").get(pk=req.other_shift_id)
        if req.other_shift_id
        else None
    )
    exchange = [other_shift.pk] if other_shift is not None else []
    try:
        _check_can_take(req.other_agent, shift, without=exchange)
        if other_shift is not None:
            _published_future(other_shift, now, "other_shift_id")
            _check_can_take(req.agent, other_shift, without=[shift.pk])
    except InvalidInput as exc:
        raise Conflict(str(exc), field=exc.field) from None
    roster_services.reassign_shift(actor, shift, req.other_agent)
    if other_shift is not None:
        roster_services.reassign_shift(actor, other_shift, req.agent)


# --- reads --------------------------------------------------------------------------------


def visible(agent: Agent) -> QuerySet[ShiftRequest]:
    """One's own requests, and every request of the brands one plans."""
    return ShiftRequest.objects.filter(
        Q(agent=agent) | Q(brand_id__in=permissions.planner_brands(agent))
    ).select_related("agent", "other_agent", "shift", "other_shift", "decided_by")


def get_visible(agent: Agent, pk: int) -> ShiftRequest:
    row = visible(agent).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such request."))
    return row


def check_swap_shift(actor: Agent, shift_id: int) -> RosterShift:
    row = (
        RosterShift.objects.select_related("roster")
        .filter(pk=shift_id, agent=actor, roster__brand_id__in=permissions.visible_brand_ids(actor))
        .first()
    )
    if row is None:
        raise NotFound(_("No such shift of yours."), field="shift_id")
    return row


def colleagues_for(shift: RosterShift) -> list[Agent]:
    """Who could take ``shift`` over as it stands (active in the brand, speaks its
    language, free then with the rest kept), in two queries."""
    rest = dt.timedelta(hours=_rest_hours(shift))
    candidates = [
        a
        for a in Agent.objects.filter(brands=shift.roster.brand_id, is_active=True)
        .exclude(pk=shift.agent_id)
        .order_by("display_name", "id")[:500]
        if not shift.language or shift.language in (a.languages or [])
    ]
    busy = set(
        RosterShift.objects.filter(
            agent_id__in=[a.pk for a in candidates],
            roster__status=RosterStatus.PUBLISHED,
            start__lt=shift.end + rest,
            end__gt=shift.start - rest,
        ).values_list("agent_id", flat=True)
    )
    return [a for a in candidates if a.pk not in busy]


def check_sees_schedule(actor: Agent, agent: Agent) -> None:
    """One's own schedule; planners any agent of the brands they plan."""
    if agent.pk == actor.pk:
        return
    brands = set(agent.memberships.values_list("brand_id", flat=True))
    if not brands & permissions.visible_brand_ids(actor):
        raise NotFound(_("No such agent."), field="agent")
    if not brands & permissions.planner_brands(actor):
        raise Forbidden(_("You may see only your own schedule."), field="agent")


def schedule_of(agent: Agent, start: dt.datetime, end: dt.datetime) -> dict[str, object]:
    """The agent's shifts in ``[start, end)``: the shifts of published rosters (with their
    breaks and ids, for a swap) inside the published weeks, the weekly shifts elsewhere —
    what routing follows."""
    from wowdesk.routing.shifts import parse_shifts, scheduled_spans

    windows_only = {"windows": (agent.schedule or {}).get("windows") or [], "shifts": []}
    try:
        weekly = parse_shifts(agent.shifts) if agent.shifts else []
    except ValueError:
        weekly = []
    rows: list[dict[str, object]] = [
        {
            "shift_id": s.pk,
            "roster_id": s.roster_id,
            "start": s.start,
            "end": s.end,
            "language": s.language,
            "breaks": [
                {
                    "start": dt.datetime.fromisoformat(b["start"]),
                    "end": dt.datetime.fromisoformat(b["end"]),
                }
                for b in s.breaks
            ],
            "source": "roster",
        }
        for s in RosterShift.objects.filter(
            agent=agent, roster__status=RosterStatus.PUBLISHED, start__lt=end, end__gt=start
        ).order_by("start")
    ]
    for a, b in scheduled_spans(windows_only, weekly, agent.timezone, start, end):
        rows.append(
            {
                "shift_id": None,
                "roster_id": None,
                "start": a,
                "end": b,
                "language": "",
                "breaks": [],
                "source": "weekly",
            }
        )
    rows.sort(key=lambda r: r["start"])  # type: ignore[arg-type,return-value]
    return {"agent": agent, "shifts": rows, "on_shift_now": routing.on_shift(agent, timezone.now())}
