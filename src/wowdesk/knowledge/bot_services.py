"""The answer bot: the only writer of ``BotSession``.

A customer writes to an inbox whose bot is on (``knowledge.bot`` decides when): the bot
``take``s the conversation (routing leaves it alone while ``Conversation.bot_holds``), then
``handle_message`` reads each customer message in the background: it answers from the
knowledge base in the customer's language when it is confident, or hands the conversation
to a person with a summary note; the customer's "that helped" resolves it (confirmed),
silence for 24 hours after an answer resolves it too (no return), counted apart.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.knowledge import bot_texts, intents, search
from wowdesk.knowledge.models import Article, ArticleStatus, BotSession, HelpCenter

log = logging.getLogger(__name__)

# The bot answers only above these (it never guesses): the intent model's confidence for
# an intent that has an article, or the search's score of its best article (0..1).
INTENT_THRESHOLD = 0.75
SEARCH_THRESHOLD = 0.6
NO_RETURN_AFTER = dt.timedelta(hours=24)
EXCERPT_CHARS = 280

Outcome = BotSession.Outcome


def base_language(code: str | None) -> str:
    return (code or "").strip().lower().replace("_", "-").split("-")[0]


# --- taking a conversation ------------------------------------------------------------------


def take(conversation: Conversation) -> BotSession | None:
    """The bot takes an unassigned open conversation (a new session, routing held off),
    unless a person already has it or the bot handed it over before."""
    if conversation.bot_holds:
        return None
    if conversation.assignee_id is not None or conversation.status != Status.OPEN:
        return None
    latest = (
        BotSession.objects.filter(conversation_id=conversation.pk)
        .order_by("-id")
        .values_list("outcome", flat=True)
        .first()
    )
    if latest in (Outcome.HANDED_OVER, Outcome.PENDING):
        return None
    session = BotSession.objects.create(
        brand_id=conversation.brand_id,
        conversation=conversation,
        inbox_id=conversation.inbox_id,
        language=conversation.language,
    )
    conversations.set_bot_hold(conversation, True)
    return session


# --- deciding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    article: Article | None  # in the customer's language when a translation exists
    intent: str
    confidence: float
    out_of_scope: bool
    via: str  # "intent" | "search" | ""


def _published(rows: QuerySet[Article]) -> QuerySet[Article]:
    return rows.filter(status=ArticleStatus.PUBLISHED, internal=False)


def article_in(brand_id: int, source_id: int, language: str) -> Article | None:
    """The article in ``language``, else along the help center's fallback chain, else the
    brand's default language, else its source."""
    rows = list(
        _published(Article.objects.filter(brand_id=brand_id)).filter(
            Q(pk=source_id) | Q(translation_of_id=source_id)
        )
    )
    if not rows:
        return None
    by_language = {base_language(a.language): a for a in rows}
    center = HelpCenter.objects.filter(brand_id=brand_id).select_related("brand").first()
    chain = [language]
    if center is not None:
        chain += list(center.fallback_chain or [])
        chain.append(center.brand.default_language)
    for code in chain:
        found = by_language.get(base_language(code))
        if found is not None:
            return found
    source = next((a for a in rows if a.pk == source_id), None)
    return source or rows[0]


def decide(brand_id: int, text: str, language: str) -> Decision:
    """What the bot would answer: an article only when the intent model is confident of an
    intent with an article, or the search's best article scores above its threshold."""
    result = intents.classify(brand_id, text, language or None)
    intent = result.intent or ""
    if not result.out_of_scope and intent and result.confidence >= INTENT_THRESHOLD:
        source_id = result.article_id
        if source_id is None:
            source_id = (
                _published(Article.objects.filter(brand_id=brand_id, intent=intent))
                .order_by("translation_of_id", "id")
                .values_list("id", flat=True)
                .first()
            )
            if source_id is not None:
                row = Article.objects.only("id", "translation_of_id").get(pk=source_id)
                source_id = row.source_id
        if source_id is not None:
            article = article_in(brand_id, source_id, language)
            if article is not None:
                return Decision(article, intent, result.confidence, False, "intent")
    hits = search.search_articles(brand_id, text, language=language or None, limit=3)
    if hits and hits[0].score >= SEARCH_THRESHOLD:
        best = hits[0]
        article = article_in(brand_id, best.source_id, language)
        if article is not None:
            return Decision(
                article,
                intent or article.intent,
                min(1.0, float(best.score)),
                False,
                "search",
            )
    top = max(result.confidence, float(hits[0].score) if hits else 0.0)
    return Decision(None, intent, top, result.out_of_scope, "")


