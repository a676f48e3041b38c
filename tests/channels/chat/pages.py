"""Page object of the chat widget (inside its open shadow root; Playwright's CSS pierces it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client
from playwright.sync_api import Locator, Page


def sign_in(page: Page, base_url: str, user: Any) -> None:
    """Give the browser a signed-in agent's session (``/chat-demo`` is for agents)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


@dataclass
class ChatWidget:
    page: Page

    def open_demo(self, base_url: str) -> ChatWidget:
        self.page.goto(f"{base_url}/chat-demo")
        return self

    def open(self) -> ChatWidget:
        self.page.locator("#wowdesk-chat .bubble").click()
        self.page.locator("#wowdesk-chat .panel").wait_for(state="visible")
        return self

    @property
    def bubble(self) -> Locator:
        return self.page.locator("#wowdesk-chat .bubble")

    def send(self, text: str) -> None:
        self.page.locator("#wowdesk-chat .compose textarea").fill(text)
        self.page.locator("#wowdesk-chat .compose button.go").click()

    def messages(self, direction: str) -> Locator:
        return self.page.locator(f"#wowdesk-chat .log .msg.{direction}")

    def direction_of(self, text: str) -> str:
        """The direction the browser lays out the widget's message with this text in."""
        body = self.page.locator("#wowdesk-chat .log .msg .text").filter(has_text=text).first
        return str(body.evaluate("e => getComputedStyle(e).direction"))

    @property
    def typing(self) -> Locator:
        return self.page.locator("#wowdesk-chat .typing")

    @property
    def notice(self) -> Locator:
        return self.page.locator("#wowdesk-chat .notice")
