"""The knowledge loop's writes: candidates, proposals drawn from resolved conversations, and
the knowledge managers' decisions (accept, dismiss).

The only writer of ``LoopCandidate`` and of ``Proposal`` (except the agents' edit proposals,
written by ``assist_services``). An accepted proposal becomes a published article through
``_publish_article``, the one place this module writes articles.

Coverage: a conversation is *covered* when an agent inserted or marked an article on it, or
when its question and answer are at least ``COVERED_AT`` similar (cosine of the multilingual
sentence embeddings, ``intelligence.emotion.embed``) to one of the top ``SEARCH_DEPTH``
articles that ``search_articles`` finds for its question (internal articles too). A new
proposal joins the group of the most similar open new-article proposal of the brand when
that similarity is at least ``GROUP_AT``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.core.errors import Conflict, InvalidInput, NotFound
from wowdesk.core.models import Agent
from wowdesk.core.permissions import check_manages_knowledge
from wowdesk.knowledge import search
from wowdesk.knowledge.anonymise import anonymise, strip_salutations, title_from_question
from wowdesk.knowledge.models import (
    Article,
    ArticleStatus,
    Category,
    LoopCandidate,
    Proposal,
    SuggestionUse,
)

log = logging.getLogger(__name__)

COVERED_AT = 0.8  # an article this similar to the question + answer covers the conversation
GROUP_AT = 0.78  # an open proposal this similar takes the new one into its group
SEARCH_DEPTH = 5  # articles compared with the conversation
GROUP_WINDOW = 200  # the most recent open proposals compared for grouping
TITLE_CHARS = 120
QUESTION_MESSAGES = 3  # the customer's first messages taken as the question


def proposal_days() -> int:
    return int(getattr(settings, "WOWDESK_KB_PROPOSAL_DAYS", 7))


# --- candidates ----------------------------------------------------------------------------


def record_candidate(conversation_id: int, brand_id: int, resolved_at: dt.datetime) -> None:
    """A conversation was resolved: look at it once it has stayed resolved long enough.
    Resolving it again restarts the wait."""
    record_candidates([(conversation_id, brand_id, resolved_at)])


def record_candidates(rows: list[tuple[int, int, dt.datetime]]) -> None:
    """``record_candidate`` for many conversations (conversation id, brand id, resolved at)
    in two queries."""
    if not rows:
        return
    LoopCandidate.objects.bulk_create(
        [
            LoopCandidate(
                conversation_id=cid,
                brand_id=brand_id,
                resolved_at=resolved_at,
                state=LoopCandidate.State.PENDING,
                checked_at=None,
            )
            for cid, brand_id, resolved_at in rows
        ],
        update_conflicts=True,
        unique_fields=["conversation"],
        update_fields=["brand", "resolved_at", "state", "checked_at"],
    )


def run_due(now: dt.datetime | None = None, limit: int = 200, brand_id: int | None = None) -> int:
    """The periodic job: every candidate resolved ``WOWDESK_KB_PROPOSAL_DAYS`` ago or more
    and not reopened since becomes a proposal unless an article covers it. Returns the
    number of proposals made."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=proposal_days())
    rows = LoopCandidate.objects.filter(state=LoopCandidate.State.PENDING, resolved_at__lte=cutoff)
    if brand_id is not None:
        rows = rows.filter(brand_id=brand_id)
    due = list(rows.order_by("resolved_at")[:limit])
    made = 0
    for candidate in due:
        conversation = Conversation.objects.filter(pk=candidate.conversation_id).first()
        state: str = LoopCandidate.State.SKIPPED
        if conversation is not None and conversation.status == Status.RESOLVED:
            resolved_at = conversation.resolved_at or candidate.resolved_at
            if resolved_at > cutoff:  # reopened and resolved again: wait from then
                LoopCandidate.objects.filter(pk=candidate.pk).update(resolved_at=resolved_at)
                continue
            try:
                proposal, state = _propose(conversation)
            except Exception:  # one conversation's fault stays its own
                log.exception("knowledge loop: conversation %s", conversation.pk)
            else:
                made += proposal is not None
        LoopCandidate.objects.filter(pk=candidate.pk).update(state=state, checked_at=now)
    return made


# --- proposing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    question: str
    answer: str
    language: str
    names: tuple[str, ...]


