"""Automation rules: every change to a rule, and running a brand's rules on an event.

A rule runs after the event's commit, through the same conversations services a person
uses (audited, events emitted), with ``rule_id`` on what they emit and an activity line
in the thread naming the rule. An event that carries a ``rule_id`` (a rule's own change)
runs no rule, and the rules of one event all see the conversation as the event left it:
rules never trigger one another, so two rules cannot ping-pong.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.automations import rules
from wowdesk.automations.models import Rule
from wowdesk.core import audit
from wowdesk.core import i18n as i18n_text
from wowdesk.core.brand_cache import BrandCache
from wowdesk.core.errors import Conflict, InvalidInput, ServiceError
from wowdesk.core.events import Event
from wowdesk.core.models import Agent, Team

log = logging.getLogger(__name__)


# --- the cache the listeners read -----------------------------------------------------


def _load_rules() -> dict[int, dict[str, list[dict[str, Any]]]]:
    table: dict[int, dict[str, list[dict[str, Any]]]] = {}
    rows = Rule.objects.filter(active=True).order_by("position", "id")
    for r in rows.values("id", "brand_id", "name", "event", "conditions", "actions"):
        table.setdefault(r["brand_id"], {}).setdefault(r["event"], []).append(dict(r))
    return table


active_rules: BrandCache[dict[str, list[dict[str, Any]]]] = BrandCache("automations", _load_rules)


# --- checking and changing rules ------------------------------------------------------


def _bad(field: str, message: str) -> ServiceError:
    return ServiceError(message, field=field, code="invalid")


def _check_name(name: Any) -> str:
    from wowdesk.core.input import BadInput, check_line

    if not isinstance(name, str) or not name.strip():
        raise _bad("name", _("A rule needs a name."))
    try:
        return check_line(name, "name", max_length=200).strip()
    except BadInput as exc:
        raise _bad("name", exc.message) from exc


def _check_event(event: Any) -> str:
    if event not in rules.EVENTS:
        raise _bad("event", _("Unknown event: %(e)s.") % {"e": str(event)[:64]})
    return str(event)


def check_rule(brand_id: int, conditions: Any, actions: Any) -> tuple[list[Any], list[Any]]:
    """The rule's conditions and actions as stored, or a 400 naming the part at fault; the
    ids a rule names (teams, agents, inboxes) must be of ``brand_id``."""
    from wowdesk.conversations.models import Inbox
    from wowdesk.conversations.services import clean_tag_names

    try:
        conds = rules.check_conditions(conditions)
        acts = rules.check_actions(actions)
    except rules.RuleError as exc:
        raise _bad(
            exc.field, _(exc.message) % exc.params if exc.params else _(exc.message)
        ) from exc
    from wowdesk.core import fields as core_fields

    known = {d["key"] for d in core_fields.for_brand(brand_id, "conversation")}
    for i, c in enumerate(conds):
        kind = rules.kind_of(c["field"])
        if kind == "custom" and c["field"][len(rules.CUSTOM_PREFIX) :] not in known:
            raise _bad(
                f"conditions.{i}.field",
                _("Unknown field: %(v)s.") % {"v": c["field"][len(rules.CUSTOM_PREFIX) :]},
            )
        if kind != "id":
            continue
        ids = c["value"] if isinstance(c["value"], list) else [c["value"]]
        for v in ids:
            pk = rules._id(v)
            if pk is None:
                ok = False
            elif c["field"] == "inbox":
                ok = Inbox.objects.filter(pk=pk, brand_id=brand_id).exists()
            elif c["field"] == "team":
                ok = Team.objects.filter(pk=pk, brand_id=brand_id).exists()
            else:
                ok = Agent.objects.filter(pk=pk, brands=brand_id).exists()
            if not ok:
                raise _bad(
                    f"conditions.{i}.value",
                    _("No such %(what)s in this brand: %(v)s.") % {"what": c["field"], "v": v},
                )
    for i, a in enumerate(acts):
        where = f"actions.{i}.value"
        if a["type"] == "assign_team" and a["value"] is not None:
            if not Team.objects.filter(pk=a["value"], brand_id=brand_id).exists():
                raise _bad(where, _("No such team in this brand."))
        elif a["type"] == "assign_agent" and a["value"] is not None:
            if not Agent.objects.filter(pk=a["value"], brands=brand_id, is_active=True).exists():
                raise _bad(where, _("No such active agent in this brand."))
        elif a["type"] == "add_tag":
            try:
                a["value"] = clean_tag_names([a["value"]], field=where)[0]
            except ServiceError as exc:
                raise _bad(where, exc.message) from exc
        elif a["type"] == "custom_fields":
            try:
                a["value"] = core_fields.check_patch(
                    brand_id, "conversation", a["value"], field=where
                )
            except ServiceError as exc:
                raise _bad(exc.field or where, exc.message) from exc
    return conds, acts


def create_rule(
    *,
    brand_id: int,
    name: str,
    event: str,
    conditions: Any,
    actions: Any,
    active: bool = True,
    actor: Agent | None,
) -> Rule:
    conds, acts = check_rule(brand_id, conditions, actions)
    clean_name = _check_name(name)
    try:
        with transaction.atomic():
            rule = Rule.objects.create(
                brand_id=brand_id,
                name=clean_name,
                event=_check_event(event),
                conditions=conds,
                actions=acts,
                active=bool(active),
                created_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(_("A rule of this name exists."), field="name") from exc
    audit.record(
        action="automation.create",
        obj=rule,
        actor=actor,
        brand_id=brand_id,
        after=_state(rule),
    )
    active_rules.changed()
    return rule


def _state(rule: Rule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "event": rule.event,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "active": rule.active,
    }


def update_rule(rule: Rule, *, actor: Agent | None, **fields: Any) -> Rule:
    before = _state(rule)
    if fields.get("name") is not None:
        rule.name = _check_name(fields["name"])
    if fields.get("event") is not None:
        rule.event = _check_event(fields["event"])
    if fields.get("conditions") is not None or fields.get("actions") is not None:
        rule.conditions, rule.actions = check_rule(
            rule.brand_id,
            fields["conditions"] if fields.get("conditions") is not None else rule.conditions,
            fields["actions"] if fields.get("actions") is not None else rule.actions,
        )
    if fields.get("active") is not None:
        rule.active = bool(fields["active"])
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise Conflict(_("A rule of this name exists."), field="name") from exc
    b, a = audit.diff(before, _state(rule))
    if a:
        audit.record(
            action="automation.update",
            obj=rule,
            actor=actor,
            brand_id=rule.brand_id,
            before=b,
            after=a,
        )
    active_rules.changed()
    return rule


def delete_rule(rule: Rule, *, actor: Agent | None) -> None:
    audit.record(
        action="automation.delete",
        obj=rule,
        actor=actor,
        brand_id=rule.brand_id,
        before=_state(rule),
    )
    rule.delete()
    active_rules.changed()


# --- running rules --------------------------------------------------------------------


def facts_of(conversation: Any, message: Any | None) -> dict[str, Any]:
    """What a rule's conditions can ask about (``rules.FIELDS``)."""
    customer = conversation.customer
    facts: dict[str, Any] = {
        "subject": conversation.subject,
        "channel": conversation.inbox.channel,
        "language": conversation.language,
        "priority": conversation.priority,
        "status": conversation.status,
        "tags": sorted(t.name for t in conversation.tags.all()),
        "inbox": conversation.inbox_id,
        "team": conversation.team_id,
        "assignee": conversation.assignee_id,
        "customer.vip_tier": customer.vip_tier if customer else None,
        "customer.email": customer.email if customer else None,
        "customer.name": customer.name if customer else None,
        "customer.language": customer.language if customer else None,
        "custom_fields": dict(conversation.custom_fields or {}),
    }
    for key, value in (conversation.custom_fields or {}).items():
        facts[f"{rules.CUSTOM_PREFIX}{key}"] = value
    if message is not None:
        facts.update(
            body=message.body,
            direction=message.direction,
            channel=message.channel,
            language=message.language or conversation.language,
            emotion_label=message.emotion_label or None,
            emotion=message.emotion,
        )
    return facts


