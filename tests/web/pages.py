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


# --- the agent workspace --------------------------------------------------------------------


@dataclass
class LoginPage:
    page: Page

    def open(self) -> LoginPage:
        self.page.goto("/login/")
        return self

    def login(self, email: str, password: str) -> InboxPage:
        self.page.get_by_label("Email").fill(email)
        self.page.locator("#id_password").fill(password)
        with self.page.expect_navigation():
            self.page.locator("#login-form [type=submit]").click()
        return InboxPage(self.page)

    @property
    def error(self) -> str:
        errors = self.page.locator("#login-form .error")
        return errors.inner_text() if errors.count() else ""


@dataclass
class InboxPage:
    page: Page

    def open(self, query: str = "") -> InboxPage:
        self.page.goto(f"/inbox/{'?' + query if query else ''}")
        return self

    @property
    def heading(self) -> str:
        return self.page.locator("main h1").inner_text().strip()

    @property
    def language(self) -> str:
        return self.page.locator("html").get_attribute("lang") or ""

    def subjects(self) -> list[str]:
        return [s.strip() for s in self.page.locator("#inbox-list .subject").all_inner_texts()]

    def count(self, view: str) -> int:
        return int(self.page.locator(f'[data-count="{view}"]').inner_text())

    def choose_view(self, view: str) -> InboxPage:
        with self.page.expect_navigation():
            self.page.locator(f'a.view-link[data-view="{view}"]').click()
        return self

    def search(self, text: str) -> InboxPage:
        """Type in the search box; htmx swaps the list (the URL follows)."""
        with self.page.expect_response(lambda r: "/inbox/" in r.url and "q=" in r.url):
            self.page.locator("#q").fill(text)
        self.page.wait_for_function("() => !document.querySelector('#inbox-list.htmx-request')")
        return self

    def open_conversation(self, subject: str) -> ConversationPage:
        with self.page.expect_navigation():
            self.page.locator("#inbox-list a.conv-link", has_text=subject).click()
        return ConversationPage(self.page)

    def switch_language(self, label: str) -> InboxPage:
        with self.page.expect_navigation():
            self.page.locator("select#language").select_option(label=label)
        return self

    def press(self, key: str) -> None:
        self.page.locator("body").press(key)

    @property
    def selected_subject(self) -> str:
        return self.page.locator("#inbox-list .conv-row.selected .subject").inner_text().strip()


@dataclass
class ConversationPage:
    page: Page

    def open(self, conversation_id: int) -> ConversationPage:
        self.page.goto(f"/inbox/c/{conversation_id}/")
        return self

    @property
    def title(self) -> str:
        return self.page.locator("main h1").inner_text().strip()

    def messages(self) -> list[tuple[str, str]]:
        """(direction, text) of every message in the thread, oldest first."""
        out: list[tuple[str, str]] = []
        for article in self.page.locator("#thread article.message").all():
            kind = next(
                c[4:]
                for c in (article.get_attribute("class") or "").split()
                if c.startswith("dir-")
            )
            body = article.locator(".body, .activity").first.inner_text().strip()
            out.append((kind, body))
        return out

    def write(self, text: str, *, note: bool = False) -> ConversationPage:
        self.page.locator("#mode-note" if note else "#mode-reply").check()
        self.page.locator("#composer-body").fill(text)
        return self

    def send(self, *, resolve: bool = False) -> ConversationPage:
        with self.page.expect_navigation():
            self.page.locator("#send-resolve" if resolve else "#send").click()
        return self

    def insert_macro(self, name: str) -> str:
        self.page.locator("#macro-picker").select_option(label=name)
        self.page.wait_for_function(
            "() => document.getElementById('composer-body').value.length > 0"
        )
        return self.page.locator("#composer-body").input_value()

    @property
    def status(self) -> str:
        return self.page.locator("#conv-status").inner_text().strip()

    @property
    def assignee(self) -> str:
        return self.page.locator("#conv-assignee").inner_text().strip()

    def shortcut(self, key: str, *, navigates: bool = True) -> ConversationPage:
        if navigates:
            with self.page.expect_navigation():
                self.page.locator("body").press(key)
        else:
            self.page.locator("body").press(key)
        return self

    def customer_panel(self) -> str:
        return self.page.locator("#customer-panel").inner_text()

    def text_directions(self) -> list[tuple[str, str]]:
        """(text, the direction the browser lays it out in) of every message body, author
        name and subject: ``rtl`` for Arabic, Hebrew…, whatever the page's direction."""
        return [
            (el.inner_text().strip(), el.evaluate("e => getComputedStyle(e).direction"))
            for el in self.page.locator("#thread .body, #thread .who, main h1 bdi").all()
        ]


@dataclass
class ShortcutsOverlay:
    page: Page

    def open_with_key(self) -> ShortcutsOverlay:
        self.page.locator("body").press("?")
        return self

    @property
    def visible(self) -> bool:
        return self.page.locator("dialog#shortcuts").is_visible()

    def keys(self) -> list[str]:
        return [k.strip() for k in self.page.locator("dialog#shortcuts kbd").all_inner_texts()]

    def close(self) -> None:
        self.page.keyboard.press("Escape")


# --- the live workspace (WebSockets) --------------------------------------------------------


@dataclass
class LiveWorkspace:
    """The live layer of any workspace page (web/static/web/live.js)."""

    page: Page

    def wait_connected(self) -> LiveWorkspace:
        self.page.locator("body[data-live=open]").wait_for(state="attached")
        return self

    def mark(self) -> LiveWorkspace:
        """Tag this page load, to tell later whether the page was reloaded."""
        self.page.evaluate("window.__liveMark = true")
        return self

    @property
    def reloaded(self) -> bool:
        return not self.page.evaluate("window.__liveMark === true")

    def wait_for_collision(self, text: str) -> str:
        from playwright.sync_api import expect

        box = self.page.locator("#collision")
        expect(box).to_contain_text(text)
        return box.inner_text().strip()

    def type(self, text: str) -> LiveWorkspace:
        """Type into the composer key by key, as a person does (no sending)."""
        self.page.locator("#composer-body").press_sequentially(text)
        return self

    def wait_for_message(self, text: str) -> str:
        from playwright.sync_api import expect

        article = self.page.locator("#thread article.message", has_text=text)
        expect(article).to_be_visible()
        return article.get_attribute("id") or ""

    def wait_for_toast(self, text: str) -> str:
        from playwright.sync_api import expect

        toast = self.page.locator("#toasts .toast", has_text=text)
        expect(toast).to_be_visible()
        return toast.inner_text()
