"""Every write of policies, grants, approvals and policy settings, and the reads the edges
share (the one writer of ``Policy``, ``Grant``, ``Approval`` and ``PolicySettings``).

* ``save_policy`` / ``delete_policy``: the brand's table (administrators; audited);
* ``applicable_policy``: the line that applies to an agent (``policies/limits.py``);
* ``request_grant``: granted on the spot, or pending with an ``Approval`` (above the limit,
  the month's budget, or no line for the agent) — an activity in the thread, an audit
  row, ``grant.created``, and for a pending one a notification and an email with a signed
  approve/decline link to each supervisor of the brand (the team lead first);
* ``decide_approval`` / ``cancel_grant``: the supervisor's decision, the requester's
  withdrawal — an activity, an audit row, ``grant.decided``, the requester notified;
* ``pending_approvals``, ``grants_of``, ``grants_visible``;
* ``grant_costs``: the cost report (``policies/costs.py``);
* ``run_overdue``: the approval SLA job (``policies/grants.py`` registers it).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core import audit, permissions, realtime
from wowdesk.core import i18n as i18n_text
from wowdesk.core.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from wowdesk.core.events import Event, emit
from wowdesk.core.input import check_line
from wowdesk.core.models import Agent, AlertKind, Membership, Role, Team
from wowdesk.policies import limits
from wowdesk.policies.models import (
    Approval,
    ApprovalStatus,
    Grant,
    GrantAction,
    GrantStatus,
    Policy,
    PolicySettings,
    PolicyUnit,
)

log = logging.getLogger(__name__)

MAX_AMOUNT = Decimal("9999999999.99")
MAX_REASON = 500
MAX_DETAILS_KEYS = 30
MAX_SLA_MINUTES = 60 * 24 * 30
OVERDUE_BATCH = 500


class BadRequest(ServiceError):
    """A request the brand's table cannot take (an action it does not know): 400."""

    status = 400


# --- the policy table --------------------------------------------------------------------------


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(_("Not a number."), field=field) from exc
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        raise InvalidInput(_("Give a number between 0 and 9999999999.99."), field=field)
    return number.quantize(Decimal("0.01"))


def _currency(value: str, field: str = "currency") -> str:
    code = (value or "").strip().upper()
    if code and (len(code) != 3 or not code.isascii() or not code.isalpha()):
        raise InvalidInput(_("A currency is a three-letter code such as EUR."), field=field)
    return code


def _slug(value: str) -> str:
    action = (value or "").strip().lower()
    if not action or len(action) > 60 or not all(c.isalnum() or c in "_-" for c in action):
        raise InvalidInput(
            _("An action is a short name of letters, digits, - and _ (e.g. refund)."),
            field="action",
        )
    return action


def _policy_dict(p: Policy) -> dict[str, Any]:
    return {
        "action": p.action,
        "role": p.role,
        "limit": str(p.limit) if p.limit is not None else None,
        "unit": p.unit,
        "currency": p.currency,
        "monthly_budget": str(p.monthly_budget) if p.monthly_budget is not None else None,
        "min_tenure_months": p.min_tenure_months,
        "team_id": p.team_id,
        "label": p.label,
        "enabled": p.enabled,
    }


