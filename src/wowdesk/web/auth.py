"""Signing in to the workspace: a throttled login, and the guard every workspace page uses.

Throttling: after ``MAX_FAILURES`` wrong passwords for one username from one address, that
pair is locked for ``LOCK_SECONDS`` (counted in the cache, shared by every process when the
cache is Redis). A right password during the lock is refused too, with the same message.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wowdesk.core.models import Agent
from wowdesk.core.permissions import visible_brand_ids

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _key(username: str, ip: str) -> str:
    raw = f"{username.strip().lower()}\0{ip}".encode()
    return "wowdesk:login-failures:" + hashlib.sha256(raw).hexdigest()


def failures(username: str, ip: str) -> int:
    return int(cache.get(_key(username, ip), 0))


def note_failure(username: str, ip: str) -> int:
    key = _key(username, ip)
    if cache.add(key, 1, LOCK_SECONDS):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOCK_SECONDS)
        return 1


def clear_failures(username: str, ip: str) -> None:
    cache.delete(_key(username, ip))


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's own message speaks of a "username"; the form asks for an email.
        "invalid_login": _("That email and password do not match an account. Check both."),
        "locked": _("Too many failed attempts. Try again in %(minutes)d minutes."),
    }

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username", ""))
        ip = client_ip(self.request) if self.request is not None else "unknown"
        if failures(username, ip) >= MAX_FAILURES:
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": LOCK_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            note_failure(username, ip)
            raise
        clear_failures(username, ip)
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True
    next_page = "/inbox/"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        agent = Agent.objects.filter(user=form.get_user()).first()
        if agent is None:
            return response
        chosen = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen in dict(settings.LANGUAGES) and chosen != agent.ui_language:
            # Picked on the login page: that choice is the agent's from now on.
            from django.db import transaction

            from wowdesk.core.services import update_agent

            with transaction.atomic():
                update_agent(agent, actor=agent, ui_language=chosen)
        elif not chosen and agent.ui_language:
            # A new browser: the agent's own UI language (Django's language cookie).
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                agent.ui_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        return response


def current_agent(request: HttpRequest) -> Agent | None:
    """The signed-in person's agent record (once per request)."""
    if not request.user.is_authenticated:
        return None
    cached = getattr(request, "_wowdesk_agent", False)
    if cached is False:
        cached = Agent.objects.select_related("user", "site").filter(user=request.user).first()
        request._wowdesk_agent = cached  # type: ignore[attr-defined]
    return cast(Agent | None, cached)


def agent_required(role: str | None = None) -> Callable[[V], V]:
    """Only signed-in, active agents (with at least ``role``); pages render in the agent's
    time zone."""

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            agent = current_agent(request)
            if agent is None or not agent.is_active:
                return _forbidden(request, _("Your account is not an active agent."))
            if role is not None and not agent.has_role(role):
                return _forbidden(request, _("This page is for supervisors and administrators."))
            request.agent = agent  # type: ignore[attr-defined]
            request.away_after_minutes = settings.WOWDESK_AWAY_AFTER_MINUTES  # type: ignore[attr-defined]
            brand_ids = visible_brand_ids(agent)
            request.agent_brand_id = min(brand_ids) if brand_ids else ""  # type: ignore[attr-defined]
            with timezone.override(agent.timezone or "UTC"):
                return view(request, *args, **kwargs)

        return cast(V, wrapped)

    return decorator


def _forbidden(request: HttpRequest, reason: Any) -> HttpResponse:
    return render(request, "web/forbidden.html", {"reason": reason}, status=403)
