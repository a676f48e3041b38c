"""Page object of the reply composer (web/_composer.html, static/web/composer.js)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page


@dataclass
class Composer:
    page: Page

    def open(self, conversation_id: int) -> Composer:
        self.page.goto(f"/inbox/c/{conversation_id}/")
        self.page.wait_for_selector("#composer[data-composer-ready]", state="attached")
        return self

    @property
    def body(self) -> str:
        return self.page.locator("#composer-body").input_value()

    @property
    def mode(self) -> str:
        return "note" if self.page.locator("#mode-note").is_checked() else "reply"

    def tab(self, mode: str) -> Composer:
        self.page.locator(f"#mode-{mode}").check()
        return self

    def tab_labels(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".composer-tab").all_inner_texts()]

    def focus(self) -> Composer:
        self.page.locator("#composer-body").focus()
        return self

    def type(self, text: str) -> Composer:
        """Typed key by key at the caret, as a person types (the popups listen to that)."""
        self.page.locator("#composer-body").press_sequentially(text)
        return self

    def press(self, key: str) -> Composer:
        self.page.locator("#composer-body").press(key)
        return self

    def popup(self) -> list[str]:
        """The suggestions shown (macros or colleagues), in order; [] when closed."""
        popup = self.page.locator("#composer-popup")
        if popup.is_hidden():
            return []
        # each part of an item (avatar initials, then the label) as a word: how innerText
        # separates flex items varies
        texts: list[str] = popup.locator("li").evaluate_all(
            """items => items.map(li => Array.from(li.childNodes)
                .map(n => n.textContent.trim()).filter(Boolean).join(' '))"""
        )
        return [" ".join(t.split()) for t in texts]

    def wait_popup(self) -> list[str]:
        self.page.wait_for_selector("#composer-popup li")
        return self.popup()

    def active_suggestion(self) -> str:
        return self.page.locator("#composer-popup li.is-active").inner_text().strip()

    def wait_body(self, predicate_js: str) -> str:
        """Wait until ``predicate_js`` (a JS expression on ``v``, the body) holds."""
        self.page.wait_for_function(
            f"() => {{ const v = document.getElementById('composer-body').value; "
            f"return {predicate_js}; }}"
        )
        return self.body

    def caret(self, position: int) -> Composer:
        self.page.evaluate(
            "(p) => { const b = document.getElementById('composer-body'); b.focus();"
            " b.setSelectionRange(p, p); }",
            position,
        )
        return self

    def emoji(self, search: str) -> list[str]:
        """Open the picker and search; the emoji offered."""
        if self.page.locator("#composer-emoji").is_hidden():
            self.page.locator("#emoji-toggle").click()
        self.page.locator("#emoji-search").fill(search)
        self.page.wait_for_selector("#emoji-grid button.emoji")
        return self.page.locator("#emoji-grid button.emoji").all_inner_texts()

    def pick_emoji(self, index: int = 0) -> Composer:
        self.page.locator("#emoji-grid button.emoji").nth(index).click()
        return self

    def drop_file(self, name: str, content: str, mime: str = "text/plain") -> Composer:
        """A synthetic drop of one file on the composer."""
        self.page.evaluate(
            """([name, content, mime]) => {
              const dt = new DataTransfer();
              dt.items.add(new File([content], name, { type: mime }));
              const form = document.getElementById('composer');
              const init = { dataTransfer: dt, bubbles: true, cancelable: true };
              form.dispatchEvent(new DragEvent('dragover', init));
              form.dispatchEvent(new DragEvent('drop', init));
            }""",
            [name, content, mime],
        )
        return self

    def paste_image(self, size: int = 68) -> Composer:
        """A synthetic paste of a PNG (as a screenshot from the clipboard) into the body."""
        self.page.evaluate(
            """(size) => {
              const bytes = new Uint8Array(size); bytes.set([137, 80, 78, 71, 13, 10, 26, 10]);
              const dt = new DataTransfer();
              dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
              const body = document.getElementById('composer-body');
              const init = { clipboardData: dt, bubbles: true, cancelable: true };
              body.dispatchEvent(new ClipboardEvent('paste', init));
            }""",
            size,
        )
        return self

    def chips(self) -> list[str]:
        return [
            " ".join(t.split())
            for t in self.page.locator("#composer-files .composer-file").all_inner_texts()
        ]

    def remove_chip(self, index: int) -> Composer:
        self.page.locator("#composer-files .composer-file button").nth(index).click()
        return self

    def copies(self, cc: str = "", bcc: str = "") -> Composer:
        if not self.page.locator("#composer-cc").is_visible():
            self.page.locator("#composer-copies summary").click()  # "Cc/Bcc" folds them away
        self.page.locator("#composer-cc").fill(cc)
        self.page.locator("#composer-bcc").fill(bcc)
        return self

    def has_copies(self) -> bool:
        return self.page.locator("#composer-cc").count() > 0

    def copies_visible(self) -> bool:
        return self.page.locator("#composer-copies").is_visible()

    def send(self) -> Composer:
        with self.page.expect_navigation():
            self.page.locator("#send").click()
        self.page.wait_for_selector("#composer[data-composer-ready]", state="attached")
        return self

    def send_refused(self) -> str:
        """Send, stay on the page, and read the refusal shown next to the composer.

        The error line is one element the script fills and shows: a refusal still shown
        from an earlier send is cleared first, so the one waited for is this send's."""
        self.page.locator("#composer-error").evaluate(
            "e => { e.textContent = ''; e.hidden = true; }"
        )
        self.page.locator("#send").click()
        self.page.wait_for_selector("#composer-error:not([hidden])")
        return self.page.locator("#composer-error").inner_text().strip()

    def flash(self) -> str:
        return " ".join(self.page.locator(".flash").all_inner_texts())
