"""API: knowledge for agents — suggestions for a conversation, the suggestions an agent used,
proposed edits of an article (docs/knowledge-assist.md)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from wowdesk.conversations.models import Conversation, Macro
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound
from wowdesk.core.models import Agent
from wowdesk.core.schemas import ERRORS
from wowdesk.knowledge import assist, assist_services
from wowdesk.knowledge.models import Article

router = Router(tags=["knowledge"])


class ArticleSuggestion(Schema):
    id: int
    source_id: int
    title: str
    language: str
    internal: bool
    score: float
    solved: int
    snippet: str
    url: str
    text: str


class MacroSuggestion(Schema):
    id: int
    name: str
    language: str
    score: float
    solved: int
    body: str


class SuggestionsOut(Schema):
    message_id: int | None
    language: str
    articles: list[ArticleSuggestion]
    macros: list[MacroSuggestion]


class UseIn(Schema):
    action: Literal["inserted", "solved"]
    article_id: int | None = None
    macro_id: int | None = None


class UseOut(Schema):
    id: int
    action: str
    conversation_id: int
    message_id: int | None
    article_id: int | None
    macro_id: int | None
    created_at: dt.datetime


class ProposalIn(Schema):
    body: str
    title: str | None = None
    conversation_id: int | None = None


class EditProposalOut(Schema):
    id: int
    kind: str
    status: str
    article_id: int | None
    conversation_id: int | None
    language: str
    title: str
    body: str
    created_at: dt.datetime


def conversation_of(agent: Agent, conversation_id: int) -> Conversation:
    """A conversation of one of the agent's brands; another brand's is not found."""
    try:
        return permissions.get_for_agent(
            Conversation.objects.select_related("brand"), agent, conversation_id
        )
    except Forbidden as exc:
        raise NotFound(_("Not found."), field="id") from exc


def article_of(agent: Agent, article_id: int, field: str = "id") -> Article:
    """An article of one of the agent's brands (internal ones too); another brand's is
    not found."""
    try:
        return permissions.get_for_agent(Article.objects.select_related("brand"), agent, article_id)
    except (Forbidden, NotFound) as exc:
        raise NotFound(_("No such article."), field=field) from exc


@router.get(
    "/conversations/{conversation_id}/suggestions", response={200: SuggestionsOut, **ERRORS}
)
def suggestions(request: HttpRequest, conversation_id: int) -> SuggestionsOut:
    """The articles and macros suggested for the conversation's latest customer message."""
    conversation = conversation_of(me(request), conversation_id)
    return SuggestionsOut(**assist.suggestions_for(conversation))


@router.post("/conversations/{conversation_id}/suggestions/uses", response={201: UseOut, **ERRORS})
def record_use(request: HttpRequest, conversation_id: int, payload: UseIn) -> Status[UseOut]:
    """Keep that the agent inserted a suggestion, or that it solved the customer's question."""
    agent = me(request)
    conversation = conversation_of(agent, conversation_id)
    article = macro = None
    if payload.article_id is not None:
        article = article_of(agent, payload.article_id, "article_id")
    if payload.macro_id is not None:
        macro = Macro.objects.filter(pk=payload.macro_id, brand_id=conversation.brand_id).first()
        if macro is None:
            raise NotFound(_("No such macro."), field="macro_id")
    if (article is None) == (macro is None):
        raise InvalidInput(_("Give article_id or macro_id."), field="article_id")
    with transaction.atomic():
        use = assist_services.do_record_use(
            agent, conversation, payload.action, article=article, macro=macro
        )
    return Status(
        201,
        UseOut(
            id=use.pk,
            action=use.action,
            conversation_id=use.conversation_id,
            message_id=use.message_id,
            article_id=use.article_id,
            macro_id=use.macro_id,
            created_at=use.created_at,
        ),
    )


@router.post("/kb/articles/{article_id}/proposals", response={201: EditProposalOut, **ERRORS})
def propose_edit(
    request: HttpRequest, article_id: int, payload: ProposalIn
) -> Status[EditProposalOut]:
    """Propose a change to an article to the brand's knowledge managers."""
    agent = me(request)
    article = article_of(agent, article_id)
    conversation = None
    if payload.conversation_id is not None:
        try:
            conversation = conversation_of(agent, payload.conversation_id)
        except NotFound as exc:
            raise NotFound(_("No such conversation."), field="conversation_id") from exc
    with transaction.atomic():
        proposal = assist_services.do_propose_edit(
            agent, article, body=payload.body, title=payload.title, conversation=conversation
        )
    return Status(
        201,
        EditProposalOut(
            id=proposal.pk,
            kind=proposal.kind,
            status=proposal.status,
            article_id=proposal.article_id,
            conversation_id=proposal.conversation_id,
            language=proposal.language,
            title=proposal.title,
            body=proposal.body,
            created_at=proposal.created_at,
        ),
    )
