"""API: a customer's personal data — the right to be forgotten and the export
(administrators of the customer's brand only; docs/privacy.md)."""

from django.db import transaction
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.schemas import ERRORS
from wowdesk.customers import privacy
from wowdesk.customers.models import Customer

router = Router(tags=["privacy"])


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    """404 for no such customer, 403 for another brand's or a role below admin."""
    agent = me(request)
    customer = permissions.get_for_agent(Customer.objects.all(), agent, customer_id)
    permissions.check_handles_personal_data(agent, customer.brand_id)
    return customer


class EraseIn(Schema):
    confirm: str = Field(..., max_length=320, description="The customer's id or email.")


class EraseOut(Schema):
    customer_id: int
    erased_at: str
    counts: dict[str, int]


@router.post("/customers/{customer_id}/erase", response={200: EraseOut, **ERRORS})
@transaction.atomic
def erase_customer(request: HttpRequest, customer_id: int, payload: EraseIn) -> EraseOut:
    """The right to be forgotten: the customer's personal data is erased everywhere the
    house keeps it (their rows stay, anonymous, so counts and reports do not change).
    ``confirm`` must be the customer's id or email (422 otherwise). A merged record or an
    already erased customer: 409. Audited with the counts, never the values."""
    customer = _customer(request, customer_id)
    report = privacy.erase_customer(me(request), customer, confirm=payload.confirm)
    return EraseOut(
        customer_id=report.customer_id, erased_at=report.erased_at, counts=report.counts
    )


@router.get("/customers/{customer_id}/export", response={200: None, **ERRORS})
def export_customer(request: HttpRequest, customer_id: int) -> StreamingHttpResponse:
    """Everything the house keeps about the customer, as one JSON document (a download,
    streamed): ``customer`` (profile, identities, purchases, restriction), ``conversations``
    (with messages), ``inbound``, ``surveys``, ``followups``, ``bot_sessions``, ``grants``,
    ``abuse_reports``, ``audit`` and what other apps add. Audited."""
    with transaction.atomic():
        customer = _customer(request, customer_id)
        chunks = privacy.stream_export(me(request), customer)
    response = StreamingHttpResponse(chunks, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="wowdesk-customer-{customer.pk}-{stamp}.json"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
