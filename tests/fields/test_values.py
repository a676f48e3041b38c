"""The pure checks of custom field values (core/custom_fields.py), by kind."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.core import custom_fields as cf

OPTIONS = ["red", "green", "blue"]
DEFS = {
    "size": {"kind": "number"},
    "note": {"kind": "text"},
    "due": {"kind": "date"},
    "color": {"kind": "dropdown", "options": OPTIONS},
    "colors": {"kind": "multiselect", "options": OPTIONS},
    "vip": {"kind": "checkbox"},
}


def refused(kind: str, value: Any, options: list[str] = OPTIONS) -> bool:
    try:
        cf.clean_value(kind, value, options)
    except cf.FieldError:
        return True
    return False


@given(st.text(max_size=1200))
@settings(max_examples=200)
def test_text_is_one_trimmed_line_of_at_most_1000(text: str) -> None:
    try:
        out = cf.clean_value("text", text)
    except cf.FieldError as exc:
        assert exc.field == "value"
        control = any(unicodedata.category(c)[0] == "C" for c in text)
        assert control or len(text.strip()) > cf.MAX_TEXT
        return
    assert out is None or (out == text.strip() and 0 < len(out) <= cf.MAX_TEXT)
    assert "\n" not in (out or "") and "\r" not in (out or "")


@pytest.mark.parametrize(
    "bad", ["a\nb", "a\rb", "tab\there", "nul\x00", "x" * 1001, 5, True, ["a"]]
)
def test_text_refused(bad: Any) -> None:
    assert refused("text", bad)


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_whole_numbers_are_kept(n: int) -> None:
    assert cf.clean_value("number", n) == n
    assert cf.clean_value("number", str(n)) == n


@given(st.floats(allow_nan=True, allow_infinity=True))
@settings(max_examples=300)
def test_numbers_are_finite_and_stored_as_json_numbers(x: float) -> None:
    try:
        out = cf.clean_value("number", x)
    except cf.FieldError:
        assert (
            not math.isfinite(x)
            or abs(x) >= 1e15
            or len(Decimal(repr(x)).normalize().as_tuple().digits) > cf.MAX_DIGITS
        )
        return
    assert isinstance(out, int | float) and not isinstance(out, bool)
    assert math.isfinite(out) and out == x


@pytest.mark.parametrize(
    "bad",
    [
        "nan",
        "NaN",
        "inf",
        "-Infinity",
        "1e999",
        "12,5",
        "",
        "0x10",
        "1_000",
        True,
        [1],
        1e15,
        {"n": 1},
    ],
)
def test_numbers_refused(bad: Any) -> None:
    assert refused("number", bad)


@given(st.dates())
def test_every_calendar_date_passes_as_iso(day: dt.date) -> None:
    text = day.isoformat()
    if len(text) == 10:
        assert cf.clean_value("date", text) == text


@pytest.mark.parametrize(
    "bad",
    [
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "24-01-01",
        "2024-1-1",
        "2024-01-01T00:00",
        20240101,
        "01/02/2024",
    ],
)
def test_dates_refused(bad: Any) -> None:
    assert refused("date", bad)


@given(st.text(max_size=20))
def test_dropdown_is_one_of_the_options(value: str) -> None:
    assert refused("dropdown", value) == (value not in OPTIONS)


@given(st.lists(st.sampled_from([*OPTIONS, "pink", "Red", ""]), max_size=6))
def test_multiselect_is_a_subset_in_option_order(values: list[str]) -> None:
    try:
        out = cf.clean_value("multiselect", values, OPTIONS)
    except cf.FieldError:
        assert not set(values) <= set(OPTIONS)
        return
    assert set(values) <= set(OPTIONS)
    assert out == ([o for o in OPTIONS if o in values] or None)


@pytest.mark.parametrize("bad", ["true", "false", 1, 0, "on", [True]])
def test_checkbox_is_a_bool(bad: Any) -> None:
    assert refused("checkbox", bad)
    assert cf.clean_value("checkbox", True) is True
    assert cf.clean_value("checkbox", False) is False


@given(
    st.dictionaries(
        st.sampled_from([*DEFS, "unknown", "other"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.text(max_size=5),
            st.lists(st.sampled_from(OPTIONS)),
        ),
        max_size=6,
    )
)
@settings(max_examples=300)
def test_merge_keeps_what_is_not_sent_and_stores_only_valid_values(patch: dict[str, Any]) -> None:
    current = {"note": "kept", "vip": True, "gone": "old"}
    try:
        out = cf.merge(DEFS, current, patch)
    except cf.FieldError as exc:
        key = exc.field.split(".", 1)[1]
        assert key in patch
        return
    for key, value in current.items():
        if key not in patch:
            assert out[key] == value
    for key, value in patch.items():
        if value is None:
            assert key not in out
        else:
            assert key in DEFS
            kind = str(DEFS[key]["kind"])
            assert out.get(key) == cf.clean_value(kind, value, OPTIONS)


def test_merge_names_the_key_and_why() -> None:
    with pytest.raises(cf.FieldError) as exc:
        cf.merge(DEFS, {}, {"size": "big"})
    assert exc.value.field == "custom_fields.size"
    with pytest.raises(cf.FieldError) as exc:
        cf.merge(DEFS, {}, {"nope": 1})
    assert exc.value.field == "custom_fields.nope"
    assert "Unknown field" in str(exc.value)
    assert cf.merge(DEFS, {"nope": 1}, {"nope": None}) == {}
    with pytest.raises(cf.FieldError):
        cf.merge(DEFS, {}, ["size", 1])


@pytest.mark.parametrize(
    "key", ["", "Size", "1st", "a-b", "a b", "é", "a" * 51, None, 3, "a__b", "a_", "_a"]
)
def test_bad_keys(key: Any) -> None:
    with pytest.raises(cf.FieldError):
        cf.clean_key(key)


def test_options() -> None:
    assert cf.clean_options("dropdown", [" a ", "b", ""]) == ["a", "b"]
    for bad in (
        [],
        [""],
        ["a", "a"],
        ["a\nb"],
        "a,b",
        [1],
        ["x" * 101],
        [str(i) for i in range(101)],
    ):
        with pytest.raises(cf.FieldError):
            cf.clean_options("multiselect", bad)
    with pytest.raises(cf.FieldError):
        cf.clean_options("text", ["a"])
    assert cf.clean_options("number", None) == []


def test_from_form() -> None:
    assert cf.from_form("checkbox", "on") is True
    assert cf.from_form("checkbox", "false") is False
    assert cf.from_form("checkbox", "") is None
    assert cf.from_form("multiselect", ["a", ""]) == ["a"]
    assert cf.from_form("number", " ") is None
    assert cf.missing({"a": 1, "b": "", "c": []}, ["a", "b", "c", "d"]) == ["b", "c", "d"]
