"""Page objects for the agent's schedule (/wfm/schedule/) and the supervisors' shift
requests page (/wfm/requests/)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page


@dataclass
class SchedulePage:
    page: Page

    def open(self) -> SchedulePage:
        self.page.goto("/wfm/schedule/")
        return self

    def shift(self, pk: int) -> Locator:
        return self.page.locator(f".sch-shift[data-shift-id='{pk}']")

    def shift_ids(self) -> list[int]:
        return [
            int(x)
            for x in self.page.locator(".sch-shift[data-shift-id]").evaluate_all(
                "els => els.map(e => e.dataset.shiftId)"
            )
            if x
        ]

    def shift_text(self, pk: int) -> str:
        return self.shift(pk).locator(".sch-time").inner_text().strip()

    def colleagues(self, pk: int) -> list[str]:
        self.shift(pk).locator("summary").click()
        return [o.strip() for o in self.shift(pk).locator("select option").all_inner_texts()]

    def ask_swap(self, pk: int, colleague: str, reason: str) -> SchedulePage:
        box = self.shift(pk)
        if not box.locator("form[data-swap-form]").is_visible():
            box.locator("summary").click()
        box.get_by_label("Colleague who takes it").select_option(label=colleague)
        box.get_by_label("Reason").fill(reason)
        with self.page.expect_navigation():
            box.locator("button[type=submit]").click()
        return self

    def request_status(self) -> list[str]:
        return [
            x or ""
            for x in self.page.locator("#my-requests li[data-request-id]").evaluate_all(
                "els => els.map(e => e.dataset.status)"
            )
        ]


@dataclass
class RequestsPage:
    page: Page

    def open(self) -> RequestsPage:
        self.page.goto("/wfm/requests/")
        return self

    def pending_ids(self) -> list[int]:
        return [
            int(x)
            for x in self.page.locator("#pending-requests li[data-request-id]").evaluate_all(
                "els => els.map(e => e.dataset.requestId)"
            )
        ]

    def approve(self, pk: int, note: str) -> RequestsPage:
        item = self.page.locator(f"#pending-requests li[data-request-id='{pk}']")
        item.get_by_label("Note").fill(note)
        with self.page.expect_navigation():
            item.locator("button[value=approve]").click()
        return self
