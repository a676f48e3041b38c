"""The administrators' inboxes pages (/settings/inboxes/): the list with each inbox's
channel and health, and create/edit pages for email (address, IMAP mailbox, SMTP relay,
"Test connection"), voice and social inboxes (webhook URLs; secrets shown once after they
are made or rotated, afterwards masked). Secrets are write-only: a password field is
always empty, and left empty keeps the stored value."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wowdesk.channels import inbox_secrets
from wowdesk.channels.email import probe
from wowdesk.channels.email import services as email_services
from wowdesk.channels.email.models import EmailMailbox, MailSecurity
from wowdesk.channels.email.outbound import relay_for
from wowdesk.channels.social.networks import NETWORKS
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import AnswerBot, Channel, Inbox
from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.web.auth import agent_required

# The channels whose inboxes these pages create (chat has its widget page, API and web
# form inboxes need no settings).
EDITABLE = (Channel.EMAIL.value, Channel.VOICE.value, Channel.SOCIAL.value)
# Which secret wowdesk makes for a social inbox, by network (the one told to the network).
SOCIAL_GENERATED = {
    "generic": "secret",
    "telegram": "secret_token",
    "whatsapp": "verify_token",
    "messenger": "verify_token",
}
NETWORK_LABELS: dict[str, Any] = {
    "generic": gettext_lazy("Generic"),
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "messenger": "Messenger",
}
SECRET_LABELS = {
    "secret": gettext_lazy("Signing secret"),
    "twilio_auth_token": gettext_lazy("Twilio auth token"),
    "app_secret": gettext_lazy("App secret"),
    "secret_token": gettext_lazy("Secret token"),
    "verify_token": gettext_lazy("Verify token"),
    "access_token": gettext_lazy("Access token"),
    "bot_token": gettext_lazy("Bot token"),
}


def _secret_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Leave empty to keep the stored value."),
    )


class InboxForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)


class EmailInboxForm(InboxForm):
    address = forms.EmailField(label=gettext_lazy("Address"), max_length=320)
    imap_host = forms.CharField(
        label=gettext_lazy("IMAP host"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Empty: mail arrives by the SMTP listener only."),
    )
    imap_port = forms.IntegerField(
        label=gettext_lazy("IMAP port"), min_value=1, max_value=65535, initial=993
    )
    imap_security = forms.ChoiceField(
        label=gettext_lazy("IMAP security"), choices=MailSecurity.choices, initial="ssl"
    )
    imap_username = forms.CharField(label=gettext_lazy("IMAP user"), max_length=320, required=False)
    imap_password = _secret_field(gettext_lazy("IMAP password"))
    imap_folder = forms.CharField(
        label=gettext_lazy("IMAP folder"), max_length=255, initial="INBOX"
    )
    smtp_host = forms.CharField(
        label=gettext_lazy("SMTP host"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Empty: replies leave through the installation's relay."),
    )
    smtp_port = forms.IntegerField(
        label=gettext_lazy("SMTP port"), min_value=1, max_value=65535, initial=587
    )
    smtp_security = forms.ChoiceField(
        label=gettext_lazy("SMTP security"), choices=MailSecurity.choices, initial="starttls"
    )
    smtp_username = forms.CharField(label=gettext_lazy("SMTP user"), max_length=320, required=False)
    smtp_password = _secret_field(gettext_lazy("SMTP password"))
    smtp_from_name = forms.CharField(
        label=gettext_lazy("Sender name"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Empty: the brand's name."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("imap_host") and not data.get("imap_username"):
            self.add_error("imap_username", _("An IMAP mailbox needs a user."))
        return data


class VoiceInboxForm(InboxForm):
    twilio_auth_token = _secret_field(SECRET_LABELS["twilio_auth_token"])
    default_region = forms.CharField(
        label=gettext_lazy("Default country for phone numbers"),
        max_length=2,
        required=False,
        help_text=gettext_lazy("Two letters, e.g. DE."),
    )
    public_base_url = forms.URLField(
        assume_scheme="https",
        label=gettext_lazy("Public address of this site"),
        required=False,
        help_text=gettext_lazy("When a proxy changes the scheme or host Twilio calls."),
    )
    recording_url = forms.URLField(
        assume_scheme="https", label=gettext_lazy("Recording URL"), required=False
    )


class SocialInboxForm(InboxForm):
    network = forms.ChoiceField(
        label=gettext_lazy("Network"),
        choices=[(n, NETWORK_LABELS.get(n, n)) for n in NETWORKS],
    )
    reply_url = forms.URLField(
        assume_scheme="https",
        label=gettext_lazy("Reply URL (generic)"),
        required=False,
        max_length=500,
    )
    phone_number_id = forms.CharField(
        label=gettext_lazy("Phone number ID (WhatsApp)"), max_length=64, required=False
    )
    app_secret = _secret_field(SECRET_LABELS["app_secret"])
    access_token = _secret_field(SECRET_LABELS["access_token"])
    bot_token = _secret_field(SECRET_LABELS["bot_token"])


FORMS: dict[str, type[InboxForm]] = {
    "email": EmailInboxForm,
    "voice": VoiceInboxForm,
    "social": SocialInboxForm,
}


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _brand_ids(request: HttpRequest) -> set[int]:
    return permissions.brands_with_role(_me(request), Role.ADMIN)


def _inbox(request: HttpRequest, pk: int) -> Inbox:
    """One of my brands' inboxes (as administrator); anything else is not found."""
    inbox = Inbox.objects.filter(pk=pk, brand_id__in=_brand_ids(request)).first()
    if inbox is None:
        raise Http404(_("No such inbox."))
    return inbox


