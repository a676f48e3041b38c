"""Pages about people: an administrator's list of agents with "Invite an agent", and the
"Forgot password?" flow (the set-password link also serves invitations)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wowdesk.core import invitations, permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.core.services import AgentInput
from wowdesk.web import services as throttle
from wowdesk.web.auth import agent_required


class AgentPasswordResetForm(PasswordResetForm):
    """Django's reset form for active agents, invited ones (no password yet) included; at
    most a few mails per address and client (``web/services.py``). The page answers the
    same whether or not the address is an agent's."""

    def get_users(self, email: str) -> Any:
        users = get_user_model().objects.filter(
            email__iexact=email.strip(), is_active=True, agent__is_active=True
        )
        return iter(users)

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        email = str(self.cleaned_data.get("email", ""))
        if not throttle.allow_reset_mail(email, throttle.client_ip(kwargs.get("request"))):
            return
        super().save(**kwargs)


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    languages = forms.CharField(
        label=gettext_lazy("Languages"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Comma-separated, e.g. de,en"),
    )
    brand = forms.TypedChoiceField(label=gettext_lazy("Brand"), coerce=int)

    def __init__(self, *args: Any, brands: list[Brand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        brand_field = self.fields["brand"]
        assert isinstance(brand_field, forms.TypedChoiceField)
        brand_field.choices = [(b.pk, b.name) for b in brands]


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _my_brands(agent: Agent) -> list[Brand]:
    """The brands the agent administers: invitations go only into those."""
    ids = permissions.brands_with_role(agent, Role.ADMIN)
    return list(Brand.objects.filter(id__in=ids).order_by("name"))


def _agents_page(request: HttpRequest, form: InviteForm | None, status: int = 200) -> HttpResponse:
    me: Agent = request.agent  # type: ignore[attr-defined]
    brand_ids = permissions.brands_with_role(me, Role.SUPERVISOR)
    agents = (
        Agent.objects.filter(brands__in=brand_ids)
        .distinct()
        .select_related("user")
        .prefetch_related("brands")
        .order_by("display_name")
    )
    rows = [
        {
            "pk": a.pk,
            "name": a.display_name,
            "email": a.email,
            "role": Role(a.role).label,
            "brands": ", ".join(b.name for b in a.brands.all() if b.pk in brand_ids),
            "active": a.is_active,
            "invited": not a.user.has_usable_password(),
        }
        for a in agents
    ]
    return render(request, "web/agents.html", {"form": form, "rows": rows}, status=status)


@agent_required(Role.SUPERVISOR)
def agents(request: HttpRequest) -> HttpResponse:
    """The agents of the brands I supervise or administer, each linked to their page, and
    the invitation form (administrators)."""
    me: Agent = request.agent  # type: ignore[attr-defined]
    brands = _my_brands(me)
    if request.method != "POST":
        return _agents_page(request, InviteForm(brands=brands) if brands else None)
    if not brands:
        return render(
            request,
            "web/forbidden.html",
            {"reason": _("Only administrators invite agents.")},
            status=403,
        )
    form = InviteForm(request.POST, brands=brands)
    if not form.is_valid():
        return _agents_page(request, form, status=400)
    data = form.cleaned_data
    try:
        permissions.require_role(me, Role.ADMIN, data["brand"])
        with transaction.atomic():
            agent = invitations.invite_agent(
                AgentInput(
                    email=data["email"],
                    name=data["name"],
                    role=data["role"],
                    languages=tuple(x for x in data["languages"].split(",") if x.strip()),
                ),
                brands=[data["brand"]],
                actor=me,
                base_url=_base_url(request),
            )
    except ServiceError as e:
        form.add_error(e.field if e.field in form.fields else None, e.message)
        return _agents_page(request, form, status=e.status if e.status != 422 else 400)
    flash.success(
        request,
        _("Invitation sent to %(email)s: the link lets them choose a password.")
        % {"email": agent.email},
    )
    return redirect("web:agents")


@require_POST
@agent_required(Role.ADMIN)
def resend_invitation(request: HttpRequest, agent_id: int) -> HttpResponse:
    """Send the set-password link again to an agent who has no password yet."""
    me: Agent = request.agent  # type: ignore[attr-defined]
    agent = Agent.objects.select_related("user").filter(pk=agent_id).first()
    if agent is None or not set(agent.brands.values_list("id", flat=True)) & (
        permissions.brands_with_role(me, Role.ADMIN)
    ):
        raise Http404(_("No such agent."))
    if agent.user.has_usable_password() or not agent.is_active:
        flash.error(request, _("Only an active agent without a password can be invited again."))
        return redirect("web:agents")
    sent = invitations.send_invitation(
        agent.pk,
        _base_url(request),
        inviter=me.display_name,
        language=translation.get_language() or "en",
    )
    if not sent:
        flash.error(
            request,
            _("The mail server did not take the invitation to %(email)s: try again later.")
            % {"email": agent.email},
        )
        return redirect("web:agents")
    flash.success(request, _("Invitation sent to %(email)s again.") % {"email": agent.email})
    return redirect("web:agents")
