"""Every write to customers, identities, organizations and purchases goes through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.core import audit, fastsql
from wowdesk.core import fields as core_fields
from wowdesk.core.errors import InvalidInput
from wowdesk.core.events import Event, emit
from wowdesk.core.input import check_line
from wowdesk.core.kinds import Channel
from wowdesk.core.models import Agent, Brand
from wowdesk.customers.identity import InvalidAddress, clean_name, normalize
from wowdesk.customers.models import (
    Customer,
    Identity,
    IdentityKind,
    Organization,
    Purchase,
    Restriction,
)


@dataclass(frozen=True)
class Contact:
    """Who a message says it is from."""

    name: str = ""
    email: str = ""
    phone: str = ""
    handle: str = ""
    handle_kind: str = IdentityKind.SOCIAL

    def identities(self) -> list[tuple[str, str]]:
        """Normalised (kind, value) pairs, strongest first. Raises InvalidInput."""
        out: list[tuple[str, str]] = []
        for kind, value, field in (
            (IdentityKind.EMAIL, self.email, "from.email"),
            (IdentityKind.PHONE, self.phone, "from.phone"),
            (self.handle_kind, self.handle, "from.handle"),
        ):
            if value:
                try:
                    out.append((str(kind), normalize(kind, value)))
                except InvalidAddress as exc:
                    raise InvalidInput(str(exc), field=field) from exc
        return out


def resolve_customer(
    brand_id: int, contact: Contact, *, language: str = ""
) -> tuple[Customer, bool]:
    """Find the customer behind any of the contact's identities, or create one.

    Identities the contact brings that the customer lacks are added to them. If two
    identities point at two different customers we do not guess: the first one wins and
    the agent may merge them.
    """
    found = find_customer(brand_id, contact)
    return complete_customer(found, contact, language=language)


@dataclass
class FoundCustomer:
    """What one lookup learnt: the identities asked for, those known, and their owner."""

    brand_id: int
    pairs: list[tuple[str, str]]
    known: set[tuple[str, str]]
    customer: Customer | None


def find_customer(brand_id: int, contact: Contact) -> FoundCustomer:
    """One query: the customer behind the contact's identities, if any (ingest reads it
    before deciding the message's language, which a new customer is then created with)."""
    pairs = contact.identities()
    if not pairs:
        raise InvalidInput(_("A sender needs an email, a phone or a handle."), field="from")
    owners = _identity_owners(brand_id, pairs)
    customer: Customer | None = None
    for pair in pairs:
        if pair in owners:
            customer = _live(owners[pair])
            break
    return FoundCustomer(brand_id, pairs, set(owners), customer)


def _identity_owners(
    brand_id: int, pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], Customer]:
    """(kind, value) → the customer holding it, in one prepared statement (ingest path)."""
    match = " OR ".join(["(i.kind = %s AND i.value = %s)"] * len(pairs))
    params: list[Any] = [brand_id]
    for kind, value in pairs:
        params += [kind, value]
    found = fastsql.rows(
        f"SELECT i.kind, i.value, {fastsql.columns(Customer, 'c')} "
        f"FROM {fastsql.table(Identity)} i "
        f"JOIN {fastsql.table(Customer)} c ON c.id = i.customer_id "
        f"WHERE i.brand_id = %s AND ({match})",
        params,
    )
    return {(row[0], row[1]): fastsql.load(Customer, row[2:]) for row in found}


def complete_customer(
    found: FoundCustomer, contact: Contact, *, language: str = ""
) -> tuple[Customer, bool]:
    """Create the customer ``find_customer`` did not find (with ``language``), or fill in
    a missing name; then add the identities they lack."""
    pairs, customer, created = found.pairs, found.customer, False
    if customer is None:
        customer = fastsql.insert(
            Customer,
            brand_id=found.brand_id,
            name=clean_name(contact.name),
            email=next((v for k, v in pairs if k == IdentityKind.EMAIL), ""),
            phone=next((v for k, v in pairs if k == IdentityKind.PHONE), ""),
            language=language,
        )
        created = True
        emit(Event.CUSTOMER_CREATED, customer_id=customer.pk, brand_id=customer.brand_id)
    elif clean_name(contact.name) and not customer.name:
        customer.name = clean_name(contact.name)
        customer.save(update_fields=["name", "updated_at"])
        _updated(customer, {"name": customer.name}, {"name": ""})
    for kind, value in pairs:
        if (kind, value) not in found.known:
            _add_identity(customer, kind, value)
    return customer, created