ACTION_TEXT = {
    "add_tag": gettext_noop("Rule “%(rule)s” added tag %(v)s"),
    "set_priority": gettext_noop("Rule “%(rule)s” set the priority to %(v)s"),
    "set_status": gettext_noop("Rule “%(rule)s” set the status to %(v)s"),
    "assign_team": gettext_noop("Rule “%(rule)s” set the team to %(v)s"),
    "assign_agent": gettext_noop("Rule “%(rule)s” assigned %(v)s"),
    "add_note": gettext_noop("Rule “%(rule)s” added a note"),
    "send_reply": gettext_noop("Rule “%(rule)s” sent a reply"),
    "custom_fields": gettext_noop("Rule “%(rule)s” set the custom fields %(v)s"),
}


def _activity_spec(rule: dict[str, Any], kind: str, value: Any) -> i18n_text.Spec:
    shown: Any = value
    if kind == "set_priority":
        shown = i18n_text.choice("priority", value)
    elif kind == "set_status":
        shown = i18n_text.choice("status", value)
    elif kind == "assign_team":
        shown = (
            Team.objects.filter(pk=value).values_list("name", flat=True).first() if value else None
        ) or _("no team")
    elif kind == "custom_fields":
        shown = ", ".join(sorted(value))
    elif kind == "assign_agent":
        shown = (
            Agent.objects.filter(pk=value).values_list("display_name", flat=True).first()
            if value
            else None
        ) or _("nobody")
    return i18n_text.deferred(ACTION_TEXT[kind], rule=rule["name"], v=shown)


