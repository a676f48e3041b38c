"""The survey responses' paging cursor: what a page gives comes back; anything else is
refused naming the field, never a server error."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from wowdesk.core.errors import InvalidInput
from wowdesk.surveys.api import _decode_cursor, _encode_cursor


@given(
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.just(dt.UTC),
    ),
    st.integers(min_value=1, max_value=2**62),
)
def test_a_cursor_comes_back_as_it_was_given(at: dt.datetime, pk: int) -> None:
    assert _decode_cursor(_encode_cursor(at, pk)) == (at, pk)


@given(st.text(max_size=200))
def test_any_other_text_is_refused_naming_the_cursor(text: str) -> None:
    try:
        at, pk = _decode_cursor(text)
    except InvalidInput as exc:
        assert exc.field == "cursor"
    else:
        assert at.tzinfo is not None and 0 < pk < 2**63
