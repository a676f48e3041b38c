"""Knowledge for agents in the workspace: the Suggestions panel, its content, the composer's
knowledge search, inserting (in the customer's language), "Solved it" and "Propose an
edit" — per role × two brands, and bad input."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.knowledge.assist_data import article, conversation
from wowdesk.conversations.models import Macro
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge.models import Proposal, SuggestionUse

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]
QUESTION = "Mi lámpara X200 llegó rota, quiero un reembolso"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def login(db: None) -> Callable[[Agent], Client]:
    def make(agent: Agent) -> Client:
        client = Client()
        client.force_login(agent.user)
        return client

    return make


@pytest.fixture
def world(brand: Brand, other_brand: Brand) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, b in (("a", brand), ("b", other_brand)):
        source = article(
            b,
            f"Refund for a broken X200 ({b.slug})",
            "Send us a **photo** of the X200 and we refund it.",
        )
        spanish = article(
            b,
            f"Reembolso de una X200 rota ({b.slug})",
            "Envíenos una **foto** de la X200 y le devolvemos el dinero.",
            language="es",
            translation_of=source,
        )
        macro = Macro.objects.create(
            brand=b,
            name="Refund for a broken item",
            body="Hola {{ customer.first_name }}, sentimos que llegara roto: "
            "le devolvemos el dinero.",
        )
        out[key] = {
            "source": source,
            "spanish": spanish,
            "macro": macro,
            "conv": conversation(b, QUESTION, language="es"),
        }
    return out


def _pair(side: str, world: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return (world["a"], world["b"]) if side == "brand" else (world["b"], world["a"])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side", ["brand", "other_brand"])
def test_panel_and_its_content_per_role_and_brand(
    role: str,
    side: str,
    request: pytest.FixtureRequest,
    world: dict[str, Any],
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
) -> None:
    client = login(make_agent(role, brands=[request.getfixturevalue(side)]))
    mine, theirs = _pair(side, world)
    page = client.get(f"/inbox/c/{mine['conv'].pk}/").content.decode()
    panel_url = f"/knowledge/assist/c/{mine['conv'].pk}/suggestions/"
    assert 'data-panel="suggestions"' in page and panel_url in page
    assert "knowledge/assist.js" in page
    r = client.get(panel_url)
    assert r.status_code == 200
    html = r.content.decode()
    # the Spanish row of the brand's article, the brand's macro; nothing of the other brand
    assert f'data-kb-article="{mine["spanish"].pk}"' in html
    assert mine["spanish"].title in html
    assert f'data-kb-macro="{mine["macro"].pk}"' in html
    assert theirs["spanish"].title not in html and theirs["source"].title not in html
    assert client.get(f"/knowledge/assist/c/{theirs['conv'].pk}/suggestions/").status_code == 404
    # search from the composer
    r = client.get("/knowledge/assist/search/", {"q": "X200", "conversation": mine["conv"].pk})
    assert r.status_code == 200 and mine["spanish"].title in r.content.decode()
    assert theirs["source"].title not in r.content.decode()
    r = client.get("/knowledge/assist/search/", {"q": "X200", "conversation": theirs["conv"].pk})
    assert r.status_code == 404


def test_signed_out_is_sent_to_login(world: dict[str, Any]) -> None:
    r = Client().get(f"/knowledge/assist/c/{world['a']['conv'].pk}/suggestions/")
    assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side", ["brand", "other_brand"])
def test_insert_solved_and_propose_per_role_and_brand(
    role: str,
    side: str,
    request: pytest.FixtureRequest,
    world: dict[str, Any],
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
) -> None:
    agent = make_agent(role, brands=[request.getfixturevalue(side)])
    client = login(agent)
    mine, theirs = _pair(side, world)
    conv = mine["conv"]
    base = f"/knowledge/assist/c/{conv.pk}"
    # the text in the customer's language, whichever row was clicked, as plain text
    for row in (mine["source"], mine["spanish"]):
        r = client.post(f"{base}/articles/{row.pk}/insert/", {"what": "text"})
        assert r.status_code == 200
        assert r.content.decode() == "Envíenos una foto de la X200 y le devolvemos el dinero."
    r = client.post(f"{base}/articles/{mine['source'].pk}/insert/", {"what": "link"})
    assert r.status_code == 200 and r.content.decode().startswith("http://testserver/help/")
    assert str(mine["spanish"].pk) in r.content.decode()
    r = client.post(f"{base}/macros/{mine['macro'].pk}/insert/")
    assert r.status_code == 200 and r.content.decode().startswith("Hola ")
    assert "{{" not in r.content.decode()
    r = client.post(f"{base}/solved/", {"article": mine["spanish"].pk})
    assert r.status_code == 200 and "kb-solved-mark" in r.content.decode()
    r = client.post(f"{base}/solved/", {"macro": mine["macro"].pk})
    assert r.status_code == 200
    uses = sorted(
        SuggestionUse.objects.filter(agent=agent).values_list("action", "article_id", "macro_id"),
        key=str,
    )
    assert uses == sorted(
        [
            ("inserted", mine["spanish"].pk, None),
            ("inserted", mine["spanish"].pk, None),
            ("inserted", mine["spanish"].pk, None),
            ("inserted", None, mine["macro"].pk),
            ("solved", mine["spanish"].pk, None),
            ("solved", None, mine["macro"].pk),
        ],
        key=str,
    )
    r = client.post(
        f"/knowledge/assist/articles/{mine['source'].pk}/propose/",
        {"body": "Add: photos up to 10 MB.", "title": "", "conversation": conv.pk},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 201
    proposal = Proposal.objects.get(proposed_by=agent)
    assert (proposal.kind, proposal.article_id, proposal.conversation_id) == (
        "edit",
        mine["source"].pk,
        conv.pk,
    )
    # the other brand: its conversation, article and macro are not found; nothing written
    before = (SuggestionUse.objects.count(), Proposal.objects.count())
    other = f"/knowledge/assist/c/{theirs['conv'].pk}"
    assert client.post(f"{other}/articles/{theirs['source'].pk}/insert/").status_code == 404
    assert client.post(f"{other}/macros/{theirs['macro'].pk}/insert/").status_code == 404
    assert client.post(f"{other}/solved/", {"article": theirs["source"].pk}).status_code == 404
    assert client.post(f"{base}/articles/{theirs['source'].pk}/insert/").status_code == 404
    assert client.post(f"{base}/macros/{theirs['macro'].pk}/insert/").status_code == 404
    assert client.post(f"{base}/solved/", {"article": theirs["source"].pk}).status_code == 404
    assert client.post(f"{base}/solved/", {"macro": theirs["macro"].pk}).status_code == 404
    r = client.post(f"/knowledge/assist/articles/{theirs['source'].pk}/propose/", {"body": "x"})
    assert r.status_code == 404
    r = client.post(
        f"/knowledge/assist/articles/{mine['source'].pk}/propose/",
        {"body": "x", "conversation": theirs["conv"].pk},
    )
    assert r.status_code == 404
    assert (SuggestionUse.objects.count(), Proposal.objects.count()) == before


@pytest.mark.parametrize(
    ("path", "data", "status", "reason"),
    [
        ("articles/{a}/insert/", {"what": "pdf"}, 400, "what"),
        ("solved/", {}, 400, "article"),
        ("solved/", {"article": "x"}, 400, "article"),
        ("solved/", {"article": "-1"}, 400, "article"),
        ("solved/", {"macro": "1.5"}, 400, "macro"),
        ("solved/", {"article": "999999"}, 404, ""),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    path: str,
    data: dict[str, str],
    status: int,
    reason: str,
    world: dict[str, Any],
    agent: Agent,
    login: Callable[[Agent], Client],
) -> None:
    client = login(agent)
    conv = world["a"]["conv"]
    url = f"/knowledge/assist/c/{conv.pk}/" + path.format(a=world["a"]["source"].pk)
    r = client.post(url, data)
    assert r.status_code == status
    assert reason in r.content.decode()
    assert not SuggestionUse.objects.exists()


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "x"}, 400),
        ({"q": "x", "conversation": "abc"}, 400),
        ({"q": "x", "conversation": "999999"}, 404),
    ],
)
def test_search_needs_a_conversation(
    params: dict[str, str], status: int, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    r = login(agent).get("/knowledge/assist/search/", params)
    assert r.status_code == status
    if status == 400:
        assert "conversation" in r.content.decode()


def test_an_internal_article_has_no_link_to_insert(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    internal = article(brand, "Desk notes X200", "Refund in the ERP.", internal=True)
    conv = conversation(brand, "X200 refund")
    client = login(agent)
    r = client.post(
        f"/knowledge/assist/c/{conv.pk}/articles/{internal.pk}/insert/", {"what": "link"}
    )
    assert r.status_code == 422
    assert not SuggestionUse.objects.exists()
    r = client.get(f"/knowledge/assist/c/{conv.pk}/suggestions/")
    html = r.content.decode()
    assert f'data-kb-article="{internal.pk}"' in html and "kb-insert-link" not in html


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"body": ""}, "Say what should change"),
        ({"body": "x", "title": "t" * 301}, "300"),
        ({"body": "x", "conversation": "abc"}, "conversation"),
    ],
)
def test_bad_proposals_from_the_panel(
    data: dict[str, str],
    reason: str,
    world: dict[str, Any],
    agent: Agent,
    login: Callable[[Agent], Client],
) -> None:
    r = login(agent).post(
        f"/knowledge/assist/articles/{world['a']['source'].pk}/propose/",
        data,
        headers={"HX-Request": "true"},
    )
    assert 400 <= r.status_code < 500
    assert reason in r.content.decode()
    assert not Proposal.objects.exists()


def test_a_conversation_without_customer_message(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    conv = conversation(brand, "X200")
    conv.messages.update(direction="note")
    r = login(agent).get(f"/knowledge/assist/c/{conv.pk}/suggestions/")
    assert r.status_code == 200 and "No message from the customer yet." in r.content.decode()


def test_shortcut_is_listed_in_the_help(
    world: dict[str, Any], agent: Agent, login: Callable[[Agent], Client]
) -> None:
    page = login(agent).get(f"/inbox/c/{world['a']['conv'].pk}/").content.decode()
    assert "<kbd>K</kbd>" in page and "Search the knowledge base" in page