def article_url(article: Article) -> str:
    """The article's page in the public help center, absolute when ``WOWDESK_PUBLIC_URL`` is
    set (customers read it outside this site), else a path."""
    from django.conf import settings

    from wowdesk.core.models import Brand
    from wowdesk.knowledge.help_views import article_url as help_article_url

    slug = Brand.objects.filter(pk=article.brand_id).values_list("slug", flat=True).first() or ""
    return settings.CONFIG.public_url + help_article_url(slug, article)


def excerpt(article: Article) -> str:
    return bot_texts.plain_excerpt(article.body, EXCERPT_CHARS)


def answer_text(article: Article, language: str) -> str:
    return "\n\n".join(
        [
            bot_texts.say(bot_texts.INTRO, language),
            article.title,
            excerpt(article),
            article_url(article),
            bot_texts.say(bot_texts.FOLLOW_UP, language),
        ]
    )


# --- reading the customer's messages -------------------------------------------------------


def customer_language(message: Message, conversation: Conversation) -> str:
    return base_language(message.language or conversation.language) or "en"


def handle_message(message_id: int) -> str:
    """Read one customer message of a conversation the bot holds (the background task):
    answer, confirm, or hand over. A message read before is not read again."""
    with transaction.atomic():
        message = (
            Message.objects.select_related("conversation__inbox")
            .filter(pk=message_id, direction=Direction.IN)
            .first()
        )
        if message is None:
            return "gone"
        conversation = message.conversation
        session = (
            BotSession.objects.select_for_update()
            .filter(conversation_id=conversation.pk, outcome=Outcome.PENDING)
            .order_by("-id")
            .first()
        )
        if session is None or not conversation.bot_holds:
            return "not held"
        if taken_by_agent(session, conversation):
            release(session, conversation)
            return "taken"
        if session.last_message_id is not None and message.pk <= session.last_message_id:
            return "seen"
        session.last_message_id = message.pk
        language = customer_language(message, conversation)
        session.language = language
        said = bot_texts.reading(message.body)
        if said == "person":
            return hand_over(session, conversation, "asked_for_person", language)
        if session.answered_at is not None:
            if said == "helped":
                return confirm(session, conversation, language)
            if said == "more_help":
                return hand_over(session, conversation, "more_help", language)
        elif said == "more_help":
            return hand_over(session, conversation, "more_help", language)
        decision = decide(conversation.brand_id, message.body, language)
        session.tried = [
            *session.tried,
            {
                "question": message.body[:500],
                "intent": decision.intent,
                "confidence": round(decision.confidence, 4),
                "article_id": decision.article.pk if decision.article else None,
                "answered": decision.article is not None,
            },
        ]
        session.intent = decision.intent or session.intent
        session.confidence = decision.confidence
        if decision.article is None:
            reason = (
                "out_of_scope"
                if decision.out_of_scope and not decision.intent
                else ("low_confidence")
            )
            if session.answered_at is not None:
                reason = "second_question"
            return hand_over(session, conversation, reason, language)
        return answer(session, conversation, decision, language)


