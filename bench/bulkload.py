"""Bulk loader for the read benchmark: a help desk with years of history, fast.

Not the API: rows go in with ``bulk_create`` in large batches, in one transaction per batch,
with SQLite's journal relaxed for the load (the data dir is scratch). Default size:
100,000 conversations, 1,000,000 messages, 30,000 customers (with email, phone and chat
identities), 50 agents, 5 teams, 30 tags, 6 inboxes, 10,000 purchases. Seeded: the same
seed gives the same data.

A data dir that already holds a load of the same size and seed is reused (a marker file
``bulkload.json`` says what is there); new migrations are applied to it either way.

Usage: ``.venv/bin/python -m bench.bulkload --data-dir DIR [--conversations N ...]``
(``bench/read.py`` calls it). Django is set up for ``WOWDESK_DATA_DIR=DIR`` in this process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MARKER = "bulkload.json"
FORMAT = 1  # bump when the generated data changes shape

LANGUAGES = (
    ("en", 0.40),
    ("de", 0.18),
    ("fr", 0.10),
    ("es", 0.08),
    ("it", 0.06),
    ("nl", 0.05),
    ("pt", 0.05),
    ("zh", 0.04),
    ("ja", 0.04),
)
STATUSES = (("resolved", 0.70), ("open", 0.15), ("pending", 0.10), ("snoozed", 0.05))
PRIORITIES = (("normal", 0.75), ("low", 0.10), ("high", 0.12), ("urgent", 0.03))
FIRST = [
    "Ana",
    "Ben",
    "Carla",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Karin",
    "Lars",
    "Mia",
    "Noah",
    "Olga",
    "Paul",
    "Quinn",
    "Rosa",
    "Sven",
    "Tina",
    "Ugo",
    "Vera",
    "Wim",
    "Xenia",
    "Yuki",
    "Zoe",
    "Li",
    "Wei",
    "Hana",
    "Kenji",
    "Lucia",
    "Marco",
    "Sofia",
    "Pierre",
    "Claire",
    "Jan",
    "Eva",
    "Pedro",
    "Joao",
    "Marta",
    "Hans",
    "Anke",
    "Luca",
    "Giulia",
    "Sanne",
    "Bram",
    "Aiko",
    "Ren",
]
LAST = [
    "Lima",
    "Becker",
    "Rossi",
    "Dubois",
    "Garcia",
    "Muller",
    "Schmidt",
    "Smith",
    "Jansen",
    "Silva",
    "Costa",
    "Moreau",
    "Weber",
    "Fischer",
    "Bianchi",
    "Romano",
    "Martin",
    "Bernard",
    "Lopez",
    "Perez",
    "Santos",
    "Ferreira",
    "Visser",
    "Bakker",
    "Meyer",
    "Wagner",
    "Schulz",
    "Tanaka",
    "Suzuki",
    "Wang",
    "Zhang",
    "Chen",
    "Liu",
    "Novak",
    "Horvat",
    "Nagy",
    "Kowalski",
    "Larsen",
    "Hansen",
    "Nilsson",
    "Berg",
    "Lindqvist",
    "Kaya",
    "Yilmaz",
    "Demir",
    "Ivanova",
    "Petrov",
    "Smirnov",
    "Okafor",
]
PRODUCTS = [
    "lamp",
    "kettle",
    "headphones",
    "speaker",
    "router",
    "camera",
    "watch",
    "blender",
    "vacuum",
    "scooter",
    "drone",
    "keyboard",
    "monitor",
    "printer",
    "charger",
    "backpack",
    "jacket",
    "sneakers",
    "mattress",
    "sofa",
]
PHRASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # (customer phrases, agent phrases)
    "en": (
        (
            "My {p} arrived broken and I would like a replacement.",
            "I was charged twice for order {o}, please refund one payment.",
            "The {p} stopped working after two weeks, what can I do?",
            "Where is my parcel? The tracking has not moved since Monday.",
            "Can I change the delivery address for order {o}?",
            "Thank you, that solved it!",
            "I still have not received an answer about my {p}.",
        ),
        (
            "Sorry to hear that! I have sent a replacement {p}, it ships today.",
            "I have refunded the duplicate payment for order {o}.",
            "Could you send a photo of the {p} and the serial number?",
            "Your parcel is with the courier and should arrive tomorrow.",
            "Done: the address of order {o} is updated.",
        ),
    ),
    "de": (
        (
            "Mein {p} kam kaputt an, ich hätte gern einen Ersatz.",
            "Die Bestellung {o} wurde doppelt abgebucht, bitte erstatten.",
            "Der {p} funktioniert seit zwei Wochen nicht mehr.",
            "Wo bleibt mein Paket? Die Sendungsverfolgung steht still.",
            "Kann ich die Lieferadresse für Bestellung {o} ändern?",
            "Danke, das hat geholfen!",
        ),
        (
            "Das tut mir leid! Ein neuer {p} ist heute unterwegs.",
            "Die doppelte Zahlung für Bestellung {o} ist erstattet.",
            "Können Sie ein Foto vom {p} und die Seriennummer schicken?",
            "Ihr Paket ist beim Kurier und kommt morgen an.",
        ),
    ),
    "fr": (
        (
            "Mon {p} est arrivé cassé, je voudrais un remplacement.",
            "La commande {o} a été débitée deux fois, merci de rembourser.",
            "Le {p} ne fonctionne plus depuis deux semaines.",
            "Où est mon colis ? Le suivi ne bouge plus.",
            "Merci, c'est réglé !",
        ),
        (
            "Désolé ! Un nouveau {p} part aujourd'hui.",
            "Le paiement en double de la commande {o} est remboursé.",
            "Pouvez-vous envoyer une photo du {p} et le numéro de série ?",
        ),
    ),
    "es": (
        (
            "Mi {p} llegó roto y quiero un reemplazo.",
            "Me cobraron dos veces el pedido {o}, por favor devuelvan uno.",
            "¿Dónde está mi paquete? El seguimiento no avanza.",
            "¡Gracias, solucionado!",
        ),
        (
            "¡Lo siento! Enviamos un {p} nuevo hoy.",
            "Hemos devuelto el pago duplicado del pedido {o}.",
        ),
    ),
    "it": (
        (
            "Il mio {p} è arrivato rotto, vorrei una sostituzione.",
            "L'ordine {o} è stato addebitato due volte.",
            "Grazie, risolto!",
        ),
        ("Mi dispiace! Spediamo oggi un nuovo {p}.", "Abbiamo rimborsato l'ordine {o}."),
    ),
    "nl": (
        (
            "Mijn {p} kwam kapot aan, ik wil graag een vervanging.",
            "Bestelling {o} is twee keer afgeschreven.",
            "Bedankt, opgelost!",
        ),
        (
            "Vervelend! Er gaat vandaag een nieuwe {p} naar u toe.",
            "Bestelling {o} is terugbetaald.",
        ),
    ),
    "pt": (
        (
            "O meu {p} chegou partido, quero uma substituição.",
            "A encomenda {o} foi cobrada duas vezes.",
            "Obrigado, resolvido!",
        ),
        ("Lamentamos! Enviamos hoje um novo {p}.", "A encomenda {o} foi reembolsada."),
    ),
    "zh": (
        ("我的{p}到货时坏了，我想换一个。", "订单{o}被扣了两次款，请退款。", "谢谢，问题解决了！"),
        ("很抱歉！新的{p}今天发出。", "订单{o}的重复付款已退还。"),
    ),
    "ja": (
        (
            "{p}が壊れて届きました。交換をお願いします。",
            "注文{o}が二重に請求されました。",
            "ありがとう、解決しました！",
        ),
        ("申し訳ありません。新しい{p}を本日発送します。", "注文{o}の二重請求を返金しました。"),
    ),
}


@dataclass(frozen=True)
class Size:
    conversations: int = 100_000
    messages: int = 1_000_000
    customers: int = 30_000
    agents: int = 50
    teams: int = 5
    tags: int = 30
    purchases: int = 10_000
    seed: int = 7


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    x = rng.random()
    for value, weight in table:
        if x < weight:
            return value
        x -= weight
    return table[0][0]


def message_counts(rng: random.Random, conversations: int, messages: int) -> list[int]:
    """Messages per conversation: long-tailed (1 to 200), adding up to ``messages``."""
    mean = messages / max(1, conversations)
    counts = [
        min(200, int(rng.expovariate(1 / max(0.1, mean - 1))) + 1) for _ in range(conversations)
    ]
    diff = messages - sum(counts)
    while diff != 0:
        i = rng.randrange(conversations)
        if diff > 0 and counts[i] < 200:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 1:
            counts[i] -= 1
            diff += 1
    return counts


def _next_id(model: Any) -> int:
    return int(model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def _timestamp_adapter() -> Any:
    """Aware UTC datetime -> what the backend stores, cheaply (SQLite: naive UTC text)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return lambda v: None if v is None else str(v.replace(tzinfo=None))
    return lambda v: v


