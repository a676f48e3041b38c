"""Page objects for macros' actions: the composer's "Will also" line (web/_composer.html,
static/web/composer.js) and the macro settings page's custom field inputs."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page

from tests.web.pages_composer import Composer


@dataclass
class MacroComposer(Composer):
    """The composer, with the inserted macro's actions."""

    def insert_by_slash(self, name: str) -> MacroComposer:
        """Type ``/name`` at the end (after a space) and take the first suggestion; wait
        for the macro's text to replace what was typed."""
        before = self.body
        typed = f"{'' if not before or before[-1].isspace() else ' '}/{name}"
        self.focus().type(typed)
        self.wait_popup()
        self.press("Enter")
        self.page.wait_for_function(
            "(b) => document.getElementById('composer-body').value !== b", arg=before + typed
        )
        return self

    def pick(self, label: str) -> MacroComposer:
        """Choose a macro in the select (the fallback to "/")."""
        self.page.locator("#macro-picker").select_option(label=label)
        self.page.wait_for_function("() => document.getElementById('macro-picker').value === ''")
        return self

    def will_also(self) -> str:
        """The line under the composer ("" when hidden)."""
        line = self.page.locator("#composer-macro-actions")
        if line.is_hidden():
            return ""
        return " ".join(line.inner_text().replace("×", "").split())

    def wait_will_also(self) -> str:
        self.page.wait_for_selector("#composer-macro-actions:not([hidden])")
        return self.will_also()

    def macro_id(self) -> str:
        return self.page.locator("#composer-macro-id").input_value()

    def drop_actions(self) -> MacroComposer:
        self.page.locator("#composer-macro-drop").click()
        return self


@dataclass
class MacroSettings:
    page: Page

    def new(self) -> MacroSettings:
        self.page.goto("/settings/macros/new/")
        return self

    def fill(self, name: str, text: str) -> MacroSettings:
        self.page.locator("#macro-name").fill(name)
        self.page.locator("#variant-body-0").fill(text)
        return self

    def field_labels(self) -> list[str]:
        return [
            " ".join(t.split())
            for t in self.page.locator(
                "#action-fields label, #action-fields legend"
            ).all_inner_texts()
        ]

    def choose(self, input_name: str, value: str) -> MacroSettings:
        self.page.locator(f"select[name='{input_name}']").select_option(value)
        return self

    def type_in(self, input_name: str, value: str) -> MacroSettings:
        self.page.locator(f"input[name='{input_name}']").fill(value)
        return self

    def save(self) -> MacroSettings:
        with self.page.expect_navigation():
            self.page.locator("#macro-form [type=submit]").click()
        return self

    def errors(self) -> list[str]:
        return self.page.locator(".error[role=alert]").all_inner_texts()
