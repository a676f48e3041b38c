"""Searching a brand's knowledge base (knowledge/search.py) and GET /api/v1/kb/search:
publication and internal filtering, the row in the asked language, cross-lingual questions,
the index shared across processes through its version and its file, the search log, and
every role of two brands."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

import numpy as np
import numpy.typing as npt
import pytest

from tests.conftest import ApiClient
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import search
from wowdesk.knowledge.models import Article, ArticleStatus, HelpCenter, SearchLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index(tmp_path: Any, settings: Any) -> Iterator[None]:
    settings.DATA_DIR = tmp_path
    search._held.clear()
    yield
    search._held.clear()


def article(
    brand: Brand,
    title: str,
    body: str,
    *,
    language: str = "en",
    status: str = ArticleStatus.PUBLISHED,
    internal: bool = False,
    translation_of: Article | None = None,
) -> Article:
    row = Article.objects.create(
        brand=brand,
        title=title,
        slug=title.lower().replace(" ", "-")[:50],
        body=body,
        language=language,
        status=status,
        internal=internal,
        translation_of=translation_of,
    )
    search.on_articles_changed(brand.pk, [row.pk])
    return row


@pytest.fixture
def kb(brand: Brand, other_brand: Brand) -> dict[str, Article]:
    refund = article(
        brand, "How to request a refund", "Open the order and choose Request a refund."
    )
    return {
        "refund": refund,
        "refund_es": article(
            brand,
            "Cómo solicitar un reembolso",
            "Abra el pedido y elija Solicitar un reembolso.",
            language="es",
            translation_of=refund,
        ),
        "password": article(
            brand, "Resetting your password", "Use the reset link on the sign-in page."
        ),
        "internal": article(
            brand,
            "Refund override for supervisors",
            "Internal: refunds above the limit need a supervisor override code.",
            internal=True,
        ),
        "draft": article(
            brand, "Refund draft", "A refund article not yet published.", status=ArticleStatus.DRAFT
        ),
        "other": article(
            other_brand, "Refund rules of Globex", "Globex refunds within 30 days of the order."
        ),
    }


def ids(hits: list[search.Hit]) -> set[int]:
    return {h.article_id for h in hits}


def test_only_published_rows_of_the_brand_and_internal_only_when_asked(
    kb: dict[str, Article], brand: Brand
) -> None:
    public = search.search_articles(brand.pk, "refund", limit=10)
    assert kb["refund"].pk in ids(public)
    assert not ids(public) & {kb["internal"].pk, kb["draft"].pk, kb["other"].pk}
    agents = search.search_articles(brand.pk, "refund override", limit=10, include_internal=True)
    assert kb["internal"].pk in ids(agents)
    assert not ids(agents) & {kb["draft"].pk, kb["other"].pk}


def test_one_hit_per_article_in_the_asked_language(kb: dict[str, Article], brand: Brand) -> None:
    for language, expected in (("es", "refund_es"), ("en", "refund"), (None, "refund")):
        hits = search.search_articles(brand.pk, "reembolso refund", language=language)
        sources = [h.source_id for h in hits]
        assert len(sources) == len(set(sources))
        [hit] = [h for h in hits if h.source_id == kb["refund"].pk]
        assert (hit.article_id, hit.language) == (kb[expected].pk, kb[expected].language)


def test_fallback_chain_then_brand_default_language(kb: dict[str, Article], brand: Brand) -> None:
    hits = search.search_articles(brand.pk, "refund", language="fr")
    assert hits[0].article_id == kb["refund"].pk  # no French: the brand's default (en)
    HelpCenter.objects.create(brand=brand, fallback_chain=["es"])
    hits = search.search_articles(brand.pk, "refund", language="fr")
    assert hits[0].article_id == kb["refund_es"].pk
    brand.default_language = "es"
    brand.save()
    HelpCenter.objects.filter(brand=brand).update(fallback_chain=[])
    hits = search.search_articles(brand.pk, "refund", language="de")
    assert hits[0].article_id == kb["refund_es"].pk


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("我忘记了密码，怎么重新设置？", "zh", "password"),
        ("¿Cómo cambio mi contraseña olvidada?", "es", "password"),
        ("我想退钱", "zh", "refund"),
    ],
)
def test_cross_lingual_question_finds_the_english_article(
    kb: dict[str, Article], brand: Brand, query: str, language: str, expected: str
) -> None:
    hits = search.search_articles(brand.pk, query, language=language, limit=3)
    assert hits and hits[0].source_id == kb[expected].pk


def test_changes_reach_an_index_already_held(kb: dict[str, Article], brand: Brand) -> None:
    assert kb["password"].pk in ids(search.search_articles(brand.pk, "password"))
    Article.objects.filter(pk=kb["password"].pk).update(status=ArticleStatus.ARCHIVED)
    search.on_articles_changed(brand.pk, [kb["password"].pk])
    assert kb["password"].pk not in ids(search.search_articles(brand.pk, "password"))
    new = article(brand, "Changing your delivery address", "Edit the shipping address.")
    assert new.pk in ids(search.search_articles(brand.pk, "delivery address"))
    new.title, new.body = "Gift wrapping options", "Wrap it."
    new.save()  # as the article services do: updated_at moves
    search.on_articles_changed(brand.pk, [new.pk])
    hits = search.search_articles(brand.pk, "gift wrapping")
    assert hits[0].article_id == new.pk and hits[0].title == "Gift wrapping options"


class Counting:
    def __init__(self) -> None:
        self.texts = 0

    def __call__(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        from wowdesk.intelligence.emotion import embed

        self.texts += len(texts)
        return embed(texts)


def test_two_processes_share_the_index_through_version_and_file(
    kb: dict[str, Article], brand: Brand, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting()
    monkeypatch.setattr(search, "embedder", counting)
    search.search_articles(brand.pk, "refund")  # process A builds and saves it
    process_a = dict(search._held)
    search._held.clear()  # process B starts: it loads the file, embedding only queries
    counting.texts = 0
    hits = search.search_articles(brand.pk, "refund")
    assert kb["refund"].pk in ids(hits)
    assert counting.texts == 1
    new = article(brand, "Loyalty points explained", "Points are earned on every order.")
    assert new.pk in ids(search.search_articles(brand.pk, "loyalty points"))  # B syncs
    search._held.clear()
    search._held.update(process_a)  # back in A: its index is one version behind
    assert search._held[brand.pk].index.version < search._state(brand.pk)[1]
    assert new.pk in ids(search.search_articles(brand.pk, "loyalty points"))


def test_a_recreated_state_row_does_not_reuse_the_saved_index(
    kb: dict[str, Article], brand: Brand
) -> None:
    search.search_articles(brand.pk, "refund")
    from wowdesk.knowledge.models import SearchIndexState

    SearchIndexState.objects.filter(brand=brand).delete()
    Article.objects.filter(pk=kb["refund"].pk).delete()  # behind the services' back
    search._held.clear()
    assert kb["refund"].pk not in ids(search.search_articles(brand.pk, "refund"))


def test_rebuild_and_task(kb: dict[str, Article], brand: Brand) -> None:
    assert search.rebuild(brand.pk) == 4  # refund, its translation, password, internal
    assert search.reindex_task.call(brand.pk) == 4
    assert (search.index_dir() / f"brand-{brand.pk}.npz").exists()


def test_log_search(kb: dict[str, Article], brand: Brand) -> None:
    hits = search.search_articles(brand.pk, "refund")
    search.log_search(brand.pk, "refund", "en", "help_center", hits)
    search.log_search(brand.pk, "zebra", "en", "widget", [])
    rows = list(SearchLog.objects.filter(brand=brand).order_by("pk"))
    assert [(r.query, r.source, r.results > 0) for r in rows] == [
        ("refund", "help_center", True),
        ("zebra", "widget", False),
    ]
    assert rows[0].top_article_id == hits[0].article_id
    assert rows[1].top_article_id is None and rows[1].top_score is None


def test_snippet_and_highlight_escape_the_text() -> None:
    marked = search.highlight("Use <b>Refund</b> & wait", "refund")
    assert marked == "Use &lt;b&gt;<mark>Refund</mark>&lt;/b&gt; &amp; wait"
    body = "# Refunds\n\n" + "Filler words here. " * 30 + "The **refund** takes five days."
    text = search.snippet(body, "refund takes")
    assert "refund takes five days" in text and "**" not in text and len(text) <= 210


# --- the API --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_api_each_role_sees_its_brand_only(
    kb: dict[str, Article],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    role: str,
) -> None:
    for own, foreign, own_ids in (
        (brand, other_brand, {kb["refund"].pk, kb["internal"].pk}),
        (other_brand, brand, {kb["other"].pk}),
    ):
        client = make_api(make_agent(role, brands=[own]))
        r = client.get("/kb/search", q="refund", limit=10)
        assert r.status_code == 200, r.content
        items = r.json()["items"]
        found = {i["id"] for i in items}
        assert own_ids <= found
        assert not found & {a.pk for a in kb.values() if a.brand_id == foreign.pk}
        assert kb["draft"].pk not in found
        for item in items:
            assert set(item) == {"id", "title", "language", "score", "snippet", "url"}
            assert 0 < item["score"] <= 1
        assert client.get("/kb/search", q="refund", brand_id=foreign.pk).status_code == 403
        assert SearchLog.objects.filter(brand=own, source="api", query="refund").exists()


def test_api_urls_language_and_highlight(
    kb: dict[str, Article], brand: Brand, api: ApiClient
) -> None:
    r = api.get("/kb/search", q="reembolso", language="es", limit=5)
    items = {i["id"]: i for i in r.json()["items"]}
    es = items[kb["refund_es"].pk]
    assert es["language"] == "es"
    # the help center's own address of the page (non-ASCII slugs percent-encoded)
    slug = quote(kb["refund_es"].slug)
    assert es["url"] == f"/help/acme/es/articles/{kb['refund_es'].pk}-{slug}/"
    assert "<mark>reembolso</mark>" in es["snippet"]
    r = api.get("/kb/search", q="override code", limit=5)
    internal = next(i for i in r.json()["items"] if i["id"] == kb["internal"].pk)
    assert internal["url"] == f"/knowledge/articles/{kb['internal'].pk}/"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({}, "q"),
        ({"q": "refund", "limit": 0}, "limit"),
        ({"q": "refund", "limit": 51}, "limit"),
        ({"q": "refund", "limit": -3}, "limit"),
        ({"q": "refund", "limit": "ten"}, "limit"),
        ({"q": "refund", "language": "x" * 17}, "language"),
    ],
)
def test_api_refuses_bad_input_naming_the_field(
    api: ApiClient, params: dict[str, Any], field: str
) -> None:
    r = api.get("/kb/search", **params)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field


def test_api_needs_a_token(anon_api: ApiClient) -> None:
    assert anon_api.get("/kb/search", q="refund").status_code == 401


def test_cli_kb_reindex(kb: dict[str, Article], brand: Brand, other_brand: Brand) -> None:
    from typer.testing import CliRunner

    from wowdesk.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["kb-reindex", "--brand", "acme"])
    assert result.exit_code == 0, result.output
    assert (search.index_dir() / f"brand-{brand.pk}.npz").exists()
    assert not (search.index_dir() / f"brand-{other_brand.pk}.npz").exists()
    result = runner.invoke(app, ["kb-reindex"])
    assert result.exit_code == 0, result.output
    assert (search.index_dir() / f"brand-{other_brand.pk}.npz").exists()
    result = runner.invoke(app, ["kb-reindex", "--brand", "nope"])
    assert result.exit_code == 2 and "nope" in result.output


def test_no_such_brand_finds_nothing_and_writes_nothing() -> None:
    from wowdesk.knowledge.models import SearchIndexState

    assert search.search_articles(987654, "refund") == []
    search.on_articles_changed(987654, [1])
    assert not SearchIndexState.objects.exists()


def test_the_safety_sync_is_a_registered_job() -> None:
    from wowdesk.core import jobs

    found = {j.name: (j.app, j.path) for j in jobs.jobs()}
    assert found["kb-search-index"] == ("knowledge", "wowdesk.knowledge.search.sync_all")


def test_sync_all_brings_every_brand_index_up_to_date(
    kb: dict[str, Article], brand: Brand, other_brand: Brand
) -> None:
    assert search.sync_all() == {"brands": 2}
    assert set(search.held_brands()) == {brand.pk, other_brand.pk}
    assert search.held_brands()[brand.pk]["rows"] == 4


def test_api_agent_of_two_brands_names_the_brand(
    kb: dict[str, Article],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    client = make_api(make_agent(Role.AGENT, brands=[brand, other_brand]))
    assert client.get("/kb/search", q="refund").status_code == 403
    for b, own, foreign in ((brand, "refund", "other"), (other_brand, "other", "refund")):
        r = client.get("/kb/search", q="refund", brand_id=b.pk)
        found = {i["id"] for i in r.json()["items"]}
        assert kb[own].pk in found and kb[foreign].pk not in found


def test_searches_sync_in_memory_and_the_task_writes_the_file(
    kb: dict[str, Article], brand: Brand, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    def saved_version() -> int:
        meta = json.loads((search.index_dir() / f"brand-{brand.pk}.json").read_text())
        return int(meta["version"])

    search.search_articles(brand.pk, "refund")  # built from nothing: saved
    first = saved_version()
    new = article(brand, "Loyalty points explained", "Points are earned on every order.")
    assert new.pk in ids(search.search_articles(brand.pk, "loyalty points"))
    assert saved_version() == first  # the request did not write 20 MB
    assert search.reindex_task.call(brand.pk) == 5
    assert saved_version() == search._state(brand.pk)[1] > first
    counting = Counting()
    monkeypatch.setattr(search, "embedder", counting)
    search._held.clear()  # a new process: the file is current, only the query is embedded
    assert new.pk in ids(search.search_articles(brand.pk, "loyalty points"))
    assert counting.texts == 1
