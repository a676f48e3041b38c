"""Page objects of the public help center (/help/…)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page


@dataclass
class HelpCenter:
    page: Page

    def open(self, path: str) -> HelpCenter:
        self.page.goto(path)
        return self

    @property
    def lang(self) -> str:
        return self.page.locator("html").get_attribute("lang") or ""

    @property
    def dir(self) -> str:
        return self.page.locator("html").get_attribute("dir") or ""

    @property
    def heading(self) -> Locator:
        return self.page.locator("main h1")

    # Every action below loads a page (links and plain forms: the help center has no
    # script); each waits for that load, so what is read next is the new page.

    def pick_language(self, code: str) -> HelpCenter:
        with self.page.expect_navigation():
            self.page.locator(f"nav.hc-langs a[hreflang='{code}']").click()
        return self

    def category(self, name: str) -> HelpCenter:
        with self.page.expect_navigation():
            self.page.locator("main .hc-cards a", has_text=name).click()
        return self

    def search(self, text: str) -> HelpCenter:
        self.page.get_by_role("searchbox").fill(text)
        with self.page.expect_navigation():
            self.page.get_by_role("search").get_by_role("button").click()
        return self

    @property
    def results(self) -> Locator:
        return self.page.locator("main ol.hc-results li a")

    def read(self, title: str) -> HelpCenter:
        with self.page.expect_navigation():
            self.page.locator("main a", has_text=title).first.click()
        return self

    @property
    def article_body(self) -> Locator:
        return self.page.locator("main article .hc-body")

    def vote(self, answer: str, comment: str = "") -> HelpCenter:
        """Answer "Did this help?" with the button named ``answer`` ("Yes"/"No")."""
        form = self.page.locator("#feedback form")
        if comment:
            form.get_by_role("textbox").fill(comment)
        with self.page.expect_navigation():
            form.get_by_role("button", name=answer, exact=True).click()
        return self

    @property
    def feedback_status(self) -> Locator:
        return self.page.locator("#feedback [role=status]")

    def contact(self) -> HelpCenter:
        with self.page.expect_navigation():
            self.page.locator("footer a[href*='/contact/']").click()
        return self

    def send_message(
        self,
        name: str,
        email: str,
        message: str,
        labels: tuple[str, str, str] = ("Your name", "Your email", "Message"),
    ) -> HelpCenter:
        """Fill and send "Contact us", finding the fields by their labels (in the page's
        language: ``labels``)."""
        self.page.get_by_label(labels[0]).fill(name)
        self.page.get_by_label(labels[1]).fill(email)
        self.page.get_by_label(labels[2]).fill(message)
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").click()
        return self

    @property
    def status(self) -> Locator:
        return self.page.locator("main [role=status]")

    @property
    def alert(self) -> Locator:
        return self.page.locator("main [role=alert]")

    def scroll_width(self) -> int:
        return int(self.page.evaluate("document.documentElement.scrollWidth"))
