"""The right to be forgotten and the export of everything about a customer
(docs/privacy.md).

``erase_customer`` runs in one transaction: it announces ``customer.erasing`` (each app's
listener, phase ``transaction``, removes or anonymises what it keeps), then wipes the
customer's own personal fields, and writes one audit row with counts, never values.
Rows stay (conversations, messages, surveys, facts), nameless, so reports do not change.

``export_customer`` / ``stream_export`` gather the sections the apps register
(``core.privacy.register_exporter``); both are audited.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.core import audit
from wowdesk.core import privacy as core_privacy
from wowdesk.core.errors import Conflict, InvalidInput
from wowdesk.core.events import Event, emit
from wowdesk.core.models import Agent, AuditLog
from wowdesk.customers.models import Customer, Identity, Purchase

ERASE_ACTION = "customer.erase"
EXPORT_ACTION = "customer.export"


@dataclass(frozen=True)
class ErasureReport:
    customer_id: int
    erased_at: str
    counts: dict[str, int] = field(default_factory=dict)


def confirmation_matches(customer: Customer, confirm: str) -> bool:
    """The admin typed the customer's id or email (case and spaces aside)."""
    typed = (confirm or "").strip().lower()
    if not typed:
        return False
    return typed in {str(customer.pk), f"#{customer.pk}"} or bool(
        customer.email and typed == customer.email.strip().lower()
    )


def _tombstones(customer: Customer) -> list[Customer]:
    """The records merged into ``customer`` (and into those), which still hold the
    personal fields they had."""
    found: list[Customer] = []
    frontier = [customer.pk]
    while frontier and len(found) < 10_000:
        rows = list(Customer.objects.filter(merged_into_id__in=frontier))
        found.extend(rows)
        frontier = [c.pk for c in rows]
    return found


def _wipe(customer: Customer, now: Any) -> dict[str, int]:
    identities, _by_kind = Identity.objects.filter(customer=customer).delete()
    purchases = Purchase.objects.filter(customer=customer).update(
        serial_number="", order_ref="", external_id=""
    )
    customer.name = ""
    customer.email = ""
    customer.phone = ""
    customer.notes = ""
    customer.custom_fields = {}
    customer.timezone = ""
    customer.organization = None
    customer.restriction_reason = ""
    customer.erased_at = now
    customer.save()
    return {"identities": identities, "purchases": purchases}


def erase_customer(
    actor: Agent | None, customer: Customer, *, confirm: str | None = None
) -> ErasureReport:
    """Erase the customer's personal data (see the module's docstring). ``confirm``, when
    given, must be the customer's id or email (422 naming ``confirm`` otherwise). A merged
    record (erase the one it was merged into) and an already erased customer are a 409."""
    if customer.merged_into_id is not None:
        raise Conflict(
            _("This customer was merged into another one: erase that one instead."),
            field="customer_id",
        )
    if customer.erased_at is not None:
        raise Conflict(_("This customer's personal data was already erased."), field="customer_id")
    if confirm is not None and not confirmation_matches(customer, confirm):
        raise InvalidInput(_("Type the customer's email or id to confirm."), field="confirm")
    now = timezone.now()
    with transaction.atomic(), core_privacy.counting() as counts:
        records = [customer, *_tombstones(customer)]
        for record in records:
            emit(Event.CUSTOMER_ERASING, customer_id=record.pk, brand_id=record.brand_id)
        for record in records:
            for name, count in _wipe(record, now).items():
                core_privacy.tally(name, count)
        core_privacy.tally("customers", len(records))
        report = ErasureReport(customer.pk, now.isoformat(), dict(sorted(counts.items())))
        audit.record(
            action=ERASE_ACTION,
            obj=customer,
            actor=actor,
            brand_id=customer.brand_id,
            after={"counts": report.counts},
        )
    return report


def erasure_of(customer: Customer) -> AuditLog | None:
    """The audit row of the customer's erasure (who and when), if erased."""
    if customer.erased_at is None:
        return None
    return (
        AuditLog.objects.filter(
            object_type="customer", object_id=str(customer.pk), action=ERASE_ACTION
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


# --- export ------------------------------------------------------------------------------


def export_profile(customer_id: int, brand_id: int) -> dict[str, Any]:
    """The customers app's section: the profile, identities and purchases."""
    c = Customer.objects.select_related("organization").get(pk=customer_id, brand_id=brand_id)
    return {
        "id": c.pk,
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "organization": c.organization.name if c.organization else None,
        "language": c.language,
        "timezone": c.timezone,
        "vip_tier": c.vip_tier,
        "notes": c.notes,
        "custom_fields": c.custom_fields,
        "restriction": {
            "level": c.restriction,
            "channel": c.restriction_channel,
            "reason": c.restriction_reason,
            "decided_at": c.restricted_at.isoformat() if c.restricted_at else None,
        },
        "merged_from": list(
            Customer.objects.filter(merged_into_id=c.pk).values_list("pk", flat=True)
        ),
        "erased_at": c.erased_at.isoformat() if c.erased_at else None,
        "created_at": c.created_at.isoformat(),
        "identities": [
            {"kind": i.kind, "value": i.value, "created_at": i.created_at.isoformat()}
            for i in Identity.objects.filter(customer_id=c.pk).order_by("id")
        ],
        "purchases": [
            {
                "product": p.product,
                "sku": p.sku,
                "serial_number": p.serial_number,
                "order_ref": p.order_ref,
                "purchased_on": p.purchased_on,
                "warranty_until": p.warranty_until,
                "amount": p.amount,
                "currency": p.currency,
                "external_id": p.external_id,
            }
            for p in Purchase.objects.filter(customer_id=c.pk).order_by("id")
        ],
    }


def _audit_export(actor: Agent | None, customer: Customer) -> None:
    audit.record(
        action=EXPORT_ACTION,
        obj=customer,
        actor=actor,
        brand_id=customer.brand_id,
        after={"sections": [e.name for e in core_privacy.exporters()]},
    )


def stream_export(actor: Agent | None, customer: Customer) -> Iterator[str]:
    """The export as chunks of one JSON object, a section at a time and an item at a time
    within a section that is an iterator (bounded memory for a customer with many
    conversations). The audit row is written first, in the caller's transaction."""
    _audit_export(actor, customer)
    header = {
        "format": "wowdesk-customer-export/1",
        "exported_at": timezone.now().isoformat(),
        "customer_id": customer.pk,
        "brand_id": customer.brand_id,
    }

    def chunks() -> Iterator[str]:
        yield json.dumps(header, cls=DjangoJSONEncoder)[:-1]
        for name, value in core_privacy.sections(customer.pk, customer.brand_id):
            yield f", {json.dumps(name)}: "
            if isinstance(value, (dict, str, int, float)) or value is None:
                yield json.dumps(value, cls=DjangoJSONEncoder)
                continue
            yield "["
            for n, item in enumerate(value):
                yield ("" if n == 0 else ", ") + json.dumps(item, cls=DjangoJSONEncoder)
            yield "]"
        yield "}"

    return chunks()


def export_customer(actor: Agent | None, customer: Customer) -> dict[str, Any]:
    """Everything the house keeps about the customer, as one JSON-ready dict (audited)."""
    data: dict[str, Any] = json.loads("".join(stream_export(actor, customer)))
    return data


def register() -> None:
    """The customers app's export section (called from ``CustomersConfig.ready``)."""
    core_privacy.register_exporter("customer", "wowdesk.customers.privacy.export_profile", order=0)