def exchange_of(conversation: Conversation) -> Exchange | None:
    """The customer's first messages (before the first agent reply) and the agent's last
    reply before the resolution, with the names of the people in it."""
    messages = list(
        Message.objects.filter(
            conversation=conversation, direction__in=[Direction.IN, Direction.OUT]
        )
        .select_related("author", "sender")
        .order_by("created_at", "id")
    )
    question: list[str] = []
    for m in messages:
        if m.direction == Direction.OUT:
            break
        if m.body.strip():
            question.append(m.body.strip())
    replies = [
        m
        for m in messages
        if m.direction == Direction.OUT
        and m.author_id is not None
        and m.body.strip()
        and (conversation.resolved_at is None or m.created_at <= conversation.resolved_at)
    ]
    if not question or not replies:
        return None
    answer = replies[-1]
    names = {conversation.customer.name if conversation.customer_id else ""}
    for m in messages:
        if m.author is not None:
            names.add(m.author.display_name)
        if m.sender is not None and m.sender.name:
            names.add(m.sender.name)
    language = conversation.language or answer.language or question_language(messages)
    return Exchange(
        question="\n\n".join(question[:QUESTION_MESSAGES]),
        answer=answer.body.strip(),
        language=language or "en",
        names=tuple(sorted(n for n in names if n)),
    )


def question_language(messages: list[Message]) -> str:
    return next((m.language for m in messages if m.language), "")


def _embed(texts: list[str]) -> np.ndarray:
    from wowdesk.intelligence.emotion import embed

    return np.asarray(embed(texts), dtype=np.float32)


def best_similarity(brand_id: int, question: str, answer: str, language: str) -> float:
    """How close the closest published article is to the (anonymised) question and answer:
    the best cosine of the question + answer against an article's title + body, or of the
    answer against an article's body; 0 when the search finds no article."""
    hits = search.search_articles(
        brand_id, question, language=language, limit=SEARCH_DEPTH, include_internal=True
    )
    if not hits:
        return 0.0
    rows = {a.pk: a for a in Article.objects.filter(pk__in=[h.article_id for h in hits])}
    found = [rows[h.article_id] for h in hits if h.article_id in rows]
    if not found:
        return 0.0
    n = len(found)
    vectors = _embed(
        [
            f"{question}\n{answer}",
            answer,
            *[f"{a.title}\n{a.body}" for a in found],
            *[a.body for a in found],
        ]
    )
    whole = vectors[2 : 2 + n] @ vectors[0]
    bodies = vectors[2 + n :] @ vectors[1]
    return float(max(whole.max(), bodies.max()))


def do_propose_from_conversation(conversation: Conversation) -> Proposal | None:
    """Propose a new article from a resolved conversation that no article covers: the
    question as title, the answer as body, both anonymised, in the conversation's language.
    None when the conversation has no question and answer, an article covers it, or it was
    proposed already."""
    return _propose(conversation)[0]


def _propose(conversation: Conversation) -> tuple[Proposal | None, str]:
    """The proposal made (or None) and the state it gives the conversation's candidate."""
    skipped, covered = LoopCandidate.State.SKIPPED, LoopCandidate.State.COVERED
    if Proposal.objects.filter(conversation=conversation, kind=Proposal.Kind.NEW_ARTICLE).exists():
        return None, skipped
    exchange = exchange_of(conversation)
    if exchange is None:
        return None, skipped
    if SuggestionUse.objects.filter(conversation=conversation, article__isnull=False).exists():
        return None, covered
    question = strip_salutations(anonymise(exchange.question, exchange.names))
    body = strip_salutations(anonymise(exchange.answer, exchange.names))
    title = title_from_question(question, TITLE_CHARS)
    similarity = best_similarity(conversation.brand_id, question, body, exchange.language)
    if similarity >= COVERED_AT:
        return None, covered
    group = _group_for(conversation.brand_id, f"{title}\n{body}")
    proposal = Proposal.objects.create(
        brand_id=conversation.brand_id,
        kind=Proposal.Kind.NEW_ARTICLE,
        conversation=conversation,
        language=exchange.language[:16],
        title=title[:300],
        body=body,
        best_similarity=round(similarity, 4),
        group_id=group,
    )
    return proposal, LoopCandidate.State.PROPOSED


