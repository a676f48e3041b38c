"""A site's extra closed dates stop the SLA clock like public holidays do."""

from __future__ import annotations

import datetime as dt

import pytest

from wowdesk.core import services as core
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Brand
from wowdesk.routing import sla


def test_closed_dates_close_the_sites_calendar(brand: Brand) -> None:
    site = core.create_site(name="Porto", timezone_name="UTC", brand_ids=[brand.pk])
    core.update_site(site, actor=None, hours={"mon-fri": [["09:00", "17:00"]]})
    friday = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    open_cal = sla.calendar_for(site, friday)
    assert sla.add_time(open_cal, friday, 3600, True) == friday + dt.timedelta(hours=1)
    core.update_site(site, actor=None, closed_dates=["2026-12-04", "2026-12-07"])
    closed_cal = sla.calendar_for(site, friday)
    # Friday and Monday closed: an hour of business time is Tuesday 10:00
    assert sla.add_time(closed_cal, friday, 3600, True) == dt.datetime(
        2026, 12, 8, 10, 0, tzinfo=dt.UTC
    )


@pytest.mark.parametrize("bad", ["2026-02-30", "tomorrow", "26-12-24", ""])
def test_a_closed_date_is_a_date(brand: Brand, bad: str) -> None:
    site = core.create_site(name="Porto", timezone_name="UTC", brand_ids=[brand.pk])
    with pytest.raises(InvalidInput) as exc:
        core.update_site(site, actor=None, closed_dates=["2026-12-24", bad])
    assert exc.value.field == "closed_dates"
    site.refresh_from_db()
    assert site.closed_dates == []
