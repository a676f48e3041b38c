"""The inbox's read side: which conversations a view shows, in what order, and the counts
in the sidebar. Every function costs a fixed number of queries, however many rows match.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Channel, Conversation, Inbox, Status
from wowdesk.conversations.search import MESSAGE_WORDS
from wowdesk.core import textsearch
from wowdesk.core.input import check_line
from wowdesk.core.models import Agent
from wowdesk.core.permissions import visible_brand_ids
from wowdesk.routing.models import ConversationSla, SlaState

PAGE_SIZE = 25
MAX_SEARCH = 200  # characters of a search (the API's ``q`` has the same limit)
COUNTS_TTL = 15  # seconds
SLA_SOON = dt.timedelta(hours=1)
NO_LANGUAGE = "und"  # the sidebar's "unknown" language: conversations with none detected

VIEWS: dict[str, Any] = {
    "mine": _("Mine"),
    "unassigned": _("Not assigned"),
    "team": _("My teams"),
    "all": _("All"),
    "waiting": _("Waiting longest"),
    "sla": _("SLA due soon"),
    "undelivered": _("Undelivered"),
}
STATUS_CHOICES: list[tuple[str, Any]] = [*Status.choices, ("any", _("Any status"))]
SORTS: dict[str, tuple[Any, tuple[str | OrderBy, ...]]] = {
    "updated": (_("Recently updated"), ("-updated_at", "-id")),
    "oldest": (_("Least recently updated"), ("updated_at", "id")),
    "waiting": (_("Waiting longest"), (F("waiting_since").asc(nulls_last=True), "id")),
    "created": (_("Newest"), ("-created_at", "-id")),
}


@dataclass
class InboxQuery:
    """What the agent asked for, parsed from the query string: an unknown choice falls
    back to the default; over-long or broken text (``q``, ``language``) is refused
    (``BadInput``, the field named)."""

    view: str = "mine"
    status: str = Status.OPEN
    language: str = ""
    channel: str = ""
    q: str = ""
    sort: str = "updated"
    page: int = 1
    errors: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: QueryDict) -> InboxQuery:
        out = cls()
        view = params.get("view", "mine")
        out.view = view if view in VIEWS else "mine"
        status = params.get("status", Status.OPEN)
        out.status = status if status in dict(STATUS_CHOICES) else Status.OPEN
        out.language = check_line(params.get("language", ""), "language", max_length=16)
        out.language = out.language.strip().lower()
        channel = params.get("channel", "")
        out.channel = channel if channel in Channel.values else ""
        out.q = check_line(params.get("q", ""), "q", max_length=MAX_SEARCH).strip()
        sort = params.get("sort", "")
        out.sort = sort if sort in SORTS else ("waiting" if out.view == "waiting" else "updated")
        try:
            out.page = max(1, min(int(params.get("page", "1")), 10_000))
        except ValueError:
            out.page = 1
        return out

    def params(self, **over: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "view": self.view,
            "status": self.status,
            "language": self.language,
            "channel": self.channel,
            "q": self.q,
            "sort": self.sort,
            "page": self.page,
        }
        data.update(over)
        defaults = {"status": Status.OPEN, "sort": "updated", "page": 1}
        return {k: v for k, v in data.items() if v not in ("", None) and defaults.get(k) != v}

    def querystring(self, **over: Any) -> str:
        return urlencode(self.params(**over))


def team_ids(agent: Agent) -> list[int]:
    cached: list[int] | None = getattr(agent, "_team_ids", None)
    if cached is None:
        cached = list(agent.teams.values_list("id", flat=True))
        agent._team_ids = cached  # type: ignore[attr-defined]
    return cached


def base(agent: Agent) -> QuerySet[Conversation]:
    return Conversation.objects.filter(brand_id__in=visible_brand_ids(agent))


def view_filter(view: str, agent: Agent, now: dt.datetime) -> Q:
    if view == "mine":
        return Q(assignee_id=agent.pk)
    if view == "unassigned":
        return Q(assignee__isnull=True)
    if view == "team":
        return Q(team_id__in=team_ids(agent))
    if view == "waiting":
        return Q(waiting_since__isnull=False)
    if view == "sla":
        return Q(sla__due_at__isnull=False, sla__due_at__lte=now + SLA_SOON) | Q(
            sla__state__in=[SlaState.WARNING, SlaState.BREACHED]
        )
    if view == "undelivered":
        return ~Q(delivery_issue="")
    return Q()


def search(qs: QuerySet[Conversation], term: str) -> QuerySet[Conversation]:
    """A number, or text in the subject, the customer's name or email, or any message."""
    matches = conversations.ids_matching(term)
    said = textsearch.group_ids(MESSAGE_WORDS, term)
    if said is not None:
        in_bodies = Conversation.objects.order_by().filter(pk__in=said)
        matches = matches.union(in_bodies.values(g=F("pk")))
    # read once (SQLite): the list's count and its page use the same ids
    return qs.filter(textsearch.Matches.of(matches).members())


def filtered(agent: Agent, query: InboxQuery, now: dt.datetime | None = None) -> QuerySet[Any]:
    now = now or timezone.now()
    qs = base(agent).filter(view_filter(query.view, agent, now))
    if query.status != "any":
        qs = qs.filter(status=query.status)
    if query.language:
        qs = qs.filter(language="" if query.language == NO_LANGUAGE else query.language)
    if query.channel:
        qs = qs.filter(inbox__channel=query.channel)
    if query.q:
        qs = search(qs, query.q)
    order = SORTS[query.sort][1]
    if query.view == "sla" and query.sort == "updated":
        order = (F("sla__due_at").asc(nulls_last=True), "id")
    return qs.order_by(*order)


