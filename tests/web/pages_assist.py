"""Page object of knowledge for agents: the Suggestions panel of an open conversation and
the composer's knowledge search (knowledge/_suggestions_panel.html, static/knowledge/assist.js)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page


@dataclass
class Assist:
    page: Page

    def open(self, conversation_id: int) -> Assist:
        self.page.goto(f"/inbox/c/{conversation_id}/")
        self.page.wait_for_selector("#composer[data-composer-ready]", state="attached")
        return self

    # --- the panel -------------------------------------------------------------------------

    def panel(self) -> Locator:
        return self.page.locator("[data-kb-assist]")

    def wait_suggestions(self) -> Assist:
        """Until the panel's content has come (articles and macros, or "none").

        The page carries a placeholder ("Looking for…", a ``.muted`` line with a
        ``<noscript>`` link) that htmx replaces with the answer: wait until it is gone, not
        for a ``.muted`` line, which the placeholder itself is."""
        self.page.locator("#kb-suggestions:not(:has(noscript))").wait_for(state="attached")
        return self

    def article_titles(self) -> list[str]:
        return [
            t.strip()
            for t in self.page.locator("#kb-suggested-articles .kb-title").all_inner_texts()
        ]

    def macro_names(self) -> list[str]:
        return [
            t.strip() for t in self.page.locator("#kb-suggested-macros .kb-title").all_inner_texts()
        ]

    def suggested(self, article_id: int) -> Locator:
        return self.page.locator(f"#kb-suggested-articles [data-kb-article='{article_id}']")

    def insert_text(self, item: Locator) -> Assist:
        item.locator(".kb-insert-text").click()
        return self

    def insert_link(self, item: Locator) -> Assist:
        item.locator(".kb-insert-link").click()
        return self

    def solved(self, item: Locator) -> str:
        item.locator(".kb-solved").click()
        return item.locator(".kb-solved-mark").inner_text().strip()

    def propose(self, item: Locator, text: str) -> str:
        item.locator(".kb-propose summary").click()
        item.locator("textarea[name=body]").fill(text)
        item.locator(".kb-propose-send").click()
        return item.locator(".kb-propose-result").inner_text().strip()

    # --- the composer ---------------------------------------------------------------------

    @property
    def body(self) -> str:
        return self.page.locator("#composer-body").input_value()

    def wait_body(self, fragment: str) -> str:
        self.page.wait_for_function(
            "(f) => document.getElementById('composer-body').value.includes(f)", arg=fragment
        )
        return self.body

    def shortcut(self) -> Assist:
        """Ctrl+Shift+K in the reply box opens the knowledge search."""
        self.page.locator("#composer-body").focus()
        self.page.keyboard.press("Control+Shift+K")
        self.page.wait_for_selector("#kb-search-input:focus")
        return self

    def toolbar_button(self) -> Locator:
        return self.page.locator("#kb-search-toggle")

    def search(self, words: str) -> Locator:
        """Types ``words`` into the search box; the results' list once it answered.

        The list of an earlier search is marked first: the script replaces it whole, so the
        list waited for is this search's."""
        self.page.evaluate(
            "() => document.querySelectorAll('#kb-search-list')"
            ".forEach(e => { e.dataset.stale = '1'; })"
        )
        self.page.locator("#kb-search-input").fill(words)
        self.page.locator("#kb-search-input").press("Enter")
        self.page.wait_for_selector("#kb-search-list:not([data-stale])")
        return self.page.locator("#kb-search-list")

    def close_search(self) -> Assist:
        self.page.locator("#kb-search-input").press("Escape")
        return self
