"""The notification centre: the bell's menu (fetched by static/web/notifications.js), the
full list (/notifications/), opening one (marks it read) and "mark all read", and each
agent's preferences (/settings/notifications/). Every agent, any role; each sees only
their own (notifications.services.mine)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent
from wowdesk.notifications import present, services
from wowdesk.notifications.models import Kind, Notification
from wowdesk.web.auth import agent_required

MENU_SIZE = 8
PAGE_SIZE = 25


def _agent(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def rows(items: list[Notification]) -> list[dict[str, Any]]:
    return [
        {"n": n, "title": present.title(n), "detail": present.detail(n), "unread": not n.read_at}
        for n in items
    ]


@require_GET
@agent_required()
def menu(request: HttpRequest) -> HttpResponse:
    """The bell's drop-down: the newest few, the unread count and the agent's desktop and
    sound settings for the script."""
    agent = _agent(request)
    items = list(services.mine(agent)[:MENU_SIZE])
    pref = services.preferences(agent)
    newest = next((n for n in items if not n.read_at), None)
    return render(
        request,
        "web/_notifications_menu.html",
        {
            "items": rows(items),
            "unread": services.unread_count(agent),
            "pref": pref,
            "newest": newest,
            "newest_title": present.title(newest) if newest else "",
        },
    )


@require_GET
@agent_required()
def page(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    unread_only = request.GET.get("unread") == "1"
    qs = services.mine(agent)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    pages = Paginator(qs, PAGE_SIZE)
    current = pages.get_page(request.GET.get("page"))
    return render(
        request,
        "web/notifications.html",
        {
            "items": rows(list(current.object_list)),
            "page_obj": current,
            "unread_only": unread_only,
            "unread": services.unread_count(agent),
        },
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:notifications")


@require_POST
@agent_required()
def open_one(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Mark one read and go to its conversation (or the list, when it has none)."""
    agent = _agent(request)
    try:
        with transaction.atomic():
            row = services.mark_read(agent, pk)
    except ServiceError as exc:
        return render(request, "web/forbidden.html", {"reason": exc.message}, status=404)
    if row.conversation_id:
        return redirect("web:conversation", pk=row.conversation_id)
    path = str((row.params or {}).get("path") or "")
    if path and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return redirect(path)
    return redirect(_next(request))


@require_POST
@agent_required()
def read_all(request: HttpRequest) -> HttpResponseBase:
    with transaction.atomic():
        services.mark_all_read(_agent(request))
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return redirect(_next(request))


class PreferencesForm(forms.Form):
    desktop = forms.BooleanField(
        label=gettext_lazy("Desktop notifications (this browser asks you once)"), required=False
    )
    sound = forms.BooleanField(label=gettext_lazy("A short sound"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[f"kind_{kind}"] = forms.BooleanField(label=label, required=False)

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[f"kind_{k}"] for k in Kind.values]


@require_http_methods(["GET", "POST"])
@agent_required()
def preferences(request: HttpRequest) -> HttpResponseBase:
    agent = _agent(request)
    pref = services.preferences(agent)
    initial: dict[str, Any] = {"desktop": pref.desktop, "sound": pref.sound}
    initial.update({f"kind_{k}": pref.wants(k) for k in Kind.values})
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.set_preferences(
                agent,
                in_app={k: bool(form.cleaned_data[f"kind_{k}"]) for k in Kind.values},
                desktop=form.cleaned_data["desktop"],
                sound=form.cleaned_data["sound"],
            )
        flash.success(request, _("Your notification settings are saved."))
        return redirect("web:notification-settings")
    return render(request, "web/settings/notifications.html", {"form": form})