def answer(
    session: BotSession, conversation: Conversation, decision: Decision, language: str
) -> str:
    article = decision.article
    assert article is not None
    conversations.add_reply(
        conversation,
        author=None,
        body=answer_text(article, language),
        language=base_language(article.language),
        meta={
            "bot": {
                "confidence": round(decision.confidence, 4),
                "article_id": article.pk,
                "intent": decision.intent,
            }
        },
    )
    session.article = article
    session.answered_at = timezone.now()
    session.save()
    return "answered"


def summary(session: BotSession, reason: str) -> str:
    reasons = {
        "asked_for_person": _("the customer asked for a person"),
        "more_help": _("the customer needs more help"),
        "low_confidence": _("not confident enough to answer"),
        "out_of_scope": _("the question is outside what the knowledge base covers"),
        "second_question": _("a second question it could not answer"),
    }
    lines = [_("Answer bot handed over: %(reason)s.") % {"reason": reasons.get(reason, reason)}]
    for step in session.tried:
        lines.append(
            _("Asked: “%(question)s” — intent %(intent)s, confidence %(confidence).2f, %(done)s")
            % {
                "question": step.get("question", "")[:200],
                "intent": step.get("intent") or "—",
                "confidence": float(step.get("confidence") or 0.0),
                "done": _("answered with article #%(id)s") % {"id": step["article_id"]}
                if step.get("answered")
                else _("no confident answer"),
            }
        )
    if not session.tried:
        lines.append(_("Nothing was tried before the hand-over."))
    return "\n".join(lines)


def hand_over(session: BotSession, conversation: Conversation, reason: str, language: str) -> str:
    """A person takes over: the customer is told, an internal note summarises what the bot
    understood and tried, and the conversation is routed like any other."""
    from wowdesk.routing import services as routing

    text = summary(session, reason)
    conversations.add_reply(
        conversation,
        author=None,
        body=bot_texts.say(bot_texts.HANDING_OVER, language),
        language=bot_texts.language_key(language),
        meta={"bot": {"handover": True}},
    )
    conversations.add_reply(
        conversation,
        author=None,
        body=text,
        private=True,
        meta={
            "bot": {
                "summary": True,
                "reason": reason,
                "intent": session.intent,
                "confidence": session.confidence,
            }
        },
    )
    session.outcome = Outcome.HANDED_OVER
    session.handover_reason = reason
    session.summary = text
    session.ended_at = timezone.now()
    session.save()
    conversations.set_bot_hold(conversation, False)
    conversation.refresh_from_db()
    routing.route(conversation)
    return "handed_over"


def taken_by_agent(session: BotSession, conversation: Conversation) -> bool:
    """A person took the conversation while the bot had it: assigned, or replied."""
    if conversation.assignee_id is not None:
        return True
    return Message.objects.filter(
        conversation_id=conversation.pk,
        direction=Direction.OUT,
        author__isnull=False,
        created_at__gte=session.started_at,
    ).exists()


def release(session: BotSession, conversation: Conversation) -> None:
    """The bot lets go without a word: a person has the conversation (counted as handed
    over, reason ``taken_by_agent``)."""
    session.outcome = Outcome.HANDED_OVER
    session.handover_reason = "taken_by_agent"
    session.ended_at = timezone.now()
    session.save()
    conversations.set_bot_hold(conversation, False)


def _resolve(session: BotSession, conversation: Conversation, outcome: str, reason: str) -> None:
    session.outcome = outcome
    session.ended_at = timezone.now()
    session.save()
    conversations.set_bot_hold(conversation, False)
    if conversation.status != Status.RESOLVED:
        conversations.update_conversation(
            conversation, actor=None, status=Status.RESOLVED, status_reason=reason
        )


def confirm(session: BotSession, conversation: Conversation, language: str) -> str:
    conversations.add_reply(
        conversation,
        author=None,
        body=bot_texts.say(bot_texts.THANKS, language),
        language=bot_texts.language_key(language),
        meta={"bot": {"confirmed": True}},
    )
    conversation.refresh_from_db()
    _resolve(session, conversation, Outcome.CONFIRMED, _("Resolved by the answer bot: it helped."))
    return "confirmed"


