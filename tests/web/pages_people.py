"""Page objects of the settings area's people pages (agents, teams, sites, SLA policies).
Selectors are ids and names, so the same steps work in every UI language."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _submit(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


@dataclass
class WeekEditor:
    """The 7 x 24 grid of week.js over the rows named ``{prefix}_{day}``."""

    page: Page
    prefix: str

    def cell(self, day: str, hour: int) -> str:
        return f'[data-week-grid] button.hour[data-day="{DAYS.index(day)}"][data-hour="{hour}"]'

    def drag(self, day: str, first_hour: int, last_hour: int, to_day: str | None = None) -> None:
        """Press on ``day`` ``first_hour``, move to (``to_day``'s) ``last_hour``, release."""
        start = self.page.locator(self.cell(day, first_hour))
        end = self.page.locator(self.cell(to_day or day, last_hour))
        # the middle of the screen: the live layer's status line may cover its top edge
        start.evaluate("e => e.scrollIntoView({block: 'center'})")
        a, b = start.bounding_box(), end.bounding_box()
        assert a is not None and b is not None
        self.page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
        self.page.mouse.down()
        self.page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=20)
        self.page.mouse.up()

    def click(self, day: str, hour: int) -> None:
        self.page.locator(self.cell(day, hour)).click()

    def row(self, day: str) -> str:
        return self.page.locator(f"#id_{self.prefix}_{day}").input_value()

    def painted(self, day: str) -> list[int]:
        cells = self.page.locator(
            f'[data-week-grid] button.hour[data-day="{DAYS.index(day)}"][aria-pressed="true"]'
        )
        return [int(c.get_attribute("data-hour") or -1) for c in cells.all()]

    @property
    def visible(self) -> bool:
        return self.page.locator("[data-week-grid]").is_visible()


@dataclass
class PeopleAgentsPage:
    page: Page

    def open(self) -> PeopleAgentsPage:
        self.page.goto("/settings/agents/")
        return self

    def invite(
        self, email: str, name: str, role: str = "agent", brand_id: int | None = None
    ) -> PeopleAgentsPage:
        form = self.page.locator("#invite-form")
        form.locator("#id_email").fill(email)
        form.locator("#id_name").fill(name)
        form.locator("#id_role").select_option(role)
        if brand_id is not None:
            form.locator("#id_brand").select_option(str(brand_id))
        _submit(self.page, "#invite-form [type=submit]")
        return self

    def open_agent(self, agent_id: int) -> AgentSettingsPage:
        with self.page.expect_navigation():
            self.page.locator(f'#agents tr[data-agent-id="{agent_id}"] a').click()
        return AgentSettingsPage(self.page)


@dataclass
class AgentSettingsPage:
    page: Page

    def open(self, agent_id: int) -> AgentSettingsPage:
        self.page.goto(f"/settings/agents/{agent_id}/")
        return self

    @property
    def week(self) -> WeekEditor:
        return WeekEditor(self.page, "shift")

    def set_language(self, index: int, code: str, level: str) -> AgentSettingsPage:
        """Row ``index`` of the languages table: a code and a level (5 native, 3 fluent,
        1 basic)."""
        row = self.page.locator("#languages tr.language-row").nth(index)
        row.locator("input[name=lang_code]").fill(code)
        row.locator("select[name=lang_level]").select_option(level)
        return self

    def add_skill(self, word: str) -> AgentSettingsPage:
        """Type a skill into the tag input and press Enter."""
        entry = self.page.locator("#agent-form .tags .tag-entry")
        entry.fill(word)
        entry.press("Enter")
        return self

    def remove_skill(self, word: str) -> AgentSettingsPage:
        self.page.locator(f'#agent-form .tags li[data-tag="{word}"] button').click()
        return self

    def skills(self) -> list[str]:
        tags = self.page.locator("#agent-form .tags li.tag")
        return [t.get_attribute("data-tag") or "" for t in tags.all()]

    def set_timezone(self, name: str) -> AgentSettingsPage:
        self.page.locator("#id_timezone").select_option(name)
        return self

    def save(self) -> AgentSettingsPage:
        _submit(self.page, "#agent-form [type=submit]")
        return self

    @property
    def flash(self) -> str:
        return self.page.locator(".flash").inner_text().strip()

    @property
    def errors(self) -> str:
        found = self.page.locator("#agent-form .error")
        return " ".join(found.all_inner_texts())


@dataclass
class TeamsSettingsPage:
    page: Page

    def open(self) -> TeamsSettingsPage:
        self.page.goto("/settings/teams/")
        return self

    def create(self, name: str, member_ids: list[int]) -> TeamsSettingsPage:
        form = self.page.locator("#team-form")
        form.locator("#id_name").fill(name)
        for pk in member_ids:
            form.locator(f'input[name=members][value="{pk}"]').check()
        _submit(self.page, "#team-form [type=submit]")
        return self

    def names(self) -> list[str]:
        return [
            t.strip() for t in self.page.locator("#teams tbody td:first-child a").all_inner_texts()
        ]


@dataclass
class SitesSettingsPage:
    page: Page

    def open(self) -> SitesSettingsPage:
        self.page.goto("/settings/sites/")
        return self

    @property
    def week(self) -> WeekEditor:
        return WeekEditor(self.page, "hours")

    def fill(
        self, name: str, timezone: str, country: str, brand_id: int, closed: str = ""
    ) -> SitesSettingsPage:
        form = self.page.locator("#site-form")
        form.locator("#id_name").fill(name)
        form.locator("#id_timezone").select_option(timezone)
        form.locator("#id_country").fill(country)
        form.locator(f'input[name=brands][value="{brand_id}"]').check()
        if closed:
            form.locator("#id_add_closed").fill(closed)
        return self

    def type_hours(self, day: str, text: str) -> SitesSettingsPage:
        self.page.locator(f"#id_hours_{day}").fill(text)
        return self

    def save(self) -> SiteSettingsPage:
        _submit(self.page, "#site-form [type=submit]")
        return SiteSettingsPage(self.page)


@dataclass
class SiteSettingsPage:
    page: Page

    def holidays(self) -> list[str]:
        """The public holidays' dates shown (YYYY-MM-DD)."""
        times = self.page.locator("#holidays ul.holidays time")
        return [t.get_attribute("datetime") or "" for t in times.all()]

    def closed_dates(self) -> list[str]:
        times = self.page.locator("#closed-dates time")
        return [t.get_attribute("datetime") or "" for t in times.all()]


@dataclass
class SlaSettingsPage:
    page: Page

    def open(self) -> SlaSettingsPage:
        self.page.goto("/settings/sla/")
        return self

    def create(
        self, name: str, first: tuple[int, int], resolution: tuple[int, int] | None = None
    ) -> SlaSettingsPage:
        form = self.page.locator("#sla-form")
        form.locator("#id_name").fill(name)
        form.locator("input[name=first_response_minutes_0]").fill(str(first[0]))
        form.locator("input[name=first_response_minutes_1]").fill(str(first[1]))
        if resolution is not None:
            form.locator("input[name=resolution_minutes_0]").fill(str(resolution[0]))
            form.locator("input[name=resolution_minutes_1]").fill(str(resolution[1]))
        _submit(self.page, "#sla-form [type=submit]")
        return self

    def row(self, name: str) -> list[str]:
        row = self.page.locator("#sla-policies tbody tr", has_text=name)
        return [c.strip() for c in row.locator("td").all_inner_texts()]
