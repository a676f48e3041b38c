"""Custom fields in the workspace: the context panel of an open conversation (its fields
and its customer's, edited in place), the list's "More filters", and the administrators'
settings page (/settings/custom-fields/): list, create, edit, archive, reorder."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core import custom_fields as pure
from wowdesk.core import fields as core_fields
from wowdesk.core import permissions
from wowdesk.core.errors import InvalidInput, ServiceError
from wowdesk.core.models import Agent, Brand, CustomField, FieldKind, FieldTarget, Role
from wowdesk.customers import services as customers
from wowdesk.web.auth import agent_required

PANEL_TEMPLATE = "web/_custom_fields.html"
CHECKBOX_CHOICES = (("true", gettext_lazy("Yes")), ("false", gettext_lazy("No")))


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _shown(defs: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields with their values as the inputs show them."""
    rows = []
    for d in defs:
        value = values.get(d["key"])
        rows.append(
            {
                **d,
                "value": value,
                "text": ""
                if value is None
                else str(value).lower()
                if d["kind"] == "checkbox"
                else value,
                "chosen": value if isinstance(value, list) else [],
                "input": f"cf-{d['applies_to']}-{d['key']}",
            }
        )
    return rows


def panel_context(
    request: HttpRequest, conversation: Conversation, *, error: ServiceError | None = None
) -> dict[str, Any] | None:
    """The panel's context (no query: the definitions are cached, the conversation comes
    with its customer); None when the brand has no custom fields."""
    conv_defs = core_fields.for_brand(conversation.brand_id, "conversation")
    customer_defs = core_fields.for_brand(conversation.brand_id, "customer")
    if not conv_defs and not customer_defs:
        return None
    failed = ""
    if error is not None and error.field:
        failed = error.field.split(".", 1)[1] if "." in error.field else error.field
    return {
        "conversation": conversation,
        "groups": [
            {
                "target": "conversation",
                "title": _("Conversation"),
                "rows": _shown(conv_defs, conversation.custom_fields or {}),
            },
            {
                "target": "customer",
                "title": _("Customer"),
                "rows": _shown(customer_defs, conversation.customer.custom_fields or {}),
            },
        ],
        "error": error,
        "failed": failed,
        "checkbox_choices": CHECKBOX_CHOICES,
    }


def _patch(post: Any, defs: list[dict[str, Any]], current: dict[str, Any]) -> dict[str, Any]:
    """The values the panel's form sent (the fields it showed, named in ``fields``)."""
    shown = set(post.getlist("fields"))
    patch: dict[str, Any] = {}
    for d in defs:
        key, kind = d["key"], d["kind"]
        if key not in shown:
            continue
        name = f"cf_{key}"
        raw = post.getlist(name) if kind == "multiselect" else post.get(name, "")
        value = pure.from_form(kind, raw)
        if kind == "checkbox" and value is None and key not in current:
            continue
        patch[key] = value
    return patch


