"""Pages of "Policies and approvals": Settings → Policies (the table editor), the
conversation's Grant menu (a side panel), the approvals page (and the board tile's
buttons), the cost report. Thin: they read through ``ui_queries`` and ``services`` and
write through ``services``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core.errors import InvalidInput, NotFound, ServiceError
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.policies import services, ui_queries
from wowdesk.policies.models import Approval, Grant, GrantAction, Policy, PolicyUnit
from wowdesk.web.auth import agent_required
from wowdesk.web.settings_nav import sections_for

GROUPS = ("month", "brand", "team", "agent", "action", "reason")


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _status(exc: ServiceError) -> int:
    return exc.status if exc.status in (400, 403, 404, 409, 422) else 400


def _refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return render(request, "web/forbidden.html", {"reason": exc.message}, status=_status(exc))


def _decimal(raw: str, field: str) -> Decimal | None:
    raw = raw.strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(_("Enter a number."), field=field) from None
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise InvalidInput(_("Enter a number."), field=field)
    return value


def _int(raw: str, field: str, default: int | None = None) -> int | None:
    raw = raw.strip()
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidInput(_("Enter a whole number."), field=field)
    return int(raw)


def _brand_choice(request: HttpRequest, managed: list[int]) -> int:
    raw = request.GET.get("brand") or request.POST.get("brand") or ""
    if raw:
        if not raw.isdigit() or len(raw) > 12:
            raise InvalidInput(_("Choose a brand."), field="brand")
        return int(raw)
    return managed[0] if managed else 0


# --- Settings → Policies ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@agent_required()
def settings_page(request: HttpRequest) -> HttpResponse:
    """The brand's policy table as an editable grid (one form per line, one to add), the
    approval deadline, a brand picker for administrators of several brands."""
    agent = _me(request)
    managed = sorted(permissions.brands_with_role(agent, Role.ADMIN))
    try:
        brand_id = _brand_choice(request, managed)
        permissions.check_manages_policies(agent, brand_id)
    except ServiceError as exc:
        return _refused(request, exc)
    status = 200
    error: dict[str, Any] = {}
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            with transaction.atomic():
                done = _settings_post(agent, brand_id, op, request.POST)
        except ServiceError as exc:
            status = _status(exc)
            error = {
                "op": op,
                "line": "sla" if op == "sla" else (request.POST.get("policy", "") or "new"),
                "field": exc.field or "",
                "message": exc.message,
            }
        else:
            flash.success(request, done)
            return redirect(f"{request.path}?{urlencode({'brand': brand_id})}")
    lines = ui_queries.brand_policies(brand_id)
    custom = sorted({p.action for p in lines if p.action not in GrantAction.values})
    context = {
        "settings_sections": sections_for(agent),
        "settings_section": "policies",
        "brands": Brand.objects.filter(pk__in=managed).order_by("name"),
        "brand_id": brand_id,
        "lines": _grid(lines, error, request.POST if request.method == "POST" else None),
        "actions": [(a.value, a.label) for a in GrantAction]
        + [(c, ui_queries.action_label(c, {p.action: p.label for p in lines})) for c in custom],
        "roles": Role.choices,
        "units": PolicyUnit.choices,
        "teams": ui_queries.brand_teams(brand_id),
        "sla_minutes": ui_queries.approval_sla_minutes(brand_id),
        "error": error,
        "form": request.POST if request.method == "POST" else None,
    }
    return render(request, "policies/settings.html", context, status=status)


FIELDS = (
    "action",
    "custom_action",
    "label",
    "role",
    "min_tenure_months",
    "limit",
    "unit",
    "currency",
    "monthly_budget",
    "team",
    "enabled",
)


def _grid(lines: list[Policy], error: dict[str, Any], posted: Any) -> list[dict[str, Any]]:
    """One row per line of the table and one to add a line, each with the values to show:
    what was typed for the line a refusal names, else what is stored."""
    rows = []
    for p in [*lines, None]:
        key = str(p.pk) if p is not None else "new"
        if posted is not None and error.get("op") == "save" and error.get("line") == key:
            values = {f: posted.get(f, "") for f in FIELDS}
            values["enabled"] = "on" if posted.get("enabled") == "on" else ""
        elif p is not None:
            values = {
                "action": p.action,
                "custom_action": "",
                "label": p.label,
                "role": p.role,
                "min_tenure_months": str(p.min_tenure_months),
                "limit": ui_queries.fmt_amount(p.limit),
                "unit": p.unit,
                "currency": p.currency,
                "monthly_budget": ui_queries.fmt_amount(p.monthly_budget),
                "team": str(p.team_id or ""),
                "enabled": "on" if p.enabled else "",
            }
        else:
            values = {f: "" for f in FIELDS} | {
                "role": Role.AGENT,
                "unit": PolicyUnit.MONEY,
                "min_tenure_months": "0",
                "enabled": "on",
            }
        mine = error if error.get("line") == key else {}
        rows.append({"key": key, "p": p, "v": values, "error": mine})
    return rows


def _settings_post(agent: Agent, brand_id: int, op: str, data: Any) -> str:
    if op == "sla":
        minutes = _int(data.get("approval_sla_minutes", ""), "approval_sla_minutes")
        if minutes is None or minutes < 1:
            raise InvalidInput(_("Enter a whole number of minutes."), field="approval_sla_minutes")
        services.update_settings(agent, brand_id, approval_sla_minutes=minutes)
        return _("Approval deadline saved.")
    if op == "delete":
        services.delete_policy(agent, _line(brand_id, data.get("policy", "")))
        return _("Line removed.")
    if op != "save":
        raise InvalidInput(_("Unknown operation."), field="op")
    policy = _line(brand_id, data.get("policy", "")) if data.get("policy") else None
    action = data.get("action", "").strip()
    if action == "__custom":
        action = data.get("custom_action", "").strip()
        if not action:
            raise InvalidInput(_("Name the custom action."), field="custom_action")
    team_id = _int(data.get("team", ""), "team")
    services.save_policy(
        agent,
        brand_id,
        action=action,
        role=data.get("role", ""),
        limit=_decimal(data.get("limit", ""), "limit"),
        currency=data.get("currency", "").strip().upper(),
        unit=data.get("unit", PolicyUnit.MONEY),
        monthly_budget=_decimal(data.get("monthly_budget", ""), "monthly_budget"),
        min_tenure_months=_int(data.get("min_tenure_months", ""), "min_tenure_months", 0) or 0,
        team_id=team_id,
        label=data.get("label", "").strip(),
        enabled=data.get("enabled") == "on",
        policy=policy,
    )
    return _("Line saved.")


def _line(brand_id: int, raw: str) -> Policy:
    """A line of this brand's table (another brand's id is not found)."""
    pk = _int(raw, "policy")
    found = Policy.objects.filter(pk=pk, brand_id=brand_id).first() if pk else None
    if found is None:
        raise NotFound(_("Not found."), field="policy")
    return found


# --- the conversation's Grant menu -------------------------------------------------------------


def _conversation(agent: Agent, pk: int) -> Conversation:
    try:
        return permissions.get_for_agent(Conversation.objects.select_related("brand"), agent, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_http_methods(["GET", "POST"])
@agent_required()
def conversation_grants(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The panel's content: the conversation's grants with their status and the Grant form.
    ``?part=list``: the list alone (it reloads on every live update of the brand). POST
    grants (or asks for an approval) and answers with the panel saying which."""
    agent = _me(request)
    try:
        conversation = _conversation(agent, pk)
    except ServiceError as exc:
        return _refused(request, exc)
    status = 200
    said = ""
    error: dict[str, str] = {}
    if request.method == "POST":
        data = request.POST
        try:
            with transaction.atomic():
                details_text = data.get("details", "").strip()
                grant = services.request_grant(
                    agent,
                    conversation,
                    action=data.get("action", ""),
                    amount=_decimal(data.get("amount", ""), "amount"),
                    currency=data.get("currency", "").strip().upper(),
                    reason=data.get("reason", "").strip(),
                    details={"note": details_text} if details_text else None,
                )
        except ServiceError as exc:
            status = _status(exc)
            error = {"field": exc.field or "", "message": exc.message}
        else:
            said = _("Granted") if grant.status == "granted" else _("Sent for approval")
            if not request.headers.get("HX-Request"):
                flash.success(request, said)
                return redirect(reverse("web:conversation", args=[conversation.pk]))
    return _panel(request, agent, conversation, said=said, error=error, status=status)


