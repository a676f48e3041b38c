"""Page objects for abusive customers: the conversation's "Report abuse" panel and the
supervisors' page (/policies/abuse/)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page


@dataclass
class ReportAbusePanel:
    page: Page

    def open(self, conversation_id: int) -> ReportAbusePanel:
        self.page.goto(f"/inbox/c/{conversation_id}/")
        self.page.locator("#abuse-panel summary").click()
        self.page.locator("#abuse-form").wait_for()
        return self

    def pick(self, message_id: int) -> ReportAbusePanel:
        self.page.locator(f"#abuse-form input[name=message_ids][value='{message_id}']").check()
        return self

    def report(self, note: str) -> str:
        self.page.locator("#abuse-note").fill(note)
        self.page.locator("#abuse-submit").click()
        done = self.page.locator("#abuse-done")
        done.wait_for()
        return done.inner_text().strip()

    def banner(self) -> str:
        banner = self.page.locator("#abuse-banner")
        return banner.inner_text().strip() if banner.count() else ""


@dataclass
class AbusePage:
    page: Page

    def open(self) -> AbusePage:
        self.page.goto("/policies/abuse/")
        return self

    def report(self, pk: int) -> Locator:
        return self.page.locator(f"#abuse-report-{pk}")

    def evidence(self, pk: int) -> list[str]:
        return [q.strip() for q in self.report(pk).locator("blockquote").all_inner_texts()]

    def decide(self, pk: int, decision: str, reason: str, channel: str = "") -> AbusePage:
        card = self.report(pk)
        card.get_by_label("Reason", exact=True).fill(reason)
        if channel:
            card.locator("select[name=channel]").select_option(channel)
        with self.page.expect_navigation():
            card.locator(f"button[name=decision][value={decision}]").click()
        return self

    def restricted(self, customer_id: int) -> Locator:
        return self.page.locator(f"#abuse-customer-{customer_id}")

    def latest(self, customer_id: int) -> list[str]:
        return [
            t.strip()
            for t in self.restricted(customer_id).locator(".abuse-latest li").all_inner_texts()
        ]
