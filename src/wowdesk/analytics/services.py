"""The measures of the service over a period, grouped and filtered, beside the previous
period: what ``GET /api/v1/metrics``, the export and the dashboards show.

Every number is an aggregate in the database (GROUP BY) over ``ConversationFact`` (kept up
to date from events by ``analytics/rollups.py``), ``surveys.SurveyResponse`` and
``surveys.Survey``; quantiles of times come from counts per log-spaced bin
(``analytics.metrics.histogram_quantile``). A call makes a constant number of queries,
whatever the period or the number of groups. Definitions: ``docs/metrics.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wowdesk.analytics import metrics as m
from wowdesk.analytics.models import ConversationFact, FactTag, HourlyRollup
from wowdesk.analytics.rollups import BIN_CODE, BIN_COLUMNS, BOT_RESOLVED
from wowdesk.conversations.models import Conversation, Inbox, Tag
from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, ServiceError
from wowdesk.core.input import BadInput, check_date, check_line, check_timezone, parse_datetime
from wowdesk.core.kinds import Channel
from wowdesk.core.models import Agent, AuditLog, Brand, Membership, Site, Team
from wowdesk.surveys.models import Survey, SurveyResponse, SurveyStatus

DIMENSIONS = (
    "brand",
    "site",
    "team",
    "agent",
    "channel",
    "language",
    "inbox",
    "tag",
    "product",
    "intent",
)
TIME_GROUPS = ("day", "week", "month")
GROUP_BY = (*DIMENSIONS, *TIME_GROUPS)
ID_DIMENSIONS = frozenset({"brand", "site", "team", "agent", "inbox", "tag"})
DEFAULT_DAYS = 28
MAX_DAYS = 3 * 366 + 1
MAX_VALUES = 100  # values of one filter
TIMES = ("first_response", "first_response_b", "resolution", "resolution_b", "handle")
_BIN_COLUMN = {
    "first_response": "first_response_bin",
    "first_response_b": "first_response_bbin",
    "resolution": "resolution_bin",
    "resolution_b": "resolution_bbin",
    "handle": "handle_bin",
}

# drill-down: the measures whose conversations can be listed
FACT_DRILLS: dict[str, Q] = {
    "conversations": Q(),
    "resolved": Q(resolved_at__isnull=False),
    "fcr": Q(fcr=True),
    "not_fcr": Q(fcr=False),
    "reopened": Q(reopened__gt=0),
    "sla_met": Q(sla_met=True),
    "sla_breached": Q(sla_met=False),
    "first_response": Q(first_response_s__isnull=False),
    "no_first_response": Q(first_response_s__isnull=True),
    "live": Q(live=True),
    "abandoned": Q(abandoned=True),
    "bot_resolved": Q(bot__in=BOT_RESOLVED),
    "bot_handed_over": Q(bot="handed_over"),
}
RESPONSE_DRILLS: dict[str, Q] = {
    "responses": Q(),
    "csat_responses": Q(kind="csat"),
    "csat_satisfied": Q(kind="csat", score__gte=4),
    "csat_dissatisfied": Q(kind="csat", score__lte=2),
    "nps_responses": Q(kind="nps"),
    "nps_promoters": Q(kind="nps", score__gte=9),
    "nps_passives": Q(kind="nps", score__in=(7, 8)),
    "nps_detractors": Q(kind="nps", score__lte=6),
    "ces_responses": Q(kind="ces"),
    "ces_easy": Q(kind="ces", score__gte=5),
    "ces_difficult": Q(kind="ces", score__lte=3),
}
DRILLS = (*FACT_DRILLS, *RESPONSE_DRILLS, "backlog")


class MetricsQueryError(ServiceError):
    """A value of a metrics query that cannot be (400, the field named)."""

    status = 400


def _bad(message: str, field: str) -> MetricsQueryError:
    return MetricsQueryError(message, field=field, code="invalid")


@dataclass(frozen=True)
class MetricsQuery:
    """A checked query: the period ``[start, end)`` (UTC), the viewer's time zone, the
    grouping, the filters (dimension → values), whether the previous period is wanted, and
    for a drill-down the group's key (``key_given``: a key was named, even None)."""

    start: dt.datetime
    end: dt.datetime
    tz: str = "UTC"
    group_by: str = ""
    filters: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    previous: bool = True
    key: Any = None
    key_given: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def previous_period(self) -> tuple[dt.datetime, dt.datetime]:
        return self.start - (self.end - self.start), self.start


