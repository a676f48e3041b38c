"""Signing in to the workspace and the admin: a throttled login, and the guard every
workspace page uses.

Throttling (``web/services.py``) is enforced by the authentication backend, so every
sign-in form (the workspace's ``/login/`` and the admin's ``/admin/login/``) goes through
it: a locked username/address pair, or a locked address, is refused before the password is
hashed, and a right password during the lock is refused too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wowdesk.core.models import Agent
from wowdesk.core.permissions import visible_brand_ids
from wowdesk.web import services as throttle
from wowdesk.web.services import LOCK_SECONDS, client_ip

# The throttle's limit and counter, as callers of the sign-in module read them.
from wowdesk.web.services import MAX_FAILURES as MAX_FAILURES
from wowdesk.web.services import failures as failures

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


class ThrottledModelBackend(ModelBackend):
    """Django's username/password check behind the sign-in throttle."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(self._username_field(), "")
        name = str(username or "")
        ip = client_ip(request)
        if throttle.locked(name, ip):
            if request is not None:
                request._wowdesk_login_locked = True  # type: ignore[attr-defined]
            # Stops Django from asking any other backend: the attempt is over.
            raise PermissionDenied("locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.record_failure(name, ip)
        else:
            throttle.clear_failures(name, ip)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return str(get_user_model().USERNAME_FIELD)


LOCKED_MESSAGE = _("Too many failed attempts. Try again in %(minutes)d minutes.")


def _locked_instead(form: AuthenticationForm) -> dict[str, Any]:
    """The form's own check, with "locked" in place of "invalid" while the throttle holds."""
    try:
        return AuthenticationForm.clean(form)
    except forms.ValidationError:
        if getattr(form.request, "_wowdesk_login_locked", False):
            raise forms.ValidationError(
                LOCKED_MESSAGE, code="locked", params={"minutes": LOCK_SECONDS // 60}
            ) from None
        raise


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's own message speaks of a "username"; the form asks for an email.
        "invalid_login": _("That email and password do not match an account. Check both."),
    }

    def clean(self) -> dict[str, Any]:
        return _locked_instead(self)


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self) -> dict[str, Any]:
        return _locked_instead(self)

    def confirm_login_allowed(self, user: Any) -> None:
        """Only superusers sign in to the Django admin (the same answer as for a wrong
        password, as Django gives non-staff accounts)."""
        super().confirm_login_allowed(user)
        from wowdesk.core.permissions import may_use_django_admin

        if not may_use_django_admin(user):
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


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
