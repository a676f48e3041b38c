"""Macros' actions in a real browser: the composer says what an inserted macro will also
do, sends it with the reply (or drops it on ×), a refused action keeps the draft; the
settings page's custom field inputs; in English, Chinese and on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import quick_conversation
from tests.fields.test_fields_api import define
from tests.web.pages import LoginPage
from tests.web.pages_macros import MacroComposer, MacroSettings
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Macro
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def signed_in(page: Any, brand: Brand, make_agent: Callable[..., Agent]) -> Callable[..., Any]:
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})

    def sign_in(role: str = Role.AGENT, language: str = "en") -> Any:
        n = Agent.objects.count()
        email = f"person{n}@example.com"
        person = make_agent(role, email=email, name=f"Person {n}", password=PASSWORD)
        Agent.objects.filter(pk=person.pk).update(ui_language=language)
        LoginPage(page).open().login(email, PASSWORD)
        return page

    return sign_in


@pytest.fixture
def refund(brand: Brand) -> Macro:
    conversations.ensure_tags(brand.pk, ["refund"])
    return conversations.save_macro(
        None,
        brand_id=brand.pk,
        actor=None,
        name="Refund done",
        body="Your refund is on its way.",
        actions={"status": "pending", "tags": ["refund"]},
    )


def test_slash_macro_actions_apply_with_the_reply_or_are_dropped(
    signed_in: Callable[..., Any], brand: Brand, refund: Macro
) -> None:
    Macro.objects.create(brand=brand, name="Plain", body="Just text.")
    first, second = quick_conversation(brand), quick_conversation(brand)
    composer = MacroComposer(signed_in())
    composer.open(first.pk)
    assert composer.will_also() == ""
    composer.insert_by_slash("Plain")
    assert composer.will_also() == ""  # a macro without actions
    composer.insert_by_slash("Refund")
    assert composer.wait_will_also() == "Will also: set status Pending, add tag refund"
    assert composer.macro_id() == str(refund.pk)
    composer.send()
    c = Conversation.objects.get(pk=first.pk)
    assert c.status == "pending" and [t.name for t in c.tags.all()] == ["refund"]
    assert c.messages.filter(body__contains="Your refund is on its way.").exists()
    # the select inserts too; × drops the actions, the text stays
    composer.open(second.pk).pick("Refund done")
    assert composer.wait_will_also().startswith("Will also:")
    composer.drop_actions()
    assert composer.will_also() == "" and composer.macro_id() == ""
    assert "Your refund is on its way." in composer.body
    composer.send()
    c = Conversation.objects.get(pk=second.pk)
    assert c.status == "open" and list(c.tags.all()) == []
    assert c.messages.filter(body__contains="Your refund is on its way.").exists()


def test_in_chinese_a_refused_action_keeps_the_draft(
    signed_in: Callable[..., Any], brand: Brand
) -> None:
    define(brand, "reason", "text", required_on_resolve=True)
    conversations.save_macro(
        None,
        brand_id=brand.pk,
        actor=None,
        name="关闭",
        body="再见。",
        actions={"status": "resolved"},
    )
    conversation = quick_conversation(brand)
    composer = MacroComposer(signed_in(language="zh-hans"))
    composer.open(conversation.pk).insert_by_slash("关闭")
    assert composer.wait_will_also() == "同时将： 将状态设为已解决"
    assert composer.page.locator("#composer-macro-drop").get_attribute("aria-label") == (
        "不执行这些操作"
    )
    refusal = composer.send_refused()
    assert refusal  # the reason, next to the composer
    assert composer.body == "再见。"
    c = Conversation.objects.get(pk=conversation.pk)
    assert c.status == "open" and not c.messages.filter(body="再见。").exists()
    # dropped, the reply goes without the action
    composer.drop_actions().send()
    c = Conversation.objects.get(pk=conversation.pk)
    assert c.status == "open" and c.messages.filter(body="再见。").exists()


def test_on_a_phone_the_line_fits_and_drops(
    signed_in: Callable[..., Any], brand: Brand, refund: Macro
) -> None:
    page = signed_in()
    page.set_viewport_size({"width": 390, "height": 844})
    conversation = quick_conversation(brand)
    composer = MacroComposer(page).open(conversation.pk).insert_by_slash("Refund")
    composer.wait_will_also()
    box = page.locator("#composer-macro-actions").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390.5
    drop = page.locator("#composer-macro-drop").bounding_box()
    assert drop is not None and drop["width"] >= 24 and drop["height"] >= 24
    composer.drop_actions()
    assert composer.will_also() == ""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_settings_page_sets_custom_field_actions(
    signed_in: Callable[..., Any], brand: Brand, language: str
) -> None:
    define(brand, "plan", "dropdown", options=["basic", "pro"])
    define(brand, "size", "number")
    page = signed_in(Role.SUPERVISOR, language)
    settings = MacroSettings(page).new()
    assert settings.field_labels()[-2:] == ["Plan (Acme)", "Size (Acme)"]
    settings.fill("Upgrade", "Upgraded.")
    settings.choose(f"cf_{brand.pk}__plan", "pro").type_in(f"cf_{brand.pk}__size", "many")
    with page.expect_navigation():  # the refusal is the page the post answers with
        page.locator("#macro-form [type=submit]").click()
    page.wait_for_selector(".error[role=alert]")
    assert not Macro.objects.filter(name="Upgrade").exists()
    settings.type_in(f"cf_{brand.pk}__size", "3").save()
    macro = Macro.objects.get(name="Upgrade")
    assert macro.actions == {"custom_fields": {"plan": "pro", "size": 3}}
    assert page.locator(f"select[name='cf_{brand.pk}__plan']").input_value() == "pro"
