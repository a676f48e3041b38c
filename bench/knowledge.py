"""Knowledge-base search: latency at N articles in 10 languages, index rebuild time and
memory, and retrieval quality (recall@5, MRR) of lexical, semantic and hybrid retrieval.

Run: ``.venv/bin/python -m bench.knowledge [--articles 10000] [--macros 40] [--no-write]
[--skip-quality] [--skip-latency]``

Data (not part of the repo): ``bitext/`` and ``xsid/`` of the public data sets folder,
``--datasets DIR`` (default ``$WOWDESK_DATASETS_DIR`` or ``../shared/data``).

* **Quality, English (bitext)**: one article per intent (27): the title is the intent's name,
  the body the model answers (``response``) of its first ``--bitext-answers`` rows. The
  queries are customer utterances (``instruction``) of *other* rows of the intent, at most
  ``--queries`` per intent; the right answer is the intent's article.
* **Quality, cross-lingual (xSID)**: one English article per xSID intent, written from the
  English versions (``# text-en``) of the first half of the intent's sentences in
  ``en.valid.conll``; the queries are the *other* half's sentences in each language
  (``# text =`` of ``zh``, ``ar``, ``ja``, ``de``, ``id``, ``it``, ``tr``, ``nl``, ``da``,
  and ``en``), reported per language.
  Each set is scored for ``lexical`` (BM25 alone), ``semantic`` (embeddings alone), ``rrf``
  and ``weighted`` fusion at several semantic weights.
* **Latency (in a Django process on its own SQLite data dir)**: ``--articles`` rows, one
  English source per 10 rows (title: a bitext utterance, body: its answer) and 9 rows in
  other languages. Machine translation is not available offline, so those rows are not
  translations of their source: title and body are xSID sentences of that language (filler
  text with the length and script of the language). ``search_articles`` is timed in
  process and ``GET /api/v1/kb/search`` through Django's test client, with queries in the
  10 languages; the full rebuild (embedding every row), an incremental update of one row,
  and the bytes of the index (embeddings + BM25 matrix) are measured.
* **Suggestions**: ``GET /api/v1/conversations/{id}/suggestions`` with ``--macros`` macros
  in the brand; before each timed request a new customer message (the same queries, each in
  its language) is appended untimed: the first read computes, the repeat read of the same
  message is the cached answer. p50/p95 and SQL queries per request of each.
* **Help center** (anonymous): the article page of random public rows of every language (a
  help center in the 10 languages, 8 categories of 3 sections holding the sources) and the
  search page with the same queries; p50/p95 and SQL queries per request.

Prints one JSON object; compares with ``bench/results/knowledge.json`` and writes it
(``--no-write`` to skip, ``--results-dir`` elsewhere).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bench.lib.common import latency_summary, machine, now_iso, publish  # noqa: E402

XSID_LANGUAGES = ("en", "zh", "ar", "ja", "de", "id", "it", "tr", "nl", "da")
WEIGHTS = (0.4, 0.5, 0.6, 0.7, 0.8)
KEYS = ("p50_ms", "p95_ms", "recall_at_5", "mrr", "seconds", "bytes")


def datasets_dir(arg: str | None) -> Path:
    path = Path(arg or os.environ.get("WOWDESK_DATASETS_DIR") or ROOT.parent / "shared" / "data")
    if not (path / "bitext").is_dir() or not (path / "xsid").is_dir():
        sys.exit(f"bench/knowledge.py: no bitext/ and xsid/ under {path} (--datasets DIR)")
    return path


def load_bitext(folder: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for file in sorted(folder.glob("*.csv")):
        with file.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def load_xsid(folder: Path, language: str) -> list[dict[str, str]]:
    path = folder / f"{language}.valid.conll"
    if not path.exists():
        return []
    out, item = [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            key, _, value = line[2:].partition(" = ")
            item[key.strip()] = value.strip()
        elif not line.strip() and item:
            out.append(item)
            item = {}
    if item:
        out.append(item)
    for n, i in enumerate(out, start=1):
        i.setdefault("id", str(n))  # en.valid.conll has no ids: its order is the ids' order
    return [i for i in out if "text" in i and "intent" in i]


# --- quality ----------------------------------------------------------------------------------


def score_set(
    index: Any, queries: list[tuple[str, int]], vectors: Any, fusion: str, weight: float | None
) -> dict[str, float]:
    hits5 = 0
    reciprocal = 0.0
    for (query, expected), vector in zip(queries, vectors, strict=True):
        results = index.search(
            query, limit=10, fusion=fusion, semantic_weight=weight, query_vector=vector
        )
        ranked = [r.source_id for r in results]
        if expected in ranked[:5]:
            hits5 += 1
        if expected in ranked:
            reciprocal += 1.0 / (ranked.index(expected) + 1)
    n = max(1, len(queries))
    return {"recall_at_5": round(hits5 / n, 4), "mrr": round(reciprocal / n, 4)}


def methods(index: Any, queries: list[tuple[str, int]], embed: Any) -> dict[str, dict[str, float]]:
    vectors = embed([q for q, _ in queries]) if queries else []
    out = {
        "lexical": score_set(index, queries, vectors, "lexical", None),
        "semantic": score_set(index, queries, vectors, "semantic", None),
        "rrf": score_set(index, queries, vectors, "rrf", None),
    }
    for w in WEIGHTS:
        out[f"weighted_{w}"] = score_set(index, queries, vectors, "weighted", w)
    return out


def quality(data: Path, per_intent: int, answers: int, embed: Any) -> dict[str, Any]:
    from wowdesk.knowledge.retrieval import Doc, HybridIndex

    by_intent: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in load_bitext(data / "bitext"):
        by_intent[row["intent"]].append(row)
    index = HybridIndex(embed)
    queries: list[tuple[str, int]] = []
    seen: set[str] = set()
    for n, (intent, rows) in enumerate(sorted(by_intent.items()), start=1):
        body = "\n\n".join(r["response"] for r in rows[:answers])
        index.upsert([Doc(n, n, "en", intent.replace("_", " ").capitalize(), body)])
        for r in rows[answers:]:
            text = r["instruction"].strip()
            if (
                text
                and text.lower() not in seen
                and len([q for q in queries if q[1] == n]) < per_intent
            ):
                seen.add(text.lower())
                queries.append((text, n))
    english = {"articles": len(index), "queries": len(queries), **methods(index, queries, embed)}

    base = load_xsid(data / "xsid", "en")
    intents = sorted({i["intent"] for i in base})
    article_of = {intent: n for n, intent in enumerate(intents, start=1)}
    train_ids: set[str] = set()
    xindex = HybridIndex(embed)
    for intent in intents:
        items = [i for i in base if i["intent"] == intent]
        half = items[: max(1, (len(items) + 1) // 2)]
        train_ids.update(i.get("id", "") for i in half)
        body = "\n".join(i.get("text-en", i["text"]) for i in half)
        xindex.upsert(
            [Doc(article_of[intent], article_of[intent], "en", intent.replace("/", " "), body)]
        )
    per_language: dict[str, Any] = {}
    for language in XSID_LANGUAGES:
        items = [
            i
            for i in load_xsid(data / "xsid", language)
            if i.get("id", "") not in train_ids and i["intent"] in article_of
        ]
        qs = [(i["text"], article_of[i["intent"]]) for i in items]
        if qs:
            per_language[language] = {"queries": len(qs), **methods(xindex, qs, embed)}
    return {
        "bitext_en": english,
        "xsid_cross_lingual": {"articles": len(xindex), "languages": per_language},
    }


# --- latency ----------------------------------------------------------------------------------


def latency(
    data: Path, articles: int, samples: int, seed: int, macros_count: int = 40
) -> dict[str, Any]:
    import django
    from django.core.management import call_command
    from django.test import Client

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)

    from wowdesk.core.models import Role
    from wowdesk.core.services import AgentInput, create_agent, create_brand, create_token
    from wowdesk.knowledge import search
    from wowdesk.knowledge.models import Article, ArticleStatus

    rng = random.Random(seed)
    bitext = load_bitext(data / "bitext")
    filler = {lang: load_xsid(data / "xsid", lang) for lang in XSID_LANGUAGES if lang != "en"}
    filler = {k: v for k, v in filler.items() if v}
    brand = create_brand(name="Bench KB", slug="bench-kb")
    agent = create_agent(
        AgentInput(email="kb-bench@example.com", name="KB bench", role=Role.AGENT), brands=[brand]
    )
    token = create_token(agent)

    started = time.perf_counter()
    languages = sorted(filler)[:9]
    sources = max(1, -(-articles // (1 + len(languages))))
    source_rows = []
    for n in range(sources):
        row = bitext[n % len(bitext)]
        source_rows.append(
            Article(
                brand=brand,
                language="en",
                title=row["instruction"][:300],
                slug=f"a-{n}",
                body=row["response"],
                status=ArticleStatus.PUBLISHED,
            )
        )
    sections = help_center_setup(brand, ["en", *languages])
    for n, row in enumerate(source_rows):
        row.category = sections[n % len(sections)]
    Article.objects.bulk_create(source_rows, batch_size=500)
    translations = []
    for n, source in enumerate(Article.objects.filter(brand=brand).order_by("pk")):
        for k, lang in enumerate(languages):
            items = filler[lang]
            title = items[(n * 7 + k) % len(items)]["text"]
            body = " ".join(items[(n * 7 + k + j) % len(items)]["text"] for j in range(1, 6))
            translations.append(
                Article(
                    brand=brand,
                    translation_of=source,
                    language=lang,
                    title=title[:300],
                    slug=f"a-{n}-{lang}",
                    body=body,
                    status=ArticleStatus.PUBLISHED,
                )
            )
    Article.objects.bulk_create(translations[: max(0, articles - sources)], batch_size=500)
    rows = Article.objects.filter(brand=brand).count()
    load_seconds = time.perf_counter() - started

    started = time.perf_counter()
    search.rebuild(brand.pk)
    rebuild_seconds = time.perf_counter() - started
    index = search.brand_index(brand.pk)

    queries: list[tuple[str, str]] = []
    for _ in range(samples):
        lang = rng.choice(["en", *languages])
        if lang == "en":
            queries.append((rng.choice(bitext)["instruction"], "en"))
        else:
            queries.append((rng.choice(filler[lang])["text"], lang))
    for q, lang in queries[:5]:  # warm-up
        search.search_articles(brand.pk, q, language=lang)
    service = []
    for q, lang in queries:
        t = time.perf_counter()
        search.search_articles(brand.pk, q, language=lang, limit=10)
        service.append(time.perf_counter() - t)
    # the parts: the query's embedding, and the index alone (embedding given)
    from wowdesk.intelligence.emotion import embed

    embedding, ranking = [], []
    for q, _lang in queries:
        t = time.perf_counter()
        vector = embed([q])[0]
        embedding.append(time.perf_counter() - t)
        t = time.perf_counter()
        index.search(q, limit=10, query_vector=vector)
        ranking.append(time.perf_counter() - t)
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    api = []
    statuses: set[int] = set()
    for q, lang in queries:
        t = time.perf_counter()
        r = client.get("/api/v1/kb/search", {"q": q, "language": lang}, headers=headers)
        api.append(time.perf_counter() - t)
        statuses.add(r.status_code)

    agent_side = suggestions_latency(brand, token, queries, macros=macros_count)
    help_center = help_center_latency(brand, queries, rng)

    # one article edited: the index catches up by embedding that row only
    one = Article.objects.filter(brand=brand).order_by("pk").first()
    assert one is not None
    one.title = one.title + " (edited)"
    one.save()
    search.on_articles_changed(brand.pk, [one.pk])
    t = time.perf_counter()
    search.brand_index(brand.pk)
    incremental = time.perf_counter() - t

    return {
        "rows": rows,
        "languages": 1 + len(languages),
        "load_seconds": round(load_seconds, 2),
        "index": {
            "rebuild_seconds": round(rebuild_seconds, 2),
            "incremental_update_one_row_seconds": round(incremental, 3),
            "memory_bytes": index.memory_bytes(),
            "embedding_bytes": int(index.embeddings.nbytes),
        },
        "search_service": {"samples": len(service), **latency_summary(service)},
        "query_embedding": latency_summary(embedding),
        "index_ranking": latency_summary(ranking),
        "search_api": {
            "samples": len(api),
            "statuses": sorted(statuses),
            **latency_summary(api),
        },
        "suggestions_api": agent_side,
        "help_center": help_center,
    }


def timed_requests(
    client: Any, urls: list[tuple[str, dict[str, str]]], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """GET each URL once: p50/p95 and the SQL queries per request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds: list[float] = []
    queries: list[int] = []
    statuses: set[int] = set()
    for url, params in urls:
        with CaptureQueriesContext(connection) as captured:
            t = time.perf_counter()
            r = client.get(url, params, headers=headers or {})
            seconds.append(time.perf_counter() - t)
        queries.append(len(captured.captured_queries))
        statuses.add(r.status_code)
    return {
        "samples": len(seconds),
        "statuses": sorted(statuses),
        **latency_summary(seconds),
        "queries_per_request": {
            "mean": round(sum(queries) / max(1, len(queries)), 1),
            "max": max(queries, default=0),
        },
    }


