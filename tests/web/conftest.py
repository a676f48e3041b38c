"""Browser tests: Playwright driving the Debian Chromium against pytest-django's live server.

Never ``playwright install``: the browser is the system's ``/usr/bin/chromium``. Without it
the tests skip, except under ``make test`` (``WOWDESK_REQUIRE_BROWSER=1``), which installs it
and must run them.

They run once, in the SQLite run of the suite: what they check is the pages and their
scripts, and the PostgreSQL run covers the same server code through the view and API
tests. ``WOWDESK_PG_BROWSER=1`` runs them on PostgreSQL too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

CHROMIUM = Path(os.environ.get("WOWDESK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("WOWDESK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests must run here but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("WOWDESK_DATABASE_URL") or os.environ.get("WOWDESK_PG_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason="browser tests run in the SQLite run (WOWDESK_PG_BROWSER=1)")
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@pytest.fixture
def page(
    transactional_db: None, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """A fresh Chromium with its own temporary profile, one per test, closed afterwards.

    Depends on ``transactional_db`` so the browser is gone before the database is flushed.
    """
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is absent (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the
    # test makes between browser steps are still plain blocking calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with (
        tempfile.TemporaryDirectory(prefix="wowdesk-chromium-") as profile,
        sync_playwright() as pw,
    ):
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            locale="en-US",
            base_url=live_server.url,
        )
        context.set_default_timeout(15_000)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()
            # Queries the test ran while Playwright's loop was up went through their own
            # connection; close it, or PostgreSQL cannot drop the test database at the end.
            connections.close_all()


# --- a real ASGI server with WebSockets (the live workspace) -----------------------------------

ASGI_PORTS = range(18200, 18300)  # this suite's private range


@pytest.fixture
def csp_refusals(page: Any, settings: Any) -> list[str]:
    """Turn the Content-Security-Policy on; the list fills with what the browser refused."""
    settings.WOWDESK_CSP = True
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return refused


def _free_port() -> int:
    import random
    import socket

    # a random order: two runs at once (the SQLite and PostgreSQL suites) rarely collide
    for port in random.sample(ASGI_PORTS, len(ASGI_PORTS)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ASGI_PORTS}")


@pytest.fixture
def asgi_server(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``wowdesk.asgi:application`` under uvicorn in a thread of this process, on the test
    database; yields its base URL. pytest-django's ``live_server`` is WSGI: no WebSockets.

    Static files are served by Django's ASGI static handler (as ``runserver`` does).
    Database connections are closed after every request and WebSocket database call, so
    nothing holds the test database open when it is flushed or dropped.
    """
    import threading

    import uvicorn
    from django.conf import settings as django_settings
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from wowdesk.asgi import application

    monkeypatch.setitem(django_settings.DATABASES["default"], "CONN_MAX_AGE", 0)
    # The test thread makes ORM calls while Playwright's event loop runs in it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    port = _free_port()
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application),
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="asgi-test-server", daemon=True)
    thread.start()
    for _ in range(200):  # wait for it to listen (up to ~10 s on a busy machine)
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.05)
    if not server.started:
        server.should_exit = True
        pytest.fail("the ASGI test server did not start", pytrace=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        connections.close_all()


@pytest.fixture
def browser_contexts(asgi_server: str) -> Iterator[Any]:
    """A factory of fresh, isolated browser contexts (one per person) on the ASGI server;
    all closed afterwards, before the database is flushed."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is absent (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )

        def new_page() -> Any:
            context = browser.new_context(locale="en-US", base_url=asgi_server)
            context.set_default_timeout(15_000)
            return context.new_page()

        try:
            yield new_page
        finally:
            browser.close()
            connections.close_all()
