"""Screenshots of the report pages for ``docs/reports.md``: the loyalty, service, channels,
agents and survey tabs and a drill-down, light theme, in English, at 1280 wide.

Seeds the small demo in a temporary data dir (as ``scripts/screenshots.py``), adds survey
answers to its resolved conversations over the last 90 days when the demo has none (NPS
around 45, lower for the conversations that took longest), recomputes the report facts,
serves it in this process and drives Debian's Chromium with Playwright. Writes
``docs/screenshots/reports-<tab>.png``.

Usage: ``.venv/bin/python scripts/screenshots_reports.py [--out docs/screenshots]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import threading
from pathlib import Path
from wsgiref.simple_server import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent))
import screenshots as shots

ROOT = shots.ROOT


def add_answers() -> int:
    """Survey answers for the demo's resolved conversations (none when it has some)."""
    from django.utils import timezone

    from wowdesk.conversations.models import Conversation
    from wowdesk.surveys.models import Survey, SurveyResponse

    if SurveyResponse.objects.exists():
        return 0
    rng = random.Random(16)
    now = timezone.now()
    made = 0
    conversations = Conversation.objects.exclude(customer=None).order_by("pk")
    for c in conversations.select_related("inbox").iterator():
        channel = c.inbox.channel if c.inbox is not None else ""
        for kind in ("csat", "nps"):
            if rng.random() < 0.35:
                continue
            at = now - dt.timedelta(days=rng.uniform(0, 90))
            slow = c.message_count > 6
            if kind == "nps":
                score = rng.choices(range(11), weights=[2, 1, 1, 2, 2, 3, 4, 8, 12, 20, 25])[0]
                score = max(0, score - (4 if slow and rng.random() < 0.5 else 0))
            else:
                score = rng.choices(range(1, 6), weights=[4, 3, 6, 20, 40])[0]
            survey = Survey.objects.create(
                brand_id=c.brand_id,
                conversation=c,
                customer_id=c.customer_id,
                kind=kind,
                status="answered",
                resolved_at=at,
                scheduled_for=at,
                sent_at=at,
                answered_at=at,
                agent_id=c.assignee_id,
                inbox_id=c.inbox_id,
                channel=channel,
                language=c.language or "en",
            )
            SurveyResponse.objects.create(
                survey=survey,
                brand_id=c.brand_id,
                kind=kind,
                score=score,
                comment=rng.choice(
                    [
                        "",
                        "",
                        "Quick and kind, thank you!",
                        "Nobody called me back.",
                        "Took too long.",
                    ]
                ),
                comment_language="en",
                conversation=c,
                customer_id=c.customer_id,
                agent_id=c.assignee_id,
                inbox_id=c.inbox_id,
                channel=channel,
                language=c.language or "en",
                answered_at=at,
                updated_at=at,
            )
            made += 1
    return made


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    a = p.parse_args(argv)
    shots.setup(Path(tempfile.mkdtemp(prefix="wowdesk-report-shots-")))
    add_answers()
    from wowdesk.analytics import rollups

    rollups.rebuild()

    from django.core.wsgi import get_wsgi_application
    from playwright.sync_api import sync_playwright

    from wowdesk.demo import catalog

    admin = next(s for s in catalog.AGENTS if s.has_login and s.role == "admin")
    server = make_server(
        "127.0.0.1",
        0,
        get_wsgi_application(),
        shots.ThreadingServer,
        handler_class=shots.QuietHandler,
    )
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    a.out.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=shots.CHROMIUM, headless=True, args=shots.ARGS
            )
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
            page.emulate_media(color_scheme="light")
            ctx.add_cookies([{"name": "django_language", "value": "en", "url": base}])
            page.goto("/login/")
            page.locator("#id_username").fill(admin.email)
            page.locator("#id_password").fill(catalog.DEMO_PASSWORD)
            with page.expect_navigation():
                page.locator("#login-form [type=submit]").click()
            for tab, query in (
                ("loyalty", "preset=90d&group_by=week"),
                ("service", "preset=90d&group_by=week"),
                ("channels", "preset=90d&group_by=channel"),
                ("agents", "preset=90d&group_by=agent"),
                ("surveys", "preset=90d"),
            ):
                page.goto(f"/reports/?tab={tab}&{query}")
                if page.locator("canvas[data-chart]").count():
                    page.locator("canvas[data-drawn='1']").first.wait_for()
                page.screenshot(path=str(a.out / f"reports-{tab}.png"), full_page=True)
            page.goto("/reports/?tab=loyalty&preset=90d&group_by=week")
            with page.expect_navigation():
                page.locator("li.rp-card[data-measure='nps_detractors'] a").click()
            page.screenshot(path=str(a.out / "reports-drill.png"), full_page=True)
            ctx.close()
            browser.close()
    finally:
        server.shutdown()
    for f in sorted(a.out.glob("reports-*.png")):
        print(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f)


if __name__ == "__main__":
    main()
