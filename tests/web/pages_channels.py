"""Page objects for the channels settings pages: inboxes, macros, tags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Page = Any


@dataclass
class InboxesPage:
    page: Page

    def open(self) -> InboxesPage:
        self.page.goto("/settings/inboxes/")
        return self

    def names(self) -> list[str]:
        return list(
            self.page.locator("#inboxes tr[data-inbox]").evaluate_all(
                "rows => rows.map(r => r.dataset.inbox)"
            )
        )

    def health(self, name: str) -> str:
        return str(
            self.page.locator(f'#inboxes tr[data-inbox="{name}"] [data-health]').inner_text()
        )

    def new(self, channel: str) -> InboxPage:
        with self.page.expect_navigation():
            self.page.locator(f'#inbox-new a[data-channel="{channel}"]').click()
        return InboxPage(self.page)


@dataclass
class InboxPage:
    page: Page

    def fill(self, **fields: str) -> InboxPage:
        for name, value in fields.items():
            field = self.page.locator(f'#inbox-form [name="{name}"]')
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        return self

    def save(self) -> InboxPage:
        with self.page.expect_navigation():
            self.page.locator("#inbox-save").click()
        return self

    def value(self, name: str) -> str:
        return str(self.page.locator(f'#inbox-form [name="{name}"]').input_value())

    def test_connection(self) -> list[tuple[bool, str]]:
        with self.page.expect_navigation():
            self.page.locator("#inbox-test button").click()
        items = self.page.locator("#probe-results li")
        return [
            (items.nth(i).get_attribute("data-ok") == "1", str(items.nth(i).inner_text()))
            for i in range(items.count())
        ]

    @property
    def shown_secret(self) -> str:
        shown = self.page.locator("#secret-shown [data-secret]")
        return str(shown.inner_text()) if shown.count() else ""

    def hint(self, key: str) -> str:
        return str(
            self.page.locator(f'#secrets tr[data-secret-key="{key}"] [data-hint]').inner_text()
        )

    def webhook_urls(self) -> list[str]:
        return list(self.page.locator("#webhook-urls [data-url]").all_inner_texts())

    def errors(self) -> dict[str, str]:
        boxes = self.page.locator("#inbox-form .error[data-field]")
        return {
            str(boxes.nth(i).get_attribute("data-field")): str(boxes.nth(i).inner_text())
            for i in range(boxes.count())
        }


@dataclass
class MacroPage:
    page: Page

    def open_new(self) -> MacroPage:
        self.page.goto("/settings/macros/")
        with self.page.expect_navigation():
            self.page.locator("#macro-new").click()
        return self

    def fill(self, name: str, variants: list[tuple[str, str]]) -> MacroPage:
        self.page.locator("#macro-name").fill(name)
        for i, (language, text) in enumerate(variants):
            self.page.locator(f"#variant-language-{i}").select_option(language)
            self.page.locator(f"#variant-body-{i}").fill(text)
        return self

    def set_status(self, value: str) -> MacroPage:
        self.page.locator("#action-status").select_option(value)
        return self

    def check_tag(self, name: str) -> MacroPage:
        self.page.locator(f'#action-tags input[value="{name}"]').check()
        return self

    def save(self) -> MacroPage:
        with self.page.expect_navigation():
            self.page.locator("#macro-form [type=submit]").click()
        return self

    def variables(self) -> list[str]:
        return list(self.page.locator("#macro-variables code").all_inner_texts())

    def heading(self) -> str:
        return str(self.page.locator("h1").inner_text())


@dataclass
class TagsPage:
    page: Page

    def open(self) -> TagsPage:
        self.page.goto("/settings/tags/")
        return self

    def names(self) -> list[str]:
        return list(self.page.locator("#tags [data-name]").all_inner_texts())

    def uses(self, name: str) -> int:
        return int(self.page.locator(f'#tags tr[data-tag="{name}"] [data-uses]').inner_text())

    def rename(self, name: str, new: str) -> TagsPage:
        row = self.page.locator(f'#tags tr[data-tag="{name}"] form[data-rename]')
        row.locator('input[name="name"]').fill(new)
        with self.page.expect_navigation():
            row.locator("button").click()
        return self

    def flash(self) -> str:
        return str(self.page.locator(".flash").first.inner_text())
