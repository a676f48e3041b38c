"""The conversation list: one reader for the API (``GET /api/v1/conversations``) and the
workspace's inbox (web/inbox.py). Filters (a workspace view, status, assignee, team, inbox,
channel, tag, language, priority, customer, delivery trouble), the searches (``q``: a
``#number``, or text in the subject or the customer's name or email, and for the workspace
in any message; ``body``: words of any message), the sorts, and the paging: an offset page
whose ids come from the sort index alone (``Listing.page``) and the next/previous
conversation after a given one (``neighbour``, keyset).

Search planning (``Found``): a search is read once (SQLite: core.textsearch.Matches), used
for the count and the page, and the page is found either by looking each match up or by
walking the sort index and testing each row (``textsearch.walk_pays``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, Max, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from wowdesk.conversations.models import Conversation, PriorityRank
from wowdesk.conversations.models import Status as ConversationStatus
from wowdesk.conversations.search import CONVERSATION_SUBJECT, MESSAGE_WORDS
from wowdesk.core import permissions, textsearch
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent
from wowdesk.customers.models import Customer
from wowdesk.customers.search import CUSTOMER_CONTACT

# The workspace's views; "all" is no view.
VIEWS = ("mine", "unassigned", "team", "all", "waiting", "sla", "undelivered")
NO_LANGUAGE = "und"  # the language filter for conversations with none detected
SLA_SOON = dt.timedelta(hours=1)
MAX_SEARCH = 200  # characters of ``q`` and ``body``
DELIVERY_ISSUES = ("failed", "retrying", "any", "none")

ORDERS: dict[str, tuple[str | OrderBy, ...]] = {
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    # longest waiting first; those not waiting (NULL) last on SQLite and PostgreSQL alike
    "waiting_since": (F("waiting_since").asc(nulls_last=True), "id"),
    # the SLA due soonest first (the workspace's SLA view)
    "sla_due": (F("sla__due_at").asc(nulls_last=True), "id"),
    # urgent first, then the oldest of each priority
    "priority": (PriorityRank().asc(), "created_at", "id"),
}
API_SORTS = (
    "updated_at",
    "-updated_at",
    "created_at",
    "-created_at",
    "waiting_since",
    "sla_due",
    "priority",
)

_NUMBER = re.compile(r"#\s*(\d{1,18})")


@dataclass
class ConversationQuery:
    """What a list asks for. Empty values filter nothing."""

    view: str = "all"
    statuses: tuple[str, ...] = ()
    assignee: str = ""  # an agent id, "me" or "none"
    team: int | None = None
    inbox: int | None = None
    language: str = ""  # NO_LANGUAGE: none detected
    channel: str = ""
    priority: str = ""
    customer: int | None = None
    tag: str = ""
    delivery_issue: str = ""  # failed, retrying, any (either) or none
    q: str = ""
    q_in_bodies: bool = False  # ``q`` also finds words of any message (the workspace)
    body: str = ""
    sort: str = "-updated_at"
    # custom field filters, (key, value as sent), from ``cf_<key>=value`` (custom_filter)
    custom: tuple[tuple[str, str], ...] = ()

    def has_filters(self) -> bool:
        """Whether the list is narrowed by anything but its searches."""
        return self.view != "all" or any(
            v not in (None, "", ())
            for v in (
                self.statuses,
                self.assignee,
                self.team,
                self.inbox,
                self.language,
                self.channel,
                self.priority,
                self.customer,
                self.tag,
                self.delivery_issue,
                self.custom,
            )
        )


def parse_statuses(text: str) -> tuple[str, ...]:
    """``open,pending``: the statuses, each known (else InvalidInput naming ``status``)."""
    statuses = tuple(s.strip() for s in text.split(",") if s.strip())
    bad = [s for s in statuses if s not in ConversationStatus.values]
    if bad:
        raise InvalidInput(_("Unknown status: %(s)s") % {"s": ", ".join(bad)}, field="status")
    return statuses


def check_sort(sort: str, known: Any = API_SORTS) -> str:
    """``sort`` if it is one of ``known`` (else InvalidInput naming ``sort``)."""
    if sort not in known:
        raise InvalidInput(_("Unknown sort; one of %(s)s.") % {"s": ", ".join(known)}, field="sort")
    return sort


def number_of(term: str) -> int | None:
    """The conversation number a search asks for with ``#``: ``#42`` is that conversation
    and no other (not every text with "42" in it)."""
    found = _NUMBER.fullmatch(term.strip())
    return int(found.group(1)) if found else None


def ids_matching(term: str) -> QuerySet[Any]:
    """The ids (column ``g``) of the conversations a ``q`` search finds, in every brand:
    ``#<number>``, those with that number; otherwise those with ``term`` in the subject or
    the customer's name or email, or with that number (digits alone). One UNION of id
    lists from the indexes (core.textsearch; an OR of the same made SQLite scan every
    row)."""
    ids = Conversation.objects.order_by().values(g=F("pk"))
    number = number_of(term)
    if number is not None:
        return ids.filter(number=number)
    by_customer = textsearch.contains(
        CUSTOMER_CONTACT, term, columns=("name", "email"), via="customer"
    )
    if connection.vendor == "postgresql":  # each customer's conversations by its index
        customers = Customer.objects.order_by().filter(
            textsearch.contains(CUSTOMER_CONTACT, term, columns=("name", "email"))
        )
        by_customer = textsearch.among("customer_id", customers.values("pk"))
    matches = ids.filter(textsearch.contains(CONVERSATION_SUBJECT, term)).union(
        ids.filter(by_customer)
    )
    if term.isdigit() and len(term) < 19:
        matches = matches.union(ids.filter(number=int(term)))
    return matches


@dataclass
class Found:
    """What the ``body`` and ``q`` searches matched, read once for the count and the page."""

    body: textsearch.Matches | None = None
    q: textsearch.Matches | None = None

    @property
    def present(self) -> list[textsearch.Matches]:
        return [m for m in (self.body, self.q) if m is not None]

    def apply(self, qs: QuerySet[Conversation], *, walk: bool = False) -> QuerySet[Conversation]:
        """``walk``: test each row as another index is walked (``textsearch.Matches.scan``)
        instead of looking every match up."""
        for matches in self.present:
            qs = qs.filter(matches.scan() if walk else matches.members())
        return qs

    def total(self, qs: QuerySet[Conversation], *, narrowed: bool, filtered: bool) -> int:
        """How many of ``qs`` match. ``narrowed``: ``qs`` is not every conversation (a
        filter, or brands the agent does not see); ``filtered``: by a filter of the list.

        One search that was read once, on every conversation: its number of matches,
        already known. With a filter, many matches are tested while the filter's index is
        walked; with the brands alone, each match is looked up (the faster of the two in
        each case: bench/results/design-measurements.md)."""
        present = self.present
        if not narrowed and len(present) == 1 and present[0].read_once:
            return present[0].count
        return self.apply(qs, walk=filtered).count()

    def walk_pays(self, *, end: int, total: int | None) -> bool:
        """Whether the page ending at ``end`` is found faster by walking the sort index.
        ``total`` unknown (a list without a count): the fewest matches of a search stand
        for it."""
        lookups = min((m.count for m in self.present if m.read_once), default=0)
        if lookups <= textsearch.WALK_ABOVE:  # few matches: looked up (no need to count rows)
            return False
        rows = Conversation.objects.aggregate(n=Max("pk"))["n"] or 0  # an upper bound
        total = lookups if total is None else total
        return textsearch.walk_pays(end=end, rows=rows, total=total, lookups=lookups)


def searches(query: ConversationQuery) -> Found:
    """Read the searches of ``query``: ``body``, conversations with a message with those
    words; ``q``, ``ids_matching`` (and with ``q_in_bodies`` a message with those words,
    unless ``q`` is a ``#number``)."""
    found = Found()
    if query.body.strip():
        found.body = textsearch.groups_saying(MESSAGE_WORDS, query.body)
    term = query.q.strip()
    if term:
        ids = ids_matching(term)
        said = textsearch.group_ids(MESSAGE_WORDS, term) if query.q_in_bodies else None
        if said is not None and number_of(term) is None:
            in_bodies = Conversation.objects.order_by().filter(pk__in=said)
            ids = ids.union(in_bodies.values(g=F("pk")))
        found.q = textsearch.Matches.of(ids, lookup=said is None)
    return found


def team_ids(agent: Agent) -> list[int]:
    """The agent's teams, read once per agent instance."""
    cached: list[int] | None = getattr(agent, "_team_ids", None)
    if cached is None:
        cached = list(agent.teams.values_list("id", flat=True))
        agent._team_ids = cached  # type: ignore[attr-defined]
    return cached


# Views whose rows an app that builds on conversations decides (``sla``: routing's
# clocks), registered by that app in its ``AppConfig.ready``: a function of the time.
_VIEW_FILTERS: dict[str, str] = {}


def register_view(view: str, path: str) -> None:
    """Let the app that owns a view's rule say which conversations it shows."""
    _VIEW_FILTERS[view] = path


def sla_due_soon(now: dt.datetime) -> Q:
    """Conversations whose SLA is due within ``SLA_SOON``, warned or breached (routing's
    rule, ``routing.queries``); nothing when routing is not installed."""
    path = _VIEW_FILTERS.get("sla")
    if path is None:
        return Q(pk__in=[])
    rule: Any = import_string(path)
    return rule(now, SLA_SOON)  # type: ignore[no-any-return]


def view_filter(view: str, agent: Agent, now: dt.datetime) -> Q:
    """The rows of one of the workspace's ``VIEWS``."""
    if view == "mine":
        return Q(assignee_id=agent.pk)
    if view == "unassigned":
        return Q(assignee__isnull=True)
    if view == "team":
        return Q(team_id__in=team_ids(agent))
    if view == "waiting":
        return Q(waiting_since__isnull=False)
    if view == "sla":
        return sla_due_soon(now)
    if view == "undelivered":
        return ~Q(delivery_issue="")
    return Q()


def visible(agent: Agent) -> QuerySet[Conversation]:
    """Every conversation of the agent's brands."""
    return permissions.scope(Conversation.objects.all(), agent)


def filtered(
    agent: Agent, query: ConversationQuery, now: dt.datetime | None = None
) -> QuerySet[Conversation]:
    """The agent's conversations that pass every filter of ``query`` (not its searches),
    in its order. Unknown values are refused (InvalidInput naming the field)."""
    check_sort(query.sort, ORDERS)
    qs = visible(agent)
    if query.view != "all":
        qs = qs.filter(view_filter(query.view, agent, now or timezone.now()))
    if query.statuses:
        qs = qs.filter(status__in=parse_statuses(",".join(query.statuses)))
    if query.assignee == "me":
        qs = qs.filter(assignee_id=agent.pk)
    elif query.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif query.assignee.isdigit() and len(query.assignee) < 19:
        qs = qs.filter(assignee_id=int(query.assignee))
    elif query.assignee:
        raise InvalidInput(_("assignee is an agent id, `me` or `none`."), field="assignee")
    if query.team:
        qs = qs.filter(team_id=query.team)
    if query.inbox:
        qs = qs.filter(inbox_id=query.inbox)
    language = query.language.strip().lower()
    if language:
        qs = qs.filter(language="" if language == NO_LANGUAGE else language)
    if query.channel:
        qs = qs.filter(inbox__channel=query.channel)
    if query.priority:
        qs = qs.filter(priority=query.priority)
    if query.customer:
        qs = qs.filter(customer_id=query.customer)
    if query.tag.strip():
        qs = qs.filter(tags__name=query.tag.strip().lower())
    if query.delivery_issue == "any":
        qs = qs.exclude(delivery_issue="")
    elif query.delivery_issue == "none":
        qs = qs.filter(delivery_issue="")
    elif query.delivery_issue:
        qs = qs.filter(delivery_issue=query.delivery_issue)
    for key, raw in query.custom:
        qs = custom_filter(qs, agent, key, raw)
    return qs.order_by(*ORDERS[query.sort])


CUSTOM_PREFIX = "cf_"
MAX_CUSTOM_FILTERS = 10


def custom_params(params: Any) -> tuple[tuple[str, str], ...]:
    """The ``cf_<key>=value`` pairs of a query string (a QueryDict), empty ones left out."""
    pairs = tuple(
        (name[len(CUSTOM_PREFIX) :], value)
        for name, value in params.items()
        if name.startswith(CUSTOM_PREFIX) and isinstance(value, str) and value.strip()
    )
    if len(pairs) > MAX_CUSTOM_FILTERS:
        raise InvalidInput(
            _("At most %(n)d custom field filters.") % {"n": MAX_CUSTOM_FILTERS},
            field=CUSTOM_PREFIX,
        )
    return pairs


def custom_filter(
    qs: QuerySet[Conversation], agent: Agent, key: str, raw: str
) -> QuerySet[Conversation]:
    """Conversations whose custom field ``key`` (of the agent's brands) has the value
    ``raw``: equal (the value read per the field's kind); for a multiselect, one of the
    chosen options; a checkbox ``false`` also matches a conversation without a value.
    An unknown key or a value the field cannot hold → InvalidInput naming ``cf_<key>``.
    No index covers the values: the rows the other filters leave are each tested."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL
    from django.db.models.fields.json import KeyTransform

    from wowdesk.core import custom_fields as pure
    from wowdesk.core import fields as core_fields

    name = f"{CUSTOM_PREFIX}{key}"
    definition = next(
        (
            d
            for brand_id in sorted(permissions.visible_brand_ids(agent))
            for d in core_fields.for_brand(brand_id, "conversation")
            if d["key"] == key
        ),
        None,
    )
    if definition is None:
        raise InvalidInput(_("Unknown field: %(v)s.") % {"v": key[:64]}, field=name)
    kind = str(definition["kind"])
    one = "dropdown" if kind == "multiselect" else kind
    try:
        value = pure.clean_value(
            one, pure.from_form(one, raw), definition["options"] or (), where=name
        )
    except pure.FieldError as exc:
        raise core_fields.invalid(exc) from exc
    if value is None:
        return qs
    alias = f"cf_value_{len(qs.query.annotations)}"
    if kind == "multiselect":
        if connection.vendor == "postgresql":
            return qs.alias(**{alias: KeyTransform(key, "custom_fields")}).filter(
                **{f"{alias}__contains": [value]}
            )
        table = connection.ops.quote_name(Conversation._meta.db_table)
        sql = (
            f"EXISTS (SELECT 1 FROM json_each({table}.custom_fields, %s) AS cf WHERE cf.value = %s)"
        )
        return qs.filter(RawSQL(sql, (f'$."{key}"', value), output_field=BooleanField()))
    qs = qs.alias(**{alias: KeyTransform(key, "custom_fields")})
    if kind == "checkbox" and value is False:
        return qs.filter(Q(**{alias: False}) | ~Q(custom_fields__has_key=key))
    return qs.filter(**{alias: value})


def check_custom(agent: Agent, pairs: tuple[tuple[str, str], ...]) -> None:
    """Refuse custom field filters ``custom_filter`` would refuse (InvalidInput naming
    ``cf_<key>``), before any list is read."""
    for key, raw in pairs:
        custom_filter(Conversation.objects.none(), agent, key, raw)


class Listing:
    """One list: its filters applied, its searches read once; ``total`` and ``page``."""

    def __init__(
        self, agent: Agent, query: ConversationQuery, now: dt.datetime | None = None
    ) -> None:
        self.agent = agent
        self.query = query
        self.narrowed_qs = filtered(agent, query, now)
        self.found = searches(query)
        self._total: int | None = None

    def total(self) -> int:
        """How many conversations the list has."""
        if self._total is None:
            if self.found.present:
                by_filter = self.query.has_filters()
                narrowed = by_filter or not permissions.sees_every_brand(self.agent)
                self._total = self.found.total(
                    self.narrowed_qs, narrowed=narrowed, filtered=by_filter
                )
            else:
                self._total = self.narrowed_qs.count()
        return self._total

    def rows(self, *, end: int) -> QuerySet[Conversation]:
        """Every row, in order; searches planned for a page ending at row ``end``."""
        if not self.found.present:
            return self.narrowed_qs
        walk = self.found.walk_pays(end=end, total=self._total)
        return self.found.apply(self.narrowed_qs, walk=walk)

    def page(self, start: int, size: int) -> QuerySet[Any]:
        """The ids (``pk``) of rows ``start`` to ``start + size``, from the sort index
        alone: a subquery, or a list once read; the rows are then joined for output."""
        return self.rows(end=start + size).values("pk")[start : start + size]


def neighbour(
    agent: Agent, query: ConversationQuery, conversation: Conversation, step: int
) -> int | None:
    """The next (step=1) or previous (step=-1) conversation after ``conversation`` in
    ``query``'s list in its default order (recently updated first): a keyset step."""
    listing = Listing(agent, ConversationQuery(**{**query.__dict__, "sort": "-updated_at"}))
    qs = listing.found.apply(listing.narrowed_qs)
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


# The filters a list's parameters may hold (a saved view's, a bulk action's ``filter``),
# besides custom field filters ``cf_<key>`` (``CUSTOM_PREFIX``).
FILTER_KEYS = (
    "view",
    "status",
    "assignee",
    "team",
    "inbox",
    "language",
    "channel",
    "priority",
    "customer",
    "tag",
    "delivery_issue",
    "q",
    "body",
    "sort",
)


def query_from_params(params: dict[str, Any], *, field: str = "filter") -> ConversationQuery:
    """A list's parameters (strings or numbers, keys of ``FILTER_KEYS`` and custom field
    filters ``cf_<key>``) as a query; an unknown key or value is refused naming it
    (``<field>.<key>``). Whether a ``cf_<key>`` names a field of the reader's brands is
    checked against the reader (``check_custom``)."""
    from wowdesk.conversations.models import Channel, Priority

    if not isinstance(params, dict):
        raise InvalidInput(_("A filter is an object."), field=field)
    custom_keys = sorted(
        k
        for k in params
        if isinstance(k, str) and k.startswith(CUSTOM_PREFIX) and len(k) > len(CUSTOM_PREFIX)
    )
    unknown = sorted(set(params) - set(FILTER_KEYS) - set(custom_keys), key=str)
    if unknown:
        raise InvalidInput(
            _("Unknown filter: %(k)s") % {"k": ", ".join(unknown)}, field=f"{field}.{unknown[0]}"
        )

    def text(key: str, max_length: int = 64) -> str:
        value = params.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise InvalidInput(_("A filter value is text."), field=f"{field}.{key}")
        value = str(value).strip()
        if len(value) > max_length or "\n" in value or "\x00" in value:
            raise InvalidInput(_("This filter value is too long."), field=f"{field}.{key}")
        return value

    def number(key: str) -> int | None:
        value = text(key)
        if not value:
            return None
        if not value.isdigit() or not 0 < int(value) < 2**62:
            raise InvalidInput(_("An id is a positive whole number."), field=f"{field}.{key}")
        return int(value)

    def choice(key: str, allowed: Any) -> str:
        value = text(key)
        if value and value not in allowed:
            raise InvalidInput(_("Unknown filter value."), field=f"{field}.{key}")
        return value

    status = text("status")
    try:
        statuses = () if status in ("", "any") else parse_statuses(status)
    except InvalidInput as exc:
        exc.field = f"{field}.status"
        raise
    assignee = text("assignee")
    if assignee and assignee not in ("me", "none") and number("assignee") is None:
        raise InvalidInput(_("assignee is an agent id, `me` or `none`."), field=f"{field}.assignee")
    custom = tuple((k[len(CUSTOM_PREFIX) :], value) for k in custom_keys if (value := text(k, 200)))
    if len(custom) > MAX_CUSTOM_FILTERS:
        raise InvalidInput(
            _("At most %(n)d custom field filters.") % {"n": MAX_CUSTOM_FILTERS},
            field=f"{field}.{custom_keys[0]}",
        )
    return ConversationQuery(
        view=choice("view", VIEWS) or "all",
        statuses=statuses,
        assignee=assignee,
        team=number("team"),
        inbox=number("inbox"),
        language=text("language", 16),
        channel=choice("channel", Channel.values),
        priority=choice("priority", Priority.values),
        customer=number("customer"),
        tag=text("tag"),
        delivery_issue=choice("delivery_issue", DELIVERY_ISSUES),
        q=text("q", MAX_SEARCH),
        q_in_bodies=True,
        body=text("body", MAX_SEARCH),
        sort=choice("sort", ORDERS) or "-updated_at",
        custom=custom,
    )
