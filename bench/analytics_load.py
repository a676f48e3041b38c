"""Bulk loader for ``bench/analytics.py``: a year of a multi-brand help desk with surveys.

Not the API: rows go in with ``executemany`` (``bulkload.RawRows``) in one transaction per
batch, with SQLite's journal relaxed (the data dir is scratch). Spread over the 12 months up
to the current hour: 3 brands, 20 teams (with leads), 300 agents at 6 sites (time zones from
Sydney to Los Angeles), 8 languages (en, zh-hans, de, es, fr, id, ja, ar), 6 channels (one inbox
each per brand), 30 tags per brand, 8 intents. Conversations are resolved (80 %), open,
pending or snoozed; each has 1–4 messages (the customer, the agent's first reply, sometimes
a follow-up from the customer after the resolution: the FCR misses). Surveys follow
resolutions (CSAT and NPS, some CES), sent, expired or answered; answers carry the
conversation's fields of the time; NPS sits in the seeds' 40–60, worse for slow and
reopened cases; a third of the answers have a why in the customer's language.

A data dir that holds a load of the same size and seed is reused (``analytics-load.json``);
new migrations are applied to it either way. Seeded: the same seed gives the same data
(the clock is the hour the load was made, kept in the marker).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import bulkload

MARKER = "analytics-load.json"
FORMAT = 1  # bump when the generated data changes shape

LANGUAGES = (
    ("en", 0.38),
    ("de", 0.14),
    ("es", 0.11),
    ("fr", 0.09),
    ("zh-hans", 0.09),
    ("ja", 0.07),
    ("id", 0.07),
    ("ar", 0.05),
)
CHANNELS = (
    ("email", 0.35),
    ("chat", 0.25),
    ("social", 0.12),
    ("voice", 0.12),
    ("web", 0.10),
    ("api", 0.06),
)
STATUSES = (("resolved", 0.80), ("open", 0.09), ("pending", 0.07), ("snoozed", 0.04))
INTENTS = (
    "order_status",
    "refund",
    "damaged_item",
    "billing",
    "change_address",
    "warranty",
    "cancel_order",
    "account_access",
)
SITES = (
    ("Lisbon", "Europe/Lisbon", "PT"),
    ("Berlin", "Europe/Berlin", "DE"),
    ("Jakarta", "Asia/Jakarta", "ID"),
    ("Shanghai", "Asia/Shanghai", "CN"),
    ("Austin", "America/Chicago", "US"),
    ("Sydney", "Australia/Sydney", "AU"),
)
BRANDS = (("Bench Outdoor", "bench-outdoor"), ("Bench Home", "bench-home"))
COMMENTS = {
    "en": ("Fast and friendly, thank you!", "Took far too long to get an answer.",
           "The refund is still missing.", "Great help, problem solved.",
           "I had to explain everything twice."),
    "de": ("Schnell und freundlich, danke!", "Die Antwort hat viel zu lange gedauert.",
           "Die Erstattung fehlt immer noch."),
    "es": ("¡Rápido y amable, gracias!", "Tardaron demasiado en responder."),
    "fr": ("Rapide et aimable, merci !", "Beaucoup trop long pour avoir une réponse."),
    "zh-hans": ("又快又友好，谢谢！", "等了太久才得到答复。", "退款还没有到账。"),
    "ja": ("迅速で親切でした。", "返事が遅すぎました。"),
    "id": ("Cepat dan ramah, terima kasih!", "Terlalu lama menunggu jawaban.",
           "Pengembalian dana belum masuk."),
    "ar": ("خدمة سريعة ولطيفة، شكرا!", "استغرق الرد وقتا طويلا جدا."),
}  # fmt: skip


@dataclass(frozen=True)
class Size:
    conversations: int = 1_000_000
    messages: int = 2_200_000
    customers: int = 200_000
    responses: int = 200_000
    agents: int = 300
    teams: int = 20
    seed: int = 16


SIZES = {
    "tiny": Size(conversations=600, messages=1_300, customers=150, responses=200, agents=12,
                 teams=4),
    "small": Size(conversations=50_000, messages=110_000, customers=12_000, responses=10_000,
                  agents=60, teams=8),
    "full": Size(),
}  # fmt: skip


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return bulkload._weighted(rng, table)


def marker(data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / MARKER
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data


def ensure_loaded(data_dir: Path, size: Size, *, progress: bool = True) -> dict[str, Any]:
    """Set up Django on ``data_dir``, migrate, and load unless the same load is there."""
    from django.db import connection

    data_dir.mkdir(parents=True, exist_ok=True)
    bulkload.setup_django(data_dir)
    wanted = {"format": FORMAT, "vendor": connection.vendor, **asdict(size)}
    found = marker(data_dir)
    if found is not None and {k: found.get(k) for k in wanted} != wanted:
        if connection.vendor != "sqlite":
            raise SystemExit(f"{data_dir} holds another load: give an empty database")
        for name in ("wowdesk.sqlite3", "wowdesk.sqlite3-wal", "wowdesk.sqlite3-shm", MARKER):
            (data_dir / name).unlink(missing_ok=True)
        connection.close()
        found = None
    t0 = time.perf_counter()
    bulkload.migrate()
    migrate_s = time.perf_counter() - t0
    if found is not None:
        _reset_sequences()
        return {**found, "reused": True, "migrate_s": round(migrate_s, 1)}
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    stats = load(size, now, progress=progress)
    _reset_sequences()
    info = {**wanted, **stats, "now": now.isoformat(), "loaded_at": time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip
    (data_dir / MARKER).write_text(json.dumps(info, indent=2) + "\n")
    return {**info, "reused": False, "migrate_s": round(migrate_s, 1)}


def _reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the ids this loader wrote itself (``executemany``
    with explicit ids leaves them at 1: the live operations' inserts would collide)."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _people(size: Size, rng: random.Random) -> dict[str, Any]:
    """Brands, sites, agents, teams, inboxes, tags: few rows, through the ORM."""
    from django.db import transaction

    from wowdesk.conversations.models import Inbox, Tag
    from wowdesk.core.models import Agent, Brand, Site, Team
    from wowdesk.core.services import AgentInput, create_agent, default_brand

    with transaction.atomic():
        brands = [default_brand()]
        for name, slug in BRANDS:
            brand, _ = Brand.objects.get_or_create(slug=slug, defaults={"name": name})
            brands.append(brand)
        sites = []
        for name, tz, country in SITES:
            site, _ = Site.objects.get_or_create(
                name=f"Bench {name}", defaults={"timezone": tz, "country": country}
            )
            site.brands.set(brands)
            sites.append(site)
        agents: dict[int, list[Agent]] = {b.pk: [] for b in brands}
        for i in range(size.agents):
            brand = brands[i % len(brands)]
            agent = create_agent(
                AgentInput(
                    email=f"analytics-agent{i + 1}@bench.example.com",
                    name=f"{rng.choice(bulkload.FIRST)} {rng.choice(bulkload.LAST)}",
                    languages=("en", _weighted(rng, LANGUAGES)),
                    role="supervisor" if i < len(brands) * 2 else "agent",
                ),
                brands=[brand],
            )
            agents[brand.pk].append(agent)
        site_of: dict[int, int] = {}
        for brand in brands:
            for k, agent in enumerate(agents[brand.pk]):
                site_of[agent.pk] = sites[k % len(sites)].pk
        for site in sites:
            Agent.objects.filter(pk__in=[a for a, s in site_of.items() if s == site.pk]).update(
                site=site
            )
        teams: dict[int, list[Team]] = {b.pk: [] for b in brands}
        for i in range(size.teams):
            brand = brands[i % len(brands)]
            team = Team.objects.create(brand=brand, name=f"Bench team {i + 1}")
            teams[brand.pk].append(team)
        team_of: dict[int, int] = {}
        for brand in brands:
            for k, team in enumerate(teams[brand.pk]):
                members = agents[brand.pk][k :: len(teams[brand.pk])]
                team.members.set(members)
                for m in members:
                    team_of[m.pk] = team.pk
                if members:
                    Team.objects.filter(pk=team.pk).update(lead=members[0])
        inboxes: dict[tuple[int, str], int] = {}
        for brand in brands:
            for channel, _w in CHANNELS:
                inbox = Inbox.objects.filter(brand=brand, channel=channel).order_by("id").first()
                if inbox is None:
                    inbox = Inbox.objects.create(
                        brand=brand, name=f"{channel.capitalize()} ({brand.slug})", channel=channel
                    )
                inboxes[(brand.pk, channel)] = inbox.pk
        tags = {
            b.pk: [
                t.pk
                for t in Tag.objects.bulk_create(
                    [Tag(brand=b, name=f"topic-{i + 1:02d}") for i in range(30)]
                )
            ]
            for b in brands
        }
    return {
        "brands": [b.pk for b in brands],
        "agents": {b: [a.pk for a in v] for b, v in agents.items()},
        "site_of": site_of,
        "team_of": team_of,
        "inboxes": inboxes,
        "tags": tags,
    }


def load(size: Size, now: dt.datetime, *, progress: bool = True) -> dict[str, Any]:
    """Write the whole data set; returns row counts and timings."""
    from django.db import connection, transaction
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from wowdesk.conversations.models import Conversation, Message
    from wowdesk.core.models import Brand
    from wowdesk.customers.models import Customer
    from wowdesk.surveys.models import Survey, SurveyResponse

    rng = random.Random(size.seed)
    start = now - dt.timedelta(days=365)
    timings: dict[str, float] = {}
    ts = bulkload._timestamp_adapter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-512000")

    t = time.perf_counter()
    people = _people(size, rng)
    brands: list[int] = people["brands"]
    timings["people_s"] = time.perf_counter() - t

    # --- customers ----------------------------------------------------------------------
    t = time.perf_counter()
    first_customer = bulkload._next_id(Customer)
    cust_rows = RawRowsCached(Customer)
    customer_lang: list[str] = []
    customer_brand: list[int] = []
    batch = 5_000
    for lo in range(0, size.customers, batch):
        rows = []
        for n in range(lo, min(size.customers, lo + batch)):
            lang = _weighted(rng, LANGUAGES)
            brand = brands[n % len(brands)]
            customer_lang.append(lang)
            customer_brand.append(brand)
            first, last = rng.choice(bulkload.FIRST), rng.choice(bulkload.LAST)
            created = ts(start - dt.timedelta(days=rng.randrange(0, 400)))
            rows.append({
                "id": first_customer + n, "brand_id": brand, "name": f"{first} {last}",
                "email": f"{first.lower()}.{n + 1}@analytics.example.com", "language": lang,
                "created_at": created, "updated_at": created,
            })  # fmt: skip
        with transaction.atomic():
            cust_rows.insert(rows)
    timings["customers_s"] = time.perf_counter() - t

    # --- conversations, messages, tags, surveys, answers --------------------------------
    t = time.perf_counter()
    first_conv = bulkload._next_id(Conversation)
    msg_pk = bulkload._next_id(Message)
    survey_pk = bulkload._next_id(Survey)
    numbers = {
        b: int(Brand.objects.filter(pk=b).values_list("conversation_seq", flat=True)[0])
        for b in brands
    }
    per_brand_customers: dict[int, list[int]] = {b: [] for b in brands}
    for i, b in enumerate(customer_brand):
        per_brand_customers[b].append(i)
    conv_rows, msg_rows = RawRowsCached(Conversation), RawRowsCached(Message)
    tag_rows = RawRowsCached(Conversation.tags.through)
    survey_rows, response_rows = RawRowsCached(Survey), RawRowsCached(SurveyResponse)
    extra_msgs = max(0, size.messages - 2 * size.conversations)
    p_extra = min(1.0, extra_msgs / max(1, size.conversations))
    resolved_share = dict(STATUSES)["resolved"]
    # surveys asked after resolutions: CSAT + NPS (a fifth also CES); 40 % answered
    asked_share = min(1.0, size.responses / 0.4 / 2.2 / max(1, resolved_share * size.conversations))
    totals = {"conversations": 0, "messages": 0, "surveys": 0, "responses": 0}
    columns = [TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn()]  # fmt: skip
    span = (now - start).total_seconds() - 3600
    with Progress(*columns, disable=not progress, transient=False) as bar:
        task = bar.add_task("conversations", total=size.conversations)
        batch = 4_000
        for lo in range(0, size.conversations, batch):
            convs: list[dict[str, Any]] = []
            msgs: list[dict[str, Any]] = []
            links: list[dict[str, Any]] = []
            surveys: list[dict[str, Any]] = []
            answers: list[dict[str, Any]] = []
            for n in range(lo, min(size.conversations, lo + batch)):
                pk = first_conv + n
                brand = brands[0] if rng.random() < 0.5 else rng.choice(brands[1:] or brands)
                pool = per_brand_customers[brand]
                ci = pool[int(len(pool) * rng.random() ** 2)]
                customer_id = first_customer + ci
                lang = customer_lang[ci]
                channel = _weighted(rng, CHANNELS)
                inbox = people["inboxes"][(brand, channel)]
                status = _weighted(rng, STATUSES)
                # more conversations lately (a growing help desk), none in the last hour
                created = start + dt.timedelta(seconds=span * (n / size.conversations) ** 0.9)
                created += dt.timedelta(seconds=rng.randrange(600))
                agent = rng.choice(people["agents"][brand])
                assignee = None if status == "open" and rng.random() < 0.4 else agent
                team = people["team_of"].get(agent) if rng.random() < 0.9 else None
                angry = rng.random() < 0.08
                slow = rng.random() < 0.15
                frt = dt.timedelta(
                    minutes=rng.randrange(240, 3000) if slow else rng.randrange(1, 180)
                )
                first_response = created + frt
                if first_response > now - dt.timedelta(minutes=5):
                    first_response = None
                resolved_at = None
                if status == "resolved" and first_response is not None:
                    resolved_at = first_response + dt.timedelta(
                        minutes=rng.randrange(5, 4000 if slow else 600)
                    )
                    if resolved_at > now:
                        resolved_at, status = None, "pending"
                count = 1 + (first_response is not None)
                mrows = [("in", created, customer_id, None)]
                if first_response is not None:
                    mrows.append(("out", first_response, None, assignee or agent))
                reopened = False
                if resolved_at is not None and rng.random() < p_extra:
                    # the customer wrote again: within 7 days for most (an FCR miss)
                    later = resolved_at + dt.timedelta(hours=rng.randrange(1, 400))
                    if later < now:
                        mrows.append(("in", later, customer_id, None))
                        reopened = rng.random() < 0.5
                        count += 1
                last_at = mrows[-1][1]
                wake = now + dt.timedelta(days=1)
                intent = INTENTS[int(len(INTENTS) * rng.random() ** 1.5)]
                line = rng.choice(COMMENTS[lang])
                for direction, at, sender, author in mrows:
                    msgs.append({
                        "id": msg_pk, "conversation_id": pk, "brand_id": brand,
                        "direction": direction, "channel": channel,
                        "body": f"[{intent}] {line}", "html": "",
                        "sender_id": sender, "author_id": author,
                        "external_id": f"an-{msg_pk}" if direction == "in" else "",
                        "language": lang, "created_at": ts(at),
                    })  # fmt: skip
                    msg_pk += 1
                numbers[brand] += 1
                convs.append({
                    "id": pk, "brand_id": brand, "number": numbers[brand], "inbox_id": inbox,
                    "customer_id": customer_id, "subject": f"{intent.replace('_', ' ')}",
                    "status": status, "priority": "high" if angry else "normal",
                    "assignee_id": assignee, "team_id": team, "language": lang,
                    "message_count": count, "first_response_at": ts(first_response),
                    "waiting_since": ts(None if status == "resolved" else last_at),
                    "last_message_at": ts(last_at), "resolved_at": ts(resolved_at),
                    "snoozed_until": ts(wake if status == "snoozed" else None),
                    "created_at": ts(created), "updated_at": ts(last_at),
                })  # fmt: skip
                for tag in rng.sample(people["tags"][brand], k=rng.choice((0, 1, 1, 2))):
                    links.append({"conversation_id": pk, "tag_id": tag})
                if resolved_at is None or rng.random() >= asked_share:
                    continue
                kinds = ["csat", "nps"] + (["ces"] if rng.random() < 0.2 else [])
                sent = resolved_at + dt.timedelta(hours=1)
                if sent > now:
                    continue
                for kind in kinds:
                    answered = rng.random() < 0.4
                    answered_at = sent + dt.timedelta(minutes=rng.randrange(1, 3000))
                    if answered_at > now:
                        answered = False
                    expired = not answered and sent + dt.timedelta(days=14) < now
                    state = "answered" if answered else "expired" if expired else "sent"
                    surveys.append({
                        "id": survey_pk, "brand_id": brand, "conversation_id": pk,
                        "customer_id": customer_id, "kind": kind, "status": state,
                        "expired_reason": "timeout" if expired else "",
                        "resolved_at": ts(resolved_at), "scheduled_for": ts(sent),
                        "sent_at": ts(sent), "expires_at": ts(sent + dt.timedelta(days=14)),
                        "answered_at": ts(answered_at if answered else None), "message_id": None,
                        "language": lang, "channel": channel, "inbox_id": inbox,
                        "agent_id": assignee or agent, "team_id": team,
                        "site_id": people["site_of"].get(assignee or agent), "intent": intent,
                        "created_at": ts(resolved_at),
                    })  # fmt: skip
                    if answered:
                        score = _score(rng, kind, slow=slow, angry=angry, reopened=reopened)
                        comment = rng.choice(COMMENTS[lang]) if rng.random() < 0.33 else ""
                        answers.append({
                            "survey_id": survey_pk, "brand_id": brand, "kind": kind,
                            "score": score, "comment": comment,
                            "comment_language": lang if comment else "",
                            "conversation_id": pk, "customer_id": customer_id,
                            "agent_id": assignee or agent, "team_id": team,
                            "site_id": people["site_of"].get(assignee or agent),
                            "inbox_id": inbox, "channel": channel, "language": lang,
                            "intent": intent, "answered_at": ts(answered_at),
                            "updated_at": ts(answered_at),
                        })  # fmt: skip
                    survey_pk += 1
            with transaction.atomic():
                conv_rows.insert(convs)
                msg_rows.insert(msgs)
                tag_rows.insert(links)
                survey_rows.insert(surveys)
                response_rows.insert(answers)
            totals["conversations"] += len(convs)
            totals["messages"] += len(msgs)
            totals["surveys"] += len(surveys)
            totals["responses"] += len(answers)
            bar.advance(task, len(convs))
    for b, number in numbers.items():
        Brand.objects.filter(pk=b).update(conversation_seq=number)
    timings["conversations_s"] = time.perf_counter() - t

    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["analyze_s"] = time.perf_counter() - t
    return {"rows": totals, "timings": {k: round(v, 1) for k, v in timings.items()}}


def _score(rng: random.Random, kind: str, *, slow: bool, angry: bool, reopened: bool) -> int:
    """NPS around 50 overall; slow, angry and reopened cases pull every kind down."""
    penalty = 0.25 * slow + 0.3 * angry + 0.25 * reopened
    x = min(0.999, max(0.0, rng.random() * (1 - penalty) + rng.random() * 0.05))
    if kind == "nps":
        # 0-6: 15 %, 7-8: 20 %, 9-10: 65 % before the penalty
        return (
            10 if x > 0.6 else 9 if x > 0.35 else 8 if x > 0.25 else 7 if x > 0.15 else int(x * 44)
        )
    if kind == "csat":
        return 5 if x > 0.45 else 4 if x > 0.2 else 3 if x > 0.12 else 2 if x > 0.06 else 1
    return 7 if x > 0.6 else 6 if x > 0.4 else 5 if x > 0.25 else 4 if x > 0.15 else 1 + int(x * 20)


class RawRowsCached(bulkload.RawRows):
    """``RawRows`` that builds its INSERT once (the rows of one table always have the same
    keys here); JSON fields are given as text."""

    def __init__(self, model: Any) -> None:
        super().__init__(model)
        self._sql: str | None = None
        self._names: list[str] = []

    def insert(self, rows: list[dict[str, Any]]) -> None:
        from django.db import connection

        if not rows:
            return
        if self._sql is None:
            q = connection.ops.quote_name
            fields = [
                f
                for f in self.model._meta.concrete_fields
                if not (f.primary_key and f.attname not in rows[0])
            ]
            self._names = [f.attname for f in fields]
            missing = [n for n in self._names if n not in rows[0] and n not in self.defaults]
            if missing:
                raise ValueError(f"{self.model.__name__}: no value nor default for {missing}")
            cols = ", ".join(q(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            self._sql = f"INSERT INTO {q(self.model._meta.db_table)} ({cols}) VALUES ({marks})"
        d, names = self.defaults, self._names
        params = [tuple(r[n] if n in r else d[n] for n in names) for r in rows]
        with connection.cursor() as cur:
            cur.executemany(self._sql, params)


def fill_facts() -> dict[str, Any]:
    """The report facts of every conversation that has none, in two ``INSERT … SELECT``
    statements (minutes for 1M rows, where ``rollups.rebuild()`` takes most of an hour on
    the shared 2-core machine). Same columns and bins (``analytics.metrics.time_bin``) as
    the rebuild, from what this loader writes: no SLA policies, bots, audit log or
    purchases; the site is the agent's (else the brand's first); business seconds are
    taken as half the calendar ones; intent is the subject's. ``bench/analytics.py`` times
    ``rollups.refresh`` on a sample of conversations for the rebuild's own rate."""
    from django.db import connection, transaction

    from wowdesk.analytics import metrics

    log_g = metrics._LOG_GROWTH
    if connection.vendor == "sqlite":

        def secs(a: str, b: str) -> str:
            return f"((julianday({a}) - julianday({b})) * 86400.0)"

        now = "datetime('now')"
    else:

        def secs(a: str, b: str) -> str:
            return f"EXTRACT(EPOCH FROM ({a} - {b}))"

        now = "now()"

    def bin_of(s: str) -> str:
        return (
            f"(CASE WHEN {s} IS NULL THEN NULL WHEN {s} < 1 THEN 0 "
            f"ELSE CAST(floor(ln({s}) / {log_g!r}) AS INTEGER) + 1 END)"
        )

    res = "(CASE WHEN c.status = 'resolved' THEN c.resolved_at END)"
    frs, rss = secs("c.first_response_at", "c.created_at"), secs(res, "c.created_at")
    week = (
        "datetime(c.resolved_at, '+7 days')"
        if connection.vendor == "sqlite"
        else "c.resolved_at + interval '7 days'"
    )
    came_back = (
        "EXISTS (SELECT 1 FROM conversations_message m WHERE m.conversation_id = c.id "
        f"AND m.direction = 'in' AND m.created_at > c.resolved_at AND m.created_at <= {week})"
    )
    first_site = "(SELECT MIN(sb.site_id) FROM core_site_brands sb WHERE sb.brand_id = c.brand_id)"
    facts = f"""
        INSERT INTO analytics_conversationfact (
            conversation_id, brand_id, created_at, resolved_at, inbox_id, channel, language,
            team_id, agent_id, site_id, intent, product, first_response_s,
            first_response_bs, first_response_bin, first_response_bbin, resolution_s,
            resolution_bs, resolution_bin, resolution_bbin, handle_s, handle_bin, reopened,
            fcr, sla_met, live, abandoned, bot, updated_at)
        SELECT c.id, c.brand_id, c.created_at, {res}, c.inbox_id, i.channel, c.language,
            c.team_id, c.assignee_id, COALESCE(a.site_id, {first_site}),
            REPLACE(c.subject, ' ', '_'), '',
            {frs}, {frs} / 2, {bin_of(frs)}, {bin_of(frs + " / 2")},
            {rss}, {rss} / 2, {bin_of(rss)}, {bin_of(rss + " / 2")},
            CASE WHEN c.first_response_at IS NULL THEN NULL ELSE 0 END,
            CASE WHEN c.first_response_at IS NULL THEN NULL ELSE 0 END, 0,
            CASE WHEN c.status = 'resolved' THEN NOT {came_back} END, NULL,
            i.channel IN ('chat', 'voice'), {"0" if connection.vendor == "sqlite" else "false"},
            '', {now}
        FROM conversations_conversation c
        JOIN conversations_inbox i ON i.id = c.inbox_id
        LEFT JOIN core_agent a ON a.id = c.assignee_id
        WHERE NOT EXISTS (
            SELECT 1 FROM analytics_conversationfact f WHERE f.conversation_id = c.id)
    """
    tags = """
        INSERT INTO analytics_facttag (fact_id, tag_id, brand_id, created_at)
        SELECT ct.conversation_id, ct.tag_id, c.brand_id, c.created_at
        FROM conversations_conversation_tags ct
        JOIN conversations_conversation c ON c.id = ct.conversation_id
        WHERE NOT EXISTS (SELECT 1 FROM analytics_facttag ft
                          WHERE ft.fact_id = ct.conversation_id AND ft.tag_id = ct.tag_id)
    """
    # the facts the rebuild wrote before have no intent (this loader keeps it in the subject)
    intents = """
        UPDATE analytics_conversationfact SET intent = (
            SELECT REPLACE(c.subject, ' ', '_') FROM conversations_conversation c
            WHERE c.id = analytics_conversationfact.conversation_id)
        WHERE intent = ''
    """
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(facts)
        n_facts = cur.rowcount
        cur.execute(tags)
        n_tags = cur.rowcount
        cur.execute(intents)
    # the hourly rollups of every hour with a fact (as the rebuild writes them)
    from wowdesk.analytics import rollups
    from wowdesk.analytics.models import ConversationFact

    hours: set[tuple[int, dt.datetime]] = set()
    for brand_id, created, resolved in ConversationFact.objects.values_list(
        "brand_id", "created_at", "resolved_at"
    ).iterator(chunk_size=10_000):
        hours.add((brand_id, rollups.hour_of(created)))
        closed = rollups.closed_hour(created, resolved)
        if closed is not None:
            hours.add((brand_id, closed))
    with transaction.atomic():
        rollups.refresh_hours(hours)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "facts": n_facts,
        "tags": n_tags,
        "hours": len(hours),
        "seconds": round(time.perf_counter() - t0, 1),
    }
