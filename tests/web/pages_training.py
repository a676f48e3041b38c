"""Page objects for the training pages: the trainee's home (/training/), the role-play
(/training/sessions/<id>/) and the team page (/training/team/)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect


@dataclass
class TrainingHome:
    page: Page

    def open(self, query: str = "") -> TrainingHome:
        self.page.goto(f"/training/{'?' + query if query else ''}")
        return self

    def assignment(self, pk: int) -> Locator:
        return self.page.locator(f"#tr-assignments li[data-assignment-id='{pk}']")

    def start(self, pk: int) -> RolePlay:
        with self.page.expect_navigation():
            self.assignment(pk).get_by_role("button", name="Start").click()
        return RolePlay(self.page)

    def session_score(self, pk: int) -> str:
        return self.page.locator(f"#tr-sessions tr[data-session-id='{pk}'] td").nth(3).inner_text()


@dataclass
class RolePlay:
    page: Page

    @property
    def messages(self) -> Locator:
        return self.page.locator("#tr-chat li.tr-msg")

    def customer_messages(self) -> list[str]:
        return [t.strip() for t in self.page.locator("#tr-chat li.tr-customer p").all_inner_texts()]

    def text(self) -> str:
        return self.page.locator("#tr-roleplay").inner_text()

    def mood(self) -> str:
        return self.page.locator("#tr-mood-label").inner_text().strip()

    def say(self, text: str) -> RolePlay:
        before = self.messages.count()
        box = self.page.get_by_label("Your answer")
        box.fill(text)
        box.press("Control+Enter")  # the keyboard way
        expect(self.messages).to_have_count(before + 2)
        return self

    def closed(self) -> bool:
        return self.page.locator("#tr-closed").is_visible()

    def finish(self) -> RolePlay:
        self.page.get_by_role("button", name="Finish").click()
        expect(self.page.locator("#tr-result")).to_be_visible()
        return self

    def score(self) -> int:
        return int(self.page.locator("#tr-score").inner_text().strip())

    def feedback(self) -> dict[str, str]:
        rows = self.page.locator("#tr-feedback tbody tr")
        out = {}
        for i in range(rows.count()):
            row = rows.nth(i)
            out[row.get_attribute("data-criterion") or ""] = row.locator("td").nth(1).inner_text()
        return out

    def expected_resolution(self) -> str:
        return self.page.locator("#tr-expected").inner_text().strip()


@dataclass
class TeamPage:
    page: Page

    def open(self, query: str = "") -> TeamPage:
        self.page.goto(f"/training/team/{'?' + query if query else ''}")
        return self

    def row(self, agent_id: int) -> dict[str, str]:
        cells = self.page.locator(f"#tr-progress tr[data-agent-id='{agent_id}'] > *")
        names = ("name", "assigned", "done", "sessions", "average", "last")
        return {n: cells.nth(i).inner_text().strip() for i, n in enumerate(names)}

    def chart_drawn(self) -> bool:
        canvas = self.page.locator("canvas[data-chart='tr-progress-data']")
        expect(canvas).to_be_visible()
        return bool(canvas.evaluate("c => !!window.Chart && !!window.Chart.getChart(c)"))
