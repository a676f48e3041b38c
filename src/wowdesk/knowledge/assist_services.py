"""Writes of the agents' side of the knowledge base: the suggestions an agent used (inserted,
or marked "Solved it") and the edits agents propose to an article.

This module is the only writer of ``SuggestionUse`` and of agents' edit ``Proposal`` rows.
Brand scoping is decided by ``core.permissions``; the callers pass objects they already
fetched for the agent, and every function checks again that they belong to one brand.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from wowdesk.conversations.models import Conversation, Macro
from wowdesk.core import permissions
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent
from wowdesk.knowledge.assist import bump_generation, latest_customer_message
from wowdesk.knowledge.models import Article, ArticleStatus, Proposal, SuggestionUse

PROPOSAL_TITLE_MAX = 300
PROPOSAL_BODY_MAX = 50_000


def do_record_use(
    agent: Agent,
    conversation: Conversation,
    action: str,
    *,
    article: Article | None = None,
    macro: Macro | None = None,
) -> SuggestionUse:
    """Keep that ``agent`` inserted a suggestion into ``conversation``'s reply, or marked
    that it solved it (``action``: ``inserted`` or ``solved``). Exactly one of ``article``
    and ``macro``, of the conversation's brand. The use is tied to the conversation's
    latest customer message (what the suggestion answered). A second "Solved it" of the
    same agent for the same suggestion and message is the first one, not a new row."""
    permissions.check_brand(agent, conversation.brand_id)
    if action not in SuggestionUse.Action.values:
        raise InvalidInput(_("Unknown action: %(a)s.") % {"a": action}, field="action")
    if (article is None) == (macro is None):
        raise InvalidInput(_("Say which article or which macro."), field="article")
    if article is not None and article.brand_id != conversation.brand_id:
        raise InvalidInput(_("This article belongs to another brand."), field="article")
    if macro is not None and macro.brand_id != conversation.brand_id:
        raise InvalidInput(_("This macro belongs to another brand."), field="macro")
    message = latest_customer_message(conversation)
    with transaction.atomic():
        if action == SuggestionUse.Action.SOLVED:
            same = SuggestionUse.objects.filter(
                conversation=conversation,
                agent=agent,
                action=action,
                article=article,
                macro=macro,
                message=message,
            ).first()
            if same is not None:
                return same
        use = SuggestionUse.objects.create(
            brand_id=conversation.brand_id,
            conversation=conversation,
            message=message,
            article=article,
            macro=macro,
            agent=agent,
            action=action,
        )
        if action == SuggestionUse.Action.SOLVED:
            # The ranking changes: the brand's cached lists go now and again after the
            # commit (a list computed in between, from the rows before it, goes too).
            brand_id = conversation.brand_id
            bump_generation(brand_id)
            transaction.on_commit(lambda: bump_generation(brand_id))
        return use


def do_propose_edit(
    agent: Agent,
    article: Article,
    *,
    body: str,
    title: str | None = None,
    conversation: Conversation | None = None,
) -> Proposal:
    """An agent's proposed change to ``article`` for the knowledge managers: what the
    article should say (``body``), optionally a new ``title``, and the conversation that
    showed the need. Any agent of the article's brand may propose."""
    permissions.check_brand(agent, article.brand_id)
    if article.status == ArticleStatus.ARCHIVED:
        raise InvalidInput(_("This article is archived."), field="article")
    text = (body or "").strip()
    if not text:
        raise InvalidInput(_("Say what should change."), field="body")
    if len(text) > PROPOSAL_BODY_MAX:
        raise InvalidInput(_("At most %(n)s characters.") % {"n": PROPOSAL_BODY_MAX}, field="body")
    heading = (title or "").strip() or article.title
    if len(heading) > PROPOSAL_TITLE_MAX:
        raise InvalidInput(
            _("At most %(n)s characters.") % {"n": PROPOSAL_TITLE_MAX}, field="title"
        )
    if "\x00" in text or "\x00" in heading:
        raise InvalidInput(_("The text holds a NUL character."), field="body")
    if conversation is not None:
        permissions.check_brand(agent, conversation.brand_id)
        if conversation.brand_id != article.brand_id:
            raise InvalidInput(
                _("This conversation belongs to another brand."), field="conversation_id"
            )
    return Proposal.objects.create(
        brand_id=article.brand_id,
        kind=Proposal.Kind.EDIT,
        article=article,
        conversation=conversation,
        language=article.language,
        title=heading,
        body=text,
        proposed_by=agent,
    )
