"""Personal data of customers: the mechanism of the export, and the core's own erasure.

The core knows the mechanism, not the apps (like ``core/jobs.py``). Each app that keeps
something about a customer registers, in its ``AppConfig.ready``:

* an exporter, :func:`register_exporter` ``(name, "dotted.path")``: a function taking
  ``(customer_id, brand_id)`` and returning what the app keeps about the customer, as
  JSON-ready values (a dict, or a list or an iterator of dicts: a big section is an
  iterator, so the export streams in bounded memory);
* a listener of ``customer.erasing`` (phase ``transaction``) that removes or anonymises
  what it keeps (``customers/privacy.py`` announces it).

The core's own part: the audit rows about the customer (:func:`on_customer_erasing`) and
about rows other apps name (:func:`blank_audit`, :func:`erase_alerts`) keep who did what
and when, with every value they held replaced by :data:`ERASED`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

from wowdesk.core.models import AuditLog

#: What erased free text becomes.
ERASED = "[erased]"

# Values of these keys in audit rows are codes, not personal data: they stay.
_CODE_KEYS = frozenset(
    {"status", "priority", "language", "channel", "vip_tier", "kind", "level", "action"}
)


@dataclass(frozen=True)
class Exporter:
    name: str
    path: str
    order: int


_exporters: dict[str, Exporter] = {}


def register_exporter(name: str, path: str, *, order: int = 100) -> None:
    """Register the export section ``name`` (a function ``(customer_id, brand_id)``);
    registering a name again replaces it."""
    _exporters[name] = Exporter(name=name, path=path, order=order)


def exporters() -> list[Exporter]:
    """The registered sections, in order (smaller first), then by name."""
    return sorted(_exporters.values(), key=lambda e: (e.order, e.name))


def sections(customer_id: int, brand_id: int) -> Iterator[tuple[str, Any]]:
    """Each registered section's name and what its exporter returns (perhaps an
    iterator, read by the caller)."""
    for exporter in exporters():
        func: Callable[[int, int], Any] = import_string(exporter.path)
        yield exporter.name, func(customer_id, brand_id)


_counts: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar(
    "wowdesk_erasure_counts", default=None
)


@contextlib.contextmanager
def counting() -> Iterator[dict[str, int]]:
    """Inside the block, what the listeners :func:`tally` adds up in the dict yielded
    (the erasure's report: how many of what, never a value)."""
    counts: dict[str, int] = {}
    token = _counts.set(counts)
    try:
        yield counts
    finally:
        _counts.reset(token)


def tally(name: str, count: int) -> None:
    """A listener of ``customer.erasing`` says how many ``name`` it erased or blanked."""
    counts = _counts.get()
    if counts is not None and count:
        counts[name] = counts.get(name, 0) + count


def scrub(value: Any, *, key: str = "") -> Any:
    """``value`` with every string replaced by :data:`ERASED` (recursively; numbers,
    booleans, nulls and the codes of :data:`_CODE_KEYS` stay)."""
    if isinstance(value, dict):
        return {k: scrub(v, key=str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, key=key) for v in value]
    if isinstance(value, str) and value and key not in _CODE_KEYS:
        return ERASED
    return value


def blank_audit(object_type: str, object_ids: Iterable[int | str]) -> int:
    """Blank the values of the audit rows about these objects (who, what and when stay);
    returns how many rows were rewritten."""
    ids = [str(i) for i in object_ids]
    count = 0
    for start in range(0, len(ids), 500):
        rows = list(
            AuditLog.objects.filter(object_type=object_type, object_id__in=ids[start : start + 500])
        )
        for row in rows:
            row.before = scrub(row.before)
            row.after = scrub(row.after)
        AuditLog.objects.bulk_update(rows, ["before", "after"])
        count += len(rows)
    tally("audit_entries", count)
    return count


def erase_alerts(conversation_ids: Iterable[int]) -> int:
    """The alerts about these conversations keep their kind and time; their text and data
    (a customer's name, a quote) are blanked."""
    from wowdesk.core.models import Alert

    ids = list(conversation_ids)
    count = 0
    for start in range(0, len(ids), 500):
        rows = list(Alert.objects.filter(conversation_id__in=ids[start : start + 500]))
        for row in rows:
            row.text = ERASED
            row.data = scrub(row.data)
        Alert.objects.bulk_update(rows, ["text", "data"])
        count += len(rows)
    tally("alerts", count)
    return count


def on_customer_erasing(customer_id: int, brand_id: int) -> None:
    """The core's listener: the audit rows about the customer keep who, what and when."""
    blank_audit("customer", [customer_id])


def export_audit(customer_id: int, brand_id: int) -> list[dict[str, Any]]:
    """The audit rows about the customer (the core's export section)."""
    return [
        {
            "action": row.action,
            "actor": row.actor.display_name if row.actor else None,
            "before": row.before,
            "after": row.after,
            "at": row.created_at.isoformat(),
        }
        for row in AuditLog.objects.filter(object_type="customer", object_id=str(customer_id))
        .select_related("actor")
        .order_by("created_at", "id")
    ]