def _updated(customer: Customer, changes: dict[str, Any], before: dict[str, Any]) -> None:
    emit(
        Event.CUSTOMER_UPDATED,
        customer_id=customer.pk,
        brand_id=customer.brand_id,
        changes=changes,
        before=before,
    )


def set_language(customer: Customer, language: str) -> None:
    """What a customer's messages say their language is (ingest learns it): one statement,
    no audit row (the system's guess, not a person's edit); announced as an update."""
    if language == customer.language:
        return
    before = customer.language
    fastsql.update(Customer, customer.pk, language=language, updated_at=timezone.now())
    customer.language = language
    _updated(customer, {"language": language}, {"language": before})


def _live(customer: Customer) -> Customer:
    """Follow merge tombstones to the surviving record."""
    seen = 0
    while customer.merged_into_id is not None and seen < 10:
        customer = Customer.objects.get(pk=customer.merged_into_id)
        seen += 1
    return customer


def _add_identity(customer: Customer, kind: str, value: str) -> None:
    # Another request may have added it at the same moment: either owner is fine, and
    # the insert then writes nothing (no savepoint needed).
    fastsql.insert(
        Identity,
        unless_there=("brand", "kind", "value"),  # identity_unique_per_brand
        brand_id=customer.brand_id,
        customer_id=customer.pk,
        kind=kind,
        value=value,
    )


def add_identity(customer: Customer, *, kind: str, value: str, actor: Agent | None) -> Identity:
    if kind not in IdentityKind.values:
        raise InvalidInput(_("Unknown identity kind."), field="kind")
    try:
        normalized = normalize(kind, value)
    except InvalidAddress as exc:
        raise InvalidInput(str(exc), field="value") from exc
    existing = Identity.objects.filter(
        brand_id=customer.brand_id, kind=kind, value=normalized
    ).first()
    if existing is not None:
        if existing.customer_id != customer.pk:
            raise InvalidInput(
                _("This address belongs to another customer: merge them."), field="value"
            )
        return existing
    identity = Identity.objects.create(
        brand_id=customer.brand_id, customer=customer, kind=kind, value=normalized
    )
    audit.record(
        action="customer.identity_add",
        obj=customer,
        actor=actor,
        brand_id=customer.brand_id,
        after={"kind": kind, "value": normalized},
    )
    return identity


CUSTOMER_FIELDS = ("name", "language", "timezone", "vip_tier", "notes", "organization_id")


def update_customer(customer: Customer, *, actor: Agent | None, **fields: Any) -> Customer:
    from wowdesk.core.services import valid_timezone

    before = {f: getattr(customer, f) for f in CUSTOMER_FIELDS}
    before["custom_fields"] = dict(customer.custom_fields or {})
    if fields.get("custom_fields") is not None:
        customer.custom_fields = core_fields.merged_values(
            customer.brand_id, "customer", before["custom_fields"], fields["custom_fields"]
        )
    for key, value in fields.items():
        if value is None or key not in CUSTOMER_FIELDS:
            continue
        if key == "timezone" and value:
            valid_timezone(value)
        if key == "name":
            value = check_line(value, "name", max_length=200).strip()
        if (
            key == "organization_id"
            and not Organization.objects.filter(pk=value, brand_id=customer.brand_id).exists()
        ):
            raise InvalidInput(_("No such organization in this brand."), field="organization_id")
        if key == "name":
            value = clean_name(str(value))  # one line: a name goes into mail headers
        setattr(customer, key, value)
    customer.save()
    b, a = audit.diff(
        before,
        {
            **{f: getattr(customer, f) for f in CUSTOMER_FIELDS},
            "custom_fields": dict(customer.custom_fields),
        },
    )
    if a:
        audit.record(
            action="customer.update",
            obj=customer,
            actor=actor,
            brand_id=customer.brand_id,
            before=b,
            after=a,
        )
        _updated(customer, a, b)
    return customer