def apply_rule(
    rule: dict[str, Any], conversation: Any, message: Any | None, seen: dict[str, Any]
) -> rules.Plan:
    """Evaluate one rule on ``seen`` (the facts when the event happened) and carry out its
    plan on the conversation as it is now."""
    from wowdesk.conversations import services as conversations

    if not rules.evaluate(rule["conditions"], seen):
        return rules.Plan()
    plan = rules.plan(rule["actions"], facts_of(conversation, message))
    if not plan.done:
        return plan
    rule_id = int(rule["id"])
    for kind, value in plan.done:
        spec = _activity_spec(rule, kind, value)
        conversations.add_activity(
            conversation,
            i18n_text.render(spec),
            actor=None,
            meta={"rule_id": rule_id},
            i18n=spec,
        )
    if plan.updates_conversation:
        changes: dict[str, Any] = {}
        if plan.tags is not None:
            changes["tags"] = plan.tags
        if plan.priority:
            changes["priority"] = plan.priority
        if plan.status:
            changes["status"] = plan.status
        if plan.set_team:
            changes["team_id"] = plan.team
        if plan.set_assignee:
            changes["assignee_id"] = plan.assignee
        if plan.custom_fields:
            changes["custom_fields"] = plan.custom_fields
        conversations.update_conversation(conversation, actor=None, rule_id=rule_id, **changes)
    for text in plan.notes:
        conversations.add_reply(conversation, author=None, body=text, private=True, rule_id=rule_id)
    for text in plan.replies:
        conversations.add_reply(conversation, author=None, body=text, rule_id=rule_id)
    return plan


def has_rules(event: Event, payload: dict[str, Any]) -> bool:
    """Has the event's brand an active rule for ``event`` that may run on it (not on a
    rule's own change)? No query while the rules did not change (``active_rules``)."""
    return payload.get("rule_id") is None and bool(_rules_for(event, payload))


def _rules_for(event: Event, payload: dict[str, Any]) -> list[dict[str, Any]]:
    return (active_rules.get(int(payload["brand_id"])) or {}).get(event.value) or []


def run_rules(event: Event, payload: dict[str, Any]) -> int:
    """The brand's active rules for ``event``, in order, each in its own savepoint (one
    failing is logged and does not undo the others). No query when the brand has none.
    Returns how many rules changed something."""
    if payload.get("rule_id") is not None:
        return 0  # a rule's own change: rules do not trigger rules
    brand_rules = _rules_for(event, payload)
    if not brand_rules:
        return 0
    from wowdesk.conversations.models import Conversation, Message

    conversation = (
        Conversation.objects.select_related("inbox", "customer")
        .filter(pk=int(payload.get("conversation_id") or 0), brand_id=payload["brand_id"])
        .first()
    )
    if conversation is None:
        return 0
    message = None
    if payload.get("message_id") is not None:
        message = Message.objects.filter(
            pk=payload["message_id"], conversation=conversation
        ).first()
        if message is not None and (message.meta or {}).get("system"):
            return 0  # a message the house sent by itself (a survey) runs no rule
    # Every rule asks about the conversation as the event left it, so that no rule
    # reacts to another one's change (in this pass or through the events it emits).
    seen = facts_of(conversation, message)
    ran = 0
    for rule in brand_rules:
        touched = True  # a rule that failed half-way was rolled back: read the row again
        try:
            with transaction.atomic():
                touched = bool(apply_rule(rule, conversation, message, seen).done)
                ran += touched
        except (ServiceError, InvalidInput):
            log.warning("rule %s could not run on conversation %s", rule["id"], conversation.pk)
        if touched:  # the next rule's actions start from the row as this one left it
            conversation.refresh_from_db()
    return ran
