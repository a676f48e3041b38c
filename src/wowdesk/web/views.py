"""The workspace pages. Views only parse input, call the services and render (the conventions);
every write runs in one transaction here at the edge (§5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages as flash
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.fields.json import KeyTransform
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from wowdesk.conversations import queries, translating
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    Attachment,
    Channel,
    Conversation,
    Macro,
    Message,
    Priority,
    Status,
)
from wowdesk.core import permissions
from wowdesk.core.errors import InvalidInput, ServiceError
from wowdesk.core.input import check_int, check_line
from wowdesk.core.models import Agent, Brand, Role, Team
from wowdesk.customers.models import Customer, Purchase
from wowdesk.web import board, composer, inbox, macro_actions, panels, present
from wowdesk.web import bulk as bulk_views
from wowdesk.web import services as web_services
from wowdesk.web.auth import agent_required
from wowdesk.web.board_tiles import tiles_for

WARRANTY_SOON_DAYS = 30
# The side panel's comma-separated tag field: the most tags, each the longest name.
MAX_TAGS_FIELD = conversations.MAX_TAGS * (conversations.MAX_TAG_NAME + 2)
THREAD_LIMIT = 40  # newest messages shown at first; the rest behind a link
# The columns web.present.message_rows reads (no JSON columns to decode).
THREAD_FIELDS = (
    "id",
    "conversation_id",
    "direction",
    "channel",
    "body",
    "html",
    "language",
    "emotion",
    "emotion_label",
    "created_at",
    "author_id",
    "sender_id",
    "author__display_name",
    "sender__name",
    "sender__email",
    "sender__phone",
    "outbox__id",
    "outbox__message_id",
    "outbox__channel",
    "outbox__status",
    "outbox__last_error",
    "outbox__error_kind",
    "outbox__next_attempt_at",
)


@agent_required()
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in agent's overview of the brands they work for (nobody else sees any
    brand or count: anonymous visitors are sent to the login)."""
    agent = _agent(request)
    brand_ids = permissions.visible_brand_ids(agent)
    mine = Conversation.objects.filter(brand_id__in=brand_ids)
    brands = (
        Brand.objects.filter(id__in=brand_ids)
        .annotate(n_customers=Count("customers", distinct=True))
        .order_by("name")
    )
    by_status = dict(mine.values_list("status").annotate(n=Count("id")).order_by())
    languages = list(
        mine.exclude(language="")
        .values_list("language")
        .annotate(n=Count("id"))
        .order_by("-n")[:12]
    )
    context = {
        "brands": brands,
        "agents": Agent.objects.filter(brands__in=brand_ids).distinct().count(),
        "open": by_status.get(Status.OPEN, 0),
        "pending": by_status.get(Status.PENDING, 0),
        "resolved": by_status.get(Status.RESOLVED, 0),
        "total": sum(by_status.values()),
        "languages": languages,
    }
    return render(request, "web/home.html", context)


