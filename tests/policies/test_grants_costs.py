"""The cost report: sums per month × group and currency (never adding currencies), counts,
the on-the-spot / approved split; supervisors only, per brand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.policies.conftest import table
from wowdesk.conversations.models import Conversation
from wowdesk.core.errors import Forbidden
from wowdesk.core.models import Brand
from wowdesk.policies import services
from wowdesk.policies.models import Grant

pytestmark = pytest.mark.django_db


def test_costs_per_month_action_and_agent(
    brand: Brand, other_brand: Brand, people: dict[str, Any], conversation: Conversation
) -> None:
    a, api = people["agents"], people["api"]
    table(brand, a["admin"])
    services.save_policy(
        a["admin"], brand.pk, action="refund", role="agent", limit="50", currency="USD"
    )

    def ask(amount: str, currency: str = "EUR", who: str = "agent") -> Grant:
        return services.request_grant(
            a[who], conversation, action="refund", amount=amount, currency=currency, reason="late"
        )

    ask("10")
    ask("20")
    ask("30", "USD")
    approved = ask("100")
    services.decide_approval(a["supervisor"], approved.approval, decision="approve")
    declined = ask("200")
    services.decide_approval(a["supervisor"], declined.approval, decision="decline")
    ask("300")  # pending: no cost yet
    last = ask("5", who="other_agent")
    month_ago = timezone.now().replace(day=1) - dt.timedelta(days=2)
    Grant.objects.filter(pk=last.pk).update(created_at=month_ago)
    today = timezone.localdate()
    start = today.replace(day=1) - dt.timedelta(days=40)
    rows = services.grant_costs(a["supervisor"], date_from=start, date_to=today, group_by="action")
    this_month = f"{today.year:04d}-{today.month:02d}"
    now_rows = {r["currency"]: r for r in rows if r["month"] == this_month}
    assert now_rows["EUR"]["total"] == Decimal("130.00")
    assert now_rows["EUR"]["count"] == 3
    assert (now_rows["EUR"]["on_the_spot"], now_rows["EUR"]["approved"]) == (2, 1)
    assert now_rows["EUR"]["approved_total"] == Decimal("100.00")
    assert now_rows["EUR"]["on_the_spot_total"] == Decimal("30.00")
    assert now_rows["USD"]["total"] == Decimal("30.00")
    assert now_rows["EUR"]["label"] == "Refund"
    earlier = [r for r in rows if r["month"] != this_month]
    assert [(r["total"], r["currency"]) for r in earlier] == [(Decimal("5.00"), "EUR")]
    by_agent = services.grant_costs(
        a["admin"], date_from=start, date_to=today, group_by="agent", currency="EUR"
    )
    assert {(r["label"], r["total"]) for r in by_agent} == {
        (a["agent"].display_name, Decimal("130.00")),
        (a["other_agent"].display_name, Decimal("5.00")),
    }
    with pytest.raises(Forbidden):
        services.grant_costs(a["agent"], date_from=start, date_to=today, group_by="action")
    # the API
    r = api["supervisor"].get("/grants/costs", group_by="reason", currency="EUR")
    assert r.status_code == 200
    assert [(x["label"], x["total"]) for x in r.json()["rows"] if x["month"] == this_month] == [
        ("late", "130.00")
    ]
    for who in ("agent", "other_agent"):
        assert api[who].get("/grants/costs").status_code == 403
    assert api["their_supervisor"].get("/grants/costs", brand=brand.pk).status_code == 403
    assert api["their_supervisor"].get("/grants/costs").json()["rows"] == []
    assert api["admin"].get("/grants/costs", brand=other_brand.pk).status_code == 403
    r = api["admin"].get("/grants/costs", group_by="planet")
    assert r.status_code == 422 and "group_by" in r.content.decode()
    r = api["admin"].get("/grants/costs", **{"from": "2026-05-02", "to": "2026-05-01"})
    assert r.status_code == 422 and r.json()["field"] == "to"
