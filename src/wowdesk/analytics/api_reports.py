"""API: the brand's report settings.

* ``GET /api/v1/reports/settings?brand=`` — supervisors and administrators of the brand
* ``PATCH /api/v1/reports/settings?brand=`` ``{"fcr_days"?, "weekly_recipients"?,
  "weekly_emails"?, "weekly_weekday"?, "weekly_hour"?}`` — administrators

``brand`` may be left out by someone who works for one brand only.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from wowdesk.analytics import report_settings
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS

router = Router(tags=["analytics"])


class MetricsReportSettingsQuery(Schema):
    brand: int | None = None


class MetricsReportSettingsOut(Schema):
    brand: int
    fcr_days: int
    weekly_recipients: list[int]
    weekly_emails: list[str]
    weekly_weekday: int
    weekly_hour: int
    weekly_last_sent_at: dt.datetime | None


class MetricsReportSettingsPatch(Schema):
    fcr_days: int | None = None
    weekly_recipients: list[int] | None = None
    weekly_emails: list[str] | None = None
    weekly_weekday: int | None = None
    weekly_hour: int | None = None


@router.get("/reports/settings", response={200: MetricsReportSettingsOut, **ERRORS})
def get_report_settings(
    request: HttpRequest, q: Query[MetricsReportSettingsQuery]
) -> MetricsReportSettingsOut:
    brand_id = permissions.pick_brand(me(request), q.brand, Role.SUPERVISOR)
    rs = report_settings.settings_of(brand_id)
    return MetricsReportSettingsOut(**report_settings.as_dict(rs))


@router.patch("/reports/settings", response={200: MetricsReportSettingsOut, **ERRORS})
def patch_report_settings(
    request: HttpRequest, q: Query[MetricsReportSettingsQuery], payload: MetricsReportSettingsPatch
) -> MetricsReportSettingsOut:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, q.brand, Role.ADMIN)
    data = payload.model_dump(exclude_unset=True)
    rs = report_settings.do_update_settings(agent, brand_id, data)
    return MetricsReportSettingsOut(**report_settings.as_dict(rs))
