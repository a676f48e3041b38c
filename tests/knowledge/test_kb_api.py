"""/api/v1/kb/articles and /api/v1/kb/categories per role (agent, supervisor, admin) of two
brands: what each may do, 403 for what the role may not, 404 for another brand's ids, and
4xx naming the field for bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import ApiClient
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import services
from wowdesk.knowledge.models import Article, ArticleStatus, Category

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def owner(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(Role.ADMIN)


def article(owner: Agent, brand: Brand, **kw: Any) -> Article:
    data: dict[str, Any] = {
        "title": "Track an order",
        "body": "Use **the link**.",
        "language": "en",
    }
    data.update(kw)
    return services.do_create_article(brand_id=brand.pk, actor=owner, **data)


def client(make_agent: Callable[..., Agent], make_api: Any, role: str, brand: Brand) -> ApiClient:
    return make_api(make_agent(role, brands=[brand]))


@pytest.mark.parametrize("role", ROLES)
def test_create_draft_any_role_publish_only_managers(
    role: str, make_agent: Any, make_api: Any, brand: Brand, other_brand: Brand
) -> None:
    for b in (brand, other_brand):
        api = client(make_agent, make_api, role, b)
        r = api.post(
            "/kb/articles",
            {"title": "Hello", "body": "# Hi\n<script>x</script>", "language": "en", "tags": ["a"]},
        )
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["status"] == "draft" and body["brand_id"] == b.pk and body["version"] == 1
        assert "<script" not in body["body_html"] and "<h1>Hi</h1>" in body["body_html"]
        r = api.post(
            "/kb/articles", {"title": "Pub", "body": "x", "language": "en", "status": "published"}
        )
        if role == Role.AGENT:
            assert r.status_code == 403 and r.json()["field"] == "status"
        else:
            assert r.status_code == 201 and r.json()["status"] == "published"


@pytest.mark.parametrize("role", ROLES)
def test_read_patch_delete_per_role_and_other_brand(
    role: str, make_agent: Any, make_api: Any, owner: Agent, brand: Brand, other_brand: Brand
) -> None:
    outsider_admin = make_agent(Role.ADMIN, brands=[other_brand])
    mine = article(owner, brand)
    published = article(owner, brand, title="Live", status=ArticleStatus.PUBLISHED)
    theirs = article(outsider_admin, other_brand, title="Theirs")
    api = client(make_agent, make_api, role, brand)
    assert api.get(f"/kb/articles/{mine.pk}").status_code == 200
    for path in (
        f"/kb/articles/{theirs.pk}",
        f"/kb/articles/{theirs.pk}/versions",
        f"/kb/articles/{theirs.pk}/translations",
        "/kb/articles/999999",
    ):
        assert api.get(path).status_code == 404, path
    assert api.patch(f"/kb/articles/{theirs.pk}", {"title": "mine now"}).status_code == 404
    assert api.delete(f"/kb/articles/{theirs.pk}").status_code == 404
    assert Article.objects.get(pk=theirs.pk).title == "Theirs"
    listed = api.get("/kb/articles").json()
    assert {i["id"] for i in listed["items"]} == {mine.pk, published.pk}
    # a draft: every role edits and submits it
    r = api.patch(
        f"/kb/articles/{mine.pk}",
        {"body": "Use the new link.", "note": "link", "status": "in_review"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["version"] == 2 and r.json()["status"] == "in_review"
    # a published article: only managers edit, unpublish, delete
    r = api.patch(f"/kb/articles/{published.pk}", {"body": "changed"})
    assert r.status_code == (403 if role == Role.AGENT else 200)
    r = api.patch(f"/kb/articles/{published.pk}", {"status": "archived"})
    assert r.status_code == (403 if role == Role.AGENT else 200)
    r = api.delete(f"/kb/articles/{mine.pk}")
    assert r.status_code == (403 if role == Role.AGENT else 204)
    assert Article.objects.filter(pk=mine.pk).exists() == (role == Role.AGENT)


def test_bad_input_names_the_field(
    api: ApiClient, owner: Agent, brand: Brand, other_brand: Brand, make_agent: Any
) -> None:
    src = article(owner, brand)
    es = article(owner, brand, title="Rastrear", language="es", translation_of=src)
    foreign = article(make_agent(Role.ADMIN, brands=[other_brand]), other_brand, title="F")
    cat = services.do_create_category(
        brand_id=other_brand.pk,
        actor=make_agent(Role.ADMIN, brands=[other_brand]),
        names={"en": "Theirs"},
    )
    cases = [
        ({"title": "x", "language": "klingon-xx"}, "language"),
        ({"title": "x", "language": ""}, "language"),
        ({"title": "", "language": "en"}, "title"),
        ({"title": "x\ny", "language": "en"}, "title"),
        ({"title": "x", "language": "es", "translation_of": src.pk}, "language"),
        ({"title": "x", "language": "de", "translation_of": es.pk}, "translation_of"),
        ({"title": "x", "language": "de", "translation_of": foreign.pk}, "id"),
        ({"title": "x", "language": "en", "category": cat.pk}, "category"),
        ({"title": "x", "language": "en", "category": "no-such"}, "category"),
        ({"title": "x", "language": "en", "status": "gone"}, "status"),
    ]
    for body, field in cases:
        r = api.post("/kb/articles", body)
        assert 400 <= r.status_code < 500, (body, r.content)
        assert r.json().get("field", "") and field in r.json()["field"], (body, r.json())
    r = api.get("/kb/articles", status="nope")
    assert r.status_code == 422 and r.json()["field"] == "status"


@pytest.mark.parametrize("code", ["zh", "zh-hans", "zh-tw", "pt-br", "es-419", "nb"])
def test_every_language_the_help_center_serves_can_be_written(
    admin_api: ApiClient, code: str
) -> None:
    """The help center, the bot and the demo call Chinese "zh": a knowledge manager writes
    and translates in it like in any other language."""
    src = admin_api.post("/kb/articles", {"title": "Track a parcel", "language": "en"}).json()
    r = admin_api.post(
        "/kb/articles", {"title": "追踪包裹", "language": code, "translation_of": src["id"]}
    )
    assert r.status_code == 201, r.json()
    assert r.json()["language"] == code
    r = admin_api.post("/kb/categories", {"names": {"en": "Orders", code: "订单"}})
    assert r.status_code == 201 and r.json()["names"][code] == "订单"


@pytest.mark.parametrize("code", ["klingon-xx", "xx", "zz-hans", "qq", "zh-"])
def test_a_code_that_is_no_language_is_refused(admin_api: ApiClient, code: str) -> None:
    r = admin_api.post("/kb/articles", {"title": "x", "language": code})
    assert r.status_code == 422 and r.json()["field"] == "language"


def test_translation_flow_and_filters(admin_api: ApiClient, admin: Agent, brand: Brand) -> None:
    services.do_update_help_center(brand.pk, actor=admin, languages=["en", "es", "fr"])
    cat = admin_api.post("/kb/categories", {"names": {"en": "Orders"}}).json()
    sec = admin_api.post("/kb/categories", {"names": {"en": "Returns"}, "parent": cat["id"]}).json()
    src = admin_api.post(
        "/kb/articles",
        {
            "title": "Return a parcel",
            "body": "Print the label.",
            "language": "en",
            "category": sec["id"],
            "status": "published",
        },
    ).json()
    es = admin_api.post(
        "/kb/articles",
        {
            "title": "Devolver un paquete",
            "body": "Imprime la etiqueta.",
            "language": "es",
            "translation_of": src["id"],
        },
    ).json()
    assert es["source_version"] == 1 and es["category"] == sec["id"]
    states = {
        s["language"]: s["state"]
        for s in admin_api.get(f"/kb/articles/{src['id']}/translations").json()
    }
    assert states == {"es": "up_to_date", "fr": "missing"}
    admin_api.patch(f"/kb/articles/{src['id']}", {"body": "Print the label, then drop it off."})
    states = {
        s["language"]: s["state"]
        for s in admin_api.get(f"/kb/articles/{src['id']}/translations").json()
    }
    assert states["es"] == "out_of_date"
    r = admin_api.patch(f"/kb/articles/{es['id']}", {"up_to_date": True})
    assert r.json()["source_version"] == 2
    detail = admin_api.get(f"/kb/articles/{src['id']}").json()
    assert detail["translations"] == [
        {"id": es["id"], "language": "es", "status": "draft", "state": "up_to_date"}
    ]
    versions = admin_api.get(f"/kb/articles/{src['id']}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    # filters
    assert {i["id"] for i in admin_api.get("/kb/articles", language="es").json()["items"]} == {
        es["id"]
    }
    assert {i["id"] for i in admin_api.get("/kb/articles", status="published").json()["items"]} == {
        src["id"]
    }
    assert {i["id"] for i in admin_api.get("/kb/articles", category="orders").json()["items"]} == {
        src["id"],
        es["id"],
    }
    assert {i["id"] for i in admin_api.get("/kb/articles", q="etiqueta").json()["items"]} == {
        es["id"]
    }
    assert admin_api.get("/kb/articles", page_size=1).json()["total"] == 2


@pytest.mark.parametrize("role", ROLES)
def test_categories_per_role(
    role: str, make_agent: Any, make_api: Any, brand: Brand, other_brand: Brand
) -> None:
    theirs = services.do_create_category(
        brand_id=other_brand.pk,
        actor=make_agent(Role.ADMIN, brands=[other_brand]),
        names={"en": "Theirs"},
    )
    api = client(make_agent, make_api, role, brand)
    r = api.post("/kb/categories", {"names": {"en": "Billing", "es": "Facturación"}})
    assert r.status_code == (403 if role == Role.AGENT else 201)
    assert [c["id"] for c in api.get("/kb/categories").json()] == (
        [] if role == Role.AGENT else [r.json()["id"]]
    )
    for call in (
        lambda: api.get(f"/kb/categories/{theirs.pk}"),
        lambda: api.patch(f"/kb/categories/{theirs.pk}", {"slug": "x"}),
        lambda: api.delete(f"/kb/categories/{theirs.pk}"),
    ):
        assert call().status_code == 404
    assert Category.objects.filter(pk=theirs.pk, slug="theirs").exists()
    if role != Role.AGENT:
        cid = r.json()["id"]
        assert api.patch(f"/kb/categories/{cid}", {"names": {"en": "Payments"}}).json()[
            "names"
        ] == {"en": "Payments"}
        assert api.delete(f"/kb/categories/{cid}").status_code == 204


def test_attachment_upload(api: ApiClient, brand: Brand, agent: Agent) -> None:
    a = services.do_create_article(
        brand_id=brand.pk, actor=agent, title="Pics", body="", language="en"
    )
    r = api.client.post(
        f"/api/v1/kb/articles/{a.pk}/attachments",
        {"file": SimpleUploadedFile("shot.png", PNG, "image/png")},
        headers=api._headers(),
    )
    assert r.status_code == 201, r.content
    url = r.json()["url"]
    r = api.client.post(
        f"/api/v1/kb/articles/{a.pk}/attachments",
        {"file": SimpleUploadedFile("evil.svg", b"<svg/>", "image/svg+xml")},
        headers=api._headers(),
    )
    assert r.status_code == 422 and r.json()["field"] == "file"
    # a draft's file is not public; it is for the brand's agents
    from django.test import Client

    assert Client().get(url).status_code == 404


def test_multipart_text_field_with_nul_refused(api: ApiClient, brand: Brand, agent: Agent) -> None:
    a = services.do_create_article(
        brand_id=brand.pk, actor=agent, title="Pics", body="", language="en"
    )
    r = api.client.post(
        f"/api/v1/kb/articles/{a.pk}/attachments",
        {"file": SimpleUploadedFile("shot.png", PNG, "image/png"), "note": "a\x00b"},
        headers=api._headers(),
    )
    assert r.status_code == 400
    assert not a.attachments.exists()


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",  # no boundary
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\x7f",  # not a character a boundary may hold
    ],
)
def test_unreadable_multipart_is_a_400_with_a_reason(
    api: ApiClient, brand: Brand, agent: Agent, content_type: str
) -> None:
    a = services.do_create_article(
        brand_id=brand.pk, actor=agent, title="Pics", body="", language="en"
    )
    r = api.client.generic(
        "POST",
        f"/api/v1/kb/articles/{a.pk}/attachments",
        b"--x\r\nContent-Disposition: form-data; name=note\r\n\r\nhi\r\n--x--\r\n",
        content_type=content_type,
        headers=api._headers(),
    )
    assert r.status_code == 400
    assert "detail" in r.json()
    assert not a.attachments.exists()


def test_list_query_count_does_not_grow(
    admin_api: ApiClient, admin: Agent, brand: Brand, django_assert_num_queries: Any
) -> None:
    for i in range(5):
        article(admin, brand, title=f"A{i}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin_api.get("/kb/articles")  # the token's first use is written once
    with CaptureQueriesContext(connection) as five:
        assert len(admin_api.get("/kb/articles", page_size=50).json()["items"]) == 5
    for i in range(45):
        article(admin, brand, title=f"B{i}")
    with django_assert_num_queries(len(five.captured_queries)):
        assert len(admin_api.get("/kb/articles", page_size=50).json()["items"]) == 50
