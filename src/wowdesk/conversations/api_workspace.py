"""API: bulk actions and their undo, split and link, saved views."""

from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.conversations import bulk, queries, saved_views, services
from wowdesk.conversations.api import (
    ConversationItem,
    ConversationOut,
    ConversationsOut,
    _get,
    _list_qs,
    conversation_out,
    item_out,
)
from wowdesk.conversations.models import SavedView
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import ServiceError
from wowdesk.core.schemas import ERRORS, Line

router = Router(tags=["workspace"])

AnId = Annotated[int, Field(ge=1, le=2**62)]


class BulkIn(Schema):
    ids: list[AnId] | None = Field(
        None, max_length=bulk.MAX_BULK, description="The conversations, by id."
    )
    filter: dict[str, Any] | None = Field(
        None,
        description="Every conversation a list with these parameters finds (status, "
        "assignee, team, inbox, language, channel, priority, customer, tag, "
        "delivery_issue, q, body, view, and cf_<key> for a custom field); at most 5,000.",
    )
    changes: dict[str, Any] = Field(
        ...,
        description="status, priority, assignee (an agent id, `me`, or null: nobody), team "
        "(an id or null), add_tags, remove_tags, macro_id (its actions: status, priority, "
        "tags added, team_id, assign_to_me, custom_fields; the request's own changes win).",
    )


class Skipped(Schema):
    id: int
    reason: str
    detail: str = ""


class BulkOut(Schema):
    updated: int
    unchanged: int
    skipped: list[Skipped]
    undo_token: str


class UndoIn(Schema):
    undo_token: str = Field(..., min_length=1, max_length=64)


class UndoOut(Schema):
    restored: int
    skipped: list[Skipped]


@router.post("/conversations/bulk", response={200: BulkOut, **ERRORS})
def bulk_update(request: HttpRequest, payload: BulkIn) -> BulkOut:
    """Change many conversations at once, by ``ids`` or by ``filter``: each through the
    same rules as a change of one; the ones you may not change are in ``skipped`` with
    the reason (another brand's: ``not_found``). ``undo_token`` undoes it for 10 minutes."""
    agent = me(request)
    changes = bulk.parse_changes(payload.changes, agent)
    query = None if payload.filter is None else queries.query_from_params(payload.filter)
    result = bulk.bulk_update(agent, changes, ids=payload.ids, query=query)
    return BulkOut(
        updated=len(result.updated),
        unchanged=len(result.unchanged),
        skipped=[Skipped(**s) for s in result.skipped],
        undo_token=result.undo_token,
    )


@router.post("/conversations/bulk/undo", response={200: UndoOut, **ERRORS})
def bulk_undo(request: HttpRequest, payload: UndoIn) -> UndoOut:
    """Put back what a bulk change replaced, where nobody changed the conversation since
    (the others are in ``skipped``, reason ``changed_since``). Once, by its author."""
    result = bulk.bulk_undo(me(request), payload.undo_token)
    return UndoOut(restored=len(result.restored), skipped=[Skipped(**s) for s in result.skipped])


# --- split and link -----------------------------------------------------------------------


class SplitIn(Schema):
    message_id: int = Field(..., ge=1, le=2**62)
    also: list[AnId] = Field(
        default_factory=list,
        max_length=500,
        description="Later messages of the conversation that move with it.",
    )
    subject: Line | None = Field(None, max_length=300)


@router.post("/conversations/{conversation_id}/split", response={201: ConversationOut, **ERRORS})
@transaction.atomic
def split(request: HttpRequest, conversation_id: int, payload: SplitIn) -> Status[ConversationOut]:
    """Move a message (and the later ones of ``also``) into a new conversation of the same
    customer and inbox; both threads say so. Answers the new conversation."""
    source = _get(request, conversation_id)
    new = services.split_conversation(
        source, payload.message_id, actor=me(request), also=payload.also, subject=payload.subject
    )
    return Status(201, conversation_out(_get(request, new.pk)))


class LinkIn(Schema):
    conversation_id: int = Field(..., ge=1, le=2**62)


def _other(request: HttpRequest, conversation_id: int) -> Any:
    try:
        return _get(request, conversation_id)
    except ServiceError as exc:
        exc.field = "conversation_id"
        raise


@router.get(
    "/conversations/{conversation_id}/links", response={200: list[ConversationItem], **ERRORS}
)
def links(request: HttpRequest, conversation_id: int) -> list[ConversationItem]:
    """The conversations linked to this one."""
    conversation = _get(request, conversation_id)
    ids = [c.pk for c in services.linked_conversations(conversation)]
    return [item_out(c) for c in _list_qs().filter(pk__in=ids).order_by("number")]


