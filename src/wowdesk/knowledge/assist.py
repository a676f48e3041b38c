"""Knowledge for agents: the articles and macros suggested for a conversation's latest
customer message, and the "Suggestions" panel of the workspace.

``suggestions_for(conversation)`` is the one reader the API
(``GET /api/v1/conversations/{id}/suggestions``) and the panel share. It is computed once
per customer message and kept in the cache under the message's id (and the brand's
generation of "Solved it" marks: a new mark makes the brand's entries stale).

Ranking (docs/knowledge-assist.md):

* articles: ``knowledge.search.search_articles`` in the customer's language (internal
  articles too), each shown in the customer's language when that translation is published,
  else in its source language;
* macros: the cosine similarity of the message and each macro's name and body (the
  multilingual sentence encoder of ``intelligence.emotion``; a macro's vector is kept per
  hash of its text), one variant per macro name (the customer's language first);
* both: a suggestion agents marked "Solved it" in the brand before gets
  ``score × (1 + SOLVED_BONUS × min(marks, SOLVED_CAP))`` — at most +50 %, so a mark
  lifts a suggestion that already matches the message above a similar one, and never
  brings in one that does not match (only what the search or the macro threshold already
  found is boosted).
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse

from wowdesk.conversations.models import Conversation, Direction, Macro, Message
from wowdesk.knowledge import bot_texts
from wowdesk.knowledge.models import Article, ArticleStatus, SuggestionUse

ARTICLES_SHOWN = 5
ARTICLES_FETCHED = 10  # candidates from the search, before the "Solved it" boost
MACROS_SHOWN = 3
MACRO_MIN_SIMILARITY = 0.2  # unrelated macros measure 0.05-0.15, a cross-lingual match 0.3+
SOLVED_BONUS = 0.1
SOLVED_CAP = 5
SNIPPET_CHARS = 200
QUERY_CHARS = 2000  # what of a long message is searched and compared
CACHE_SECONDS = 600
_MACRO_VECTORS_MAX = 10_000
_MACRO_MATRICES_MAX = 256


def register() -> None:
    """Listeners, panels and jobs of this part (called from ``KnowledgeConfig.ready``)."""
    from wowdesk.web.panels import register_panel

    register_panel(
        "suggestions", "knowledge/_suggestions_panel.html", order=20, context=panel_context
    )


def panel_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """The panel loads its content after the page (no query here: the page stays fast)."""
    return {
        "url": reverse("knowledge:assist-suggestions", args=[conversation.pk]),
        "search_url": reverse("knowledge:assist-search"),
        "conversation_id": conversation.pk,
    }


# --- pure helpers -------------------------------------------------------------------------


def boosted(score: float, solved: int) -> float:
    """A suggestion's score after its "Solved it" marks: + 10 % a mark, at most + 50 %."""
    return score * (1.0 + SOLVED_BONUS * min(max(solved, 0), SOLVED_CAP))


