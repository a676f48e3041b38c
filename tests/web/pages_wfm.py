"""Page objects for the planner's pages of workforce management: /wfm/ (the steps and the
latest forecasts and rosters), /wfm/forecast/, /wfm/staffing/ and /wfm/adherence/."""

from __future__ import annotations

import json
from dataclasses import dataclass

from playwright.sync_api import Locator, Page


def table_rows(table: Locator) -> list[list[str]]:
    """The cells' text of a table's body, row by row (the data table under a chart)."""
    rows: list[list[str]] = table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))"
    )
    return rows


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@dataclass
class WfmHome:
    page: Page

    def open(self, brand_id: int | None = None) -> WfmHome:
        self.page.goto("/wfm/" + (f"?brand={brand_id}" if brand_id else ""))
        return self

    def steps(self) -> list[str]:
        return [t.strip() for t in self.page.locator("#wfm-home .wfm-steps li").all_inner_texts()]

    def forecast_ids(self) -> list[int]:
        ids = self.page.locator("#home-forecasts tr[data-forecast]").evaluate_all(
            "els => els.map(e => e.dataset.forecast)"
        )
        return [int(x) for x in ids]

    def forecast_status(self, forecast_id: int) -> str:
        cell = self.page.locator(f"#home-forecasts tr[data-forecast='{forecast_id}'] .wfm-status")
        return cell.inner_text().strip()

    def open_roster(self, roster_id: int) -> None:
        with self.page.expect_navigation():
            self.page.locator(f"#home-rosters tr[data-roster='{roster_id}'] a").click()

    def heading(self) -> str:
        return self.page.locator("#wfm-home h1").inner_text().strip()


