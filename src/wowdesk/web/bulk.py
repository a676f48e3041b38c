"""The workspace's bulk actions (the list's selection and its toolbar), saved views in the
sidebar, split and link on a conversation. Thin views: the rules are the conversations
services' (conversations.bulk, conversations.saved_views, conversations.services)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from wowdesk.conversations import bulk, queries, saved_views
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    Conversation,
    Macro,
    Priority,
    SavedView,
    Status,
    Tag,
    ViewScope,
)
from wowdesk.core import permissions
from wowdesk.core.errors import InvalidInput, ServiceError
from wowdesk.core.models import Agent, Team
from wowdesk.web import inbox
from wowdesk.web.auth import agent_required

MAX_SHOWN_SKIPPED = 20  # skipped rows named in a toast; the rest are counted


def _agent(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _refusal(exc: ServiceError) -> JsonResponse:
    return JsonResponse(
        {"detail": exc.message, "field": exc.field or ""}, status=exc.status, safe=True
    )


# --- saved views in the list ----------------------------------------------------------------


def resolve_saved(agent: Agent, query: inbox.InboxQuery) -> None:
    """A list opened from a saved view (``?saved=<id>``) shows that view's filters; a view
    the agent does not see is not found."""
    if query.saved is None:
        return
    try:
        view = saved_views.get_view(agent, query.saved)
        query.saved_query = saved_views.query_of(view)
    except ServiceError as exc:
        raise Http404(exc.message) from exc


def sidebar(agent: Agent, query: inbox.InboxQuery, teams: list[Any]) -> dict[str, Any]:
    """The sidebar's saved views with their counts (one query for the views, then at most
    one COUNT per view, cached briefly: conversations.saved_views.counts), and what the
    "save this view" form needs (``teams``: the toolbar's teams, of which the agent's)."""
    views = list(saved_views.visible_views(agent)[:50])
    mine = set(queries.team_ids(agent))
    counts = saved_views.counts(agent, views)
    return {
        "saved_views": [
            {
                "id": v.pk,
                "name": v.name,
                "scope": v.scope,
                "count": counts.get(v.pk),
                "current": query.saved == v.pk,
                "can_edit": permissions.may_edit_saved_view(agent, v),
            }
            for v in views
        ],
        "saved_view_name": next((v.name for v in views if v.pk == query.saved), ""),
        "view_scopes": ViewScope.choices,
        "my_teams": [(pk, name) for pk, name in teams if pk in mine],
        "save_params": list(params_of(query).items()),
    }


def params_of(query: inbox.InboxQuery) -> dict[str, str]:
    """The list's filters as a saved view keeps them (conversations.queries.FILTER_KEYS
    and the custom field filters ``cf_<key>``)."""
    if query.saved_query is not None and query.saved is not None:
        return {}
    out = {
        "view": query.view,
        "status": query.status,
        "language": query.language,
        "channel": query.channel,
        "tag": query.tag,
        "q": query.q,
        "sort": inbox.SORTS[query.sort][1],
        **{f"{queries.CUSTOM_PREFIX}{k}": v for k, v in query.custom},
    }
    return {k: v for k, v in out.items() if v}


@require_POST
@agent_required()
def save_view(request: HttpRequest) -> HttpResponseBase:
    """The sidebar's "save this view": the list's filters (hidden fields) under a name."""
    agent = _agent(request)
    data = request.POST
    params = {
        k: data[k]
        for k in data
        if (k in queries.FILTER_KEYS or k.startswith(queries.CUSTOM_PREFIX)) and data.get(k)
    }
    scope = data.get("scope", ViewScope.PERSONAL)
    team = data.get("team", "")
    brand_ids = sorted(permissions.visible_brand_ids(agent))
    try:
        team_id = int(team) if team.isdigit() and len(team) < 19 else None
        brand_id = (
            Team.objects.filter(pk=team_id).values_list("brand_id", flat=True).first()
            if team_id
            else None
        ) or (brand_ids[0] if brand_ids else 0)
        with transaction.atomic():
            view = saved_views.create_view(
                agent,
                brand_id=brand_id,
                name=data.get("name", ""),
                params=params,
                scope=scope,
                team_id=team_id,
            )
    except ServiceError as exc:
        flash.error(request, _("The view was not saved: %(reason)s") % {"reason": exc.message})
        return redirect(reverse("web:inbox") + "?" + urlencode(params))  # the same list
    flash.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(reverse("web:inbox") + f"?saved={view.pk}")


def _view_or_404(agent: Agent, view_id: int) -> SavedView:
    try:
        return saved_views.get_view(agent, view_id)
    except ServiceError as exc:
        raise Http404(exc.message) from exc


@require_POST
@agent_required()
def rename_view(request: HttpRequest, view_id: int) -> HttpResponseBase:
    agent = _agent(request)
    view = _view_or_404(agent, view_id)
    try:
        with transaction.atomic():
            saved_views.update_view(agent, view, name=request.POST.get("name", ""))
    except ServiceError as exc:
        flash.error(request, exc.message)
        return _forbidden_or_back(exc, view)
    return redirect(reverse("web:inbox") + f"?saved={view.pk}")


@require_POST
@agent_required()
def delete_view(request: HttpRequest, view_id: int) -> HttpResponseBase:
    agent = _agent(request)
    view = _view_or_404(agent, view_id)
    try:
        with transaction.atomic():
            saved_views.delete_view(agent, view)
    except ServiceError as exc:
        flash.error(request, exc.message)
        return _forbidden_or_back(exc, view)
    flash.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("web:inbox")


def _forbidden_or_back(exc: ServiceError, view: SavedView) -> HttpResponseBase:
    if exc.status == 403:
        return HttpResponse(exc.message, status=403, content_type="text/plain; charset=utf-8")
    return redirect(reverse("web:inbox") + f"?saved={view.pk}")


# --- bulk actions -----------------------------------------------------------------------------


TOOLBAR_TTL = 60  # seconds the toolbar's choices of a set of brands are kept


def toolbar(agent: Agent) -> dict[str, Any]:
    """What the bulk toolbar offers: the agents, teams, tags and macros of the agent's
    brands (four queries, then kept ``TOOLBAR_TTL`` seconds per set of brands), the
    statuses and priorities."""
    brand_ids = sorted(permissions.visible_brand_ids(agent))
    key = "wowdesk:bulk-toolbar:" + ",".join(map(str, brand_ids))
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        found = _toolbar_choices(brand_ids)
        cache.set(key, found, TOOLBAR_TTL)
    return {
        **found,
        "bulk_statuses": [(k, v) for k, v in Status.choices if k != Status.SNOOZED],
        "bulk_priorities": Priority.choices,
        "bulk_max": bulk.MAX_BULK,
    }


def _toolbar_choices(brand_ids: list[int]) -> dict[str, Any]:
    return {
        "bulk_agents": list(
            Agent.objects.filter(brands__in=brand_ids, is_active=True)
            .distinct()
            .order_by("display_name")
            .values_list("id", "display_name")[:500]
        ),
        "bulk_teams": list(
            Team.objects.filter(brand_id__in=brand_ids).order_by("name").values_list("id", "name")
        ),
        "bulk_tags": sorted(
            set(Tag.objects.filter(brand_id__in=brand_ids).values_list("name", flat=True)[:500])
        ),
        "bulk_macros": list(
            Macro.objects.filter(brand_id__in=brand_ids)
            .exclude(actions={})
            .order_by("name")
            .values_list("id", "name")[:200]
        ),
    }


ACTIONS = ("assign", "team", "add_tag", "remove_tag", "status", "priority", "macro")


def _changes(action: str, value: str) -> dict[str, Any]:
    """The toolbar's one action as the bulk service's changes."""

    def an_id(text: str) -> int:
        if not text.isdigit() or len(text) > 18:
            raise InvalidInput(_("Pick one from the list."), field="value")
        return int(text)

    if action == "assign":
        return {"assignee": None if value == "none" else "me" if value == "me" else an_id(value)}
    if action == "team":
        return {"team": None if value == "none" else an_id(value)}
    if action == "add_tag":
        return {"add_tags": [value]}
    if action == "remove_tag":
        return {"remove_tags": [value]}
    if action in ("status", "priority"):
        return {action: value}
    if action == "macro":
        return {"macro_id": an_id(value)}
    raise InvalidInput(_("Unknown action."), field="action")


def _selection(
    request: HttpRequest, agent: Agent
) -> tuple[list[int] | None, queries.ConversationQuery | None]:
    """``all=1``: every conversation the list's filters find (the filter, not ids); else
    the ``ids`` ticked."""
    data = request.POST
    if data.get("all") == "1":
        query = inbox.InboxQuery.parse(data)
        resolve_saved(agent, query)
        return None, query.conversation_query()
    raw = [p for p in data.get("ids", "").split(",") if p.strip()]
    if not raw:
        raise InvalidInput(_("Select at least one conversation."), field="ids")
    if len(raw) > bulk.MAX_BULK:
        raise InvalidInput(
            _("At most %(n)d conversations at once.") % {"n": bulk.MAX_BULK}, field="ids"
        )
    if not all(p.strip().isdigit() and len(p.strip()) < 19 for p in raw):
        raise InvalidInput(_("Conversation ids are whole numbers."), field="ids")
    return [int(p) for p in raw], None


def _skipped_out(skipped: list[dict[str, Any]]) -> list[dict[str, Any]]:
    numbers = dict(
        Conversation.objects.filter(pk__in=[s["id"] for s in skipped[:MAX_SHOWN_SKIPPED]])
        .filter(pk__in=[s["id"] for s in skipped if s["reason"] != bulk.NOT_FOUND])
        .values_list("pk", "number")
    )
    return [
        {
            "id": s["id"],
            "number": numbers.get(s["id"]),
            "reason": s["reason"],
            "text": s.get("detail") or bulk.reason_text(s["reason"]),
        }
        for s in skipped[:MAX_SHOWN_SKIPPED]
    ]


@require_POST
@agent_required()
def bulk_apply(request: HttpRequest) -> JsonResponse:
    """The toolbar's action on the selection: JSON with what was done, what was skipped and
    why, the undo token and a sentence for the toast."""
    agent = _agent(request)
    try:
        ids, query = _selection(request, agent)
        changes = bulk.parse_changes(
            _changes(request.POST.get("action", ""), request.POST.get("value", "").strip()), agent
        )
        result = bulk.bulk_update(agent, changes, ids=ids, query=query)
    except ServiceError as exc:
        return _refusal(exc)
    n = len(result.updated)
    message = ngettext("%(n)d conversation changed.", "%(n)d conversations changed.", n) % {"n": n}
    if result.skipped:
        k = len(result.skipped)
        message += " " + ngettext("%(k)d skipped.", "%(k)d skipped.", k) % {"k": k}
    return JsonResponse(
        {
            "updated": n,
            "unchanged": len(result.unchanged),
            "skipped": _skipped_out(result.skipped),
            "skipped_count": len(result.skipped),
            "undo_token": result.undo_token,
            "message": message,
        }
    )


@require_POST
@agent_required()
def bulk_undo(request: HttpRequest) -> JsonResponse:
    agent = _agent(request)
    try:
        result = bulk.bulk_undo(agent, request.POST.get("undo_token", ""))
    except ServiceError as exc:
        return _refusal(exc)
    n = len(result.restored)
    message = ngettext("%(n)d conversation restored.", "%(n)d conversations restored.", n) % {
        "n": n
    }
    if result.skipped:
        message += " " + ngettext(
            "%(k)d changed since by someone else: left as it is.",
            "%(k)d changed since by someone else: left as they are.",
            len(result.skipped),
        ) % {"k": len(result.skipped)}
    return JsonResponse(
        {
            "restored": n,
            "skipped": _skipped_out(result.skipped),
            "skipped_count": len(result.skipped),
            "message": message,
        }
    )


@require_GET
@agent_required()
def bulk_count(request: HttpRequest) -> JsonResponse:
    """How many conversations the list's filters find (for "select all N matching")."""
    agent = _agent(request)
    try:
        query = inbox.InboxQuery.parse(request.GET)
        resolve_saved(agent, query)
        total = queries.Listing(agent, query.conversation_query()).total()
    except ServiceError as exc:
        return _refusal(exc)
    return JsonResponse({"total": total, "max": bulk.MAX_BULK})


