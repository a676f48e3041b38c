"""Admin: every mail as it arrived with what became of it (rejections with the reason),
and the IMAP mailboxes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wowdesk.channels.email import services
from wowdesk.channels.email.models import EmailMailbox, RawMail, RawMailStatus
from wowdesk.core.admin_scoping import BrandScopedAdmin


@admin.register(RawMail)
class RawMailAdmin(BrandScopedAdmin):
    list_display = (
        "received_at",
        "source",
        "mail_from",
        "subject",
        "status",
        "reason",
        "size",
        "inbox",
    )
    list_filter = ("status", "source", "brand")
    search_fields = ("header_message_id", "subject", "mail_from")
    readonly_fields = [f.name for f in RawMail._meta.fields]
    actions = ["process_again"]
    show_full_result_count = False

    @admin.action(description=_("Process again"))
    def process_again(self, request: HttpRequest, queryset: QuerySet[RawMail]) -> None:
        for row in queryset.exclude(spool_path=""):
            RawMail.objects.filter(pk=row.pk).update(status=RawMailStatus.FAILED)
            services.process_raw(row.pk)


class EmailMailboxForm(forms.ModelForm):  # type: ignore[type-arg]
    """The password is written, never shown: the field is always empty, and left empty
    it keeps the stored one."""

    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown. Leave empty to keep the current one."),
    )

    class Meta:
        model = EmailMailbox
        fields = ["inbox", *services.MAILBOX_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["password"] = ""

    def clean_password(self) -> str:
        typed = str(self.cleaned_data.get("password") or "")
        if typed == "" and self.instance.pk is not None:
            return str(EmailMailbox.objects.get(pk=self.instance.pk).password)
        return typed


@admin.register(EmailMailbox)
class EmailMailboxAdmin(BrandScopedAdmin):
    """Saved through email/services.py; a mailbox stays with its inbox."""

    form = EmailMailboxForm
    list_display = ("__str__", "inbox", "is_active", "last_uid", "last_checked_at", "last_error")
    list_filter = ("is_active",)
    readonly_fields = (
        "uidvalidity",
        "last_uid",
        "last_checked_at",
        "last_error",
        "lease_owner",
        "lease_until",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "inbox"] if obj is not None else fields

    def service_save(
        self, request: HttpRequest, obj: EmailMailbox, form: Any, change: bool, *, trial: bool
    ) -> EmailMailbox:
        data = form.cleaned_data
        fields = {k: data[k] for k in services.MAILBOX_FIELDS if k in data}
        if change:
            row = EmailMailbox.objects.select_related("inbox").get(pk=obj.pk)
            return services.save_mailbox(row, inbox=row.inbox, actor=self.actor(request), **fields)
        return services.save_mailbox(None, inbox=data["inbox"], actor=self.actor(request), **fields)

    def service_delete(self, request: HttpRequest, obj: EmailMailbox) -> None:
        services.delete_mailbox(obj, actor=self.actor(request))
