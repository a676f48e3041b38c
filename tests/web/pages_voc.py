"""Page objects for the voice of the customer (/reports/topics/) and the WOW wall (/wow/)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page


@dataclass
class WowWallPage:
    page: Page

    def open(self, query: str = "") -> WowWallPage:
        self.page.goto(f"/wow/{query}")
        return self

    def cards(self) -> Locator:
        return self.page.locator("li.wow-card")

    def stories(self) -> list[str]:
        return [s.strip() for s in self.page.locator("li.wow-card .wow-story").all_inner_texts()]

    def agents(self) -> list[str]:
        return [s.strip() for s in self.page.locator("li.wow-card .wow-agent").all_inner_texts()]

    def filter_agent(self, name: str) -> WowWallPage:
        self.page.select_option("#wow-agent", label=name)
        with self.page.expect_navigation():
            self.page.locator("#wow-filters button[type=submit]").click()
        return self

    def hide(self, story_id: int) -> WowWallPage:
        with self.page.expect_navigation():
            self.page.locator(f"li[data-story-id='{story_id}'] .wow-hide button").click()
        return self


@dataclass
class NominatePanel:
    """The "Nominate for the WOW wall" form in a conversation's side panel."""

    page: Page

    def open(self, conversation_id: int) -> NominatePanel:
        self.page.goto(f"/inbox/c/{conversation_id}/")
        return self

    def nominate(self, story: str) -> NominatePanel:
        self.page.fill("#wow-story", story)
        with self.page.expect_navigation():
            self.page.locator("#wow-nominate-form button[type=submit]").click()
        return self


@dataclass
class TopicsPage:
    page: Page

    def open(self) -> TopicsPage:
        self.page.goto("/reports/topics/")
        return self

    def topic_ids(self) -> list[int]:
        return [
            int(x or 0)
            for x in self.page.locator("#voc-topics tr[data-topic-id]").evaluate_all(
                "els => els.map(e => e.dataset.topicId)"
            )
        ]

    def driver_ids(self) -> list[int]:
        return [
            int(x or 0)
            for x in self.page.locator("#voc-drivers tr[data-topic-id]").evaluate_all(
                "els => els.map(e => e.dataset.topicId)"
            )
        ]

    def cell(self, topic_id: int, name: str) -> str:
        row = self.page.locator(f"#voc-topics tr[data-topic-id='{topic_id}']")
        return row.locator(f"td[data-{name}]").inner_text().strip()

    def drill(self, topic_id: int) -> TopicsPage:
        with self.page.expect_navigation():
            self.page.locator(f"#voc-drivers tr[data-topic-id='{topic_id}'] a").click()
        return self

    def member_conversations(self) -> list[int]:
        return [
            int(x or 0)
            for x in self.page.locator("#voc-members li[data-conversation-id]").evaluate_all(
                "els => els.map(e => e.dataset.conversationId)"
            )
        ]