def expire_answered(now: dt.datetime | None = None, limit: int = 200) -> int:
    """Sessions answered more than 24 hours ago whose customer did not come back: resolved,
    outcome ``no_return`` (the worker runs this periodically)."""
    now = now or timezone.now()
    ids = list(
        BotSession.objects.filter(
            outcome=Outcome.PENDING, answered_at__lt=now - NO_RETURN_AFTER
        ).values_list("id", flat=True)[:limit]
    )
    done = 0
    for session_id in ids:
        with transaction.atomic():
            session = (
                BotSession.objects.select_for_update()
                .filter(pk=session_id, outcome=Outcome.PENDING)
                .select_related("conversation")
                .first()
            )
            if session is None:
                continue
            conversation = session.conversation
            came_back = Message.objects.filter(
                conversation_id=conversation.pk,
                direction=Direction.IN,
                pk__gt=session.last_message_id or 0,
            ).exists()
            if came_back:
                continue  # the bot reads it (its task) before anything is decided
            if taken_by_agent(session, conversation):
                release(session, conversation)
                continue
            _resolve(
                session,
                conversation,
                Outcome.NO_RETURN,
                _("Resolved by the answer bot: no reply within 24 hours."),
            )
            done += 1
    return done


# --- reading: sessions and stats -------------------------------------------------------------


def sessions(
    brand_ids: set[int] | list[int],
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    outcome: str | None = None,
    language: str | None = None,
) -> QuerySet[BotSession]:
    rows = BotSession.objects.filter(brand_id__in=list(brand_ids))
    if since is not None:
        rows = rows.filter(started_at__gte=since)
    if until is not None:
        rows = rows.filter(started_at__lt=until)
    if outcome:
        rows = rows.filter(outcome=outcome)
    if language:
        rows = rows.filter(language=base_language(language))
    return rows.order_by("-started_at", "-id")


def _rates(counts: dict[str, int]) -> dict[str, Any]:
    total = sum(counts.values())
    ended = total - counts.get(Outcome.PENDING, 0)

    def rate(n: int) -> float:
        return round(n / ended, 4) if ended else 0.0

    confirmed = counts.get(Outcome.CONFIRMED, 0)
    no_return = counts.get(Outcome.NO_RETURN, 0)
    handed = counts.get(Outcome.HANDED_OVER, 0)
    return {
        "sessions": total,
        "pending": counts.get(Outcome.PENDING, 0),
        "confirmed": confirmed,
        "no_return": no_return,
        "handed_over": handed,
        "resolution_rate": rate(confirmed + no_return),
        "confirmed_rate": rate(confirmed),
        "no_return_rate": rate(no_return),
        "handover_rate": rate(handed),
    }


def stats(
    brand_ids: set[int] | list[int], since: dt.datetime | None, until: dt.datetime | None
) -> dict[str, Any]:
    """The bot's resolution rate (confirmed and no return apart) and hand-over rate, in
    all and by language and intent; rates are over the sessions that ended."""
    rows = (
        sessions(brand_ids, since=since, until=until)
        .order_by()
        .values("language", "intent", "outcome")
        .annotate(n=Count("id"))
    )
    overall: dict[str, int] = {}
    by_language: dict[str, dict[str, int]] = {}
    by_intent: dict[str, dict[str, int]] = {}
    for row in rows:
        n = int(row["n"])
        overall[row["outcome"]] = overall.get(row["outcome"], 0) + n
        lang = by_language.setdefault(row["language"] or "", {})
        lang[row["outcome"]] = lang.get(row["outcome"], 0) + n
        intent = by_intent.setdefault(row["intent"] or "", {})
        intent[row["outcome"]] = intent.get(row["outcome"], 0) + n
    return {
        **_rates(overall),
        "by_language": [{"language": k, **_rates(v)} for k, v in sorted(by_language.items())],
        "by_intent": [{"intent": k, **_rates(v)} for k, v in sorted(by_intent.items())],
    }
