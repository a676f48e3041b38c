"""API: conversations (inbox list, open, update, reply), tags, inboxes."""

import datetime as dt
from typing import Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.conversations import queries, services
from wowdesk.conversations.models import (
    AnswerBot,
    Channel,
    Conversation,
    Inbox,
    Message,
    Priority,
    Tag,
)
from wowdesk.conversations.models import Status as ConversationStatus
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import InvalidInput, NotFound, ServiceError
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS, AgentRef, Line, TagName, agent_ref

router = Router(tags=["conversations"])


class CustomerRef(Schema):
    id: int
    name: str
    email: str


class TeamRef(Schema):
    id: int
    name: str


class InboxRef(Schema):
    id: int
    name: str
    channel: str


class ConversationItem(Schema):
    id: int
    number: int
    brand_id: int
    subject: str
    status: str
    priority: str
    language: str
    channel: str
    inbox: InboxRef
    customer: CustomerRef
    assignee: AgentRef | None
    team: TeamRef | None
    tags: list[str]
    message_count: int
    # a reply of the conversation is not delivered: "failed", "retrying", or ""
    delivery_issue: str = ""
    # the brand's custom fields, key -> value (docs/custom-fields.md)
    custom_fields: dict[str, Any] = {}
    waiting_since: dt.datetime | None
    first_response_at: dt.datetime | None
    last_message_at: dt.datetime | None
    snoozed_until: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ConversationsOut(Schema):
    items: list[ConversationItem]
    total: int
    page: int
    page_size: int


class MessageOut(Schema):
    id: int
    direction: str
    channel: str
    body: str
    html: str
    language: str
    language_confidence: float | None
    emotion: float | None
    emotion_label: str
    author: AgentRef | None
    sender: CustomerRef | None
    external_id: str
    delivery: str | None
    delivery_error: str
    # queued, retrying, sent or failed; the reason in the request's language
    delivery_state: str | None = None
    delivery_reason: str = ""
    next_attempt_at: dt.datetime | None = None
    original_body: str | None = None
    # an email reply's other recipients
    cc: list[str] = Field(default_factory=list)
    bcc: list[str] = Field(default_factory=list)
    created_at: dt.datetime
    sent_at: dt.datetime | None


class ConversationOut(ConversationItem):
    messages: list[MessageOut]
    merged_into_id: int | None = None


# The outputs below are built from database rows whose types already match: they are
# constructed without validation (ninja's validators cost ~40% of an inbox page; the JSON
# is the same, see tests/bench/test_read_paths.py).


