from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "wowdesk.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from wowdesk.core.events import Event, listen

        # Open workspaces hear what changed (web/live.py).
        listen(Event.MESSAGE_CREATED, "wowdesk.web.live.on_message_created")
        listen(Event.CONVERSATION_UPDATED, "wowdesk.web.live.on_conversation_updated")
        listen(Event.MESSAGE_DELIVERY_CHANGED, "wowdesk.web.live.on_delivery_changed")
        listen(Event.MESSAGE_ANNOTATED, "wowdesk.web.live.on_message_annotated")

        from wowdesk.web.bulk import linked_panel
        from wowdesk.web.fields import PANEL_TEMPLATE, panel_context
        from wowdesk.web.panels import register_panel

        register_panel(
            "visitor",
            "web/_visitor.html",
            order=50,
            context=_visitor_panel,
        )
        # The open conversation's custom fields and its customer's (web/fields.py).
        register_panel("custom_fields", PANEL_TEMPLATE, order=40, context=panel_context)
        register_panel("linked", "web/_linked.html", order=60, context=linked_panel)

        # Logging in to the web app puts an agent online, logging out offline (routing
        # follows presence). Django's auth signals are the only hook for its login views.
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        user_logged_in.connect(_online, dispatch_uid="wowdesk-presence-login")
        user_logged_out.connect(_offline, dispatch_uid="wowdesk-presence-logout")

        # The admin's sign-in says "locked" like the workspace's (the backend enforces it).
        from django.contrib import admin

        from wowdesk.web.auth import ThrottledAdminAuthenticationForm

        admin.site.login_form = ThrottledAdminAuthenticationForm
        # Superusers only (core.permissions.may_use_django_admin).
        admin.site.has_permission = _admin_permission  # type: ignore[method-assign]
        # The admin's headings are the product's, in the reader's language.
        admin.site.site_header = _("wowdesk administration")
        admin.site.site_title = _("wowdesk administration")
        admin.site.index_title = _("Brands, people, channels and logs")


def _visitor_panel(request: Any, conversation: Any) -> dict[str, Any] | None:
    from wowdesk.web.chat_widget import visitor_panel

    return visitor_panel(request, conversation)


def _admin_permission(request: Any) -> bool:
    from wowdesk.core.permissions import may_use_django_admin

    return may_use_django_admin(request.user)


def _set(user: Any, status: str) -> None:
    from django.db import transaction

    from wowdesk.core.models import Agent
    from wowdesk.routing.services import set_presence

    user_id = getattr(user, "pk", None)
    agent = Agent.objects.filter(user_id=user_id).first() if user_id is not None else None
    if agent is not None:
        with transaction.atomic():
            set_presence(agent, status, actor=agent)


def _online(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _set(user, "online")


def _offline(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _set(user, "offline")
