"""The chat widget's article suggestions: GET /chat/<token>/kb/suggest?q=&lang=."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.knowledge.helpdata import Shop, article
from wowdesk.channels.chat import services as chat
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core import ratelimit
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import search
from wowdesk.knowledge.models import Source


@pytest.fixture
def shop(brand: Brand, other_brand: Brand) -> Shop:
    return Shop(brand, other_brand)


def chat_inbox(brand: Brand) -> Inbox:
    inbox = Inbox.objects.filter(brand=brand, name="Website chat").first()
    if inbox is None:
        inbox = conversations.create_inbox(brand_id=brand.pk, name="Website chat", channel="chat")
    return chat.ensure_widget(inbox)


def token(inbox: Inbox) -> str:
    return chat.widget_settings(inbox).token


def suggest(inbox_token: str, q: str, lang: str = "", **headers: str) -> Any:
    return Client().get(f"/chat/{inbox_token}/kb/suggest", {"q": q, "lang": lang}, **headers)


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    real = search.log_search

    def spy(brand_id: int, query: str, language: str, source: str, hits: list[Any]) -> None:
        calls.append((brand_id, query, language, source, [h.article_id for h in hits]))
        real(brand_id, query, language, source, hits)

    monkeypatch.setattr(search, "log_search", spy)
    return calls


def test_suggestions_are_the_brands_public_articles(
    shop: Shop, logged: list[tuple[Any, ...]]
) -> None:
    response = suggest(token(chat_inbox(shop.brand)), "parcel", "en")
    assert response.status_code == 200
    items = response.json()["items"]
    assert 1 <= len(items) <= 3
    for item in items:
        assert set(item) == {"title", "url", "snippet"}
        assert item["url"].startswith("http://testserver/help/acme/")
    titles = {i["title"] for i in items}
    assert not titles & {r.title for r in shop.hidden}
    assert logged and logged[0][0] == shop.brand.pk and logged[0][3] == Source.WIDGET
    assert response["Access-Control-Allow-Origin"] == "*"


def test_at_most_three(shop: Shop) -> None:
    for i in range(6):
        article(shop.brand, f"Parcel tips {i}")
    assert len(suggest(token(chat_inbox(shop.brand)), "parcel tips").json()["items"]) == 3


def test_a_brands_token_never_returns_another_brands_articles(shop: Shop) -> None:
    article(shop.other, "Globex parcel refunds")
    for q in ("Globex parcel secrets", "Globex parcel refunds", "parcel"):
        items = suggest(token(chat_inbox(shop.brand)), q).json()["items"]
        assert not [i for i in items if "Globex" in i["title"]], q
    other = suggest(token(chat_inbox(shop.other)), "Globex parcel").json()["items"]
    assert other and all("/help/globex/" in i["url"] for i in other)
    assert not [i for i in other if "Acme" in i["title"] or "Track" in i["title"]]


def test_internal_and_draft_articles_are_never_suggested(shop: Shop) -> None:
    for q in ("Parcel override codes", "Parcel lockers draft", "Parcel old policy"):
        items = suggest(token(chat_inbox(shop.brand)), q).json()["items"]
        assert q not in {i["title"] for i in items}


@pytest.mark.parametrize("bad", ["nope", "x" * 40, "1", "x" * 200])
def test_a_bad_token_is_404(shop: Shop, bad: str, logged: list[tuple[Any, ...]]) -> None:
    response = suggest(bad, "parcel")
    assert response.status_code == 404
    assert response.json()["field"] == "inbox"
    assert not logged


def test_an_email_inbox_id_is_no_token(shop: Shop) -> None:
    inbox = conversations.default_inbox(shop.brand.pk, "email")
    assert suggest(str(inbox.pk), "parcel").status_code == 404


def test_short_queries_answer_nothing_and_log_nothing(
    shop: Shop, logged: list[tuple[Any, ...]]
) -> None:
    assert suggest(token(chat_inbox(shop.brand)), "pa").json() == {"items": []}
    assert not logged


@pytest.mark.parametrize(
    ("params", "field"), [({"q": "x" * 201}, "q"), ({"q": "parcel", "lang": "e" * 40}, "lang")]
)
def test_bad_parameters_are_400_naming_the_field(
    shop: Shop, params: dict[str, str], field: str
) -> None:
    response = Client().get(f"/chat/{token(chat_inbox(shop.brand))}/kb/suggest", params)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_allowed_domains_apply(shop: Shop) -> None:
    inbox = chat_inbox(shop.brand)
    chat.configure_widget(inbox, actor=None, allowed_domains=["shop.example"])
    assert suggest(token(inbox), "parcel", HTTP_ORIGIN="https://evil.example").status_code == 403
    ok = suggest(token(inbox), "parcel", HTTP_ORIGIN="https://shop.example")
    assert ok.status_code == 200 and ok["Access-Control-Allow-Origin"] == "https://shop.example"


def test_the_visitors_language_picks_the_translation(shop: Shop) -> None:
    urls = [
        i["url"] for i in suggest(token(chat_inbox(shop.brand)), "paquete", "es").json()["items"]
    ]
    assert any("/help/acme/es/articles/" in u for u in urls)
    # an article with a Spanish translation is never suggested in English
    for row in (shop.track, shop.refund):
        assert not [u for u in urls if f"/articles/{row.pk}-" in u]


def test_suggestions_are_rate_limited(shop: Shop) -> None:
    ratelimit.use(ratelimit.MemoryStore(clock=lambda: 1000.0))  # time stands still
    t = token(chat_inbox(shop.brand))
    codes = [suggest(t, "parcel").status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
@pytest.mark.parametrize("home", ["brand", "other_brand"])
def test_signed_in_people_get_the_same_public_answer(
    shop: Shop,
    make_agent: Callable[..., Agent],
    request: pytest.FixtureRequest,
    role: str,
    home: str,
) -> None:
    agent = make_agent(role, brands=[request.getfixturevalue(home)])
    c = Client()
    c.force_login(agent.user)
    t = token(chat_inbox(shop.brand))
    items = c.get(f"/chat/{t}/kb/suggest", {"q": "Parcel override codes"}).json()["items"]
    assert "Parcel override codes" not in {i["title"] for i in items}
    items = c.get(f"/chat/{t}/kb/suggest", {"q": "Globex parcel secrets"}).json()["items"]
    assert not [i for i in items if "Globex" in i["title"]]
