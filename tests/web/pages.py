"""Page objects: what a test may do on a page, so selectors live in one place."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page


@dataclass
class HomePage:
    page: Page

    def open(self) -> HomePage:
        self.page.goto("/")
        return self

    @property
    def heading(self) -> str:
        return self.page.locator("main h1").inner_text().strip()

    @property
    def language(self) -> str:
        return self.page.locator("html").get_attribute("lang") or ""

    def counts(self) -> dict[str, int]:
        """Each summary card's label → number, e.g. ``{"open": 2, "resolved": 1}``."""
        out: dict[str, int] = {}
        for card in self.page.locator("section.cards .card").all():
            number = card.locator(".n").inner_text().strip()
            label = card.inner_text().replace(number, "", 1).strip()
            out[label] = int(number.replace(",", ""))
        return out

    def brands(self) -> dict[str, int]:
        """Brand name → customer count, from the brands table."""
        out: dict[str, int] = {}
        for row in self.page.locator("main table tbody tr").all():
            cells = row.locator("td").all_inner_texts()
            if len(cells) == 2:
                out[cells[0].strip()] = int(cells[1])
        return out

    def switch_language(self, label: str) -> HomePage:
        """Pick a language in the header selector; the form posts and the page reloads."""
        with self.page.expect_navigation():
            self.page.locator("select#language").select_option(label=label)
        return self


@dataclass
class AdminLoginPage:
    page: Page

    def open(self) -> AdminLoginPage:
        self.page.goto("/admin/login/")
        return self

    def login(self, username: str, password: str) -> AdminIndexPage:
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.locator("#login-form [type=submit]").click()
        return AdminIndexPage(self.page)

    @property
    def error(self) -> str:
        errors = self.page.locator(".errornote")
        return errors.inner_text() if errors.count() else ""


@dataclass
class AdminIndexPage:
    page: Page

    @property
    def logged_in(self) -> bool:
        return self.page.locator("#logout-form").count() > 0

    def open_conversations(self) -> ConversationChangelist:
        with self.page.expect_navigation():
            self.page.locator("#content-main tr.model-conversation th a").click()
        return ConversationChangelist(self.page)


@dataclass
class ConversationChangelist:
    page: Page
    path = "/admin/conversations/conversation/"

    def open(self) -> ConversationChangelist:
        self.page.goto(self.path)
        return self

    @property
    def title(self) -> str:
        return self.page.locator("#content h1").inner_text().strip()

    def subjects(self) -> list[str]:
        return [
            s.strip() for s in self.page.locator("#result_list td.field-subject").all_inner_texts()
        ]

    def open_change_page(self, pk: int) -> tuple[str, str]:
        """Go to one conversation's change page: (the URL it lands on, the page's text)."""
        self.page.goto(f"{self.path}{pk}/change/")
        return self.page.url, self.page.locator("body").inner_text()