def _group_for(brand_id: int, text: str) -> int | None:
    """The group of the most similar open new-article proposal, when similar enough."""
    open_ones = list(
        Proposal.objects.filter(
            brand_id=brand_id, kind=Proposal.Kind.NEW_ARTICLE, status=Proposal.Status.OPEN
        )
        .order_by("-created_at")
        .values_list("pk", "group_id", "title", "body")[:GROUP_WINDOW]
    )
    if not open_ones:
        return None
    vectors = _embed([text, *[f"{t}\n{b}" for _pk, _g, t, b in open_ones]])
    scores = vectors[1:] @ vectors[0]
    best = int(np.argmax(scores))
    if float(scores[best]) < GROUP_AT:
        return None
    pk, group_id, _t, _b = open_ones[best]
    return int(group_id or pk)


# --- deciding ------------------------------------------------------------------------------


def _open_proposal(agent: Agent, proposal_id: int) -> Proposal:
    proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("Not found."), field="id")
    check_manages_knowledge(agent, proposal.brand_id)
    if proposal.status != Proposal.Status.OPEN:
        raise Conflict(_("This proposal was already decided."), field="status")
    return proposal


def _category(brand_id: int, category: int | str | None) -> Category | None:
    if category is None or category == "":
        return None
    rows = Category.objects.filter(brand_id=brand_id)
    text = str(category)
    found = (
        rows.filter(pk=int(text)).first()
        if text.isdigit() and len(text) < 19
        else rows.filter(slug=text).first()
    )
    if found is None:
        raise InvalidInput(_("No such category in this brand."), field="category")
    return found


def do_accept_proposal(
    agent: Agent,
    proposal_id: int,
    *,
    title: str | None = None,
    body: str | None = None,
    category: int | str | None = None,
) -> Article:
    """Accept a proposal with the manager's edits: a new article is created and published,
    an edit becomes the article's next version. Both reach search and the bot."""
    with transaction.atomic():
        proposal = _open_proposal(agent, proposal_id)
        title = (title if title is not None else proposal.title).strip()
        body = (body if body is not None else proposal.body).strip()
        if not title:
            raise InvalidInput(_("A title is required."), field="title")
        if len(title) > 300:
            raise InvalidInput(_("The title is too long (300 characters at most)."), field="title")
        if not body:
            raise InvalidInput(_("A body is required."), field="body")
        chosen = _category(proposal.brand_id, category)
        if proposal.kind == Proposal.Kind.EDIT and proposal.article_id is None:
            raise Conflict(_("The article of this proposal no longer exists."), field="article")
        article = _publish_article(
            brand_id=proposal.brand_id,
            article=proposal.article if proposal.kind == Proposal.Kind.EDIT else None,
            title=title,
            body=body,
            language=proposal.language,
            category=chosen,
            author=agent,
            note=_("Accepted proposal #%(id)s") % {"id": proposal.pk},
        )
        proposal.status = Proposal.Status.ACCEPTED
        proposal.decided_by = agent
        proposal.decided_at = timezone.now()
        proposal.title = title
        proposal.body = body
        if proposal.article_id is None:
            proposal.article = article
        proposal.save(
            update_fields=["status", "decided_by", "decided_at", "title", "body", "article"]
        )
    return article


def do_dismiss_proposal(agent: Agent, proposal_id: int) -> Proposal:
    """Dismiss a proposal (it stays, decided, for the record)."""
    with transaction.atomic():
        proposal = _open_proposal(agent, proposal_id)
        proposal.status = Proposal.Status.DISMISSED
        proposal.decided_by = agent
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal


def _publish_article(
    *,
    brand_id: int,
    article: Article | None,
    title: str,
    body: str,
    language: str,
    category: Category | None,
    author: Agent,
    note: str,
) -> Article:
    """Publish a new article (version 1), or ``article``'s next version, through the article
    services (versions, sanitised Markdown, the search index told after commit)."""
    from wowdesk.knowledge import services as kb

    if article is None:
        return kb.do_create_article(
            brand_id=brand_id,
            actor=author,
            title=title,
            body=body,
            language=language or "en",
            category=category,
            status=ArticleStatus.PUBLISHED,
            note=note[:300],
        )
    changes: dict[str, Any] = {"title": title, "body": body}
    if category is not None:
        changes["category"] = category
    article = kb.do_update_article(article, actor=author, note=note[:300], **changes)
    if article.status != ArticleStatus.PUBLISHED:
        article = kb.do_set_status(article, ArticleStatus.PUBLISHED, actor=author)
    return article
