"""Page objects for "Policies and approvals": the conversation's Grant panel, the board's
approvals tile, the approvals page, Settings → Policies, the cost report, and the signed
approve/decline link's page."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect


@dataclass
class GrantPanel:
    """The "Grants" side panel of an open conversation (policies/_grant_panel.html)."""

    page: Page

    def wait_loaded(self) -> GrantPanel:
        self.page.locator("#grant-list").wait_for(state="attached")
        return self

    def grant(self, action: str, reason: str, *, amount: str = "", currency: str = "") -> str:
        """Open "Grant…", fill the form and submit; the panel's answer ("Granted", "Sent
        for approval", or the refusal)."""
        menu = self.page.locator("#grant-menu")
        if menu.get_attribute("open") is None:
            menu.locator("summary").click()
        self.page.locator("#grant-action").select_option(action)
        self.page.locator("#grant-amount").fill(amount)
        self.page.locator("#grant-currency").fill(currency)
        self.page.locator("#grant-reason").fill(reason)
        # the previous answer goes first, so the one waited for is this submission's
        self.page.evaluate(
            "document.querySelectorAll('#grant-said, #grant-error').forEach(e => e.remove())"
        )
        self.page.locator("#grant-submit").click()
        said = self.page.locator("#grant-said, #grant-error")
        said.wait_for(state="visible")
        return said.inner_text().strip()

    def options(self) -> list[str]:
        return [
            str(t).strip()
            for t in self.page.locator("#grant-action option").evaluate_all(
                "els => els.map(e => e.textContent)"
            )
        ]

    def row(self, grant_id: int) -> Locator:
        return self.page.locator(f"#grant-list li[data-grant-id='{grant_id}']")

    def status(self, grant_id: int) -> str:
        return self.row(grant_id).locator(".grant-status").inner_text().strip()

    def wait_for_status(self, grant_id: int, text: str) -> str:
        expect(self.row(grant_id).locator(".grant-status")).to_have_text(text)
        return self.status(grant_id)


@dataclass
class ApprovalsTile:
    """The approvals tile of the supervisor board (/supervisor/)."""

    page: Page

    def open(self) -> ApprovalsTile:
        self.page.goto("/supervisor/")
        return self

    def item(self, approval_id: int) -> Locator:
        return self.page.locator(
            f".board-tile[data-tile='approvals'] li[data-approval-id='{approval_id}']"
        )

    def wait_for(self, approval_id: int) -> ApprovalsTile:
        expect(self.item(approval_id)).to_be_visible()
        return self

    def ids(self) -> list[int]:
        return [
            int(x or 0)
            for x in self.page.locator(
                ".board-tile[data-tile='approvals'] li[data-approval-id]"
            ).evaluate_all("els => els.map(e => e.dataset.approvalId)")
        ]

    def text(self, approval_id: int) -> str:
        return self.item(approval_id).inner_text()

    def decide(self, approval_id: int, decision: str, note: str = "") -> ApprovalsTile:
        item = self.item(approval_id)
        if note:
            item.locator("input[name=note]").fill(note)
        label = "Approve" if decision == "approve" else "Decline"
        with self.page.expect_navigation():
            item.get_by_role("button", name=label).click()
        return self


@dataclass
class ApprovalsPage:
    page: Page

    def open(self) -> ApprovalsPage:
        self.page.goto("/policies/approvals/")
        return self

    def pending(self) -> list[int]:
        return self._ids("#approvals-pending")

    def decided(self) -> list[int]:
        return self._ids("#approvals-decided")

    def _ids(self, where: str) -> list[int]:
        return [
            int(x or 0)
            for x in self.page.locator(f"{where} li[data-approval-id]").evaluate_all(
                "els => els.map(e => e.dataset.approvalId)"
            )
        ]

    def decide(self, approval_id: int, decision: str, note: str = "") -> ApprovalsPage:
        item = self.page.locator(f"#approvals-pending li[data-approval-id='{approval_id}']")
        if note:
            item.locator("input[name=note]").fill(note)
        label = "Approve" if decision == "approve" else "Decline"
        with self.page.expect_navigation():
            item.get_by_role("button", name=label).click()
        return self

    def decided_text(self, approval_id: int) -> str:
        return self.page.locator(
            f"#approvals-decided li[data-approval-id='{approval_id}']"
        ).inner_text()


