"""The conversation facts the reports aggregate, kept up to date from events.

One ``ConversationFact`` per conversation (and a ``FactTag`` per tag) holds what the
measures need, computed once when something about the conversation changes — never per
page view. The listeners recompute the facts of the conversations an event names (a bulk
``conversation.updated`` in one go, ``@many``); ``rebuild`` recomputes them all (the demo
and ``wowdesk analytics-rebuild`` call it after bulk writes that emit no events). Both go
through ``refresh``, so the live path and a rebuild give the same rows.

Survey measures read ``surveys.SurveyResponse`` (one row per answer, with the fields of
the time), which is already the rollup they need; ``survey.answered`` changes nothing here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Max, Min, Model, Q
from django.db.models.fields import AutoFieldMixin
from django_tasks import task

from wowdesk.analytics.metrics import time_bin
from wowdesk.analytics.models import ConversationFact, FactTag, HourlyRollup, ReportSettings
from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.core.events import Event, Phase, listen, many
from wowdesk.core.kinds import Channel
from wowdesk.core.models import AuditLog, Brand, Site
from wowdesk.customers.models import Purchase
from wowdesk.knowledge.models import BotSession
from wowdesk.routing.business_hours import business_seconds_between
from wowdesk.routing.models import SlaEvent, SlaEventKind
from wowdesk.routing.sla import calendar_for

LIVE_CHANNELS = (Channel.CHAT, Channel.VOICE)
# a voice call that ended with one of these outcomes was not answered
MISSED_CALL = ("no-answer", "busy", "canceled", "failed")
BOT_RESOLVED = ("confirmed", "no_return")
DEFAULT_FCR_DAYS = 7
CHUNK = 1000

_PATH = "wowdesk.analytics.rollups"


def register() -> None:
    """Register this part's listeners."""
    # The events of every message come in batches (``wowdesk serve`` gathers a few
    # milliseconds of them, the ingest writer a whole batch): one refresh per batch of the
    # conversations they name, not one per message.
    listen(Event.CONVERSATION_CREATED, f"{_PATH}.on_conversation_created")
    for event, name in (
        (Event.MESSAGE_CREATED, "on_messages_created"),
        (Event.MESSAGE_ANNOTATED, "on_messages_annotated"),
        (Event.SLA_BREACHED, "on_slas_breached"),
    ):
        listen(event, f"{_PATH}.{name}", phase=Phase.BATCH)
    listen(Event.CONVERSATION_UPDATED, f"{_PATH}.on_conversation_updated")


# --- listeners --------------------------------------------------------------------------------


def _conversations(payloads: list[dict[str, Any]]) -> list[int]:
    return sorted({int(p["conversation_id"]) for p in payloads})


def on_conversation_created(*, conversation_id: int, **_: Any) -> None:
    # a conversation that came with its first message is refreshed by that message's batch
    if not Message.objects.filter(
        conversation_id=conversation_id, direction__in=(Direction.IN, Direction.OUT)
    ).exists():
        refresh([conversation_id])


def _on_conversation_updated_many(payloads: list[dict[str, Any]]) -> None:
    ids = {int(p["conversation_id"]) for p in payloads}
    for p in payloads:
        merged = p.get("changes", {}).get("merged_into")
        if isinstance(merged, int):
            ids.add(merged)
    refresh(sorted(ids))


@many(_on_conversation_updated_many)
def on_conversation_updated(**payload: Any) -> None:
    _on_conversation_updated_many([payload])


def on_messages_created(payloads: list[dict[str, Any]]) -> None:
    # a reply sets the first response and the handle time, a customer's message after a
    # resolution ends its FCR (and usually reopens the conversation)
    wanted = [p for p in payloads if p.get("direction") in (Direction.IN, Direction.OUT)]
    if wanted:
        refresh(_conversations(wanted))


def on_messages_annotated(payloads: list[dict[str, Any]]) -> None:
    # the detected language may become the conversation's
    wanted = [p for p in payloads if "language" in p.get("fields", {})]
    if wanted:
        refresh(_conversations(wanted))


