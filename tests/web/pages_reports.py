"""Page objects for the report pages (/reports/)."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage, Locator, Page


@dataclass
class ReportsPage:
    page: Page
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        def on_console(msg: ConsoleMessage) -> None:
            # the live workspace's socket is absent from the WSGI test server
            if msg.type == "error" and "WebSocket" not in msg.text:
                self.errors.append(msg.text)

        self.page.on("console", on_console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def open(self, query: str = "") -> ReportsPage:
        self.page.goto(f"/reports/{'?' + query if query else ''}")
        return self

    def charts(self) -> Locator:
        return self.page.locator("canvas[data-chart]")

    def wait_for_charts(self) -> ReportsPage:
        self.page.locator("canvas[data-drawn='1']").first.wait_for()
        return self

    def canvas_has_ink(self, index: int = 0) -> bool:
        """Whether the chart's canvas has any pixel drawn."""
        return bool(
            self.charts()
            .nth(index)
            .evaluate(
                """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }
                return false; }"""
            )
        )

    def card(self, measure: str) -> Locator:
        return self.page.locator(f"li.rp-card[data-measure='{measure}']")

    def card_count(self, measure: str) -> str:
        return self.card(measure).locator("[data-count]").inner_text().strip()

    def pick_range(self, preset: str) -> ReportsPage:
        with self.page.expect_navigation():
            self.page.select_option("#f-preset", preset)
        return self

    def drill(self, measure: str) -> ReportsPage:
        with self.page.expect_navigation():
            self.card(measure).locator("a").click()
        return self

    def conversation_ids(self) -> list[int]:
        return [
            int(x or 0)
            for x in self.page.locator("#drill-table tr[data-conversation-id]").evaluate_all(
                "els => els.map(e => e.dataset.conversationId)"
            )
        ]