@dataclass
class PolicySettingsPage:
    """Settings → Policies (/policies/settings/): the grid, one form per line."""

    page: Page

    def open(self, brand_id: int | None = None) -> PolicySettingsPage:
        self.page.goto("/policies/settings/" + (f"?brand={brand_id}" if brand_id else ""))
        return self

    def lines(self) -> list[str]:
        return [
            x
            for x in self.page.locator("#policy-grid tr[data-line]").evaluate_all(
                "els => els.map(e => e.dataset.line)"
            )
            if x != "new"
        ]

    def add(self, **fields: str) -> PolicySettingsPage:
        return self._fill_and_save("new", fields)

    def edit(self, line: str, **fields: str) -> PolicySettingsPage:
        return self._fill_and_save(line, fields)

    def _fill_and_save(self, line: str, fields: dict[str, str]) -> PolicySettingsPage:
        ids = {
            "action": "action",
            "custom_action": "custom",
            "label": "label",
            "role": "role",
            "min_tenure_months": "tenure",
            "limit": "limit",
            "unit": "unit",
            "currency": "currency",
            "monthly_budget": "budget",
            "team": "team",
        }
        for name, value in fields.items():
            field = self.page.locator(f"#line-{line}-{ids[name]}")
            if name in ("action", "role", "unit", "team"):
                field.select_option(value)
            else:
                field.fill(value)
        with self.page.expect_navigation():
            self.page.locator(f"#policy-grid tr[data-line='{line}'] button.primary").click()
        return self

    def remove(self, line: str) -> PolicySettingsPage:
        with self.page.expect_navigation():
            self.page.locator(f"#policy-grid tr[data-line='{line}'] .pol-delete button").click()
        return self

    def value(self, line: str, field: str) -> str:
        return self.page.locator(f"#line-{line}-{field}").input_value()

    def error(self, line: str = "new") -> tuple[str, str]:
        box = self.page.locator(f"#line-{line}-error")
        return box.get_attribute("data-field") or "", box.inner_text().strip()

    def invalid(self, line: str, field: str) -> bool:
        return self.page.locator(f"#line-{line}-{field}").get_attribute("aria-invalid") == "true"

    def set_deadline(self, minutes: str) -> PolicySettingsPage:
        self.page.locator("#p-sla").fill(minutes)
        with self.page.expect_navigation():
            self.page.locator("#policy-sla button[type=submit]").click()
        return self

    def deadline(self) -> str:
        return self.page.locator("#p-sla").input_value()


@dataclass
class CostsPage:
    page: Page

    def open(self, query: str = "") -> CostsPage:
        self.page.goto("/policies/costs/" + (f"?{query}" if query else ""))
        return self

    def group_by(self, value: str) -> CostsPage:
        self.page.locator("#c-group").select_option(value)
        with self.page.expect_navigation():
            self.page.locator("#cost-filters button[type=submit]").click()
        return self

    def chart_drawn(self) -> bool:
        canvas = self.page.locator("canvas[data-chart='cost-chart']")
        expect(canvas).to_have_attribute("data-drawn", "1")
        return True

    def rows(self) -> list[list[str]]:
        out = []
        for row in self.page.locator("#cost-table tbody tr").all():
            out.append([c.strip() for c in row.locator("th, td").all_inner_texts()])
        return out

    def csv_url(self) -> str:
        return self.page.locator("#cost-csv").get_attribute("href") or ""


@dataclass
class ApproveLinkPage:
    """``/policies/approve/<token>/``: the grant and its Approve / Decline buttons."""

    page: Page

    def open(self, link: str) -> ApproveLinkPage:
        self.page.goto(link)
        return self

    @property
    def what(self) -> str:
        return self.page.locator("#approve-what").inner_text().strip()

    @property
    def status(self) -> str:
        return self.page.locator("#approve-status").inner_text().strip()

    @property
    def refused(self) -> str:
        return self.page.locator("#approve-refused").inner_text().strip()

    @property
    def done(self) -> bool:
        return self.page.locator("#approve-done").count() == 1

    @property
    def can_decide(self) -> bool:
        return self.page.locator("#approve-form").count() == 1

    def decide(self, decision: str, note: str = "") -> ApproveLinkPage:
        if note:
            self.page.get_by_label("Note (optional)").fill(note)
        button = "#approve-yes" if decision == "approve" else "#approve-no"
        with self.page.expect_navigation():
            self.page.locator(button).click()
        return self
