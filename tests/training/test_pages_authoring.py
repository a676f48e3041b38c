"""The scenario form's policy limits: parsed from lines and written back (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wowdesk.training.authoring import BadLine, limit_line, lines, parse_limits

ACTIONS = st.from_regex(r"[a-z][a-z_]{0,30}", fullmatch=True)
UNITS = st.sampled_from(["EUR", "USD", "JPY", "hours", "months", "days"])
LIMITS = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(float),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
)


def test_the_forms_lines() -> None:
    assert parse_limits("refund 50 EUR\n\n  replacement \nonsite_repair 48 hours") == [
        {"action": "refund", "limit": 50.0, "currency": "EUR"},
        {"action": "replacement"},
        {"action": "onsite_repair", "limit": 48.0, "unit": "hours"},
    ]
    assert lines(" a \n\n b") == ["a", "b"]
    for bad, index in (("refund lots", 0), ("ok\nrefund 5 EUR extra words", 1), ("x nan", 0)):
        with pytest.raises(BadLine) as caught:
            parse_limits(bad)
        assert caught.value.index == index
    with pytest.raises(BadLine):
        parse_limits("refund -5 EUR")


@given(st.lists(st.tuples(ACTIONS, st.one_of(st.none(), LIMITS), UNITS), max_size=6))
def test_written_back_and_read_again_it_is_the_same(
    rows: list[tuple[str, float | None, str]],
) -> None:
    items = []
    for action, limit, unit in rows:
        item: dict[str, object] = {"action": action}
        if limit is not None:
            item["limit"] = limit
            item["currency" if unit.isupper() else "unit"] = unit
        items.append(item)
    text = "\n".join(limit_line(i) for i in items)
    assert parse_limits(text) == items


@given(st.text(max_size=200))
def test_any_text_is_read_or_refused_with_its_line(text: str) -> None:
    try:
        parsed = parse_limits(text)
    except BadLine as bad:
        assert 0 <= bad.index < len(lines(text))
    else:
        assert len(parsed) == len(lines(text))
        assert all(isinstance(p["action"], str) and p["action"] for p in parsed)
