"""Page objects for the roster pages (/wfm/rosters/ and /wfm/rosters/<id>/)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page


@dataclass
class RostersPage:
    page: Page

    def open(self) -> RostersPage:
        self.page.goto("/wfm/rosters/")
        return self

    def roster_ids(self) -> list[int]:
        return [
            int(x or 0)
            for x in self.page.locator("#ro-list tr[data-roster-id]").evaluate_all(
                "els => els.map(e => e.dataset.rosterId)"
            )
        ]

    def agent_ticked(self, agent_id: int) -> bool:
        return self.page.locator(f"#ro-agent-{agent_id}").is_checked()

    def fill(self, **fields: str) -> RostersPage:
        ids = {
            "week": "#ro-week",
            "max_hours": "#ro-max-hours",
            "min_rest": "#ro-min-rest",
            "days_in_row": "#ro-days",
            "shift_hours": "#ro-shift-hours",
            "start_hours": "#ro-start-hours",
            "time_limit": "#ro-limit",
        }
        for name, value in fields.items():
            self.page.fill(ids[name], value)
        return self

    def untick(self, agent_id: int) -> RostersPage:
        self.page.locator(f"#ro-agent-{agent_id}").uncheck()
        return self

    def build(self) -> RosterPage:
        with self.page.expect_navigation():
            self.page.locator("#ro-create").click()
        return RosterPage(self.page)


@dataclass
class RosterPage:
    page: Page

    def open(self, roster_id: int) -> RosterPage:
        self.page.goto(f"/wfm/rosters/{roster_id}/")
        return self

    @property
    def roster_id(self) -> int:
        return int(self.page.locator("#ro-roster").get_attribute("data-roster-id") or 0)

    def status(self) -> str:
        return self.page.locator("#ro-status [data-status-cell]").inner_text().strip()

    def wait_solved(self) -> RosterPage:
        """The page polls its progress and reloads itself when the solver is done: wait for
        the solved page's numbers (absent while solving), then for that page's load, so its
        deferred scripts (the charts) have run."""
        self.page.locator("#ro-numbers").wait_for()
        self.page.wait_for_load_state("load")
        return self

    def number(self, name: str) -> str:
        return self.page.locator(f"#ro-numbers [data-n='{name}']").inner_text().strip()

    def heat_cells(self, language: str, level: str) -> Locator:
        return self.page.locator(f"#ro-heat .rh-cell[data-lang='{language}'][data-level='{level}']")

    def heat_text(self, language: str) -> str:
        return self.page.locator(f"#ro-heat-text p[data-lang='{language}']").inner_text()

    def sites(self) -> list[str]:
        return self.page.locator("#ro-sites section.ro-site").evaluate_all(
            "els => els.map(e => e.dataset.site)"
        )

    def shifts_of(self, agent_id: int) -> list[str]:
        row = self.page.locator(f"#ro-sites tr[data-agent-id='{agent_id}'] [data-shift]")
        return [t.split("\n")[0].strip() for t in row.all_inner_texts()]

    def chart_drawn(self) -> bool:
        return bool(
            self.page.locator("#ro-required-chart").evaluate(
                "c => !!(window.Chart && window.Chart.getChart(c))"
            )
        )

    def pick_language(self, language: str) -> RosterPage:
        self.page.select_option("#ro-lang", language)
        return self

    def publish(self) -> RosterPage:
        with self.page.expect_navigation():
            self.page.locator("#ro-publish-button").click()
        return self

    def published_note(self) -> str:
        return self.page.locator("#ro-published").inner_text().strip()

    def simulate(self, replications: int) -> RosterPage:
        self.page.fill("#ro-reps", str(replications))
        with self.page.expect_navigation():
            self.page.locator("#ro-sim-button").click()
        return self

    def simulation_summary(self) -> str:
        return self.page.locator("#ro-sim-summary").inner_text().strip()

    def simulation_charts(self) -> int:
        """How many simulation charts Chart.js drew."""
        return int(
            self.page.locator("#ro-sim-result canvas[data-sim]").evaluate_all(
                "cs => cs.filter(c => window.Chart && window.Chart.getChart(c)).length"
            )
        )
