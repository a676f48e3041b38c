"""Browser tests: Playwright driving the Debian Chromium against pytest-django's live server.

Never ``playwright install``: the browser is the system's ``/usr/bin/chromium``. Without it
the tests skip, except under ``make test`` (``WOWDESK_REQUIRE_BROWSER=1``), which installs it
and must run them.
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
