"""Page objects of the customer's survey: the page at /s/<token>, and the card the chat
widget draws for a survey message (inside its shadow root; Playwright's CSS pierces it)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page

from tests.web.pages_widget import Widget


@dataclass
class SurveyPage:
    page: Page

    def open(self, path: str) -> SurveyPage:
        self.page.goto(path)
        return self

    def question(self, index: int = 0) -> Locator:
        return self.page.locator(".sv-q").nth(index)

    def score(self, value: int, question: int = 0) -> Locator:
        return self.question(question).locator(".sv-score", has_text=str(value)).first

    def tap(self, value: int, question: int = 0) -> SurveyPage:
        # the visually hidden end labels share the link: match the number exactly
        links = self.question(question).locator(".sv-score")
        for i in range(links.count()):
            link = links.nth(i)
            if link.inner_text().split()[0] == str(value):
                # the link loads the answer page: wait for that load (wait_for_load_state
                # alone would see the current page, already loaded)
                with self.page.expect_navigation():
                    link.click()
                return self
        raise AssertionError(f"no score {value}")

    @property
    def scores(self) -> Locator:
        return self.question(0).locator(".sv-score")

    @property
    def thanks(self) -> Locator:
        return self.page.locator(".sv-thanks")

    @property
    def next_questions(self) -> Locator:
        return self.page.locator(".sv-next")

    def tell_why(self, text: str) -> SurveyPage:
        self.page.locator("#sv-comment").fill(text)
        with self.page.expect_navigation():
            self.page.locator(".sv-send").click()
        return self

    @property
    def direction(self) -> str:
        return str(self.page.evaluate("getComputedStyle(document.body).direction"))

    @property
    def lang(self) -> str:
        return str(self.page.locator("html").get_attribute("lang"))

    def scroll_width(self) -> int:
        return int(self.page.evaluate("document.documentElement.scrollWidth"))


@dataclass
class SurveyCard:
    """The survey card in the chat widget's conversation."""

    widget: Widget

    @property
    def card(self) -> Locator:
        return self.widget.at(".log .msg.out .card")

    def tap(self, value: int, question: int = 0) -> SurveyCard:
        self.card.locator(".sq").nth(question).locator(f".sc button[value='{value}']").click()
        return self

    def thanks(self, question: int = 0) -> Locator:
        return self.card.locator(".sq").nth(question).locator(".ty")

    def chosen(self, question: int = 0) -> Locator:
        return self.card.locator(".sq").nth(question).locator(".sc button[aria-pressed=true]")

    def tell_why(self, text: str, question: int = 0) -> SurveyCard:
        box = self.card.locator(".sq").nth(question)
        box.locator("textarea").fill(text)
        box.locator("button.go").click()
        return self
