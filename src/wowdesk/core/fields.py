"""Custom fields: every change to a brand's definitions, and the checks the conversations
and customers services run on values (``core.custom_fields`` is the pure part).

The definitions a brand's values are checked against are read from ``definitions``, a
per-process cache (``core.brand_cache``): no query while they did not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wowdesk.core import audit
from wowdesk.core import custom_fields as pure
from wowdesk.core.brand_cache import BrandCache
from wowdesk.core.errors import Conflict, InvalidInput
from wowdesk.core.models import Agent, CustomField

FIELDS = ("name", "key", "kind", "options", "applies_to", "required_on_resolve", "position")


def _load() -> dict[int, list[dict[str, Any]]]:
    table: dict[int, list[dict[str, Any]]] = {}
    rows = CustomField.objects.order_by("position", "id").values(
        "id", "brand_id", "name", "key", "kind", "options", "applies_to",
        "required_on_resolve", "position", "archived",
    )  # fmt: skip
    for row in rows:
        table.setdefault(row["brand_id"], []).append(dict(row))
    return table


definitions: BrandCache[list[dict[str, Any]]] = BrandCache("custom_fields", _load)


def for_brand(brand_id: int, applies_to: str, *, archived: bool = False) -> list[dict[str, Any]]:
    """The brand's field definitions for ``applies_to`` in their order (as dicts), without
    the archived ones unless ``archived``."""
    return [
        d
        for d in definitions.get(brand_id) or []
        if d["applies_to"] == applies_to and (archived or not d["archived"])
    ]


def invalid(exc: pure.FieldError) -> InvalidInput:
    """The pure module's refusal as the service's, translated."""
    text = _(exc.message) % exc.params if exc.params else _(exc.message)
    return InvalidInput(text, field=exc.field)


def merged_values(
    brand_id: int, applies_to: str, current: Mapping[str, Any], patch: Any
) -> dict[str, Any]:
    """``current`` with ``patch`` merged in, every value checked (InvalidInput naming
    ``custom_fields.<key>`` and why; nothing is changed then)."""
    known = {d["key"]: d for d in for_brand(brand_id, applies_to)}
    try:
        return pure.merge(known, current, patch)
    except pure.FieldError as exc:
        raise invalid(exc) from exc


def check_patch(brand_id: int, applies_to: str, patch: Any, *, field: str) -> dict[str, Any]:
    """A patch of values to be applied later (a macro's or a rule's), checked now: the
    keys and values as they will be stored, ``None`` for a key the patch removes."""
    known = {d["key"]: d for d in for_brand(brand_id, applies_to)}
    if not isinstance(patch, Mapping):
        raise InvalidInput(_("An object of field keys and values."), field=field)
    out: dict[str, Any] = {}
    for key, value in patch.items():
        try:
            merged = pure.merge(known, {}, {key: value}, field=field)
        except pure.FieldError as exc:
            raise invalid(exc) from exc
        out[str(key)] = merged.get(key)
    return out


def missing_required(brand_id: int, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The conversation fields required to resolve that ``values`` leaves empty."""
    required = [d for d in for_brand(brand_id, "conversation") if d["required_on_resolve"]]
    empty = set(pure.missing(values, [d["key"] for d in required]))
    return [d for d in required if d["key"] in empty]


def labelled(brand_id: int, applies_to: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The brand's (not archived) fields with each one's value (None: none), in order."""
    return [{**d, "value": values.get(d["key"])} for d in for_brand(brand_id, applies_to)]


# --- definitions ----------------------------------------------------------------------


def _state(row: CustomField) -> dict[str, Any]:
    return {f: getattr(row, f) for f in (*FIELDS, "archived")}


def _checked(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except pure.FieldError as exc:
        raise invalid(exc) from exc


def create_field(
    *,
    brand_id: int,
    name: str,
    key: str,
    kind: str,
    applies_to: str,
    options: Iterable[str] | None = None,
    required_on_resolve: bool = False,
    actor: Agent | None,
) -> CustomField:
    """A new field of a brand, placed last."""
    if kind not in pure.KINDS:
        raise InvalidInput(_("Unknown kind: %(v)s.") % {"v": str(kind)[:32]}, field="kind")
    if applies_to not in pure.APPLIES_TO:
        raise InvalidInput(
            _("A field applies to a conversation or a customer."), field="applies_to"
        )
    if required_on_resolve and applies_to != "conversation":
        raise InvalidInput(
            _("Only conversation fields can be required to resolve."),
            field="required_on_resolve",
        )
    row = CustomField(
        brand_id=brand_id,
        name=_checked(pure.clean_name, name),
        key=_checked(pure.clean_key, key),
        kind=kind,
        options=_checked(pure.clean_options, kind, list(options or [])),
        applies_to=applies_to,
        required_on_resolve=bool(required_on_resolve),
        position=1 + len(for_brand(brand_id, applies_to, archived=True)),
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise Conflict(
            _("This brand has a field with the key %(k)s.") % {"k": key}, field="key"
        ) from exc
    audit.record(
        action="custom_field.create", obj=row, actor=actor, brand_id=brand_id, after=_state(row)
    )
    definitions.changed()
    return row


def update_field(row: CustomField, *, actor: Agent | None, **fields: Any) -> CustomField:
    """Change a field's name, options, required flag, position or archived flag (its key,
    kind and what it applies to stay: values are stored under them). Values that hold an
    option removed here keep it until they are next changed."""
    before = _state(row)
    if fields.get("name") is not None:
        row.name = _checked(pure.clean_name, fields["name"])
    if fields.get("options") is not None:
        row.options = _checked(pure.clean_options, row.kind, fields["options"])
    if fields.get("required_on_resolve") is not None:
        if fields["required_on_resolve"] and row.applies_to != "conversation":
            raise InvalidInput(
                _("Only conversation fields can be required to resolve."),
                field="required_on_resolve",
            )
        row.required_on_resolve = bool(fields["required_on_resolve"])
    if fields.get("position") is not None:
        row.position = int(fields["position"])
    if fields.get("archived") is not None:
        row.archived = bool(fields["archived"])
    row.save()
    b, a = audit.diff(before, _state(row))
    if a:
        audit.record(
            action="custom_field.update",
            obj=row,
            actor=actor,
            brand_id=row.brand_id,
            before=b,
            after=a,
        )
    definitions.changed()
    return row


def reorder(brand_id: int, applies_to: str, ids: list[int], *, actor: Agent | None) -> None:
    """Put the brand's fields in the order of ``ids`` (those not named follow, as they
    were)."""
    rows = list(CustomField.objects.filter(brand_id=brand_id, applies_to=applies_to))
    by_id = {r.pk: r for r in rows}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise InvalidInput(
            _("No such field in this brand: %(v)s.") % {"v": unknown[0]}, field="ids"
        )
    ordered = [by_id[i] for i in dict.fromkeys(ids)]
    ordered += [r for r in rows if r.pk not in set(ids)]
    for position, row in enumerate(ordered, start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    audit.record(
        action="custom_field.reorder",
        obj=ordered[0] if ordered else CustomField(brand_id=brand_id, pk=0),
        actor=actor,
        brand_id=brand_id,
        after={"order": [r.key for r in ordered]},
    )
    definitions.changed()
