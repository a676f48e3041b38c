"""The version parsers at the edges (If-Match, the panel's field, the socket's idle
seconds): any input gives a version, "any", or a 4xx reason; never another error."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from wowdesk.conversations.services import parse_version
from wowdesk.core.errors import InvalidInput
from wowdesk.web.consumers import _seconds


@given(st.text(max_size=40))
def test_any_text_is_a_version_any_or_a_reason(raw: str) -> None:
    try:
        version = parse_version(raw, field="If-Match")
    except InvalidInput as e:
        assert e.field == "If-Match"
        return
    assert version is None or 1 <= version < 10**12


@given(st.integers(min_value=1, max_value=10**12 - 1), st.booleans(), st.booleans())
def test_every_form_of_a_tag_reads_back(n: int, quoted: bool, weak: bool) -> None:
    tag = f'"{n}"' if quoted else str(n)
    assert parse_version(("W/" if weak else "") + tag) == n


@given(
    st.one_of(
        st.none(), st.booleans(), st.floats(), st.integers(), st.text(), st.lists(st.integers())
    )
)
def test_idle_seconds_from_the_socket_are_a_number_or_nothing(value: Any) -> None:
    seconds = _seconds(value)
    assert seconds is None or 0 <= seconds <= 10**7