@require_POST
@agent_required()
def save_values(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The panel's form: one target's values (``target``: conversation or customer)."""
    from wowdesk.web.views import _conversation

    conversation = _conversation(request, pk)
    target = request.POST.get("target", "")
    error: ServiceError | None = None
    try:
        if target not in pure.APPLIES_TO:
            raise InvalidInput(_("Unknown target."), field="target")
        defs = core_fields.for_brand(conversation.brand_id, target)
        with transaction.atomic():
            if target == "conversation":
                patch = _patch(request.POST, defs, conversation.custom_fields or {})
                conversations.update_conversation(
                    conversation, actor=_me(request), custom_fields=patch
                )
            else:
                customer = conversation.customer
                patch = _patch(request.POST, defs, customer.custom_fields or {})
                customers.update_customer(customer, actor=_me(request), custom_fields=patch)
    except ServiceError as exc:
        error = exc
    fresh = _conversation(request, pk)
    if not request.headers.get("HX-Request"):
        if error is not None:
            flash.error(request, error.message)
        else:
            flash.success(request, _("Custom fields saved."))
        return redirect(reverse("web:conversation", args=[pk]))
    ctx = panel_context(request, fresh, error=error) or {}
    ctx["saved"] = error is None
    return render(
        request,
        PANEL_TEMPLATE,
        {"ctx": ctx, "conversation": fresh},
        status=error.status if error is not None else 200,
    )


# --- the list's "More filters" ----------------------------------------------------------


def filter_rows(agent: Agent, custom: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    """The conversation fields of the agent's brands (one per key), each with the value
    the list is filtered by."""
    chosen = dict(custom)
    seen: dict[str, dict[str, Any]] = {}
    for brand_id in sorted(permissions.visible_brand_ids(agent)):
        for d in core_fields.for_brand(brand_id, "conversation"):
            seen.setdefault(
                d["key"],
                {**d, "value": chosen.get(d["key"], ""), "input": f"f-cf-{d['key']}"},
            )
    return list(seen.values())


# --- settings ---------------------------------------------------------------------------


def _admin_brand_ids(request: HttpRequest) -> set[int]:
    return permissions.brands_with_role(_me(request), Role.ADMIN)


def _field(request: HttpRequest, pk: int) -> CustomField:
    row = CustomField.objects.filter(pk=pk, brand_id__in=_admin_brand_ids(request)).first()
    if row is None:
        raise Http404(_("Not found."))
    return row


def _options(raw: str) -> list[str]:
    """Options as the form takes them: one per line."""
    return [line for line in raw.splitlines() if line.strip()]


def _settings_page(
    request: HttpRequest,
    *,
    form: dict[str, Any] | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    ids = _admin_brand_ids(request)
    brands = list(Brand.objects.filter(id__in=ids).order_by("name"))
    rows = list(
        CustomField.objects.filter(brand_id__in=ids)
        .select_related("brand")
        .order_by("brand__name", "applies_to", "archived", "position", "id")
    )
    groups = []
    for brand in brands:
        for target, label in FieldTarget.choices:
            items = [r for r in rows if r.brand_id == brand.pk and r.applies_to == target]
            groups.append({"brand": brand, "target": target, "label": label, "rows": items})
    return render(
        request,
        "web/settings/custom_fields.html",
        {
            "groups": groups,
            "brands": brands,
            "kinds": FieldKind.choices,
            "targets": FieldTarget.choices,
            "form": form or {"brand": min(ids) if ids else "", "kind": "text"},
            "error": error,
        },
        status=status,
    )


def _status(exc: ServiceError) -> int:
    return 400 if exc.status == 422 else exc.status


@agent_required(Role.ADMIN)
def settings_page(request: HttpRequest) -> HttpResponse:
    """The brand's fields, and the form that adds one."""
    if request.method != "POST":
        return _settings_page(request)
    post = request.POST
    form: dict[str, Any] = {
        k: post.get(k, "") for k in ("brand", "name", "key", "kind", "applies_to", "options")
    }
    form["required_on_resolve"] = post.get("required_on_resolve") == "on"
    ids = _admin_brand_ids(request)
    raw_brand = str(form["brand"])
    brand_id = int(raw_brand) if raw_brand.isdigit() and len(raw_brand) < 19 else None
    try:
        if brand_id not in ids:
            raise InvalidInput(_("Choose one of your brands."), field="brand")
        assert brand_id is not None
        with transaction.atomic():
            row = core_fields.create_field(
                brand_id=brand_id,
                name=form["name"],
                key=str(form["key"]).strip(),
                kind=form["kind"],
                applies_to=form["applies_to"],
                options=_options(str(form["options"])),
                required_on_resolve=bool(form["required_on_resolve"]),
                actor=_me(request),
            )
    except ServiceError as exc:
        return _settings_page(request, form=form, error=exc, status=_status(exc))
    flash.success(request, _("Field “%(name)s” added.") % {"name": row.name})
    return redirect("web:custom-fields")


@agent_required(Role.ADMIN)
def field_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit one field: its name, options and whether it is required to resolve."""
    row = _field(request, pk)
    if request.method != "POST":
        return _edit_page(request, row)
    post = request.POST
    changes: dict[str, Any] = {"name": post.get("name", "")}
    if row.kind in pure.WITH_OPTIONS:
        changes["options"] = _options(post.get("options", ""))
    if row.applies_to == FieldTarget.CONVERSATION:
        changes["required_on_resolve"] = post.get("required_on_resolve") == "on"
    try:
        with transaction.atomic():
            core_fields.update_field(row, actor=_me(request), **changes)
    except ServiceError as exc:
        row.refresh_from_db()
        return _edit_page(request, row, error=exc, status=_status(exc), posted=post)
    flash.success(request, _("Field “%(name)s” saved.") % {"name": row.name})
    return redirect("web:custom-fields")


def _edit_page(
    request: HttpRequest,
    row: CustomField,
    *,
    error: ServiceError | None = None,
    status: int = 200,
    posted: Any = None,
) -> HttpResponse:
    return render(
        request,
        "web/settings/custom_field.html",
        {
            "field": row,
            "name": posted.get("name", "") if posted is not None else row.name,
            "options": posted.get("options", "")
            if posted is not None
            else "\n".join(row.options or []),
            "has_options": row.kind in pure.WITH_OPTIONS,
            "error": error,
        },
        status=status,
    )


@require_POST
@agent_required(Role.ADMIN)
def field_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive (``archived=1``) or restore (``archived=0``) a field."""
    row = _field(request, pk)
    archived = request.POST.get("archived", "1") == "1"
    with transaction.atomic():
        core_fields.update_field(row, actor=_me(request), archived=archived)
    flash.success(
        request,
        (_("Field “%(name)s” archived.") if archived else _("Field “%(name)s” restored."))
        % {"name": row.name},
    )
    return redirect("web:custom-fields")


@require_POST
@agent_required(Role.ADMIN)
def field_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a field one place up or down among its brand's fields of the same target."""
    row = _field(request, pk)
    order = list(
        CustomField.objects.filter(brand_id=row.brand_id, applies_to=row.applies_to)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    at = order.index(row.pk)
    to = at - 1 if request.POST.get("direction") == "up" else at + 1
    if 0 <= to < len(order):
        order[at], order[to] = order[to], order[at]
        with transaction.atomic():
            core_fields.reorder(row.brand_id, row.applies_to, order, actor=_me(request))
    return redirect("web:custom-fields")
