"""The demo brands' help centers: categories and published articles in English drawn from
the Bitext answers (one per intent, with the intent), the key articles in Spanish,
Simplified Chinese and German too, two internal articles, the help-center settings, view
and feedback counts and a few searches for the reports; and resolved conversations that no
article covers, proposed by the knowledge loop."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Sequence

from django.utils import timezone
from django.utils.text import slugify

from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand
from wowdesk.demo import generate, kb_content
from wowdesk.demo.catalog import BrandSpec
from wowdesk.demo.sources import DemoCorpus, SupportExchange, fill_placeholders
from wowdesk.knowledge import loop_services, search
from wowdesk.knowledge.models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    Category,
    HelpCenter,
    SearchLog,
    Source,
)

COLOURS = {"acme": "#2457d6", "globex": "#0f8a5f"}
LOOP_AGE_DAYS = 8  # planted conversations were resolved this long ago at least
# Searches that find nothing, for the reports (query, source, times).
UNANSWERED_SEARCHES: tuple[tuple[str, str, int], ...] = (
    ("gift wrapping", Source.HELP_CENTER, 9),
    ("wifi 6 mesh", Source.WIDGET, 6),
    ("student discount", Source.HELP_CENTER, 4),
    ("Geschenkverpackung", Source.HELP_CENTER, 3),
    ("firmware downgrade", Source.AGENT, 2),
)


def render(body: str) -> str:
    from markdown_it import MarkdownIt

    from wowdesk.conversations.html import sanitize_html

    return sanitize_html(MarkdownIt("commonmark", {"html": False}).render(body))


def fill(text: str, spec: BrandSpec) -> str:
    return text.format(brand=spec.name, phone=spec.phone, site=spec.domain)


def bitext_answer(exchanges: Sequence[SupportExchange], spec: BrandSpec, rng: random.Random) -> str:
    """One of the intent's Bitext answers that quotes no order number, with the brand's
    details in its slots."""
    usable = [e for e in exchanges if not re.search(r"\d{4,}", e.response)] or list(exchanges)
    chosen = rng.choice(sorted(usable, key=lambda e: e.response))
    values = {
        "Customer Support Phone Number": spec.phone,
        "Customer Support Email": spec.support_email,
        "Website Name": spec.name,
        "Website URL": spec.domain,
        "Company Name": spec.name,
        "Live Chat": "live chat",
        "Customer Support Availability": "Monday to Saturday, 8:00–20:00",
    }
    return fill_placeholders(chosen.response, values).replace("\r\n", "\n").strip()


def _article(
    brand: Brand,
    *,
    title: str,
    body: str,
    language: str,
    category: Category | None,
    author: Agent | None,
    now: dt.datetime,
    intent: str = "",
    internal: bool = False,
    translation_of: Article | None = None,
) -> Article:
    article = Article.objects.create(
        brand=brand,
        translation_of=translation_of,
        language=language,
        title=title,
        slug=slugify(title, allow_unicode=True)[:120] or "article",
        body=body,
        body_html=render(body),
        category=category,
        intent=intent,
        internal=internal,
        status=ArticleStatus.PUBLISHED,
        version=1,
        source_version=1 if translation_of is not None else None,
        author=author,
        published_at=now,
    )
    ArticleVersion.objects.create(
        article=article,
        number=1,
        title=title,
        body=body,
        status=ArticleStatus.PUBLISHED,
        author=author,
    )
    return article


def seed_help_center(
    spec: BrandSpec, brand: Brand, corpus: DemoCorpus, author: Agent | None, now: dt.datetime
) -> list[Article]:
    """The brand's help center; returns every article written (translations included)."""
    rng = random.Random(f"wowdesk-demo-kb:{spec.slug}")
    HelpCenter.objects.update_or_create(
        brand=brand,
        defaults={
            "title": f"{spec.name} Help Center",
            "colour": COLOURS.get(spec.slug, "#2457d6"),
            "languages": list(kb_content.HELP_LANGUAGES),
            "fallback_chain": ["en"],
        },
    )
    categories: dict[str, Category] = {}
    for position, (bitext_category, (slug, names)) in enumerate(kb_content.CATEGORIES.items()):
        categories[bitext_category] = Category.objects.create(
            brand=brand, slug=slug, names=dict(names), position=position
        )
    by_intent: dict[str, list[SupportExchange]] = {}
    for ex in corpus.exchanges:
        by_intent.setdefault(ex.intent, []).append(ex)
    written: list[Article] = []
    for intent, title in kb_content.TITLES.items():
        exchanges = by_intent.get(intent)
        if not exchanges:
            continue
        category = categories.get(exchanges[0].category)
        key = kb_content.KEY_ARTICLES.get(intent)
        if key is not None:
            title, body = key["en"]
            body = fill(body, spec)
        else:
            body = bitext_answer(exchanges, spec, rng)
        source = _article(
            brand,
            title=title,
            body=body,
            language="en",
            category=category,
            author=author,
            now=now,
            intent=intent,
        )
        written.append(source)
        for language, (t_title, t_body) in (key or {}).items():
            if language == "en":
                continue
            written.append(
                _article(
                    brand,
                    title=t_title,
                    body=fill(t_body, spec),
                    language=language,
                    category=category,
                    author=author,
                    now=now,
                    intent=intent,
                    translation_of=source,
                )
            )
    for title, category_key, body in kb_content.INTERNAL_ARTICLES:
        written.append(
            _article(
                brand,
                title=title,
                body=body,
                language="en",
                category=categories.get(category_key),
                author=author,
                now=now,
                internal=True,
            )
        )
    _counts(written, rng)
    _searches(brand, rng, now)
    search.on_articles_changed(brand.pk, [a.pk for a in written])
    return written


