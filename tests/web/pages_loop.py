"""Page objects for the knowledge loop's proposals page (/knowledge/proposals/)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page


@dataclass
class ProposalsPage:
    page: Page

    def open(self, status: str = "open") -> ProposalsPage:
        self.page.goto(f"/knowledge/proposals/?status={status}")
        return self

    def proposal(self, pk: int) -> Locator:
        return self.page.locator(f"article[data-proposal-id='{pk}']")

    def ids(self) -> list[int]:
        return [
            int(x or 0)
            for x in self.page.locator("article[data-proposal-id]").evaluate_all(
                "els => els.map(e => e.dataset.proposalId)"
            )
        ]

    def group_sizes(self) -> list[int]:
        return [
            g.locator("article[data-proposal-id]").count()
            for g in self.page.locator("section.kl-group").all()
        ]

    def edit(self, pk: int, *, title: str | None = None, body: str | None = None) -> ProposalsPage:
        card = self.proposal(pk)
        if title is not None:
            card.locator("input[name=title]").fill(title)
        if body is not None:
            card.locator("textarea[name=body]").fill(body)
        return self

    def accept(self, pk: int) -> ProposalsPage:
        with self.page.expect_navigation():
            self.proposal(pk).locator("form[data-accept] button[type=submit]").click()
        return self

    def dismiss(self, pk: int) -> ProposalsPage:
        with self.page.expect_navigation():
            self.proposal(pk).locator("form[data-dismiss] button[type=submit]").click()
        return self

    @property
    def error(self) -> str:
        box = self.page.locator("#proposal-error")
        return box.inner_text().strip() if box.count() else ""