def merge_customers(target: Customer, source: Customer, *, actor: Agent | None) -> Customer:
    """Fold ``source`` into ``target``: identities and purchases move over, empty fields
    are filled from ``source``, which stays as a tombstone pointing at ``target``. The
    other apps move what they hold of ``source`` (its conversations and messages) in
    their ``customer.merged`` listeners, in this transaction."""
    if target.pk == source.pk:
        raise InvalidInput(_("A customer cannot be merged into itself."), field="source_id")
    if target.brand_id != source.brand_id:
        raise InvalidInput(_("Customers of different brands cannot be merged."), field="source_id")
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise InvalidInput(_("This customer was already merged."), field="source_id")
    with transaction.atomic():
        moved = {
            "identities": Identity.objects.filter(customer=source).update(customer=target),
            "purchases": Purchase.objects.filter(customer=source).update(customer=target),
        }
        before = {f: getattr(target, f) for f in (*CUSTOMER_FIELDS, "email", "phone")}
        for name in ("name", "email", "phone", "language", "timezone", "vip_tier"):
            if not getattr(target, name) and getattr(source, name):
                setattr(target, name, getattr(source, name))
        if target.organization_id is None and source.organization_id is not None:
            target.organization_id = source.organization_id
        if source.notes:
            target.notes = (target.notes + "\n\n" + source.notes).strip()
        # the target's own values win; the source's fill in the keys the target lacks
        target.custom_fields = {**(source.custom_fields or {}), **(target.custom_fields or {})}
        target.save()
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        audit.record(
            action="customer.merge",
            obj=target,
            actor=actor,
            brand_id=target.brand_id,
            before={"source_id": source.pk},
            after=moved,
        )
        emit(
            Event.CUSTOMER_MERGED,
            customer_id=target.pk,
            merged_id=source.pk,
            brand_id=target.brand_id,
        )
        b, a = audit.diff(before, {f: getattr(target, f) for f in before})
        if a:
            _updated(target, a, b)
    return target


def create_organization(
    *, brand_id: int, name: str, domain: str = "", actor: Agent | None = None
) -> Organization:
    org, created = Organization.objects.get_or_create(
        brand_id=brand_id, name=name.strip(), defaults={"domain": domain}
    )
    if created:
        audit.record(
            action="organization.create",
            obj=org,
            actor=actor,
            brand_id=brand_id,
            after={"name": org.name},
        )
    return org


@dataclass(frozen=True)
class PurchaseInput:
    product: str
    sku: str = ""
    serial_number: str = ""
    order_ref: str = ""
    purchased_on: dt.date | None = None
    warranty_until: dt.date | None = None
    amount: Decimal | None = None
    currency: str = ""
    external_id: str = ""


def add_purchase(customer: Customer, data: PurchaseInput, *, actor: Agent | None) -> Purchase:
    """Record a purchase; pushing the same ``external_id`` again updates it instead."""
    if not data.product.strip():
        raise InvalidInput(_("A purchase needs a product."), field="product")
    if data.purchased_on and data.warranty_until and data.warranty_until < data.purchased_on:
        raise InvalidInput(
            _("The warranty cannot end before the purchase."), field="warranty_until"
        )
    values = {
        "product": data.product.strip()[:200],
        "sku": data.sku,
        "serial_number": data.serial_number,
        "order_ref": data.order_ref,
        "purchased_on": data.purchased_on,
        "warranty_until": data.warranty_until,
        "amount": data.amount,
        "currency": data.currency.upper()[:3],
    }
    if data.external_id:
        purchase, _created = Purchase.objects.update_or_create(
            brand_id=customer.brand_id,
            customer=customer,
            external_id=data.external_id,
            defaults=values,
        )
    else:
        purchase = Purchase.objects.create(brand_id=customer.brand_id, customer=customer, **values)
    audit.record(
        action="customer.purchase",
        obj=customer,
        actor=actor,
        brand_id=customer.brand_id,
        after={"purchase_id": purchase.pk, "product": purchase.product},
    )
    return purchase


