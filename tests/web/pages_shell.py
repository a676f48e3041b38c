"""Page objects of the three-pane workspace: the list, the open conversation beside it, the
phone layout and the theme."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page

IDLE = "() => !document.querySelector('.htmx-request')"


@dataclass
class Workspace:
    page: Page

    def open(self, path: str = "/inbox/?view=all") -> Workspace:
        self.page.goto(path)
        return self

    # --- what shows
    @property
    def open_id(self) -> int:
        """The conversation in the middle pane (0: none)."""
        value = self.page.locator("#open-pane").get_attribute("data-conversation-id")
        return int(value or 0)

    @property
    def title(self) -> str:
        return self.page.locator("#conv-title").inner_text().strip()

    @property
    def selected_id(self) -> int:
        row = self.page.locator("#inbox-list .conv-row.selected")
        return int(row.get_attribute("data-conversation-id") or 0) if row.count() else 0

    def row_ids(self) -> list[int]:
        return [
            int(v or 0)
            for v in self.page.locator("#inbox-list .conv-row").evaluate_all(
                "rows => rows.map(r => r.dataset.conversationId)"
            )
        ]

    def visible(self, selector: str) -> bool:
        return self.page.locator(selector).is_visible()

    def messages(self) -> list[str]:
        return [
            t.strip() for t in self.page.locator("#thread article.message .body").all_inner_texts()
        ]

    def is_unread(self, conversation_id: int) -> bool:
        row = self.page.locator(f'#inbox-list .conv-row[data-conversation-id="{conversation_id}"]')
        return "unread" in (row.get_attribute("class") or "").split()

    def background(self, selector: str = "body") -> str:
        return str(
            self.page.locator(selector).evaluate("el => getComputedStyle(el).backgroundColor")
        )

    def mark_document(self) -> None:
        """Mark this document: after a page load the mark is gone (an htmx swap keeps it)."""
        self.page.evaluate("() => { window.__marked = true; }")

    def still_same_document(self) -> bool:
        return bool(self.page.evaluate("() => window.__marked === true"))

    # --- what a person does
    def wait_idle(self) -> Workspace:
        self.page.wait_for_function(IDLE)
        return self

    def click_row(self, conversation_id: int) -> Workspace:
        before = self.open_id
        self.page.locator(
            f'#inbox-list .conv-row[data-conversation-id="{conversation_id}"] a.conv-link'
        ).click()
        if before != conversation_id:
            self._wait_open(conversation_id)
        return self

    def key(self, key: str) -> Workspace:
        self.page.keyboard.press(key)
        return self

    def key_opens(self, key: str, conversation_id: int) -> Workspace:
        """A key (j/k) that opens ``conversation_id`` beside the list."""
        self.page.keyboard.press(key)
        self._wait_open(conversation_id)
        return self

    def _wait_open(self, conversation_id: int) -> None:
        self.page.locator(f'#open-pane[data-conversation-id="{conversation_id}"]').wait_for()
        self.wait_idle()

    def back(self) -> Workspace:
        self.page.go_back()
        self.wait_idle()
        return self

    def type_in_composer(self, text: str) -> Workspace:
        self.page.keyboard.type(text)
        return self

    def set_theme(self, theme: str) -> Workspace:
        with self.page.expect_response(lambda r: "/settings/theme/" in r.url):
            self.page.locator("#theme").select_option(theme)
        return self

    def tap_back_to_list(self) -> Workspace:
        with self.page.expect_navigation():
            self.page.locator("#back-to-list").click()
        return self

    def toggle_details(self) -> Workspace:
        self.page.locator("#details-toggle").click()
        return self