# --- split and link ---------------------------------------------------------------------------


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    qs = Conversation.objects.select_related("inbox", "customer", "brand")
    try:
        return permissions.get_for_agent(qs, _agent(request), pk)
    except ServiceError as exc:
        raise Http404(exc.message) from exc


@require_POST
@agent_required()
def split(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A message's "Split into a new conversation": it moves (``with_later=1``: with every
    later message) to a new conversation of the same customer and inbox, which opens."""
    conversation = _conversation(request, pk)
    raw = request.POST.get("message_id", "")
    try:
        if not raw.isdigit() or len(raw) > 18:
            raise InvalidInput(_("Say which message to split off."), field="message_id")
        also = (
            conversations.later_messages(conversation, int(raw))
            if request.POST.get("with_later") == "1"
            else []
        )
        with transaction.atomic():
            new = conversations.split_conversation(
                conversation, int(raw), actor=_agent(request), also=also
            )
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect("web:conversation", pk=conversation.pk)
    flash.success(request, _("Split into #%(number)s.") % {"number": new.number})
    if request.headers.get("HX-Request"):  # the message menu's button: the page moves there
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("web:conversation", args=[new.pk])
        return response
    return redirect("web:conversation", pk=new.pk)


def linked_panel(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """The "Linked conversations" panel: one query (conversations.services.linked_conversations)."""
    return {
        "links": [
            {
                "pk": c.pk,
                "number": c.number,
                "subject": c.subject,
                "status": c.get_status_display(),
                "url": reverse("web:conversation", args=[c.pk]),
                "unlink_url": reverse("web:unlink", args=[conversation.pk, c.pk]),
            }
            for c in conversations.linked_conversations(conversation)
        ],
        "link_url": reverse("web:link", args=[conversation.pk]),
    }


@require_POST
@agent_required()
def link(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The panel's "Link a conversation" by its number (of the same brand)."""
    conversation = _conversation(request, pk)
    raw = request.POST.get("number", "").strip().lstrip("#")
    other = (
        Conversation.objects.filter(brand_id=conversation.brand_id, number=int(raw)).first()
        if raw.isdigit() and len(raw) < 19
        else None
    )
    if other is None:
        flash.error(request, _("No conversation #%(number)s in this brand.") % {"number": raw})
        return redirect("web:conversation", pk=conversation.pk)
    try:
        with transaction.atomic():
            made = conversations.link_conversations(conversation, other, actor=_agent(request))
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        if made:
            flash.success(request, _("Linked to #%(number)s.") % {"number": other.number})
    return redirect("web:conversation", pk=conversation.pk)


@require_POST
@agent_required()
def unlink(request: HttpRequest, pk: int, other_id: int) -> HttpResponseBase:
    conversation = _conversation(request, pk)
    other = _conversation(request, other_id)
    try:
        with transaction.atomic():
            conversations.unlink_conversations(conversation, other, actor=_agent(request))
    except ServiceError as exc:
        flash.error(request, exc.message)
    return redirect("web:conversation", pk=conversation.pk)
