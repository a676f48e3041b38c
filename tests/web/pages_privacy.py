"""Page objects for a customer's personal data: the conversation's "Personal data" panel
(Export data, Erase personal data) and the erasure's confirm page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page


@dataclass
class PrivacyPanel:
    page: Page

    def open(self, conversation_id: int) -> PrivacyPanel:
        self.page.goto(f"/inbox/c/{conversation_id}/")
        self.page.locator("#privacy-panel").wait_for()
        return self

    def export(self) -> dict[str, Any]:
        """Click "Export data" and read the downloaded JSON."""
        with self.page.expect_download() as info:
            self.page.locator("#privacy-export").click()
        path = info.value.path()
        with open(path, encoding="utf-8") as f:
            data: dict[str, Any] = json.load(f)
        return data

    def erase(self) -> EraseConfirmPage:
        with self.page.expect_navigation():
            self.page.locator("#privacy-erase").click()
        return EraseConfirmPage(self.page)

    def has_erase_button(self) -> bool:
        return self.page.locator("#privacy-erase").count() > 0

    @property
    def erased_line(self) -> str:
        return self.page.locator("#privacy-erased").inner_text().strip()


@dataclass
class EraseConfirmPage:
    page: Page

    @property
    def explanation(self) -> str:
        return self.page.locator("#privacy-erase-page").inner_text()

    def confirm(self, typed: str) -> EraseConfirmPage:
        self.page.get_by_label("Type the customer's email or id to confirm").fill(typed)
        with self.page.expect_navigation():
            self.page.locator("#privacy-confirm-button").click()
        return self

    @property
    def error(self) -> str:
        found = self.page.locator("#privacy-error")
        return found.inner_text().strip() if found.count() else ""