# The columns a list row shows (web.present.conversation_rows); no JSON columns to decode.
ROW_FIELDS = (
    "id",
    "number",
    "subject",
    "status",
    "priority",
    "language",
    "updated_at",
    "customer_id",
    "inbox_id",
    "assignee_id",
    "customer__name",
    "customer__email",
    "customer__phone",
    "inbox__channel",
    "assignee__display_name",
    "sla__due_at",
    "sla__state",
    "delivery_issue",
)


@dataclass
class Page:
    rows: list[Conversation]
    has_next: bool
    has_previous: bool


def page_of(agent: Agent, query: InboxQuery) -> Page:
    """One page: two queries (the page's ids from the sort index, then those rows joined)."""
    start = (query.page - 1) * PAGE_SIZE
    qs = filtered(agent, query)
    ids = list(qs.values_list("pk", flat=True)[start : start + PAGE_SIZE + 1])
    has_next = len(ids) > PAGE_SIZE
    ids = ids[:PAGE_SIZE]
    rows: list[Conversation] = []
    if ids:
        by_id = {
            c.pk: c
            for c in Conversation.objects.filter(pk__in=ids)
            .select_related("customer", "inbox", "assignee", "sla")
            .only(*ROW_FIELDS)
        }
        rows = [by_id[i] for i in ids if i in by_id]
    return Page(rows=rows, has_next=has_next, has_previous=query.page > 1)


@dataclass
class Counts:
    views: dict[str, int]
    languages: list[tuple[str, int]]
    channels: list[tuple[str, Any, int]]


def _generation_key(brand_id: int) -> str:
    return f"wowdesk:inbox-generation:{brand_id}"


def bump_counts(brand_id: int) -> None:
    """A conversation of the brand changed (status, assignee, team, delivery): the
    sidebar counts kept for its agents are stale from now on."""
    key = _generation_key(brand_id)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between the two calls
        cache.set(key, 1, timeout=None)


def counts(agent: Agent, now: dt.datetime | None = None) -> Counts:
    """Sidebar counts of the open conversations, kept in the cache until a conversation of
    one of the agent's brands changes (``bump_counts``, called by the live listeners) and at
    most ``COUNTS_TTL`` seconds (new conversations arrive without a bump, on the ingest
    path): they cost a scan of every open conversation (tens of ms at 15,000 open), too
    much for each page view."""
    brand_ids = sorted(visible_brand_ids(agent))
    brands = ",".join(map(str, brand_ids))
    teams = ",".join(map(str, team_ids(agent)))
    found_generations = cache.get_many([_generation_key(b) for b in brand_ids])
    generations = ",".join(str(found_generations.get(_generation_key(b), 0)) for b in brand_ids)
    key = f"wowdesk:inbox-counts:{agent.pk}:{get_language() or ''}:{brands}:{teams}:{generations}"
    found: Counts | None = cache.get(key)
    if found is None:
        found = count_open(agent, now)
        cache.set(key, found, COUNTS_TTL)
    return found


def count_open(agent: Agent, now: dt.datetime | None = None) -> Counts:
    """Counts of the open conversations (the work waiting; a count over every resolved
    conversation would grow with the history): one scan grouped by language and inbox, with
    a conditional count per view, plus the inboxes' channels. Two queries."""
    now = now or timezone.now()
    sla_soon = ConversationSla.objects.filter(
        Q(due_at__lte=now + SLA_SOON) | Q(state__in=[SlaState.WARNING, SlaState.BREACHED])
    ).values("conversation_id")
    filters = {name: view_filter(name, agent, now) for name in VIEWS}
    filters["sla"] = Q(pk__in=sla_soon)
    rows = (
        base(agent)
        .filter(status=Status.OPEN)
        .order_by()
        .values("language", "inbox_id")
        .annotate(**{f"n_{name}": Count("pk", filter=q) for name, q in filters.items()})
    )
    channel_of = dict(
        Inbox.objects.filter(brand_id__in=visible_brand_ids(agent)).values_list("id", "channel")
    )
    views = dict.fromkeys(VIEWS, 0)
    by_language: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    for row in rows:
        for name in VIEWS:
            views[name] += int(row[f"n_{name}"])
        n = int(row["n_all"])
        if n:
            by_language[row["language"] or ""] = by_language.get(row["language"] or "", 0) + n
            ch = channel_of.get(row["inbox_id"], "")
            by_channel[ch] = by_channel.get(ch, 0) + n
    labels = dict(Channel.choices)
    languages = sorted(by_language.items(), key=lambda kv: (-kv[1], kv[0]))[:12]
    channels = [
        (code, str(labels.get(code, code)), n)
        for code, n in sorted(by_channel.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return Counts(views=views, languages=languages, channels=channels)


def neighbour(agent: Agent, query: InboxQuery, conversation: Conversation, step: int) -> int | None:
    """The next (step=1) or previous (step=-1) conversation in the list the agent came from,
    in the default order (recently updated first)."""
    qs = filtered(agent, InboxQuery(**{**query.__dict__, "sort": "updated", "q": query.q}))
    at, pk = conversation.updated_at, conversation.pk
    if step > 0:
        qs = qs.filter(Q(updated_at__lt=at) | Q(updated_at=at, pk__lt=pk)).order_by(
            "-updated_at", "-id"
        )
    else:
        qs = qs.filter(Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=pk)).order_by(
            "updated_at", "id"
        )
    return qs.values_list("pk", flat=True).first()