@router.post(
    "/conversations/{conversation_id}/links", response={201: list[ConversationItem], **ERRORS}
)
@transaction.atomic
def link(
    request: HttpRequest, conversation_id: int, payload: LinkIn
) -> Status[list[ConversationItem]]:
    """Link a conversation of the same brand to this one (both show the other)."""
    conversation = _get(request, conversation_id)
    services.link_conversations(
        conversation, _other(request, payload.conversation_id), actor=me(request)
    )
    return Status(201, links(request, conversation_id))


@router.delete(
    "/conversations/{conversation_id}/links", response={200: list[ConversationItem], **ERRORS}
)
@transaction.atomic
def unlink(request: HttpRequest, conversation_id: int, payload: LinkIn) -> list[ConversationItem]:
    """Remove the link to ``conversation_id``."""
    conversation = _get(request, conversation_id)
    services.unlink_conversations(
        conversation, _other(request, payload.conversation_id), actor=me(request)
    )
    return links(request, conversation_id)


# --- saved views ----------------------------------------------------------------------------


class ViewOut(Schema):
    id: int
    brand_id: int
    name: str
    params: dict[str, str]
    scope: str
    team_id: int | None
    owner_id: int
    count: int | None = None
    can_edit: bool = False


class ViewIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    params: dict[str, Any] = Field(
        default_factory=dict, description="The list's parameters, as for GET /conversations."
    )
    scope: Literal["personal", "team", "brand"] = "personal"
    team_id: int | None = Field(None, ge=1, le=2**62)
    brand_id: int | None = Field(None, ge=1, le=2**62)


class ViewPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    params: dict[str, Any] | None = None
    scope: Literal["personal", "team", "brand"] | None = None
    team_id: int | None = Field(None, ge=1, le=2**62)


def view_out(agent: Any, view: SavedView, count: int | None = None) -> ViewOut:
    return ViewOut(
        id=view.pk,
        brand_id=view.brand_id,
        name=view.name,
        params=view.params,
        scope=view.scope,
        team_id=view.team_id,
        owner_id=view.owner_id,
        count=count,
        can_edit=permissions.may_edit_saved_view(agent, view),
    )


@router.get("/views", response={200: list[ViewOut], **ERRORS})
def list_views(request: HttpRequest) -> list[ViewOut]:
    """Your views, your teams' and your brands' shared ones, each with its count (cached
    for 30 seconds: at most one COUNT per view)."""
    agent = me(request)
    views = list(saved_views.visible_views(agent))
    counts = saved_views.counts(agent, views)
    return [view_out(agent, v, counts.get(v.pk)) for v in views]


@router.post("/views", response={201: ViewOut, **ERRORS})
@transaction.atomic
def create_view(request: HttpRequest, payload: ViewIn) -> Status[ViewOut]:
    agent = me(request)
    view = saved_views.create_view(
        agent,
        brand_id=permissions.pick_brand(agent, payload.brand_id),
        name=payload.name,
        params=payload.params,
        scope=payload.scope,
        team_id=payload.team_id,
    )
    return Status(201, view_out(agent, view))


@router.patch("/views/{view_id}", response={200: ViewOut, **ERRORS})
@transaction.atomic
def update_view(request: HttpRequest, view_id: int, payload: ViewPatch) -> ViewOut:
    agent = me(request)
    view = saved_views.get_view(agent, view_id)
    fields = payload.model_dump(exclude_unset=True)
    return view_out(agent, saved_views.update_view(agent, view, **fields))


@router.delete("/views/{view_id}", response={204: None, **ERRORS})
@transaction.atomic
def delete_view(request: HttpRequest, view_id: int) -> Status[None]:
    agent = me(request)
    saved_views.delete_view(agent, saved_views.get_view(agent, view_id))
    return Status(204, None)


class PageIn(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


@router.get("/views/{view_id}/conversations", response={200: ConversationsOut, **ERRORS})
def view_conversations(
    request: HttpRequest,
    view_id: int,
    paging: Query[PageIn],
) -> ConversationsOut:
    """The view's conversations, as GET /conversations with its parameters."""
    agent = me(request)
    view = saved_views.get_view(agent, view_id)
    listing = saved_views.listing(agent, view)
    page, page_size = paging.page, paging.page_size
    ids = listing.page((page - 1) * page_size, page_size)
    rows = _list_qs().filter(pk__in=ids).order_by(*queries.ORDERS[listing.query.sort])
    return ConversationsOut.model_construct(
        items=[item_out(c) for c in rows], total=listing.total(), page=page, page_size=page_size
    )


__all__ = ["router"]
