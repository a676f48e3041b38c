"""The command palette's search (``GET /palette/?q=``, static/web/palette.js): groups of
conversations (``#number``, subject, customer: the conversation list's own search,
conversations/queries.py), customers (the customers search, each opening their latest
conversation) and macros (of the agent's brands; with ``conversation=<id>`` only that
conversation's brand, for inserting into its composer). Every group is brand-walled and
limited; a request costs the same few queries whatever the number of matches. The
palette's actions (go to a page, assign, resolve, snooze …) live in the script."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wowdesk.conversations import queries
from wowdesk.conversations.models import Conversation, Macro
from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.input import check_line
from wowdesk.core.models import Agent
from wowdesk.customers.models import Customer
from wowdesk.customers.services import search_customers
from wowdesk.web.auth import agent_required

LIMIT = 6  # items per group
MAX_Q = 100


def _refuse(field: str, message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "field": field}, status=400)


def conversations_found(agent: Agent, q: str) -> list[dict[str, Any]]:
    listing = queries.Listing(agent, queries.ConversationQuery(q=q))
    ids = list(listing.page(0, LIMIT).values_list("pk", flat=True))
    rows = {
        r["pk"]: r
        for r in Conversation.objects.filter(pk__in=ids).values(
            "pk", "number", "subject", "status", "customer__name", "customer__email"
        )
    }
    return [
        {
            "id": r["pk"],
            "label": f"#{r['number']} {r['subject']}".strip(),
            "detail": r["customer__name"] or r["customer__email"] or "",
            "url": reverse("web:conversation", args=[r["pk"]]),
        }
        for r in (rows[i] for i in ids if i in rows)
    ]


def customers_found(agent: Agent, q: str) -> list[dict[str, Any]]:
    latest = Conversation.objects.filter(customer_id=OuterRef("pk")).order_by("-updated_at", "-id")
    qs = search_customers(permissions.scope(Customer.objects.all(), agent), q)
    rows = qs.annotate(latest=Subquery(latest.values("pk")[:1])).order_by("name", "id")[:LIMIT]
    return [
        {
            "id": c.pk,
            "label": c.name or c.email or c.phone,
            "detail": " · ".join(x for x in (c.email, c.phone) if x),
            "url": reverse("web:conversation", args=[c.latest]) if c.latest else "",
        }
        for c in rows
    ]


def macros_found(agent: Agent, q: str, conversation_id: int | None) -> list[dict[str, Any]]:
    qs = permissions.scope(Macro.objects.all(), agent)
    if conversation_id is not None:
        brand_id = (
            permissions.scope(Conversation.objects.all(), agent)
            .filter(pk=conversation_id)
            .values_list("brand_id", flat=True)
            .first()
        )
        qs = qs.filter(brand_id=brand_id if brand_id is not None else 0)
    rows = qs.filter(name__icontains=q).order_by("name", "id").values("pk", "name", "body")
    return [
        {"id": m["pk"], "label": m["name"], "detail": " ".join(m["body"].split())[:80]}
        for m in rows[:LIMIT]
    ]


@require_GET
@agent_required()
def search(request: HttpRequest) -> JsonResponse:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    try:
        q = check_line(request.GET.get("q", ""), "q", max_length=MAX_Q).strip()
    except ServiceError as exc:
        return _refuse("q", exc.message)
    raw = request.GET.get("conversation", "")
    conversation_id: int | None = None
    if raw:
        if not raw.isdigit() or len(raw) > 18:
            return _refuse("conversation", _("Must be a conversation id."))
        conversation_id = int(raw)
    groups: list[dict[str, Any]] = []
    if q:
        try:
            found = conversations_found(agent, q)
        except ServiceError as exc:
            return _refuse("q", exc.message)
        groups.append({"key": "conversations", "label": _("Conversations"), "items": found})
        groups.append(
            {"key": "customers", "label": _("Customers"), "items": customers_found(agent, q)}
        )
        groups.append(
            {
                "key": "macros",
                "label": _("Macros"),
                "items": macros_found(agent, q, conversation_id),
            }
        )
    return JsonResponse({"q": q, "groups": groups})
