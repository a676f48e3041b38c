from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wowdesk.channels import outbox
from wowdesk.channels.models import InboundEnvelope
from wowdesk.channels.tasks import process_envelope_task
from wowdesk.conversations.models import OutboxMessage, OutboxStatus
from wowdesk.core.admin_scoping import BrandScopedAdmin


@admin.register(InboundEnvelope)
class InboundEnvelopeAdmin(BrandScopedAdmin):
    list_display = ("received_at", "channel", "external_id", "status", "attempts", "error", "brand")
    list_filter = ("status", "channel", "brand")
    search_fields = ("external_id",)
    readonly_fields = [f.name for f in InboundEnvelope._meta.fields]
    actions = ["retry"]
    show_full_result_count = False

    @admin.action(description=_("Process again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[InboundEnvelope]) -> None:
        for envelope in queryset:
            process_envelope_task.enqueue(envelope.pk)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(BrandScopedAdmin):
    list_display = ("created_at", "channel", "status", "attempts", "last_error", "next_attempt_at")
    list_filter = ("status", "channel", "brand")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry"]

    @admin.action(description=_("Send again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        for row in queryset.filter(status=OutboxStatus.FAILED):
            outbox.retry_failed(row)


from wowdesk.channels.email import admin as email_admin  # noqa: E402, F401