def _widget_url(inbox: Inbox) -> str:
    """The chat widget's settings page, when this install has it."""
    try:
        return reverse("web:inbox-widget", args=[inbox.pk])
    except NoReverseMatch:
        return ""


@agent_required(Role.ADMIN)
def inboxes_page(request: HttpRequest) -> HttpResponse:
    inboxes = list(
        Inbox.objects.filter(brand_id__in=_brand_ids(request))
        .select_related("brand")
        .prefetch_related("mailboxes")
        .order_by("brand__name", "name")
    )
    rows = []
    for inbox in inboxes:
        mailboxes = list(inbox.mailboxes.all())
        rows.append(
            {
                "inbox": inbox,
                "editable": inbox.channel in EDITABLE,
                "widget_url": _widget_url(inbox) if inbox.channel == Channel.CHAT else "",
                "mailbox": mailboxes[0] if mailboxes else None,
                "answer_bot": inbox.channel in conversations.ANSWER_BOT_CHANNELS,
            }
        )
    return render(
        request,
        "web/settings/inboxes.html",
        {
            "rows": rows,
            "channels": [(c, Channel(c).label) for c in EDITABLE],
            "answer_bot_choices": AnswerBot.choices,
        },
    )


@require_POST
@agent_required(Role.ADMIN)
def inbox_answer_bot(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the inbox's answer bot ("off", "always", "when_no_agent"); back to the list."""
    inbox = _inbox(request, pk)
    try:
        with transaction.atomic():
            conversations.update_inbox(
                inbox, actor=_me(request), answer_bot=request.POST.get("answer_bot", "")
            )
    except ServiceError as exc:
        flash.error(request, f"{inbox.name}: {exc.message}")
        response = inboxes_page(request)
        response.status_code = _status(exc)
        return response
    flash.success(request, _("Inbox saved."))
    return redirect("web:inboxes")


def _initial(inbox: Inbox) -> dict[str, Any]:
    settings = inbox.settings or {}
    initial: dict[str, Any] = {"name": inbox.name}
    if inbox.channel == Channel.EMAIL:
        initial["address"] = inbox.address
        mailbox = inbox.mailboxes.order_by("id").first()
        if mailbox is not None:
            initial.update(
                imap_host=mailbox.host,
                imap_port=mailbox.port,
                imap_security=mailbox.security,
                imap_username=mailbox.username,
                imap_folder=mailbox.folder,
            )
        smtp = settings.get(inbox_secrets.SMTP)
        if isinstance(smtp, dict) and smtp.get("host"):
            initial.update({f"smtp_{k}": smtp.get(k) for k in inbox_secrets.SMTP_KEYS})
    else:
        for key in inbox_secrets.PLAIN_KEYS.get(inbox.channel, ()):
            if key in settings:
                initial[key] = settings[key]
    return initial


def _webhook_urls(request: HttpRequest, inbox: Inbox) -> list[tuple[str, str]]:
    def absolute(name: str) -> str:
        return request.build_absolute_uri(reverse(name, args=[inbox.pk]))

    if inbox.channel == Channel.VOICE:
        return [
            (_("Generic events"), absolute("voice:events")),
            ("Twilio", absolute("voice:twilio")),
            ("Asterisk", absolute("voice:asterisk")),
        ]
    if inbox.channel == Channel.SOCIAL:
        return [(_("Webhook"), absolute("social:webhook"))]
    return []


def _edit_page(
    request: HttpRequest,
    *,
    channel: str,
    form: InboxForm,
    inbox: Inbox | None = None,
    brands: list[Brand] | None = None,
    shown: dict[str, str] | None = None,
    probes: list[probe.ProbeResult] | None = None,
    status: int = 200,
) -> HttpResponse:
    secrets: list[dict[str, Any]] = []
    if inbox is not None:
        hints = inbox_secrets.hints(inbox)
        generated = inbox_secrets.GENERATED.get(inbox.channel, ())
        for key in inbox_secrets.SECRET_KEYS.get(inbox.channel, ()):
            if key in generated and (hints.get(key) or key in (shown or {})):
                secrets.append(
                    {
                        "key": key,
                        "label": SECRET_LABELS[key],
                        "hint": hints.get(key, ""),
                        "shown": (shown or {}).get(key, ""),
                    }
                )
        if inbox.channel == Channel.SOCIAL:
            wanted = SOCIAL_GENERATED.get(str(inbox.settings.get("network") or "generic"))
            if wanted and not any(s["key"] == wanted for s in secrets):
                secrets.append(
                    {"key": wanted, "label": SECRET_LABELS[wanted], "hint": "", "shown": ""}
                )
    return render(
        request,
        "web/settings/inbox.html",
        {
            "inbox": inbox,
            "channel": channel,
            "channel_label": Channel(channel).label,
            "form": form,
            "brands": brands or [],
            "secrets": secrets,
            "stored": inbox_secrets.hints(inbox) if inbox is not None else {},
            "webhook_urls": _webhook_urls(request, inbox) if inbox is not None else [],
            "probes": probes or [],
            "has_mailbox": inbox is not None and inbox.mailboxes.exists(),
        },
        status=status,
    )


def _save(inbox: Inbox, data: dict[str, Any], actor: Agent) -> None:
    """Write the channel part of the form (the inbox row itself is written already)."""
    if inbox.channel == Channel.EMAIL:
        mailbox = inbox.mailboxes.order_by("id").first()
        if data["imap_host"]:
            fields: dict[str, Any] = {
                "host": data["imap_host"].strip(),
                "port": data["imap_port"],
                "security": data["imap_security"],
                "username": data["imap_username"].strip(),
                "folder": data["imap_folder"].strip() or "INBOX",
            }
            if data["imap_password"]:
                fields["password"] = data["imap_password"]
            email_services.save_mailbox(mailbox, inbox=inbox, actor=actor, **fields)
        elif mailbox is not None:
            email_services.delete_mailbox(mailbox, actor=actor)
        smtp = (
            {
                "host": data["smtp_host"].strip(),
                "port": data["smtp_port"],
                "security": data["smtp_security"],
                "username": data["smtp_username"].strip(),
                "from_name": data["smtp_from_name"].strip(),
            }
            if data["smtp_host"]
            else {}
        )
        inbox_secrets.configure(inbox, smtp=smtp, smtp_password=data["smtp_password"])
        return
    plain = {k: data[k] for k in inbox_secrets.PLAIN_KEYS[inbox.channel] if k in data}
    if inbox.channel == Channel.VOICE:
        plain["default_region"] = str(plain.get("default_region") or "").upper()
    secrets = {k: data[k] for k in inbox_secrets.SECRET_KEYS[inbox.channel] if data.get(k)}
    inbox_secrets.configure(inbox, plain=plain, secrets=secrets)


def _made_secret(inbox: Inbox) -> str | None:
    """The secret wowdesk makes for a new inbox of this channel (or network)."""
    if inbox.channel == Channel.VOICE:
        return "secret"
    if inbox.channel == Channel.SOCIAL:
        return SOCIAL_GENERATED.get(str(inbox.settings.get("network") or "generic"))
    return None


def _apply_error(form: forms.Form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _status(exc: ServiceError) -> int:
    return 400 if exc.status == 422 else exc.status


@agent_required(Role.ADMIN)
def inbox_new(request: HttpRequest, channel: str) -> HttpResponse:
    if channel not in FORMS:
        raise Http404(_("Inboxes of this channel are not set up here."))
    brands = list(Brand.objects.filter(id__in=_brand_ids(request)).order_by("name"))
    if request.method != "POST":
        return _edit_page(request, channel=channel, form=FORMS[channel](), brands=brands)
    form = FORMS[channel](request.POST)
    try:
        brand_id = int(request.POST.get("brand", ""))
    except ValueError:
        brand_id = 0
    if brand_id not in _brand_ids(request):
        form.is_valid()
        form.add_error(None, _("Choose one of your brands."))
    if not form.is_valid():
        return _edit_page(request, channel=channel, form=form, brands=brands, status=400)
    data = form.cleaned_data
    me = _me(request)
    try:
        with transaction.atomic():
            inbox = conversations.create_inbox(
                brand_id=brand_id,
                name=data["name"],
                channel=channel,
                address=data.get("address", ""),
                actor=me,
            )
            _save(inbox, data, me)
            shown: dict[str, str] = {}
            made = _made_secret(inbox)
            if made:
                shown[made] = inbox_secrets.rotate(inbox, made)
    except ServiceError as exc:
        _apply_error(form, exc)
        return _edit_page(request, channel=channel, form=form, brands=brands, status=_status(exc))
    inbox.refresh_from_db()
    flash.success(request, _("Inbox created."))
    return _edit_page(
        request,
        channel=channel,
        form=FORMS[channel](initial=_initial(inbox)),
        inbox=inbox,
        shown=shown,
        status=201,
    )


@agent_required(Role.ADMIN)
def inbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inbox = _inbox(request, pk)
    if inbox.channel not in FORMS:
        widget = _widget_url(inbox)
        if widget:
            return redirect(widget)
        raise Http404(_("Inboxes of this channel are not set up here."))
    form_class = FORMS[inbox.channel]
    if request.method != "POST":
        return _edit_page(
            request, channel=inbox.channel, form=form_class(initial=_initial(inbox)), inbox=inbox
        )
    form = form_class(request.POST)
    if not form.is_valid():
        return _edit_page(request, channel=inbox.channel, form=form, inbox=inbox, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            fields: dict[str, Any] = {"name": data["name"]}
            if inbox.channel == Channel.EMAIL:
                fields["address"] = data["address"]
            conversations.update_inbox(inbox, actor=_me(request), **fields)
            _save(inbox, data, _me(request))
    except ServiceError as exc:
        _apply_error(form, exc)
        return _edit_page(
            request, channel=inbox.channel, form=form, inbox=inbox, status=_status(exc)
        )
    flash.success(request, _("Inbox saved."))
    return redirect("web:inbox-settings", pk=inbox.pk)


@require_POST
@agent_required(Role.ADMIN)
def inbox_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Test the stored settings of an email inbox: IMAP login + folder, SMTP login."""
    inbox = _inbox(request, pk)
    if inbox.channel != Channel.EMAIL:
        raise Http404(_("Only email inboxes have a connection to test."))
    results = []
    mailbox: EmailMailbox | None = inbox.mailboxes.order_by("id").first()
    if mailbox is not None:
        results.append(probe.probe_imap(mailbox))
    results.append(probe.probe_smtp(relay_for(inbox)))
    return _edit_page(
        request,
        channel=inbox.channel,
        form=EmailInboxForm(initial=_initial(inbox)),
        inbox=inbox,
        probes=results,
    )


@require_POST
@agent_required(Role.ADMIN)
def inbox_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a new webhook secret; the answer shows it once."""
    inbox = _inbox(request, pk)
    key = request.POST.get("key", "")
    if key not in inbox_secrets.GENERATED.get(inbox.channel, ()):
        return _edit_page(
            request,
            channel=inbox.channel,
            form=FORMS[inbox.channel](initial=_initial(inbox)),
            inbox=inbox,
            status=400,
        )
    with transaction.atomic():
        value = inbox_secrets.rotate(inbox, key)
    inbox.refresh_from_db()
    return _edit_page(
        request,
        channel=inbox.channel,
        form=FORMS[inbox.channel](initial=_initial(inbox)),
        inbox=inbox,
        shown={key: value},
    )
