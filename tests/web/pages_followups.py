"""Page objects for the follow-ups page (/surveys/followups/) and the conversation's
"Surveys and follow-ups" panel."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page


@dataclass
class FollowUpsPage:
    page: Page

    def open(self, query: str = "") -> FollowUpsPage:
        self.page.goto(f"/surveys/followups/{'?' + query if query else ''}")
        return self

    def item(self, pk: int) -> Locator:
        return self.page.locator(f"li[data-followup-id='{pk}']")

    def ids(self) -> list[int]:
        return [
            int(x or 0)
            for x in self.page.locator("li[data-followup-id]").evaluate_all(
                "els => els.map(e => e.dataset.followupId)"
            )
        ]

    def reason(self, pk: int) -> str:
        return self.item(pk).locator("[data-reason]").inner_text().strip()

    def score(self, pk: int) -> str:
        return self.item(pk).locator("[data-score]").inner_text().strip()

    def is_overdue(self, pk: int) -> bool:
        return self.item(pk).locator("[data-overdue]").count() > 0

    def close(self, pk: int, outcome: str) -> FollowUpsPage:
        form = self.item(pk).locator("form[data-close]")
        form.get_by_label("Outcome").fill(outcome)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()
        return self

    def filter_status(self, status: str) -> FollowUpsPage:
        self.page.locator("#fu-status").select_option(status)
        with self.page.expect_navigation():
            self.page.locator("#fu-filters button[type=submit]").click()
        return self

    def outcome(self, pk: int) -> str:
        return self.item(pk).locator("[data-outcome]").inner_text().strip()
