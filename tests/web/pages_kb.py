"""Page objects for the knowledge base's pages (/knowledge/): the article list, the editor
(live preview, states, translations panel) and the history."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page


@dataclass
class ArticleList:
    page: Page

    def open(self, **filters: str) -> ArticleList:
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        self.page.goto(f"/knowledge/?{query}")
        return self

    def titles(self) -> list[str]:
        return [
            t.strip()
            for t in self.page.locator(
                "#kb-articles tbody tr[data-article-id] td:first-child a"
            ).all_inner_texts()
        ]

    def new(self) -> ArticleEditor:
        with self.page.expect_navigation():
            self.page.locator("#kb-new").click()
        return ArticleEditor(self.page)


@dataclass
class ArticleEditor:
    page: Page

    def open(self, article_id: int) -> ArticleEditor:
        self.page.goto(f"/knowledge/{article_id}/")
        return self

    def write(self, *, title: str, body: str, language: str | None = None) -> ArticleEditor:
        if language is not None:
            self.page.locator("#kb-language").fill(language)
        self.page.locator("#kb-title").fill(title)
        self.page.locator("#kb-body").fill(body)
        return self

    def type_body(self, text: str) -> ArticleEditor:
        """Type at the end of the body, as a person would (the live preview listens).

        What the preview shows before (the saved article's body) is marked first: htmx
        replaces the preview's content, so :meth:`live_preview_has` sees only the new one."""
        self.page.locator("#kb-preview").evaluate(
            "e => e.querySelectorAll('*').forEach(c => { c.dataset.stale = '1'; })"
        )
        self.page.locator("#kb-body").press("End")
        self.page.locator("#kb-body").type(text)
        return self

    def live_preview_has(self, selector: str) -> str:
        """Wait until the live preview, rendered after the typing, shows ``selector``; its
        text."""
        found = self.page.locator(f"#kb-preview {selector}:not([data-stale])")
        found.first.wait_for()
        return found.first.inner_text()

    def preview_button(self) -> ArticleEditor:
        with self.page.expect_navigation():
            self.page.locator("#kb-preview-button").click()
        return self

    def preview_html(self) -> str:
        return self.page.locator("#kb-preview").inner_html()

    def save(self) -> ArticleEditor:
        with self.page.expect_navigation():
            self.page.locator("#kb-save").click()
        return self

    def state_buttons(self) -> list[str]:
        return [
            b.get_attribute("data-to") or "" for b in self.page.locator("button[data-to]").all()
        ]

    def move_to(self, state: str) -> ArticleEditor:
        with self.page.expect_navigation():
            self.page.locator(f"button[data-to='{state}']").first.click()
        return self

    def status(self) -> str:
        return self.page.locator("#kb-status").get_attribute("data-status") or ""

    def article_id(self) -> int:
        return int(self.page.url.rstrip("/").rsplit("/", 1)[-1])

    def translations(self) -> dict[str, str]:
        rows = self.page.locator("#kb-translations tbody tr[data-state]").all()
        return {
            r.get_attribute("data-language") or "": r.get_attribute("data-state") or ""
            for r in rows
        }

    def translate(self, language: str) -> ArticleEditor:
        with self.page.expect_navigation():
            self.page.locator(f"a[data-translate='{language}']").click()
        return self

    def mark_up_to_date(self, language: str) -> ArticleEditor:
        with self.page.expect_navigation():
            self.page.locator(f"button[data-mark='{language}']").click()
        return self

    def history(self) -> ArticleHistory:
        with self.page.expect_navigation():
            self.page.locator("#kb-history").click()
        return ArticleHistory(self.page)


@dataclass
class ArticleHistory:
    page: Page

    def versions(self) -> list[int]:
        return [
            int(v or 0)
            for v in (
                r.get_attribute("data-version")
                for r in self.page.locator("#kb-versions tr[data-version]").all()
            )
        ]

    def added(self) -> list[str]:
        return self.page.locator("#kb-diff-body ins").all_inner_texts()

    def removed(self) -> list[str]:
        return self.page.locator("#kb-diff-body del").all_inner_texts()