def help_center_setup(brand: Any, languages: list[str]) -> list[Any]:
    """The brand's help center in ``languages`` and 8 categories of 3 sections each (the
    source articles are filed under the sections)."""
    from wowdesk.knowledge.models import Category, HelpCenter

    HelpCenter.objects.create(brand=brand, title="Bench KB", languages=languages)
    sections = []
    for c in range(8):
        top = Category.objects.create(
            brand=brand, slug=f"c-{c}", names={lang: f"Category {c} {lang}" for lang in languages}
        )
        for s in range(3):
            sections.append(
                Category.objects.create(
                    brand=brand,
                    parent=top,
                    slug=f"c-{c}-{s}",
                    names={lang: f"Section {c}.{s} {lang}" for lang in languages},
                    position=s,
                )
            )
    return sections


def suggestions_latency(
    brand: Any, token: str, queries: list[tuple[str, str]], *, macros: int
) -> dict[str, Any]:
    """``GET /api/v1/conversations/{id}/suggestions`` for a NEW customer message each time
    (the first read: search, macro ranking, the rows shown), then the same message again
    (the repeat read: the cached suggestions), with ``macros`` macros in the brand."""
    from django.test import Client

    from wowdesk.conversations import services as conversations
    from wowdesk.conversations.models import Macro
    from wowdesk.customers.services import Contact, resolve_customer

    bitext = [q for q, lang in queries if lang == "en"] or [q for q, _ in queries]
    langs = sorted({lang for _, lang in queries})
    Macro.objects.bulk_create(
        [
            Macro(
                brand=brand,
                name=f"Macro {n}",
                body=f"Hello {{{{ customer.name }}}}, {bitext[n % len(bitext)]}",
                language=langs[n % len(langs)] if n % 3 else "",
            )
            for n in range(macros)
        ]
    )
    inbox = conversations.default_inbox(brand.pk, "api")
    pool: dict[str, Any] = {}
    for lang in langs:
        customer, _ = resolve_customer(
            brand.pk, Contact(name=f"Customer {lang}", email=f"kb-bench-{lang}@example.com")
        )
        pool[lang] = (
            conversations.create_conversation(
                inbox=inbox, customer=customer, subject="Bench", language=lang
            ),
            customer,
        )
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}

    def new_message(q: str, lang: str) -> str:
        conv, customer = pool[lang]
        conversations.append_incoming(
            conv, customer, conversations.IncomingMessage(body=q, channel="api", language=lang)
        )
        return f"/api/v1/conversations/{conv.pk}/suggestions"

    warm = [(new_message(q, lang), {}) for q, lang in queries[:3]]
    timed_requests(client, warm, headers)
    seconds_first: list[float] = []
    seconds_repeat: list[float] = []
    stats: dict[str, list[int]] = {"first": [], "repeat": []}
    statuses: set[int] = set()
    macros_shown = articles_shown = 0
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for q, lang in queries:
        url = new_message(q, lang)
        for kind, out in (("first", seconds_first), ("repeat", seconds_repeat)):
            with CaptureQueriesContext(connection) as captured:
                t = time.perf_counter()
                r = client.get(url, headers=headers)
                out.append(time.perf_counter() - t)
            stats[kind].append(len(captured.captured_queries))
            statuses.add(r.status_code)
            if kind == "first" and r.status_code == 200:
                body = r.json()
                articles_shown += len(body["articles"])
                macros_shown += len(body["macros"])
    first, repeat = seconds_first, seconds_repeat

    def part(values: list[float], counts: list[int]) -> dict[str, Any]:
        return {
            "samples": len(values),
            **latency_summary(values),
            "queries_per_request": {
                "mean": round(sum(counts) / max(1, len(counts)), 1),
                "max": max(counts, default=0),
            },
        }

    return {
        "macros_in_brand": macros,
        "statuses": sorted(statuses),
        "articles_per_answer": round(articles_shown / max(1, len(first)), 2),
        "macros_per_answer": round(macros_shown / max(1, len(first)), 2),
        "first_read": part(first, stats["first"]),
        "repeat_read": part(repeat, stats["repeat"]),
    }


