from django.contrib import admin

from wowdesk.conversations.models import Conversation, Inbox, Macro, Message, Tag
from wowdesk.core.admin_scoping import BrandScopedAdmin


@admin.register(Inbox)
class InboxAdmin(BrandScopedAdmin):
    list_display = ("name", "channel", "address", "brand", "team", "is_default")
    list_filter = ("brand", "channel")


@admin.register(Tag)
class TagAdmin(BrandScopedAdmin):
    list_display = ("name", "color", "brand")
    list_filter = ("brand",)


@admin.register(Macro)
class MacroAdmin(BrandScopedAdmin):
    list_display = ("name", "language", "brand", "updated_at")
    list_filter = ("brand", "language")
    search_fields = ("name", "body")
    exclude = ("created_by",)


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0
    fields = ("direction", "channel", "body", "language", "emotion", "author", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(BrandScopedAdmin):
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
    raw_id_fields = ("customer", "assignee")
    list_select_related = ("customer", "assignee", "brand")
    inlines = [MessageInline]
    date_hierarchy = "created_at"
    show_full_result_count = False
