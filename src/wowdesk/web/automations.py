"""The administrators' automation rules page (/settings/automations/): list, create and
edit a rule with a form (event, rows of conditions, rows of actions), enable/disable,
delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wowdesk.automations import rules, services
from wowdesk.automations.models import Rule
from wowdesk.conversations.models import Inbox
from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent, Brand, Role, Team
from wowdesk.web.auth import agent_required

ROWS = 5

EVENT_LABELS = {
    "message.created": gettext_lazy("A message is added"),
    "conversation.created": gettext_lazy("A conversation is opened"),
    "conversation.updated": gettext_lazy("A conversation is changed"),
    "message.annotated": gettext_lazy("A message's language or emotion is known"),
}
FIELD_LABELS = {
    "body": gettext_lazy("Message text"),
    "subject": gettext_lazy("Subject"),
    "channel": gettext_lazy("Channel"),
    "language": gettext_lazy("Language"),
    "emotion_label": gettext_lazy("Emotion"),
    "emotion": gettext_lazy("Emotion score"),
    "direction": gettext_lazy("Direction (in, out, note)"),
    "priority": gettext_lazy("Priority"),
    "status": gettext_lazy("Status"),
    "tags": gettext_lazy("Tags"),
    "inbox": gettext_lazy("Inbox"),
    "team": gettext_lazy("Team"),
    "assignee": gettext_lazy("Assignee"),
    "customer.vip_tier": gettext_lazy("Customer's VIP tier"),
    "customer.email": gettext_lazy("Customer's email"),
    "customer.name": gettext_lazy("Customer's name"),
    "customer.language": gettext_lazy("Customer's language"),
}
OP_LABELS = {
    "contains": gettext_lazy("contains"),
    "equals": gettext_lazy("is"),
    "not_equals": gettext_lazy("is not"),
    "in": gettext_lazy("is one of (comma-separated)"),
    "gt": gettext_lazy("is more than"),
    "lt": gettext_lazy("is less than"),
}
ACTION_LABELS = {
    "add_tag": gettext_lazy("Add the tag"),
    "set_priority": gettext_lazy("Set the priority to"),
    "set_status": gettext_lazy("Set the status to"),
    "assign_team": gettext_lazy("Assign to the team"),
    "assign_agent": gettext_lazy("Assign to the agent (email)"),
    "add_note": gettext_lazy("Add a private note"),
    "send_reply": gettext_lazy("Send the reply"),
    "custom_fields": gettext_lazy("Set custom fields (key=value; …)"),
}


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _admin_brand_ids(request: HttpRequest) -> set[int]:
    return permissions.brands_with_role(_me(request), Role.ADMIN)


def _rule(request: HttpRequest, pk: int) -> Rule:
    rule = Rule.objects.filter(pk=pk, brand_id__in=_admin_brand_ids(request)).first()
    if rule is None:
        raise Http404(_("No such rule."))
    return rule


@agent_required(Role.ADMIN)
def rules_page(request: HttpRequest) -> HttpResponse:
    items = (
        Rule.objects.filter(brand_id__in=_admin_brand_ids(request))
        .select_related("brand")
        .order_by("brand__name", "position", "id")
    )
    rows = [
        {
            "rule": r,
            "event": EVENT_LABELS.get(r.event, r.event),
            "conditions": len(r.conditions),
            "actions": ", ".join(str(ACTION_LABELS.get(a["type"], a["type"])) for a in r.actions),
        }
        for r in items
    ]
    return render(request, "automations/list.html", {"rows": rows})


# --- the form -------------------------------------------------------------------------


def _by_name(brand_id: int, field: str, raw: str) -> Any:
    """An id the form names by id, name or email, in the rule's brand (unknown: as typed,
    for the service to refuse)."""
    raw = raw.strip()
    if raw.isdigit() and len(raw) < 19:
        return int(raw)
    found: int | None
    if field in ("team", "assign_team"):
        found = (
            Team.objects.filter(brand_id=brand_id, name__iexact=raw)
            .values_list("pk", flat=True)
            .first()
        )
    elif field == "inbox":
        found = (
            Inbox.objects.filter(brand_id=brand_id, name__iexact=raw)
            .values_list("pk", flat=True)
            .first()
        )
    else:
        found = (
            Agent.objects.filter(brands=brand_id, user__email__iexact=raw)
            .values_list("pk", flat=True)
            .first()
        )
    return found or raw


def _condition_value(brand_id: int, field: str, op: str, raw: str) -> Any:
    kind = rules.FIELDS.get(field, "text")
    if op == "in":
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        return [_by_name(brand_id, field, p) if kind == "id" else p for p in parts]
    if kind == "id":
        return _by_name(brand_id, field, raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def parse_form(post: Any, brand_id: int) -> dict[str, Any]:
    """The rule the form describes; empty rows are skipped."""
    conditions = []
    for i in range(ROWS):
        field = post.get(f"cond-{i}-field", "")
        if not field:
            continue
        op = post.get(f"cond-{i}-op", "")
        raw = post.get(f"cond-{i}-value", "")
        conditions.append(
            {"field": field, "op": op, "value": _condition_value(brand_id, field, op, raw)}
        )
    actions = []
    for i in range(ROWS):
        kind = post.get(f"act-{i}-type", "")
        if not kind:
            continue
        raw = post.get(f"act-{i}-value", "")
        value: Any = raw
        if kind in ("assign_team", "assign_agent"):
            value = _by_name(brand_id, kind, raw) if raw.strip() else None
        elif kind == "custom_fields":
            value = custom_values(brand_id, raw)
        actions.append({"type": kind, "value": value})
    return {
        "name": post.get("name", ""),
        "event": post.get("event", ""),
        "conditions": conditions,
        "actions": actions,
        "active": post.get("active") == "on",
    }


def custom_values(brand_id: int, raw: str) -> Any:
    """``plan=pro; regions=north,east; vip=true``: the values the action sets, read per
    the kind of each of the brand's conversation fields (``key=`` removes a value); text
    that is not ``key=value`` pairs is passed on for the service to refuse."""
    from wowdesk.core import custom_fields as pure
    from wowdesk.core import fields as core_fields

    kinds = {d["key"]: d["kind"] for d in core_fields.for_brand(brand_id, "conversation")}
    out: dict[str, Any] = {}
    for part in raw.split(";"):
        if not part.strip():
            continue
        key, sep, text = part.partition("=")
        if not sep:
            return raw
        key, text = key.strip(), text.strip()
        kind = kinds.get(key, "text")
        if kind == "multiselect":
            out[key] = pure.from_form(kind, [t.strip() for t in text.split(",")])
        else:
            out[key] = pure.from_form(kind, text)
    return out or raw


def _custom_text(value: Any) -> str:
    """The values as the form writes them, keys in alphabetical order (PostgreSQL's jsonb
    keeps no order of its own)."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    parts = []
    for key, v in sorted(value.items()):
        shown = ",".join(v) if isinstance(v, list) else ("" if v is None else str(v))
        parts.append(f"{key}={shown.lower() if isinstance(v, bool) else shown}")
    return "; ".join(parts)


