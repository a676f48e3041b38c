"""Page objects for the quality pages: the queue (/quality/), the review form, a review."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page


@dataclass
class QualityPage:
    page: Page

    def open(self) -> QualityPage:
        self.page.goto("/quality/")
        return self

    def queued(self, conversation_id: int) -> Locator:
        return self.page.locator(f"#queue-{conversation_id}")

    def reasons(self, conversation_id: int) -> str:
        return self.queued(conversation_id).locator(".qa-reasons").inner_text()

    def review(self, conversation_id: int) -> ReviewFormPage:
        with self.page.expect_navigation():
            self.queued(conversation_id).locator("[data-review]").click()
        return ReviewFormPage(self.page)

    def my_review(self, review_id: int) -> ReviewPage:
        with self.page.expect_navigation():
            self.page.locator(f"#review-{review_id} a").click()
        return ReviewPage(self.page)


@dataclass
class ReviewFormPage:
    page: Page

    def answer(self, criterion: str, value: str) -> ReviewFormPage:
        self.page.locator(f"[data-criterion='{criterion}'] input[value='{value}']").check()
        return self

    def note(self, text: str) -> ReviewFormPage:
        self.page.get_by_label("Coaching note").fill(text)
        return self

    def share(self) -> ReviewPage:
        with self.page.expect_navigation():
            self.page.locator("#qa-share").click()
        return ReviewPage(self.page)


@dataclass
class ReviewPage:
    page: Page

    @property
    def score(self) -> str:
        return self.page.locator("#qa-score").inner_text().strip()

    @property
    def coaching_note(self) -> str:
        return self.page.locator("#qa-note").inner_text().strip()

    def acknowledge(self) -> ReviewPage:
        with self.page.expect_navigation():
            self.page.locator("#qa-acknowledge").click()
        return self

    def reply(self, text: str) -> ReviewPage:
        self.page.locator("#qa-reply").fill(text)
        with self.page.expect_navigation():
            self.page.locator("#qa-reply-send").click()
        return self

    def replies(self) -> list[str]:
        return [
            t.strip()
            for t in self.page.locator("#qa-comments li[data-comment-id] p").all_inner_texts()
        ]