def _panel(
    request: HttpRequest,
    agent: Agent,
    conversation: Conversation,
    *,
    said: str = "",
    error: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = ui_queries.grant_rows(
        ui_queries.conversation_grants(conversation.pk),
        ui_queries.action_labels(conversation.brand_id),
    )
    context = {
        "conversation": conversation,
        "rows": rows,
        "me": agent,
        "url": reverse("policies:conversation-grants", args=[conversation.pk]),
    }
    if request.GET.get("part") == "list":
        return render(request, "policies/_grant_list.html", context)
    grant_error = bool(error) and request.POST.get("op") != "withdraw"
    context |= {
        "choices": ui_queries.grant_choices(agent, conversation.brand_id),
        "said": said,
        "error": error or {},
        "form": request.POST if grant_error else None,
        "open": grant_error,
    }
    return render(request, "policies/_grants.html", context, status=status)


@require_POST
@agent_required()
def withdraw_grant(request: HttpRequest, pk: int, grant_id: int) -> HttpResponseBase:
    """The requester withdraws their grant while it waits for approval."""
    agent = _me(request)
    try:
        conversation = _conversation(agent, pk)
    except ServiceError as exc:
        return _refused(request, exc)
    grant = Grant.objects.filter(pk=grant_id, conversation_id=conversation.pk).first()
    if grant is None:
        raise Http404(_("Not found."))
    try:
        with transaction.atomic():
            services.cancel_grant(agent, grant)
    except ServiceError as exc:
        if not request.headers.get("HX-Request"):
            return _refused(request, exc)
        error = {"field": exc.field or "", "message": exc.message}
        return _panel(request, agent, conversation, error=error, status=_status(exc))
    said = _("Withdrawn")
    if not request.headers.get("HX-Request"):
        flash.success(request, said)
        return redirect(reverse("web:conversation", args=[conversation.pk]))
    return _panel(request, agent, conversation, said=said)


# --- approvals ---------------------------------------------------------------------------------


@require_http_methods(["GET"])
@agent_required(role="supervisor")
def approvals_page(request: HttpRequest) -> HttpResponse:
    """Pending approvals (oldest first, overdue marked) and decided ones (newest first,
    keyset pages of 50)."""
    agent = _me(request)
    try:
        before = _int(request.GET.get("before", ""), "before")
    except ServiceError as exc:
        return _refused(request, exc)
    now = timezone.now()
    total, pending = ui_queries.pending_for(agent, limit=ui_queries.PAGE_SIZE)
    decided = ui_queries.decided_for(agent, before=before)
    more = len(decided) > ui_queries.PAGE_SIZE
    decided = decided[: ui_queries.PAGE_SIZE]
    labels = ui_queries.labels_for_brands(permissions.brands_with_role(agent, Role.SUPERVISOR))
    context = {
        "pending": [ui_queries.approval_row(a, labels, now) for a in pending],
        "pending_total": total,
        "decided": [ui_queries.approval_row(a, labels, now) for a in decided],
        "next_before": decided[-1].pk if more and decided else None,
        "several_brands": len(permissions.brands_with_role(agent, Role.SUPERVISOR)) > 1,
    }
    return render(request, "policies/approvals.html", context)


@require_POST
@agent_required(role="supervisor")
def decide(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Approve or decline (with an optional note), from the board tile or the approvals
    page; back to where it came from."""
    agent = _me(request)
    back = (
        reverse("web:supervisor")
        if request.POST.get("next") == "board"
        else reverse("policies:approvals")
    )
    try:
        with transaction.atomic():
            approval = (
                permissions.scope(Approval.objects.all(), agent, role=Role.SUPERVISOR)
                .select_related("grant")
                .filter(pk=pk)
                .first()
            )
            if approval is None:
                raise Http404(_("Not found."))
            decision = request.POST.get("decision", "")
            if decision not in ("approve", "decline"):
                raise InvalidInput(_("Choose approve or decline."), field="decision")
            services.decide_approval(
                agent, approval, decision=decision, note=request.POST.get("note", "").strip()
            )
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect(back)
    flash.success(request, _("Approved.") if decision == "approve" else _("Declined."))
    return redirect(back)


# --- costs -------------------------------------------------------------------------------------


@require_http_methods(["GET"])
@agent_required(role="supervisor")
def costs_page(request: HttpRequest) -> HttpResponseBase:
    """Cost of grants per month and group (brand, team, agent, action, reason) over a date
    range, as a stacked bar chart, the table under it and a CSV download."""
    agent = _me(request)
    brands = list(Brand.objects.filter(pk__in=permissions.report_brands(agent)).order_by("name"))
    try:
        query = _costs_query(request, agent)
        rows = services.grant_costs(
            agent,
            date_from=query["date_from"],
            date_to=query["date_to"],
            group_by=query["group_by"],
            brand_id=query["brand_id"],
            currency=query["currency"] or None,
        )
    except ServiceError as exc:
        return render(
            request,
            "policies/costs.html",
            {
                "error": exc.message,
                "field": exc.field,
                "brands": brands,
                "groups": _groups(),
                "q": request.GET,
            },
            status=_status(exc),
        )
    table = cost_table(rows)
    if request.GET.get("format") == "csv":
        return _csv(table, query)
    context = {
        "brands": brands,
        "groups": _groups(),
        "q": query,
        "table": table,
        "chart": cost_chart(table),
        "csv_url": request.path + "?" + urlencode({**_plain(query), "format": "csv"}),
    }
    return render(request, "policies/costs.html", context)


def _groups() -> list[tuple[str, str]]:
    return [
        ("brand", _("Brand")),
        ("team", _("Team")),
        ("agent", _("Agent")),
        ("action", _("Action")),
        ("reason", _("Reason")),
    ]


def _costs_query(request: HttpRequest, agent: Agent) -> dict[str, Any]:
    today = timezone.localdate()
    raw_from = request.GET.get("from", "")
    raw_to = request.GET.get("to", "")
    date_to = _date(raw_to, "to") if raw_to else today
    date_from = (
        _date(raw_from, "from")
        if raw_from
        else (date_to.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
    )
    if date_from > date_to:
        raise InvalidInput(_("The start is after the end."), field="from")
    group_by = request.GET.get("group_by", "action") or "action"
    if group_by not in GROUPS[1:]:
        raise InvalidInput(_("Choose a grouping."), field="group_by")
    brand_id = _int(request.GET.get("brand", ""), "brand")
    if brand_id is not None:
        permissions.check_sees_reports(agent, brand_id)
    currency = request.GET.get("currency", "").strip().upper()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        raise InvalidInput(_("A currency is three letters, like EUR."), field="currency")
    return {
        "date_from": date_from,
        "date_to": date_to,
        "group_by": group_by,
        "brand_id": brand_id,
        "currency": currency,
    }


def _date(raw: str, field: str) -> dt.date:
    from wowdesk.core.input import check_date

    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(_("Enter a date (YYYY-MM-DD)."), field=field) from None
    return check_date(value, field)


def _plain(query: dict[str, Any]) -> dict[str, str]:
    return {
        "from": query["date_from"].isoformat(),
        "to": query["date_to"].isoformat(),
        "group_by": query["group_by"],
        "brand": str(query["brand_id"] or ""),
        "currency": query["currency"],
    }


def cost_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's rows as the page shows them: month, group, currency, total, count,
    on the spot, approved."""
    out = []
    for r in rows:
        out.append(
            {
                "month": str(r.get("month", ""))[:7],
                "group": str(r.get("label") or r.get("key") or r.get("group") or "—"),
                "currency": r.get("currency") or "",
                "total": ui_queries.fmt_amount(_dec(r.get("total"))) or "0",
                "total_num": float(_dec(r.get("total")) or 0),
                "count": int(r.get("count") or 0),
                "on_the_spot": int(r.get("on_the_spot") or 0),
                "approved": int(r.get("approved") or 0),
            }
        )
    return out


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def cost_chart(table: list[dict[str, Any]]) -> dict[str, Any]:
    """A stacked bar per month: one dataset per group and currency (never add currencies)."""
    months = sorted({r["month"] for r in table})
    series: dict[str, dict[str, float]] = {}
    for r in table:
        name = f"{r['group']} ({r['currency']})" if r["currency"] else r["group"]
        series.setdefault(name, {})[r["month"]] = (
            series.get(name, {}).get(r["month"], 0) + r["total_num"]
        )
    return {
        "type": "bar",
        "labels": months,
        "datasets": [
            {"label": name, "data": [values.get(m, 0) for m in months]}
            for name, values in sorted(series.items())
        ],
    }


def _csv(table: list[dict[str, Any]], query: dict[str, Any]) -> HttpResponse:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        ["month", query["group_by"], "currency", "total", "count", "on_the_spot", "approved"]
    )
    for r in table:
        group = r["group"]
        if group[:1] in ("=", "+", "-", "@"):
            group = "'" + group  # no formulas in a spreadsheet
        writer.writerow(
            [
                r["month"],
                group,
                r["currency"],
                r["total"],
                r["count"],
                r["on_the_spot"],
                r["approved"],
            ]
        )
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"grant-costs-{query['date_from']}-{query['date_to']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
