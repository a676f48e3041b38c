"""Page objects of the answer bot's browser test: the customer's chat widget on a shop's
page, and the agent's view of a conversation the bot handed over."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page

from tests.web.pages import ConversationPage, LoginPage
from tests.web.pages_widget import Widget


@dataclass
class CustomerChat:
    """The chat widget as the customer uses it."""

    page: Page

    def visit(self, url: str) -> CustomerChat:
        self.page.goto(url)
        self.widget = Widget(self.page).open()
        return self

    def ask(self, text: str) -> None:
        self.widget.send(text)

    def answer_with(self, text: str) -> Locator:
        """The bot's (or anyone's) reply in the chat that holds ``text``."""
        return self.widget.replies().filter(has_text=text)


@dataclass
class HandedOverConversation:
    """An agent signs in and opens the conversation the bot handed over."""

    page: Page

    def sign_in(self, email: str, password: str) -> HandedOverConversation:
        LoginPage(self.page).open().login(email, password)
        return self

    def open(self, conversation_id: int) -> HandedOverConversation:
        self.conversation = ConversationPage(self.page).open(conversation_id)
        return self

    @property
    def summary(self) -> Locator:
        """The bot's internal note (its summary of the hand-over)."""
        return self.page.locator("#thread article.message.dir-note").filter(
            has_text="Answer bot handed over"
        )

    @property
    def bot_answers(self) -> Locator:
        """The bot's answers, shown with their confidence and article."""
        return self.page.locator("#thread article.message.dir-out .badge.bot")

    def authors(self) -> list[str]:
        return [
            who.inner_text().strip()
            for who in self.page.locator("#thread article.message.dir-out .who").all()
        ]
