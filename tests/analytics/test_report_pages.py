"""The report pages (/reports/): each tab, the drill-down, the exports and the settings
page, per role (agent, supervisor, administrator) of each of two brands; the other brand's
ids are refused; a constant number of queries per page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client

from tests.analytics.report_fakes import install
from tests.analytics.report_helpers import answer
from tests.factories import make_conversation
from wowdesk.analytics.models import ReportSettings
from wowdesk.core.models import Agent, Brand, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_services")]


@pytest.fixture
def fake_services(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    return install(monkeypatch)


ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
TABS = ("loyalty", "service", "channels", "sites", "agents", "surveys")


def _client(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("tab", TABS)
def test_each_tab_per_role(
    role: str, tab: str, brand: Brand, other_brand: Brand, make_agent: Callable[..., Any]
) -> None:
    c = _client(make_agent(role, brands=[brand]))
    res = c.get("/reports/", {"tab": tab})
    if role == Role.AGENT:
        assert res.status_code == 403
        return
    assert res.status_code == 200
    assert c.get("/reports/", {"tab": tab, "brand": brand.pk}).status_code == 200
    # another brand's id: refused
    assert c.get("/reports/", {"tab": tab, "brand": other_brand.pk}).status_code == 403


def test_loyalty_page_shows_numbers_charts_and_previous(
    brand: Brand, make_agent: Callable[..., Any], fake_services: list[dict[str, Any]]
) -> None:
    c = _client(make_agent(Role.SUPERVISOR))
    page = c.get("/reports/", {"preset": "7d", "group_by": "day"}).content.decode()
    assert fake_services[-1]["group_by"] == "day"
    assert (fake_services[-1]["to"] - fake_services[-1]["from"]).days == 6
    # a chart's data in a json_script block, and a canvas that reads it
    assert 'data-chart="chart-loyalty-0"' in page
    assert '<script id="chart-loyalty-0" type="application/json">' in page
    data = json.loads(
        page.split('<script id="chart-loyalty-0" type="application/json">')[1].split("</script>")[0]
    )
    assert len(data["labels"]) == 7 and data["datasets"][0]["key"] == "nps"
    assert len(data["datasets"][0]["low"]) == 7  # the interval band
    assert all(link.startswith("/reports/drill/?") for link in data["links"])
    # the table: one row per day, the previous period beside
    assert page.count('<tr data-key="') == 7
    assert "rp-prev" in page
    assert "<script>" not in page and " style=" not in page  # CSP


def test_range_picker_changes_the_query(
    brand: Brand, make_agent: Callable[..., Any], fake_services: list[dict[str, Any]]
) -> None:
    c = _client(make_agent(Role.SUPERVISOR))
    c.get("/reports/", {"preset": "custom", "from": "2026-03-01", "to": "2026-03-10"})
    q = fake_services[-1]
    assert (q["from"].isoformat(), q["to"].isoformat()) == ("2026-03-01", "2026-03-10")
    for bad, _reason in (
        ({"from": "2026-13-01"}, "date"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "start"),
        ({"group_by": "shoe"}, "grouping"),
        ({"tz": "Mars/Base"}, ""),
        ({"team": "x"}, ""),
    ):
        res = c.get("/reports/", {"preset": "custom", **bad})
        assert res.status_code == 400, bad
        assert 'id="report-error"' in res.content.decode()


def test_queries_per_page_do_not_grow(
    brand: Brand, make_agent: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    me = make_agent(Role.SUPERVISOR)
    for _ in range(3):
        make_agent(Role.AGENT)
    c = _client(me)
    c.get("/reports/")  # warm the session
    for tab in ("loyalty", "agents"):
        with django_assert_max_num_queries(14):
            assert (
                c.get("/reports/", {"tab": tab, "preset": "90d", "group_by": "day"}).status_code
                == 200
            )
    for i in range(8):
        answer(brand, "nps", i, f"why {i}")
    with django_assert_max_num_queries(16):
        page = c.get("/reports/", {"tab": "surveys"}).content.decode()
    assert page.count("data-response-id=") == 8


def test_drill_down_lists_the_conversations(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Any],
    fake_services: list[dict[str, Any]],
) -> None:
    mine = make_conversation(brand)
    theirs = make_conversation(other_brand)
    c = _client(make_agent(Role.SUPERVISOR))
    page = c.get("/reports/", {"preset": "7d", "group_by": "day"}).content.decode()
    link = unescape(page.split('<td data-measure="nps"><a href="')[1].split('"')[0])
    res = c.get(link)
    assert res.status_code == 200
    body = res.content.decode()
    assert f'href="/inbox/c/{mine.pk}/"' in body and f"/inbox/c/{theirs.pk}/" not in body
    q = fake_services[-1]
    assert (
        q["measure"] == "nps_responses" and q["key"] == q["from"].isoformat()
    )  # the first row: the first day
    # the other brand's id, an agent, a missing measure
    assert c.get(link + f"&brand={other_brand.pk}").status_code == 403
    assert c.get("/reports/drill/", {"preset": "7d"}).status_code == 400
    assert _client(make_agent(Role.AGENT)).get(link).status_code == 403


def test_export_link_keeps_the_filters(brand: Brand, make_agent: Callable[..., Any]) -> None:
    c = _client(make_agent(Role.SUPERVISOR))
    params = {
        "tab": "service",
        "preset": "custom",
        "from": "2026-02-01",
        "to": "2026-02-14",
        "group_by": "channel",
        "language": "de",
        "brand": str(brand.pk),
    }
    page = c.get("/reports/", params).content.decode()
    href = unescape(page.split('id="export-csv"')[0].rsplit('href="', 1)[1].split('"')[0])
    query = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    for k, v in params.items():
        assert query[k] == v, k
    res = c.get(href)
    assert res.status_code == 200 and res["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(res.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0][:3] == ["key", "label", "conversations"]
    assert [r[0] for r in rows[1:]] == ["channel-1", "channel-2"]
    res = c.get(href.replace("format=csv", "format=json"))
    data = json.loads(b"".join(res.streaming_content))  # type: ignore[attr-defined]
    assert data[0]["key"] == "channel-1" and "sla_attainment" in data[0]
    assert c.get(href.replace("format=csv", "format=xls")).status_code == 400


def test_survey_comments_filter_and_export(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Any]
) -> None:
    me = make_agent(Role.SUPERVISOR)
    answer(brand, "nps", 3, "Nobody called back", agent=me, language="id")
    answer(brand, "csat", 5, '=HYPERLINK("x")')
    answer(other_brand, "nps", 2, "Globex secret")
    c = _client(me)
    page = c.get("/reports/", {"tab": "surveys", "kind": "nps"}).content.decode()
    assert "Nobody called back" in page and "HYPERLINK" not in page and "Globex" not in page
    assert 'lang="id"' in page
    page = c.get("/reports/", {"tab": "surveys", "score": "5"}).content.decode()
    assert "HYPERLINK" in page and "Nobody" not in page
    res = c.get("/reports/export/", {"tab": "surveys", "format": "csv"})
    text = b"".join(res.streaming_content).decode()  # type: ignore[attr-defined]
    assert "'=HYPERLINK" in text and "Globex" not in text  # no formula, no other brand


@pytest.mark.parametrize("role", ROLES)
def test_settings_page_per_role(
    role: str, brand: Brand, other_brand: Brand, make_agent: Callable[..., Any]
) -> None:
    c = _client(make_agent(role, brands=[brand]))
    res = c.get("/reports/settings/")
    assert res.status_code == (200 if role == Role.ADMIN else 403)
    assert c.get("/reports/settings/", {"brand": other_brand.pk}).status_code == 403


def test_settings_page_saves_and_sends_a_test(brand: Brand, make_agent: Callable[..., Any]) -> None:
    admin = make_agent(Role.ADMIN, email="boss@example.com")
    sup = make_agent(Role.SUPERVISOR)
    c = _client(admin)
    res = c.post(
        "/reports/settings/",
        {
            "brand": brand.pk,
            "fcr_days": "5",
            "weekly_weekday": "4",
            "weekly_hour": "9",
            "weekly_emails": "cfo@example.com\nops@example.com",
            "weekly_recipients": [sup.pk],
        },
    )
    assert res.status_code == 302
    rs = ReportSettings.objects.get(brand=brand)
    assert (rs.fcr_days, rs.weekly_weekday, rs.weekly_hour) == (5, 4, 9)
    assert rs.weekly_emails == ["cfo@example.com", "ops@example.com"]
    assert list(rs.weekly_recipients.all()) == [sup]
    res = c.post(
        "/reports/settings/",
        {
            "brand": brand.pk,
            "fcr_days": "0",
            "weekly_weekday": "4",
            "weekly_hour": "9",
            "weekly_emails": "",
        },
    )
    assert res.status_code == 400 and 'id="settings-error"' in res.content.decode()
    c.post("/reports/settings/", {"brand": brand.pk, "action": "test"})
    assert [m.to for m in mail.outbox] == [["boss@example.com"]]
    assert rs.weekly_last_sent_at is None  # a test does not count as the week's report


@pytest.mark.parametrize("role", ROLES)
def test_settings_api_per_role(
    role: str, brand: Brand, other_brand: Brand, make_agent: Callable[..., Any], make_api: Any
) -> None:
    me = make_agent(role, brands=[brand])
    api = make_api(me)
    res = api.get("/reports/settings")
    assert res.status_code == (403 if role == Role.AGENT else 200)
    assert api.get(f"/reports/settings?brand={other_brand.pk}").status_code == 403
    res = api.patch("/reports/settings", {"fcr_days": 3, "weekly_emails": ["a@example.com"]})
    if role != Role.ADMIN:
        assert res.status_code == 403
        return
    assert res.status_code == 200
    assert res.json()["fcr_days"] == 3 and res.json()["weekly_emails"] == ["a@example.com"]
    bad = api.patch("/reports/settings", {"weekly_emails": ["not-mail"]})
    assert bad.status_code in (400, 422) and bad.json()["field"] == "weekly_emails"
    bad = api.patch("/reports/settings", {"weekly_hour": 24})
    assert bad.status_code in (400, 422) and bad.json()["field"] == "weekly_hour"
    outsider = make_agent(Role.SUPERVISOR, brands=[other_brand])
    bad = api.patch("/reports/settings", {"weekly_recipients": [outsider.pk]})
    assert bad.status_code in (400, 422) and bad.json()["field"] == "weekly_recipients"


def test_drill_down_and_durations_in_chinese(
    brand: Brand, make_agent: Callable[..., Any], fake_services: list[dict[str, Any]]
) -> None:
    from tests.test_i18n import _chinese_client
    from wowdesk.analytics.report_measures import duration

    make_conversation(brand)
    c = _chinese_client(make_agent(Role.SUPERVISOR, name="王芳").user)
    page = c.get("/reports/", {"preset": "7d", "group_by": "week"}).content.decode()
    link = unescape(page.split('<td data-measure="nps"><a href="')[1].split('"')[0])
    what = c.get(link + f"&agent={make_agent(Role.AGENT).pk}").content.decode()
    what = what.split('id="drill-what"')[1].split("</p>")[0]
    # the grouping and the filters are words of the reader's language, not codes
    assert "· 周 " in what and "· 客服 " in what
    assert "· week " not in what and "· agent " not in what
    from django.utils import translation

    with translation.override("zh-hans"):
        assert duration(95) == "1 分钟 35 秒" and duration(7260) == "2 小时 1 分钟"


def test_a_test_report_that_fails_says_which_mail_server(
    brand: Brand, make_agent: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wowdesk.analytics import weekly

    monkeypatch.setattr(weekly, "send_report", lambda *a, **k: 0)
    c = _client(make_agent(Role.ADMIN))
    res = c.post("/reports/settings/", {"brand": brand.pk, "action": "test"}, follow=True)
    assert "did not accept it" in res.content.decode()  # where it failed, not just "failed"


def test_menus_name_the_brand_of_teams_and_inboxes_of_the_same_name(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Any]
) -> None:
    from wowdesk.core.models import Team

    for b in (brand, other_brand):
        Team.objects.create(brand=b, name="Front line")
    me = make_agent(Role.SUPERVISOR, brands=[brand, other_brand])
    page = _client(me).get("/reports/").content.decode()
    menu = page.split('id="f-team"')[1].split("</select>")[0]
    assert f"Front line · {brand.name}" in menu and f"Front line · {other_brand.name}" in menu