def help_center_latency(
    brand: Any, queries: list[tuple[str, str]], rng: random.Random
) -> dict[str, Any]:
    """The public help center, anonymous: article pages (random rows of every language)
    and the search page (the same queries, each in its language)."""
    from django.test import Client

    from wowdesk.knowledge.help_views import article_url
    from wowdesk.knowledge.models import Article, ArticleStatus

    ids = list(
        Article.objects.filter(
            brand=brand, status=ArticleStatus.PUBLISHED, internal=False
        ).values_list("pk", flat=True)
    )
    picked = [rng.choice(ids) for _ in queries]
    rows = Article.objects.in_bulk(picked)
    pages = [(article_url(brand.slug, rows[pk]), {}) for pk in picked]
    searches = [(f"/help/{brand.slug}/{lang}/search/", {"q": q}) for q, lang in queries]
    client = Client()
    timed_requests(client, pages[:3])  # warm-up
    timed_requests(client, searches[:3])
    return {
        "article_page": timed_requests(client, pages),
        "search_page": timed_requests(client, searches),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=300, help="timed searches")
    parser.add_argument("--macros", type=int, default=40, help="macros in the brand")
    parser.add_argument("--queries", type=int, default=30, help="bitext queries per intent")
    parser.add_argument("--bitext-answers", type=int, default=3, help="answers per article")
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--data-dir", default=None, help="where the Django data dir is made")
    parser.add_argument("--results-dir", default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()

    data = datasets_dir(args.datasets)
    if args.data_dir:
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    # a fresh data dir each run (inside --data-dir when given): the same load every time
    data_dir = Path(tempfile.mkdtemp(prefix="wowdesk-kb-bench-", dir=args.data_dir))
    os.environ["WOWDESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wowdesk.settings")
    for key in [k for k in os.environ if k.startswith("WOWDESK_") and k != "WOWDESK_DATA_DIR"]:
        if key not in ("WOWDESK_DATASETS_DIR",):
            os.environ.pop(key)

    from wowdesk.intelligence.emotion import embed
    from wowdesk.knowledge import retrieval

    result: dict[str, Any] = {
        "benchmark": "knowledge",
        "run_at": now_iso(),
        "machine": machine(),
        "settings": {
            "fusion": retrieval.FUSION,
            "semantic_weight": retrieval.SEMANTIC_WEIGHT,
            "embed_body_chars": retrieval.EMBED_BODY_CHARS,
        },
    }
    if not args.skip_quality:
        started = time.perf_counter()
        result["quality"] = quality(data, args.queries, args.bitext_answers, embed)
        result["quality"]["seconds"] = round(time.perf_counter() - started, 1)
    if not args.skip_latency:
        result["latency"] = latency(data, args.articles, args.samples, args.seed, args.macros)
    result["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    result["machine"]["loadavg_1m_after"] = result["machine"]["loadavg_after"][0]
    if not args.data_dir:
        shutil.rmtree(data_dir, ignore_errors=True)
    out = Path(args.results_dir) if args.results_dir else None
    publish(result, "knowledge", KEYS, save=not args.no_write, out_dir=out)


if __name__ == "__main__":
    main()