_FENCE = re.compile(r"^[ \t]*(```|~~~).*$", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_HEADING = re.compile(r"^[ ]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
_QUOTE = re.compile(r"^[ ]{0,3}>[ ]?", re.MULTILINE)
_BULLET = re.compile(r"^([ \t]*)[*+-][ \t]+", re.MULTILINE)
_RULE = re.compile(r"^[ ]{0,3}([-*_])([ \t]*\1){2,}[ \t]*$", re.MULTILINE)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPH = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`([^`]*)`")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_BLANKS = re.compile(r"\n{3,}")


def markdown_to_text(markdown: str) -> str:
    """Plain text of an article's Markdown, for a reply: no markup, links as
    ``text (URL)``, list items as ``- item``, paragraphs kept."""
    text = markdown.replace("\r\n", "\n")
    text = _FENCE.sub("", text)
    text = _RULE.sub("", text)
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(
        lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})",
        text,
    )
    text = _AUTOLINK.sub(lambda m: m.group(1), text)
    text = _HEADING.sub(lambda m: m.group(1), text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub(lambda m: f"{m.group(1)}- ", text)
    text = _STRONG.sub(lambda m: m.group(2), text)
    text = _EMPH.sub(lambda m: m.group(2), text)
    text = _CODE.sub(lambda m: m.group(1), text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def _base(code: str | None) -> str:
    return (code or "").split("-")[0].split("_")[0].lower()


# --- reading --------------------------------------------------------------------------------


# A reply this short that only answers the bot or thanks ("2", "necesito más ayuda",
# "talk to a person", "sí") says nothing to search for: the question before it does.
SHORT_REPLY_CHARS = 40
RECENT_MESSAGES = 5


def _says_something(message: Message) -> bool:
    body = message.body.strip()
    return len(body) > SHORT_REPLY_CHARS or bot_texts.reading(body) == "question"


def latest_customer_message(conversation: Conversation) -> Message | None:
    """The newest message the customer wrote in ``conversation`` that asks something: a
    short "2", "I need more help" or "thanks" after it is passed over for the question
    before it (among the last few; else the newest). One query."""
    recent = list(
        Message.objects.filter(conversation=conversation, direction=Direction.IN)
        .only("id", "body", "language", "conversation_id", "created_at")
        .order_by("-created_at", "-id")[:RECENT_MESSAGES]
    )
    return next((m for m in recent if _says_something(m)), recent[0] if recent else None)


def customer_language(conversation: Conversation, message: Message | None) -> str:
    return (message.language if message is not None else "") or conversation.language or ""


def localised(
    rows: Sequence[Article], source_ids: Sequence[int], language: str
) -> dict[int, Article]:
    """For each source id, the published row in ``language`` (base codes compared: ``es``
    matches ``es-MX``), else the published source row."""
    wanted = _base(language)
    best: dict[int, tuple[int, Article]] = {}
    for row in rows:
        if row.status != ArticleStatus.PUBLISHED:
            continue
        sid = row.source_id
        rank = 0 if wanted and _base(row.language) == wanted else (1 if row.pk == sid else 2)
        if rank == 2:
            continue
        if sid not in best or rank < best[sid][0]:
            best[sid] = (rank, row)
    return {sid: best[sid][1] for sid in source_ids if sid in best}


def article_rows(
    brand_id: int, source_ids: Sequence[int], language: str | None = None
) -> list[Article]:
    """The published rows (sources and translations) of these articles, in one query;
    with ``language``, only the translations in that language (base codes compared) —
    what :func:`localised` picks from."""
    if not source_ids:
        return []
    translations = Q(translation_of_id__in=source_ids)
    wanted = _base(language)
    if language is not None:
        translations &= (
            Q(language__iexact=wanted)
            | Q(language__istartswith=f"{wanted}-")
            | Q(language__istartswith=f"{wanted}_")
            if wanted
            else Q(pk__in=[])
        )
    return list(
        Article.objects.filter(brand_id=brand_id, status=ArticleStatus.PUBLISHED)
        .filter(Q(pk__in=source_ids) | translations)
        .select_related("brand")
        .only(
            "id",
            "brand__slug",
            "translation_of_id",
            "language",
            "title",
            "slug",
            "body",
            "internal",
            "status",
        )
    )


def article_in_language(article: Article, language: str) -> Article:
    """``article`` in ``language`` when that translation is published, else its source
    row (when published), else the row itself."""
    rows = article_rows(article.brand_id, [article.source_id])
    return localised(rows, [article.source_id], language).get(article.source_id, article)


def article_url(article: Article) -> str:
    """The public help-center address of a public article ("" for an internal one)."""
    if article.internal:
        return ""
    from wowdesk.knowledge.help_views import article_url as help_article_url

    return help_article_url(article.brand.slug, article)


def solved_counts(brand_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """ "Solved it" marks in the brand: by article source id, and by macro id (one query)."""
    by_article: dict[int, int] = {}
    by_macro: dict[int, int] = {}
    rows = (
        SuggestionUse.objects.filter(brand_id=brand_id, action=SuggestionUse.Action.SOLVED)
        .values("article_id", "article__translation_of_id", "macro_id")
        .annotate(n=Count("id"))
    )
    for row in rows:
        if row["article_id"] is not None:
            sid = row["article__translation_of_id"] or row["article_id"]
            by_article[sid] = by_article.get(sid, 0) + row["n"]
        elif row["macro_id"] is not None:
            by_macro[row["macro_id"]] = by_macro.get(row["macro_id"], 0) + row["n"]
    return by_article, by_macro


# --- macro similarity -----------------------------------------------------------------------

_macro_vectors: dict[str, Any] = {}
_macro_matrices: dict[str, Any] = {}
_macro_lock = threading.Lock()


_VARIABLE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def _macro_text(macro: Macro) -> str:
    """What a macro is compared on: its name and body, without its variables."""
    body = " ".join(_VARIABLE.sub(" ", macro.body).split())
    return f"{macro.name}. {body}"


def macro_matrix(macros: Sequence[Macro]) -> Any:
    """The macros' vectors stacked in one matrix (a row per macro, in order), kept per
    fingerprint of the macros' texts: a brand's unchanged macros are stacked once, a
    changed macro is encoded again."""
    import numpy as np

    from wowdesk.intelligence.emotion import embed

    keys = [hashlib.sha1(_macro_text(m).encode("utf-8")).hexdigest() for m in macros]
    fingerprint = hashlib.sha1("\n".join(keys).encode("ascii")).hexdigest()
    with _macro_lock:
        matrix = _macro_matrices.get(fingerprint)
        if matrix is not None:
            return matrix
        missing = [i for i, k in enumerate(keys) if k not in _macro_vectors]
    if missing:
        vectors = embed([_macro_text(macros[i]) for i in missing])
        with _macro_lock:
            if len(_macro_vectors) + len(missing) > _MACRO_VECTORS_MAX:
                _macro_vectors.clear()
            for i, vec in zip(missing, vectors, strict=True):
                _macro_vectors[keys[i]] = vec
    with _macro_lock:
        matrix = np.stack([_macro_vectors[k] for k in keys]).astype(np.float32, copy=False)
        if len(_macro_matrices) >= _MACRO_MATRICES_MAX:
            _macro_matrices.clear()
        _macro_matrices[fingerprint] = matrix
    return matrix


def macro_similarities(
    text: str, macros: Sequence[Macro], query_vector: Any | None = None
) -> list[float]:
    """Cosine similarity of ``text`` and each macro's name and body; ``query_vector``:
    the text's embedding when the caller has it (else it is encoded here)."""
    if not macros or not text.strip():
        return [0.0] * len(macros)
    from wowdesk.knowledge.search import embed_query

    query = embed_query(text) if query_vector is None else query_vector
    return [float(s) for s in macro_matrix(macros) @ query]


# --- suggestions -----------------------------------------------------------------------------


def _generation_key(brand_id: int) -> str:
    return f"kb-assist-gen:{brand_id}"


def bump_generation(brand_id: int) -> None:
    """Make the brand's cached suggestions stale (after a "Solved it" mark)."""
    key = _generation_key(brand_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def suggestions_for(conversation: Conversation) -> dict[str, Any]:
    """``{"message_id", "language", "articles": [...], "macros": [...]}`` for the
    conversation's latest customer message (empty lists when it has none)."""
    message = latest_customer_message(conversation)
    language = customer_language(conversation, message)
    if message is None or not message.body.strip():
        return {"message_id": None, "language": language, "articles": [], "macros": []}
    generation = cache.get(_generation_key(conversation.brand_id), 0)
    key = f"kb-assist:{conversation.brand_id}:{generation}:{message.pk}"
    found = cache.get(key)
    if found is None:
        found = _compute(conversation, message, language, generation)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _solved(brand_id: int, generation: int) -> tuple[dict[int, int], dict[int, int]]:
    """:func:`solved_counts`, cached per generation of the brand's marks (a new mark bumps
    the generation)."""
    key = f"kb-assist-solved:{brand_id}:{generation}"
    found = cache.get(key)
    if found is None:
        found = solved_counts(brand_id)
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


def _compute(
    conversation: Conversation, message: Message, language: str, generation: int = 0
) -> dict[str, Any]:
    from wowdesk.conversations import services as conversations
    from wowdesk.knowledge import search

    brand_id = conversation.brand_id
    text = message.body[:QUERY_CHARS]
    vector = search.embed_query(text) if text.strip() else None  # articles and macros
    hits = search.search_articles(
        brand_id,
        text,
        language=language or None,
        include_internal=True,
        limit=ARTICLES_FETCHED,
        query_vector=vector,
    )
    solved_articles, solved_macros = _solved(brand_id, generation)
    source_ids = list(dict.fromkeys(h.source_id for h in hits))
    shown = localised(article_rows(brand_id, source_ids, language), source_ids, language)
    candidates: list[tuple[float, Any, Article]] = []
    seen: set[int] = set()
    for hit in hits:
        row = shown.get(hit.source_id)
        if row is None or hit.source_id in seen:
            continue
        seen.add(hit.source_id)
        score = round(boosted(hit.score, solved_articles.get(hit.source_id, 0)), 6)
        candidates.append((score, hit, row))
    candidates.sort(key=lambda c: -c[0])
    articles: list[dict[str, Any]] = []
    for score, hit, row in candidates[:ARTICLES_SHOWN]:  # text and URL of the shown only
        plain = markdown_to_text(row.body)
        snippet = hit.snippet if row.pk == hit.article_id and hit.snippet else plain
        articles.append(
            {
                "id": row.pk,
                "source_id": hit.source_id,
                "title": row.title,
                "language": row.language,
                "internal": row.internal,
                "score": score,
                "solved": solved_articles.get(hit.source_id, 0),
                "snippet": snippet[:SNIPPET_CHARS],
                "url": article_url(row),
                "text": plain,
            }
        )
    macros = conversations.macros_for(conversation)
    similarities = macro_similarities(text, macros, vector)
    ranked: list[dict[str, Any]] = []
    for macro, similarity in zip(macros, similarities, strict=True):
        if similarity < MACRO_MIN_SIMILARITY:
            continue
        ranked.append(
            {
                "id": macro.pk,
                "name": macro.name,
                "language": macro.language,
                "score": round(boosted(similarity, solved_macros.get(macro.pk, 0)), 6),
                "solved": solved_macros.get(macro.pk, 0),
                "body": macro.body,
            }
        )
    ranked.sort(key=lambda m: -m["score"])
    return {
        "message_id": message.pk,
        "language": language,
        "articles": articles,
        "macros": ranked[:MACROS_SHOWN],
    }