def _shown(rule_data: dict[str, Any], brand_id: int | None) -> dict[str, Any]:
    """The rows the form shows: the rule's, then empty ones up to ROWS."""

    def show(field: str, value: Any) -> str:
        if field == "custom_fields":
            return _custom_text(value)
        if isinstance(value, list):
            return ", ".join(show(field, v) for v in value)
        if field in ("team", "assign_team") and isinstance(value, int):
            return Team.objects.filter(pk=value).values_list("name", flat=True).first() or str(
                value
            )
        if field in ("assignee", "assign_agent") and isinstance(value, int):
            found = Agent.objects.filter(pk=value).values_list("user__email", flat=True).first()
            return found or str(value)
        if field == "inbox" and isinstance(value, int):
            return Inbox.objects.filter(pk=value).values_list("name", flat=True).first() or str(
                value
            )
        return "" if value is None else str(value)

    conditions = [
        {
            "field": c.get("field", ""),
            "op": c.get("op", ""),
            "value": show(c.get("field", ""), c.get("value")),
        }
        for c in rule_data.get("conditions", [])
    ][:ROWS]
    actions = [
        {"type": a.get("type", ""), "value": show(a.get("type", ""), a.get("value"))}
        for a in rule_data.get("actions", [])
    ][:ROWS]
    conditions += [{"field": "", "op": "", "value": ""}] * (ROWS - len(conditions))
    actions += [{"type": "", "value": ""}] * (ROWS - len(actions))
    return {
        "name": rule_data.get("name", ""),
        "event": rule_data.get("event", "message.created"),
        "active": rule_data.get("active", True),
        "brand_id": brand_id,
        "conditions": [{"i": i, **c} for i, c in enumerate(conditions)],
        "actions": [{"i": i, **a} for i, a in enumerate(actions)],
    }


