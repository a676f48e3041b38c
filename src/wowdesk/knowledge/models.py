"""Knowledge base: articles in many languages, their versions, feedback and the search log;
the answer bot's sessions and the proposals of the knowledge loop.

One article in several languages is one *source* row (``translation_of`` is null) and one row
per translation pointing at it. A translation records the source's ``version`` it was made
from (``source_version``): when the source's version is higher, the translation is out of date.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.conversations.models import Conversation, Inbox, Macro, Message
from wowdesk.core.models import Agent, Brand


class HelpCenter(models.Model):
    """A brand's public help center at ``/help/<brand-slug>/``: its look and languages."""

    brand = models.OneToOneField(
        Brand, on_delete=models.CASCADE, related_name="help_center", verbose_name=_("brand")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#2457d6")
    logo = models.FileField(_("logo"), upload_to="help/logos/", blank=True)
    # Languages offered in the picker, in order; empty means every language with an article.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # Languages tried after the asked one when an article has no translation in it, before
    # the article's source language (the brand's default language is always last).
    fallback_chain = models.JSONField(_("fallback languages"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("help center")
        verbose_name_plural = _("help centers")

    def __str__(self) -> str:
        return self.title or str(self.brand_id)


class Category(models.Model):
    """A category of the help center; a category with a ``parent`` is a section of it."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name=_("category"),
    )
    slug = models.SlugField(_("slug"), max_length=80)
    # {"en": "Orders", "es": "Pedidos"}: the name per language (the brand's default first)
    names = models.JSONField(_("names"), default=dict)
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "slug"], name="kb_category_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.slug


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Article(models.Model):
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    language = models.CharField(_("language"), max_length=16)
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, allow_unicode=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("body (sanitised HTML)"), blank=True, editable=False)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("category"),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    products = models.JSONField(_("related products"), default=list, blank=True)
    # The intent this article answers (the answer bot's label), blank when none.
    intent = models.CharField(_("intent"), max_length=100, blank=True, db_index=True)
    internal = models.BooleanField(_("internal (agents only)"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    source_version = models.PositiveIntegerField(
        _("source version translated"), null=True, blank=True
    )
    author = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_yes = models.PositiveIntegerField(_("helped"), default=0)
    helpful_no = models.PositiveIntegerField(_("did not help"), default=0)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["brand", "status", "language"]),
            models.Index(fields=["brand", "category", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                condition=models.Q(translation_of__isnull=False),
                name="kb_one_translation_per_language",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def source_id(self) -> int:
        """The id shared by an article and all its translations."""
        return self.translation_of_id or self.pk


class ArticleVersion(models.Model):
    """What an article said at each saved version, with who saved it and when."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ArticleStatus.choices)
    author = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleAttachment(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("article")
    )
    file = models.FileField(_("file"), upload_to="kb/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")

    def __str__(self) -> str:
        return self.filename


class Source(models.TextChoices):
    """Where a search, a view or a piece of feedback came from."""

    HELP_CENTER = "help_center", _("Help center")
    WIDGET = "widget", _("Chat widget")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Answer bot")
    API = "api", _("API")


class ArticleFeedback(models.Model):
    """One "Did this help?" answer on a public article (the article row is its language)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("article")
    )
    helpful = models.BooleanField(_("helped"))
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.HELP_CENTER
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")

    def __str__(self) -> str:
        return f"{self.article_id}: {self.helpful}"


class SearchLog(models.Model):
    """One search of the knowledge base, kept for the reports (searches with no result)."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    query = models.CharField(_("query"), max_length=300)
    language = models.CharField(_("language"), max_length=16, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    results = models.PositiveIntegerField(_("results"), default=0)
    top_article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("top article"),
    )
    top_score = models.FloatField(_("top score"), null=True, blank=True)
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("knowledge search")
        verbose_name_plural = _("knowledge searches")
        indexes = [models.Index(fields=["brand", "created_at"])]

    def __str__(self) -> str:
        return self.query


class SuggestionUse(models.Model):
    """An agent used a suggestion on a conversation: inserted it, or marked that it solved it."""

    class Action(models.TextChoices):
        INSERTED = "inserted", _("Inserted")
        SOLVED = "solved", _("Solved it")

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="+", verbose_name=_("conversation")
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="uses",
        verbose_name=_("article"),
    )
    macro = models.ForeignKey(
        Macro,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("macro"),
    )
    agent = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("suggestion use")
        verbose_name_plural = _("suggestion uses")
        indexes = [models.Index(fields=["brand", "action", "article"])]

    def __str__(self) -> str:
        return f"{self.action} {self.article_id or self.macro_id}"


class BotSession(models.Model):
    """The answer bot's part in one conversation: what it understood, what it answered, how
    it ended. ``outcome`` counts a bot resolution only when the customer confirmed it or did
    not come back within 24 hours (the two apart)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for the customer")
        CONFIRMED = "confirmed", _("Resolved: the customer confirmed")
        NO_RETURN = "no_return", _("Resolved: the customer did not come back")
        HANDED_OVER = "handed_over", _("Handed over to a person")

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="+", verbose_name=_("conversation")
    )
    inbox = models.ForeignKey(
        Inbox,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inbox"),
    )
    language = models.CharField(_("language"), max_length=16, blank=True)
    intent = models.CharField(_("intent"), max_length=100, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("article"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    handover_reason = models.CharField(_("hand-over reason"), max_length=40, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # The last customer message the bot read (a message handled twice is answered once).
    last_message_id = models.BigIntegerField(_("last message read"), null=True, blank=True)
    # What the bot tried, one entry per customer question:
    # {"question", "intent", "confidence", "article_id", "answered"}.
    tried = models.JSONField(_("what was tried"), default=list, blank=True)
    started_at = models.DateTimeField(auto_now_add=True, verbose_name=_("started at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer-bot session")
        verbose_name_plural = _("answer-bot sessions")
        indexes = [
            models.Index(fields=["brand", "started_at"]),
            models.Index(fields=["outcome", "answered_at"]),
            models.Index(fields=["conversation", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.outcome}"


class Proposal(models.Model):
    """A proposed change to the knowledge base for the knowledge managers: a new article drawn
    from a resolved conversation (the knowledge loop), or an agent's proposed edit. Similar
    proposals share a ``group`` (the first proposal of the group)."""

    class Kind(models.TextChoices):
        NEW_ARTICLE = "new_article", _("New article")
        EDIT = "edit", _("Edit")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    group = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("group"),
    )
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conversation"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("article"),
    )
    language = models.CharField(_("language"), max_length=16)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"))
    # the closest article when the proposal was made (the knowledge loop's coverage check)
    best_similarity = models.FloatField(_("closest article similarity"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    decided_by = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("knowledge proposal")
        verbose_name_plural = _("knowledge proposals")
        indexes = [models.Index(fields=["brand", "status", "created_at"])]

    def __str__(self) -> str:
        return self.title


def new_index_key() -> str:
    return uuid.uuid4().hex


class SearchIndexState(models.Model):
    """A brand's search-index version: bumped on every change to its published articles,
    so every process holding the index in memory notices it is stale (knowledge/search.py)."""

    brand = models.OneToOneField(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    #: Random per row: an index saved for a deleted and re-created brand row is not reused.
    key = models.CharField(_("key"), max_length=32, default=new_index_key, editable=False)
    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("search index state")
        verbose_name_plural = _("search index states")

    def __str__(self) -> str:
        return f"{self.brand_id} v{self.version}"


class LoopCandidate(models.Model):
    """A resolved conversation the knowledge loop looks at once it has stayed resolved for
    ``WOWDESK_KB_PROPOSAL_DAYS`` (``knowledge.loop``): it may become a proposed article."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PROPOSED = "proposed", _("Proposed")
        COVERED = "covered", _("An article covers it")
        SKIPPED = "skipped", _("Skipped")

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand")
    )
    conversation = models.OneToOneField(
        Conversation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("conversation"),
    )
    resolved_at = models.DateTimeField(_("resolved at"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("knowledge loop candidate")
        verbose_name_plural = _("knowledge loop candidates")
        indexes = [models.Index(fields=["state", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.state}"
