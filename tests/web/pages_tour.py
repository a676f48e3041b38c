"""Page objects of the first-hour tour: an agent working the list with the keyboard (or
with taps on a phone) and an administrator's settings steps (invite, chat inbox, embed).
They find things by ids and names, never by English words, so they work in every UI
language."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, expect

IDLE = "() => !document.querySelector('.htmx-request')"


@dataclass
class SignIn:
    page: Page

    def as_(self, email: str, password: str) -> SignIn:
        self.page.goto("/login/")
        self.page.locator("#login-form input[name=username], #id_username").first.fill(email)
        self.page.locator("#id_password").fill(password)
        with self.page.expect_navigation():
            self.page.locator("#id_password").press("Enter")
        return self


@dataclass
class KeyboardAgent:
    """The workspace driven with keys only (j/k, r, n, Ctrl-Enter, e)."""

    page: Page

    @property
    def open_id(self) -> int:
        value = self.page.locator("#open-pane").get_attribute("data-conversation-id")
        return int(value or 0)

    def row_ids(self) -> list[int]:
        values = self.page.locator("#inbox-list .conv-row").evaluate_all(
            "rows => rows.map(r => r.dataset.conversationId)"
        )
        return [int(v or 0) for v in values]

    def key(self, key: str) -> KeyboardAgent:
        self.page.keyboard.press(key)
        return self

    def shortcut_keys(self) -> list[str]:
        """``?`` shows the keys; Escape closes the list again."""
        self.page.keyboard.press("?")
        self.page.locator("dialog#shortcuts").wait_for(state="visible")
        keys = [k.strip() for k in self.page.locator("dialog#shortcuts kbd").all_inner_texts()]
        self.page.keyboard.press("Escape")
        self.page.locator("dialog#shortcuts").wait_for(state="hidden")
        return keys

    def next(self) -> int:
        """j: the next conversation opens beside the list; its id."""
        before = self.open_id
        self.page.keyboard.press("j")
        self.page.wait_for_function(
            "id => { const p = document.querySelector('#open-pane');"
            " return p && p.dataset.conversationId && p.dataset.conversationId !== String(id)"
            " && !document.querySelector('.htmx-request'); }",
            arg=before,
        )
        return self.open_id

    def reply(self, text: str) -> KeyboardAgent:
        """r, type, Ctrl-Enter (the reply is sent; the page loads again)."""
        self.page.keyboard.press("r")
        self.page.wait_for_function("() => document.activeElement.id === 'composer-body'")
        self.page.keyboard.type(text)
        with self.page.expect_navigation():
            self.page.keyboard.press("Control+Enter")
        return self

    def note_mentioning(self, prefix: str, who: str, rest: str) -> list[str]:
        """n, type ``prefix @who``, pick the colleague with Enter, type ``rest``, send; the
        suggestions the popup offered."""
        self.page.keyboard.press("n")
        self.page.wait_for_function("() => document.activeElement.id === 'composer-body'")
        self.page.keyboard.type(f"{prefix} @{who}")
        popup = self.page.locator("#composer-popup li[data-index]").first
        popup.wait_for()
        offered = [
            t.strip() for t in self.page.locator("#composer-popup li[data-index]").all_inner_texts()
        ]
        self.page.keyboard.press("Enter")
        self.page.keyboard.type(rest)
        with self.page.expect_navigation():
            self.page.keyboard.press("Control+Enter")
        return offered

    def resolve(self) -> KeyboardAgent:
        with self.page.expect_navigation():
            self.page.keyboard.press("e")
        self.page.wait_for_function(IDLE)
        return self

    def body_focus(self) -> KeyboardAgent:
        """Leave any field (Escape and a click-free blur) so the list's keys work."""
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        return self


@dataclass
class PhoneAgent:
    """The same work with taps on a phone: the list and the conversation are two views."""

    page: Page

    def tap_row(self, conversation_id: int) -> PhoneAgent:
        self.page.locator(
            f'#inbox-list .conv-row[data-conversation-id="{conversation_id}"] a.conv-link'
        ).click()
        self.page.locator(f'#open-pane[data-conversation-id="{conversation_id}"]').wait_for()
        self.page.wait_for_function(IDLE)
        return self

    def reply(self, text: str) -> PhoneAgent:
        self.page.locator("#composer-body").click()
        self.page.locator("#composer-body").fill(text)
        with self.page.expect_navigation():
            self.page.locator("#send").click()
        return self

    def resolve(self) -> PhoneAgent:
        """Details (the conversation's panel slides in), then Resolve."""
        self.page.locator("#details-toggle").click()
        self.page.locator("#resolve").wait_for(state="visible")
        with self.page.expect_navigation():
            self.page.locator("#resolve").click()
        return self

    def back_to_list(self) -> PhoneAgent:
        with self.page.expect_navigation():
            self.page.locator("#back-to-list").click()
        return self


@dataclass
class InviteForm:
    """/settings/agents/: the invitation form, by field names."""

    page: Page

    def open(self) -> InviteForm:
        self.page.goto("/settings/agents/")
        return self

    def invite(self, email: str, name: str) -> InviteForm:
        form = self.page.locator("#invite-form")
        form.locator("[name=email]").fill(email)
        form.locator("[name=name]").fill(name)
        with self.page.expect_navigation():
            form.locator("[type=submit]").click()
        return self

    def listed(self, email: str) -> bool:
        return self.page.locator("#agents tbody tr", has_text=email).count() == 1


@dataclass
class NewChatInbox:
    """/settings/chat/: create a chat inbox; its widget page opens with the snippet."""

    page: Page

    def open_from_settings(self) -> NewChatInbox:
        self.page.goto("/settings/")
        with self.page.expect_navigation():
            self.page.locator('a[href="/settings/chat/"]').first.click()
        return self

    def create(self, name: str) -> ChatWidgetSettings:
        form = self.page.locator("#new-chat-inbox")
        form.locator("[name=name]").fill(name)
        with self.page.expect_navigation():
            form.locator("[type=submit]").click()
        return ChatWidgetSettings(self.page)


@dataclass
class ChatWidgetSettings:
    page: Page

    @property
    def snippet(self) -> str:
        return self.page.locator("#embed-snippet").inner_text().strip()

    def copy_snippet(self) -> str:
        """The copy button; what the clipboard then holds, once the page says it copied
        (the write is asynchronous: reading at once could race it)."""
        button = self.page.locator("#copy-snippet")
        button.click()
        expect(button).to_have_text(button.get_attribute("data-done") or "")
        return str(self.page.evaluate("() => navigator.clipboard.readText()"))

    def allow_domains(self, *domains: str) -> ChatWidgetSettings:
        self.page.locator("[name=allowed_domains]").fill("\n".join(domains))
        with self.page.expect_navigation():
            self.page.locator("#widget-form [type=submit]").click()
        return self

    @property
    def flash(self) -> str:
        return self.page.locator(".flash, .messages").first.inner_text().strip()


def serve_html(html: str) -> tuple[str, object]:
    """A plain web page on another origin (``http://localhost:<port>/``), as a customer's
    website would be; returns its URL and the server (``.shutdown()`` it afterwards)."""
    import http.server
    import threading

    body = html.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, name="embed-page", daemon=True).start()
    return f"http://localhost:{server.server_address[1]}/", server
