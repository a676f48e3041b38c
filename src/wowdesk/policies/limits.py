"""Which line of a brand's policy table applies to an agent, and whether a grant fits it.

Pure: no Django. ``policies/services.py`` loads the lines and the month's spending and asks
this module; the property tests (``tests/policies/test_limits_props.py``) pin the rules:

* a line applies to an agent when it is enabled, is for the action, its role ranks at or
  below the agent's role in the brand (a supervisor may do what an agent may), the agent's
  tenure reached its ``min_tenure_months``, its team (if any) is one of the agent's teams,
  and, for money, its currency is the grant's;
* among those, the one with the highest role, then the highest tenure, then a team line
  before a brand-wide one, then the highest limit (no limit is the highest);
* a grant fits when its amount is at most the line's limit, and the month's total of the
  agent (or of the team, for a team line) plus this grant stays within the monthly budget.
  Actions without an amount count 1 against a budget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ROLE_RANK = {"agent": 0, "supervisor": 1, "admin": 2}
MONEY = "money"

GRANTED = "granted"
PENDING = "pending_approval"
WHY_LIMIT = "limit"
WHY_BUDGET = "budget"
WHY_NO_POLICY = "no_policy"


@dataclass(frozen=True)
class Line:
    """One policy line as the rules see it."""

    id: int
    action: str
    role: str
    min_tenure_months: int = 0
    limit: Decimal | None = None
    unit: str = MONEY
    currency: str = ""
    monthly_budget: Decimal | None = None
    team_id: int | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Outcome:
    status: str  # granted | pending_approval
    why: str = ""  # limit | budget | no_policy (pending only)


def tenure_months(hired_on: dt.date, today: dt.date) -> int:
    """Whole months from ``hired_on`` to ``today`` (0 before the first month is complete;
    never negative)."""
    months = (today.year - hired_on.year) * 12 + (today.month - hired_on.month)
    if today.day < hired_on.day:
        months -= 1
    return max(months, 0)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    first = day.replace(day=1)
    return (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else (first.replace(month=first.month + 1))
    )


def applies(
    line: Line,
    *,
    action: str,
    role: str,
    tenure: int,
    team_ids: Iterable[int] = (),
    currency: str = "",
) -> bool:
    if not line.enabled or line.action != action:
        return False
    if ROLE_RANK.get(line.role, 99) > ROLE_RANK.get(role, -1):
        return False
    if line.min_tenure_months > tenure:
        return False
    if line.team_id is not None and line.team_id not in set(team_ids):
        return False
    return not (line.unit == MONEY and line.currency.upper() != (currency or "").upper())


def _rank(line: Line) -> tuple[int, int, int, int, Decimal]:
    no_limit = 1 if line.limit is None else 0
    return (
        ROLE_RANK.get(line.role, 0),
        line.min_tenure_months,
        1 if line.team_id is not None else 0,
        no_limit,
        line.limit if line.limit is not None else Decimal(0),
    )


def pick(
    lines: Iterable[Line],
    *,
    action: str,
    role: str,
    tenure: int,
    team_ids: Iterable[int] = (),
    currency: str = "",
) -> Line | None:
    """The line that applies (see the module's rules), or None."""
    teams = set(team_ids)
    fitting = [
        ln
        for ln in lines
        if applies(ln, action=action, role=role, tenure=tenure, team_ids=teams, currency=currency)
    ]
    if not fitting:
        return None
    return max(fitting, key=lambda ln: (_rank(ln), -ln.id))


def weight(amount: Decimal | None) -> Decimal:
    """What one grant counts against a budget: its amount, or 1 without one."""
    return amount if amount is not None else Decimal(1)


def decide(line: Line | None, amount: Decimal | None, spent: Decimal = Decimal(0)) -> Outcome:
    """Granted on the spot, or pending with the reason. ``spent``: the month's total of
    on-the-spot grants already counted against the line's budget."""
    if line is None:
        return Outcome(PENDING, WHY_NO_POLICY)
    if line.limit is not None and amount is not None and amount > line.limit:
        return Outcome(PENDING, WHY_LIMIT)
    if line.monthly_budget is not None and spent + weight(amount) > line.monthly_budget:
        return Outcome(PENDING, WHY_BUDGET)
    return Outcome(GRANTED)


def remaining(line: Line, spent: Decimal) -> Decimal | None:
    """What is left of the line's monthly budget (None: no budget)."""
    if line.monthly_budget is None:
        return None
    return max(line.monthly_budget - spent, Decimal(0))
