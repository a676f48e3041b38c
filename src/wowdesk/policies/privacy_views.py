"""Pages of a customer's personal data (administrators of the customer's brand): the
export as a download, and the erasure's confirm step (docs/privacy.md). The buttons are
in the conversation's "Personal data" panel (``policies/privacy.py``)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent, Role
from wowdesk.customers import privacy
from wowdesk.customers.models import Customer
from wowdesk.web.auth import agent_required


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return render(request, "web/forbidden.html", {"reason": exc.message}, status=exc.status)


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    agent = _me(request)
    customer = permissions.get_for_agent(Customer.objects.all(), agent, customer_id)
    permissions.check_handles_personal_data(agent, customer.brand_id)
    return customer


@agent_required(Role.ADMIN)
def export(request: HttpRequest, customer_id: int) -> HttpResponse | StreamingHttpResponse:
    """The export, as a JSON download (the API's ``GET /customers/{id}/export``)."""
    try:
        with transaction.atomic():
            customer = _customer(request, customer_id)
            chunks = privacy.stream_export(_me(request), customer)
    except ServiceError as exc:
        return _refused(request, exc)
    response = StreamingHttpResponse(chunks, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="wowdesk-customer-{customer.pk}-{stamp}.json"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _back(customer: Customer, raw: str | None) -> str:
    """Where to go after the erasure: the conversation it was started from, if it is the
    customer's."""
    if raw and raw.isdigit() and len(raw) < 19:
        found = Conversation.objects.filter(pk=int(raw), customer_id=customer.pk).first()
        if found is not None:
            return reverse("web:conversation", args=[found.pk])
    return reverse("web:inbox")


@require_http_methods(["GET", "POST"])
@agent_required(Role.ADMIN)
def erase(request: HttpRequest, customer_id: int) -> HttpResponse:
    """GET: what will happen, and a field to type the customer's email or id. POST: erase,
    then back to the conversation (which now says who erased the data, and when)."""
    try:
        customer = _customer(request, customer_id)
    except ServiceError as exc:
        return _refused(request, exc)
    back = request.POST.get("next") or request.GET.get("next") or ""
    context = {
        "customer": customer,
        "next": back,
        "back_url": _back(customer, back),
        "erasure": privacy.erasure_of(customer),
        "error": "",
    }
    status = 200
    if request.method == "POST":
        try:
            with transaction.atomic():
                privacy.erase_customer(
                    _me(request), customer, confirm=request.POST.get("confirm", "")
                )
        except ServiceError as exc:
            context["error"] = exc.message
            status = exc.status
        else:
            return redirect(_back(customer, back))
    return render(request, "policies/privacy_erase.html", context, status=status)
