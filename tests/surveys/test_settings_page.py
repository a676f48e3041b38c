"""The settings area's "Surveys" section: administrators of the brand change every field,
add and remove inbox overrides; others are refused; the other brand is walled off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from wowdesk.conversations import services as conversations
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.surveys import services
from wowdesk.surveys.models import SurveySettings

pytestmark = pytest.mark.django_db

URL = "/surveys/settings/"


def login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def form(brand: Brand, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "brand": brand.pk,
        "enabled": "on",
        "kinds": ["nps", "ces"],
        "delay_minutes": "30",
        "channel": "email",
        "throttle_days": "14",
        "expires_days": "7",
        "followup_detractors": "on",
        "followup_hours": "24",
        "checkin_days": "5",
        "warranty_enabled": "on",
        "warranty_days_before": "20",
        "warranty_action": "offer",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_only_administrators_open_it(make_agent: Callable[..., Agent], role: str) -> None:
    client = login(make_agent(role))
    assert client.get(URL).status_code == 403
    assert client.post("/surveys/settings/save/", {}).status_code == 403


def test_admin_changes_every_field(brand: Brand, make_agent: Callable[..., Agent]) -> None:
    client = login(make_agent(Role.ADMIN))
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-section="surveys"' in html and 'aria-current="page"' in html
    assert 'name="kinds" value="csat" id="f-brand-kind-csat" checked' in html
    r = client.post("/surveys/settings/save/", form(brand))
    assert r.status_code == 302
    row = SurveySettings.objects.get(brand=brand, inbox=None)
    assert (row.kinds, row.delay_minutes, row.channel, row.throttle_days, row.expires_days) == (
        ["nps", "ces"],
        30,
        "email",
        14,
        7,
    )
    assert (row.followup_detractors, row.followup_hours, row.checkin_enabled) == (True, 24, False)
    assert (row.warranty_enabled, row.warranty_days_before, row.warranty_action) == (
        True,
        20,
        "offer",
    )
    assert "Survey settings saved." in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"delay_minutes": "-5"}, "delay_minutes"),
        ({"delay_minutes": "soon"}, "delay_minutes"),
        ({"kinds": []}, "kinds"),
        ({"channel": "fax"}, "channel"),
        ({"expires_days": "0"}, "expires_days"),
    ],
)
def test_bad_values_are_shown_not_saved(
    brand: Brand, make_agent: Callable[..., Agent], over: dict[str, Any], field: str
) -> None:
    client = login(make_agent(Role.ADMIN))
    r = client.post("/surveys/settings/save/", form(brand, **over))
    assert r.status_code == 400
    assert f'data-field="{field}"' in r.content.decode()
    assert services.brand_settings(brand.pk).kinds == ["csat", "nps"]


def test_inbox_overrides_added_changed_removed(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = make_agent(Role.ADMIN)
    client = login(admin)
    chat = conversations.default_inbox(brand.pk, "chat")
    theirs = conversations.default_inbox(other_brand.pk, "chat")
    r = client.post("/surveys/settings/overrides/add/", {"brand": brand.pk, "inbox": chat.pk})
    assert r.status_code == 302
    assert f'data-inbox-id="{chat.pk}"' in client.get(URL).content.decode()
    r = client.post("/surveys/settings/save/", form(brand, inbox=chat.pk, kinds=["csat"]))
    assert r.status_code == 302
    assert services.settings_for(brand.pk, chat.pk).kinds == ["csat"]
    assert services.brand_settings(brand.pk).kinds == ["csat", "nps"]
    # the other brand's inbox and settings are not this admin's
    r = client.post("/surveys/settings/overrides/add/", {"brand": brand.pk, "inbox": theirs.pk})
    assert r.status_code == 404
    assert client.get(URL, {"brand": other_brand.pk}).status_code == 403
    r = client.post("/surveys/settings/save/", form(other_brand))
    assert r.status_code == 403
    r = client.post("/surveys/settings/overrides/remove/", {"brand": brand.pk, "inbox": chat.pk})
    assert r.status_code == 302
    assert services.inbox_settings(brand.pk, chat.pk) is None


def test_the_page_in_chinese_has_no_english_but_the_survey_names(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from django.conf import settings

    from tests.test_i18n import visible_english

    client = login(make_agent(Role.ADMIN, name="张伟"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    inbox = conversations.create_inbox(brand_id=brand.pk, name="网站聊天", channel="chat")
    client.post("/surveys/settings/overrides/add/", {"brand": brand.pk, "inbox": inbox.pk})
    html = client.get(URL).content.decode()
    assert "调查" in html
    assert visible_english(html) <= {"CSAT", "NPS", "CES"}
