"""The settings area's "Surveys" section (``/surveys/settings/``, administrators): the
brand's survey settings and the inboxes that override them, every field of
``SurveySettings`` on one form (the follow-up rules' switches included)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wowdesk.conversations.models import Inbox
from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.surveys import services
from wowdesk.surveys.models import SurveyChannel, SurveyKind, SurveySettings, WarrantyAction
from wowdesk.web.auth import agent_required
from wowdesk.web.settings_nav import sections_for


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def _brand(request: HttpRequest, raw: str | None) -> int:
    """The brand the page is about: the one asked for, else the agent's first one they
    administer."""
    agent = _me(request)
    managed = sorted(permissions.brands_with_role(agent, Role.ADMIN))
    asked = _int(raw)
    if asked is not None:
        permissions.check_manages_surveys(agent, asked)
        return asked
    if not managed:
        permissions.require_role(agent, Role.ADMIN)
    return managed[0]


def form_changes(data: Any) -> dict[str, Any]:
    """The settings a submitted form names (a checkbox not sent is off); numbers that are
    not numbers are passed on as they are, for the service to refuse naming the field."""
    changes: dict[str, Any] = {
        "kinds": [k for k in SurveyKind.values if k in data.getlist("kinds")],
        "channel": data.get("channel", ""),
        "warranty_action": data.get("warranty_action", ""),
    }
    for name in services.SWITCHES:
        changes[name] = data.get(name) == "on"
    for name in services.BOUNDS:
        raw = (data.get(name) or "").strip()
        changes[name] = int(raw) if raw.lstrip("-").isdigit() and len(raw) < 12 else raw
    return changes


def _forms(brand_id: int) -> tuple[SurveySettings, list[tuple[Inbox, SurveySettings]]]:
    brand_row = services.brand_settings(brand_id)
    rows = list(
        SurveySettings.objects.filter(brand_id=brand_id, inbox__isnull=False)
        .select_related("inbox")
        .order_by("inbox__name", "inbox_id")
    )
    return brand_row, [(r.inbox, r) for r in rows if r.inbox is not None]


def _page(
    request: HttpRequest, brand_id: int, *, status: int = 200, error: str = "", field: str = ""
) -> HttpResponse:
    agent = _me(request)
    brand_row, overrides = _forms(brand_id)
    overridden = {inbox.pk for inbox, _row in overrides}
    context = {
        "settings_sections": sections_for(agent),
        "settings_section": "surveys",
        "brands": Brand.objects.filter(
            pk__in=permissions.brands_with_role(agent, Role.ADMIN)
        ).order_by("name"),
        "brand_id": brand_id,
        "brand_row": brand_row,
        "overrides": overrides,
        "free_inboxes": Inbox.objects.filter(brand_id=brand_id)
        .exclude(pk__in=overridden)
        .order_by("name"),
        "kind_choices": SurveyKind.choices,
        "channel_choices": SurveyChannel.choices,
        "warranty_choices": WarrantyAction.choices,
        "bounds": services.BOUNDS,
        "error": error,
        "error_field": field,
    }
    return render(request, "surveys/settings.html", context, status=status)


def _back(brand_id: int) -> HttpResponse:
    return redirect(f"{reverse('surveys:settings')}?brand={brand_id}")


@agent_required(Role.ADMIN)
def settings_page(request: HttpRequest) -> HttpResponse:
    try:
        brand_id = _brand(request, request.GET.get("brand"))
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return _page(request, brand_id)


@require_POST
@agent_required(Role.ADMIN)
def settings_save(request: HttpRequest) -> HttpResponse:
    """Save the brand's form, or one inbox's (``inbox``)."""
    try:
        brand_id = _brand(request, request.POST.get("brand"))
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status)
    inbox_id = _int(request.POST.get("inbox"))
    try:
        services.do_patch_settings(
            _me(request), brand_id, form_changes(request.POST), inbox_id=inbox_id
        )
    except ServiceError as exc:
        status = 400 if exc.status == 422 else exc.status
        return _page(request, brand_id, status=status, error=exc.message, field=exc.field or "")
    flash.success(request, _("Survey settings saved."))
    return _back(brand_id)


@require_POST
@agent_required(Role.ADMIN)
def override_add(request: HttpRequest) -> HttpResponse:
    """Give an inbox its own settings (a copy of the brand's to start from)."""
    try:
        brand_id = _brand(request, request.POST.get("brand"))
        inbox_id = _int(request.POST.get("inbox"))
        if inbox_id is None:
            return _page(request, brand_id, status=400, error=_("Choose an inbox."), field="inbox")
        services.do_patch_settings(_me(request), brand_id, {}, inbox_id=inbox_id)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=400 if exc.status == 422 else exc.status)
    flash.success(request, _("The inbox now has its own survey settings."))
    return _back(brand_id)


@require_POST
@agent_required(Role.ADMIN)
def override_remove(request: HttpRequest) -> HttpResponse:
    """The inbox follows the brand's settings again."""
    try:
        brand_id = _brand(request, request.POST.get("brand"))
        inbox_id = _int(request.POST.get("inbox"))
        if inbox_id is None or not services.do_drop_override(_me(request), brand_id, inbox_id):
            return _page(
                request, brand_id, status=404, error=_("This inbox has no settings of its own.")
            )
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status)
    flash.success(request, _("The inbox follows the brand's survey settings again."))
    return _back(brand_id)