def on_slas_breached(payloads: list[dict[str, Any]]) -> None:
    refresh(_conversations(payloads))


# --- the facts --------------------------------------------------------------------------------


def _seconds(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def _business(cal: Any, start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    if cal is None:  # no site: around the clock
        return _seconds(start, end)
    return business_seconds_between(cal, start, end)


def _bin(seconds: float | None) -> int | None:
    return None if seconds is None else time_bin(seconds)


def build_facts(
    conversation_ids: Sequence[int],
) -> tuple[list[ConversationFact], list[FactTag]]:
    """The facts (unsaved) of these conversations, in a constant number of queries. A
    merged-away conversation has none (its messages count in the one it went into)."""
    conversations = list(
        Conversation.objects.filter(pk__in=conversation_ids, merged_into__isnull=True)
        .select_related("inbox", "assignee")
        .only(
            "pk",
            "brand_id",
            "customer_id",
            "status",
            "language",
            "team_id",
            "assignee_id",
            "assignee__site_id",
            "inbox_id",
            "inbox__channel",
            "first_response_at",
            "resolved_at",
            "custom_fields",
            "created_at",
        )
    )
    if not conversations:
        return [], []
    ids = [c.pk for c in conversations]
    brand_ids = {c.brand_id for c in conversations}
    fcr_days = dict(
        ReportSettings.objects.filter(brand_id__in=brand_ids).values_list("brand_id", "fcr_days")
    )
    # the brand's first site handles what no agent with a site has
    brand_site: dict[int, int] = {}
    for brand_id, first_site in (
        Site.brands.through.objects.filter(brand_id__in=brand_ids)
        .order_by("site_id")
        .values_list("brand_id", "site_id")
    ):
        brand_site.setdefault(brand_id, first_site)
    site_ids = set(brand_site.values()) | {
        c.assignee.site_id for c in conversations if c.assignee and c.assignee.site_id
    }
    sites = {s.pk: s for s in Site.objects.filter(pk__in=site_ids)}
    replies = {
        row["conversation_id"]: (row["first"], row["last"])
        for row in Message.objects.filter(
            conversation_id__in=ids, direction=Direction.OUT, author__isnull=False
        )
        .values("conversation_id")
        .annotate(first=Min("created_at"), last=Max("created_at"))
    }
    resolved = [c for c in conversations if c.status == Status.RESOLVED and c.resolved_at]
    after_resolution: dict[int, list[dt.datetime]] = {}
    if resolved:
        earliest = min(c.resolved_at for c in resolved if c.resolved_at)
        for cid, at in Message.objects.filter(
            conversation_id__in=[c.pk for c in resolved],
            direction=Direction.IN,
            created_at__gt=earliest,
        ).values_list("conversation_id", "created_at"):
            after_resolution.setdefault(cid, []).append(at)
    live_ids = [c.pk for c in conversations if c.inbox and c.inbox.channel in LIVE_CHANNELS]
    missed = set(
        Message.objects.filter(
            conversation_id__in=live_ids, meta__call__outcome__in=MISSED_CALL
        ).values_list("conversation_id", flat=True)
        if live_ids
        else ()
    )
    sla: dict[int, bool] = {}
    for cid, kind in SlaEvent.objects.filter(
        conversation_id__in=ids, kind__in=(SlaEventKind.MET, SlaEventKind.BREACH)
    ).values_list("conversation_id", "kind"):
        sla[cid] = sla.get(cid, True) and kind == SlaEventKind.MET
    bots: dict[int, tuple[str, str]] = {}
    for cid, outcome, intent in (
        BotSession.objects.filter(conversation_id__in=ids)
        .order_by("started_at", "pk")
        .values_list("conversation_id", "outcome", "intent")
    ):
        bots[cid] = (outcome, intent)
    reopens: dict[int, int] = {}
    for object_id, after in AuditLog.objects.filter(
        object_type="conversation",
        object_id__in=[str(i) for i in ids],
        action="conversation.update",
        before__status=Status.RESOLVED,
    ).values_list("object_id", "after"):
        if isinstance(after, dict) and after.get("status") not in (None, Status.RESOLVED):
            reopens[int(object_id)] = reopens.get(int(object_id), 0) + 1
    products: dict[int, str] = {}
    for customer_id, product in (
        Purchase.objects.filter(customer_id__in={c.customer_id for c in conversations})
        .order_by("customer_id", "purchased_on", "pk")
        .values_list("customer_id", "product")
    ):
        products[customer_id] = product
    tag_rows = list(
        Conversation.tags.through.objects.filter(conversation_id__in=ids).values_list(
            "conversation_id", "tag_id"
        )
    )

    facts: list[ConversationFact] = []
    by_id: dict[int, ConversationFact] = {}
    for c in conversations:
        agent_site = c.assignee.site_id if c.assignee else None
        site_id: int | None = agent_site or brand_site.get(c.brand_id)
        site = sites.get(site_id) if site_id else None
        cal = calendar_for(site, c.created_at) if site else None
        is_resolved = c.status == Status.RESOLVED and c.resolved_at is not None
        resolved_at = c.resolved_at if is_resolved else None
        channel = c.inbox.channel if c.inbox else ""
        live = channel in LIVE_CHANNELS
        first_s = _seconds(c.created_at, c.first_response_at)
        first_bs = _business(cal, c.created_at, c.first_response_at)
        res_s = _seconds(c.created_at, resolved_at)
        res_bs = _business(cal, c.created_at, resolved_at)
        reply = replies.get(c.pk)
        handle = _seconds(reply[0], reply[1]) if reply else None
        reopened = reopens.get(c.pk, 0)
        fcr: bool | None = None
        if resolved_at is not None:
            window = dt.timedelta(days=fcr_days.get(c.brand_id, DEFAULT_FCR_DAYS))
            came_back = any(
                resolved_at < at <= resolved_at + window for at in after_resolution.get(c.pk, ())
            )
            fcr = not came_back and reopened == 0
        bot_outcome, bot_intent = bots.get(c.pk, ("", ""))
        fields = c.custom_fields if isinstance(c.custom_fields, dict) else {}
        intent = bot_intent or str(fields.get("intent") or "")
        product = str(fields.get("product") or "") or products.get(c.customer_id, "")
        fact = ConversationFact(
            conversation_id=c.pk,
            brand_id=c.brand_id,
            created_at=c.created_at,
            resolved_at=resolved_at,
            inbox_id=c.inbox_id,
            channel=channel,
            language=c.language or "",
            team_id=c.team_id,
            agent_id=c.assignee_id,
            site_id=site_id,
            intent=intent[:100],
            product=product[:200],
            first_response_s=first_s,
            first_response_bs=first_bs,
            first_response_bin=_bin(first_s),
            first_response_bbin=_bin(first_bs),
            resolution_s=res_s,
            resolution_bs=res_bs,
            resolution_bin=_bin(res_s),
            resolution_bbin=_bin(res_bs),
            handle_s=handle,
            handle_bin=_bin(handle),
            reopened=reopened,
            fcr=fcr,
            sla_met=sla.get(c.pk),
            live=live,
            abandoned=live and c.first_response_at is None and (is_resolved or c.pk in missed),
            bot=bot_outcome,
        )
        facts.append(fact)
        by_id[c.pk] = fact
    tags = [
        FactTag(
            fact_id=cid,
            tag_id=tag_id,
            brand_id=by_id[cid].brand_id,
            created_at=by_id[cid].created_at,
        )
        for cid, tag_id in tag_rows
        if cid in by_id
    ]
    return facts, tags


def refresh(conversation_ids: Iterable[int]) -> int:
    """Recompute the facts of these conversations (gone or merged ones lose theirs); the
    facts written."""
    ids = sorted(set(conversation_ids))
    written = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        facts, tags = build_facts(chunk)
        with transaction.atomic():
            hours: set[tuple[int, dt.datetime]] = set()
            for brand_id, created, resolved in (
                ConversationFact.objects.filter(pk__in=chunk)
                .values_list("brand_id", "created_at", "resolved_at")
                .iterator()
            ):
                hours |= _hours_of(brand_id, created, resolved)
            for f in facts:
                hours |= _hours_of(f.brand_id, f.created_at, f.resolved_at)
            _delete(FactTag, "fact_id", chunk)
            _delete(ConversationFact, "conversation_id", chunk)
            _insert(ConversationFact, facts)
            _insert(FactTag, tags)
            refresh_hours(hours)
        written += len(facts)
    return written


# --- hourly rollups ---------------------------------------------------------------------------

BIN_COLUMNS = {
    "first_response": "first_response_bin",
    "first_response_b": "first_response_bbin",
    "resolution": "resolution_bin",
    "resolution_b": "resolution_bbin",
    "handle": "handle_bin",
}
_ROLLUP_INPUT = (
    "brand_id",
    "created_at",
    "resolved_at",
    "reopened",
    "fcr",
    "sla_met",
    "live",
    "first_response_s",
    "abandoned",
    "bot",
    *BIN_COLUMNS.values(),
)
HOURS_PER_QUERY = 200  # hour conditions OR-ed in one statement


def hour_of(at: dt.datetime) -> dt.datetime:
    """The UTC hour ``at`` falls in."""
    return at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def closed_hour(created: dt.datetime, resolved: dt.datetime | None) -> dt.datetime | None:
    """The hour a fact leaves the backlog (``HourlyRollup.closed``): that of the later of
    its creation and its standing resolution; None while open."""
    return None if resolved is None else hour_of(max(created, resolved))


def _hours_of(
    brand_id: int, created: dt.datetime, resolved: dt.datetime | None
) -> set[tuple[int, dt.datetime]]:
    closed = closed_hour(created, resolved)
    out = {(brand_id, hour_of(created))}
    if closed is not None:
        out.add((brand_id, closed))
    return out


def sum_hours(
    rows: Iterable[Mapping[str, Any]],
    wanted: set[tuple[int, dt.datetime]] | None = None,
) -> dict[tuple[int, dt.datetime], HourlyRollup]:
    """The hourly rollups (unsaved) of fact rows (``_ROLLUP_INPUT`` values): the same sums
    ``analytics.services`` takes over the facts, and the facts closed in each hour. Only
    the ``wanted`` (brand, hour) pairs when given (the rows must hold every fact opened or
    resolved in them)."""
    out: dict[tuple[int, dt.datetime], HourlyRollup] = {}

    def rollup(key: tuple[int, dt.datetime]) -> HourlyRollup:
        h = out.get(key)
        if h is None:
            h = out[key] = HourlyRollup(brand_id=key[0], hour=key[1], bins={})
        return h

    for r in rows:
        closed = closed_hour(r["created_at"], r["resolved_at"])
        if closed is not None and (wanted is None or (r["brand_id"], closed) in wanted):
            rollup((r["brand_id"], closed)).closed += 1
        key = (r["brand_id"], hour_of(r["created_at"]))
        if wanted is not None and key not in wanted:
            continue
        h = rollup(key)
        resolved = r["resolved_at"] is not None
        h.conversations += 1
        h.resolved += resolved
        h.ever_resolved += resolved or r["reopened"] > 0
        h.fcr += r["fcr"] is True
        h.reopened += r["reopened"] > 0
        h.sla_met += r["sla_met"] is True
        h.sla_breached += r["sla_met"] is False
        if r["live"]:
            h.live += 1
            if r["first_response_s"] is not None:
                h.live_answered += 1
                h.asa_sum += r["first_response_s"]
        h.abandoned += bool(r["abandoned"])
        h.bot_sessions += r["bot"] != ""
        h.bot_resolved += r["bot"] in BOT_RESOLVED
        h.bot_handed += r["bot"] == "handed_over"
        for time, column in BIN_COLUMNS.items():
            k = r[column]
            if k is not None:
                counts = h.bins.setdefault(time, {})
                counts[str(k)] = counts.get(str(k), 0) + 1
    for h in out.values():
        h.histogram = pack_bins(h.bins)
    return out


BIN_CODE = 4096  # a time's codes: its index × BIN_CODE + the bin (bins stay under 1,000)
TIME_INDEX = {time: i for i, time in enumerate(BIN_COLUMNS)}


def pack_bins(bins: Mapping[str, Mapping[str, int]]) -> bytes:
    """An hour's ``{time: {bin: count}}`` as little-endian int32 pairs (code, count),
    sorted by code: ``HourlyRollup.histogram``."""
    pairs = sorted(
        (TIME_INDEX[time] * BIN_CODE + int(k), n)
        for time, counts in bins.items()
        for k, n in counts.items()
    )
    return np.array(pairs, dtype="<i4").tobytes() if pairs else b""


def refresh_hours(hours: Iterable[tuple[int, dt.datetime]]) -> None:
    """Rewrite the hourly rollups of these (brand, hour) pairs from the facts."""
    wanted = sorted(set(hours))
    for i in range(0, len(wanted), HOURS_PER_QUERY):
        part = wanted[i : i + HOURS_PER_QUERY]
        facts = Q()
        rollups = Q()
        for brand_id, hour in part:
            facts |= Q(brand_id=brand_id, created_at__gte=hour, created_at__lt=hour + _HOUR)
            facts |= Q(brand_id=brand_id, resolved_at__gte=hour, resolved_at__lt=hour + _HOUR)
            rollups |= Q(brand_id=brand_id, hour=hour)
        sums = sum_hours(ConversationFact.objects.filter(facts).values(*_ROLLUP_INPUT), set(part))
        HourlyRollup.objects.filter(rollups).delete()
        _insert(HourlyRollup, list(sums.values()))


_HOUR = dt.timedelta(hours=1)


# One statement per table whatever the number of rows (``bulk_create`` splits SQLite's
# inserts by its default limit of 999 parameters, and ``delete`` collects in chunks of
# 100): a bulk change's refresh takes the same queries for 10 or 1,000 conversations.
MAX_PARAMS = 30000  # under SQLite's 32,766 and PostgreSQL's 65,535


def _delete(model: type[Model], column: str, ids: Sequence[int]) -> None:
    if not ids:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE {connection.ops.quote_name(column)} IN ({marks})",
            list(ids),
        )


def _insert(model: type[Model], rows: Sequence[Model]) -> None:
    if not rows:
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, AutoFieldMixin))
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per = max(1, MAX_PARAMS // len(fields))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), per):
            part = rows[i : i + per]
            params: list[Any] = []
            for row in part:
                for f in fields:
                    value = f.pre_save(row, add=True)
                    params.append(f.get_db_prep_save(value, connection))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(part))}", params
            )


def rebuild(
    brand_ids: list[int] | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute every fact (of these brands) from the tables; the rows written. The demo
    seeder and ``wowdesk analytics-rebuild`` call it after bulk writes that emit no events.
    ``progress(done, total)`` is told after each chunk."""
    brands = Brand.objects.all()
    if brand_ids is not None:
        brands = brands.filter(pk__in=brand_ids)
    wanted = list(brands.values_list("pk", flat=True))
    conversations = Conversation.objects.filter(brand_id__in=wanted)
    # every hour is written again from the facts as their chunks are refreshed
    HourlyRollup.objects.filter(brand_id__in=wanted).delete()
    total = conversations.count()
    written = 0
    done = 0
    last = 0
    # stale facts of conversations that are gone are removed by the cascade; merged ones
    # are dropped by ``refresh``
    while True:
        chunk = list(
            conversations.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
        )
        if not chunk:
            break
        written += refresh(chunk)
        done += len(chunk)
        last = chunk[-1]
        if progress is not None:
            progress(done, total)
    return written


@task()
def rebuild_task(brand_id: int) -> int:
    """Recompute the brand's facts and rollups in the background (after its first-contact
    resolution window changed: every resolution is judged again)."""
    return rebuild([brand_id])