def save_policy(
    actor: Agent,
    brand_id: int,
    *,
    action: str,
    role: str,
    limit: Any = None,
    currency: str = "",
    unit: str = "money",
    monthly_budget: Any = None,
    min_tenure_months: int = 0,
    team_id: int | None = None,
    label: str = "",
    enabled: bool = True,
    policy: Policy | None = None,
) -> Policy:
    """Add a line to the brand's table, or change ``policy`` (administrators; audited)."""
    permissions.check_manages_policies(actor, brand_id)
    if policy is not None and policy.brand_id != brand_id:
        raise Forbidden(_("This belongs to a brand you do not work for."))
    action = _slug(action)
    if role not in Role.values:
        raise InvalidInput(_("Choose agent, supervisor or admin."), field="role")
    if unit not in PolicyUnit.values:
        raise InvalidInput(_("Choose money, hours, months or items."), field="unit")
    currency = _currency(currency)
    if unit == PolicyUnit.MONEY and not currency:
        raise InvalidInput(_("A money limit needs a currency."), field="currency")
    if unit != PolicyUnit.MONEY:
        currency = ""
    if not isinstance(min_tenure_months, int) or not 0 <= min_tenure_months <= 600:
        raise InvalidInput(
            _("Give a number of months between 0 and 600."), field="min_tenure_months"
        )
    if team_id is not None and not Team.objects.filter(pk=team_id, brand_id=brand_id).exists():
        raise InvalidInput(_("No such team in this brand."), field="team_id")
    label = check_line(label or "", "label", max_length=120).strip()
    row = policy if policy is not None else Policy(brand_id=brand_id)
    before = _policy_dict(row) if policy is not None else {}
    row.action, row.role, row.unit, row.currency = action, role, unit, currency
    row.limit = _decimal(limit, "limit")
    row.monthly_budget = _decimal(monthly_budget, "monthly_budget")
    row.min_tenure_months, row.team_id, row.label = min_tenure_months, team_id, label
    row.enabled = bool(enabled)
    row.save()
    b, a = audit.diff(before, _policy_dict(row)) if policy is not None else ({}, _policy_dict(row))
    audit.record(
        action="policy.update" if policy is not None else "policy.create",
        obj=row,
        actor=actor,
        brand_id=brand_id,
        before=b,
        after=a,
    )
    return row


def delete_policy(actor: Agent, policy: Policy) -> None:
    """Remove a line of the table (administrators; audited). Grants made under it keep
    their figures; their ``policy`` becomes empty."""
    permissions.check_manages_policies(actor, policy.brand_id)
    audit.record(
        action="policy.delete",
        obj=policy,
        actor=actor,
        brand_id=policy.brand_id,
        before=_policy_dict(policy),
    )
    policy.delete()


def policies_of(brand_ids: set[int]) -> QuerySet[Policy]:
    return Policy.objects.filter(brand_id__in=brand_ids).order_by(
        "brand_id", "action", "role", "min_tenure_months", "currency", "id"
    )


def known_actions(brand_id: int) -> set[str]:
    """The built-in actions and every action of the brand's table."""
    return set(GrantAction.values) | set(
        Policy.objects.filter(brand_id=brand_id).values_list("action", flat=True)
    )


def settings_of(brand_id: int) -> PolicySettings:
    """The brand's settings (defaults when never saved; nothing is written)."""
    found = PolicySettings.objects.filter(brand_id=brand_id).first()
    return found if found is not None else PolicySettings(brand_id=brand_id)


def update_settings(actor: Agent, brand_id: int, *, approval_sla_minutes: int) -> PolicySettings:
    """Change the approval deadline (administrators; audited)."""
    permissions.check_manages_policies(actor, brand_id)
    if (
        not isinstance(approval_sla_minutes, int)
        or not 1 <= approval_sla_minutes <= MAX_SLA_MINUTES
    ):
        raise InvalidInput(
            _("Give a number of minutes between 1 and 43200."), field="approval_sla_minutes"
        )
    row, _created = PolicySettings.objects.get_or_create(brand_id=brand_id)
    before = row.approval_sla_minutes
    row.approval_sla_minutes = approval_sla_minutes
    row.save(update_fields=["approval_sla_minutes", "updated_at"])
    audit.record(
        action="policy_settings.update",
        obj=row,
        actor=actor,
        brand_id=brand_id,
        before={"approval_sla_minutes": before},
        after={"approval_sla_minutes": approval_sla_minutes},
    )
    return row


# --- which line applies ------------------------------------------------------------------------


def _line(p: Policy) -> limits.Line:
    return limits.Line(
        id=p.pk,
        action=p.action,
        role=p.role,
        min_tenure_months=p.min_tenure_months,
        limit=p.limit,
        unit=p.unit,
        currency=p.currency,
        monthly_budget=p.monthly_budget,
        team_id=p.team_id,
        enabled=p.enabled,
    )


