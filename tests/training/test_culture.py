"""Culture cards: the built-in cards and the country lookup (pure), the brand's cards
(override, lookup), the API per role of two brands, the settings page and the panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import quick_conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.customers import services as customers
from wowdesk.training import culture_services, culture_texts
from wowdesk.training.models import CultureCard

REQUIRED = {"JP", "DE", "US", "GB", "FR", "CN", "BR", "SA", "AE", "IN", "KR"}


def login(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


# --- pure -------------------------------------------------------------------------------------


def test_the_built_in_cards_cover_the_markets_in_both_interface_languages() -> None:
    assert set(culture_texts.BY_COUNTRY) >= REQUIRED
    for card in culture_texts.CARDS:
        for ui in culture_texts.UI_LANGUAGES:
            assert card.title[ui]
            assert 3 <= len(card.lines[ui]) <= 5, (card.country, ui)
            assert all(len(line) <= 120 for line in card.lines[ui])
        assert len(card.lines["en"]) == len(card.lines["zh-hans"])
        # the Chinese text holds no English words
        assert not any(
            ch.isascii() and ch.isalpha() for line in card.lines["zh-hans"] for ch in line
        )
    title, lines = culture_texts.card_text(culture_texts.BY_COUNTRY["JP"], "zh-hans")
    assert title == "日本" and "致歉" in lines[1]
    assert "formal" in culture_texts.card_text(culture_texts.BY_COUNTRY["JP"], "de")[1][0]


@pytest.mark.parametrize(
    ("phone", "country"),
    [
        ("+81 3 1234 5678", "JP"),
        ("+49 30 123456", "DE"),
        ("+1 415 555 0100", "US"),
        ("+44 20 7946 0958", "GB"),
        ("+971 4 123 4567", "AE"),
        ("+966 11 123 4567", "SA"),
        ("+86 10 1234 5678", "CN"),
        ("030 123456", ""),
        ("", ""),
        ("+999 1", ""),
    ],
)
def test_the_country_of_a_phone_number(phone: str, country: str) -> None:
    assert culture_texts.country_from_phone(phone) == country


def test_the_customers_country_in_order_of_trust() -> None:
    assert culture_texts.customer_country(custom_country="fr", phone="+81 3 1", timezone="") == "FR"
    assert culture_texts.customer_country(phone="+81 3 1234", timezone="Europe/Berlin") == "JP"
    assert culture_texts.customer_country(timezone="Europe/Berlin") == "DE"
    assert culture_texts.customer_country(custom_country="France") == ""
    assert culture_texts.builtin_for("", "pt-BR") is culture_texts.BY_COUNTRY["BR"]
    assert culture_texts.builtin_for("", "ar") is culture_texts.BY_COUNTRY["SA"]
    assert culture_texts.builtin_for("", "en") is None  # English says nothing of a country
    assert culture_texts.builtin_for("kr", "ja") is culture_texts.BY_COUNTRY["KR"]


@given(st.text(max_size=40))
def test_the_lookup_never_fails_and_answers_a_known_country_or_nothing(text: str) -> None:
    for found in (
        culture_texts.country_from_phone(text),
        culture_texts.country_from_timezone(text),
        culture_texts.norm_country(text),
    ):
        assert found == "" or (len(found) == 2 and found.isupper())
    assert culture_texts.country_from_phone(text) in {"", *culture_texts.BY_COUNTRY}


# --- the brand's cards ------------------------------------------------------------------------


@pytest.fixture
def people(brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]) -> dict[str, Agent]:
    return {
        "agent": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "other_agent": make_agent(Role.AGENT, brands=[other_brand]),
        "other_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand]),
    }


@pytest.mark.django_db
def test_a_brand_card_overrides_the_built_in_one(
    brand: Brand, other_brand: Brand, people: dict[str, Agent]
) -> None:
    shown = culture_services.card_for(brand.pk, country="JP", language="ja", ui_language="en")
    assert shown is not None and shown.builtin and shown.title == "Japan"
    card = culture_services.create_card(
        people["supervisor"], brand.pk, country="jp", title="Japan (Acme)", body="- Bow\n- Wait"
    )
    assert card.country == "JP"
    shown = culture_services.card_for(brand.pk, country="JP", language="", ui_language="en")
    assert shown is not None and not shown.builtin and shown.lines == ("Bow", "Wait")
    # the other brand still has the built-in one
    other = culture_services.card_for(other_brand.pk, country="JP", language="", ui_language="en")
    assert other is not None and other.builtin
    # a disabled brand card hides the built-in one
    culture_services.update_card(people["admin"], card.pk, enabled=False)
    assert culture_services.card_for(brand.pk, country="JP", language="", ui_language="en") is None
    # a language card serves customers without a country
    culture_services.create_card(
        people["supervisor"], brand.pk, language="pt", title="Portuguese", body="Olá first"
    )
    shown = culture_services.card_for(brand.pk, country="", language="pt-PT", ui_language="en")
    assert shown is not None and shown.title == "Portuguese"
    # a country (built-in) wins over the brand's language card
    shown = culture_services.card_for(brand.pk, country="BR", language="pt", ui_language="zh-hans")
    assert shown is not None and shown.builtin and shown.title == "巴西"
    assert culture_services.card_for(brand.pk, country="", language="", ui_language="en") is None


@pytest.mark.django_db
def test_the_rules_of_a_card(brand: Brand, people: dict[str, Agent]) -> None:
    from wowdesk.core.errors import Conflict, Forbidden, InvalidInput

    sup = people["supervisor"]
    with pytest.raises(Forbidden):
        culture_services.create_card(people["agent"], brand.pk, country="DE", title="x", body="y")
    with pytest.raises(InvalidInput) as bad:
        culture_services.create_card(sup, brand.pk, country="Germany", title="x", body="y")
    assert bad.value.field == "country"
    with pytest.raises(InvalidInput) as bad:
        culture_services.create_card(sup, brand.pk, title="x", body="y")
    assert bad.value.field == "country"
    with pytest.raises(InvalidInput) as bad:
        culture_services.create_card(sup, brand.pk, country="DE", title="a\nb", body="y")
    assert bad.value.field == "title"
    culture_services.create_card(sup, brand.pk, country="DE", title="x", body="y")
    with pytest.raises(Conflict):
        culture_services.create_card(sup, brand.pk, country="de", title="x2", body="y2")


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_the_api_per_role_and_brand(
    role: str,
    brand: Brand,
    other_brand: Brand,
    people: dict[str, Agent],
    make_api: Callable[..., object],
) -> None:
    api = make_api(people[role])
    mine = culture_services.create_card(
        people["supervisor"], brand.pk, country="US", title="US (Acme)", body="Hi"
    )
    theirs = culture_services.create_card(
        people["other_supervisor"], other_brand.pk, country="DE", title="DE (Globex)", body="Hallo"
    )
    listed = api.get("/culture-cards")  # type: ignore[attr-defined]
    assert listed.status_code == 200
    body = listed.json()
    assert [c["id"] for c in body["items"]] == [mine.pk]
    assert {b["country"] for b in body["builtin"]} >= REQUIRED
    assert next(b for b in body["builtin"] if b["country"] == "US")["overridden"] is True
    assert api.get("/culture-cards", brand=other_brand.pk).status_code == 403  # type: ignore[attr-defined]
    found = api.get("/culture-cards/lookup", country="us")  # type: ignore[attr-defined]
    assert found.status_code == 200 and found.json()["card_id"] == mine.pk
    assert api.get("/culture-cards/lookup", language="ko").json()["country"] == "KR"  # type: ignore[attr-defined]
    assert api.get("/culture-cards/lookup", language="xx").status_code == 404  # type: ignore[attr-defined]

    made = api.post("/culture-cards", {"country": "FR", "title": "France", "body": "Bonjour"})  # type: ignore[attr-defined]
    patched = api.patch(f"/culture-cards/{mine.pk}", {"title": "United States"})  # type: ignore[attr-defined]
    other_patch = api.patch(f"/culture-cards/{theirs.pk}", {"title": "x"})  # type: ignore[attr-defined]
    other_delete = api.delete(f"/culture-cards/{theirs.pk}")  # type: ignore[attr-defined]
    into_other = api.post(  # type: ignore[attr-defined]
        "/culture-cards", {"brand_id": other_brand.pk, "country": "FR", "title": "F", "body": "B"}
    )
    assert other_patch.status_code == 403 and other_delete.status_code == 403
    assert into_other.status_code == 403
    if role == "agent":
        assert made.status_code == 403 and patched.status_code == 403
        assert api.delete(f"/culture-cards/{mine.pk}").status_code == 403  # type: ignore[attr-defined]
    else:
        assert made.status_code == 201, made.json()
        assert patched.status_code == 200 and patched.json()["title"] == "United States"
        bad = api.post("/culture-cards", {"country": "FRA", "title": "x", "body": "y"})  # type: ignore[attr-defined]
        assert bad.status_code == 422 and "country" in str(bad.json())
        assert api.delete(f"/culture-cards/{mine.pk}").status_code == 204  # type: ignore[attr-defined]
        assert not CultureCard.objects.filter(pk=mine.pk).exists()
    assert CultureCard.objects.get(pk=theirs.pk).title == "DE (Globex)"


# --- the settings page and the panel ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_the_settings_page_per_role_and_brand(
    role: str, brand: Brand, other_brand: Brand, people: dict[str, Agent]
) -> None:
    theirs = culture_services.create_card(
        people["other_supervisor"], other_brand.pk, country="DE", title="Globex DE", body="x"
    )
    c = login(people[role])
    page = c.get("/training/culture/")
    if role == "agent":
        assert page.status_code == 403
        assert (
            c.post(
                "/training/culture/save/", {"country": "JP", "title": "t", "body": "b"}
            ).status_code
            == 403
        )
        return
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-country="JP"' in html and "Globex DE" not in html
    assert 'data-section="culture"' in html
    # another brand's id in the query: shown for the own brand only
    assert "Globex DE" not in c.get(f"/training/culture/?brand={other_brand.pk}").content.decode()
    saved = c.post(
        "/training/culture/save/",
        {
            "brand": brand.pk,
            "country": "jp",
            "title": "Japan, our way",
            "body": "Bow\nWait",
            "enabled": "1",
        },
    )
    assert saved.status_code == 302
    card = CultureCard.objects.get(brand=brand, country="JP")
    assert "replaced by the brand" in c.get("/training/culture/").content.decode()
    assert c.get(f"/training/culture/?edit={card.pk}").status_code == 200
    # the other brand's card can be neither changed nor deleted
    assert (
        c.post("/training/culture/save/", {"id": theirs.pk, "title": "x", "body": "y"}).status_code
        == 403
    )
    assert c.post(f"/training/culture/{theirs.pk}/delete/").status_code == 403
    assert c.post(f"/training/culture/{card.pk}/delete/").status_code == 302
    assert not CultureCard.objects.filter(pk=card.pk).exists()
    assert CultureCard.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_the_conversation_panel_shows_the_card_of_the_customers_country(
    brand: Brand, people: dict[str, Agent], django_assert_max_num_queries: Callable[..., object]
) -> None:
    conversation = quick_conversation(brand, name="Taro Yamada")
    customers.update_customer(conversation.customer, actor=None, timezone="Asia/Tokyo")
    page = login(people["agent"]).get(f"/inbox/c/{conversation.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="culture-card"' in html and "Japan" in html and "Apologise" in html
    culture_services.create_card(
        people["supervisor"], brand.pk, country="JP", title="Japan at Acme", body="Say sumimasen"
    )
    html = login(people["agent"]).get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert "Japan at Acme" in html and "Say sumimasen" in html
    # nothing known of the customer: no panel
    plain = quick_conversation(brand)
    html = login(people["agent"]).get(f"/inbox/c/{plain.pk}/").content.decode()
    assert 'id="culture-card"' not in html


@pytest.mark.django_db
def test_the_panel_costs_one_query(
    brand: Brand, people: dict[str, Agent], django_assert_num_queries: Callable[..., Any]
) -> None:
    from django.test import RequestFactory

    from wowdesk.conversations.models import Conversation
    from wowdesk.training import culture

    conversation = quick_conversation(brand)
    customers.update_customer(conversation.customer, actor=None, timezone="Europe/Berlin")
    loaded = Conversation.objects.select_related("customer").get(pk=conversation.pk)
    request = RequestFactory().get("/")
    request.agent = people["agent"]  # type: ignore[attr-defined]
    with django_assert_num_queries(1):
        ctx = culture.culture_panel(request, loaded)
    assert ctx is not None and ctx["card"].country == "DE"
    with django_assert_num_queries(0):
        assert culture.scenario_panel(request, loaded) is None  # not resolved
