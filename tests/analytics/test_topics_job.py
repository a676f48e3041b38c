"""The nightly topics run on a small world, the drivers of detractors, the API and the
pages per role of two brands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from tests.surveys.voc_helpers import answer
from wowdesk.analytics import topics_jobs
from wowdesk.analytics.models import Topic, TopicMember
from wowdesk.core.models import Agent, Brand, Role

pytestmark = pytest.mark.django_db

LATE = [
    "My parcel has not arrived yet, it is two weeks late",
    "Where is my parcel? The delivery is very late",
    "The delivery still has not arrived, tracking shows nothing",
    "Mi paquete no ha llegado, el envío lleva dos semanas de retraso",
    "¿Dónde está mi paquete? La entrega llega muy tarde",
    "El envío todavía no ha llegado y el seguimiento no muestra nada",
]
BROKEN = [
    "The screen of my phone arrived cracked, I want a refund",
    "Broken screen on arrival, please refund me",
    "My tablet screen is shattered, I need my money back",
    "屏幕到货时就碎了，我要退款",
    "手机屏幕坏了，请给我退款",
    "平板的屏幕裂了，我想要退钱",
]


def world(brand: Brand) -> dict[str, list[int]]:
    """Late parcels (English, Spanish) answered NPS 2; broken screens (English, Chinese)
    answered NPS 10, one with a why."""
    ids: dict[str, list[int]] = {"late": [], "broken": []}
    for i, text in enumerate(LATE):
        c = quick_conversation(brand, body=text, name=f"Late Customer{i}")
        answer(c, "nps", 2)
        ids["late"].append(c.pk)
    for i, text in enumerate(BROKEN):
        c = quick_conversation(brand, body=text, name=f"Broken Customer{i}")
        answer(c, "nps", 10)
        ids["broken"].append(c.pk)
    return ids


def test_two_themes_in_two_languages_are_two_topics_with_their_nps(brand: Brand) -> None:
    ids = world(brand)
    assert topics_jobs.run(brand.pk) == 2
    topics = {t.pk: t for t in Topic.objects.filter(brand=brand, active=True)}
    by_theme = {}
    for theme, conversations in ids.items():
        owners = set(
            TopicMember.objects.filter(conversation_id__in=conversations).values_list(
                "topic_id", flat=True
            )
        )
        assert len(owners) == 1, theme
        by_theme[theme] = topics[owners.pop()]
    late, broken = by_theme["late"], by_theme["broken"]
    assert late.pk != broken.pk
    assert late.nps == -100.0 and late.nps_responses == 6 and late.detractors == 6
    assert broken.nps == 100.0 and broken.detractors == 0
    assert late.is_driver and not broken.is_driver and late.lift == 2.0
    assert late.customers == 6 and late.size == 6 and sum(late.weekly) == 6
    assert sum(late.languages.values()) == 6
    assert any(term in late.terms for term in ("parcel", "paquete", "delivery", "envío"))
    assert any(term in broken.terms for term in ("screen", "屏幕", "refund", "退款"))
    # a second run keeps the topics' identity
    assert topics_jobs.run(brand.pk) == 2
    assert set(Topic.objects.filter(brand=brand, active=True).values_list("pk", flat=True)) == {
        late.pk,
        broken.pk,
    }
    assert TopicMember.objects.filter(brand=brand).count() == 12


def test_a_run_with_nothing_to_read_retires_the_topics(brand: Brand) -> None:
    world(brand)
    topics_jobs.run(brand.pk)
    later = timezone.now() + dt.timedelta(weeks=20)
    assert topics_jobs.run(brand.pk, now=later) == 0
    assert not Topic.objects.filter(active=True).exists()
    assert not TopicMember.objects.exists()


@pytest.fixture
def two_brands(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> dict[str, Any]:
    world(brand)
    topics_jobs.run(brand.pk)
    c = quick_conversation(other_brand, body="Le colis est arrivé en retard")
    answer(c, "nps", 3)
    topics_jobs.run(other_brand.pk)
    return {
        "agent": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "other_admin": make_agent(Role.ADMIN, brands=[other_brand]),
        "mine": list(Topic.objects.filter(brand=brand).order_by("pk")),
        "theirs": Topic.objects.get(brand=other_brand),
    }


def test_api_per_role_of_two_brands(
    two_brands: dict[str, Any], brand: Brand, make_api: Callable[[Agent | None], ApiClient]
) -> None:
    mine, theirs = two_brands["mine"], two_brands["theirs"]
    assert make_api(two_brands["agent"]).get("/topics").status_code == 403
    for role in ("supervisor", "admin"):
        api = make_api(two_brands[role])
        body = api.get("/topics").json()
        assert {t["id"] for t in body["items"]} == {t.pk for t in mine}
        assert [d["topic_id"] for d in body["drivers"]] == [t.pk for t in mine if t.is_driver]
        detail = api.get(f"/topics/{mine[0].pk}", page_size=4).json()
        assert detail["total"] == 6 and len(detail["members"]) == 4
        assert api.get(f"/topics/{theirs.pk}").status_code == 403
        assert api.get("/topics", brand=theirs.brand_id).status_code == 403
    other = make_api(two_brands["other_admin"])
    assert [t["id"] for t in other.get("/topics").json()["items"]] == [theirs.pk]
    assert other.get(f"/topics/{mine[0].pk}").status_code == 403
    assert other.get("/topics/999999").status_code == 404
    sup = make_api(two_brands["supervisor"])
    today = timezone.localdate().isoformat()
    assert len(sup.get("/topics", **{"from": today}).json()["items"]) == 2
    assert sup.get("/topics", **{"from": "2001-01-01", "to": "2001-01-02"}).json()["items"] == []
    assert sup.get("/topics", **{"from": "nonsense"}).status_code == 422


def test_pages_per_role(two_brands: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    client = Client()
    client.force_login(two_brands["agent"].user)
    assert client.get(reverse("reports:topics")).status_code == 403
    client.force_login(two_brands["supervisor"].user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("reports:topics"))
    assert page.status_code == 200
    html = page.content.decode()
    # the reports' tabs lead back to the other reports, Topics marked current
    assert 'data-tab="loyalty"' in html and 'data-tab="topics" aria-current="page"' in html
    for topic in two_brands["mine"]:
        assert topic.label in html
    assert two_brands["theirs"].label not in html or two_brands["theirs"].label in {
        t.label for t in two_brands["mine"]
    }
    detail = client.get(reverse("reports:topic", args=[two_brands["mine"][0].pk]))
    assert detail.status_code == 200 and "voc-members" in detail.content.decode()
    assert client.get(reverse("reports:topic", args=[two_brands["theirs"].pk])).status_code == 403
    assert client.get(reverse("reports:topic", args=[999999])).status_code == 404


def test_topics_page_in_chinese_has_no_english(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from tests.test_i18n import _chinese_client, visible_english

    client = _chinese_client(make_agent(Role.SUPERVISOR, name="王芳").user)
    html = client.get(reverse("reports:topics")).content.decode()
    assert "客户之声" in html
    assert visible_english(html) <= {"voc-topics"}  # the command's name