# --- parsing --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def _moment(value: Any, field: str, zone: ZoneInfo, *, end: bool) -> dt.datetime:
    """A date (the start of that local day; for ``to``, the end of it) or a datetime (naive:
    in the viewer's zone), in UTC."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        day = check_date(value, field)
        moment = dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time(), zone)
    else:
        text = _text(value).strip()
        try:
            check_line(text, field, max_length=64)
        except BadInput as exc:
            raise _bad(exc.message, field) from exc
        if len(text) == 10:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError as exc:
                raise _bad(_("Not a date (YYYY-MM-DD)."), field) from exc
            return _moment(day, field, zone, end=end)
        try:
            naive = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise _bad(_("Not a date and time."), field) from exc
        moment = naive if naive.tzinfo else naive.replace(tzinfo=zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return parse_datetime(moment.isoformat(), field)
    except BadInput as exc:
        raise _bad(exc.message, field) from exc


def _values(name: str, raw: Any) -> tuple[Any, ...]:
    parts = [p.strip() for p in _text(raw).split(",")]
    parts = [p for p in parts if p]
    if len(parts) > MAX_VALUES:
        raise _bad(_("At most %(n)s values.") % {"n": MAX_VALUES}, name)
    out: list[Any] = []
    for part in parts:
        try:
            check_line(part, name, max_length=200)
        except BadInput as exc:
            raise _bad(exc.message, name) from exc
        if name in ID_DIMENSIONS and name != "brand":
            if not part.isdigit() or len(part) > 18:
                raise _bad(_("Not an id: %(v)s") % {"v": part[:40]}, name)
            out.append(int(part))
        elif name == "channel" and part not in Channel.values:
            raise _bad(_("Unknown channel: %(v)s") % {"v": part[:40]}, name)
        else:
            out.append(part)
    return tuple(out)


def parse_query(agent: Agent, params: Mapping[str, Any]) -> MetricsQuery:
    """A query from the API's or a page's parameters (strings, or dates and datetimes):
    ``from``/``to`` (dates in the viewer's zone, ``to`` included; or datetimes, ``to``
    excluded; default the last 28 days), ``tz`` (default the agent's), ``group_by``, one
    filter per dimension (comma-separated values; ids, a brand also by its slug),
    ``previous`` (0 or 1, default 1) and a drill-down's ``key``. Bad values raise
    ``MetricsQueryError`` naming the field."""
    tz = _text(params.get("tz")).strip() or agent.timezone or "UTC"
    try:
        tz = check_timezone(tz, "tz")
    except BadInput as exc:
        raise _bad(exc.message, "tz") from exc
    zone = ZoneInfo(tz)
    today = timezone.now().astimezone(zone).date()
    raw_to = params.get("to")
    raw_from = params.get("from")
    end = _moment(raw_to, "to", zone, end=True) if raw_to not in (None, "") else None
    if end is None:
        end = _moment(today, "to", zone, end=True)
    if raw_from not in (None, ""):
        start = _moment(raw_from, "from", zone, end=False)
    else:
        local_end = end.astimezone(zone).date()
        start = _moment(local_end - dt.timedelta(days=DEFAULT_DAYS), "from", zone, end=False)
    if start >= end:
        raise _bad(_("The end must be after the start."), "to")
    if end - start > dt.timedelta(days=MAX_DAYS):
        raise _bad(_("At most %(n)s days.") % {"n": MAX_DAYS}, "from")
    group_by = _text(params.get("group_by")).strip()
    if group_by and group_by not in GROUP_BY:
        raise _bad(_("Group by one of: %(v)s") % {"v": ", ".join(GROUP_BY)}, "group_by")
    filters = {}
    for name in DIMENSIONS:
        if params.get(name) not in (None, ""):
            values = _values(name, params.get(name))
            if values:
                filters[name] = values
    previous_raw = _text(params.get("previous")).strip() or "1"
    if previous_raw not in ("0", "1", "true", "false"):
        raise _bad(_("previous is 0 or 1."), "previous")
    key_given = "key" in params
    key: Any = params.get("key") if key_given else None
    if key_given:
        if not group_by:
            raise _bad(_("A key needs a group_by."), "key")
        key = _text(key).strip() or None
        if key is not None and group_by in ID_DIMENSIONS:
            if not key.isdigit() or len(key) > 18:
                raise _bad(_("Not an id: %(v)s") % {"v": key[:40]}, "key")
            key = int(key)
        elif key is not None and group_by in TIME_GROUPS:
            try:
                _bucket_range(group_by, key, zone)
            except ValueError as exc:
                raise _bad(_("Not a period of this grouping."), "key") from exc
    return MetricsQuery(
        start=start,
        end=end,
        tz=tz,
        group_by=group_by,
        filters=filters,
        previous=previous_raw in ("1", "true"),
        key=key,
        key_given=key_given,
    )


def _as_query(agent: Agent, query: MetricsQuery | Mapping[str, Any]) -> MetricsQuery:
    return query if isinstance(query, MetricsQuery) else parse_query(agent, query)


def scoped_brands(agent: Agent, query: MetricsQuery) -> list[int]:
    """The brands the query reads: those whose reports ``agent`` sees, narrowed by the
    brand filter (403 for a brand outside them)."""
    allowed = permissions.report_brands(agent)
    if not allowed:
        raise Forbidden(_("Reports are for supervisors and administrators."))
    wanted = query.filters.get("brand")
    if not wanted:
        return sorted(allowed)
    ids = {int(v) for v in wanted if str(v).isdigit()}
    slugs = [str(v) for v in wanted if not str(v).isdigit()]
    if slugs:
        found = dict(Brand.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        missing = [s for s in slugs if s not in found]
        if missing:
            raise _bad(_("Unknown brand: %(v)s") % {"v": missing[0][:40]}, "brand")
        ids |= set(found.values())
    if not ids <= allowed:
        raise Forbidden(_("You do not see the reports of this brand."))
    return sorted(ids)


# --- the sources ------------------------------------------------------------------------------

# dimension → column, per source
_FACT_COLUMN = {
    "brand": "brand_id",
    "site": "site_id",
    "team": "team_id",
    "agent": "agent_id",
    "channel": "channel",
    "language": "language",
    "inbox": "inbox_id",
    "tag": "tags__tag_id",
    "product": "product",
    "intent": "intent",
}
_SURVEY_COLUMN = {
    **{d: c for d, c in _FACT_COLUMN.items() if d not in ("tag", "product")},
    "tag": "conversation__analytics_fact__tags__tag_id",
    "product": "conversation__analytics_fact__product",
}


@dataclass(frozen=True)
class _Source:
    columns: Mapping[str, str]
    time: str  # the column that places a row in the period
    conversation: str  # the column holding the conversation id
    table: str  # the model's table (the time column's, in SQL text)


FACTS = _Source(_FACT_COLUMN, "created_at", "pk", ConversationFact._meta.db_table)
RESPONSES = _Source(_SURVEY_COLUMN, "answered_at", "conversation_id", SurveyResponse._meta.db_table)
SURVEYS = _Source(_SURVEY_COLUMN, "sent_at", "conversation_id", Survey._meta.db_table)


def _filter_q(source: _Source, filters: Mapping[str, tuple[Any, ...]]) -> Q:
    q = Q()
    for name, values in filters.items():
        if name == "brand":
            continue  # the scoped brands
        if name == "tag":
            tagged = FactTag.objects.filter(
                fact_id=OuterRef(source.conversation), tag_id__in=values
            )
            q &= Q(Exists(tagged))
        else:
            q &= Q(**{f"{source.columns[name]}__in": values})
    return q


def buckets(
    group_by: str, start: dt.datetime, end: dt.datetime, zone: ZoneInfo
) -> list[tuple[str, dt.datetime]]:
    """The keys and UTC starts of the local days, weeks (from Monday) or months that
    ``[start, end)`` overlaps, in order."""
    day = start.astimezone(zone).date()
    if group_by == "week":
        day -= dt.timedelta(days=day.weekday())
    elif group_by == "month":
        day = day.replace(day=1)
    out: list[tuple[str, dt.datetime]] = []
    while True:
        begins = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
        if begins >= end:
            return out
        out.append((day.strftime("%Y-%m") if group_by == "month" else day.isoformat(), begins))
        if group_by == "month":
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        else:
            day += dt.timedelta(days=7 if group_by == "week" else 1)


def _bucket_expr(
    table: str,
    column: str,
    group_by: str,
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
) -> Any:
    """The key of the local day/week/month a row's ``column`` falls in: a CASE over the
    buckets' UTC bounds (plain comparisons in the database, instead of a time-zone
    conversion per row), nested as a binary search so that a row costs some log2(buckets)
    comparisons (9 for a year of days) instead of one per bucket. Written as SQL text: the
    ORM's nested expressions cost more to build than the query takes."""
    bounds = buckets(group_by, start, end, zone)
    target = f"{connection.ops.quote_name(table)}.{connection.ops.quote_name(column)}"
    params: list[Any] = []

    def search(lo: int, hi: int) -> str:
        # the key among bounds[lo:hi] of a row at or after bounds[lo]'s start
        if hi - lo == 1:
            params.append(bounds[lo][0])
            return "%s"
        mid = (lo + hi) // 2
        params.append(connection.ops.adapt_datetimefield_value(bounds[mid][1]))
        sql = f"CASE WHEN {target} < %s THEN {search(lo, mid)} "
        return sql + f"ELSE {search(mid, hi)} END"

    sql = search(0, len(bounds))
    return RawSQL(sql, params, output_field=CharField())


