"""Page objects: what a test may do on a page, so selectors live in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page


def swap_inbox_list(page: Page, act: Callable[[], object], param: str, value: str) -> None:
    """Run ``act`` (a change of the list's filters) and wait for the list htmx brings for it.

    The list is swapped whole (outerHTML) and its request's busy class goes on
    ``#list-pane``, not on the list: so the old list is marked first and the wait is for an
    unmarked one, then for the URL htmx pushes once the swap has settled (``param`` is
    ``value`` in it)."""
    page.locator("#inbox-list").evaluate("e => { e.dataset.stale = '1'; }")
    act()
    page.locator("#inbox-list:not([data-stale])").wait_for(state="attached")
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get(param) == [value])


@dataclass
class HomePage:
    page: Page

    def open(self) -> HomePage:
        self.page.goto("/")
        return self

    @property
    def heading(self) -> str:
        return self.page.locator("main h1").inner_text().strip()

    @property
    def language(self) -> str:
        return self.page.locator("html").get_attribute("lang") or ""

    def counts(self) -> dict[str, int]:
        """Each summary card's label → number, e.g. ``{"open": 2, "resolved": 1}``."""
        out: dict[str, int] = {}
        for card in self.page.locator("section.cards .card").all():
            number = card.locator(".n").inner_text().strip()
            label = card.inner_text().replace(number, "", 1).strip()
            out[label] = int(number.replace(",", ""))
        return out

    def brands(self) -> dict[str, int]:
        """Brand name → customer count, from the brands table."""
        out: dict[str, int] = {}
        for row in self.page.locator("main table tbody tr").all():
            cells = row.locator("td").all_inner_texts()
            if len(cells) == 2:
                out[cells[0].strip()] = int(cells[1])
        return out

    def switch_language(self, label: str) -> HomePage:
        """Pick a language in the header selector; the form posts and the page reloads."""
        with self.page.expect_navigation():
            self.page.locator("select#language").select_option(label=label)
        return self


@dataclass
class AdminLoginPage:
    page: Page

    def open(self) -> AdminLoginPage:
        self.page.goto("/admin/login/")
        return self

    def login(self, username: str, password: str) -> AdminIndexPage:
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.locator("#login-form [type=submit]").click()
        return AdminIndexPage(self.page)

    @property
    def error(self) -> str:
        errors = self.page.locator(".errornote")
        return errors.inner_text() if errors.count() else ""


@dataclass
class AdminIndexPage:
    page: Page

    @property
    def logged_in(self) -> bool:
        return self.page.locator("#logout-form").count() > 0

    def open_conversations(self) -> ConversationChangelist:
        with self.page.expect_navigation():
            self.page.locator("#content-main tr.model-conversation th a").click()
        return ConversationChangelist(self.page)


@dataclass
class ConversationChangelist:
    page: Page
    path = "/admin/conversations/conversation/"

    def open(self) -> ConversationChangelist:
        self.page.goto(self.path)
        return self

    @property
    def title(self) -> str:
        return self.page.locator("#content h1").inner_text().strip()

    def subjects(self) -> list[str]:
        return [
            s.strip() for s in self.page.locator("#result_list td.field-subject").all_inner_texts()
        ]

    def open_change_page(self, pk: int) -> tuple[str, str]:
        """Go to one conversation's change page: (the URL it lands on, the page's text)."""
        self.page.goto(f"{self.path}{pk}/change/")
        return self.page.url, self.page.locator("body").inner_text()


# --- the agent workspace --------------------------------------------------------------------


@dataclass
class LoginPage:
    page: Page

    def open(self) -> LoginPage:
        self.page.goto("/login/")
        return self

    def login(self, email: str, password: str) -> InboxPage:
        self.page.get_by_label("Email").fill(email)
        self.page.locator("#id_password").fill(password)
        with self.page.expect_navigation():
            self.page.locator("#login-form [type=submit]").click()
        return InboxPage(self.page)

    @property
    def error(self) -> str:
        errors = self.page.locator("#login-form .error")
        return errors.inner_text() if errors.count() else ""


@dataclass
class InboxPage:
    page: Page

    def open(self, query: str = "") -> InboxPage:
        self.page.goto(f"/inbox/{'?' + query if query else ''}")
        return self

    @property
    def heading(self) -> str:
        return self.page.locator("#inbox-title").inner_text().strip()

    @property
    def language(self) -> str:
        return self.page.locator("html").get_attribute("lang") or ""

    def subjects(self) -> list[str]:
        return [s.strip() for s in self.page.locator("#inbox-list .subject").all_inner_texts()]

    def count(self, view: str) -> int:
        return int(self.page.locator(f'[data-count="{view}"]').inner_text())

    def choose_view(self, view: str) -> InboxPage:
        with self.page.expect_navigation():
            self.page.locator(f'a.view-link[data-view="{view}"]').click()
        return self

    def search(self, text: str) -> InboxPage:
        """Type in the search box; htmx swaps the list (the URL follows)."""
        swap_inbox_list(self.page, lambda: self.page.locator("#q").fill(text), "q", text)
        return self

    def open_conversation(self, subject: str) -> ConversationPage:
        """Click the row: the conversation opens beside the list (htmx, no page load).

        The pane is swapped whole: the one shown before is marked, so a conversation of the
        same subject already open does not answer the wait."""
        self.page.locator("#open-pane").evaluate("e => { e.dataset.stale = '1'; }")
        self.page.locator("#inbox-list a.conv-link", has_text=subject).click()
        self.page.locator("#open-pane:not([data-stale]) #conv-title", has_text=subject).wait_for()
        self.page.wait_for_function("() => !document.querySelector('.htmx-request')")
        return ConversationPage(self.page)

    def switch_language(self, label: str) -> InboxPage:
        with self.page.expect_navigation():
            self.page.locator("select#language").select_option(label=label)
        return self

    def press(self, key: str) -> None:
        self.page.locator("body").press(key)

    @property
    def selected_subject(self) -> str:
        return self.page.locator("#inbox-list .conv-row.selected .subject").inner_text().strip()


@dataclass
class ConversationPage:
    page: Page

    def open(self, conversation_id: int) -> ConversationPage:
        self.page.goto(f"/inbox/c/{conversation_id}/")
        return self

    @property
    def title(self) -> str:
        return self.page.locator("#conv-title").inner_text().strip()

    def messages(self) -> list[tuple[str, str]]:
        """(direction, text) of every message in the thread, oldest first."""
        out: list[tuple[str, str]] = []
        for article in self.page.locator("#thread article.message").all():
            kind = next(
                c[4:]
                for c in (article.get_attribute("class") or "").split()
                if c.startswith("dir-")
            )
            body = article.locator(".body, .activity").first.inner_text().strip()
            out.append((kind, body))
        return out

    def write(self, text: str, *, note: bool = False) -> ConversationPage:
        self.page.locator("#mode-note" if note else "#mode-reply").check()
        self.page.locator("#composer-body").fill(text)
        return self

    def send(self, *, resolve: bool = False) -> ConversationPage:
        with self.page.expect_navigation():
            self.page.locator("#send-resolve" if resolve else "#send").click()
        return self

    def insert_macro(self, name: str) -> str:
        """Pick a macro; the body once its text (fetched) is in. Waits for the body to
        change, not to be non-empty: a draft already typed is not the macro."""
        before = self.page.locator("#composer-body").input_value()
        self.page.locator("#macro-picker").select_option(label=name)
        self.page.wait_for_function(
            "(b) => document.getElementById('composer-body').value !== b", arg=before
        )
        return self.page.locator("#composer-body").input_value()

    @property
    def status(self) -> str:
        return self.page.locator("#conv-status").inner_text().strip()

    @property
    def assignee(self) -> str:
        return self.page.locator("#conv-assignee").inner_text().strip()

    def shortcut(self, key: str, *, navigates: bool = True) -> ConversationPage:
        """Press a key; ``navigates``: it submits a form (a page load)."""
        if navigates:
            with self.page.expect_navigation():
                self.page.locator("body").press(key)
        else:
            self.page.locator("body").press(key)
        return self

    def switch(self, key: str) -> ConversationPage:
        """j/k: the next/previous row of the list opens beside it without a page load; waits
        until the URL and the open conversation changed."""
        before = self.page.url
        opened = self.page.locator("#open-pane").get_attribute("data-conversation-id")
        self.page.locator("body").press(key)
        self.page.wait_for_function(
            "([url, id]) => location.href !== url && document.querySelector("
            "'#open-pane[data-conversation-id]:not([data-conversation-id=\"' + id + '\"])')"
            " && !document.querySelector('.htmx-request')",
            arg=[before, opened],
        )
        return self

    @property
    def conversation_id(self) -> int:
        return int(self.page.locator("#open-pane").get_attribute("data-conversation-id") or 0)

    def customer_panel(self) -> str:
        return self.page.locator("#customer-panel").inner_text()

    def save_tags(self, text: str) -> ConversationPage:
        """Type the side panel's tags and save (the page reloads, or shows a refusal)."""
        self.page.locator("#p-tags").fill(text)
        with self.page.expect_navigation():
            self.page.locator("#props-form [type=submit]").click()
        return self

    @property
    def errors(self) -> list[str]:
        return [t.strip() for t in self.page.locator("p.flash-error").all_inner_texts()]

    @property
    def draft(self) -> str:
        return self.page.locator("#composer-body").input_value()

    def delivery(self, message_id: int) -> tuple[str, str]:
        """(state, text) of a reply's delivery line: queued, retrying, sent or failed."""
        line = self.page.locator(f"#message-{message_id} .delivery")
        return (line.get_attribute("data-delivery") or "", line.inner_text().strip())

    def wait_for_delivery(self, message_id: int, state: str) -> str:
        """Wait until the reply's delivery line shows ``state``; return its text."""
        from playwright.sync_api import expect

        line = self.page.locator(f"#message-{message_id} .delivery[data-delivery={state}]")
        expect(line).to_be_visible()
        return line.inner_text().strip()

    def mood(self, message_id: int) -> str:
        """The emotion badge of a message ("angry -0.8"), or "" while it has none."""
        badge = self.page.locator(f"#message-{message_id} .badge.emotion")
        return badge.inner_text().strip() if badge.count() else ""

    def wait_for_mood(self, message_id: int) -> str:
        """Wait until the message shows its emotion badge; return its text."""
        from playwright.sync_api import expect

        badge = self.page.locator(f"#message-{message_id} .badge.emotion")
        expect(badge).to_be_visible()
        return badge.inner_text().strip()

    def has_retry(self, message_id: int) -> bool:
        return self.page.locator(f"#message-{message_id} .retry-button").count() == 1

    def retry(self, message_id: int) -> ConversationPage:
        with self.page.expect_navigation():
            self.page.locator(f"#message-{message_id} .retry-button").click()
        return self

    def text_directions(self) -> list[tuple[str, str]]:
        """(text, the direction the browser lays it out in) of every message body, author
        name and subject: ``rtl`` for Arabic, Hebrew…, whatever the page's direction."""
        return [
            (el.inner_text().strip(), el.evaluate("e => getComputedStyle(e).direction"))
            for el in self.page.locator("#thread .body, #thread .who, #conv-title bdi").all()
        ]


@dataclass
class ShortcutsOverlay:
    page: Page

    def open_with_key(self) -> ShortcutsOverlay:
        self.page.locator("body").press("?")
        return self

    @property
    def visible(self) -> bool:
        return self.page.locator("dialog#shortcuts").is_visible()

    def keys(self) -> list[str]:
        return [k.strip() for k in self.page.locator("dialog#shortcuts kbd").all_inner_texts()]

    def close(self) -> None:
        self.page.keyboard.press("Escape")


# --- the live workspace (WebSockets) --------------------------------------------------------


@dataclass
class LiveWorkspace:
    """The live layer of any workspace page (web/static/web/live.js)."""

    page: Page

    def wait_connected(self) -> LiveWorkspace:
        self.page.locator("body[data-live=open]").wait_for(state="attached")
        return self

    def mark(self) -> LiveWorkspace:
        """Tag this page load, to tell later whether the page was reloaded."""
        self.page.evaluate("window.__liveMark = true")
        return self

    @property
    def reloaded(self) -> bool:
        return not self.page.evaluate("window.__liveMark === true")

    def wait_for_collision(self, text: str) -> str:
        from playwright.sync_api import expect

        box = self.page.locator("#collision")
        expect(box).to_contain_text(text)
        return box.inner_text().strip()

    def type(self, text: str) -> LiveWorkspace:
        """Type into the composer key by key, as a person does (no sending)."""
        self.page.locator("#composer-body").press_sequentially(text)
        return self

    def wait_for_message(self, text: str) -> str:
        from playwright.sync_api import expect

        article = self.page.locator("#thread article.message", has_text=text)
        expect(article).to_be_visible()
        return article.get_attribute("id") or ""

    def wait_for_toast(self, text: str) -> str:
        from playwright.sync_api import expect

        toast = self.page.locator("#toasts .toast", has_text=text)
        expect(toast).to_be_visible()
        return toast.inner_text()


# --- the Django admin: an agent's roles per brand -----------------------------------------


@dataclass
class AgentChangePage:
    page: Page

    def open(self, pk: int) -> AgentChangePage:
        self.page.goto(f"/admin/core/agent/{pk}/change/")
        return self

    def role_rows(self) -> list[tuple[str, str]]:
        """(brand, role) of every saved row of the "roles per brand" table."""
        rows = self.page.locator("#memberships-group tr.form-row.has_original")
        out = []
        for i in range(rows.count()):
            row = rows.nth(i)
            brand = row.locator("td.field-brand select option:checked").inner_text().strip()
            role = row.locator("td.field-role select").input_value()
            out.append((brand, role))
        return out

    def brand_choices(self) -> list[str]:
        options = self.page.locator("#memberships-group td.field-brand select").first
        texts = options.locator("option").all_inner_texts()
        return [t.strip() for t in texts if t.strip() and not t.startswith("-")]

    def set_role(self, index: int, role: str) -> AgentChangePage:
        self.page.locator(f"#id_memberships-{index}-role").select_option(role)
        return self

    def active_is_editable(self) -> bool:
        return self.page.locator("#id_is_active").count() > 0

    def save(self) -> str:
        with self.page.expect_navigation():
            self.page.locator("input[name=_save]").click()
        messages = self.page.locator("ul.messagelist li")
        return messages.first.inner_text() if messages.count() else ""


@dataclass
class RelatedPanel:
    """The side panel's "other open conversations" of the customer, with merge buttons."""

    page: Page

    @property
    def visible(self) -> bool:
        return self.page.locator("#related-panel").count() > 0

    def numbers(self) -> list[int]:
        """The conversation ids listed, in order."""
        rows = self.page.locator("#related-panel li[data-conversation]").all()
        return [int(r.get_attribute("data-conversation") or 0) for r in rows]

    def merge(self, conversation_id: int) -> None:
        """Merge that conversation into the one on the page (the page reloads)."""
        row = self.page.locator(f'#related-panel li[data-conversation="{conversation_id}"]')
        with self.page.expect_navigation():
            row.locator("button.merge").click()


@dataclass
class AgentsPage:
    """/settings/agents/: the agents of an administrator's brands and "Invite an agent"."""

    page: Page
    path = "/settings/agents/"

    def open(self) -> AgentsPage:
        self.page.goto(self.path)
        return self

    def invite(self, email: str, name: str, role: str = "Agent", languages: str = "") -> AgentsPage:
        form = self.page.locator("#invite-form")
        form.get_by_label("Email").fill(email)
        form.get_by_label("Name").fill(name)
        form.get_by_label("Role").select_option(label=role)
        form.get_by_label("Languages").fill(languages)
        with self.page.expect_navigation():
            form.locator("[type=submit]").click()
        return self

    def status_of(self, email: str) -> str:
        row = self.page.locator("#agents tbody tr", has_text=email)
        return row.locator("td").nth(4).inner_text().strip()

    @property
    def flash(self) -> str:
        return self.page.locator(".flash").inner_text().strip()


@dataclass
class SetPasswordPage:
    """The page a set-password link (invitation or reset) opens."""

    page: Page

    def open(self, link: str) -> SetPasswordPage:
        self.page.goto(link)
        return self

    def set(self, password: str) -> SetPasswordPage:
        self.page.get_by_label("New password", exact=True).fill(password)
        self.page.get_by_label("New password again").fill(password)
        with self.page.expect_navigation():
            self.page.locator("#set-password-form [type=submit]").click()
        return self

    @property
    def heading(self) -> str:
        return self.page.locator("main h1").inner_text().strip()


@dataclass
class ForgotPasswordPage:
    page: Page

    def open_from_login(self) -> ForgotPasswordPage:
        LoginPage(self.page).open()
        with self.page.expect_navigation():
            self.page.locator("#forgot-password").click()
        return self

    def ask(self, email: str) -> str:
        self.page.get_by_label("Email").fill(email)
        with self.page.expect_navigation():
            self.page.locator("#reset-form [type=submit]").click()
        return self.page.locator("main").inner_text()


@dataclass
class SupervisorBoard:
    """``/supervisor/``: agents, queues, failed deliveries and alerts, and their actions."""

    page: Page

    def open(self) -> SupervisorBoard:
        self.page.goto("/supervisor/")
        return self

    def count(self, brand_id: int, name: str) -> int:
        """A brand's ``waiting`` or ``failed`` number."""
        box = self.page.locator(f'[data-board-brand="{brand_id}"] [data-count="{name}"]')
        return int(box.inner_text().split()[0])

    def queue(self, brand_id: int) -> list[str]:
        items = self.page.locator(f'[data-board-brand="{brand_id}"] .queue li a')
        return [t.strip() for t in items.all_inner_texts()]

    def failed(self, brand_id: int) -> list[str]:
        items = self.page.locator(f'[data-board-brand="{brand_id}"] .failed-deliveries li > a')
        return [t.strip() for t in items.all_inner_texts()]

    def alerts(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".alerts li").all_inner_texts()]

    def reassign(
        self, conversation_id: int, agent_name: str, where: str = "queue"
    ) -> SupervisorBoard:
        """Pick an agent in the Reassign select of the queue's (or ``failed``) row."""
        select = self.page.locator(f"#reassign-{where}-{conversation_id}")
        select.select_option(label=agent_name)
        with self.page.expect_navigation():
            select.locator("xpath=..").locator("button").click()
        return self

    def acknowledge(self, alert_id: int) -> SupervisorBoard:
        with self.page.expect_navigation():
            self.page.locator(f'[data-alert-id="{alert_id}"] button').click()
        return self

    def set_presence(self, agent_id: int, label: str) -> SupervisorBoard:
        self.page.locator(f"#presence-{agent_id}").select_option(label=label)
        with self.page.expect_navigation():
            self.page.locator(f'tr[data-agent-id="{agent_id}"] .presence-form button').click()
        return self

    def presence(self, agent_id: int) -> str:
        return self.page.locator(f'tr[data-agent-id="{agent_id}"] .presence').inner_text().strip()

    @property
    def flash(self) -> str:
        return " ".join(self.page.locator(".messages, .flash").all_inner_texts())


