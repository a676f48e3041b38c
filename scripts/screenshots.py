"""Screenshots of the workspace for the docs: login, the three-pane inbox (list, open
conversation, context panel), conversation, customer panel and supervisor board, in English
and Simplified Chinese, at 1280x800; the inbox in the dark theme, and the list and a
conversation on a phone (390x844).

Seeds a small demo in a temporary data dir (never the real one), serves it in this process
(WSGI on 127.0.0.1, a port the OS picks) and drives Debian's Chromium with Playwright.
Writes ``docs/screenshots/<page>-<lang>.png`` (and one conversation at tablet width,
``inbox-dark-en.png``, ``inbox-phone-en.png`` and ``conversation-phone-en.png``), and as
an administrator ``settings-en.png`` (the settings index) and ``chat-widget-en.png`` (a
chat inbox's widget page with its live preview).

Usage: ``.venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("WOWDESK_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LANGUAGES = ("en", "zh-hans")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class ThreadingServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        t = threading.Thread(target=self._handle, args=(request, client_address), daemon=True)
        t.start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)
            from django.db import connections

            connections.close_all()


def setup(data_dir: Path) -> None:
    os.environ["WOWDESK_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "wowdesk.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.WHITENOISE_USE_FINDERS = True  # serve static files without collectstatic
    pending = _pending_catalog(data_dir)
    if pending is not None:
        settings.LOCALE_PATHS = [str(pending), *settings.LOCALE_PATHS]
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    call_command("migrate", interactive=False, verbosity=0)
    from rich.console import Console

    from wowdesk.demo.seed import DemoSize, seed_demo

    seed_demo(DemoSize(customers=120, conversations=400), console=Console(quiet=True))


def _pending_catalog(data_dir: Path) -> Path | None:
    """The shipped zh-hans catalog plus the translations still waiting in
    ``locale-pending/*.json`` (merged by the lead), compiled into ``data_dir`` so the
    screenshots show the finished Chinese UI. None when there is nothing pending."""
    import json

    import polib  # type: ignore[import-untyped]

    pending = sorted((ROOT / "locale-pending").glob("*.json"))
    shipped = ROOT / "src" / "wowdesk" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    if not pending or not shipped.exists():
        return None
    po = polib.pofile(str(shipped))
    have = {e.msgid: e for e in po}
    for path in pending:
        for msgid, msgstr in json.loads(path.read_text()).items():
            entry = have.get(msgid)
            if entry is None:
                entry = polib.POEntry(msgid=msgid)
                if isinstance(msgstr, list):
                    entry.msgid_plural = msgid
                po.append(entry)
                have[msgid] = entry
            if isinstance(msgstr, list):
                entry.msgstr_plural = dict(enumerate(msgstr[:1]))
            elif not entry.msgstr:
                entry.msgstr = msgstr
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
    out = data_dir / "locale"
    target = out / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.save_as_mofile(str(target / "django.mo"))
    return out


def pick(agent_email: str) -> dict[str, int]:
    """A conversation worth showing: open, several messages, a customer with history."""
    from django.db.models import Count

    from wowdesk.conversations.models import Conversation
    from wowdesk.core.models import Agent
    from wowdesk.customers.models import Purchase

    agent = Agent.objects.get(user__username=agent_email)
    brands = list(agent.brands.values_list("id", flat=True))
    with_purchases = Purchase.objects.values("customer_id")
    qs = (
        Conversation.objects.filter(
            brand_id__in=brands, status="open", customer_id__in=with_purchases
        )
        .annotate(n=Count("customer__conversations"))
        .order_by("-n", "-message_count")
    )
    conversation = qs.first() or Conversation.objects.filter(brand_id__in=brands).first()
    assert conversation is not None, "the demo has no conversation"
    return {"conversation": conversation.pk}


def _dark_and_phone(ctx: Any, page: Any, out: Path, conversation: int) -> None:
    """The three-pane inbox with the browser preferring dark; the list and a conversation
    at a phone's size (the same signed-in context)."""
    page.emulate_media(color_scheme="dark")
    page.goto(f"/inbox/c/{conversation}/?view=all")
    page.screenshot(path=str(out / "inbox-dark-en.png"))
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/inbox/?view=all")
    page.screenshot(path=str(out / "inbox-phone-en.png"))
    page.locator("#inbox-list a.conv-link").first.click()
    page.locator("#open-pane[data-conversation-id]").wait_for()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.screenshot(path=str(out / "conversation-phone-en.png"))
    page.set_viewport_size({"width": 1280, "height": 800})


def _settings(browser: Any, base: str, out: Path) -> None:
    """An administrator's settings index and a chat inbox's widget page (with its live
    preview), in English."""
    from wowdesk.conversations.models import Channel, Inbox
    from wowdesk.core.models import Agent
    from wowdesk.demo import catalog

    admin = next(s for s in catalog.AGENTS if s.role == "admin")
    brands = Agent.objects.get(user__username=admin.email).brands.values_list("id", flat=True)
    inbox = Inbox.objects.filter(channel=Channel.CHAT, brand_id__in=list(brands)).first()
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 800}, base_url=base, locale="en-US"
    )
    page = ctx.new_page()
    page.add_init_script(
        "addEventListener('DOMContentLoaded', () => {"
        " const s = document.createElement('style');"
        " s.textContent = '#toasts, #live-status { display: none !important; }';"
        " document.head.appendChild(s); });"
    )
    ctx.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto("/login/")
    page.locator("#id_username").fill(admin.email)
    page.locator("#id_password").fill(catalog.DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("#login-form [type=submit]").click()
    page.goto("/settings/")
    page.screenshot(path=str(out / "settings-en.png"))
    if inbox is not None:
        page.goto(f"/settings/inboxes/{inbox.pk}/widget/")
        page.locator("#widget-preview").wait_for()
        page.wait_for_timeout(500)  # the preview widget draws itself after load
        page.screenshot(path=str(out / "chat-widget-en.png"))
    ctx.close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    p.add_argument("--keep", type=Path, default=None, help="data dir to use and keep")
    a = p.parse_args(argv)
    data_dir = a.keep or Path(tempfile.mkdtemp(prefix="wowdesk-shots-"))
    setup(data_dir)

    from django.core.wsgi import get_wsgi_application
    from playwright.sync_api import sync_playwright

    from wowdesk.demo import catalog

    supervisor = next(
        s for s in catalog.AGENTS if s.has_login and s.role in ("supervisor", "admin")
    )
    ids = pick(supervisor.email)
    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), ThreadingServer, handler_class=QuietHandler
    )
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    a.out.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for code in LANGUAGES:
                ctx = browser.new_context(
                    viewport={"width": 1280, "height": 800}, base_url=base, locale="en-US"
                )
                page = ctx.new_page()
                # The live layer needs WebSockets, which this WSGI server has not: hide its
                # "reconnecting" notice so the pictures show the page itself.
                page.add_init_script(
                    "addEventListener('DOMContentLoaded', () => {"
                    " const s = document.createElement('style');"
                    " s.textContent = '#toasts, #live-status { display: none !important; }';"
                    " document.head.appendChild(s); });"
                )
                # As if picked in the login page's selector: stored on the agent at login.
                ctx.add_cookies([{"name": "django_language", "value": code, "url": base}])
                page.goto("/login/")
                page.screenshot(path=str(a.out / f"login-{code}.png"))
                page.locator("#id_username").fill(supervisor.email)
                page.locator("#id_password").fill(catalog.DEMO_PASSWORD)
                with page.expect_navigation():
                    page.locator("#login-form [type=submit]").click()
                page.goto(f"/inbox/c/{ids['conversation']}/?view=all")
                page.screenshot(path=str(a.out / f"inbox-{code}.png"))
                page.goto(f"/inbox/c/{ids['conversation']}/")
                page.screenshot(path=str(a.out / f"conversation-{code}.png"))
                page.locator("#customer-panel").screenshot(path=str(a.out / f"customer-{code}.png"))
                if code == "en":  # tablet width
                    page.set_viewport_size({"width": 820, "height": 1180})
                    page.evaluate("window.scrollTo(0, 0)")
                    page.screenshot(path=str(a.out / "conversation-tablet-en.png"))
                    page.set_viewport_size({"width": 1280, "height": 800})
                page.goto("/supervisor/")
                page.screenshot(path=str(a.out / f"supervisor-{code}.png"), full_page=True)
                if code == "en":
                    _dark_and_phone(ctx, page, a.out, ids["conversation"])
                ctx.close()
            _settings(browser, base, a.out)
            browser.close()
    finally:
        server.shutdown()
    for f in sorted(a.out.glob("*.png")):
        print(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f)


if __name__ == "__main__":
    main()