def item_out(c: Conversation) -> ConversationItem:
    return ConversationItem.model_construct(
        id=c.pk,
        number=c.number,
        brand_id=c.brand_id,
        subject=c.subject,
        status=c.status,
        priority=c.priority,
        language=c.language,
        channel=c.inbox.channel,
        inbox=InboxRef.model_construct(id=c.inbox.pk, name=c.inbox.name, channel=c.inbox.channel),
        customer=CustomerRef.model_construct(
            id=c.customer.pk, name=c.customer.name, email=c.customer.email
        ),
        assignee=agent_ref(c.assignee),
        team=TeamRef.model_construct(id=c.team.pk, name=c.team.name) if c.team else None,
        tags=sorted(t.name for t in c.tags.all()),
        message_count=c.message_count,
        delivery_issue=c.delivery_issue,
        custom_fields=c.custom_fields or {},
        waiting_since=c.waiting_since,
        first_response_at=c.first_response_at,
        last_message_at=c.last_message_at,
        snoozed_until=c.snoozed_until,
        version=c.version,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def delivery_fields(row: Any) -> dict[str, Any]:
    """``delivery_state``, ``delivery_reason`` and ``next_attempt_at`` of an outbox row."""
    if row is None:
        return {"delivery_state": None, "delivery_reason": "", "next_attempt_at": None}
    from wowdesk.conversations.delivery import reason

    state = row.state()
    trouble = state in ("retrying", "failed")
    return {
        "delivery_state": state,
        "delivery_reason": reason(row.error_kind, row.channel) if trouble else "",
        "next_attempt_at": row.next_attempt_at if state == "retrying" else None,
    }


def message_out(m: Message) -> MessageOut:
    outbox = getattr(m, "outbox", None) if m.direction == "out" else None
    sender = m.sender
    return MessageOut.model_construct(
        id=m.pk,
        direction=m.direction,
        channel=m.channel,
        body=m.body,
        html=m.html,
        language=m.language,
        language_confidence=m.language_confidence,
        emotion=m.emotion,
        emotion_label=m.emotion_label,
        author=agent_ref(m.author),
        sender=(
            CustomerRef.model_construct(id=sender.pk, name=sender.name, email=sender.email)
            if sender
            else None
        ),
        external_id=m.external_id,
        delivery=outbox.status if outbox else None,
        delivery_error=outbox.last_error if outbox else "",
        **delivery_fields(outbox),
        original_body=m.meta.get("original_body") if m.meta else None,
        cc=m.meta.get("cc", []) if m.meta else [],
        bcc=m.meta.get("bcc", []) if m.meta else [],
        created_at=m.created_at,
        sent_at=m.sent_at,
    )


def _list_qs() -> QuerySet[Conversation]:
    return Conversation.objects.select_related(
        "inbox", "customer", "assignee__user", "team"
    ).prefetch_related("tags")


class ConversationFilters(Schema):
    status: str | None = Field(
        None, description="open, pending, snoozed, resolved; comma-separated for several"
    )
    assignee: str | None = Field(None, description="an agent id, `me` or `none`")
    team: int | None = Field(None, ge=1, le=2**62)
    language: str | None = Field(
        None, max_length=16, description="a language code; `und` for none detected"
    )
    channel: Channel | None = None
    priority: Priority | None = None
    customer: int | None = Field(None, ge=1, le=2**62)
    inbox: int | None = Field(None, ge=1, le=2**62)
    tag: str | None = Field(None, max_length=64)
    q: str | None = Field(
        None,
        max_length=200,
        description=(
            "`#<number>`: the conversation with that number; otherwise text in the subject "
            "or the customer's name or email, or digits alone also the number"
        ),
    )
    body: str | None = Field(
        None,
        max_length=200,
        description=(
            "words in the text of any message of the conversation: each word as a word "
            "prefix, all of them, ignoring case (full-text index)"
        ),
    )
    delivery_issue: Literal["failed", "retrying", "any", "none"] | None = Field(
        None,
        description=(
            "conversations with a reply that failed, that is being retried, either (`any`), "
            "or neither (`none`)"
        ),
    )
    sort: str = Field(
        "-updated_at",
        description="updated_at, -updated_at, created_at, -created_at, waiting_since "
        "(longest first), sla_due (soonest first, none last), priority (urgent first, then "
        "the oldest)",
    )
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def to_query(
    f: ConversationFilters, custom: tuple[tuple[str, str], ...] = ()
) -> queries.ConversationQuery:
    """The API's parameters as a query of the conversation list (conversations.queries);
    ``custom``: the ``cf_<key>=value`` filters."""
    return queries.ConversationQuery(
        statuses=queries.parse_statuses(f.status) if f.status else (),
        assignee=f.assignee or "",
        team=f.team,
        inbox=f.inbox,
        language=f.language or "",
        channel=f.channel or "",
        priority=f.priority or "",
        customer=f.customer,
        tag=f.tag or "",
        delivery_issue=f.delivery_issue or "",
        q=f.q or "",
        body=f.body or "",
        sort=queries.check_sort(f.sort),
        custom=custom,
    )


@router.get("/conversations", response={200: ConversationsOut, **ERRORS})
def list_conversations(
    request: HttpRequest, filters: Query[ConversationFilters]
) -> ConversationsOut:
    """The conversations of your brands. Besides the parameters below, ``cf_<key>=value``
    filters by a custom field (equal; a multiselect holding that option; a checkbox
    ``true``/``false``)."""
    query = to_query(filters, queries.custom_params(request.GET))
    listing = queries.Listing(me(request), query)
    total = listing.total()
    start = (filters.page - 1) * filters.page_size
    # The page's ids come from the sort index alone; only those rows are then joined for
    # output (a deep page does not join and drop every row before it).
    page = listing.page(start, filters.page_size)
    rows = _list_qs().filter(pk__in=page).order_by(*queries.ORDERS[query.sort])
    items = [item_out(c) for c in rows]
    return ConversationsOut.model_construct(
        items=items, total=total, page=filters.page, page_size=filters.page_size
    )


def _get(request: HttpRequest, conversation_id: int) -> Conversation:
    return permissions.get_for_agent(_list_qs(), me(request), conversation_id)


def conversation_out(c: Conversation) -> ConversationOut:
    messages = (
        Message.objects.filter(conversation=c)
        .select_related("author__user", "sender", "outbox")
        .order_by("created_at", "id")
    )
    return ConversationOut.model_construct(
        **dict(item_out(c)),
        messages=[message_out(m) for m in messages],
        merged_into_id=c.merged_into_id,
    )


def etag(c: Conversation) -> str:
    """The conversation's version as an entity tag, for ``If-Match``."""
    return f'"{c.version}"'


@router.get("/conversations/{conversation_id}", response={200: ConversationOut, **ERRORS})
def get_conversation(
    request: HttpRequest, response: HttpResponse, conversation_id: int
) -> ConversationOut:
    """One conversation with its messages; the ``ETag`` header is its ``version``."""
    conversation = _get(request, conversation_id)
    response["ETag"] = etag(conversation)
    return conversation_out(conversation)


class ConversationPatch(Schema):
    status: ConversationStatus | None = None
    priority: Priority | None = None
    assignee_id: int | None = Field(None, ge=1, le=2**62)
    team_id: int | None = Field(None, ge=1, le=2**62)
    tags: list[TagName] | None = Field(None, max_length=50)
    subject: Line | None = Field(None, max_length=300)
    snoozed_until: dt.datetime | None = Field(
        None,
        description="Snooze until this time (status snoozed; a time without an offset is "
        "read in your time zone; in the future, at most a year ahead); null ends a snooze.",
    )
    custom_fields: dict[str, Any] | None = Field(
        None,
        description="Custom field values to set, merged into the conversation's; null "
        "removes a key.",
    )
    version: int | None = Field(
        None,
        ge=1,
        le=2**62,
        strict=True,
        description="The version your change is based on (or the `If-Match` header); "
        "another one is refused with 409. Without either, the last write wins.",
    )


@router.patch("/conversations/{conversation_id}", response={200: ConversationOut, **ERRORS})
@transaction.atomic
def update_conversation(
    request: HttpRequest, response: HttpResponse, conversation_id: int, payload: ConversationPatch
) -> ConversationOut:
    """Change status, priority, assignee, team, tags, subject, snooze, custom fields
    (merged: keys not sent stay, ``null`` removes one). ``assignee_id: null``
    unassigns, ``snoozed_until: null`` ends a snooze. With ``If-Match: "<version>"`` or
    ``version`` a change based on an older version is refused: 409 with ``current`` (the
    values now) and ``last_change`` (who changed what)."""
    conversation = _get(request, conversation_id)
    data = payload.model_dump(exclude_unset=True)
    header = services.parse_version(request.headers.get("If-Match"), field="If-Match")
    expected = data.get("version")
    if expected is not None and header is not None and expected != header:
        raise InvalidInput(_("If-Match and version differ; send one."), field="version")
    services.update_conversation(
        conversation,
        actor=me(request),
        status=data.get("status"),
        priority=data.get("priority"),
        assignee_id=data.get("assignee_id", services.UNSET),
        team_id=data.get("team_id", services.UNSET),
        tags=data.get("tags"),
        subject=data.get("subject"),
        snoozed_until=data.get("snoozed_until", services.UNSET),
        expected_version=expected if expected is not None else header,
        custom_fields=data.get("custom_fields"),
    )
    fresh = _get(request, conversation_id)
    response["ETag"] = etag(fresh)
    return conversation_out(fresh)


class ReplyIn(Schema):
    body: str = Field(..., min_length=1, max_length=100_000)
    private: bool = False
    translate_to: str | None = Field(
        None,
        max_length=16,
        description="Send the body translated into this language (e.g. the conversation's); "
        "the original is kept in `original_body`. 422 if no translation is available.",
    )
    cc: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="More recipients of an email reply (Cc header); 422 naming `cc` on a "
        "bad address or on a conversation that is not by email.",
    )
    bcc: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Hidden recipients of an email reply (never in a header).",
    )
    macro_id: int | None = Field(
        None,
        ge=1,
        le=2**62,
        description="A macro of the conversation's brand whose actions (status, priority, "
        "tags, team, assign to me, custom fields) apply with the reply, in the same "
        "transaction: a refused action (422 naming its field) stores no reply either.",
    )