# --- presence, the side panel's saves, snooze ---------------------------------------------------


@dataclass
class PresenceSwitch:
    """The header's presence switch (any workspace page)."""

    page: Page

    @property
    def state(self) -> str:
        return self.page.locator("#presence").input_value()

    def choose(self, state: str) -> PresenceSwitch:
        with self.page.expect_navigation():
            self.page.locator("#presence").select_option(state)
        return self

    def wait_for(self, state: str) -> PresenceSwitch:
        from playwright.sync_api import expect

        expect(self.page.locator("#presence")).to_have_value(state)
        return self


@dataclass
class SidePanel:
    """The conversation's side panel: fields, their save, the snooze picker."""

    page: Page

    @property
    def priority(self) -> str:
        return self.page.locator("#p-priority").input_value()

    @property
    def version(self) -> str:
        return self.page.locator("#props-panel").get_attribute("data-version") or ""

    def set_priority(self, label: str) -> SidePanel:
        self.page.locator("#p-priority").select_option(label=label)
        return self

    def save(self) -> SidePanel:
        with self.page.expect_navigation():
            self.page.locator("#props-save").click()
        return self

    def snooze(self, preset: str) -> SidePanel:
        with self.page.expect_navigation():
            self.page.locator(f"#snooze-{preset}").click()
        return self

    def snooze_until(self, local: str) -> SidePanel:
        self.page.locator("#snooze-at").fill(local)
        with self.page.expect_navigation():
            self.page.locator("#snooze-pick").click()
        return self

    def wake(self) -> SidePanel:
        with self.page.expect_navigation():
            self.page.locator("#unsnooze").click()
        return self

    @property
    def snoozed_until(self) -> str:
        found = self.page.locator("#snoozed-until")
        return found.inner_text().strip() if found.count() else ""

    def flash(self) -> str:
        return self.page.locator(".flash").inner_text().strip()

    def wait_for_priority(self, value: str) -> SidePanel:
        from playwright.sync_api import expect

        expect(self.page.locator("#p-priority")).to_have_value(value)
        return self


