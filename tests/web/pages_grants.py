"""Page objects of the grants back end: the signed approve/decline link's page."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page


@dataclass
class ApproveLinkPage:
    """``/policies/approve/<token>/``: the grant and its Approve / Decline buttons."""

    page: Page

    def open(self, link: str) -> ApproveLinkPage:
        self.page.goto(link)
        return self

    @property
    def what(self) -> str:
        return self.page.locator("#approve-what").inner_text().strip()

    @property
    def status(self) -> str:
        return self.page.locator("#approve-status").inner_text().strip()

    @property
    def refused(self) -> str:
        return self.page.locator("#approve-refused").inner_text().strip()

    @property
    def done(self) -> bool:
        return self.page.locator("#approve-done").count() == 1

    @property
    def can_decide(self) -> bool:
        return self.page.locator("#approve-form").count() == 1

    def decide(self, decision: str, note: str = "") -> ApproveLinkPage:
        if note:
            self.page.get_by_label("Note (optional)").fill(note)
        button = "#approve-yes" if decision == "approve" else "#approve-no"
        with self.page.expect_navigation():
            self.page.locator(button).click()
        return self
