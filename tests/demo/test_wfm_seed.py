"""``wowdesk demo`` seeds workforce planning: imported volume history, a finished forecast
of next week with values per queue, presence spans today for the adherence page, a pending
time-off request; a second run writes none of them again."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from rich.console import Console

from wowdesk.core.models import Brand
from wowdesk.demo import catalog
from wowdesk.demo.seed import DemoReport, DemoSize, seed_demo
from wowdesk.demo.seed_wfm import next_monday, seed_wfm
from wowdesk.routing.models import PresenceSpan
from wowdesk.wfm import history
from wowdesk.wfm.models import Forecast, ForecastValue, RunStatus, ShiftRequest, VolumeRecord

SLUGS = [b.slug for b in catalog.BRANDS]


def quiet() -> Console:
    return Console(file=io.StringIO(), width=120)


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoReport]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(DemoSize(customers=12, conversations=80), seed=5, console=quiet())
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_each_brand_has_a_done_forecast_of_next_week_with_values_per_queue(
    seeded: DemoReport,
) -> None:
    assert seeded.wfm is not None and seeded.wfm.forecasts == len(SLUGS)
    for brand in Brand.objects.filter(slug__in=SLUGS):
        monday = next_monday(history.planning_zone(brand.pk), dt.datetime.now(dt.UTC))
        forecast = Forecast.objects.get(brand=brand, first_day=monday)
        assert forecast.status == RunStatus.DONE and forecast.days == 7
        imported = set(
            VolumeRecord.objects.filter(brand=brand).values_list("language", "channel").distinct()
        )
        assert len(imported) >= 3
        per_queue = {
            (r["language"], r["channel"]): r
            for r in ForecastValue.objects.filter(forecast=forecast)
            .values("language", "channel")
            .annotate(n=Count("id"), total=Sum("contacts"))
        }
        for queue in imported:
            # a week of half hours (give or take a clock change), and real volume
            assert 7 * 48 - 2 <= per_queue[queue]["n"] <= 7 * 48 + 2
            assert per_queue[queue]["total"] > 50
            key = f"{queue[0]}/{queue[1]}"
            assert forecast.queues["queues"][key]["method"]


@pytest.mark.django_db
def test_the_history_has_a_weekday_pattern_and_covers_sixteen_weeks(seeded: DemoReport) -> None:
    brand = Brand.objects.get(slug=SLUGS[0])
    tz = history.planning_zone(brand.pk)
    monday = next_monday(tz, dt.datetime.now(dt.UTC))
    queues = history.queue_histories(brand.pk, until=monday, weeks=16, interval_minutes=30, tz=tz)
    biggest = max(queues, key=lambda q: q.contacts)
    days = biggest.series.values.sum(axis=1)
    present = biggest.series.present
    assert present[:7].all()  # imported from the first day the forecast reads
    weekday = [days[d] for d in range(len(days)) if present[d] and d % 7 < 5]
    weekend = [days[d] for d in range(len(days)) if present[d] and d % 7 >= 5]
    assert sum(weekday) / len(weekday) > 1.4 * sum(weekend) / len(weekend)


@pytest.mark.django_db
def test_presence_spans_today_and_a_pending_request(seeded: DemoReport) -> None:
    assert seeded.wfm is not None
    # some site's shift of its today has begun at any hour of the day (Manila, Berlin,
    # Toronto): its agents were online, and one was away or offline in the shift
    spans = PresenceSpan.objects.filter(start__gte=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    assert spans.count() == seeded.wfm.spans > 0
    assert spans.filter(presence="online").exists()
    assert spans.exclude(presence="online").exists()
    for slug in SLUGS:
        assert ShiftRequest.objects.filter(brand__slug=slug, status="pending").count() == 1


@pytest.mark.django_db
def test_a_second_run_writes_nothing(seeded: DemoReport) -> None:
    before = (
        VolumeRecord.objects.count(),
        Forecast.objects.count(),
        ForecastValue.objects.count(),
        PresenceSpan.objects.count(),
        ShiftRequest.objects.count(),
    )
    again = seed_wfm(SLUGS, seed=5)
    assert (again.imported, again.forecasts, again.spans, again.requests) == (0, 0, 0, 0)
    after = (
        VolumeRecord.objects.count(),
        Forecast.objects.count(),
        ForecastValue.objects.count(),
        PresenceSpan.objects.count(),
        ShiftRequest.objects.count(),
    )
    assert after == before
