"""``quality.agreement`` (pure): Krippendorff's alpha reproduces the literature's worked
example; perfect agreement is 1; property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wowdesk.quality import agreement

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers
# (rows), 12 units (columns), values 1–5, with missing values.
OBSERVERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
UNITS = [list(u) for u in zip(*OBSERVERS, strict=True)]


@pytest.mark.parametrize(
    ("metric", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_the_textbook_example(metric: str, expected: float) -> None:
    assert agreement.alpha(UNITS, metric) == pytest.approx(expected, abs=0.0005)


def test_edges() -> None:
    assert agreement.alpha([[1, N], [N, 2]]) is None  # nothing pairable
    assert agreement.alpha([[3, 3], [3, 3]]) == 1.0  # no variation, all agree
    assert agreement.percent_agreement([[1, 1], [1, 0]]) == 0.5
    assert agreement.percent_agreement([[1]]) is None
    # systematic disagreement is below 0
    a = agreement.alpha([[0, 1], [1, 0], [0, 1], [1, 0]], "nominal")
    assert a is not None and a < 0
    with pytest.raises(ValueError):
        agreement.alpha(UNITS, "ratio")


values = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])


@given(
    st.lists(st.lists(values, min_size=1, max_size=1), min_size=2, max_size=8), st.integers(2, 5)
)
def test_perfect_agreement_is_1(cols: list[list[float]], coders: int) -> None:
    units = [[c[0]] * coders for c in cols]
    for metric in agreement.METRICS:
        assert agreement.alpha(units, metric) == pytest.approx(1.0)
    assert agreement.percent_agreement(units) == 1.0


@given(
    st.lists(
        st.lists(st.one_of(st.none(), values), min_size=3, max_size=3), min_size=1, max_size=10
    )
)
def test_alpha_is_at_most_1_and_coder_order_does_not_matter(
    units: list[list[float | None]],
) -> None:
    for metric in agreement.METRICS:
        a = agreement.alpha(units, metric)
        b = agreement.alpha([u[::-1] for u in units], metric)
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert a <= 1.0 + 1e-9 and a == pytest.approx(b)
    p = agreement.percent_agreement(units)
    assert p is None or 0 <= p <= 1
