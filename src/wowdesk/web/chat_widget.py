"""The chat widget's pages for administrators (/settings/chat/ and
/settings/inboxes/<id>/widget/) and the "Visitor" panel of a chat conversation.

The settings page writes ``Inbox.settings["widget"]`` through
``channels.chat.services.configure_widget`` (validated there; a refusal names the field).
Its live preview is the real ``chat/widget.js`` mounted with the form's unsaved values
(``static/chat/settings.js``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wowdesk.channels.chat import services as chat
from wowdesk.channels.chat import widget_rules as rules
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Channel, Conversation, Inbox
from wowdesk.core import permissions
from wowdesk.core.errors import InvalidInput, ServiceError
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.web.auth import agent_required

LANGUAGE_NAMES = {
    "en": "English",
    "zh-Hans": "简体中文",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "id": "Bahasa Indonesia",
    "ja": "日本語",
    "ar": "العربية",
}
MODE_CHOICES = [
    ("off", gettext_lazy("Not asked")),
    ("optional", gettext_lazy("Asked, optional")),
    ("required", gettext_lazy("Asked, required")),
]


class WidgetForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Widget title"), max_length=chat.MAX_TITLE, required=False
    )
    colour = forms.CharField(label=gettext_lazy("Widget colour"), max_length=7)
    position = forms.ChoiceField(
        label=gettext_lazy("Widget position"),
        choices=[("right", gettext_lazy("Bottom right")), ("left", gettext_lazy("Bottom left"))],
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("auto", gettext_lazy("The visitor's browser"))]
        + [(c, LANGUAGE_NAMES[c]) for c in rules.LANGUAGES],
    )
    prechat_name = forms.ChoiceField(
        label=gettext_lazy("Pre-chat form: name"), choices=MODE_CHOICES
    )
    prechat_email = forms.ChoiceField(
        label=gettext_lazy("Pre-chat form: email"), choices=MODE_CHOICES
    )
    sound = forms.BooleanField(label=gettext_lazy("Sound on new replies"), required=False)
    allowed_domains = forms.CharField(
        label=gettext_lazy("Allowed website domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One per line, e.g. shop.example or *.shop.example. Empty: any site may embed it."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in rules.LANGUAGES:
            self.fields[f"greetings.{code}"] = forms.CharField(
                label=LANGUAGE_NAMES[code], max_length=chat.MAX_GREETING, required=False
            )
            self.fields[f"away.{code}"] = forms.CharField(
                label=LANGUAGE_NAMES[code], max_length=chat.MAX_GREETING, required=False
            )

    def language_rows(self) -> list[tuple[str, str, Any, Any]]:
        return [
            (code, LANGUAGE_NAMES[code], self[f"greetings.{code}"], self[f"away.{code}"])
            for code in rules.LANGUAGES
        ]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "colour": data["colour"],
            "position": data["position"],
            "language": data["language"],
            "prechat_name": data["prechat_name"],
            "prechat_email": data["prechat_email"],
            "sound": bool(data["sound"]),
            "allowed_domains": [
                line.strip() for line in data["allowed_domains"].splitlines() if line.strip()
            ],
            "greetings": {c: data[f"greetings.{c}"] for c in rules.LANGUAGES},
            # the text for a language without a greeting of its own
            "greeting": data["greetings.en"],
            "away": {c: data[f"away.{c}"] for c in rules.LANGUAGES},
        }


def _initial(inbox: Inbox) -> dict[str, Any]:
    s = chat.widget_settings(inbox)
    initial: dict[str, Any] = {
        "title": s.title,
        "colour": s.colour,
        "position": s.position,
        "language": s.language,
        "prechat_name": s.prechat_name,
        "prechat_email": s.prechat_email,
        "sound": s.sound,
        "allowed_domains": "\n".join(s.allowed_domains),
    }
    for code in rules.LANGUAGES:
        initial[f"greetings.{code}"] = s.greetings.get(code, s.greeting if code == "en" else "")
        initial[f"away.{code}"] = s.away.get(code, "")
    return initial


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _chat_inboxes(agent: Agent) -> Any:
    return (
        Inbox.objects.filter(
            channel=Channel.CHAT, brand_id__in=permissions.brands_with_role(agent, Role.ADMIN)
        )
        .select_related("brand")
        .order_by("brand__name", "name", "id")
    )


class NewChatInboxForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    brand = forms.TypedChoiceField(label=gettext_lazy("Brand"), coerce=int)

    def __init__(self, *args: Any, brands: list[Brand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["brand"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(b.pk, b.name) for b in brands]
        if len(brands) == 1:
            field.initial = brands[0].pk


def _admin_brands(agent: Agent) -> list[Brand]:
    return list(
        Brand.objects.filter(id__in=permissions.brands_with_role(agent, Role.ADMIN)).order_by(
            "name", "id"
        )
    )


@agent_required(role=Role.ADMIN)
def chat_inboxes(request: HttpRequest) -> HttpResponse:
    """The chat inboxes of the brands I administer, each linking to its widget page, and
    a form that creates one (then its widget page shows the embed snippet)."""
    me = _me(request)
    brands = _admin_brands(me)
    status = 200
    if request.method == "POST":
        form = NewChatInboxForm(request.POST, brands=brands)
        if form.is_valid():
            try:
                inbox = conversations.create_inbox(
                    brand_id=form.cleaned_data["brand"],
                    name=form.cleaned_data["name"].strip(),
                    channel=Channel.CHAT,
                    actor=me,
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                flash.success(
                    request,
                    _("Chat inbox created. Copy the snippet below into your website's pages."),
                )
                return redirect("web:inbox-widget", pk=inbox.pk)
        else:
            status = 400
    elif request.method == "GET":
        form = NewChatInboxForm(brands=brands)
    else:
        return HttpResponse(status=405)
    return render(
        request,
        "web/settings/chat_inboxes.html",
        {"inboxes": _chat_inboxes(me), "form": form},
        status=status,
    )


@agent_required(role=Role.ADMIN)
def inbox_widget(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One chat inbox's widget: settings, embed snippet and live preview."""
    inbox = _chat_inboxes(_me(request)).filter(pk=pk).first()
    if inbox is None:
        raise Http404(_("No such chat inbox."))
    status = 200
    if request.method == "POST":
        form = WidgetForm(request.POST)
        if form.is_valid():
            try:
                chat.configure_widget(inbox, actor=_me(request), **form.changes())
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                flash.success(request, _("Widget settings saved."))
                return redirect("web:inbox-widget", pk=inbox.pk)
        status = 400
    elif request.method == "GET":
        form = WidgetForm(initial=_initial(inbox))
    else:
        return HttpResponse(status=405)
    settings = chat.widget_settings(inbox)
    script = request.build_absolute_uri(static("chat/widget.js"))
    return render(
        request,
        "web/settings/chat_widget.html",
        {
            "inbox": inbox,
            "form": form,
            "snippet": f'<script src="{script}" data-inbox="{settings.token}" async></script>',
            "contrast": rules.contrast_with_white(settings.colour),
        },
        status=status,
    )


# --- the "Visitor" panel --------------------------------------------------------------------


def visitor_panel(request: HttpRequest, conversation: Conversation) -> dict[str, Any] | None:
    """A chat conversation's visitor (page, browser, language, time zone)."""
    if conversation.inbox.channel != Channel.CHAT:
        return None
    return {"page": chat.visitor_page(conversation)}
