"""The administrators' webhooks page (/settings/webhooks/): list, create (the secret is
shown once), edit, enable/disable, delete, recent deliveries and Redeliver."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.events import PUBLIC
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.web.auth import agent_required
from wowdesk.webhooks import services
from wowdesk.webhooks.models import Webhook, WebhookDelivery

EVENT_CHOICES = [(e.value, e.value) for e in PUBLIC]


class WebhookForm(forms.Form):
    url = forms.CharField(label=gettext_lazy("URL"), max_length=services.MAX_URL)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )


class NewWebhookForm(WebhookForm):
    brand = forms.TypedChoiceField(label=gettext_lazy("Brand"), coerce=int)

    def __init__(self, *args: Any, brands: list[Brand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["brand"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(b.pk, b.name) for b in brands]


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _admin_brands(agent: Agent) -> list[Brand]:
    ids = permissions.brands_with_role(agent, Role.ADMIN)
    return list(Brand.objects.filter(id__in=ids).order_by("name"))


def _hook(request: HttpRequest, pk: int) -> Webhook:
    """One of my brands' webhooks; anything else is not found."""
    hook = Webhook.objects.filter(
        pk=pk, brand_id__in=permissions.brands_with_role(_me(request), Role.ADMIN)
    ).first()
    if hook is None:
        raise Http404(_("No such webhook."))
    return hook


def _list_page(
    request: HttpRequest, form: NewWebhookForm, status: int = 200, created: Webhook | None = None
) -> HttpResponse:
    ids = permissions.brands_with_role(_me(request), Role.ADMIN)
    hooks = Webhook.objects.filter(brand_id__in=ids).select_related("brand").order_by("id")
    return render(
        request,
        "webhooks/list.html",
        {"form": form, "hooks": hooks, "created": created},
        status=status,
    )


def _apply_error(form: forms.Form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@agent_required(Role.ADMIN)
def webhooks_page(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    brands = _admin_brands(me)
    if request.method != "POST":
        return _list_page(request, NewWebhookForm(brands=brands))
    form = NewWebhookForm(request.POST, brands=brands)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    data = form.cleaned_data
    try:
        permissions.require_role(me, Role.ADMIN, data["brand"])
        with transaction.atomic():
            hook = services.create_webhook(
                brand_id=data["brand"],
                url=data["url"],
                events=list(data["events"]),
                description=data["description"],
                actor=me,
            )
    except ServiceError as exc:
        _apply_error(form, exc)
        return _list_page(request, form, status=exc.status if exc.status != 422 else 400)
    # The secret is shown on this answer only: it is not in the list or the edit page.
    return _list_page(request, NewWebhookForm(brands=brands), status=201, created=hook)


def _detail(
    request: HttpRequest, hook: Webhook, form: WebhookForm, status: int = 200
) -> HttpResponse:
    deliveries = WebhookDelivery.objects.filter(webhook=hook).order_by("-id")[:50]
    return render(
        request,
        "webhooks/detail.html",
        {"hook": hook, "form": form, "deliveries": deliveries},
        status=status,
    )


@agent_required(Role.ADMIN)
def webhook_page(request: HttpRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    if request.method != "POST":
        initial = {"url": hook.url, "description": hook.description, "events": hook.events}
        return _detail(request, hook, WebhookForm(initial=initial))
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _detail(request, hook, form, status=400)
    try:
        with transaction.atomic():
            services.update_webhook(
                hook,
                actor=_me(request),
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                events=list(form.cleaned_data["events"]),
            )
    except ServiceError as exc:
        _apply_error(form, exc)
        return _detail(request, hook, form, status=400)
    flash.success(request, _("Webhook saved."))
    return redirect("web:webhook", pk=hook.pk)


@require_POST
@agent_required(Role.ADMIN)
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    with transaction.atomic():
        services.update_webhook(hook, actor=_me(request), active=not hook.active)
    flash.success(request, _("Webhook enabled.") if hook.active else _("Webhook disabled."))
    return redirect("web:webhook", pk=hook.pk)


@require_POST
@agent_required(Role.ADMIN)
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    with transaction.atomic():
        services.delete_webhook(hook, actor=_me(request))
    flash.success(request, _("Webhook deleted."))
    return redirect("web:webhooks")


@require_POST
@agent_required(Role.ADMIN)
def webhook_redeliver(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    hook = _hook(request, pk)
    delivery = WebhookDelivery.objects.filter(pk=delivery_id, webhook=hook).first()
    if delivery is None:
        raise Http404(_("No such delivery."))
    with transaction.atomic():
        services.redeliver(delivery, actor=_me(request))
    flash.success(request, _("The delivery will be sent again."))
    return redirect("web:webhook", pk=hook.pk)