class RawRows:
    """``executemany`` INSERTs into a model's table. Columns not given get the field's
    default, prepared once, so columns other apps add later do not break the loader; an
    auto-increment key not given is left to the database."""

    def __init__(self, model: Any) -> None:
        from django.db import connection

        self.model = model
        self.defaults: dict[str, Any] = {}
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            if f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif f.blank and f.empty_strings_allowed:
                value = ""
            else:
                continue
            self.defaults[f.attname] = f.get_db_prep_save(value, connection)

    def insert(self, rows: list[dict[str, Any]]) -> None:
        from django.db import connection

        if not rows:
            return
        q = connection.ops.quote_name
        fields = [
            f
            for f in self.model._meta.concrete_fields
            if not (f.primary_key and f.attname not in rows[0])
        ]
        names = [f.attname for f in fields]
        missing = [n for n in names if n not in rows[0] and n not in self.defaults]
        if missing:
            raise ValueError(f"{self.model.__name__}: no value nor default for {missing}")
        cols = ", ".join(q(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {q(self.model._meta.db_table)} ({cols}) VALUES ({marks})"
        d = self.defaults
        params = [tuple(r[n] if n in r else d[n] for n in names) for r in rows]
        with connection.cursor() as cur:
            cur.executemany(sql, params)


def setup_django(data_dir: Path) -> None:
    os.environ["WOWDESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wowdesk.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    from wowdesk.core.services import default_brand
    from wowdesk.setup import ensure_defaults

    call_command("migrate", interactive=False, verbosity=0)
    default_brand()
    ensure_defaults()


def marker(data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / MARKER
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    except ValueError:
        return None


def ensure_loaded(data_dir: Path, size: Size, *, progress: bool = True) -> dict[str, Any]:
    """Set up Django on ``data_dir``, migrate, and load unless the same load is there."""
    data_dir.mkdir(parents=True, exist_ok=True)
    wanted = {"format": FORMAT, **asdict(size)}
    found = marker(data_dir)
    if found is not None and {k: found.get(k) for k in wanted} != wanted:
        # another size or seed: start again from an empty database
        for name in ("wowdesk.sqlite3", "wowdesk.sqlite3-wal", "wowdesk.sqlite3-shm", MARKER):
            (data_dir / name).unlink(missing_ok=True)
        found = None
    setup_django(data_dir)
    t0 = time.perf_counter()
    migrate()
    migrate_s = time.perf_counter() - t0
    if found is not None:
        return {**found, "reused": True, "migrate_s": round(migrate_s, 1)}
    stats = load(size, progress=progress)
    info = {**wanted, **stats, "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    (data_dir / MARKER).write_text(json.dumps(info, indent=2) + "\n")
    return {**info, "reused": False, "migrate_s": round(migrate_s, 1)}


def load(size: Size, *, progress: bool = True) -> dict[str, Any]:
    """Write the whole data set. Returns timings."""
    from django.db import connection, transaction
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from wowdesk.conversations.models import Conversation, Inbox, Message, Tag
    from wowdesk.core.models import Agent, Brand, Team
    from wowdesk.core.services import AgentInput, create_agent, default_brand
    from wowdesk.customers.models import Customer, Identity, Purchase

    rng = random.Random(size.seed)
    brand = default_brand()
    now = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    start = now - dt.timedelta(days=730)
    timings: dict[str, float] = {}

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-512000")

    columns = [
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, disable=not progress, transient=False) as bar:
        # --- people and configuration (through the services: few rows) ---------------
        t = time.perf_counter()
        task = bar.add_task("agents", total=size.agents)
        agents: list[Agent] = []
        with transaction.atomic():
            for i in range(size.agents):
                langs = ("en", _weighted(rng, LANGUAGES))
                agents.append(
                    create_agent(
                        AgentInput(
                            email=f"agent{i + 1}@bench.example.com",
                            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                            languages=langs,
                        ),
                        brands=[brand],
                    )
                )
                bar.advance(task)
            teams = [Team(brand=brand, name=f"Team {i + 1}") for i in range(size.teams)]
            Team.objects.bulk_create(teams)
            for i, team in enumerate(teams):
                team.members.set(agents[i :: size.teams])
            tags = [Tag(brand=brand, name=f"tag-{i + 1:02d}") for i in range(size.tags)]
            Tag.objects.bulk_create(tags)
            for channel in ("chat", "social", "voice", "web"):
                Inbox.objects.get_or_create(
                    brand=brand,
                    name=channel.capitalize(),
                    defaults={"channel": channel, "is_default": True},
                )
        inboxes = list(Inbox.objects.filter(brand=brand).order_by("id"))
        timings["agents_s"] = time.perf_counter() - t

        # --- customers, identities, purchases ------------------------------------------
        t = time.perf_counter()
        task = bar.add_task("customers", total=size.customers)
        first_customer = _next_id(Customer)
        customer_lang: list[str] = []
        batch = 5_000
        for lo in range(0, size.customers, batch):
            rows: list[Customer] = []
            idents: list[Identity] = []
            for n in range(lo, min(size.customers, lo + batch)):
                pk = first_customer + n
                lang = _weighted(rng, LANGUAGES)
                customer_lang.append(lang)
                first, last = rng.choice(FIRST), rng.choice(LAST)
                email = f"{first.lower()}.{last.lower()}.{n + 1}@example.com"
                phone = f"+4930{n + 1000000:08d}" if rng.random() < 0.3 else ""
                created = start + dt.timedelta(seconds=rng.randrange(0, 700 * 86400))
                rows.append(
                    Customer(
                        pk=pk,
                        brand=brand,
                        name=f"{first} {last}",
                        email=email,
                        phone=phone,
                        language=lang,
                        vip_tier=rng.choice(("", "", "", "", "silver", "gold", "platinum")),
                        created_at=created,
                        updated_at=created,
                    )
                )
                idents.append(Identity(brand=brand, customer_id=pk, kind="email", value=email))
                if phone:
                    idents.append(Identity(brand=brand, customer_id=pk, kind="phone", value=phone))
                if rng.random() < 0.1:
                    idents.append(
                        Identity(brand=brand, customer_id=pk, kind="chat", value=f"visitor-{pk}")
                    )
            with transaction.atomic():
                Customer.objects.bulk_create(rows)
                Identity.objects.bulk_create(idents)
            bar.advance(task, len(rows))
        purchases = [
            Purchase(
                brand=brand,
                customer_id=first_customer + rng.randrange(size.customers),
                product=rng.choice(PRODUCTS).capitalize(),
                sku=f"SKU-{rng.randrange(10_000):05d}",
                serial_number=f"SN{rng.randrange(10**9):09d}",
                purchased_on=(start + dt.timedelta(days=rng.randrange(700))).date(),
                warranty_until=(start + dt.timedelta(days=rng.randrange(700, 1500))).date(),
                currency="EUR",
            )
            for _ in range(size.purchases)
        ]
        with transaction.atomic():
            Purchase.objects.bulk_create(purchases, batch_size=5_000)
        timings["customers_s"] = time.perf_counter() - t

        # --- conversations and messages: raw executemany (1M model objects are slow) ---
        t = time.perf_counter()
        conv_task = bar.add_task("conversations", total=size.conversations)
        msg_task = bar.add_task("messages", total=size.messages)
        first_conv = _next_id(Conversation)
        msg_pk = _next_id(Message)
        number = int(
            Brand.objects.filter(pk=brand.pk).values_list("conversation_seq", flat=True)[0]
        )
        counts = message_counts(rng, size.conversations, size.messages)
        conv_rows = RawRows(Conversation)
        msg_rows = RawRows(Message)
        through = Conversation.tags.through
        tag_rows = RawRows(through)
        ts = _timestamp_adapter()
        batch = 2_000
        for lo in range(0, size.conversations, batch):
            convs: list[dict[str, Any]] = []
            msgs: list[dict[str, Any]] = []
            links: list[dict[str, Any]] = []
            for n in range(lo, min(size.conversations, lo + batch)):
                pk = first_conv + n
                number += 1
                # a few customers write a lot (the heavy tail a customer page must survive)
                ci = int(size.customers * rng.random() ** 2.5)
                customer_id = first_customer + min(ci, size.customers - 1)
                lang = customer_lang[customer_id - first_customer]
                inbox = rng.choice(inboxes)
                status = _weighted(rng, STATUSES)
                created = start + dt.timedelta(
                    seconds=int(730 * 86400 * (n / size.conversations) + rng.randrange(3600))
                )
                customer_lines, agent_lines = PHRASES[lang]
                assignee = None if status == "open" and rng.random() < 0.3 else rng.choice(agents)
                at = created
                first_response = None
                count = counts[n]
                for k in range(count):
                    incoming = k % 2 == 0
                    line = rng.choice(customer_lines if incoming else agent_lines)
                    body = line.format(p=rng.choice(PRODUCTS), o=f"A{rng.randrange(10**6):06d}")
                    msgs.append(
                        {
                            "id": msg_pk,
                            "conversation_id": pk,
                            "brand_id": brand.pk,
                            "direction": "in" if incoming else "out",
                            "channel": inbox.channel,
                            "body": body,
                            "html": f"<p>{body}</p>",
                            "sender_id": customer_id if incoming else None,
                            "author_id": None if incoming else (assignee or agents[0]).pk,
                            "external_id": f"bulk-{msg_pk}" if incoming else "",
                            "language": lang,
                            "created_at": ts(at),
                        }
                    )
                    msg_pk += 1
                    if not incoming and first_response is None:
                        first_response = at
                    at += dt.timedelta(minutes=rng.randrange(1, 600))
                last_in = count % 2 == 1
                picked: Team | None = rng.choice(teams) if rng.random() < 0.7 else None
                convs.append(
                    {
                        "id": pk,
                        "brand_id": brand.pk,
                        "number": number,
                        "inbox_id": inbox.pk,
                        "customer_id": customer_id,
                        "subject": rng.choice(customer_lines).format(
                            p=rng.choice(PRODUCTS), o=f"A{n:06d}"
                        )[:120],
                        "status": status,
                        "priority": _weighted(rng, PRIORITIES),
                        "assignee_id": assignee.pk if assignee else None,
                        "team_id": picked.pk if picked else None,
                        "language": lang,
                        "message_count": count,
                        "first_response_at": ts(first_response),
                        "waiting_since": ts(at if (status != "resolved" and last_in) else None),
                        "last_message_at": ts(at),
                        "resolved_at": ts(at if status == "resolved" else None),
                        "snoozed_until": ts(
                            now + dt.timedelta(days=2) if status == "snoozed" else None
                        ),
                        "created_at": ts(created),
                        "updated_at": ts(at),
                    }
                )
                for tag in rng.sample(tags, k=rng.choice((0, 0, 1, 1, 2))):
                    links.append({"conversation_id": pk, "tag_id": tag.pk})
            with transaction.atomic():
                conv_rows.insert(convs)
                msg_rows.insert(msgs)
                tag_rows.insert(links)
            bar.advance(conv_task, len(convs))
            bar.advance(msg_task, len(msgs))
        Brand.objects.filter(pk=brand.pk).update(conversation_seq=number)
        timings["conversations_s"] = time.perf_counter() - t

    t = time.perf_counter()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cur.execute("ANALYZE")
    timings["analyze_s"] = time.perf_counter() - t
    return {
        "rows": {
            "customers": Customer.objects.count(),
            "identities": Identity.objects.count(),
            "conversations": Conversation.objects.count(),
            "messages": Message.objects.count(),
            "agents": Agent.objects.count(),
        },
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description="Bulk-load a help desk for bench/read.py.")
    p.add_argument("--data-dir", type=Path, default=default_data_dir())
    for name, value in asdict(Size()).items():
        p.add_argument(f"--{name}", type=int, default=value)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    a = p.parse_args(argv)
    size = Size(**{k: getattr(a, k) for k in asdict(Size())})
    info = ensure_loaded(a.data_dir, size, progress=not a.quiet)
    print(json.dumps(info, indent=2))
    return info


def default_data_dir() -> Path:
    base = os.environ.get("WOWDESK_BENCH_DIR")
    if base:
        return Path(base) / "read-data"
    return Path(__file__).resolve().parent.parent / ".tmp" / "bench-data" / "read-data"


if __name__ == "__main__":
    main()


def dataset_arguments(doc: str | None, name: str) -> argparse.ArgumentParser:
    """The options every benchmark on this data set takes (``bench/read.py``, ``pages.py``)."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    p.add_argument("--data-dir", type=Path, default=default_data_dir())
    for field_name, value in asdict(Size()).items():
        p.add_argument(f"--{field_name}", type=int, default=value)
    p.add_argument("--iterations", type=int, default=60, help="requests per operation")
    p.add_argument("--only", default="", help="comma-separated operation names")
    p.add_argument("--name", default=name, help="result file name (bench/results/NAME.json)")
    p.add_argument("--results-dir", type=Path, default=None)
    p.add_argument("--no-save", action="store_true", help="print only")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def size_from(a: argparse.Namespace) -> Size:
    return Size(**{k: getattr(a, k) for k in asdict(Size())})
