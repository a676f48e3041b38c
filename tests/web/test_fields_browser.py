"""An administrator makes a dropdown field on the settings page, sets it in a
conversation's panel, and filters the list by it; a refused value shows its reason; the
pages in Chinese and on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import quick_conversation
from tests.web.pages import InboxPage, LoginPage
from tests.web.pages_fields import CustomFieldsSettings, FieldsPanel, MoreFilters
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, CustomField, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


def test_create_set_and_filter_by_a_dropdown_field(
    page: Any, csp_refusals: list[str], brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.ADMIN, email="boss@example.com", name="Boss", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    lamp = quick_conversation(brand, subject="Lamp shade cracked")
    quick_conversation(brand, subject="Chair wobbles")
    LoginPage(page).open().login("boss@example.com", PASSWORD)

    settings_page = CustomFieldsSettings(page).open()
    settings_page.create("Plan", "plan", kind="dropdown", options=["basic", "pro"])
    settings_page.create("Seats", "seats", kind="number")
    assert settings_page.keys() == ["plan", "seats"]
    field = CustomField.objects.get(key="plan")
    assert (field.kind, field.options, field.brand_id) == ("dropdown", ["basic", "pro"], brand.pk)
    settings_page.create("Bad", "Bad Key", kind="text")
    assert "key" in settings_page.error

    page.goto(f"/inbox/c/{lamp.pk}/")
    panel = FieldsPanel(page).set("conversation", "plan", "pro").save()
    assert panel.message == "Custom fields saved."
    assert Conversation.objects.get(pk=lamp.pk).custom_fields == {"plan": "pro"}
    assert panel.value("conversation", "plan") == "pro"
    # a refused value: the panel says why, nothing is stored
    panel.set("conversation", "seats", "many").save()
    assert panel.refused and "number" in panel.message.lower()
    assert Conversation.objects.get(pk=lamp.pk).custom_fields == {"plan": "pro"}

    inbox = InboxPage(page).open("view=all")
    assert sorted(inbox.subjects()) == ["Chair wobbles", "Lamp shade cracked"]
    MoreFilters(page).choose("plan", "pro")
    assert inbox.subjects() == ["Lamp shade cracked"]
    assert "cf_plan=pro" in page.url
    MoreFilters(page).choose("plan", "basic")
    assert inbox.subjects() == []
    assert csp_refusals == []


def test_chinese_and_phone(page: Any, brand: Brand, make_agent: Callable[..., Agent]) -> None:
    admin = make_agent(Role.ADMIN, email="boss@example.com", name="Boss", password=PASSWORD)
    admin.ui_language = "zh-hans"
    admin.save(update_fields=["ui_language"])
    CustomField.objects.create(
        brand=brand,
        name="Plan",
        key="plan",
        kind="dropdown",
        options=["basic", "pro"],
        applies_to="conversation",
        position=1,
    )
    conv = quick_conversation(brand, subject="Lamp")
    page.set_viewport_size({"width": 390, "height": 844})
    LoginPage(page).open().login("boss@example.com", PASSWORD)
    settings_page = CustomFieldsSettings(page).open()
    assert settings_page.heading == "自定义字段"
    assert settings_page.keys() == ["plan"]
    # nothing wider than the phone's screen
    assert (
        page.evaluate("() => document.querySelector('#cf-new').getBoundingClientRect().right")
        <= 390
    )
    page.goto(f"/inbox/c/{conv.pk}/")
    # on a phone the context panel opens with "Details"
    assert not page.locator("#custom-fields-panel").is_visible()
    page.locator("#details-toggle").click()
    panel = FieldsPanel(page).set("conversation", "plan", "basic").save()
    assert panel.message == "自定义字段已保存。"
    assert Conversation.objects.get(pk=conv.pk).custom_fields == {"plan": "basic"}