def _group_expr(
    source: _Source, group_by: str, zone: ZoneInfo, start: dt.datetime, end: dt.datetime
) -> Any:
    if group_by in TIME_GROUPS:
        return _bucket_expr(source.table, source.time, group_by, start, end, zone)
    return F(source.columns[group_by])


def _key(group_by: str, value: Any, zone: ZoneInfo) -> Any:
    """A group's key as the API shows it: an id, a text, or the period's first day
    (``2026-03-02``; a month ``2026-03``) in the viewer's zone."""
    if group_by in ("channel", "language", "product", "intent") and value == "":
        return None
    return value


def _bucket_range(group_by: str, key: str, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants ``[start, end)`` of a day/week/month key in the viewer's zone."""
    if group_by == "month":
        first = dt.date.fromisoformat(f"{key}-01")
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    else:
        first = dt.date.fromisoformat(key)
        if group_by == "week" and first.weekday() != 0:
            raise ValueError("a week starts on a Monday")
        following = first + dt.timedelta(days=7 if group_by == "week" else 1)
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(following, dt.time(), zone).astimezone(dt.UTC)
    return start, end


def _base(
    source: _Source,
    model: type[Any],
    brands: list[int],
    query: MetricsQuery,
    start: dt.datetime,
    end: dt.datetime,
) -> QuerySet[Any]:
    period = {f"{source.time}__gte": start, f"{source.time}__lt": end}
    return model.objects.filter(_filter_q(source, query.filters), brand_id__in=brands, **period)


# --- accumulating -----------------------------------------------------------------------------


@dataclass
class _Raw:
    """What a group adds up: counts, sums, counts per score and per time bin."""

    conversations: int = 0
    resolved: int = 0
    ever_resolved: int = 0
    fcr: int = 0
    reopened: int = 0
    sla_met: int = 0
    sla_breached: int = 0
    live: int = 0
    live_answered: int = 0
    asa_sum: float = 0.0
    abandoned: int = 0
    bot_sessions: int = 0
    bot_resolved: int = 0
    bot_handed: int = 0
    backlog: int = 0
    surveys_sent: int = 0
    surveys_answered: int = 0
    handled_s: float = 0.0
    online_s: float | None = None
    scores: dict[str, dict[int, int]] = field(default_factory=dict)
    bins: dict[str, dict[int, int]] = field(default_factory=dict)

    def add_score(self, kind: str, score: int, n: int) -> None:
        counts = self.scores.setdefault(kind, {})
        counts[score] = counts.get(score, 0) + n

    def add_bin(self, time: str, k: int, n: int) -> None:
        counts = self.bins.setdefault(time, {})
        counts[k] = counts.get(k, 0) + n


_FACT_SUMS: dict[str, Any] = {
    "conversations": Count("pk"),
    "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
    "ever_resolved": Count("pk", filter=Q(resolved_at__isnull=False) | Q(reopened__gt=0)),
    "fcr": Count("pk", filter=Q(fcr=True)),
    "reopened": Count("pk", filter=Q(reopened__gt=0)),
    "sla_met": Count("pk", filter=Q(sla_met=True)),
    "sla_breached": Count("pk", filter=Q(sla_met=False)),
    "live": Count("pk", filter=Q(live=True)),
    "live_answered": Count("pk", filter=Q(live=True, first_response_s__isnull=False)),
    "asa_sum": Sum("first_response_s", filter=Q(live=True)),
    "abandoned": Count("pk", filter=Q(abandoned=True)),
    "bot_sessions": Count("pk", filter=~Q(bot="")),
    "bot_resolved": Count("pk", filter=Q(bot__in=BOT_RESOLVED)),
    "bot_handed": Count("pk", filter=Q(bot="handed_over")),
}


def _raw(
    brands: list[int],
    query: MetricsQuery,
    start: dt.datetime,
    end: dt.datetime,
    group_by: str,
) -> dict[Any, _Raw]:
    """Every group's sums over ``[start, end)``; one key (None) without a grouping."""
    zone = query.zone
    out: dict[Any, _Raw] = {}

    def acc(value: Any) -> _Raw:
        key = _key(group_by, value, zone) if group_by else None
        return out.setdefault(key, _Raw())

    keys = ["g"] if group_by else []

    def grouped(qs: QuerySet[Any], source: _Source) -> QuerySet[Any]:
        return qs.annotate(g=_group_expr(source, group_by, zone, start, end)) if group_by else qs

    def gkey(row: Mapping[str, Any]) -> Any:
        return row.get("g") if group_by else None

    if _reads_rollups(query, group_by, start, end):
        _add_rollups(out, brands, query, start, end, group_by)
    else:
        facts = _base(FACTS, ConversationFact, brands, query, start, end)
        rows: Iterable[Mapping[str, Any]]
        # the sums are named apart from the columns (an aggregate cannot shadow a field)
        sums = {f"n_{name}": expr for name, expr in _FACT_SUMS.items()}
        if group_by:
            rows = grouped(facts, FACTS).values("g").annotate(**sums)
        else:
            rows = [facts.aggregate(**sums)]
        for row in rows:
            r = acc(gkey(row))
            for name in _FACT_SUMS:
                setattr(r, name, getattr(r, name) + (row[f"n_{name}"] or 0))
        for time, column in _BIN_COLUMN.items():
            qs = grouped(facts.filter(**{f"{column}__isnull": False}), FACTS)
            for row in qs.annotate(k=F(column)).values(*keys, "k").annotate(n=Count("pk")):
                acc(gkey(row)).add_bin(time, row["k"], row["n"])
    responses = grouped(_base(RESPONSES, SurveyResponse, brands, query, start, end), RESPONSES)
    for row in responses.values(*keys, "kind", "score").annotate(n=Count("pk")):
        acc(gkey(row)).add_score(row["kind"], row["score"], row["n"])
    surveys = _base(SURVEYS, Survey, brands, query, start, end)
    sums = {
        "sent": Count("pk"),
        "answered": Count("pk", filter=Q(status=SurveyStatus.ANSWERED)),
    }
    srows: Iterable[Mapping[str, Any]]
    if group_by:
        srows = grouped(surveys, SURVEYS).values("g").annotate(**sums)
    else:
        srows = [surveys.aggregate(**sums)]
    for row in srows:
        r = acc(gkey(row))
        r.surveys_sent += row["sent"] or 0
        r.surveys_answered += row["answered"] or 0
    _add_backlog(out, brands, query, start, end, group_by)
    _add_occupancy(out, brands, query, start, end, group_by)
    return out


def _reads_rollups(
    query: MetricsQuery, group_by: str, start: dt.datetime, end: dt.datetime
) -> bool:
    """Whether the conversation sums can come from the hourly rollups: no filter but the
    brand, grouped by nothing, brand or time, and every bound on a whole UTC hour (a
    viewer in a zone a half hour off UTC reads the facts)."""
    if set(query.filters) - {"brand"} or group_by not in ("", "brand", *TIME_GROUPS):
        return False
    bounds = [start, end]
    if group_by in TIME_GROUPS:
        bounds += [b for _, b in buckets(group_by, start, end, query.zone)]
    return all(b.minute == 0 and b.second == 0 and b.microsecond == 0 for b in bounds)


_ROLLUP_SUMS = tuple(_FACT_SUMS)


def _add_rollups(
    out: dict[Any, _Raw],
    brands: list[int],
    query: MetricsQuery,
    start: dt.datetime,
    end: dt.datetime,
    group_by: str,
) -> None:
    """The conversation sums and time histograms from ``HourlyRollup`` (24 rows a day):
    each row's group found in Python (the brand, or the bucket its hour starts in), the sums
    and the packed histograms (``rollups.pack_bins``) added up with numpy, so a year of
    hours costs one indexed read and a few array operations."""
    qs = HourlyRollup.objects.filter(brand_id__in=brands, hour__gte=start, hour__lt=end)
    if group_by in TIME_GROUPS:
        # the bucket in SQL: no datetime to parse per row
        table = HourlyRollup._meta.db_table
        qs = qs.annotate(g=_bucket_expr(table, "hour", group_by, start, end, query.zone))
    else:
        qs = qs.annotate(g=F("brand_id"))
    rows = list(qs.values_list("g", *_ROLLUP_SUMS, "histogram"))
    if not rows:
        return
    if not group_by:  # one group
        rows = [(None, *row[1:]) for row in rows]
    keys: list[Any] = sorted({row[0] for row in rows}, key=str)
    slot = {k: i for i, k in enumerate(keys)}
    groups = np.array([slot[row[0]] for row in rows], dtype=np.int64)
    width = len(_ROLLUP_SUMS)
    values = np.array([row[1 : 1 + width] for row in rows], dtype=np.float64)
    sums = np.zeros((len(keys), width))
    np.add.at(sums, groups, values)
    raws: list[_Raw] = []
    for i, value in enumerate(keys):
        r = out.setdefault(_key(group_by, value, query.zone) if group_by else None, _Raw())
        raws.append(r)
        for name, total in zip(_ROLLUP_SUMS, sums[i].tolist(), strict=True):
            total += getattr(r, name)
            setattr(r, name, total if name == "asa_sum" else round(total))
    blobs = [bytes(row[-1] or b"") for row in rows]
    pairs = np.frombuffer(b"".join(blobs), dtype="<i4").reshape(-1, 2)
    if not len(pairs):
        return
    lengths = np.array([len(b) // 8 for b in blobs], dtype=np.int64)
    codes = np.repeat(groups, lengths) * (len(TIMES) * BIN_CODE) + pairs[:, 0]
    found, inverse = np.unique(codes, return_inverse=True)
    counts = np.bincount(inverse, weights=pairs[:, 1], minlength=len(found)).astype(np.int64)
    # one histogram per (group, time): the runs of the sorted codes
    series = found // BIN_CODE
    cuts = np.flatnonzero(np.diff(series)) + 1
    for part, n in zip(np.split(found, cuts), np.split(counts, cuts), strict=True):
        g, t = divmod(int(part[0]) // BIN_CODE, len(TIMES))
        hist = dict(zip((part % BIN_CODE).tolist(), n.tolist(), strict=True))
        r = raws[g]
        have = r.bins.get(_TIME_NAMES[t])
        if have:
            for k, c in hist.items():
                have[k] = have.get(k, 0) + c
        else:
            r.bins[_TIME_NAMES[t]] = hist


_TIME_NAMES = tuple(BIN_COLUMNS)


def _add_backlog(
    out: dict[Any, _Raw],
    brands: list[int],
    query: MetricsQuery,
    start: dt.datetime,
    end: dt.datetime,
    group_by: str,
) -> None:
    """Conversations open at the end of the period (of each day, week or month when
    grouped by time): opened before it and not resolved before it."""
    zone = query.zone
    if _reads_rollups(query, group_by, start, end):
        _add_backlog_from_rollups(out, brands, query, start, end, group_by)
        return
    every = ConversationFact.objects.filter(_filter_q(FACTS, query.filters), brand_id__in=brands)
    if group_by not in TIME_GROUPS:
        # open ones and those resolved after the end: two index ranges on (brand, resolved_at)
        for still_open in (Q(resolved_at__isnull=True), Q(resolved_at__gte=end)):
            qs = every.filter(still_open, created_at__lt=end)
            if not group_by:
                out.setdefault(None, _Raw()).backlog += qs.count()
                continue
            grouped = qs.annotate(g=_group_expr(FACTS, group_by, zone, start, end))
            for row in grouped.values("g").annotate(n=Count("pk")):
                out.setdefault(_key(group_by, row["g"], zone), _Raw()).backlog += row["n"]
        return
    # by time: open at the start, plus opened minus resolved up to each bucket's end
    running = sum(
        every.filter(still_open, created_at__lt=start).count()
        for still_open in (Q(resolved_at__isnull=True), Q(resolved_at__gte=start))
    )
    closed: dict[Any, int] = {}
    for row in (
        every.filter(resolved_at__gte=start, resolved_at__lt=end)
        .annotate(g=_bucket_expr(FACTS.table, "resolved_at", group_by, start, end, zone))
        .values("g")
        .annotate(n=Count("pk"))
    ):
        key = _key(group_by, row["g"], zone)
        closed[key] = closed.get(key, 0) + row["n"]
    for key in sorted({*out, *closed}, key=str):
        if key is None:
            continue
        r = out.setdefault(key, _Raw())
        running += r.conversations - closed.get(key, 0)
        r.backlog = running


def _open_before(brands: list[int], moment: dt.datetime) -> dict[int, int]:
    """Each brand's conversations open at a whole hour: opened before it minus closed
    before it (``HourlyRollup.closed``), summed over the hours before it."""
    rows = (
        HourlyRollup.objects.filter(brand_id__in=brands, hour__lt=moment)
        .values("brand_id")
        .annotate(opened=Sum("conversations"), closed=Sum("closed"))
        .values_list("brand_id", "opened", "closed")
    )
    return {brand: (opened or 0) - (closed or 0) for brand, opened, closed in rows}


def _add_backlog_from_rollups(
    out: dict[Any, _Raw],
    brands: list[int],
    query: MetricsQuery,
    start: dt.datetime,
    end: dt.datetime,
    group_by: str,
) -> None:
    """The backlog of ``_add_backlog`` from the hourly rollups (every bound a whole hour,
    no filter but the brand): two sums over the hours instead of a count of the facts."""
    if group_by not in TIME_GROUPS:
        at_end = _open_before(brands, end)
        if not group_by:
            out.setdefault(None, _Raw()).backlog += sum(at_end.values())
            return
        for brand_id, n in at_end.items():
            if n:
                out.setdefault(brand_id, _Raw()).backlog += n
        return
    running = sum(_open_before(brands, start).values())
    table = HourlyRollup._meta.db_table
    closed: dict[Any, int] = {}
    for g, n in (
        HourlyRollup.objects.filter(
            brand_id__in=brands, hour__gte=start, hour__lt=end, closed__gt=0
        )
        .annotate(g=_bucket_expr(table, "hour", group_by, start, end, query.zone))
        .values("g")
        .annotate(n=Sum("closed"))
        .values_list("g", "n")
    ):
        key = _key(group_by, g, query.zone)
        closed[key] = closed.get(key, 0) + (n or 0)
    for key in sorted({*out, *closed}, key=str):
        if key is None:
            continue
        r = out.setdefault(key, _Raw())
        running += r.conversations - closed.get(key, 0)
        r.backlog = running


def online_seconds(
    agent_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, float]:
    """Seconds each agent was online within ``[start, end)``, from the presence changes
    in the audit trail (the state before the first change in the period is that change's
    "before"). Agents with no change in or before the period are left out."""
    ids = [str(a) for a in agent_ids]
    end = min(end, timezone.now())
    if not ids or end <= start:
        return {}
    rows = (
        AuditLog.objects.filter(
            action="agent.presence",
            object_type="agent",
            object_id__in=ids,
            created_at__lt=end,
            created_at__gte=start - dt.timedelta(days=30),
        )
        .order_by("created_at", "pk")
        .values_list("object_id", "created_at", "before", "after")
    )
    state: dict[int, tuple[str, dt.datetime]] = {}
    online: dict[int, float] = {}
    for object_id, at, before, after in rows:
        agent_id = int(object_id)
        was = state.get(agent_id)
        if was is None:
            was = (str((before or {}).get("presence") or "offline"), start)
        if was[0] == "online":
            lo, hi = max(was[1], start), min(at, end)
            if hi > lo:
                online[agent_id] = online.get(agent_id, 0.0) + (hi - lo).total_seconds()
        else:
            online.setdefault(agent_id, 0.0)
        state[agent_id] = (str((after or {}).get("presence") or "offline"), max(at, start))
    for agent_id, (presence, since) in state.items():
        if presence == "online" and end > since:
            online[agent_id] = online.get(agent_id, 0.0) + (end - since).total_seconds()
    return online


def _add_occupancy(
    out: dict[Any, _Raw],
    brands: list[int],
    query: MetricsQuery,
    start: dt.datetime,
    end: dt.datetime,
    group_by: str,
) -> None:
    """Handled time (the agents' handle time of the period's conversations) over their
    online time, for the whole and per agent or site; other groupings and filters by a
    conversation's traits leave it out (None)."""
    if group_by not in ("", "agent", "site"):
        return
    if set(query.filters) - {"brand", "agent", "site"}:
        return
    agents = Agent.objects.filter(
        pk__in=Subquery(Membership.objects.filter(brand_id__in=brands).values("agent_id"))
    )
    if "agent" in query.filters:
        agents = agents.filter(pk__in=query.filters["agent"])
    if "site" in query.filters:
        agents = agents.filter(site_id__in=query.filters["site"])
    site_of = dict(agents.values_list("pk", "site_id"))
    online = online_seconds(site_of, start, end)
    handled = dict(
        ConversationFact.objects.filter(
            brand_id__in=brands,
            agent_id__in=list(site_of),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("agent_id")
        .annotate(s=Sum("handle_s"))
        .values_list("agent_id", "s")
    )
    for agent_id, seconds in online.items():
        key = None if not group_by else agent_id if group_by == "agent" else site_of[agent_id]
        r = out.setdefault(key, _Raw())
        r.online_s = (r.online_s or 0.0) + seconds
        r.handled_s += handled.get(agent_id) or 0.0


# --- the measures -----------------------------------------------------------------------------


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _quantiles(r: _Raw, calendar: str, business: str) -> dict[str, float | None]:
    cal, biz = r.bins.get(calendar, {}), r.bins.get(business, {})
    return {
        "median_s": _round(m.histogram_quantile(cal, 0.5), 1),
        "p90_s": _round(m.histogram_quantile(cal, 0.9), 1),
        "business_median_s": _round(m.histogram_quantile(biz, 0.5), 1),
        "business_p90_s": _round(m.histogram_quantile(biz, 0.9), 1),
    }


def measures(r: _Raw) -> dict[str, Any]:
    """The API's measures of one group from its sums."""
    csat = m.csat(r.scores.get("csat", {}))
    nps = m.nps(r.scores.get("nps", {}))
    ces = m.ces(r.scores.get("ces", {}))
    occupancy = None
    if r.online_s:
        occupancy = _round(min(100.0 * r.handled_s / r.online_s, 100.0))
    return {
        "csat": {"value": _round(csat.value), "responses": csat.responses},
        "nps": {
            "value": _round(nps.value),
            "promoters": nps.promoters,
            "passives": nps.passives,
            "detractors": nps.detractors,
            "responses": nps.responses,
            "ci95": [_round(nps.ci95[0]), _round(nps.ci95[1])] if nps.ci95 else None,
        },
        "ces": {"value": _round(ces.value), "easy": _round(ces.easy), "responses": ces.responses},
        "fcr": {"value": _round(m.rate(r.fcr, r.resolved)), "resolved": r.resolved},
        "first_response": _quantiles(r, "first_response", "first_response_b"),
        "resolution": _quantiles(r, "resolution", "resolution_b"),
        "sla_attainment": _round(m.rate(r.sla_met, r.sla_met + r.sla_breached)),
        "reopen_rate": _round(m.rate(r.reopened, r.ever_resolved)),
        "response_rate": _round(m.rate(r.surveys_answered, r.surveys_sent)),
        "backlog": r.backlog,
        "asa_s": _round(m.mean(r.asa_sum, r.live_answered), 1),
        "abandonment": _round(m.rate(r.abandoned, r.live)),
        "occupancy": occupancy,
        "bot": {
            "resolution_rate": _round(m.rate(r.bot_resolved, r.bot_sessions)),
            "handover_rate": _round(m.rate(r.bot_handed, r.bot_sessions)),
        },
        "handle_time": {"median_s": _round(m.histogram_quantile(r.bins.get("handle", {}), 0.5), 1)},
        "conversations": r.conversations,
    }


_NONE_LABEL = gettext_lazy("Not set")


def labels(group_by: str, keys: Iterable[Any]) -> dict[Any, str]:
    """Each key's label (names of brands, sites, teams, agents, inboxes and tags; channel
    and language names; the key itself for times, products and intents)."""
    wanted = [k for k in keys if k is not None]
    names: dict[Any, str] = {}
    models: dict[str, Any] = {
        "brand": (Brand, "name"),
        "site": (Site, "name"),
        "team": (Team, "name"),
        "agent": (Agent, "display_name"),
        "inbox": (Inbox, "name"),
        "tag": (Tag, "name"),
    }
    if group_by in models and wanted:
        model, column = models[group_by]
        names = dict(model.objects.filter(pk__in=wanted).values_list("pk", column))
    elif group_by == "channel":
        names = {k: str(Channel(k).label) if k in Channel.values else k for k in wanted}
    elif group_by == "language":
        from django.utils.translation import get_language_info

        for k in wanted:
            try:
                names[k] = str(get_language_info(str(k).lower())["name_translated"])
            except KeyError:
                names[k] = str(k)
    out = {k: names.get(k, str(k)) for k in wanted}
    out[None] = str(_NONE_LABEL)
    return out


def _period(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> dict[str, str]:
    return {"from": start.astimezone(zone).isoformat(), "to": end.astimezone(zone).isoformat()}


# groupings whose groups split every fact, answer and survey of the period in one key each
# (a conversation has many tags; a time grouping's backlog is a running count)
PARTITIONS = frozenset(DIMENSIONS) - {"tag"}
_ADDED = ("scores", "bins", "online_s", "handled_s")


def _totals_of(
    groups: Mapping[Any, _Raw],
    brands: list[int],
    query: MetricsQuery,
    start: dt.datetime,
    end: dt.datetime,
) -> dict[Any, _Raw]:
    """The period's sums from its groups' (a partition): every count, sum and histogram
    added; the occupancy from all the agents (groupings other than agent and site have
    none per group)."""
    total = _Raw()
    for r in groups.values():
        for f in fields(_Raw):
            if f.name not in _ADDED:
                setattr(total, f.name, getattr(total, f.name) + getattr(r, f.name))
        for kind, counts in r.scores.items():
            for score, n in counts.items():
                total.add_score(kind, score, n)
        for time, counts in r.bins.items():
            for k, n in counts.items():
                total.add_bin(time, k, n)
    out = {None: total}
    _add_occupancy(out, brands, query, start, end, "")
    return out


def metrics(agent: Agent, query: MetricsQuery | Mapping[str, Any]) -> dict[str, Any]:
    """The measures of the period, per group, beside the previous period (the shape of
    ``GET /api/v1/metrics``); only brands whose reports ``agent`` sees (403 for a brand
    filter outside them)."""
    q = _as_query(agent, query)
    brands = scoped_brands(agent, q)
    zone = q.zone
    prev_start, prev_end = q.previous_period
    groups: dict[Any, _Raw] = {}
    before: dict[Any, _Raw] = {}
    if q.group_by in PARTITIONS:
        # every row has one key: the totals are the groups added up (one pass, not two)
        groups = _raw(brands, q, q.start, q.end, q.group_by)
        totals = _totals_of(groups, brands, q, q.start, q.end)
        if q.previous:
            before = _raw(brands, q, prev_start, prev_end, q.group_by)
        previous_totals = _totals_of(before, brands, q, prev_start, prev_end) if q.previous else {}
    else:
        totals = _raw(brands, q, q.start, q.end, "")
        previous_totals = _raw(brands, q, prev_start, prev_end, "") if q.previous else {}
    result: dict[str, Any] = {
        "period": _period(q.start, q.end, zone),
        "previous": {
            **_period(prev_start, prev_end, zone),
            "totals": measures(previous_totals.get(None, _Raw())) if q.previous else None,
        },
        "totals": measures(totals.get(None, _Raw())),
        "group_by": q.group_by or None,
        "tz": q.tz,
        "groups": [],
    }
    if not q.group_by:
        return result
    if q.group_by not in PARTITIONS:
        groups = _raw(brands, q, q.start, q.end, q.group_by)
        if q.previous:
            before = _raw(brands, q, prev_start, prev_end, q.group_by)
    keys = list(groups)
    if q.group_by not in TIME_GROUPS:
        keys += [k for k in before if k not in groups]
    names = labels(q.group_by, keys)
    if q.group_by in TIME_GROUPS:
        keys.sort(key=lambda k: (k is None, str(k)))
    else:
        keys.sort(key=lambda k: (k is None, names.get(k, "").casefold(), str(k)))
    for key in keys:
        row: dict[str, Any] = {"key": key, "label": names.get(key, str(key))}
        row.update(measures(groups.get(key, _Raw())))
        if q.previous and q.group_by not in TIME_GROUPS:
            row["previous"] = measures(before.get(key, _Raw()))
        elif q.previous:
            row["previous"] = None  # a day's previous day is its neighbour in the list
        result["groups"].append(row)
    return result


# --- drill-down -------------------------------------------------------------------------------


def _key_q(source: _Source, q: MetricsQuery) -> tuple[Q, dt.datetime, dt.datetime]:
    """The group's condition and period (a time key narrows the period to its bucket)."""
    start, end = q.start, q.end
    if not q.key_given or not q.group_by:
        return Q(), start, end
    if q.group_by in TIME_GROUPS:
        if q.key is None:
            return Q(pk__in=[]), start, end
        lo, hi = _bucket_range(q.group_by, str(q.key), q.zone)
        return Q(), max(lo, start), min(hi, end)
    column = source.columns[q.group_by]
    if q.key is None:
        if q.group_by in ("channel", "language", "product", "intent"):
            return Q(**{column: ""}), start, end
        return Q(**{f"{column}__isnull": True}), start, end
    return Q(**{column: q.key}), start, end


def drill(
    agent: Agent, query: MetricsQuery | Mapping[str, Any], measure: str
) -> QuerySet[Conversation]:
    """The conversations behind a number: ``measure`` (e.g. ``nps_detractors``:
    conversations whose NPS answer in the period was 0–6; ``sla_breached``; ``backlog``)
    in the query's period, filters and group (``key``), newest first."""
    q = _as_query(agent, query)
    if measure not in DRILLS:
        raise _bad(_("Unknown measure: %(v)s") % {"v": measure[:40]}, "measure")
    brands = scoped_brands(agent, q)
    inner: QuerySet[Any]
    if measure in RESPONSE_DRILLS:
        cond, start, end = _key_q(RESPONSES, q)
        period = {"answered_at__gte": start, "answered_at__lt": end}
        ids = SurveyResponse.objects.filter(
            _filter_q(RESPONSES, q.filters), cond, RESPONSE_DRILLS[measure], brand_id__in=brands
        ).filter(**period)
        inner = ids.values("conversation_id")
    else:
        cond, start, end = _key_q(FACTS, q)
        every = ConversationFact.objects.filter(
            _filter_q(FACTS, q.filters), cond, brand_id__in=brands
        )
        if measure == "backlog":
            facts = every.filter(
                Q(resolved_at__isnull=True) | Q(resolved_at__gte=end), created_at__lt=end
            )
        else:
            facts = every.filter(FACT_DRILLS[measure], created_at__gte=start, created_at__lt=end)
        inner = facts.values("conversation_id")
    return Conversation.objects.filter(pk__in=Subquery(inner)).order_by("-created_at", "-pk")
