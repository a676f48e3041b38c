"""In a browser: an administrator sets up an email inbox and tests its connection against
real servers, creates a voice inbox and sees its secret once; a supervisor writes a macro
with two languages and an action (in Simplified Chinese) and renames a tag on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.channels.email.conftest import Dovecot, Sink, dovecot, sink  # noqa: F401
from tests.factories import quick_conversation
from tests.web.pages import LoginPage
from tests.web.pages_channels import InboxesPage, InboxPage, MacroPage, TagsPage
from wowdesk.channels import inbox_secrets
from wowdesk.channels.email.models import EmailMailbox
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox, Macro, Tag
from wowdesk.core.models import Agent, Brand, Role

PASSWORD = "correct-horse-battery-staple"


def test_an_admin_sets_up_an_email_inbox_and_tests_the_connection(
    page: Any,
    brand: Brand,
    make_agent: Callable[..., Agent],
    dovecot: Dovecot,  # noqa: F811
    sink: Sink,  # noqa: F811
    settings: Any,
) -> None:
    make_agent(Role.ADMIN, email="boss@example.com", name="Boss", password=PASSWORD)
    LoginPage(page).open().login("boss@example.com", PASSWORD)
    user = dovecot.new_user()
    form = InboxesPage(page).open().new("email")
    form.fill(
        name="Support mail",
        address="help@acme-browser.test",
        imap_host="127.0.0.1",
        imap_port=str(dovecot.port),
        imap_security="none",
        imap_username=user,
        imap_password=dovecot.password,
        imap_folder="INBOX",
        smtp_host="127.0.0.1",
        smtp_port=str(settings.CONFIG.email_port),
        smtp_security="none",
        smtp_from_name="Acme Help",
    ).save()
    inbox = Inbox.objects.get(name="Support mail")
    assert EmailMailbox.objects.get(inbox=inbox).password == dovecot.password
    assert form.value("imap_password") == "" and form.value("imap_username") == user
    assert dovecot.password not in page.content()
    results = form.test_connection()
    assert [ok for ok, _reason in results] == [True, True], results
    assert "INBOX" in results[0][1]
    # A wrong folder is saved (the password field left empty keeps the password) and the
    # test says what is wrong.
    form.fill(imap_folder="Nowhere").save()
    assert EmailMailbox.objects.get(inbox=inbox).password == dovecot.password
    results = form.test_connection()
    assert results[0][0] is False and "Nowhere" in results[0][1]
    assert "Support mail" in InboxesPage(page).open().names()


def test_an_admin_creates_a_voice_inbox_and_sees_its_secret_once(
    page: Any, brand: Brand, make_agent: Callable[..., Agent], csp_refusals: list[str]
) -> None:
    refused = csp_refusals
    make_agent(Role.ADMIN, email="boss@example.com", name="Boss", password=PASSWORD)
    LoginPage(page).open().login("boss@example.com", PASSWORD)
    form = InboxesPage(page).open().new("voice")
    form.fill(name="Hotline", twilio_auth_token="tw-token-0123456789").save()
    inbox = Inbox.objects.get(name="Hotline")
    secret = inbox_secrets.secret(inbox, "secret")
    assert form.shown_secret == secret and len(secret) >= 32
    assert any(url.endswith(f"/hooks/voice/{inbox.pk}/twilio") for url in form.webhook_urls())
    page.goto(f"/settings/inboxes/{inbox.pk}/")
    again = InboxPage(page)
    assert again.shown_secret == ""
    assert again.hint("secret") == "••••" + secret[-4:]
    assert secret not in page.content() and "tw-token-0123456789" not in page.content()
    assert refused == []


def test_a_supervisor_writes_a_macro_in_two_languages_in_chinese(
    page: Any, brand: Brand, make_agent: Callable[..., Agent], live_server: Any
) -> None:
    make_agent(Role.SUPERVISOR, email="sup@example.com", name="Sup", password=PASSWORD)
    conversations.create_tag(brand_id=brand.pk, name="refund")
    LoginPage(page).open().login("sup@example.com", PASSWORD)
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    )
    macro = MacroPage(page).open_new()
    assert macro.heading() == "新建宏"
    assert "{{ customer.first_name }}" in macro.variables()
    macro.fill(
        "Refund done", [("en", "Refunded, {{ customer.first_name }}."), ("de", "Erstattet.")]
    )
    macro.set_status("resolved").check_tag("refund").save()
    assert "宏已保存。" in page.content()
    rows = Macro.objects.filter(brand=brand, name="Refund done").order_by("language")
    assert [(m.language, m.body) for m in rows] == [
        ("de", "Erstattet."),
        ("en", "Refunded, {{ customer.first_name }}."),
    ]
    assert all(m.actions == {"status": "resolved", "tags": ["refund"]} for m in rows)


def test_a_supervisor_renames_a_tag_on_a_phone(
    page: Any, brand: Brand, make_agent: Callable[..., Agent], csp_refusals: list[str]
) -> None:
    refused = csp_refusals
    page.set_viewport_size({"width": 390, "height": 844})
    make_agent(Role.SUPERVISOR, email="sup@example.com", name="Sup", password=PASSWORD)
    tag = conversations.create_tag(brand_id=brand.pk, name="refnd")
    quick_conversation(brand).tags.add(tag)
    LoginPage(page).open().login("sup@example.com", PASSWORD)
    tags = TagsPage(page).open()
    assert tags.uses("refnd") == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    tags.rename("refnd", "Refund")
    assert tags.names() == ["refund"]
    assert Tag.objects.get(pk=tag.pk).name == "refund"
    assert tags.uses("refund") == 1
    assert refused == []
