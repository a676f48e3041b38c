"""Admin for inboxes, tags, macros and conversations, behind the brand wall
(core/admin_scoping.py); saves go through conversations/services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wowdesk.conversations import services
from wowdesk.conversations.models import Conversation, Inbox, Macro, Message, Tag
from wowdesk.core.admin_scoping import BrandScopedAdmin, BrandScopedInline, pk_of


def _original(obj: Any) -> Any:
    return type(obj)._default_manager.get(pk=obj.pk)


@admin.register(Inbox)
class InboxAdmin(BrandScopedAdmin):
    list_display = ("name", "channel", "address", "brand", "team", "is_default")
    list_filter = ("brand", "channel")
    error_fields = {"team_id": "team"}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "channel"] if obj is not None else fields

    def service_save(
        self, request: HttpRequest, obj: Inbox, form: Any, change: bool, *, trial: bool
    ) -> Inbox:
        data = form.cleaned_data
        if change:
            return services.update_inbox(
                _original(obj),
                actor=self.actor(request),
                name=data.get("name"),
                address=data.get("address", ""),
                team_id=pk_of(data.get("team")),
                is_default=data.get("is_default", False),
            )
        return services.create_inbox(
            brand_id=data["brand"].pk,
            name=data["name"],
            channel=data["channel"],
            address=data.get("address", ""),
            team_id=pk_of(data.get("team")),
            is_default=data.get("is_default", False),
            actor=self.actor(request),
        )


@admin.register(Tag)
class TagAdmin(BrandScopedAdmin):
    list_display = ("name", "color", "brand")
    list_filter = ("brand",)

    def service_save(
        self, request: HttpRequest, obj: Tag, form: Any, change: bool, *, trial: bool
    ) -> Tag:
        data = form.cleaned_data
        if change:
            return services.update_tag(
                _original(obj),
                actor=self.actor(request),
                name=data.get("name"),
                color=data.get("color"),
            )
        return services.create_tag(
            brand_id=data["brand"].pk,
            name=data["name"],
            color=data.get("color") or "#6b7280",
            actor=self.actor(request),
        )

    def service_delete(self, request: HttpRequest, obj: Tag) -> None:
        services.delete_tag(obj, actor=self.actor(request))


@admin.register(Macro)
class MacroAdmin(BrandScopedAdmin):
    list_display = ("name", "language", "brand", "updated_at")
    list_filter = ("brand", "language")
    search_fields = ("name", "body")
    exclude = ("created_by",)

    def service_save(
        self, request: HttpRequest, obj: Macro, form: Any, change: bool, *, trial: bool
    ) -> Macro:
        data = form.cleaned_data
        fields = {k: data[k] for k in services.MACRO_FIELDS if k in data}
        if change:
            row = _original(obj)
            return services.save_macro(
                row, brand_id=row.brand_id, actor=self.actor(request), **fields
            )
        return services.save_macro(
            None, brand_id=data["brand"].pk, actor=self.actor(request), **fields
        )

    def service_delete(self, request: HttpRequest, obj: Macro) -> None:
        services.delete_macro(obj, actor=self.actor(request))


class MessageInline(BrandScopedInline):
    model = Message
    template = "admin/edit_inline/stacked.html"
    fields = ("direction", "channel", "body", "language", "emotion", "author", "created_at")
    readonly_fields = fields


CONVERSATION_EDITABLE = ("subject", "status", "priority", "assignee", "team", "tags")


@admin.register(Conversation)
class ConversationAdmin(BrandScopedAdmin):
    """Conversations arrive through ingest; here their subject, status, priority,
    assignee, team and tags can be changed (each change an activity in the thread)."""

    list_display = (
        "number",
        "subject",
        "status",
        "priority",
        "language",
        "customer",
        "assignee",
        "brand",
        "updated_at",
    )
    list_filter = ("brand", "status", "priority", "language", "inbox__channel")
    search_fields = ("subject", "customer__name", "customer__email")
    raw_id_fields = ("assignee",)
    fields = ("number", "brand", "inbox", "customer", "language", *CONVERSATION_EDITABLE)
    readonly_fields = ("number", "brand", "inbox", "customer", "language")
    list_select_related = ("customer", "assignee", "brand")
    inlines = [MessageInline]
    date_hierarchy = "created_at"
    show_full_result_count = False
    error_fields = {"assignee_id": "assignee", "team_id": "team"}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def service_save(
        self, request: HttpRequest, obj: Conversation, form: Any, change: bool, *, trial: bool
    ) -> Conversation:
        data = form.cleaned_data
        changed: dict[str, Any] = {}
        for name in CONVERSATION_EDITABLE:
            if name not in form.changed_data:
                continue
            value = data.get(name)
            if name in ("assignee", "team"):
                changed[f"{name}_id"] = pk_of(value)
            elif name == "tags":
                changed["tags"] = sorted(t.name for t in value)
            else:
                changed[name] = value
        return services.update_conversation(_original(obj), actor=self.actor(request), **changed)
