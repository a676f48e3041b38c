"""Page objects of the custom fields: the settings page, the conversation's panel and the
inbox's "More filters" (web/fields.py)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page

from tests.web.pages import swap_inbox_list


@dataclass
class CustomFieldsSettings:
    page: Page

    def open(self) -> CustomFieldsSettings:
        self.page.goto("/settings/custom-fields/")
        return self

    @property
    def heading(self) -> str:
        return self.page.locator("main h1, .settings-body h1").first.inner_text().strip()

    def create(
        self,
        name: str,
        key: str,
        *,
        kind: str,
        applies_to: str = "conversation",
        options: list[str] | None = None,
        required: bool = False,
    ) -> CustomFieldsSettings:
        form = self.page.locator("#cf-new")
        form.locator("#cf-applies-to").select_option(applies_to)
        form.locator("#cf-name").fill(name)
        form.locator("#cf-key").fill(key)
        form.locator("#cf-kind").select_option(kind)
        if options:
            form.locator("#cf-options").fill("\n".join(options))
        if required:
            form.locator("#cf-required").check()
        with self.page.expect_navigation():
            form.locator("#cf-create").click()
        return self

    def keys(self) -> list[str]:
        rows = self.page.locator("tr[data-key]:not(.archived)")
        return [rows.nth(i).get_attribute("data-key") or "" for i in range(rows.count())]

    @property
    def error(self) -> str:
        found = self.page.locator("#cf-error")
        return found.inner_text() if found.count() else ""


@dataclass
class FieldsPanel:
    """The "Custom fields" panel of an open conversation."""

    page: Page

    @property
    def panel(self) -> object:
        return self.page.locator("#custom-fields-panel")

    def set(self, target: str, key: str, value: str) -> FieldsPanel:
        """Choose (a select) or type (an input) a value of one field."""
        field = self.page.locator(f"#cf-{target}-{key}")
        if (field.evaluate("e => e.tagName")).lower() == "select":
            field.select_option(value)
        else:
            field.fill(value)
        return self

    def save(self, target: str = "conversation") -> FieldsPanel:
        form = self.page.locator(f'#custom-fields-panel form[data-target="{target}"]')
        # the panel is swapped whole: mark the old one so the wait below sees only the new
        self.page.locator("#custom-fields-panel").evaluate("e => e.dataset.stale = '1'")
        with self.page.expect_response(lambda r: "/fields/" in r.url):
            form.locator("button.cf-save").click()
        fresh = "#custom-fields-panel:not([data-stale])"
        self.page.wait_for_selector(f"{fresh} [role=status], {fresh} [role=alert]")
        return self

    def value(self, target: str, key: str) -> str:
        return self.page.locator(f"#cf-{target}-{key}").input_value()

    @property
    def message(self) -> str:
        found = self.page.locator(
            "#custom-fields-panel [role=status], #custom-fields-panel [role=alert]"
        )
        return found.first.inner_text().strip() if found.count() else ""

    @property
    def refused(self) -> bool:
        return self.page.locator("#custom-fields-panel [role=alert]").count() > 0


@dataclass
class MoreFilters:
    """The inbox's "More filters" (custom fields)."""

    page: Page

    def choose(self, key: str, value: str) -> MoreFilters:
        details = self.page.locator("details[data-more-filters]")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        swap_inbox_list(
            self.page,
            lambda: self.page.locator(f"#f-cf-{key}").select_option(value),
            f"cf_{key}",
            value,
        )
        return self
