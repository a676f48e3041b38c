"""The public help center's writes: article views, "Did this help?" answers, and the
"Contact us" form, which opens a conversation through the one ingest path.

Views and the widget endpoint parse input and call these; nothing else writes these
counters or feedback rows (``knowledge.services`` writes the articles themselves).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.channels.ingest import ingest
from wowdesk.channels.schema import InboundIn
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core import i18n as i18n_text
from wowdesk.core import ratelimit
from wowdesk.core.errors import InvalidInput
from wowdesk.core.input import check_line
from wowdesk.customers.identity import InvalidAddress, normalize_email
from wowdesk.knowledge.models import Article, ArticleFeedback, Source

MAX_COMMENT = 2000
MAX_NAME = 200
MAX_MESSAGE = 5000
# "Contact us" sends per client address and brand: 5 in 10 minutes.
CONTACT_RATE = ratelimit.Rate(5, 600.0)


def record_view(article_id: int) -> None:
    """One view of an article (the row is its language): one UPDATE, no read."""
    Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)


@transaction.atomic
def record_feedback(
    article_id: int, *, helpful: bool, comment: str = "", source: str = Source.HELP_CENTER
) -> ArticleFeedback:
    """A "Did this help?" answer: the feedback row and the article's counter."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(
            _("A comment is at most %(n)s characters.") % {"n": MAX_COMMENT}, field="comment"
        )
    if "\x00" in comment:
        raise InvalidInput(_("The comment contains a NUL character."), field="comment")
    counter = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article_id).update(**{counter: F(counter) + 1})
    return ArticleFeedback.objects.create(
        article_id=article_id, helpful=helpful, comment=comment, source=source
    )


@dataclass(frozen=True)
class Trail:
    """What the customer searched and read in the help center before writing."""

    searches: list[str]
    articles: list[dict[str, Any]]  # {"id", "title", "url"}


@dataclass(frozen=True)
class ContactResult:
    conversation_id: int | None
    message_id: int | None


def check_contact_rate(brand_id: int, client: str) -> None:
    """Count one "Contact us" send of this client address in this brand (RateLimited)."""
    ratelimit.check(f"help-contact:{brand_id}:{client}", CONTACT_RATE, field="message")


def clean_contact(name: str, email: str, message: str) -> tuple[str, str, str]:
    """The form's values, checked: each refusal names its field."""
    name = (name or "").strip()
    check_line(name, "name", max_length=MAX_NAME)
    email = (email or "").strip()
    if not email:
        raise InvalidInput(_("Enter your email address."), field="email")
    try:
        email = normalize_email(email)
    except InvalidAddress as exc:
        raise InvalidInput(_("This email address is not valid."), field="email") from exc
    message = (message or "").strip()
    if not message:
        raise InvalidInput(_("Write your message."), field="message")
    if len(message) > MAX_MESSAGE:
        raise InvalidInput(
            _("A message is at most %(n)s characters.") % {"n": MAX_MESSAGE}, field="message"
        )
    if "\x00" in message:
        raise InvalidInput(_("The message contains a NUL character."), field="message")
    return name, email, message


def contact(
    brand_id: int,
    *,
    name: str,
    email: str,
    message: str,
    language: str,
    trail: Trail,
) -> ContactResult:
    """ "Contact us": a new conversation in the brand's default email inbox (replies reach
    the customer by email), stored first through the one ingest path like any inbound
    item; the searches and articles of the visit are kept on the message
    (``meta.help_center``) and shown to agents as an activity line of the conversation."""
    name, email, message = clean_contact(name, email, message)
    searches = [s[:300] for s in trail.searches][-10:]
    articles = [
        {"id": int(a["id"]), "title": str(a["title"])[:300], "url": str(a["url"])[:500]}
        for a in trail.articles
    ][-10:]
    item = InboundIn.model_validate(
        {
            "channel": "email",
            # a Message-ID shape: the agent's reply names it in In-Reply-To
            "external_id": f"<help-{uuid.uuid4().hex}@help.wowdesk>",
            "from": {"name": name, "email": email},
            "subject": _first_line(message),
            "body": message,
            "meta": {
                "help_center": {
                    "language": language,
                    "searches": searches,
                    "articles": articles,
                }
            },
        }
    )
    result = ingest(brand_id, item)
    if result.conversation_id is not None and (searches or articles):
        with transaction.atomic():
            conversation = Conversation.objects.select_related("inbox").get(
                pk=result.conversation_id
            )
            spec = i18n_text.deferred(
                gettext_noop(
                    "Before writing, the customer searched the help center for: %(searches)s; "
                    "and read: %(articles)s"
                ),
                searches=", ".join(f"“{s}”" for s in searches) or "—",
                articles=", ".join(f"{a['title']} ({a['url']})" for a in articles) or "—",
            )
            conversations.add_activity(
                conversation,
                i18n_text.render(spec),
                actor=None,
                meta={"help_center": {"searches": searches, "articles": articles}},
                i18n=spec,
            )
    return ContactResult(result.conversation_id, result.message_id)


def _first_line(body: str, limit: int = 80) -> str:
    line = body.strip().splitlines()[0].strip() if body.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
