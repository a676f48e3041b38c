"""Page objects of the chat widget (inside its open shadow root: Playwright's CSS pierces
it) and of its settings page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page

W = "#wowdesk-chat"


@dataclass
class Widget:
    page: Page
    host: str = W

    def at(self, selector: str) -> Locator:
        return self.page.locator(f"{self.host} {selector}")

    @property
    def bubble(self) -> Locator:
        return self.at(".bubble")

    @property
    def badge(self) -> Locator:
        return self.at(".bubble .badge")

    @property
    def panel(self) -> Locator:
        return self.at(".panel")

    @property
    def greeting(self) -> Locator:
        return self.at(".log .msg.greeting")

    def open(self) -> Widget:
        self.bubble.click()
        self.panel.wait_for(state="visible")
        return self

    def close(self) -> Widget:
        self.at(".head button[aria-label]").last.click()
        self.panel.wait_for(state="hidden")
        return self

    def send(self, text: str) -> None:
        self.at(".compose textarea").fill(text)
        self.at(".compose button.go").click()

    def send_file(self, path: Path) -> None:
        self.at(".compose input[type=file]").set_input_files(str(path))

    def mine(self, text: str) -> Locator:
        """The visitor's own message with this text."""
        return self.at(".log .msg.in").filter(has_text=text)

    def replies(self) -> Locator:
        return self.at(".log .msg.out:not(.greeting)")

    @property
    def images(self) -> Locator:
        return self.at(".log .msg img")

    def direction(self) -> str:
        return str(self.panel.evaluate("e => getComputedStyle(e).direction"))


@dataclass
class WidgetSettingsPage:
    page: Page

    def open(self, inbox_id: int) -> WidgetSettingsPage:
        self.page.goto(f"/settings/inboxes/{inbox_id}/widget/")
        return self

    @property
    def colour(self) -> Locator:
        return self.page.locator("#widget-form input[name=colour]")

    @property
    def contrast(self) -> Locator:
        return self.page.locator("#contrast")

    @property
    def preview(self) -> Widget:
        return Widget(self.page, "#wowdesk-chat-preview")

    def preview_colour(self) -> str:
        return str(self.preview.bubble.evaluate("e => getComputedStyle(e).backgroundColor"))

    def save(self) -> None:
        """Post the form and wait for the page it answers with (the same URL, saved or with
        the refusal), so a wait on the URL or the page cannot be met by this one."""
        with self.page.expect_navigation():
            self.page.locator("#widget-form button[type=submit]").click()