def search_customers(qs: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    from django.db import connection
    from django.db.models import Q

    from wowdesk.core import textsearch
    from wowdesk.customers.search import CUSTOMER_CONTACT, IDENTITY_VALUE

    q = q.strip()
    if not q:
        return qs
    # icontains on name, email, phone and any identity, answered by indexes; a subquery for
    # identities instead of a join, so no DISTINCT over the whole table is needed
    identities = Identity.objects.order_by().filter(textsearch.contains(IDENTITY_VALUE, q.lower()))
    contact = textsearch.contains(CUSTOMER_CONTACT, q)
    if connection.vendor == "postgresql":
        # PostgreSQL cannot answer an OR with a subquery from indexes: it tests every
        # customer. One UNION of the id lists of the trigram indexes instead.
        ids = Customer.objects.order_by().filter(contact).values("pk")
        return qs.filter(pk__in=ids.union(identities.values("customer_id")))
    return qs.filter(contact | Q(pk__in=identities.values("customer_id")))


def brand_of(customer: Customer) -> Brand:
    return customer.brand


def update_organization(
    organization: Organization, *, actor: Agent | None, **fields: Any
) -> Organization:
    """Change an organization's name or domain."""
    from wowdesk.core.services import save_fields

    values = {k: v for k, v in fields.items() if k in ("name", "domain")}
    if "name" in values and not str(values["name"]).strip():
        raise InvalidInput(_("An organization needs a name."), field="name")
    return save_fields(  # type: ignore[no-any-return]
        organization,
        fields=values,
        actor=actor,
        brand_id=organization.brand_id,
        action="organization.update",
    )


# --- restrictions (abusive customers; decided in ``policies.abuse_services``) ---------------

RESTRICTION_FIELDS = ("restriction", "restriction_channel", "restriction_reason")
MAX_RESTRICTION_REASON = 500


def set_restriction(
    actor: Agent | None, customer: Customer, *, level: str, reason: str, channel: str = ""
) -> Customer:
    """Warn, restrict to one channel, or block a customer (the only writer of the
    ``restriction*`` fields): who decided, when and why are kept on the row and in the
    audit log; announced as ``customer.restricted``."""
    if level not in (Restriction.WARNED, Restriction.RESTRICTED, Restriction.BLOCKED):
        raise InvalidInput(_("Choose warned, restricted or blocked."), field="level")
    reason = check_line(reason or "", "reason", max_length=MAX_RESTRICTION_REASON).strip()
    if not reason:
        raise InvalidInput(_("Say why."), field="reason")
    channel = (channel or "").strip()
    if level == Restriction.RESTRICTED:
        if channel not in Channel.values:
            raise InvalidInput(_("Choose the one channel the customer may use."), field="channel")
    else:
        channel = ""
    before = {f: getattr(customer, f) for f in RESTRICTION_FIELDS}
    now = timezone.now()
    customer.restriction = level
    customer.restriction_channel = channel
    customer.restriction_reason = reason
    customer.restricted_by = actor
    customer.restricted_at = now
    customer.save(
        update_fields=[*RESTRICTION_FIELDS, "restricted_by", "restricted_at", "updated_at"]
    )
    audit.record(
        action="customer.restrict",
        obj=customer,
        actor=actor,
        brand_id=customer.brand_id,
        before=before,
        after={f: getattr(customer, f) for f in RESTRICTION_FIELDS},
    )
    emit(
        Event.CUSTOMER_RESTRICTED,
        customer_id=customer.pk,
        brand_id=customer.brand_id,
        level=level,
        channel=channel,
    )
    return customer


def lift_restriction(actor: Agent | None, customer: Customer, *, reason: str = "") -> Customer:
    """Lift a customer's restriction (reversible: the audit log keeps what it was);
    announced as ``customer.restricted`` with an empty level. Nothing to lift: no change."""
    reason = check_line(reason or "", "reason", max_length=MAX_RESTRICTION_REASON).strip()
    if not customer.restriction:
        return customer
    before = {f: getattr(customer, f) for f in RESTRICTION_FIELDS}
    customer.restriction = Restriction.NONE
    customer.restriction_channel = ""
    customer.restriction_reason = ""
    customer.restricted_by = actor
    customer.restricted_at = timezone.now()
    customer.save(
        update_fields=[*RESTRICTION_FIELDS, "restricted_by", "restricted_at", "updated_at"]
    )
    audit.record(
        action="customer.lift_restriction",
        obj=customer,
        actor=actor,
        brand_id=customer.brand_id,
        before=before,
        after={"restriction": "", "reason": reason},
    )
    emit(
        Event.CUSTOMER_RESTRICTED,
        customer_id=customer.pk,
        brand_id=customer.brand_id,
        level="",
    )
    return customer