def _agent(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


# --- inbox ------------------------------------------------------------------------------


def _list_context(
    request: HttpRequest, query: inbox.InboxQuery, open_id: int | None = None
) -> dict[str, Any]:
    agent = _agent(request)
    page = inbox.page_of(agent, query)
    return {
        "query": query,
        "page": page,
        "rows": present.conversation_rows(page.rows, seen=inbox.seen_at(agent, page.rows)),
        "open_id": str(open_id or ""),
        "list_url": reverse("web:inbox-list") + "?" + query.querystring(),
        "next_qs": query.querystring(page=query.page + 1),
        "prev_qs": query.querystring(page=query.page - 1),
        "open_qs": query.querystring(page=1),
        "clear_search_qs": query.querystring(page=1, q=""),
        "any_status_qs": query.querystring(page=1, status="any"),
    }


def _bad_request(exc: ServiceError) -> HttpResponse:
    """A refused query string: 400, the field and the reason."""
    text = f"{exc.field}: {exc.message}" if exc.field else exc.message
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@require_GET
@agent_required()
def inbox_page(request: HttpRequest) -> HttpResponse:
    try:
        query = inbox.InboxQuery.parse(request.GET)
        queries.check_custom(_agent(request), query.custom)
    except ServiceError as exc:
        return _bad_request(exc)
    bulk_views.resolve_saved(_agent(request), query)
    if _partial(request, "inbox-list"):
        return _list_with_counts(request, query)
    return render(request, "web/inbox.html", _workspace_context(request, query))


def _partial(request: HttpRequest, target: str) -> bool:
    """An htmx request that swaps only ``target`` (not a history restore, which needs the
    whole page)."""
    return (
        bool(request.headers.get("HX-Request"))
        and not request.headers.get("HX-History-Restore-Request")
        and request.headers.get("HX-Target") == target
    )


def _workspace_context(request: HttpRequest, query: inbox.InboxQuery) -> dict[str, Any]:
    """The three-pane page's sidebar and list (the open conversation's context is added by
    the conversation view)."""
    context = _list_context(request, query)
    agent = _agent(request)
    toolbar = bulk_views.toolbar(agent)
    context.update(bulk_views.sidebar(agent, query, toolbar["bulk_teams"]), **toolbar)
    counts = inbox.counts(agent)
    context.update(
        counts=counts,
        views=inbox.VIEWS,
        view_rows=[(k, label, counts.views[k]) for k, label in inbox.VIEWS.items()],
        statuses=inbox.STATUS_CHOICES,
        sorts=[(k, v[0]) for k, v in inbox.SORTS.items()],
        base_qs=query,
    )
    return context


@require_GET
@agent_required()
def inbox_list(request: HttpRequest) -> HttpResponse:
    """Just the list (htmx swaps, and the live layer's refresh)."""
    try:
        query = inbox.InboxQuery.parse(request.GET)
        queries.check_custom(_agent(request), query.custom)
    except ServiceError as exc:
        return _bad_request(exc)
    bulk_views.resolve_saved(_agent(request), query)
    return _list_with_counts(request, query)


def _list_with_counts(request: HttpRequest, query: inbox.InboxQuery) -> HttpResponse:
    """The list, and the sidebar's view counts swapped in beside it (htmx out-of-band), so
    that a refreshed list never sits under stale numbers."""
    context = _list_context(request, query)
    context["oob_counts"] = list(inbox.counts(_agent(request)).views.items())
    return render(request, "web/_inbox_list.html", context)


# --- one conversation ---------------------------------------------------------------------


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    """A conversation of one of the agent's brands; another brand's is simply not found."""
    qs = Conversation.objects.select_related(
        "brand", "inbox", "assignee", "team", "customer__organization", "sla"
    )
    try:
        return permissions.get_for_agent(qs, _agent(request), pk)
    except ServiceError as e:
        raise Http404(e.message) from e


def _thread(conversation: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("author", "sender", "outbox")
        .only(*THREAD_FIELDS)
        # an activity line's text spec (core.i18n), not the whole meta column
        .annotate(i18n=KeyTransform("i18n", "meta"), bot=KeyTransform("bot", "meta"))
        .prefetch_related(
            Prefetch(
                "attachments",
                Attachment.objects.only("id", "message_id", "filename", "size").order_by("id"),
            )
        )
        .order_by("created_at", "id")
    )


def _local_now(tz: str, now: dt.datetime | None = None) -> str:
    """The customer's wall-clock time ("21:30") in their own zone, formatted here: the
    template's ``date`` filter would convert it again into the agent's zone."""
    if not tz:
        return ""
    try:
        local = (now or timezone.now()).astimezone(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ""
    return f"{local.hour:02d}:{local.minute:02d}"


def _mood_points(line: list[tuple[str, float, str]]) -> str:
    """SVG polyline points for scores in [-1, 1] on a 100x30 box."""
    if not line:
        return ""
    n = len(line)
    step = 100 / max(n - 1, 1)
    return " ".join(
        f"{i * step:.1f},{15 - 14 * max(-1.0, min(1.0, s)):.1f}"
        for i, (_at, s, _l) in enumerate(line)
    )


def customer_360(customer: Customer, current: Conversation) -> dict[str, Any]:
    """The whole customer: four queries whatever their history."""
    today = timezone.localdate()
    purchases = list(
        Purchase.objects.filter(customer=customer).order_by("-purchased_on", "-id")[:20]
    )
    for p in purchases:
        p.warranty_state = (  # type: ignore[attr-defined]
            ""
            if p.warranty_until is None
            else "expired"
            if p.warranty_until < today
            else "expiring"
            if p.warranty_until <= today + dt.timedelta(days=WARRANTY_SOON_DAYS)
            else "valid"
        )
    previous = list(
        Conversation.objects.filter(customer=customer)
        .exclude(pk=current.pk)
        .order_by("-updated_at", "-id")[:10]
    )
    from wowdesk.intelligence.services import mood_line

    line = mood_line(current)
    return {
        "customer": customer,
        "identities": list(customer.identities.order_by("kind", "value")),
        "local_now": _local_now(customer.timezone),
        "purchases": purchases,
        "previous": previous,
        # among them, the ones still open: the agent may merge them into this one
        "open_others": [
            c for c in previous if c.status != Status.RESOLVED and c.merged_into_id is None
        ],
        "mood": line,
        "mood_points": _mood_points(line),
    }


def _snooze_presets(agent: Agent) -> list[tuple[str, str, str]]:
    """(key, label, when in the agent's zone) for the snooze buttons."""
    now = timezone.now()
    labels = {
        "1h": _("In 1 hour"),
        "tomorrow": _("Tomorrow 9:00"),
        "monday": _("Next Monday 9:00"),
    }
    out = []
    for key in conversations.SNOOZE_PRESETS:
        at = timezone.localtime(conversations.snooze_preset(key, now, agent.timezone))
        out.append((key, str(labels[key]), f"{at:%Y-%m-%d %H:%M}"))
    return out


def _options(rows: Iterable[tuple[int, str]], selected: int | None) -> list[tuple[str, str, bool]]:
    """(value, label, selected) for a <select>, the ids already strings."""
    return [(str(pk), label, pk == selected) for pk, label in rows]


@require_GET
@agent_required()
def conversation_page(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    web_services.mark_seen(_agent(request), conversation)
    if conversation.inbox.channel == Channel.CHAT:
        # an agent opened it: the visitor's messages are read (the widget shows ✓✓)
        from wowdesk.channels.chat.services import mark_read

        mark_read(conversation)
    return _conversation_response(request, conversation)


def _conversation_response(
    request: HttpRequest, conversation: Conversation, *, status: int = 200, draft: str = ""
) -> HttpResponse:
    """The three-pane page with the conversation open (after a refused form, with its
    status and the draft kept); for htmx's switch of conversation (``HX-Target:
    open-pane``) only the conversation and its context panel."""
    context = _conversation_context(request, conversation, draft=draft)
    if _partial(request, "open-pane"):
        context["partial"] = True
        return render(request, "web/_open_pane.html", context, status=status)
    try:
        query = inbox.InboxQuery.parse(request.GET)
    except ServiceError:
        query = inbox.InboxQuery()
    context.update(_workspace_context(request, query))
    context["open_id"] = str(conversation.pk)
    return render(request, "web/inbox.html", context, status=status)


def _conversation_context(
    request: HttpRequest, conversation: Conversation, *, draft: str = ""
) -> dict[str, Any]:
    agent = _agent(request)
    # The newest messages (a long thread costs the same as a short one); "all" shows every one.
    if request.GET.get("all") == "1":
        thread = list(_thread(conversation))
        hidden = False
    else:
        thread = list(_thread(conversation).order_by("-created_at", "-id")[: THREAD_LIMIT + 1])
        hidden = len(thread) > THREAD_LIMIT
        thread = thread[:THREAD_LIMIT][::-1]
    brand_id = conversation.brand_id
    formats = present.Formats()
    sla = getattr(conversation, "sla", None)
    context: dict[str, Any] = {
        "sla_due": formats.short(sla.due_at) if sla is not None and sla.due_at else "",
        "conversation": conversation,
        "assignee_name": present.isolated(conversation.assignee.display_name)
        if conversation.assignee
        else "",
        "thread": present.message_rows(thread, conversation, formats, viewer=agent),
        **present.message_labels(),
        "hidden": hidden,
        "agent_options": _options(
            Agent.objects.filter(brands=brand_id, is_active=True)
            .order_by("display_name")
            .values_list("id", "display_name"),
            conversation.assignee_id,
        ),
        "team_options": _options(
            Team.objects.filter(brand_id=brand_id).order_by("name").values_list("id", "name"),
            conversation.team_id,
        ),
        "tags": sorted(t.name for t in conversation.tags.all()),
        "brand_tags": list(conversation.brand.tags.values_list("name", flat=True)),
        "macros": macro_actions.with_summaries(
            conversations.macros_for(conversation), conversation.brand_id
        ),
        "conv_statuses": Status.choices,
        "priorities": Priority.choices,
        "snooze_presets": _snooze_presets(agent),
        "snoozed_label": (
            formats.short(conversation.snoozed_until) if conversation.snoozed_until else ""
        ),
        "back_qs": request.GET.urlencode() or request.POST.get("back", ""),
        "me": agent,
        "draft": draft,
    }
    context.update(customer_360(conversation.customer, conversation))
    context["side_panels"] = panels.panels_for(request, conversation)
    context.update(composer.composer_context(request, conversation))
    return context


# The form fields' names as a person reads them, for a refusal's message.
FIELD_LABELS = {
    "body": gettext_lazy("Message"),
    "attachments": gettext_lazy("Attach files"),
    "assignee": gettext_lazy("Assignee"),
    "assignee_id": gettext_lazy("Assignee"),
    "team": gettext_lazy("Team"),
    "team_id": gettext_lazy("Team"),
    "status": gettext_lazy("Status"),
    "priority": gettext_lazy("Priority"),
    "tags": gettext_lazy("Tags"),
    "subject": gettext_lazy("Subject"),
    "cc": gettext_lazy("Cc"),
    "bcc": gettext_lazy("Bcc"),
    "translate_to": gettext_lazy("Translation"),
    "to": gettext_lazy("Forward to"),
    "note": gettext_lazy("Note"),
    "custom_fields": gettext_lazy("Custom fields"),
    "macro_id": gettext_lazy("Macro"),
}


def _refused(
    request: HttpRequest, conversation: Conversation, exc: ServiceError, *, draft: str = ""
) -> HttpResponse:
    """A form the services (or the edge validators) refused: the page again, with the
    refusal's status (4xx), the reason naming the field, and what was typed."""
    field = (exc.field or "").split(".")[0]
    label = str(FIELD_LABELS.get(field, field))
    flash.error(request, f"{label}: {exc.message}" if label else exc.message)
    fresh = _conversation(request, conversation.pk)  # as stored: the refused change was rolled back
    return _conversation_response(request, fresh, status=exc.status, draft=draft)


@require_GET
@agent_required()
def message_partial(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    message = _thread(conversation).filter(pk=message_id).first()
    if message is None:
        raise Http404(_("Not found."))
    context = {
        "m": present.message_rows([message], conversation, viewer=_agent(request))[0],
        "conversation": conversation,
        **present.message_labels(),
    }
    return render(request, "web/_message.html", context)


@require_GET
@agent_required()
def neighbour(request: HttpRequest, pk: int, direction: str) -> HttpResponseBase:
    """j/k on a conversation: the next or previous one of the list the agent came from."""
    conversation = _conversation(request, pk)
    try:
        query = inbox.InboxQuery.parse(request.GET)
        queries.check_custom(_agent(request), query.custom)
    except ServiceError as exc:
        return _bad_request(exc)
    other = inbox.neighbour(_agent(request), query, conversation, 1 if direction == "next" else -1)
    if other is None:
        flash.info(
            request,
            _("This is the last conversation of the list.")
            if direction == "next"
            else _("This is the first conversation of the list."),
        )
        other = conversation.pk
    url = reverse("web:conversation", args=[other])
    qs = request.GET.urlencode()
    return redirect(f"{url}?{qs}" if qs else url)


def _back(request: HttpRequest, conversation: Conversation) -> HttpResponseRedirect:
    url = reverse("web:conversation", args=[conversation.pk])
    back = request.POST.get("back", "")
    return HttpResponseRedirect(f"{url}?{back}" if back and "//" not in back else url)


@require_POST
@agent_required()
def reply(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Send a reply or an internal note, with files; optionally resolve in the same step.
    ``macro_id`` (the composer's inserted macro): its actions apply after the reply is
    stored, in the same transaction; a refused action stores nothing and the page comes
    back with the reason and the draft."""
    agent = _agent(request)
    conversation = _conversation(request, pk)
    private = request.POST.get("mode") == "note"
    resolve = "resolve" in request.POST
    files = request.FILES.getlist("attachments")
    body = request.POST.get("body", "")
    try:
        if any((f.size or 0) > conversations.MAX_ATTACHMENT_BYTES for f in files):
            # the service refuses it too; checked here before reading it into memory
            raise InvalidInput(_("A file may be at most 25 MB."), field="attachments")
        cc, bcc = (
            () if private else composer.split_addresses(request.POST.get(field, ""))
            for field in ("cc", "bcc")
        )
        meta, language = None, "" if private else conversation.language
        raw_macro = request.POST.get("macro_id", "").strip()
        macro = (
            conversations.macro_for(conversation, check_int(raw_macro, "macro_id", lo=1))
            if raw_macro
            else None
        )
        target = request.POST.get("translate_to", "").strip()[:16]
        if target and not private:
            # the composer's "send the translation" (a provider call, before the transaction)
            body, language, meta = translating.translated_reply(body, target)
        with transaction.atomic():
            message = conversations.add_reply(
                conversation,
                author=agent,
                body=body,
                private=private,
                meta=meta,
                language=language,
                cc=cc,
                bcc=bcc,
            )
            for f in files:
                conversations.add_attachment(
                    message,
                    filename=f.name or "file",
                    content=f.read(),
                    content_type=f.content_type or "",
                )
            if macro is not None:  # after the reply, in its transaction: both or neither
                conversations.apply_macro_actions(conversation, macro, actor=agent)
            if resolve:
                conversations.update_conversation(conversation, actor=agent, status=Status.RESOLVED)
    except ServiceError as e:
        return _refused(request, conversation, e, draft=request.POST.get("body", ""))
    if resolve:
        flash.success(request, _("Sent, and the conversation is resolved."))
    else:
        flash.success(request, _("Note added.") if private else _("Reply sent."))
    return _back(request, conversation)


def _id_or_none(raw: str, field: str) -> int | None:
    """A select's value: an id, or empty for none; anything else is refused."""
    raw = raw.strip()
    if raw in ("", "none"):
        return None
    return check_int(raw, field, lo=1, hi=2**62)


def _snooze_change(agent: Agent, post: Any) -> dict[str, Any]:
    """The snooze picker: ``snooze`` = a preset, ``at`` (with ``snooze_at``, a
    ``datetime-local`` value read in the agent's zone) or ``off``."""
    choice = post.get("snooze", "")
    if not choice:
        return {}
    if choice == "off":
        return {"snoozed_until": None}
    if choice == "at":
        raw = post.get("snooze_at", "").strip()
        try:
            at = dt.datetime.fromisoformat(raw) if 0 < len(raw) <= 32 else None
        except ValueError:
            at = None
        if at is None:
            raise InvalidInput(_("Pick a date and time to snooze until."), field="snooze_at")
        return {"snoozed_until": at}
    return {"snoozed_until": conversations.snooze_preset(choice, timezone.now(), agent.timezone)}


@require_POST
@agent_required()
def update(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The side panel: assignee, team, status, priority, tags, snooze (only the fields
    sent), based on the ``version`` the page showed: a change made meanwhile by someone
    else is not overwritten, the agent is told what it was."""
    agent = _agent(request)
    conversation = _conversation(request, pk)
    post = request.POST
    changes: dict[str, Any] = {}
    try:
        if "assignee" in post:
            changes["assignee_id"] = (
                agent.pk if post["assignee"] == "me" else _id_or_none(post["assignee"], "assignee")
            )
        if "team" in post:
            changes["team_id"] = _id_or_none(post["team"], "team")
        if post.get("status"):
            changes["status"] = check_line(post["status"], "status", max_length=32)
        if post.get("priority"):
            changes["priority"] = check_line(post["priority"], "priority", max_length=32)
        if "tags" in post:
            raw = check_line(post["tags"], "tags", max_length=MAX_TAGS_FIELD)
            changes["tags"] = [t for t in raw.split(",") if t.strip()]
        changes.update(_snooze_change(agent, post))
        expected = conversations.parse_version(post.get("version") or None)
        with transaction.atomic():
            conversations.update_conversation(
                conversation, actor=agent, expected_version=expected, **changes
            )
    except ServiceError as e:
        return _refused(request, conversation, e)
    flash.success(request, _("Conversation updated."))
    return _back(request, conversation)


@require_POST
@agent_required()
def merge(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The side panel's "merge into this one": the conversation ``source`` (another of the
    agent's brands' conversations) is folded into this one."""
    agent = _agent(request)
    conversation = _conversation(request, pk)
    try:
        source_id = _id_or_none(request.POST.get("source", ""), "source")
    except InvalidInput as e:
        flash.error(request, e.message)
        return _back(request, conversation)
    if source_id is None:
        flash.error(request, _("Say which conversation to merge."))
        return _back(request, conversation)
    source = _conversation(request, source_id)
    try:
        with transaction.atomic():
            conversations.merge_conversations(source, conversation, actor=agent)
    except ServiceError as e:
        flash.error(request, e.message)
    else:
        flash.success(
            request, _("#%(number)s was merged into this conversation.") % {"number": source.number}
        )
    return _back(request, conversation)


@require_POST
@agent_required()
def my_presence(request: HttpRequest) -> HttpResponseBase:
    """The header's switch: online, away or offline; supervisors and administrators also
    say whether they take routed conversations."""
    from django.utils.http import url_has_allowed_host_and_scheme

    from wowdesk.routing.services import set_presence, set_routing_opt_in

    agent = _agent(request)
    try:
        with transaction.atomic():
            status = request.POST.get("presence", "")
            if status:
                set_presence(agent, status, by=agent)
            if request.POST.get("routing_form") and agent.role != Role.AGENT:
                set_routing_opt_in(agent, request.POST.get("routing_opt_in") == "1", by=agent)
    except ServiceError as e:
        flash.error(request, e.message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("web:inbox")
    return HttpResponseRedirect(target)


@require_GET
@agent_required()
def translate_message(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    from wowdesk.intelligence.translate import translate

    conversation = _conversation(request, pk)
    message = Message.objects.filter(conversation=conversation, pk=message_id).first()
    if message is None:
        raise Http404(_("Not found."))
    agent = _agent(request)
    target = (request.GET.get("to") or request.LANGUAGE_CODE or agent.ui_language or "en")[:16]
    if not present.offer_translation(message.language, target):
        return render(
            request,
            "web/_translation.html",
            {"same": True, "m": message},
        )
    result = translate(message.body, target, message.language or None)
    return render(request, "web/_translation.html", {"t": result, "m": message})


@require_GET
@agent_required()
def macro_text(request: HttpRequest, pk: int, macro_id: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    macro = Macro.objects.filter(pk=macro_id, brand_id=conversation.brand_id).first()
    if macro is None:
        raise Http404(_("Not found."))
    text = conversations.render_macro(macro, conversation, _agent(request))
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_GET
@agent_required()
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    conversation = _conversation(request, pk)
    att = Attachment.objects.filter(pk=attachment_id, message__conversation=conversation).first()
    if att is None:
        raise Http404(_("Not found."))
    return FileResponse(
        att.file.open("rb"),
        as_attachment=True,
        filename=att.filename,
        content_type=att.content_type,
    )


# --- supervisor -------------------------------------------------------------------------


@require_GET
@agent_required(role="supervisor")
def supervisor(request: HttpRequest) -> HttpResponse:
    from wowdesk.routing.services import on_shift, open_loads

    agent = _agent(request)
    now = timezone.now()
    brand_ids = sorted(permissions.brands_with_role(agent, Role.SUPERVISOR))
    people = list(
        Agent.objects.filter(brands__in=brand_ids)
        .distinct()
        .select_related("site")
        .order_by("display_name")
    )
    loads = open_loads([a.pk for a in people])
    channel_labels = {k: str(v) for k, v in Channel.choices}
    rows = []
    for a in people:
        load = sum(loads.get(a.pk, {}).values())
        rows.append(
            {
                "agent": a,
                "on_shift": on_shift(a, now),
                "load": load,
                "by_channel": [
                    (channel_labels.get(ch, ch), n) for ch, n in sorted(loads.get(a.pk, {}).items())
                ],
                "full": load >= a.capacity,
            }
        )
    alerts_total, alerts = board.open_alerts(agent)
    return render(
        request,
        "web/supervisor.html",
        {
            "rows": rows,
            "boards": board.brands(agent),
            "alerts": alerts,
            "alerts_total": alerts_total,
            "presences": board.presence_choices(),
            "now": now,
            "tiles": tiles_for(request),
        },
    )


def _board_back(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("web:supervisor"))


def _board_refused(request: HttpRequest, error: ServiceError) -> HttpResponse:
    """A board action that is not allowed or names something that is not there."""
    status = error.status if error.status in (403, 404) else 400
    return render(request, "web/forbidden.html", {"reason": error.message}, status=status)


@require_POST
@agent_required(role="supervisor")
def board_reassign(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Give a conversation to an agent of its brand (empty: back to the queue)."""
    agent = _agent(request)
    raw = request.POST.get("assignee", "")
    try:
        conversation = _conversation(request, pk)
        permissions.check_supervisor_of(agent, conversation.brand_id)
        assignee_id = _id_or_none(raw, "assignee")
        with transaction.atomic():
            conversations.update_conversation(conversation, actor=agent, assignee_id=assignee_id)
    except InvalidInput as e:
        flash.error(request, e.message)
    except ServiceError as e:
        return _board_refused(request, e)
    else:
        flash.success(request, _("Conversation #%(n)s reassigned.") % {"n": conversation.number})
    return _board_back(request)


@require_POST
@agent_required(role="supervisor")
def board_ack(request: HttpRequest, alert_id: int) -> HttpResponseBase:
    from wowdesk.core.alerts import acknowledge as acknowledge_alert
    from wowdesk.core.models import Alert

    agent = _agent(request)
    try:
        with transaction.atomic():
            # another brand's alert is simply not found, as its conversations are
            alert = permissions.scope(Alert.objects.all(), agent).filter(pk=alert_id).first()
            if alert is None:
                raise Http404(_("Not found."))
            acknowledge_alert(alert, actor=agent)
    except ServiceError as e:
        return _board_refused(request, e)
    flash.success(request, _("Alert acknowledged."))
    return _board_back(request)


@require_POST
@agent_required(role="supervisor")
def board_presence(request: HttpRequest, agent_id: int) -> HttpResponseBase:
    """Set an agent of one's brands online, away or offline."""
    from wowdesk.core.errors import NotFound
    from wowdesk.routing.services import set_presence

    agent = _agent(request)
    try:
        target = (
            Agent.objects.filter(pk=agent_id, brands__in=permissions.visible_brand_ids(agent))
            .distinct()
            .first()
        )
        if target is None:
            raise NotFound(_("No such agent."), field="agent_id")
        shared = set(target.brands.values_list("id", flat=True))
        permissions.check_supervisor_of(agent, min(shared & permissions.visible_brand_ids(agent)))
        with transaction.atomic():
            set_presence(target, request.POST.get("presence", ""), actor=agent)
    except InvalidInput as e:
        flash.error(request, e.message)
    except ServiceError as e:
        return _board_refused(request, e)
    else:
        flash.success(
            request,
            _("%(name)s is now %(presence)s.")
            % {"name": target.display_name, "presence": target.get_presence_display()},
        )
    return _board_back(request)


# --- delivery -----------------------------------------------------------------------------


@require_POST
@agent_required()
def retry_delivery(request: HttpRequest, pk: int, message_id: int) -> HttpResponseBase:
    """The Retry button of a reply that could not be delivered."""
    from wowdesk.channels import outbox
    from wowdesk.conversations.models import OutboxMessage

    conversation = _conversation(request, pk)
    row = OutboxMessage.objects.filter(
        message_id=message_id, message__conversation=conversation
    ).first()
    if row is None:
        raise Http404(_("Not found."))
    try:
        with transaction.atomic():
            outbox.retry_failed(row, actor=_agent(request))
    except InvalidInput as e:
        flash.error(request, e.message)
    except ServiceError as e:
        return _board_refused(request, e)
    else:
        flash.success(request, _("Sending the reply again."))
    return _back(request, conversation)


# --- preferences --------------------------------------------------------------------------


@require_POST
def ui_language(request: HttpRequest) -> HttpResponseBase:
    """Django's set_language, and the choice kept on the agent for their next login."""
    from wowdesk.core.services import update_agent
    from wowdesk.web.auth import current_agent

    response = set_language(request)
    code = request.POST.get("language", "")
    agent = current_agent(request)
    if agent is not None and code and code != agent.ui_language:
        from django.conf import settings

        if code in dict(settings.LANGUAGES):
            with transaction.atomic():
                update_agent(agent, actor=agent, ui_language=code)
    return response


THEMES = ("light", "dark", "system")


@require_POST
@agent_required()
def ui_theme(request: HttpRequest) -> HttpResponseBase:
    """The header's theme switch: light, dark or system, kept on the agent."""
    from wowdesk.core.services import update_agent

    theme = request.POST.get("theme", "")
    if theme not in THEMES:
        return _bad_request(InvalidInput(_("The theme is light, dark or system."), field="theme"))
    agent = _agent(request)
    if theme != agent.ui_theme:
        with transaction.atomic():
            update_agent(agent, actor=agent, ui_theme=theme)
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204)
    nxt = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(nxt if safe else reverse("web:inbox"))


@agent_required()
def settings_index(request: HttpRequest) -> HttpResponse:
    """The settings area: a card per section the agent may open (``web/settings_nav.py``;
    every agent has at least their own notification settings)."""
    return render(request, "web/settings/index.html")
