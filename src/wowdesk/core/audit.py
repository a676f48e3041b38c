"""The audit trail: every change by a person or a rule, with before and after."""

from __future__ import annotations

from typing import Any

from wowdesk.core.models import Agent, AuditLog


def record(
    *,
    action: str,
    obj: Any,
    actor: Agent | None,
    brand_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    row = unsaved(
        action=action, obj=obj, actor=actor, brand_id=brand_id, before=before, after=after
    )
    row.save(force_insert=True)
    return row


def unsaved(
    *,
    action: str,
    obj: Any,
    actor: Agent | None,
    brand_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """The row ``record`` writes, not yet saved (many go in one ``bulk_create``)."""
    return AuditLog(
        brand_id=brand_id,
        actor=actor,
        action=action,
        object_type=type(obj)._meta.model_name or type(obj).__name__.lower(),
        object_id=str(obj.pk),
        before=before or {},
        after=after or {},
    )


def record_many(rows: list[AuditLog]) -> None:
    """Rows of ``unsaved`` in one insert."""
    AuditLog.objects.bulk_create(rows)


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values changed, on both sides."""
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def object_type_label(code: str) -> str:
    """An entry's object type (a model name, ``conversation``) as its translated verbose
    name; the code itself for anything else."""
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.model_name == code:
            return str(model._meta.verbose_name)
    return code
