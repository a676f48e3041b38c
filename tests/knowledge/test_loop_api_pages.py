"""The proposals and reports API and pages: per role (agent, supervisor, administrator) of
each of two brands; the other brand's ids are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ApiClient
from tests.knowledge.loop_helpers import published_article
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge.models import Article, ArticleStatus, Category, Proposal

pytestmark = pytest.mark.django_db

ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@pytest.fixture
def brands(brand: Brand, other_brand: Brand) -> dict[str, Brand]:
    return {"a": brand, "b": other_brand}


@pytest.fixture
def proposals(brands: dict[str, Brand]) -> dict[str, Proposal]:
    out = {}
    for key, b in brands.items():
        out[key] = Proposal.objects.create(
            brand=b,
            kind=Proposal.Kind.NEW_ARTICLE,
            language="en",
            title=f"How to pair the hub ({key})",
            body="Hold the pairing button for five seconds.",
        )
    return out


def _agent(make_agent: Callable[..., Agent], role: str, b: Brand) -> Agent:
    return make_agent(role, brands=[b])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_api_list_per_role_and_brand(
    role: str,
    key: str,
    brands: dict[str, Brand],
    proposals: dict[str, Proposal],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    other = "b" if key == "a" else "a"
    api = make_api(_agent(make_agent, role, brands[key]))
    res = api.get("/kb/proposals")
    if role == Role.AGENT:
        assert res.status_code == 403
        return
    assert res.status_code == 200, res.content
    assert [i["id"] for i in res.json()["items"]] == [proposals[key].pk]
    assert api.get("/kb/proposals", brand_id=brands[other].pk).status_code == 403
    assert api.get("/kb/proposals", status="accepted").json()["items"] == []
    assert api.get("/kb/proposals", status="maybe").status_code == 422


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_api_accept_and_dismiss_per_role_and_brand(
    role: str,
    key: str,
    brands: dict[str, Brand],
    proposals: dict[str, Proposal],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    other = "b" if key == "a" else "a"
    api = make_api(_agent(make_agent, role, brands[key]))
    mine, theirs = proposals[key], proposals[other]
    for path in (f"/kb/proposals/{theirs.pk}/accept", f"/kb/proposals/{theirs.pk}/dismiss"):
        assert api.post(path, {}).status_code == 403
    assert api.post("/kb/proposals/999999/accept", {}).status_code in (403, 404)
    if role == Role.AGENT:
        assert api.post(f"/kb/proposals/{mine.pk}/accept", {}).status_code == 403
        assert api.post(f"/kb/proposals/{mine.pk}/dismiss").status_code == 403
        assert not Article.objects.exists()
        return
    assert api.post("/kb/proposals/999999/accept", {}).status_code == 404
    bad = api.post(f"/kb/proposals/{mine.pk}/accept", {"title": " "})
    assert bad.status_code == 422 and bad.json()["field"] == "title"
    cat = Category.objects.create(brand=brands[key], slug="hub", names={"en": "Hub"})
    res = api.post(
        f"/kb/proposals/{mine.pk}/accept",
        {"title": "Pairing the Acme Hub", "category": cat.pk},
    )
    assert res.status_code == 200, res.content
    article = Article.objects.get(pk=res.json()["article_id"])
    assert article.brand_id == brands[key].pk and article.status == ArticleStatus.PUBLISHED
    assert article.title == "Pairing the Acme Hub" and article.category_id == cat.pk
    assert res.json()["proposal"]["status"] == "accepted"
    assert api.post(f"/kb/proposals/{mine.pk}/dismiss").status_code == 409
    another = Proposal.objects.create(
        brand=brands[key], kind=Proposal.Kind.NEW_ARTICLE, language="en", title="t", body="b"
    )
    res = api.post(f"/kb/proposals/{another.pk}/dismiss")
    assert res.status_code == 200 and res.json()["status"] == "dismissed"
    theirs.refresh_from_db()
    assert theirs.status == Proposal.Status.OPEN


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_api_reports_per_role_and_brand(
    role: str,
    key: str,
    brands: dict[str, Brand],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    other = "b" if key == "a" else "a"
    api = make_api(_agent(make_agent, role, brands[key]))
    res = api.get("/kb/reports")
    if role == Role.AGENT:
        assert res.status_code == 403
        return
    assert res.status_code == 200, res.content
    body = res.json()
    assert set(body) >= {"period", "no_result", "never_help", "intents_without_article", "bot"}
    assert api.get("/kb/reports", brand_id=brands[other].pk).status_code == 403
    assert api.get("/kb/reports", brand_id=brands[key].pk).status_code == 200
    res = api.get("/kb/reports", **{"from": "2026-03-10", "to": "2026-03-01"})
    assert res.status_code == 422 and res.json()["field"] == "from"
    assert api.get("/kb/reports", **{"from": "not-a-date"}).status_code == 422
    # dates at the ends of the calendar are refused by name, never a server error
    for bounds, field in (
        ({"to": "0001-01-01"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "to"),
    ):
        res = api.get("/kb/reports", **bounds)
        assert res.status_code == 422 and res.json()["field"] == field, bounds
    assert api.get("/kb/reports", **{"from": "2020-01-01", "to": "2026-01-01"}).status_code == 422
    res = api.get("/kb/reports", **{"from": "2026-03-01", "to": "2026-03-10"})
    assert res.json()["period"] == {"from": "2026-03-01", "to": "2026-03-10"}


def _client(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_pages_per_role_and_brand(
    role: str,
    key: str,
    brands: dict[str, Brand],
    proposals: dict[str, Proposal],
    make_agent: Callable[..., Agent],
) -> None:
    other = "b" if key == "a" else "a"
    client = _client(_agent(make_agent, role, brands[key]))
    page = client.get("/knowledge/proposals/")
    reports = client.get("/knowledge/reports/")
    if role == Role.AGENT:
        assert page.status_code == 403 and reports.status_code == 403
        res = client.post(f"/knowledge/proposals/{proposals[key].pk}/accept/", {"title": "x"})
        assert res.status_code == 403
        assert not Article.objects.exists()
        return
    assert page.status_code == 200 and reports.status_code == 200
    html = page.content.decode()
    assert f'data-proposal-id="{proposals[key].pk}"' in html
    assert f'data-proposal-id="{proposals[other].pk}"' not in html
    # the other brand's proposal: refused, left open
    res = client.post(
        f"/knowledge/proposals/{proposals[other].pk}/accept/", {"title": "x", "body": "y"}
    )
    assert res.status_code == 403
    res = client.post(f"/knowledge/proposals/{proposals[other].pk}/dismiss/")
    assert res.status_code == 403
    assert Proposal.objects.get(pk=proposals[other].pk).status == Proposal.Status.OPEN
    assert client.get(f"/knowledge/reports/?brand={brands[other].pk}").status_code == 403
    # edit, then accept
    res = client.post(
        f"/knowledge/proposals/{proposals[key].pk}/accept/",
        {"title": "Pairing the hub, step by step", "body": "1. Hold the button.\n2. Wait."},
    )
    assert res.status_code == 302
    article = Article.objects.get(brand=brands[key])
    assert article.title == "Pairing the hub, step by step"
    assert article.body == "1. Hold the button.\n2. Wait."
    assert article.status == ArticleStatus.PUBLISHED
    page = client.get("/knowledge/proposals/?status=accepted").content.decode()
    assert f'data-proposal-id="{proposals[key].pk}"' in page


def test_page_keeps_the_edits_when_refused(
    brand: Brand, proposals: dict[str, Proposal], make_agent: Callable[..., Agent]
) -> None:
    client = _client(make_agent(Role.SUPERVISOR, brands=[brand]))
    res = client.post(
        f"/knowledge/proposals/{proposals['a'].pk}/accept/",
        {"title": "My better title", "body": "  "},
    )
    assert res.status_code == 400
    html = res.content.decode()
    assert 'id="proposal-error"' in html and "My better title" in html
    assert Proposal.objects.get(pk=proposals["a"].pk).status == Proposal.Status.OPEN


def test_page_groups_similar_proposals(brand: Brand, make_agent: Callable[..., Agent]) -> None:
    lead = Proposal.objects.create(
        brand=brand, kind=Proposal.Kind.NEW_ARTICLE, language="en", title="Hub offline", body="b"
    )
    Proposal.objects.create(
        brand=brand,
        kind=Proposal.Kind.NEW_ARTICLE,
        language="en",
        title="Hub drops Wi-Fi",
        body="b",
        group=lead,
    )
    alone = Proposal.objects.create(
        brand=brand, kind=Proposal.Kind.NEW_ARTICLE, language="en", title="Invoices", body="b"
    )
    html = _client(make_agent(Role.SUPERVISOR, brands=[brand])).get("/knowledge/proposals/")
    text = html.content.decode()
    assert text.count('class="kl-group"') == 2
    assert f'data-group="{lead.pk}"' in text and f'data-group="{alone.pk}"' in text
    first_group = text.split('class="kl-group"')[1]
    assert "Hub offline" in first_group and "Hub drops Wi-Fi" in first_group
    assert "Invoices" not in first_group


def test_edit_proposal_on_the_page_updates_the_article(
    brand: Brand, make_agent: Callable[..., Agent], agent: Any
) -> None:
    article = published_article(brand, "Resetting", "Hold the button.")
    edit = Proposal.objects.create(
        brand=brand,
        kind=Proposal.Kind.EDIT,
        article=article,
        language="en",
        title="Resetting",
        body="Hold the button for ten seconds.",
        proposed_by=agent,
    )
    client = _client(make_agent(Role.ADMIN, brands=[brand]))
    html = client.get("/knowledge/proposals/").content.decode()
    assert f'data-proposal-id="{edit.pk}"' in html and 'data-kind="edit"' in html
    res = client.post(
        f"/knowledge/proposals/{edit.pk}/accept/",
        {"title": "Resetting", "body": "Hold the button for ten seconds."},
    )
    assert res.status_code == 302
    article.refresh_from_db()
    assert article.version == 2 and article.body == "Hold the button for ten seconds."


def test_the_settings_sidebar_lists_and_marks_the_pages(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    client = _client(make_agent(Role.SUPERVISOR, brands=[brand]))
    html = client.get("/knowledge/proposals/").content.decode()
    assert 'data-section="knowledge-proposals" aria-current="page"' in html
    assert 'data-section="knowledge-reports"' in html
    html = client.get("/knowledge/reports/").content.decode()
    assert 'data-section="knowledge-reports" aria-current="page"' in html
    agent_view = _client(make_agent(Role.AGENT, brands=[brand])).get("/settings/")
    assert 'data-section="knowledge-proposals"' not in agent_view.content.decode()


def test_reports_page_refuses_a_bad_period_by_name(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    client = _client(make_agent(Role.SUPERVISOR, brands=[brand]))
    for query in ("from=2026-03-10&to=2026-03-01", "from=2020-01-01&to=2026-01-01"):
        res = client.get(f"/knowledge/reports/?{query}")
        assert res.status_code == 400
        assert 'id="report-error"' in res.content.decode()
    # an unreadable date is the default period, not an error
    for query in ("to=0001-01-01", "from=9999-12-31"):
        assert client.get(f"/knowledge/reports/?{query}").status_code == 400
    res = client.get("/knowledge/reports/?from=yesterday")
    assert res.status_code == 200 and 'id="report-error"' not in res.content.decode()