def _for_reply(request: HttpRequest, conversation_id: int) -> Conversation:
    """What a reply needs: the conversation's row and its inbox, not the list's joins and
    tags; 404 if there is none, 403 for another brand's."""
    conversation = services.conversation_for_reply(conversation_id)
    if conversation is None:
        raise NotFound(_("Not found."), field="id")
    permissions.check_brand(me(request), conversation.brand_id)
    return conversation


@router.post("/conversations/{conversation_id}/replies", response={201: MessageOut, **ERRORS})
def reply(request: HttpRequest, conversation_id: int, payload: ReplyIn) -> Status[MessageOut]:
    """Reply to the customer on the conversation's channel, or add a private note; with
    ``macro_id``, the macro's actions apply after the reply is stored (one transaction)."""
    conversation = _for_reply(request, conversation_id)
    macro = services.macro_for(conversation, payload.macro_id) if payload.macro_id else None
    body, meta, language = payload.body, None, ""
    if payload.translate_to and not payload.private:
        from wowdesk.conversations.translating import translated_reply

        # A network call (up to the provider's timeout): made before the write's
        # transaction opens, so no lock is held meanwhile.
        body, language, meta = translated_reply(payload.body, payload.translate_to)
    with transaction.atomic():
        message = services.add_reply(
            conversation,
            author=me(request),
            body=body,
            private=payload.private,
            meta=meta,
            language=language,
            cc=payload.cc,
            bcc=payload.bcc,
        )
        if macro is not None:
            services.apply_macro_actions(conversation, macro, actor=me(request))
    # Answered from the rows just written (the author is the caller, the outbox row is
    # cached on the message), not read back.
    return Status(201, message_out(message))


