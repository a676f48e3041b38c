"""Page objects of bulk actions, saved views, split and link (web/bulk.py)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page


@dataclass
class BulkList:
    """The inbox list with its row checkboxes and the bulk toolbar."""

    page: Page

    def open(self, query: str = "view=all") -> BulkList:
        self.page.goto(f"/inbox/?{query}")
        return self

    def row_ids(self) -> list[int]:
        values = self.page.locator("#inbox-list .row-check").evaluate_all(
            "boxes => boxes.map(b => b.value)"
        )
        return [int(v) for v in values]

    def tick(self, conversation_id: int, *, shift: bool = False) -> BulkList:
        box = self.page.locator(f'#inbox-list .row-check[value="{conversation_id}"]')
        box.click(modifiers=["Shift"] if shift else None)
        return self

    def selected(self) -> list[int]:
        values = self.page.locator("#inbox-list .row-check:checked").evaluate_all(
            "boxes => boxes.map(b => b.value)"
        )
        return [int(v) for v in values]

    @property
    def bar_visible(self) -> bool:
        return self.page.locator("#bulk-bar").is_visible()

    @property
    def selected_count(self) -> str:
        return self.page.locator("#bulk-bar .bulk-count .n").inner_text().strip()

    def select_page(self) -> BulkList:
        self.page.locator("#bulk-page").check()
        return self

    def select_all_matching(self) -> BulkList:
        button = self.page.locator("#bulk-bar .bulk-all")
        button.wait_for(state="visible")
        button.click()
        self.page.locator("#bulk-bar .bulk-all-on").wait_for(state="visible")
        return self

    def apply(self, action: str, value: str) -> str:
        """Pick ``value`` in the toolbar's ``action`` list; the toast's message."""
        self._forget_toast()
        self.page.locator(f'#bulk-bar select[data-action="{action}"]').select_option(value)
        return self.toast()

    def _forget_toast(self) -> None:
        """Empty the toast's message before an action: the toast is one element the script
        refills, so a message still shown from the action before would answer the wait."""
        self.page.locator("#bulk-toast .bulk-message").evaluate("e => { e.textContent = ''; }")

    def toast(self) -> str:
        """The toast's message once the server's answer has filled it."""
        toast = self.page.locator("#bulk-toast")
        toast.wait_for(state="visible")
        message = toast.locator(".bulk-message")
        self.page.wait_for_function(
            "() => document.querySelector('#bulk-toast .bulk-message').textContent.trim()"
        )
        return message.inner_text().strip()

    def undo(self) -> str:
        self._forget_toast()
        self.page.locator("#bulk-toast .bulk-undo").click()
        return self.toast()


@dataclass
class SavedViews:
    page: Page

    def save(self, name: str) -> SavedViews:
        self.page.locator(".save-view summary").click()
        self.page.locator("#save-view-name").fill(name)
        with self.page.expect_navigation():
            self.page.locator(".save-view button[type=submit]").click()
        return self

    def counts(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in self.page.locator(".saved-view").all():
            name = item.locator(".name").inner_text().strip()
            out[name] = item.locator(".count").inner_text().strip()
        return out


@dataclass
class ThreadTools:
    """A conversation's split menu and linked conversations panel."""

    page: Page

    def open(self, conversation_id: int) -> ThreadTools:
        self.page.goto(f"/inbox/c/{conversation_id}/")
        return self

    def split(self, message_id: int) -> None:
        message = self.page.locator(f"#message-{message_id}")
        message.locator(".message-menu summary").click()
        with self.page.expect_navigation():
            message.locator("button.split").click()

    def link(self, number: int) -> None:
        self.page.locator("#link-number").fill(f"#{number}")
        with self.page.expect_navigation():
            self.page.locator(".link-form button[type=submit]").click()

    def linked_numbers(self) -> list[str]:
        return [
            t.split()[0]
            for t in self.page.locator(".linked-list li[data-linked] a").all_inner_texts()
        ]