def _form_page(
    request: HttpRequest,
    rule: Rule | None,
    data: dict[str, Any],
    *,
    brand_id: int | None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    brands = list(Brand.objects.filter(id__in=_admin_brand_ids(request)).order_by("name"))
    return render(
        request,
        "automations/form.html",
        {
            "rule": rule,
            "form": _shown(data, brand_id),
            "brands": brands,
            "events": list(EVENT_LABELS.items()),
            "fields": list(FIELD_LABELS.items()),
            "ops": list(OP_LABELS.items()),
            "action_types": list(ACTION_LABELS.items()),
            "error": error,
        },
        status=status,
    )


def _status(exc: ServiceError) -> int:
    return exc.status if exc.status not in (422,) else 400


@agent_required(Role.ADMIN)
def rule_new(request: HttpRequest) -> HttpResponse:
    ids = _admin_brand_ids(request)
    if request.method != "POST":
        return _form_page(request, None, {}, brand_id=min(ids) if ids else None)
    raw_brand = request.POST.get("brand", "")
    brand_id = int(raw_brand) if raw_brand.isdigit() and len(raw_brand) < 19 else None
    if brand_id not in ids:
        error = ServiceError(_("Choose one of your brands."), field="brand")
        return _form_page(request, None, {}, brand_id=None, error=error, status=400)
    assert brand_id is not None
    data = parse_form(request.POST, brand_id)
    try:
        with transaction.atomic():
            rule = services.create_rule(brand_id=brand_id, actor=_me(request), **data)
    except ServiceError as exc:
        return _form_page(request, None, data, brand_id=brand_id, error=exc, status=_status(exc))
    flash.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
    return redirect("web:automations")


@agent_required(Role.ADMIN)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    if request.method != "POST":
        data = {
            "name": rule.name,
            "event": rule.event,
            "conditions": rule.conditions,
            "actions": rule.actions,
            "active": rule.active,
        }
        return _form_page(request, rule, data, brand_id=rule.brand_id)
    data = parse_form(request.POST, rule.brand_id)
    try:
        with transaction.atomic():
            services.update_rule(rule, actor=_me(request), **data)
    except ServiceError as exc:
        rule.refresh_from_db()
        return _form_page(
            request, rule, data, brand_id=rule.brand_id, error=exc, status=_status(exc)
        )
    flash.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
    return redirect("web:automations")


@require_POST
@agent_required(Role.ADMIN)
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    with transaction.atomic():
        services.update_rule(rule, actor=_me(request), active=not rule.active)
    return redirect("web:automations")


@require_POST
@agent_required(Role.ADMIN)
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    with transaction.atomic():
        services.delete_rule(rule, actor=_me(request))
    flash.success(request, _("Rule deleted."))
    return redirect("web:automations")