class ApplyMacroIn(Schema):
    macro_id: int = Field(..., ge=1, le=2**62, description="A macro of the conversation's brand.")


@router.post(
    "/conversations/{conversation_id}/apply-macro", response={200: ConversationOut, **ERRORS}
)
@transaction.atomic
def apply_macro(
    request: HttpRequest, response: HttpResponse, conversation_id: int, payload: ApplyMacroIn
) -> ConversationOut:
    """Apply a macro's actions alone (no text is sent): status, priority, tags added,
    team, ``assign_to_me`` (you), custom fields. Another brand's or an unknown macro → 422
    naming ``macro_id``; a refused action → 422 naming its field, nothing changed."""
    conversation = _get(request, conversation_id)
    macro = services.macro_for(conversation, payload.macro_id)
    services.apply_macro_actions(conversation, macro, actor=me(request))
    fresh = _get(request, conversation_id)
    response["ETag"] = etag(fresh)
    return conversation_out(fresh)


class ForwardIn(Schema):
    to: str = Field(..., min_length=1, max_length=320, description="The outside address.")
    note: str = Field("", max_length=10_000, description="Written above the thread.")


class ForwardOut(Schema):
    id: int
    to: str
    body: str


@router.post("/conversations/{conversation_id}/forward", response={202: ForwardOut, **ERRORS})
def forward(request: HttpRequest, conversation_id: int, payload: ForwardIn) -> Status[ForwardOut]:
    """Send the thread (the customer's messages and the replies, with their files; no
    notes) to ``to`` from the brand's email inbox; 422 naming ``to`` on a bad address or
    when the brand has no email inbox. The thread gets the line "Forwarded to … by …" (its
    id is answered), the audit log a row; the mail leaves through the outbox."""
    from django.utils.translation import get_language

    conversation = _get(request, conversation_id)
    with transaction.atomic():
        line = services.forward_conversation(
            conversation,
            actor=me(request),
            to=payload.to,
            note=payload.note,
            language=get_language() or "",
        )
    return Status(202, ForwardOut(id=line.pk, to=line.meta["forward"]["to"], body=line.body))


class MergeIn(Schema):
    into: int = Field(..., ge=1, le=2**62, description="The conversation that stays.")


@router.post("/conversations/{conversation_id}/merge", response={200: ConversationOut, **ERRORS})
@transaction.atomic
def merge(request: HttpRequest, conversation_id: int, payload: MergeIn) -> ConversationOut:
    """Merge this conversation into ``into`` (the same brand): its messages and tags move
    there, it is resolved and leads there; both threads say so. Answers ``into``."""
    source = _get(request, conversation_id)
    try:
        into = _get(request, payload.into)
    except ServiceError as exc:
        exc.field = "into"
        raise
    merged = services.merge_conversations(source, into, actor=me(request))
    return conversation_out(_get(request, merged.pk))


# --- tags -----------------------------------------------------------------------------


class TagOut(Schema):
    id: int
    brand_id: int
    name: str
    color: str


