"""The inbox's read side: which conversations a view shows, in what order, and the counts
in the sidebar. Every function costs a fixed number of queries, however many rows match.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wowdesk.conversations import queries
from wowdesk.conversations.models import Channel, Conversation, Direction, Inbox, Message, Status
from wowdesk.core.input import check_line
from wowdesk.core.models import Agent
from wowdesk.core.permissions import visible_brand_ids
from wowdesk.routing.models import ConversationSla, SlaState
from wowdesk.web.models import ConversationSeen

PAGE_SIZE = 25
MAX_SEARCH = queries.MAX_SEARCH
COUNTS_TTL = 15  # seconds
NO_LANGUAGE = queries.NO_LANGUAGE  # the sidebar's "unknown" language: none detected

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
# label, and the order of the list (conversations.queries.ORDERS)
SORTS: dict[str, tuple[Any, str]] = {
    "updated": (_("Recently updated"), "-updated_at"),
    "oldest": (_("Least recently updated"), "updated_at"),
    "waiting": (_("Waiting longest"), "waiting_since"),
    "created": (_("Newest"), "-created_at"),
    "sla": (_("SLA due soonest"), "sla_due"),
    "priority": (_("Priority: urgent first"), "priority"),
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
    tag: str = ""
    q: str = ""
    sort: str = "updated"
    page: int = 1
    errors: list[str] = field(default_factory=list)
    # the "More filters" of custom fields: (key, value) from ``cf_<key>=value``
    custom: tuple[tuple[str, str], ...] = ()
    # a saved view's id (``?saved=``): its filters make the list (web.bulk.resolve_saved)
    saved: int | None = None
    saved_query: queries.ConversationQuery | None = None

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
        out.tag = check_line(params.get("tag", ""), "tag", max_length=64).strip().lower()
        out.q = check_line(params.get("q", ""), "q", max_length=MAX_SEARCH).strip()
        sort = params.get("sort", "")
        out.sort = sort if sort in SORTS else ("waiting" if out.view == "waiting" else "updated")
        out.custom = queries.custom_params(params)
        try:
            out.page = max(1, min(int(params.get("page", "1")), 10_000))
        except ValueError:
            out.page = 1
        saved = params.get("saved", "")
        out.saved = int(saved) if saved.isdigit() and len(saved) < 19 else None
        return out

    def params(self, **over: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "view": self.view,
            "status": self.status,
            "language": self.language,
            "channel": self.channel,
            "tag": self.tag,
            "q": self.q,
            "sort": self.sort,
            "page": self.page,
            "saved": self.saved,
        }
        data.update({f"{queries.CUSTOM_PREFIX}{k}": v for k, v in self.custom})
        data.update(over)
        defaults = {"status": Status.OPEN, "sort": "updated", "page": 1}
        return {k: v for k, v in data.items() if v not in ("", None) and defaults.get(k) != v}

    def querystring(self, **over: Any) -> str:
        return urlencode(self.params(**over))

    def conversation_query(self) -> queries.ConversationQuery:
        """The list this asks for (conversations.queries); the search box also finds words
        of any message; a saved view's query when one is open."""
        if self.saved_query is not None:
            return self.saved_query
        sort = SORTS[self.sort][1]
        if self.view == "sla" and self.sort == "updated":
            sort = "sla_due"
        return queries.ConversationQuery(
            view=self.view,
            statuses=() if self.status == "any" else (self.status,),
            language=self.language,
            channel=self.channel,
            tag=self.tag,
            q=self.q,
            q_in_bodies=True,
            sort=sort,
            custom=self.custom,
        )


team_ids = queries.team_ids
view_filter = queries.view_filter


def base(agent: Agent) -> QuerySet[Conversation]:
    return queries.visible(agent)


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


PREVIEW_CHARS = 160


def row_annotations() -> dict[str, Any]:
    """Per row, from the thread's index (conversation, created_at), inside the rows' own
    query: the start of the newest message that is not an activity line (the preview), and
    when the customer last wrote with that message's mood (the unread mark, the mood)."""
    said = Message.objects.filter(conversation=OuterRef("pk")).exclude(direction=Direction.ACTIVITY)
    newest = said.order_by("-created_at", "-id")
    newest_in = said.filter(direction=Direction.IN).order_by("-created_at", "-id")
    return {
        "preview": Subquery(newest.values(text=Substr("body", 1, PREVIEW_CHARS))[:1]),
        "preview_direction": Subquery(newest.values("direction")[:1]),
        "last_in_at": Subquery(newest_in.values("created_at")[:1]),
        "last_in_emotion": Subquery(newest_in.values("emotion_label")[:1]),
    }


def seen_at(agent: Agent, rows: list[Conversation]) -> dict[int, dt.datetime]:
    """When the agent last opened each of the page's conversations (one query)."""
    if not rows:
        return {}
    return dict(
        ConversationSeen.objects.filter(
            agent=agent, conversation_id__in=[c.pk for c in rows]
        ).values_list("conversation_id", "seen_at")
    )


@dataclass
class Page:
    rows: list[Conversation]
    has_next: bool
    has_previous: bool


def page_of(agent: Agent, query: InboxQuery) -> Page:
    """One page: two queries after the searches (the page's ids from the sort index, then
    those rows joined); one more id tells whether there is a next page."""
    start = (query.page - 1) * PAGE_SIZE
    listing = queries.Listing(agent, query.conversation_query())
    ids = list(listing.page(start, PAGE_SIZE + 1).values_list("pk", flat=True))
    has_next = len(ids) > PAGE_SIZE
    ids = ids[:PAGE_SIZE]
    rows: list[Conversation] = []
    if ids:
        by_id = {
            c.pk: c
            for c in Conversation.objects.filter(pk__in=ids)
            .select_related("customer", "inbox", "assignee", "sla")
            .only(*ROW_FIELDS)
            .annotate(**row_annotations())
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
        Q(due_at__lte=now + queries.SLA_SOON) | Q(state__in=[SlaState.WARNING, SlaState.BREACHED])
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
    return queries.neighbour(agent, query.conversation_query(), conversation, step)
