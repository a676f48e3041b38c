"""Page objects of the notification bell and centre and of the command palette."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, expect


@dataclass
class NotificationBell:
    """The bell in the header of every workspace page (web/_header_tools.html)."""

    page: Page

    @property
    def count(self) -> int:
        return int(self.page.locator("#notif-count").get_attribute("data-count") or 0)

    def wait_for_count(self, n: int) -> NotificationBell:
        expect(self.page.locator("#notif-count")).to_have_attribute("data-count", str(n))
        return self

    @property
    def title(self) -> str:
        return self.page.title()

    def open(self) -> NotificationBell:
        """Click the bell; wait for the menu it fetches. A menu loaded before (an earlier
        opening, a live notification) is marked first: the fetch replaces it whole."""
        self.page.evaluate(
            "() => document.querySelectorAll('#notif-menu')"
            ".forEach(e => { e.dataset.stale = '1'; })"
        )
        self.page.locator("#notif-bell").click()
        self.page.locator("#notif-menu:not([data-stale])").wait_for()
        return self

    def titles(self) -> list[str]:
        return [t.strip() for t in self.page.locator("#notif-panel .notif-title").all_inner_texts()]

    def unread_titles(self) -> list[str]:
        items = self.page.locator("#notif-panel .notif-unread .notif-title")
        return [t.strip() for t in items.all_inner_texts()]

    def click(self, text: str) -> None:
        with self.page.expect_navigation():
            self.page.locator("#notif-panel .notif-open", has_text=text).click()

    def panel_box(self) -> dict[str, float]:
        box = self.page.locator("#notif-panel").bounding_box()
        assert box is not None
        return dict(box)


@dataclass
class CommandPalette:
    """Ctrl/⌘-K (web/_palette.html, static/web/palette.js)."""

    page: Page

    def open(self) -> CommandPalette:
        self.page.locator("body").press("Control+k")
        expect(self.page.locator("#palette")).to_be_visible()
        return self

    def search(self, text: str, expect_label: str) -> CommandPalette:
        """Type ``text``; wait until the first result of this search holds ``expect_label``.

        The script rebuilds the list when the server answers; until then the items of the
        search before are still shown (and may hold the label too), so they are marked
        first and only unmarked items answer the wait."""
        self.page.evaluate(
            "() => document.querySelectorAll('#palette-results .palette-item')"
            ".forEach(e => { e.dataset.stale = '1'; })"
        )
        self.page.locator("#palette-q").fill(text)
        fresh = self.page.locator("#palette-results .palette-item:not([data-stale])")
        expect(fresh.first).to_contain_text(expect_label)
        return self

    def groups(self) -> list[str]:
        return [
            g.strip()
            for g in self.page.locator("#palette-results .palette-group").all_text_contents()
        ]

    def selected(self) -> str:
        return self.page.locator('#palette-results [aria-selected="true"]').inner_text()

    def press(self, key: str) -> CommandPalette:
        self.page.locator("#palette-q").press(key)
        return self

    def enter(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("#palette-q").press("Enter")

    def close(self) -> CommandPalette:
        self.page.locator("#palette-q").press("Escape")
        expect(self.page.locator("#palette")).to_be_hidden()
        return self