class TagIn(Schema):
    name: Line = Field(..., min_length=1, max_length=64)
    color: str = Field("#6b7280", max_length=7)
    brand_id: int | None = Field(None, ge=1, le=2**62)


class TagPatch(Schema):
    name: Line | None = Field(None, min_length=1, max_length=64)
    color: str | None = Field(None, max_length=7)


@router.get("/tags", response={200: list[TagOut], **ERRORS})
def list_tags(request: HttpRequest) -> list[TagOut]:
    return [TagOut.from_orm(t) for t in permissions.scope(Tag.objects.all(), me(request))]


@router.post("/tags", response={201: TagOut, **ERRORS})
@transaction.atomic
def create_tag(request: HttpRequest, payload: TagIn) -> Status[TagOut]:
    permissions.require_role(me(request), Role.SUPERVISOR)
    brand_id = permissions.pick_brand(me(request), payload.brand_id, role=Role.SUPERVISOR)
    tag = services.create_tag(
        brand_id=brand_id, name=payload.name, color=payload.color, actor=me(request)
    )
    return Status(201, TagOut.from_orm(tag))


@router.patch("/tags/{tag_id}", response={200: TagOut, **ERRORS})
@transaction.atomic
def update_tag(request: HttpRequest, tag_id: int, payload: TagPatch) -> TagOut:
    permissions.require_role(me(request), Role.SUPERVISOR)
    tag = permissions.get_for_agent(Tag.objects.all(), me(request), tag_id, role=Role.SUPERVISOR)
    return TagOut.from_orm(
        services.update_tag(tag, actor=me(request), **payload.model_dump(exclude_unset=True))
    )


# --- inboxes --------------------------------------------------------------------------


class InboxOut(Schema):
    id: int
    brand_id: int
    name: str
    channel: str
    address: str
    team_id: int | None
    is_default: bool
    answer_bot: str


class InboxIn(Schema):
    name: Line = Field(..., min_length=1, max_length=200)
    channel: Channel
    address: Line = Field("", max_length=320)
    team_id: int | None = Field(None, ge=1, le=2**62)
    is_default: bool = False
    brand_id: int | None = Field(None, ge=1, le=2**62)
    answer_bot: AnswerBot = AnswerBot.OFF


class InboxPatch(Schema):
    name: Line | None = Field(None, min_length=1, max_length=200)
    address: Line | None = Field(None, max_length=320)
    team_id: int | None = Field(None, ge=1, le=2**62)
    is_default: bool | None = None
    answer_bot: AnswerBot | None = None


@router.get("/inboxes", response={200: list[InboxOut], **ERRORS})
def list_inboxes(request: HttpRequest) -> list[InboxOut]:
    return [InboxOut.from_orm(i) for i in permissions.scope(Inbox.objects.all(), me(request))]


@router.post("/inboxes", response={201: InboxOut, **ERRORS})
@transaction.atomic
def create_inbox(request: HttpRequest, payload: InboxIn) -> Status[InboxOut]:
    from wowdesk.core.models import Team

    permissions.require_role(me(request), Role.ADMIN)
    brand_id = permissions.pick_brand(me(request), payload.brand_id, role=Role.ADMIN)
    if payload.team_id and not Team.objects.filter(pk=payload.team_id, brand_id=brand_id).exists():
        raise InvalidInput(_("No such team in this brand."), field="team_id")
    inbox = services.create_inbox(
        brand_id=brand_id,
        name=payload.name,
        channel=payload.channel,
        address=payload.address,
        team_id=payload.team_id,
        is_default=payload.is_default,
        actor=me(request),
        answer_bot=payload.answer_bot,
    )
    return Status(201, InboxOut.from_orm(inbox))


@router.patch("/inboxes/{inbox_id}", response={200: InboxOut, **ERRORS})
@transaction.atomic
def update_inbox(request: HttpRequest, inbox_id: int, payload: InboxPatch) -> InboxOut:
    """Change an inbox (administrators of its brand): name, address, team, default flag,
    ``answer_bot`` ("off" | "always" | "when_no_agent"; not on voice inboxes)."""
    permissions.require_role(me(request), Role.ADMIN)
    inbox = permissions.get_for_agent(Inbox.objects.all(), me(request), inbox_id, role=Role.ADMIN)
    fields = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return InboxOut.from_orm(services.update_inbox(inbox, actor=me(request), **fields))


__all__ = ["router"]
