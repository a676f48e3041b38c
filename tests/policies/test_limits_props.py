"""Property tests of ``policies/limits.py`` (pure): which line applies, whether an amount
fits, tenure months, month bounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from wowdesk.policies import limits

ROLES = ["agent", "supervisor", "admin"]
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
lines = st.builds(
    limits.Line,
    id=st.integers(1, 10_000),
    action=st.sampled_from(["refund", "replacement"]),
    role=st.sampled_from(ROLES),
    min_tenure_months=st.integers(0, 36),
    limit=st.none() | amounts,
    unit=st.sampled_from(["money", "items"]),
    currency=st.sampled_from(["EUR", "USD", ""]),
    monthly_budget=st.none() | amounts,
    team_id=st.none() | st.integers(1, 3),
    enabled=st.booleans(),
)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


@given(
    st.lists(lines, max_size=12),
    st.sampled_from(ROLES),
    st.integers(0, 48),
    st.sets(st.integers(1, 3)),
    st.sampled_from(["EUR", "USD"]),
)
def test_the_picked_line_applies_and_no_applying_line_ranks_higher(
    table: list[limits.Line], role: str, tenure: int, teams: set[int], currency: str
) -> None:
    picked = limits.pick(
        table, action="refund", role=role, tenure=tenure, team_ids=teams, currency=currency
    )
    fitting = [
        ln
        for ln in table
        if limits.applies(
            ln, action="refund", role=role, tenure=tenure, team_ids=teams, currency=currency
        )
    ]
    if picked is None:
        assert fitting == []
        return
    assert picked in fitting
    assert picked.enabled and picked.action == "refund"
    assert limits.ROLE_RANK[picked.role] <= limits.ROLE_RANK[role]
    assert picked.min_tenure_months <= tenure
    assert picked.team_id is None or picked.team_id in teams
    assert picked.unit != "money" or picked.currency == currency
    best = max(limits.ROLE_RANK[ln.role] for ln in fitting)
    assert limits.ROLE_RANK[picked.role] == best


@given(lines, st.none() | amounts, st.decimals(min_value=0, max_value=100000, places=2))
def test_granted_means_within_the_limit_and_the_budget(
    line: limits.Line, amount: Decimal | None, spent: Decimal
) -> None:
    outcome = limits.decide(line, amount, spent)
    if outcome.status == limits.GRANTED:
        assert line.limit is None or amount is None or amount <= line.limit
        assert line.monthly_budget is None or spent + limits.weight(amount) <= line.monthly_budget
    else:
        assert outcome.why in (limits.WHY_LIMIT, limits.WHY_BUDGET)
        if outcome.why == limits.WHY_LIMIT:
            assert line.limit is not None and amount is not None and amount > line.limit
        else:
            assert line.monthly_budget is not None
            assert spent + limits.weight(amount) > line.monthly_budget


@given(st.none() | amounts)
def test_no_line_is_pending_for_no_policy(amount: Decimal | None) -> None:
    assert limits.decide(None, amount) == limits.Outcome(limits.PENDING, limits.WHY_NO_POLICY)


@given(lines, amounts, amounts)
def test_a_smaller_amount_fits_whenever_a_larger_one_does(
    line: limits.Line, a: Decimal, b: Decimal
) -> None:
    small, large = sorted((a, b))
    if limits.decide(line, large).status == limits.GRANTED:
        assert limits.decide(line, small).status == limits.GRANTED


@given(dates, dates)
def test_tenure_months_grow_with_time_and_are_never_negative(
    hired: dt.date, today: dt.date
) -> None:
    months = limits.tenure_months(hired, today)
    assert months >= 0
    if today >= hired:
        later = today + dt.timedelta(days=40)
        assert limits.tenure_months(hired, later) >= months + 1
        # a whole number of months: hired + months months is not after today
        y, m = divmod(hired.month - 1 + months, 12)
        assert (hired.year + y, m + 1) <= (today.year, today.month)
    else:
        assert months == 0


@given(dates)
def test_month_bounds_contain_the_day(day: dt.date) -> None:
    start, end = limits.month_start(day), limits.next_month(day)
    assert start <= day < end
    assert start.day == 1 and end.day == 1
    assert 28 <= (end - start).days <= 31


def test_examples() -> None:
    eur = limits.Line(id=1, action="refund", role="agent", limit=Decimal(50), currency="EUR")
    senior = limits.Line(
        id=2,
        action="refund",
        role="agent",
        min_tenure_months=12,
        limit=Decimal(100),
        currency="EUR",
    )
    assert (
        limits.pick([eur, senior], action="refund", role="agent", tenure=3, currency="EUR") == eur
    )
    assert (
        limits.pick([eur, senior], action="refund", role="agent", tenure=12, currency="EUR")
        == senior
    )
    assert limits.pick([eur], action="refund", role="agent", tenure=3, currency="USD") is None
    assert limits.tenure_months(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 0
    assert limits.tenure_months(dt.date(2026, 1, 15), dt.date(2027, 1, 15)) == 12
