"""Customer-facing search shows only relevant articles (``search.MIN_CUSTOMER_SCORE``),
measured on the demo help center: questions no article covers find nothing (and are logged
with 0 results), questions an article answers still find it, in the customer's language
too; agents' search keeps the weak hits for them to judge."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from tests.knowledge.test_help_widget import chat_inbox, suggest, token
from wowdesk.core.models import Brand
from wowdesk.demo import catalog, sources
from wowdesk.demo import knowledge as demo_kb
from wowdesk.knowledge import search
from wowdesk.knowledge.models import Article, SearchLog, Source

UNRELATED = [
    "bitcoin",
    "how tall is the Eiffel tower",
    "receta de paella",
    "wie spät ist es",
    "比特币价格",
    "明天天气怎么样",
    "météo demain",
    "resep nasi goreng",
    "東京の天気",
    "كم عمر الأرض",
    "my cat is sick",
]

# (question, the intent of the English article that answers it)
RELATED = [
    ("cancel my order", "cancel_order"),
    ("¿Cómo cancelo mi pedido?", "cancel_order"),
    ("cambiar la dirección de envío", "change_shipping_address"),
    ("métodos de pago", "check_payment_methods"),
    ("hablar con una persona", "contact_human_agent"),
    ("忘记密码", "recover_password"),
    ("删除账户", "delete_account"),
    ("支付方式", "check_payment_methods"),
    ("Passwort vergessen", "recover_password"),
    ("lupa kata sandi", "recover_password"),
    ("نسيت كلمة المرور", "recover_password"),
]


@pytest.fixture
def demo(brand: Brand, other_brand: Brand) -> dict[int, str]:
    """The demo help center of the first demo brand, in ``brand``: article id → intent."""
    corpus = sources.load_vendored()
    demo_kb.seed_help_center(catalog.BRANDS[0], brand, corpus, None, dt.datetime.now(dt.UTC))
    return {a.pk: a.intent for a in Article.objects.filter(brand=brand)}


@pytest.mark.parametrize("query", UNRELATED)
def test_a_question_no_article_covers_finds_nothing_for_customers(
    brand: Brand, demo: dict[int, str], query: str
) -> None:
    weak = search.search_articles(brand.pk, query, limit=5)
    assert weak and weak[0].score < search.MIN_CUSTOMER_SCORE  # agents still see them
    assert search.relevant(weak) == []
    page = Client().get(f"/help/{brand.slug}/en/search/", {"q": query})
    body = page.content.decode()
    assert page.status_code == 200 and "/articles/" not in body.split("<main", 1)[1]
    assert "Nothing found" in body
    log = SearchLog.objects.get(brand=brand, query=query, source=Source.HELP_CENTER)
    assert log.results == 0 and log.top_article_id is None
    answer = suggest(token(chat_inbox(brand)), query, "en")
    assert answer.status_code == 200 and answer.json()["items"] == []
    assert SearchLog.objects.get(brand=brand, query=query, source=Source.WIDGET).results == 0


@pytest.mark.parametrize(("query", "intent"), RELATED)
def test_a_question_an_article_answers_still_finds_it(
    brand: Brand, demo: dict[int, str], query: str, intent: str
) -> None:
    hits = search.relevant(search.search_articles(brand.pk, query, limit=5))
    assert hits and demo[hits[0].article_id] == intent, [h.title for h in hits]
    page = Client().get(f"/help/{brand.slug}/en/search/", {"q": query}).content.decode()
    ids = [int(i) for i in re.findall(r"/articles/(\d+)-", page.split('class="hc-results"')[1])]
    assert ids and demo[ids[0]] == intent
    log = SearchLog.objects.get(brand=brand, query=query, source=Source.HELP_CENTER)
    assert log.results == len(ids) >= 1
    answer = suggest(token(chat_inbox(brand)), query, "en").json()["items"]
    assert answer and answer[0]["title"] == hits[0].title
