"""What keeps the suggestions' first read and the help-center article page fast (the
"Speed" section of docs/knowledge-search.md): the message embedded once, the macros'
vectors stacked once, no per-hit or per-article reads, the same rows and order as the
straightforward computation."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import ApiClient
from tests.knowledge import helpdata
from tests.knowledge.assist_data import article, conversation
from wowdesk.conversations.models import Macro
from wowdesk.core.models import Brand
from wowdesk.knowledge import assist, help_queries, search
from wowdesk.knowledge.models import Article, ArticleStatus, HelpCenter

LAMP = "My lamp X200 arrived broken, I want a refund for the X200"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


class Counting:
    """The real embedder, counting the texts it encodes."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        from wowdesk.intelligence.emotion import embed

        self.texts.extend(texts)
        return embed(texts)


def macros(brand: Brand) -> list[Macro]:
    return [
        Macro.objects.create(brand=brand, name="Refund", body="We refund a broken lamp at once."),
        Macro.objects.create(brand=brand, name="Shipping", body="Parcels ship within two days."),
        Macro.objects.create(
            brand=brand, name="Refund", body="Le remboursement d'une lampe cassée.", language="fr"
        ),
    ]


# --- suggestions ----------------------------------------------------------------------------


def test_first_read_embeds_the_message_once_for_articles_and_macros(
    brand: Brand, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    article(brand, "Refund for a broken X200", "Send a photo of the X200; we refund.")
    article(brand, "Shipping times", "Parcels ship within two days.")
    macros(brand)
    counting = Counting()
    monkeypatch.setattr(search, "embedder", counting)
    search.brand_index(brand.pk)  # the articles' rows are embedded here, not in the read
    macro_found = 0
    for body in (LAMP, "Where is my parcel?", "¿Dónde está mi paquete?"):
        conv = conversation(brand, body)
        counting.texts.clear()
        found = api.get(f"/conversations/{conv.pk}/suggestions").json()
        assert counting.texts == [body]
        assert found["articles"]
        macro_found += len(found["macros"])
    assert macro_found  # the shared vector ranked the macros too


def test_macro_similarities_match_the_embeddings_and_the_matrix_is_reused(brand: Brand) -> None:
    from wowdesk.intelligence.emotion import embed

    rows = macros(brand)
    first = assist.macro_matrix(rows)
    assert assist.macro_matrix(list(rows)) is first  # unchanged macros: stacked once
    query = "The lamp broke, refund please"
    expected = embed([assist._macro_text(m) for m in rows]) @ embed([query])[0]
    got = assist.macro_similarities(query, rows)
    assert got == pytest.approx([float(x) for x in expected], abs=1e-5)
    shared = assist.macro_similarities(query, rows, search.embed_query(query))
    assert shared == pytest.approx(got, abs=1e-6)
    rows[1].body = "Gift cards never expire."
    rows[1].save()
    changed = assist.macro_matrix(rows)
    assert changed is not first and changed.shape == first.shape
    assert np.allclose(changed[0], first[0]) and not np.allclose(changed[1], first[1])
    assert assist.macro_similarities("", rows) == [0.0, 0.0, 0.0]
    assert assist.macro_similarities(query, []) == []


@pytest.mark.parametrize("language", ["es", "es-MX", "ES", "de", "pt", ""])
def test_rows_read_for_a_language_give_the_same_articles_as_all_rows(
    brand: Brand, language: str
) -> None:
    one = article(brand, "Refund", "Refund body.")
    article(brand, "Reembolso", "Cuerpo.", language="es", translation_of=one)
    article(brand, "Erstattung", "Text.", language="de", translation_of=one)
    two = article(brand, "Shipping", "Ship body.")
    article(brand, "Envío", "Cuerpo.", language="es-MX", translation_of=two)
    three = article(brand, "Draft source", "Body.", status=ArticleStatus.DRAFT)
    article(brand, "Borrador", "Cuerpo.", language="es", translation_of=three)
    four = article(brand, "Internal", "Body.", internal=True)
    article(brand, "Interno", "Cuerpo.", language="es", translation_of=four, internal=True)
    ids = [one.pk, two.pk, three.pk, four.pk]
    everything = assist.localised(assist.article_rows(brand.pk, ids), ids, language)
    narrowed_rows = assist.article_rows(brand.pk, ids, language)
    narrowed = assist.localised(narrowed_rows, ids, language)
    assert {k: v.pk for k, v in narrowed.items()} == {k: v.pk for k, v in everything.items()}
    base = language.split("-")[0].lower()
    for row in narrowed_rows:  # the sources and the asked language only
        assert row.translation_of_id is None or row.language.split("-")[0].lower() == base


def test_first_read_queries_do_not_grow_with_the_articles_found(
    brand: Brand, api: ApiClient
) -> None:
    macros(brand)

    def queries_of_a_new_message(body: str) -> int:
        search.rebuild(brand.pk)  # the rows were written directly
        conv = conversation(brand, body, language="es")
        api.get(f"/conversations/{conv.pk}/suggestions")  # the macros' vectors
        conv = conversation(brand, body, language="es")
        with CaptureQueriesContext(connection) as captured:
            found = api.get(f"/conversations/{conv.pk}/suggestions").json()
        return len(captured.captured_queries), len(found["articles"])

    source = article(brand, "Lamp X200 refund", "Refund of a broken lamp X200.")
    article(brand, "Reembolso X200", "Reembolso.", language="es", translation_of=source)
    few, shown = queries_of_a_new_message(LAMP)
    assert shown == 1
    for i in range(9):
        source = article(brand, f"Lamp X200 refund {i}", f"Refund {i} of a lamp X200.")
        article(brand, f"Reembolso X200 {i}", "Reembolso.", language="es", translation_of=source)
    many, shown = queries_of_a_new_message(LAMP + " again")
    assert shown == assist.ARTICLES_SHOWN
    assert many == few


# --- the language order of a search ----------------------------------------------------------


def test_language_order_is_one_query_with_or_without_a_help_center(
    brand: Brand, other_brand: Brand, django_assert_num_queries: Any
) -> None:
    HelpCenter.objects.create(brand=brand, fallback_chain=["fr", "DE"])
    with django_assert_num_queries(1):
        assert search._language_order(brand.pk, "es") == ["es", "fr", "de", "en"]
    with django_assert_num_queries(1):
        assert search._language_order(other_brand.pk, "ES") == ["es", other_brand.default_language]
    with django_assert_num_queries(1):
        assert search._language_order(other_brand.pk, None) == [other_brand.default_language]
    with django_assert_num_queries(1):
        assert search._language_order(999_999, "es") == ["es"]


# --- help center ------------------------------------------------------------------------------


@pytest.fixture
def shop(brand: Brand, other_brand: Brand) -> helpdata.Shop:
    return helpdata.Shop(brand, other_brand)


def page(row: Article) -> str:
    from django.utils.encoding import iri_to_uri

    return iri_to_uri(f"/help/acme/{row.language}/articles/{row.pk}-{row.slug}/")


def test_article_page_reads_a_translation_in_as_many_queries_as_its_source(
    shop: helpdata.Shop,
) -> None:
    client = Client()
    counts = []
    for row in (shop.refund, shop.refund_es, shop.track, shop.track_es, shop.track_ar):
        client.get(page(row))  # the session exists
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page(row)).status_code == 200
        counts.append(len(captured.captured_queries))
    assert len(set(counts)) == 1, counts