@dataclass
class Composer:
    page: Page

    @property
    def mode(self) -> str:
        return "note" if self.page.locator("#mode-note").is_checked() else "reply"

    def newest_message_in_view(self) -> bool:
        """Whether the thread's last message is inside the window."""
        return bool(
            self.page.evaluate(
                """() => {
                  const last = document.querySelector('#thread article.message:last-of-type');
                  if (!last) return false;
                  const r = last.getBoundingClientRect();
                  return r.bottom <= window.innerHeight + 1 && r.bottom > 0;
                }"""
            )
        )

    def first_message_in_view(self) -> bool:
        return bool(
            self.page.evaluate(
                """() => {
                  const first = document.querySelector('#thread article.message');
                  const r = first.getBoundingClientRect();
                  return r.top >= 0 && r.top < window.innerHeight;
                }"""
            )
        )


@dataclass
class AutomationsPage:
    """/settings/automations/: an administrator's automation rules and the rule form."""

    page: Page
    path = "/settings/automations/"

    def open(self) -> AutomationsPage:
        self.page.goto(self.path)
        return self

    def new_rule(
        self,
        name: str,
        *,
        event: str,
        conditions: list[tuple[str, str, str]],
        actions: list[tuple[str, str]],
    ) -> AutomationsPage:
        """Fill the form by the labels a person sees: (field, operator, value) rows and
        (action, value) rows."""
        with self.page.expect_navigation():
            self.page.locator("#new-rule").click()
        form = self.page.locator("#rule-form")
        form.get_by_label("Name").fill(name)
        form.get_by_label("When").select_option(label=event)
        for i, (field, op, value) in enumerate(conditions):
            row = form.locator(f"[data-condition='{i}']")
            row.get_by_label("Field").select_option(label=field)
            row.get_by_label("Operator").select_option(label=op)
            row.get_by_label("Value").fill(value)
        for i, (kind, value) in enumerate(actions):
            row = form.locator(f"[data-action='{i}']")
            row.get_by_label("Action").select_option(label=kind)
            row.get_by_label("Value").fill(value)
        with self.page.expect_navigation():
            form.locator("#rule-save").click()
        return self

    def names(self) -> list[str]:
        return [
            s.strip() for s in self.page.locator("#rules tbody td:first-child").all_inner_texts()
        ]

    @property
    def flash(self) -> str:
        return self.page.locator(".flash").inner_text().strip()


@dataclass
class WebhooksPage:
    """/settings/webhooks/: an administrator's webhooks and "Add a webhook"."""

    page: Page
    path = "/settings/webhooks/"

    def open(self) -> WebhooksPage:
        self.page.goto(self.path)
        return self

    def add(self, url: str, events: list[str], description: str = "") -> WebhooksPage:
        form = self.page.locator("#webhook-form")
        form.get_by_label("URL").fill(url)
        form.get_by_label("Description").fill(description)
        for event in events:
            form.get_by_label(event).check()
        with self.page.expect_navigation():
            form.locator("[type=submit]").click()
        return self

    @property
    def secret(self) -> str:
        shown = self.page.locator("#webhook-secret [data-secret]")
        return shown.inner_text().strip() if shown.count() else ""

    def urls(self) -> list[str]:
        return [s.strip() for s in self.page.locator("#webhooks tbody td a").all_inner_texts()]