@dataclass
class ForecastPage:
    page: Page

    def open(self, **params: str | int) -> ForecastPage:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        self.page.goto("/wfm/forecast/" + (f"?{query}" if query else ""))
        return self

    def error(self) -> str:
        return self.page.locator("#wfm-forecast .wfm-error[role=alert]").inner_text().strip()

    def flash(self) -> str:
        return self.page.locator(".flash-success").inner_text().strip()

    def import_csv(self, text: str, name: str = "history.csv") -> ForecastPage:
        form = self.page.locator("#forecast-import")
        form.locator("input[type=file]").set_input_files(
            {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
        )
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()
        return self

    def start(self, first_day: str, days: int = 7) -> int:
        """Start a forecast; the id of the forecast the page then shows."""
        form = self.page.locator("#forecast-start")
        form.locator("input[name=first_day]").fill(first_day)
        form.locator("input[name=days]").fill(str(days))
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()
        return self.shown_id()

    def shown_id(self) -> int:
        value = self.page.locator("#forecast-pick select[name=forecast]").input_value()
        return int(value)

    def status(self) -> str:
        return self.page.locator("#forecast-status").get_attribute("data-status") or ""

    def wait_done(self) -> ForecastPage:
        """The page refreshes itself while the forecast runs; the chart's table appears
        once it is done (it is not on the page before)."""
        self.page.locator("#forecast-status[data-status='done']").wait_for(timeout=30_000)
        self.page.locator("#forecast-values").wait_for(state="attached")
        return self

    def pick_forecast(self, forecast_id: int, queue: str) -> ForecastPage:
        """Pick a forecast (the select submits its form, with the queue shown); wait for
        the chart of ``queue`` on the new page."""
        with self.page.expect_navigation():
            self.page.locator("#forecast-pick select[name=forecast]").select_option(
                str(forecast_id)
            )
        self.page.locator("#forecast-chart-title", has_text=queue).wait_for()
        return self

    def queues(self) -> list[str]:
        return self.page.locator("#forecast-pick select[name=queue] option").evaluate_all(
            "els => els.map(e => e.value)"
        )

    def pick_queue(self, key: str) -> ForecastPage:
        """Pick a queue (the select submits its form); wait for the new page's chart title."""
        with self.page.expect_navigation():
            self.page.locator("#forecast-pick select[name=queue]").select_option(key)
        self.page.locator("#forecast-chart-title", has_text=key).wait_for()
        return self

    def chart_title(self) -> str:
        return self.page.locator("#forecast-chart-title").inner_text().strip()

    def chart_drawn(self) -> bool:
        canvas = self.page.locator("canvas[data-chart='chart-forecast']")
        canvas.and_(self.page.locator("[data-drawn='1']")).wait_for()
        return canvas.get_attribute("data-drawn") == "1"

    def chart_labels(self) -> list[str]:
        spec = json.loads(self.page.locator("#chart-forecast").text_content() or "{}")
        return [str(x) for x in spec.get("labels", [])]

    def values(self) -> list[list[str]]:
        return table_rows(self.page.locator("#forecast-values"))

    def methods(self) -> dict[str, list[str]]:
        return {r[0]: r[1:] for r in table_rows(self.page.locator("#forecast-methods"))}

    def add_special_day(
        self, date: str, factor: str, language: str = "", note: str = ""
    ) -> ForecastPage:
        form = self.page.locator("#special-add")
        form.locator("input[name=date]").fill(date)
        form.locator("input[name=factor]").fill(factor)
        form.locator("input[name=language]").fill(language)
        form.locator("input[name=note]").fill(note)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()
        return self

    def special_days(self) -> list[list[str]]:
        return [
            r[:4]
            for r in self.page.locator("#special-days tbody tr[data-day]").evaluate_all(
                "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))"
            )
        ]

    def remove_special_day(self, day_id: int) -> ForecastPage:
        with self.page.expect_navigation():
            self.page.locator(f"#special-days tr[data-day='{day_id}'] button").click()
        return self


@dataclass
class StaffingPage:
    page: Page

    def open(self, brand_id: int | None = None) -> StaffingPage:
        self.page.goto("/wfm/staffing/" + (f"?brand={brand_id}" if brand_id else ""))
        return self

    def fill(self, **fields: str) -> StaffingPage:
        form = self.page.locator("#staffing-form")
        for name, value in fields.items():
            form.locator(f"[name={name}]:not([type=radio])").fill(value)
        return self

    def paste(self, contacts: str) -> StaffingPage:
        form = self.page.locator("#staffing-form")
        form.locator("input[name=source][value=paste]").check()
        form.locator("textarea[name=contacts]").fill(contacts)
        return self

    def from_forecast(self, forecast_id: int) -> StaffingPage:
        form = self.page.locator("#staffing-form")
        form.locator("input[name=source][value=forecast]").check()
        form.locator("select[name=forecast]").select_option(str(forecast_id))
        return self

    def compute(self) -> StaffingPage:
        with self.page.expect_navigation():
            self.page.locator("#staffing-form button[type=submit]").click()
        return self

    def rows(self) -> list[list[str]]:
        return table_rows(self.page.locator("#staffing-rows"))

    def chart_drawn(self, chart: str) -> bool:
        self.page.locator(f"canvas[data-chart='{chart}'][data-drawn='1']").wait_for()
        return True

    def languages(self) -> list[str]:
        heads = self.page.locator("#staffing-languages thead th").all_text_contents()
        return [h.strip() for h in heads[1:-1]]

    def language_rows(self) -> list[list[str]]:
        return table_rows(self.page.locator("#staffing-languages"))

    def pooling(self) -> str:
        return self.page.locator("#pooling").inner_text()


@dataclass
class AdherencePage:
    page: Page

    def open(self, brand_id: int | None = None, date: str | None = None) -> AdherencePage:
        params = [f"brand={brand_id}"] if brand_id else []
        if date:
            params.append(f"date={date}")
        self.page.goto("/wfm/adherence/" + (f"?{'&'.join(params)}" if params else ""))
        return self

    def agent_ids(self) -> list[int]:
        ids = self.page.locator("#adherence-rows tbody tr[data-agent]").evaluate_all(
            "els => els.map(e => e.dataset.agent)"
        )
        return [int(x) for x in ids]

    def row(self, agent_id: int) -> Locator:
        return self.page.locator(f"#adherence-rows tr[data-agent='{agent_id}']")

    def scheduled_bars(self, agent_id: int) -> int:
        return self.row(agent_id).locator(".wfm-bar-scheduled").count()

    def exception_bars(self, agent_id: int, kind: str) -> int:
        return self.row(agent_id).locator(f".wfm-bar-{kind}").count()

    def exceptions(self, agent_id: int) -> list[str]:
        chips = self.row(agent_id).locator("td .wfm-chip").all_inner_texts()
        return [c.strip() for c in chips]

    def cells(self, agent_id: int) -> list[str]:
        return [c.strip() for c in self.row(agent_id).locator("td").all_inner_texts()]

    def out_of_adherence(self, agent_id: int) -> bool:
        return self.row(agent_id).get_attribute("data-out") == "1"

    def presence_now(self, agent_id: int) -> str:
        return self.row(agent_id).locator("[data-presence]").get_attribute("data-presence") or ""

    def wait_presence(self, agent_id: int, presence: str) -> AdherencePage:
        """The table is fetched again every 30 seconds: wait for the row saying
        ``presence`` (the table before the fetch does not)."""
        self.row(agent_id).locator(f"[data-presence='{presence}']").wait_for()
        return self

    def totals(self) -> str:
        return self.page.locator("#adherence-totals").inner_text().strip()