def tenure_of(agent: Agent, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    hired = agent.hired_on or timezone.localtime(agent.created_at).date()
    return limits.tenure_months(hired, today)


def team_ids_of(agent: Agent, brand_id: int) -> list[int]:
    return list(
        Team.objects.filter(brand_id=brand_id, members=agent)
        .order_by("id")
        .values_list("id", flat=True)
    )


def applicable_policy(
    agent: Agent, brand_id: int, action: str, currency: str = ""
) -> Policy | None:
    """The line of the brand's table that applies to ``agent`` for ``action`` (and, for
    money, ``currency``), or None (``policies/limits.py`` has the rules)."""
    role = permissions.role_in(agent, brand_id)
    if role is None:
        return None
    rows = {p.pk: p for p in Policy.objects.filter(brand_id=brand_id, action=action, enabled=True)}
    line = limits.pick(
        (_line(p) for p in rows.values()),
        action=action,
        role=role,
        tenure=tenure_of(agent),
        team_ids=team_ids_of(agent, brand_id),
        currency=_currency(currency) if currency else "",
    )
    return rows[line.id] if line is not None else None


def policies_for(agent: Agent, brand_id: int) -> list[Policy]:
    """The lines that apply to ``agent`` in the brand: one per action and currency."""
    role = permissions.role_in(agent, brand_id)
    if role is None:
        return []
    rows = list(Policy.objects.filter(brand_id=brand_id, enabled=True))
    tenure, teams = tenure_of(agent), team_ids_of(agent, brand_id)
    out: dict[tuple[str, str], Policy] = {}
    by_id = {p.pk: p for p in rows}
    for action, currency in sorted({(p.action, p.currency) for p in rows}):
        line = limits.pick(
            (_line(p) for p in rows),
            action=action,
            role=role,
            tenure=tenure,
            team_ids=teams,
            currency=currency,
        )
        if line is not None:
            out[(action, currency)] = by_id[line.id]
    return sorted({p.pk: p for p in out.values()}.values(), key=lambda p: (p.action, p.currency))


def _month_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(now).date()
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(limits.month_start(local), dt.time(), tzinfo=tz)
    end = dt.datetime.combine(limits.next_month(local), dt.time(), tzinfo=tz)
    return start, end


def spent_this_month(policy: Policy, agent: Agent, now: dt.datetime | None = None) -> Decimal:
    """What the agent (or the policy's team) granted on the spot this month under the
    line's action (and currency): amounts, or 1 per grant without one."""
    start, end = _month_bounds(now or timezone.now())
    rows = Grant.objects.filter(
        brand_id=policy.brand_id,
        action=policy.action,
        status=GrantStatus.GRANTED,
        approval__isnull=True,
        created_at__gte=start,
        created_at__lt=end,
    )
    if policy.unit == PolicyUnit.MONEY:
        rows = rows.filter(currency=policy.currency)
    rows = rows.filter(team_id=policy.team_id) if policy.team_id else rows.filter(agent=agent)
    if policy.unit == PolicyUnit.MONEY or rows.filter(amount__isnull=False).exists():
        with_amount = rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        without = rows.filter(amount__isnull=True).count()
        return Decimal(with_amount) + without
    return Decimal(rows.count())


# --- grants ------------------------------------------------------------------------------------


def _check_details(details: Any) -> dict[str, Any]:
    if details is None:
        return {}
    if not isinstance(details, dict) or len(details) > MAX_DETAILS_KEYS:
        raise InvalidInput(_("Details are a small object of names and values."), field="details")
    return details


def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    return f"{amount:.2f} {currency}".strip()


def custom_labels(brand_ids: set[int]) -> dict[tuple[int, str], str]:
    """The labels of the brands' custom actions, in one query (for lists)."""
    out: dict[tuple[int, str], str] = {}
    rows = (
        Policy.objects.filter(brand_id__in=brand_ids)
        .exclude(action__in=GrantAction.values)
        .exclude(label="")
        .order_by("id")
        .values_list("brand_id", "action", "label")
    )
    for brand_id, action, label in rows:
        out.setdefault((brand_id, action), label)
    return out


def action_label(
    action: str, brand_id: int | None = None, labels: dict[tuple[int, str], str] | None = None
) -> str:
    try:
        return str(GrantAction(action).label)
    except ValueError:
        if labels is not None:
            return labels.get((brand_id or 0, action)) or action.replace("_", " ")
        if brand_id is not None:
            label = (
                Policy.objects.filter(brand_id=brand_id, action=action)
                .exclude(label="")
                .values_list("label", flat=True)
                .first()
            )
            if label:
                return label
        return action.replace("_", " ")


def what_of(grant: Grant, labels: dict[tuple[int, str], str] | None = None) -> str:
    """A short line naming the grant ("Refund 40.00 EUR"); ``labels``: ``custom_labels``
    of its brand, read once for a list."""
    label = action_label(grant.action, grant.brand_id, labels)
    amount = money(grant.amount, grant.currency)
    return f"{label} {amount}".strip()


def what_spec(grant: Grant) -> i18n_text.Spec:
    """:func:`what_of` as a text spec, shown in each reader's language (a custom action's
    label is the brand's own words)."""
    try:
        action: Any = i18n_text.choice("grant_action", GrantAction(grant.action).value)
    except ValueError:
        action = action_label(grant.action, grant.brand_id)
    return i18n_text.deferred(
        gettext_noop("%(action)s %(amount)s"),
        action=action,
        amount=money(grant.amount, grant.currency),
    )


def _action_spec(action: str) -> Any:
    try:
        return i18n_text.choice("grant_action", GrantAction(action).value)
    except ValueError:
        return action.replace("_", " ")


def _activity(grant: Grant, msgid: str, actor: Agent | None, **params: Any) -> None:
    spec = i18n_text.deferred(
        msgid,
        action=_action_spec(grant.action),
        amount=money(grant.amount, grant.currency),
        reason=grant.reason,
        **params,
    )
    conversation = Conversation.objects.select_related("inbox").get(pk=grant.conversation_id)
    message = conversations.add_activity(
        conversation,
        i18n_text.render(spec, "en"),
        actor=actor,
        meta={"grant": {"id": grant.pk, "status": grant.status}},
        i18n=spec,
    )
    # the open tabs of the conversation show the line (sent after commit)
    realtime.publish(
        realtime.conversation_group(conversation.pk),
        "message.created",
        message_id=message.pk,
        conversation_id=conversation.pk,
        direction="activity",
    )


def _grant_dict(g: Grant) -> dict[str, Any]:
    return {
        "action": g.action,
        "amount": str(g.amount) if g.amount is not None else None,
        "currency": g.currency,
        "reason": g.reason,
        "status": g.status,
        "conversation_id": g.conversation_id,
        "policy_id": g.policy_id,
    }


def _emit(event: Event, grant: Grant, approval_id: int | None) -> None:
    emit(
        event,
        grant_id=grant.pk,
        brand_id=grant.brand_id,
        conversation_id=grant.conversation_id,
        agent_id=grant.agent_id,
        action=grant.action,
        status=grant.status,
        approval_id=approval_id,
    )


def approvers(brand_id: int, agent: Agent | None) -> list[Agent]:
    """Who is asked to decide: the lead of the agent's team (when they may decide) first,
    then the brand's supervisors (its administrators when it has none)."""
    members = list(
        Membership.objects.filter(
            brand_id=brand_id, role__in=[Role.SUPERVISOR, Role.ADMIN], agent__is_active=True
        )
        .select_related("agent__user")
        .order_by("agent_id")
    )
    supervisors = [m.agent for m in members if m.role == Role.SUPERVISOR] or [
        m.agent for m in members
    ]
    deciders = {m.agent_id: m.agent for m in members}
    lead: Agent | None = None
    if agent is not None:
        team = (
            Team.objects.filter(brand_id=brand_id, members=agent, lead__isnull=False)
            .order_by("id")
            .first()
        )
        if team is not None and team.lead_id in deciders and team.lead_id != agent.pk:
            lead = deciders[team.lead_id]
    out = [lead] if lead is not None else []
    out += [s for s in supervisors if s.pk != agent_pk(agent) and (lead is None or s.pk != lead.pk)]
    return out


def agent_pk(agent: Agent | None) -> int | None:
    return agent.pk if agent is not None else None


def request_grant(
    actor: Agent,
    conversation: Conversation,
    *,
    action: str,
    amount: Any = None,
    currency: str = "",
    reason: str,
    details: dict[str, Any] | None = None,
) -> Grant:
    """Grant ``action`` to the conversation's customer on the spot, or ask for an approval
    (see the module). The caller sees the conversation (checked here too)."""
    brand_id = conversation.brand_id
    permissions.check_brand(actor, brand_id)
    action = _slug(action)
    if action not in known_actions(brand_id):
        raise BadRequest(_("This brand has no such action."), field="action")
    reason = check_line(reason or "", "reason", max_length=MAX_REASON).strip()
    if not reason:
        raise InvalidInput(_("Say why."), field="reason")
    details = _check_details(details)
    value = _decimal(amount, "amount")
    if value is not None and value <= 0:
        raise InvalidInput(_("An amount is more than zero."), field="amount")
    code = _currency(currency)
    policy = applicable_policy(actor, brand_id, action, code)
    money_action = action in (GrantAction.REFUND, GrantAction.GOODWILL_CREDIT) or (
        policy is not None and policy.unit == PolicyUnit.MONEY
    )
    if not money_action:
        unit_lines = Policy.objects.filter(brand_id=brand_id, action=action).values_list(
            "unit", flat=True
        )
        money_action = PolicyUnit.MONEY in set(unit_lines)
    if money_action:
        if value is None:
            raise InvalidInput(_("Say how much."), field="amount")
        if not code:
            raise InvalidInput(_("Say in which currency."), field="currency")
    spent = spent_this_month(policy, actor) if policy is not None else Decimal(0)
    outcome = limits.decide(_line(policy) if policy is not None else None, value, spent)
    teams = team_ids_of(actor, brand_id)
    grant = Grant.objects.create(
        brand_id=brand_id,
        conversation=conversation,
        customer_id=conversation.customer_id,
        agent=actor,
        team_id=(policy.team_id if policy is not None and policy.team_id else None)
        or (teams[0] if teams else None),
        policy=policy,
        action=action,
        amount=value,
        currency=code if money_action or code else "",
        reason=reason,
        details=details,
        status=outcome.status,
        decided_at=timezone.now() if outcome.status == GrantStatus.GRANTED else None,
    )
    approval: Approval | None = None
    if outcome.status == GrantStatus.PENDING_APPROVAL:
        sla = settings_of(brand_id).approval_sla_minutes
        approval = Approval.objects.create(
            brand_id=brand_id,
            grant=grant,
            requested_by=actor,
            why=outcome.why,
            due_at=timezone.now() + dt.timedelta(minutes=sla),
        )
        _activity(
            grant,
            gettext_noop("%(action)s %(amount)s requested, waiting for approval: %(reason)s"),
            actor,
        )
    else:
        _activity(grant, gettext_noop("%(action)s %(amount)s granted: %(reason)s"), actor)
    audit.record(
        action="grant.create",
        obj=grant,
        actor=actor,
        brand_id=brand_id,
        after={**_grant_dict(grant), **({"why": approval.why} if approval else {})},
    )
    _emit(Event.GRANT_CREATED, grant, approval.pk if approval else None)
    if approval is not None:
        _ask(approval, grant, actor, conversation)
    return grant


def _ask(approval: Approval, grant: Grant, actor: Agent, conversation: Conversation) -> None:
    from wowdesk.notifications import services as notifications

    deciders = approvers(grant.brand_id, actor)
    notifications.notify_approval_needed(
        agent_ids=[a.pk for a in deciders],
        brand_id=grant.brand_id,
        what=what_of(grant),
        what_i18n=what_spec(grant),
        conversation_id=grant.conversation_id,
        actor_id=actor.pk,
        number=conversation.number,
    )
    ids = [a.pk for a in deciders]
    approval_id = approval.pk
    transaction.on_commit(lambda: send_approval_mails(approval_id, ids))


def send_approval_mails(approval_id: int, agent_ids: list[int]) -> int:
    """Mail each of ``agent_ids`` a signed approve/decline link for the approval (in their
    own language); returns how many mails went out."""
    from wowdesk.policies import mails

    return mails.send_approval_requests(approval_id, agent_ids)


def _get_pending(approval: Approval) -> Approval:
    fresh = Approval.objects.select_for_update().select_related("grant").get(pk=approval.pk)
    if fresh.status != ApprovalStatus.PENDING:
        raise Conflict(
            _("This approval was already decided."),
            field="decision",
            code="already_decided",
            data={"status": fresh.status},
        )
    return fresh


def decide_approval(actor: Agent, approval: Approval, *, decision: str, note: str = "") -> Approval:
    """Approve or decline (supervisors and administrators of the brand). Deciding twice is a
    conflict (409)."""
    permissions.check_decides_approvals(actor, approval.brand_id)
    if decision not in ("approve", "decline"):
        raise InvalidInput(_("Choose approve or decline."), field="decision")
    note = check_line(note or "", "note", max_length=2000).strip()
    approval = _get_pending(approval)
    grant = approval.grant
    now = timezone.now()
    approved = decision == "approve"
    approval.status = ApprovalStatus.APPROVED if approved else ApprovalStatus.DECLINED
    approval.decided_by, approval.decided_at, approval.note = actor, now, note
    approval.save(update_fields=["status", "decided_by", "decided_at", "note"])
    grant.status = GrantStatus.GRANTED if approved else GrantStatus.DECLINED
    grant.decided_at = now
    grant.save(update_fields=["status", "decided_at"])
    if approved:
        _activity(
            grant,
            gettext_noop("%(action)s %(amount)s approved by %(by)s: %(reason)s"),
            actor,
            by=actor.display_name,
        )
    else:
        _activity(
            grant,
            gettext_noop("%(action)s %(amount)s declined by %(by)s: %(reason)s"),
            actor,
            by=actor.display_name,
        )
    audit.record(
        action="approval.decide",
        obj=approval,
        actor=actor,
        brand_id=approval.brand_id,
        before={"status": ApprovalStatus.PENDING},
        after={"status": approval.status, "grant_id": grant.pk, "note": note},
    )
    _emit(Event.GRANT_DECIDED, grant, approval.pk)
    _tell_requester(approval, grant, actor)
    return approval


def _tell_requester(approval: Approval, grant: Grant, actor: Agent) -> None:
    from wowdesk.notifications import services as notifications
    from wowdesk.notifications.models import Kind

    if grant.agent_id is None:
        return
    number = (
        Conversation.objects.filter(pk=grant.conversation_id)
        .values_list("number", flat=True)
        .first()
    )
    notifications.deliver(
        [
            notifications.Draft(
                agent_id=grant.agent_id,
                brand_id=grant.brand_id,
                kind=Kind.APPROVAL_DECIDED,
                conversation_id=grant.conversation_id,
                actor_id=actor.pk,
                params={
                    "what": what_of(grant),
                    "what_i18n": what_spec(grant),
                    "decision": approval.status,
                    "by": actor.display_name,
                    "number": number,
                },
            )
        ]
    )


def cancel_grant(actor: Agent, grant: Grant) -> Grant:
    """The requester withdraws a pending grant."""
    permissions.check_brand(actor, grant.brand_id)
    if grant.agent_id != actor.pk:
        raise Forbidden(_("Only the agent who asked may withdraw it."))
    approval = Approval.objects.filter(grant=grant).first()
    if grant.status != GrantStatus.PENDING_APPROVAL or approval is None:
        raise Conflict(_("Only a grant waiting for approval can be withdrawn."), field="status")
    approval = _get_pending(approval)
    now = timezone.now()
    approval.status, approval.decided_by, approval.decided_at = (
        ApprovalStatus.DECLINED,
        actor,
        now,
    )
    approval.note = _("Withdrawn by the requester.")
    approval.save(update_fields=["status", "decided_by", "decided_at", "note"])
    grant.status, grant.decided_at = GrantStatus.CANCELLED, now
    grant.save(update_fields=["status", "decided_at"])
    _activity(grant, gettext_noop("%(action)s %(amount)s withdrawn: %(reason)s"), actor)
    audit.record(
        action="grant.cancel",
        obj=grant,
        actor=actor,
        brand_id=grant.brand_id,
        before={"status": GrantStatus.PENDING_APPROVAL},
        after={"status": GrantStatus.CANCELLED},
    )
    _emit(Event.GRANT_DECIDED, grant, approval.pk)
    return grant


# --- reads -------------------------------------------------------------------------------------


def pending_approvals(agent: Agent) -> QuerySet[Approval]:
    """The pending approvals of the brands ``agent`` decides in, oldest due first."""
    return (
        Approval.objects.filter(
            status=ApprovalStatus.PENDING,
            brand_id__in=permissions.brands_with_role(agent, Role.SUPERVISOR),
        )
        .select_related("grant", "grant__conversation", "requested_by")
        .order_by("due_at", "id")
    )


def approvals_visible(agent: Agent) -> QuerySet[Approval]:
    return Approval.objects.filter(
        brand_id__in=permissions.brands_with_role(agent, Role.SUPERVISOR)
    ).select_related("grant", "grant__conversation", "requested_by", "decided_by")


def grants_of(conversation: Conversation) -> QuerySet[Grant]:
    return (
        Grant.objects.filter(conversation_id=conversation.pk)
        .select_related("agent", "approval")
        .order_by("-created_at", "-id")
    )


def grants_visible(agent: Agent) -> Q:
    """Every grant of the brands ``agent`` supervises, and their own elsewhere."""
    return Q(brand_id__in=permissions.brands_with_role(agent, Role.SUPERVISOR)) | Q(
        agent_id=agent.pk, brand_id__in=permissions.visible_brand_ids(agent)
    )


def get_approval(agent: Agent, pk: int) -> Approval:
    return permissions.get_for_agent(
        Approval.objects.select_related("grant"), agent, pk, role=Role.SUPERVISOR
    )


def get_grant(agent: Agent, pk: int) -> Grant:
    found = Grant.objects.filter(pk=pk).first() if 0 < pk < 2**62 else None
    if found is None:
        raise NotFound(_("Not found."), field="id")
    if not Grant.objects.filter(grants_visible(agent), pk=pk).exists():
        permissions.check_brand(agent, found.brand_id)
        raise Forbidden(_("This is another agent's grant."))
    return found


def grant_costs(
    agent: Agent,
    *,
    date_from: dt.date,
    date_to: dt.date,
    group_by: str,
    brand_id: int | None = None,
    currency: str | None = None,
) -> list[dict[str, Any]]:
    """The cost report (``policies/costs.py``): per month × group, sums per currency."""
    from wowdesk.policies import costs

    return costs.grant_costs(
        agent,
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
        brand_id=brand_id,
        currency=currency,
    )


# --- the approval deadline ---------------------------------------------------------------------


def overdue_sentence(params: dict[str, Any]) -> str:
    """The ``approval_overdue`` alert in the reader's language (a built-in action's name is
    translated; a custom one shows its label)."""
    action = str(params.get("action", ""))
    try:
        label = str(GrantAction(action).label)
    except ValueError:
        label = str(params.get("label") or action.replace("_", " "))
    what = f"{label} {params.get('amount', '')}".strip()
    number = params.get("number")
    if number:
        return _("The approval of %(what)s on #%(number)s is waiting too long.") % {
            "what": what,
            "number": number,
        }
    return _("The approval of %(what)s is waiting too long.") % {"what": what}


def run_overdue(now: dt.datetime | None = None) -> int:
    """Raise one ``approval_overdue`` alert per pending approval past its deadline, once;
    returns how many."""
    from wowdesk.core import alerts

    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Approval.objects.filter(
                status=ApprovalStatus.PENDING, due_at__lt=now, overdue_alerted_at__isnull=True
            )
            .select_related("grant", "grant__conversation")
            .order_by("due_at", "id")[:OVERDUE_BATCH]
        )
        for a in due:
            params: dict[str, Any] = {
                "approval_id": a.pk,
                "action": a.grant.action,
                "label": action_label(a.grant.action, a.brand_id),
                "amount": money(a.grant.amount, a.grant.currency),
                "number": a.grant.conversation.number,
            }
            alerts.create(
                a.brand_id,
                AlertKind.APPROVAL_OVERDUE,
                overdue_sentence(params),
                conversation_id=a.grant.conversation_id,
                params=params,
            )
        if due:
            Approval.objects.filter(pk__in=[a.pk for a in due]).update(overdue_alerted_at=now)
    return len(due)


def approval_link_base() -> str:
    return settings.CONFIG.public_url