def test_site_is_one_query_with_or_without_help_center_settings(
    shop: helpdata.Shop, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        site = help_queries.site_for("acme")
    assert site.title == "Acme Help" and site.languages == ["en", "es", "ar"]
    with django_assert_num_queries(2):  # no settings: its languages are its articles'
        other = help_queries.site_for(shop.other.slug)
    assert other.title == shop.other.name and other.languages == ["en"]
    HelpCenter.objects.filter(brand=shop.brand).update(enabled=False)
    assert Client().get(page(shop.refund)).status_code == 404


def related_the_long_way(site: help_queries.Site, category_id: int, lang: str) -> list[int]:
    rows = help_queries.best_rows(help_queries.in_categories(site, [category_id]), site, lang)
    return [r.pk for r in rows]


@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_first_articles_of_a_category_are_the_first_of_all_its_rows(
    shop: helpdata.Shop, lang: str
) -> None:
    site = help_queries.site_for("acme")
    # articles whose rows come in every order: a translation older than the next
    # source, a source not public with public translations, translations without a
    # category of their own
    for i in range(8):
        src = helpdata.article(
            shop.brand,
            f"Return step {i}",
            category=shop.returns,
            status=ArticleStatus.DRAFT if i % 3 == 0 else ArticleStatus.PUBLISHED,
            slug=f"return-step-{i}",
        )
        helpdata.article(
            shop.brand, f"Paso {i}", language="es", translation_of=src, slug=f"paso-{i}"
        )
        if i % 2:
            helpdata.article(
                shop.brand, f"خطوة {i}", language="ar", translation_of=src, slug=f"step-ar-{i}"
            )
    full = related_the_long_way(site, shop.returns.pk, lang)
    for count in (1, 3, 6, 20):
        rows = help_queries.best_rows(
            help_queries.first_articles(site, [shop.returns.pk], count), site, lang
        )
        assert [r.pk for r in rows] == full[:count]


def test_article_page_shows_the_same_related_articles_as_the_whole_category(
    shop: helpdata.Shop,
) -> None:
    site = help_queries.site_for("acme")
    for i in range(12):
        helpdata.article(
            shop.brand, f"Parcel tip {i}", category=shop.returns, slug=f"parcel-tip-{i}"
        )
    for row in (shop.refund, shop.label, shop.refund_es):
        lang = row.language
        expected = [
            pk
            for pk in related_the_long_way(site, shop.returns.pk, lang)
            if Article.objects.get(pk=pk).source_id != row.source_id
        ][:5]
        body = Client().get(page(row)).content.decode()
        section = body.split('id="hc-related"', 1)[1].split("</section>", 1)[0]
        shown = [int(pk) for pk in re.findall(r"/articles/(\d+)-", section)]
        assert len(expected) == 5 and shown == expected
