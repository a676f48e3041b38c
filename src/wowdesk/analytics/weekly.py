"""The weekly report by email: at the brand's weekday and hour (in the time zone of its
first site, else the server's), last week's loyalty and service numbers beside the week
before, to the chosen agents (each in their UI language) and the extra addresses (in the
brand's language); once per week (``ReportSettings.weekly_last_sent_at``). HTML with
inline bars (no script in mail) and plain text, through Django's email backend (the
``WOWDESK_EMAIL_*`` relay, as invitations)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from wowdesk.analytics import report_measures, report_settings, services
from wowdesk.analytics.models import ReportSettings
from wowdesk.core import jobs
from wowdesk.core.models import Agent, Brand, Site

log = logging.getLogger(__name__)

JOB_SECONDS = 300.0
# a report whose hour passed longer ago than this (the workers were down) waits for next week
GRACE = dt.timedelta(hours=12)
# the measures in the mail, in this order
MEASURES = (
    "nps",
    "csat",
    "ces",
    "response_rate",
    "conversations",
    "first_response_business_median",
    "resolution_business_median",
    "sla_attainment",
    "fcr",
    "reopen_rate",
    "backlog",
)


def register() -> None:
    jobs.every(JOB_SECONDS, "weekly-report", "wowdesk.analytics.weekly.run")


def weekday_names() -> list[tuple[int, str]]:
    return [(i, str(WEEKDAYS[i])) for i in range(7)]


def brand_timezone(brand_id: int) -> str:
    site = Site.objects.filter(brands=brand_id).order_by("pk").first()
    return site.timezone if site is not None else settings.TIME_ZONE


def last_slot(rs: ReportSettings, tz: str, now: dt.datetime) -> dt.datetime:
    """The latest weekly send time (weekday and hour in ``tz``) at or before ``now``."""
    local = now.astimezone(ZoneInfo(tz))
    days_back = (local.weekday() - rs.weekly_weekday) % 7
    day = local.date() - dt.timedelta(days=days_back)
    slot = dt.datetime(day.year, day.month, day.day, rs.weekly_hour, tzinfo=ZoneInfo(tz))
    if slot > local:
        slot -= dt.timedelta(days=7)
    return slot.astimezone(dt.UTC)


def run(now: dt.datetime | None = None) -> int:
    """The job: send every brand's report that is due; the number of brands sent."""
    now = now or timezone.now()
    sent = 0
    for rs in ReportSettings.objects.select_related("brand").order_by("pk"):
        if not rs.weekly_emails and not rs.weekly_recipients.exists():
            continue
        tz = brand_timezone(rs.brand_id)
        slot = last_slot(rs, tz, now)
        if now - slot > GRACE:
            continue
        if rs.weekly_last_sent_at is not None and rs.weekly_last_sent_at >= slot:
            continue
        # claim the week first: two workers never send it twice
        if not report_settings.do_mark_weekly_sent(rs.brand_id, now, since=slot):
            continue
        recipients = list(rs.weekly_recipients.filter(is_active=True).select_related("user"))
        send_report(rs.brand_id, to_agents=recipients, to_emails=rs.weekly_emails, now=now)
        sent += 1
    return sent


def week_of(now: dt.datetime, tz: str) -> tuple[dt.date, dt.date]:
    """Last week: the seven days that ended yesterday (in ``tz``)."""
    today = now.astimezone(ZoneInfo(tz)).date()
    return today - dt.timedelta(days=7), today - dt.timedelta(days=1)


def numbers(brand_id: int, date_from: dt.date, date_to: dt.date, tz: str) -> dict[str, Any]:
    """The week's totals and the week before's, as ``services.metrics`` gives them."""
    viewer = _viewer(brand_id)
    query = {"from": date_from, "to": date_to, "group_by": "day", "tz": tz, "brand": brand_id}
    return services.metrics(viewer, query)


def _viewer(brand_id: int) -> Agent:
    """Whose view the report is computed in: an administrator of the brand."""
    agent = (
        Agent.objects.filter(memberships__brand_id=brand_id, memberships__role="admin")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if agent is None:
        agent = (
            Agent.objects.filter(user__is_superuser=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
    if agent is None:
        raise LookupError(f"brand {brand_id} has no administrator to compute the report as")
    return agent


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The mail's lines: each measure this week, the week before, and bars to compare."""
    totals = result.get("totals") or {}
    before = (result.get("previous") or {}).get("totals") or {}
    out = []
    for key in MEASURES:
        m = report_measures.M[key]
        c = report_measures.cell(totals, key, before)
        now_v = report_measures.pick(totals, m.path)
        prev_v = report_measures.pick(before, m.path)
        top = max(abs(v) for v in (now_v, prev_v, 1) if isinstance(v, int | float))
        out.append(
            {
                **c,
                "label": str(m.label),
                "bar": int(100 * abs(now_v) / top) if isinstance(now_v, int | float) else 0,
                "bar_before": int(100 * abs(prev_v) / top)
                if isinstance(prev_v, int | float)
                else 0,
            }
        )
    return out


def daily_nps(result: dict[str, Any]) -> list[dict[str, Any]]:
    """NPS per day of the week, for the mail's small bar chart (−100…100 → 0…100 %)."""
    days = []
    for g in result.get("groups") or []:
        value = report_measures.pick(g, ("nps", "value"))
        responses = report_measures.pick(g, ("nps", "responses")) or 0
        days.append(
            {
                "label": str(g.get("label") or g.get("key")),
                "text": report_measures.fmt(value, report_measures.SCORE),
                "responses": responses,
                "bar": int((value + 100) / 2) if isinstance(value, int | float) else 0,
            }
        )
    return days


def send_report(
    brand_id: int,
    *,
    to_agents: Iterable[Agent],
    to_emails: Iterable[str],
    now: dt.datetime | None = None,
    test: bool = False,
) -> int:
    """Mail last week's report of the brand; the number of messages sent."""
    now = now or timezone.now()
    brand = Brand.objects.get(pk=brand_id)
    tz = brand_timezone(brand_id)
    date_from, date_to = week_of(now, tz)
    result = numbers(brand_id, date_from, date_to, tz)
    base = settings.CONFIG.public_url
    context: dict[str, Any] = {
        "brand": brand,
        "date_from": date_from,
        "date_to": date_to,
        "rows": rows(result),
        "days": daily_nps(result),
        "test": test,
        "link": base + reverse("reports:index") + f"?brand={brand_id}&preset=custom"
        f"&from={date_from}&to={date_to}",
    }
    by_language: dict[str, list[str]] = {}
    for agent in to_agents:
        if agent.email:
            by_language.setdefault(agent.ui_language or brand.default_language, []).append(
                agent.email
            )
    for email in to_emails:
        by_language.setdefault(brand.default_language or "en", []).append(email)
    sent = 0
    for language, addresses in sorted(by_language.items()):
        with translation.override(language):
            subject = render_to_string("analytics/email/weekly_subject.txt", context).strip()
            text = render_to_string("analytics/email/weekly.txt", context)
            html = render_to_string("analytics/email/weekly.html", context)
        for address in sorted(set(addresses)):
            mail = EmailMultiAlternatives(subject, text, None, [address])
            mail.attach_alternative(html, "text/html")
            try:
                mail.send()
            except Exception as exc:  # one unreachable address does not stop the others
                log.warning("could not send the weekly report to %s: %s", address, exc)
                continue
            sent += 1
    if not sent and test:
        log.warning("the test report of brand %s reached nobody", brand_id)
    return sent


def subject_line(brand: Brand) -> str:
    return _("Weekly service report: %(brand)s") % {"brand": brand.name}