def _counts(articles: Sequence[Article], rng: random.Random) -> None:
    """Views and "Did this help?" answers, so that the reports have something to show
    (about one public article in six helps nobody)."""
    for article in articles:
        if article.internal:
            continue
        views = rng.randint(25, 600)
        if rng.random() < 0.16:
            yes, no = rng.randint(0, 2), rng.randint(3, 12)
        else:
            yes = rng.randint(views // 20, views // 6)
            no = rng.randint(0, max(1, yes // 4))
        Article.objects.filter(pk=article.pk).update(
            view_count=views, helpful_yes=yes, helpful_no=no
        )


def _searches(brand: Brand, rng: random.Random, now: dt.datetime) -> None:
    rows = []
    for query, source, times in UNANSWERED_SEARCHES:
        for _ in range(times):
            rows.append(SearchLog(brand=brand, query=query, language="", source=source, results=0))
    SearchLog.objects.bulk_create(rows)
    for row in SearchLog.objects.filter(brand=brand, created_at__gte=now - dt.timedelta(hours=1)):
        SearchLog.objects.filter(pk=row.pk).update(
            created_at=now - dt.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 1440))
        )


def plant_loop_cases(
    plans: Sequence[generate.ConversationPlan], spec: BrandSpec, now: dt.datetime
) -> list[generate.ConversationPlan]:
    """Rewrite a few resolved conversations (resolved ``LOOP_AGE_DAYS`` ago or more, in a
    case's language) into questions no article answers: the customer's first message is
    the question, the agent's last reply the answer; the messages between are left out."""
    rng = random.Random(f"wowdesk-demo-loop:{spec.slug}")
    product = spec.products[min(4, len(spec.products) - 1)].name
    cutoff = now - dt.timedelta(days=LOOP_AGE_DAYS)
    free = [
        p
        for p in plans
        if p.status == "resolved" and p.resolved_at is not None and p.resolved_at <= cutoff
    ]
    rng.shuffle(free)
    planted: list[generate.ConversationPlan] = []
    for case in kb_content.LOOP_CASES:
        plan = next((p for p in free if p.language == case.language and _rewritable(p)), None)
        if plan is None:
            continue
        free.remove(plan)
        _rewrite(plan, case, product)
        planted.append(plan)
    return planted


def _rewritable(plan: generate.ConversationPlan) -> bool:
    talk = [m for m in plan.messages if m.direction in (generate.IN, generate.OUT)]
    return (
        bool(talk)
        and talk[0].direction == generate.IN
        and any(m.direction == generate.OUT and m.author is not None for m in talk)
    )


def _rewrite(plan: generate.ConversationPlan, case: kb_content.LoopCase, product: str) -> None:
    first_in = next(m for m in plan.messages if m.direction == generate.IN)
    last_out = [m for m in plan.messages if m.direction == generate.OUT and m.author is not None][
        -1
    ]
    first_in.body = case.question.format(product=product)
    last_out.body = case.answer.format(product=product)
    plan.subject = case.subject
    plan.messages = [
        m
        for m in plan.messages
        if m is first_in or m is last_out or m.direction not in (generate.IN, generate.OUT)
    ]


def propose_planted(brand: Brand, plans: Sequence[generate.ConversationPlan]) -> int:
    """Run the knowledge loop over the planted conversations (their wait is over)."""
    made = 0
    for conversation in Conversation.objects.filter(
        brand=brand, number__in=[p.number for p in plans]
    ).order_by("number"):
        loop_services.record_candidate(
            conversation.pk, brand.pk, conversation.resolved_at or timezone.now()
        )
    made += loop_services.run_due(limit=len(plans) + 10, brand_id=brand.pk)
    return made
