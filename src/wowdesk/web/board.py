"""The supervisor board's read side: people, queues, failed deliveries and open alerts of
the brands a supervisor works for. Each number on the board is a COUNT of what it
names; the lists under it show the first rows and say how many more there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone

from wowdesk.conversations.models import Conversation, Status
from wowdesk.core import alerts as alert_texts
from wowdesk.core import permissions
from wowdesk.core.models import Agent, Alert, Brand, Presence, Role

QUEUE_SHOWN = 20
FAILED_SHOWN = 10
ALERTS_SHOWN = 20


@dataclass
class BrandBoard:
    brand: Brand
    waiting_total: int
    waiting: list[Conversation]
    failed_total: int
    failed: list[Conversation]
    agents: list[tuple[int, str]] = field(default_factory=list)  # who can take its work

    @property
    def waiting_more(self) -> int:
        return max(0, self.waiting_total - len(self.waiting))

    @property
    def failed_more(self) -> int:
        return max(0, self.failed_total - len(self.failed))


def waiting_total(brand_ids: list[int]) -> dict[int, int]:
    """Open conversations nobody is assigned, per brand: the same set as the queue."""
    rows = (
        Conversation.objects.filter(
            brand_id__in=brand_ids, status=Status.OPEN, assignee__isnull=True
        )
        .order_by()
        .values("brand_id")
        .annotate(n=Count("pk"))
    )
    return {r["brand_id"]: r["n"] for r in rows}


def failed_total(brand_ids: list[int]) -> dict[int, int]:
    """Conversations with an undelivered reply (failed, or retrying), per brand (any
    status)."""
    rows = (
        Conversation.objects.filter(brand_id__in=brand_ids)
        .exclude(delivery_issue="")
        .order_by()
        .values("brand_id")
        .annotate(n=Count("pk"))
    )
    return {r["brand_id"]: r["n"] for r in rows}


def failed_list(brand_id: int, limit: int = FAILED_SHOWN) -> list[Conversation]:
    return list(
        Conversation.objects.filter(brand_id=brand_id)
        .exclude(delivery_issue="")
        .select_related("customer", "assignee")
        .order_by("-updated_at", "-id")[:limit]
    )


def brands(agent: Agent) -> list[BrandBoard]:
    from wowdesk.routing.services import waiting_queue

    brand_ids = sorted(permissions.brands_with_role(agent, Role.SUPERVISOR))
    by_id = {b.pk: b for b in Brand.objects.filter(pk__in=brand_ids)}
    waiting = waiting_total(brand_ids)
    failed = failed_total(brand_ids)
    people: dict[int, list[tuple[int, str]]] = {}
    for brand_id, pk, name in (
        Agent.objects.filter(brands__in=brand_ids, is_active=True)
        .order_by("display_name", "id")
        .values_list("brands", "id", "display_name")
    ):
        people.setdefault(brand_id, []).append((pk, name))
    out = []
    for brand_id in brand_ids:
        if brand_id not in by_id:
            continue
        out.append(
            BrandBoard(
                brand=by_id[brand_id],
                waiting_total=waiting.get(brand_id, 0),
                waiting=waiting_queue(brand_id, limit=QUEUE_SHOWN),
                failed_total=failed.get(brand_id, 0),
                failed=failed_list(brand_id) if failed.get(brand_id) else [],
                agents=people.get(brand_id, []),
            )
        )
    return out


@dataclass
class AlertRow:
    pk: int
    kind: str
    kind_label: str
    brand: str
    text: str
    at: str
    at_iso: str
    conversation_id: int | None


def open_alerts(agent: Agent, limit: int = ALERTS_SHOWN) -> tuple[int, list[AlertRow]]:
    """The total of open alerts and the newest ones, each with its brand, its time in
    the viewer's zone and language, and its sentence in the viewer's language."""
    brand_ids = permissions.brands_with_role(agent, Role.SUPERVISOR)
    qs = Alert.objects.filter(brand_id__in=brand_ids, acknowledged_at__isnull=True)
    total = qs.count()
    rows = [
        AlertRow(
            pk=a.pk,
            kind=a.kind,
            kind_label=str(a.get_kind_display()),
            brand=a.brand.name,
            text=alert_texts.message(a),
            at=alert_texts.local_time(a.created_at),
            at_iso=timezone.localtime(a.created_at).isoformat(),
            conversation_id=a.conversation_id,
        )
        for a in qs.select_related("brand").order_by("-created_at", "-id")[:limit]
    ]
    return total, rows


def presence_choices() -> list[tuple[str, Any]]:
    return list(Presence.choices)
